"""Users: who may sign in, with which role, over which organization subtree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from mgov import clock, zones
from mgov.accounts.passwords import hash_password
from mgov.accounts.policy import check_password
from mgov.accounts.revocation import end_sessions, revoke_tokens
from mgov.accounts.roles import ROLES, permits
from mgov.accounts.scope import Scope
from mgov.db import audit
from mgov.db.tables import ORGS, USERS
from mgov.errors import AlreadyExists, InvalidValue, NotFound

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,119}$")
LANGS = ("zh", "en")
AUDITED = ("username", "role", "organization", "display_name", "email", "lang", "time_zone", "active")
PUBLIC = ("id", "username", "display_name", "email", "role", "organization", "lang", "time_zone", "active",
          "created_at", "last_login_at")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    organization_id: int | None
    organization: str | None  # its code
    display_name: str | None
    lang: str | None
    # The zone the user reads times in: their own, else their organization's, else its
    # jurisdiction's default; None without an organization (the installation's then applies).
    zone: str | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.organization_id)

    def can(self, permission: str) -> bool:
        return permits(self.role, permission)


def user_query() -> Any:
    return (select(USERS, ORGS.c.code.label("organization"), ORGS.c.time_zone.label("org_time_zone"),
                   ORGS.c.jurisdiction.label("org_jurisdiction"))
            .outerjoin(ORGS, ORGS.c.id == USERS.c.organization_id))


def zone_of(row: Any) -> str | None:
    """The zone a user row reads times in (see User.zone)."""
    m = row._mapping
    if m["time_zone"] or m["organization_id"] is not None:
        return zones.choose(m["time_zone"], m["org_time_zone"], jurisdiction=m["org_jurisdiction"])
    return None


def user_from_row(row: Any) -> User:
    return User(row.id, row.username, row.role, row.organization_id, row.organization, row.display_name, row.lang,
                zone_of(row))


def public(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {k: m[k] for k in PUBLIC}


def _org_id(conn: Connection, code: str | None) -> int | None:
    if code is None:
        return None
    org_id = conn.execute(select(ORGS.c.id).where(ORGS.c.code == code)).scalar()
    if org_id is None:
        raise NotFound(f"no organization with code {code!r}")
    return int(org_id)


def _validate(role: str | None, lang: str | None) -> None:
    if role is not None and role not in ROLES:
        raise InvalidValue(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if lang is not None and lang not in LANGS:
        raise InvalidValue(f"unknown language {lang!r}: zh or en")


def create_user(conn: Connection, username: str, password: str, role: str, *, organization: str | None = None,
                display_name: str | None = None, email: str | None = None, lang: str | None = None,
                time_zone: str | None = None) -> dict[str, Any]:
    if not USERNAME.match(username):
        raise InvalidValue(f"user name {username!r}: 2-120 letters, digits, . _ @ -")
    _validate(role, lang)
    if conn.execute(select(USERS.c.id).where(USERS.c.username == username)).first():
        # One message whoever holds the name: a 409 must not tell which organization has that user.
        raise AlreadyExists("this user name is taken: choose another")
    check_password(password, username=username, user_inputs=(display_name, email, organization))
    user_id = conn.execute(insert(USERS).values(
        username=username, password_hash=hash_password(password), role=role,
        organization_id=_org_id(conn, organization), display_name=display_name, email=email, lang=lang,
        time_zone=zones.check(time_zone), active=True, created_at=clock.now()).returning(USERS.c.id)).scalar_one()
    found = get_user(conn, int(user_id))
    _audit(conn, "user.created", None, found)
    return found


def _audit(conn: Connection, action: str, before: dict[str, Any] | None, after: dict[str, Any],
           **extra: Any) -> None:
    """A user's change in the audit log, filed under the organization it belongs to (and the
    one it leaves)."""
    fields = [k for k in AUDITED if before is not None or after.get(k) is not None]
    detail = {"changes": audit.diff(before, after, fields), **extra}
    orgs = {_org_id(conn, u["organization"]) for u in (before, after) if u is not None and u["organization"]}
    filed: list[int | None] = [*sorted(o for o in orgs if o is not None)]
    for org_id in filed or [None]:
        audit.record(conn, action, f"user:{after['id']}", detail, organization_id=org_id)


def edit_user(conn: Connection, user_id: int, *, role: str | None = None, organization: str | None = None,
              display_name: str | None = None, email: str | None = None, lang: str | None = None,
              active: bool | None = None, password: str | None = None, time_zone: str | None = None) -> dict[str, Any]:
    """Change a user (someone else changing them: a user manager or the command line). A new
    password, a disable, or a new role or organization ends the user's sessions; a new
    password or a disable also revokes their API tokens (see accounts.revocation)."""
    before = get_user(conn, user_id)
    _validate(role, lang)
    values: dict[str, Any] = {k: v for k, v in (("role", role), ("display_name", display_name), ("email", email),
                                                ("lang", lang), ("active", active)) if v is not None}
    if organization is not None:
        values["organization_id"] = _org_id(conn, organization or None)
    if time_zone is not None:  # "": back to the organization's
        values["time_zone"] = zones.check(time_zone)
    if password is not None:
        check_password(password, username=before["username"],
                       user_inputs=(display_name or before["display_name"], email or before["email"]))
        values["password_hash"] = hash_password(password)
    if values:
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
    after = get_user(conn, user_id)
    if values:
        _audit(conn, "user.updated", before, after, **({"password_changed": True} if password is not None else {}))
    disabled = before["active"] and not after["active"]
    if password is not None or disabled:
        revoke_tokens(conn, user_id)
    if (password is not None or disabled or after["role"] != before["role"]
            or after["organization"] != before["organization"]):
        end_sessions(conn, user_id)
    return after


def get_user(conn: Connection, user_id: int) -> dict[str, Any]:
    row = conn.execute(user_query().where(USERS.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    return public(row)


def user_id_of(conn: Connection, username: str) -> int:
    user_id = conn.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar()
    if user_id is None:
        raise NotFound(f"no user {username!r}")
    return int(user_id)


def list_users(conn: Connection, scope: Scope, *, after: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    query = (user_query().where(scope.orgs(USERS.c.organization_id), USERS.c.id > after)
             .order_by(USERS.c.id).limit(limit))
    return [public(r) for r in conn.execute(query)]


def load_user(conn: Connection, user_id: int) -> User | None:
    """The active user with this id, as the web layer needs it."""
    row = conn.execute(user_query().where(USERS.c.id == user_id, USERS.c.active.is_(True))).first()
    return None if row is None else user_from_row(row)
