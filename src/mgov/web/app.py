"""The application: the API router under /api/v1, the dashboard, static files, and one
translation of mgov's errors into HTTP answers for both."""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from mgov.config import Settings, load_settings
from mgov.db.engine import make_engine
from mgov.errors import (
    AccessError,
    AlreadyExists,
    Forbidden,
    InvalidValue,
    MgovError,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from mgov.web.api import router as api_router
from mgov.web.body_limit import BodyLimit
from mgov.web.dashboard import router as dashboard_router
from mgov.web.dashboard.render import Pages
from mgov.web.deps import LoginRequired, Principal, current
from mgov.web.proxy import ProxyHeaders
from mgov.web.queries import Memo

API_PREFIX = "/api/v1"
# The most specific class first: AlreadyExists and NotFound are RegistryErrors too.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404), (AlreadyExists, 409), (InvalidValue, 422), (Unauthenticated, 401), (Forbidden, 403),
    (RateLimited, 429), (AccessError, 403), (MgovError, 400))


def status_of(exc: Exception) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


# The dashboard loads nothing from elsewhere; ECharts sets inline styles on its tooltips.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
                    "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task, unlike BaseHTTPMiddleware): adds the headers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            # No database stores NUL in text (PostgreSQL refuses it): an invalid request.
            body = b'{"error":{"status":400,"type":"InvalidRequest","message":"NUL characters are not allowed"}}'
            fields = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 400, "headers": fields})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS)
                if not static:
                    extra["Cache-Control"] = "no-store"  # pages and answers hold scoped data
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()
                            if k.lower().encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


API_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mgov API</title><link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script><script src="/static/api-docs.js"></script>
</body></html>"""


def _api_docs() -> HTMLResponse:
    """Swagger UI served from mgov's own static files (FastAPI's default page loads it from a CDN)."""
    return HTMLResponse(API_DOCS)


def _reader_of(request: Request) -> Principal | None:
    """Who reads an error page, so that it comes in their frame (the navigation) and language;
    no one when the request names no valid session or the database cannot tell."""
    try:
        with request.app.state.engine.connect() as conn:
            return current(request, conn)
    except (MgovError, SQLAlchemyError):
        return None


async def _error_page(request: Request, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    reader = await run_in_threadpool(_reader_of, request)  # a database read: off the event loop
    pages: Pages = request.app.state.pages
    return pages.error(request, code, message, headers=headers, principal=reader)


def build(settings: Settings | None, engine: Engine | None) -> FastAPI:
    settings = settings or load_settings()
    app = FastAPI(title="mgov API", version="1", openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url=None, redoc_url=None,
                  description="The registry, monitoring, assessments and their follow-up, within your "
                              "organization's scope. Authenticate with `Authorization: Bearer <token>` "
                              "(personal tokens: the dashboard's account page or `mgov user token`).")
    # Threads serve sync routes: as many connections as threads may wait on the database.
    app.state.engine = engine or make_engine(settings.resolved_database_url, pool_size=20, max_overflow=20)
    app.state.settings = settings
    app.state.pages = pages = Pages()
    app.state.memo = Memo()
    # Added first, so it runs inside SecurityHeaders: its 413 answers get the headers too.
    app.add_middleware(BodyLimit, routes=lambda: app.routes, api_prefix=API_PREFIX,
                       refusal_page=lambda request, limit: pages.render(
                           request, "error.html", None, http_status=413, status_code=413, limit=limit,
                           message=f"the request body is larger than this page accepts ({limit})"))
    app.add_middleware(SecurityHeaders)
    # Outermost: every layer below sees the client and scheme a trusted proxy reports.
    app.add_middleware(ProxyHeaders, trusted=settings.web.trusted_proxies)
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(dashboard_router)
    app.add_api_route(f"{API_PREFIX}/docs", _api_docs, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=str(files("mgov.web.dashboard") / "static")), name="static")

    @app.exception_handler(MgovError)
    async def mgov_error(request: Request, exc: MgovError) -> Response:
        code = status_of(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if _is_api(request):
            if code == 401:
                headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
            return JSONResponse({"error": {"status": code, "type": type(exc).__name__, "message": str(exc)}},
                                status_code=code, headers=headers)
        return await _error_page(request, code, str(exc), headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """No such route (404) or method (405): a page in the dashboard's frame; the API keeps
        FastAPI's JSON answer."""
        if _is_api(request) or request.url.path.startswith("/static/"):
            return await http_exception_handler(request, exc)
        return await _error_page(request, exc.status_code, str(exc.detail),
                                 headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"error": {"status": 401, "type": "Unauthenticated", "message": "sign in"}},
                                status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors: list[dict[str, Any]] = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"error": {"status": 422, "type": "InvalidRequest", "message": "invalid request",
                                           "details": errors}}, status_code=422)
        return await _error_page(request, 422, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))

    return app
