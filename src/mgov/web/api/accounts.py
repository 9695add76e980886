"""The caller's account and tokens, and user management within scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy import Connection

from mgov.accounts import access, users
from mgov.web import actions
from mgov.web.api._body import Body
from mgov.web.api._paging import AFTER, LIMIT, paged
from mgov.web.deps import ID, Principal, api_can, api_user, connection

router = APIRouter(tags=["accounts"])
MANAGE = api_can("users.manage")


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


class UserPatch(Body):
    role: str | None = Field(None, max_length=40)
    organization: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    lang: str | None = Field(None, pattern="^(zh|en)$")
    active: bool | None = None
    password: str | None = Field(None, min_length=10, max_length=1000)


@router.get("/me")
def me(p: Principal = Depends(api_user), conn: Connection = Depends(connection)) -> dict[str, Any]:
    """Who you are: your role, organization and permissions."""
    from mgov.accounts import PERMISSIONS

    return {**users.get_user(conn, p.user.id), "permissions": sorted(PERMISSIONS[p.user.role])}


@router.get("/me/tokens")
def my_tokens(p: Principal = Depends(api_user), conn: Connection = Depends(connection)) -> dict[str, Any]:
    return {"items": access.list_tokens(conn, p.user.id), "next": None}


@router.post("/me/tokens", status_code=201)
def create_token(body: TokenIn, p: Principal = Depends(api_user), conn: Connection = Depends(connection)) -> dict[str, Any]:
    """A new personal API token; `token` is shown in this answer only."""
    token, row = actions.create_token(conn, p, body.name, body.days)
    return {**row, "token": token}


@router.delete("/me/tokens/{token_id}")
def revoke_token(token_id: ID, p: Principal = Depends(api_user), conn: Connection = Depends(connection)) -> dict[str, Any]:
    return actions.revoke_token(conn, p, token_id)


@router.get("/users")
def list_users(request: Request, after: int | None = AFTER, limit: int = LIMIT, p: Principal = MANAGE,
               conn: Connection = Depends(connection)) -> dict[str, Any]:
    rows = users.list_users(conn, p.user.scope, after=after or 0, limit=limit + 1)
    nxt = rows[limit - 1]["id"] if len(rows) > limit else None
    return paged(request, rows[:limit], nxt)


@router.post("/users", status_code=201)
def create_user(body: UserIn, p: Principal = MANAGE, conn: Connection = Depends(connection)) -> dict[str, Any]:
    return actions.create_user(conn, p, body.model_dump())


@router.patch("/users/{user_id}")
def edit_user(user_id: ID, body: UserPatch, p: Principal = MANAGE, conn: Connection = Depends(connection)) -> dict[str, Any]:
    return actions.edit_user(conn, p, user_id, body.model_dump(exclude_unset=True))
