"""The user's own account and API tokens, and user management."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from mgov.accounts import PERMISSIONS, ROLES, access, can_grant, users
from mgov.errors import MgovError
from mgov.web import actions, exports
from mgov.web.api.accounts import user_page
from mgov.web.dashboard._forms import back, form, run_action
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, Conn, Cursor, PageUser, Principal, begin, page_can
from mgov.web.proxy import client_address

router = APIRouter()
UserManager = Annotated[Principal, page_can("users.manage")]
# Offered first in the time zone field (any IANA name is accepted).
ZONE_CHOICES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "America/New_York",
                "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
                "UTC")


def _account_page(request: Request, p: Principal, conn: Connection, new_token: str | None = None) -> Response:
    return Pages.of(request).render(request, "account.html", p, me=users.get_user(conn, p.user.id),
                                    permissions=sorted(PERMISSIONS[p.user.role]), zone_choices=ZONE_CHOICES,
                                    tokens=access.list_tokens(conn, p.user.id), new_token=new_token)


@router.get("/account")
def account(request: Request, p: PageUser, conn: Conn) -> Response:
    return _account_page(request, p, conn)


@router.post("/account/tokens")
async def token_create(request: Request, p: PageUser) -> Response:
    fields = await form(request)

    def run() -> tuple[str | None, str | None]:
        try:
            days = int(fields["days"]) if fields.get("days") else None
            with begin(request) as conn:
                token, _row = actions.create_token(conn, p, fields.get("name", ""), days)
            return token, None
        except (MgovError, ValueError) as exc:
            return None, str(exc)

    token, error = await run_in_threadpool(run)
    if error:
        return back(request, "/account", error=error)
    # Shown once, on this answer only (not in a URL, which would land in logs and history).
    with request.app.state.engine.connect() as conn:
        return _account_page(request, p, conn, token)


@router.post("/account/password")
async def password_change(request: Request, p: PageUser) -> Response:
    fields = await form(request)
    current, new = fields.get("current_password", ""), fields.get("new_password", "")
    if new != fields.get("confirm_password", ""):
        return back(request, "/account", error="the new password and its confirmation differ")

    def run() -> str | None:
        try:
            ended = access.change_password(request.app.state.engine, p.user.id, current, new,
                                           client_address(request), session=p.session)
            with begin(request) as conn:
                actions.password_changed(conn, p, ended)
            return None
        except MgovError as exc:
            return str(exc)

    error = await run_in_threadpool(run)
    return back(request, "/account", error=error) if error else back(request, "/account", done="password_changed")


@router.post("/account/settings")
async def own_settings(request: Request, p: PageUser) -> Response:
    """The user's own language and time zone."""
    fields = await form(request)
    return await run_action(request, "/account", lambda conn: actions.own_settings(
        conn, p, fields.get("lang"), fields.get("time_zone", "")))


@router.post("/account/tokens/{token_id}/revoke")
async def token_revoke(request: Request, token_id: ID, p: PageUser) -> Response:
    return await run_action(request, "/account", lambda conn: actions.revoke_token(conn, p, token_id), done="revoked")


@router.get("/users")
def users_page(request: Request, p: UserManager, conn: Conn, after: Cursor = 0,
               format: exports.ExportFormat = None) -> Response:
    if format:
        return exports.respond(request, p, "users", format, Pages.lang_of(request, p),
                               lambda c, a, n: user_page(c, p, a, n))
    rows = users.list_users(conn, p.user.scope, after=after, limit=101)
    grantable = [r for r in ROLES if can_grant(p.user.role, r)]
    return Pages.of(request).render(request, "users.html", p, rows=rows[:100], grantable=grantable,
                                    next_after=rows[99]["id"] if len(rows) > 100 else None)


@router.post("/users")
async def user_create(request: Request, p: UserManager) -> Response:
    fields = await form(request)
    new = {k: fields.get(k) for k in ("username", "password", "role", "organization", "display_name", "email", "lang")}
    new = {k: v for k, v in new.items() if v is not None}
    new.setdefault("username", "")
    new.setdefault("password", "")
    new.setdefault("role", "viewer")
    return await run_action(request, "/users", lambda conn: actions.create_user(conn, p, new), done="created")


@router.post("/users/{user_id}/unlock")
async def user_unlock(request: Request, user_id: ID, p: UserManager) -> Response:
    return await run_action(request, "/users", lambda conn: actions.unlock_user(conn, p, user_id), done="unlocked")


@router.post("/users/{user_id}/edit")
async def user_edit(request: Request, user_id: ID, p: UserManager) -> Response:
    fields = await form(request)
    changes: dict[str, Any] = {k: fields[k] for k in ("role",) if k in fields}
    if "active" in fields:
        changes["active"] = fields["active"] == "1"
    return await run_action(request, "/users", lambda conn: actions.edit_user(conn, p, user_id, changes))
