"""The caller's account and tokens, and user management within scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from mgov.accounts import PERMISSIONS, access, users
from mgov.web import actions, display, exports
from mgov.web.api._body import Body
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, ApiUser, Conn, Principal, api_can, begin
from mgov.web.proxy import client_address

router = APIRouter(tags=["accounts"])
UserManager = Annotated[Principal, api_can("users.manage")]


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=200)
    days: int | None = Field(None, ge=1, le=3650, description="Expire after this many days (default: never).")


class UserIn(Body):
    username: str = Field(min_length=2, max_length=120)
    password: str = Field(min_length=10, max_length=1000)
    role: str = Field(max_length=40)
    organization: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    lang: str | None = Field(None, pattern="^(zh|en)$")
    time_zone: str | None = Field(None, max_length=64, description="IANA zone (default: the organization's).")


class UserPatch(Body):
    role: str | None = Field(None, max_length=40)
    organization: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    lang: str | None = Field(None, pattern="^(zh|en)$")
    active: bool | None = None
    password: str | None = Field(None, min_length=10, max_length=1000)
    time_zone: str | None = Field(None, max_length=64, description="IANA zone; \"\" for the organization's.")


@router.get("/me")
def me(p: ApiUser, conn: Conn) -> dict[str, Any]:
    """Who you are: your role, organization and permissions."""
    return {**users.get_user(conn, p.user.id), "permissions": sorted(PERMISSIONS[p.user.role])}


class PasswordChange(Body):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


@router.post("/me/password")
def change_password(request: Request, body: PasswordChange, p: ApiUser) -> dict[str, Any]:
    """Change your own password (the current one required). Your other browser sessions end;
    this one and your API tokens stay (revoke tokens you no longer trust)."""
    ended = access.change_password(request.app.state.engine, p.user.id, body.current_password, body.new_password,
                                   client_address(request), session=p.session)
    with begin(request) as conn:
        actions.password_changed(conn, p, ended)
    return {"changed": True, "sessions_ended": ended}


@router.get("/me/tokens")
def my_tokens(p: ApiUser, conn: Conn) -> dict[str, Any]:
    return {"items": access.list_tokens(conn, p.user.id), "next": None}


@router.post("/me/tokens", status_code=201)
def create_token(body: TokenIn, p: ApiUser, conn: Conn) -> dict[str, Any]:
    """A new personal API token; `token` is shown in this answer only."""
    token, row = actions.create_token(conn, p, body.name, body.days)
    return {**row, "token": token}


@router.delete("/me/tokens/{token_id}")
def revoke_token(token_id: ID, p: ApiUser, conn: Conn) -> dict[str, Any]:
    return actions.revoke_token(conn, p, token_id)


def user_page(conn: Any, p: Principal, after: Any, limit: int) -> tuple[list[dict[str, Any]], Any]:
    """A page of the users in scope, in id order, and the `after` of the next (None at the end)."""
    rows = users.list_users(conn, p.user.scope, after=after or 0, limit=limit + 1)
    return rows[:limit], (rows[limit - 1]["id"] if len(rows) > limit else None)


@router.get("/users", **exports.EXPORTABLE)
def list_users(request: Request, p: UserManager, conn: Conn, after: After = None,
               limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    if format:
        return exports.respond(request, p, "users", format, display.api_lang(request, p),
                               lambda c, a, n: user_page(c, p, a, n))
    rows, nxt = user_page(conn, p, after, limit)
    return paged(request, rows, nxt)


@router.post("/users", status_code=201)
def create_user(body: UserIn, p: UserManager, conn: Conn) -> dict[str, Any]:
    return actions.create_user(conn, p, body.model_dump())


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: ID, p: UserManager, conn: Conn) -> dict[str, Any]:
    """Let a user sign in again from addresses where failed attempts locked them out."""
    return actions.unlock_user(conn, p, user_id)


@router.patch("/users/{user_id}")
def edit_user(user_id: ID, body: UserPatch, p: UserManager, conn: Conn) -> dict[str, Any]:
    return actions.edit_user(conn, p, user_id, body.model_dump(exclude_unset=True))
