"""Signing in and out, and switching the language."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mgov.accounts import access
from mgov.errors import RateLimited, Unauthenticated
from mgov.web.dashboard._forms import safe_next
from mgov.web.dashboard.render import Pages
from mgov.web.deps import SESSION_COOKIE, Conn, PageUser, Visitor
from mgov.web.i18n import LANG_COOKIE, LANGS
from mgov.web.proxy import client_address

router = APIRouter()
LOGIN_CSRF_COOKIE = "mgov_login_csrf"


def _secure(request: Request) -> bool:
    # https: served with TLS (mgov serve --ssl-certfile), or through a trusted proxy that says so.
    return request.url.scheme == "https"


@router.get("/login")
def login_page(request: Request, p: Visitor, next: str | None = None) -> Response:
    if p is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = Pages.of(request).render(request, "login.html", None, csrf=token, next=safe_next(next))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    data = await request.form()
    username, password = str(data.get("username") or "").strip(), str(data.get("password") or "")
    target = safe_next(str(data.get("next") or "/"))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    pages = Pages.of(request)
    if not expected or not hmac.compare_digest(str(data.get("csrf") or ""), expected):
        return pages.render(request, "login.html", None, http_status=403, csrf=expected or secrets.token_urlsafe(32),
                            next=target, error="csrf", username=username)
    client = client_address(request)
    outcome = await run_in_threadpool(_login, request, username, password, client)
    if isinstance(outcome, Exception):
        status = 429 if isinstance(outcome, RateLimited) else 401
        headers = {"Retry-After": str(outcome.retry_after)} if isinstance(outcome, RateLimited) else None
        return pages.render(request, "login.html", None, http_status=status, headers=headers, csrf=expected,
                            next=target, error="rate" if status == 429 else "wrong", username=username)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, outcome, httponly=True, samesite="lax", secure=_secure(request),
                        max_age=access.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _login(request: Request, username: str, password: str, client: str) -> str | Exception:
    """The session token, or the refusal (the attempt is committed either way: access.login
    runs its own transactions)."""
    try:
        _user, token, _csrf = access.login(request.app.state.engine, username, password, client)
        return token
    except (Unauthenticated, RateLimited) as exc:
        return exc


@router.post("/logout")
def logout(p: PageUser, conn: Conn) -> Response:
    if p.session:
        access.logout(conn, p.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=_secure(request))
    return response
