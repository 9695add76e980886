"""How large a request body may be: DEFAULT_LIMIT for every route, more for a route that
declares it with @body_limit next to its definition. Enforced by a pure ASGI middleware before
anything is parsed or stored: a declared Content-Length over the limit is answered 413 without
reading the body, and a body without one (chunked) is cut off as soon as it passes the limit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import routing as fastapi_routing
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

KiB = 1024
MiB = 1024 * KiB
DEFAULT_LIMIT = 1 * MiB  # far above any form or JSON body of the API (its fields have their own caps)
_ATTRIBUTE = "__mgov_body_limit__"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
# The dashboard's answer: an error page (request, the limit in words) from the renderer app.build passes.
RefusalPage = Callable[[Request, str], Response]


def body_limit(limit: int) -> Callable[[Endpoint], Endpoint]:
    """Let a route take bodies up to limit bytes (an upload): put it under the route's decorator,
    `@router.post(...)` then `@body_limit(20 * MiB)`."""

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _ATTRIBUTE, limit)
        return endpoint

    return declare


def every_route(routes: Iterable[BaseRoute]) -> list[Any]:
    """The application's routes, those of included routers too: FastAPI (0.16x) includes routers
    lazily, so app.routes holds an included router, not its routes, until this walks into it."""
    walk = getattr(fastapi_routing, "iter_route_contexts", None)
    return list(walk(list(routes))) if walk else list(routes)


def declared_limit(route: BaseRoute) -> int | None:
    limit = getattr(getattr(route, "endpoint", None), _ATTRIBUTE, None)
    return limit if isinstance(limit, int) else None


def in_words(limit: int) -> str:
    if limit % MiB == 0:
        return f"{limit // MiB} MiB"
    return f"{limit // KiB} KiB" if limit % KiB == 0 else f"{limit} bytes"


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before the application sees it
    return None


class BodyLimit:
    """Pure ASGI middleware (no per-request task): refuses bodies over the route's limit with 413,
    the API's JSON error or the dashboard's error page."""

    def __init__(self, app: Any, routes: Callable[[], Iterable[BaseRoute]], refusal_page: RefusalPage,
                 api_prefix: str, default: int = DEFAULT_LIMIT) -> None:
        self.app = app
        self.routes = routes  # read on first use: the routers are complete by then
        self.refusal_page = refusal_page
        self.api_prefix = api_prefix
        self.default = default
        self._larger: list[tuple[BaseRoute, int]] | None = None

    def limit_of(self, scope: dict[str, Any]) -> int:
        if self._larger is None:
            self._larger = [(r, limit) for r in every_route(self.routes())
                            if (limit := declared_limit(r)) is not None]
        for route, limit in self._larger:  # the few routes that declare a limit; none: nothing to match
            if route.matches(scope)[0] is Match.FULL:
                return limit
        return self.default

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self.refuse(scope, receive, send, limit)  # the body is never read
            return
        received, cut_off, started = 0, False, False

        async def limited_receive() -> Any:
            nonlocal received, cut_off
            if cut_off:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # The application sees the client gone: it stops reading, runs no handler,
                    # stores nothing; its answer to that is replaced by the 413 below.
                    cut_off = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Any) -> None:
            nonlocal started
            if cut_off:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not cut_off or started:
                raise
        if cut_off and not started:
            await self.refuse(scope, receive, send, limit)

    async def refuse(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        words = in_words(limit)
        response: Response
        if scope["path"].startswith(self.api_prefix):
            body = {"error": {"status": 413, "type": "PayloadTooLarge",
                              "message": f"the request body is larger than this route accepts ({words})"}}
            response = Response(json.dumps(body), status_code=413, media_type="application/json")
        else:
            response = self.refusal_page(Request(scope), words)
        await response(scope, receive, send)

