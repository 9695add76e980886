"""What a request needs: a database connection, who is asking (a session or an API token),
their permissions, and CSRF protection for browser sessions."""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from sqlalchemy import Connection

from mgov.accounts import access
from mgov.accounts.users import User
from mgov.actors import Actor, act_as
from mgov.errors import Forbidden, Unauthenticated

SESSION_COOKIE = "mgov_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ID = 2**31 - 1  # the ids are INTEGER columns: larger ids and cursors are invalid requests, not crashes
ID = Annotated[int, Path(ge=1, le=MAX_ID)]
INDEX = Annotated[int, Path(ge=0, le=10_000)]
# In the query string: an optional filter by id, the dashboard's `after` cursor (default 0),
# and a language (zh or en; the default is the route's).
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Cursor = Annotated[int, Query(ge=0, le=MAX_ID)]
Lang = Annotated[str, Query(pattern="^(zh|en)$")]


@dataclass(frozen=True)
class Principal:
    user: User
    via: str  # session or token
    csrf: str | None = None
    session: str | None = None


class LoginRequired(Exception):
    """A dashboard page without a signed-in user: the handler redirects to /login."""


def connection(request: Request) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, before the answer is sent
    (scope="function": a client told 200 finds the change stored), rolled back on error."""
    with request.app.state.engine.begin() as conn:
        yield conn


@contextlib.contextmanager
def begin(request: Request) -> Iterator[Connection]:
    """A transaction of a route's own (a form's change, all or nothing), whose changes are the
    signed-in user's in the audit log like those made in the request's transaction."""
    with request.app.state.engine.begin() as conn:
        actor = getattr(request.state, "actor", None)
        if isinstance(actor, Actor):
            act_as(conn, actor)
        yield conn


# The request's transaction (one per request: every dependency asking for it shares it).
Conn = Annotated[Connection, Depends(connection, scope="function")]


def current(request: Request, conn: Conn) -> Principal | None:
    """Who asks; the request's transaction records them as who acts (the audit log's actor),
    through the API or the dashboard as the path says."""
    face = "api" if request.url.path.startswith("/api/") else "web"
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        user = access.token_user(conn, auth[7:].strip())
        if user is None:
            raise Unauthenticated("invalid, expired or revoked API token")
        _acts(request, conn, Actor(user.username, face))
        return Principal(user, "token")
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        found = access.session_user(conn, token)
        if found is not None:
            _acts(request, conn, Actor(found[0].username, face))
            return Principal(found[0], "session", found[1], token)
    return None


def _acts(request: Request, conn: Connection, actor: Actor) -> None:
    """The asking user acts in the request's transaction and in any its route opens (`begin`)."""
    request.state.actor = actor
    act_as(conn, actor)


# Whoever is asking, or None when no one signed in: for what anyone may see (the login page).
Visitor = Annotated[Principal | None, Depends(current)]


async def _csrf_token(request: Request) -> str:
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        token = str((await request.form()).get("csrf") or "")
    return token or ""


async def _checked(request: Request, principal: Principal) -> Principal:
    """A browser session changing something must show its CSRF token (API tokens need not:
    a browser never sends them by itself)."""
    if (request.method not in SAFE_METHODS and principal.via == "session"
            and not hmac.compare_digest(await _csrf_token(request), principal.csrf or "")):
        raise Forbidden("missing or wrong CSRF token")
    return principal


async def api_user(request: Request, principal: Visitor) -> Principal:
    if principal is None:
        raise Unauthenticated("sign in, or send Authorization: Bearer <token>")
    return await _checked(request, principal)


async def page_user(request: Request, principal: Visitor) -> Principal:
    if principal is None:
        raise LoginRequired()
    return await _checked(request, principal)


# A signed-in user (any role): for the API (401 without one) and for pages (to /login without one).
ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]


def _allowed(principal: Principal, permission: str) -> Principal:
    if not principal.user.can(permission):
        raise Forbidden(f"your role ({principal.user.role}) does not allow {permission}")
    return principal


def api_can(permission: str) -> Any:
    """The dependency of an API route that needs a permission: use it as
    `Annotated[Principal, api_can("...")]`."""

    async def dependency(principal: ApiUser) -> Principal:
        return _allowed(principal, permission)

    return Depends(dependency)


def page_can(permission: str) -> Any:
    """The same for a dashboard page: `Annotated[Principal, page_can("...")]`."""

    async def dependency(principal: PageUser) -> Principal:
        return _allowed(principal, permission)

    return Depends(dependency)


# Reading within one's scope: what nearly every route needs.
ApiReader = Annotated[Principal, api_can("read")]
PageReader = Annotated[Principal, page_can("read")]
