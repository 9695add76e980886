"""Signing in: browser sessions, personal API tokens, and the sign-in rate limit.

Sessions and tokens are random strings handed out once; the database keeps only their
SHA-256, so a leaked database row cannot be replayed as a credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from mgov import clock
from mgov.accounts import throttle
from mgov.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from mgov.accounts.policy import check_password
from mgov.accounts.revocation import end_sessions
from mgov.accounts.users import User, user_from_row, user_query
from mgov.db import audit
from mgov.db.tables import API_TOKENS, LOGIN_ATTEMPTS, USERS, WEB_SESSIONS
from mgov.errors import InvalidValue, NotFound, RateLimited, Unauthenticated

SESSION_HOURS = 12
TOKEN_PREFIX = "mgov_"  # noqa: S105 - the public prefix that marks an API token, not a secret


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def login(engine: Engine, username: str, password: str, client: str) -> tuple[User, str, str]:
    """Check the password; a new session: (user, session token, CSRF token).

    Three short transactions: the attempt is charged to the throttle and committed before the
    password is checked (so parallel attempts see each other), the check runs outside any
    transaction (argon2 takes a while), and the outcome is recorded after it."""
    now = clock.now()
    admission = _admit(engine, username, client, now, "too many failed sign-ins", log=True)
    with engine.connect() as conn:
        row = conn.execute(user_query().where(USERS.c.username == username)).first()
    ok = verify_password(row.password_hash if row else dummy_hash(), password) and bool(row and row.active)
    with engine.begin() as conn:
        conn.execute(insert(LOGIN_ATTEMPTS).values(username=username[:120], client=client[:64], at=now, ok=ok))
        throttle.settle(conn, username, client, admission, ok, now)
        session = _start_session(conn, row, password, now) if ok and row is not None else None
    if session is None or row is None:
        raise Unauthenticated("wrong user name or password")
    return user_from_row(row), *session


def _admit(engine: Engine, username: str, client: str, now: dt.datetime, refusal: str, *,
           log: bool) -> throttle.Admission:
    """Charge a password check to the throttle, in a transaction of its own committed before the
    check; RateLimited when the pair may not try now (a refused sign-in is logged when log)."""
    with engine.begin() as conn:
        admission = throttle.charge(conn, username, client, now)
        if log and not admission.admitted:
            conn.execute(insert(LOGIN_ATTEMPTS).values(username=username[:120], client=client[:64], at=now,
                                                       ok=False))
    if not admission.admitted:
        raise RateLimited(f"{refusal}: try again in {admission.wait} s", admission.wait)
    return admission


def _start_session(conn: Connection, row: Any, password: str, now: dt.datetime) -> tuple[str, str]:
    values: dict[str, Any] = {"last_login_at": now}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    conn.execute(update(USERS).where(USERS.c.id == row.id).values(**values))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(insert(WEB_SESSIONS).values(token_hash=digest(token), user_id=row.id, csrf=csrf, created_at=now,
                                             expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
    conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.expires_at < now))
    return token, csrf


def change_password(engine: Engine, user_id: int, old: str, new: str, client: str, *,
                    session: str | None = None) -> int:
    """A user changes their own password, proving the old one (throttled like a sign-in, so a
    borrowed session cannot guess it). Their other sessions end; this one (the session token,
    when they came through the dashboard) and their API tokens stay. How many sessions ended."""
    with engine.connect() as conn:
        row = conn.execute(user_query().where(USERS.c.id == user_id, USERS.c.active.is_(True))).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    now = clock.now()
    admission = _admit(engine, row.username, client, now, "too many wrong passwords", log=False)
    ok = verify_password(row.password_hash, old)
    with engine.begin() as conn:
        throttle.settle(conn, row.username, client, admission, ok, now)
    if not ok:
        raise Unauthenticated("the current password is wrong")
    if new == old:
        raise InvalidValue("the new password is the current one")
    with engine.begin() as conn:
        check_password(new, username=row.username, user_inputs=(row.display_name, row.email, row.organization))
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(password_hash=hash_password(new)))
        return end_sessions(conn, user_id, keep=digest(session) if session else None)


def session_user(conn: Connection, token: str) -> tuple[User, str] | None:
    """The active user of an unexpired session, and the session's CSRF token."""
    row = conn.execute(user_query().add_columns(WEB_SESSIONS.c.csrf)
                       .join(WEB_SESSIONS, WEB_SESSIONS.c.user_id == USERS.c.id)
                       .where(WEB_SESSIONS.c.token_hash == digest(token), WEB_SESSIONS.c.expires_at > clock.now(),
                              USERS.c.active.is_(True))).first()
    return None if row is None else (user_from_row(row), row.csrf)


def logout(conn: Connection, token: str) -> None:
    conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.token_hash == digest(token)))


def create_token(conn: Connection, user_id: int, name: str, *, days: int | None = None) -> tuple[str, dict[str, Any]]:
    """A new personal API token: (the token, shown this once; its row)."""
    if not name.strip():
        raise InvalidValue("a token needs a name saying what it is for")
    if days is not None and not 1 <= days <= 3650:
        raise InvalidValue("a token lasts 1 to 3650 days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token_id = conn.execute(insert(API_TOKENS).values(
        user_id=user_id, name=name.strip()[:200], token_hash=digest(token), prefix=token[:12], created_at=now,
        expires_at=now + dt.timedelta(days=days) if days else None).returning(API_TOKENS.c.id)).scalar_one()
    row = get_token(conn, user_id, int(token_id))
    _audit(conn, "token.created", user_id, {"token": row["id"], "name": row["name"]})
    return token, row


def _audit(conn: Connection, action: str, user_id: int, detail: dict[str, Any]) -> None:
    """A token's change in the audit log, filed under its user's organization."""
    org_id = conn.execute(select(USERS.c.organization_id).where(USERS.c.id == user_id)).scalar()
    audit.record(conn, action, f"user:{user_id}", detail, organization_id=org_id)


def token_user(conn: Connection, token: str) -> User | None:
    now = clock.now()
    row = conn.execute(user_query().add_columns(API_TOKENS.c.id.label("token_id"), API_TOKENS.c.last_used_at)
                       .join(API_TOKENS, API_TOKENS.c.user_id == USERS.c.id)
                       .where(API_TOKENS.c.token_hash == digest(token), API_TOKENS.c.revoked_at.is_(None),
                              (API_TOKENS.c.expires_at.is_(None)) | (API_TOKENS.c.expires_at > now),
                              USERS.c.active.is_(True))).first()
    if row is None:
        return None
    last = row.last_used_at
    if last is None or (last if last.tzinfo else last.replace(tzinfo=dt.UTC)) < now - dt.timedelta(minutes=5):
        # Minute-level precision is enough, and it spares a write on most requests.
        conn.execute(update(API_TOKENS).where(API_TOKENS.c.id == row.token_id).values(last_used_at=now))
    return user_from_row(row)


TOKEN_FIELDS = ("id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")


def get_token(conn: Connection, user_id: int, token_id: int) -> dict[str, Any]:
    row = conn.execute(select(*(API_TOKENS.c[f] for f in TOKEN_FIELDS))
                       .where(API_TOKENS.c.id == token_id, API_TOKENS.c.user_id == user_id)).first()
    if row is None:
        raise NotFound(f"no token {token_id}")
    return dict(row._mapping)


def list_tokens(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(
        select(*(API_TOKENS.c[f] for f in TOKEN_FIELDS)).where(API_TOKENS.c.user_id == user_id)
        .order_by(API_TOKENS.c.id))]


def revoke_token(conn: Connection, user_id: int, token_id: int) -> dict[str, Any]:
    get_token(conn, user_id, token_id)
    conn.execute(update(API_TOKENS).where(API_TOKENS.c.id == token_id, API_TOKENS.c.revoked_at.is_(None))
                 .values(revoked_at=clock.now()))
    _audit(conn, "token.revoked", user_id, {"token": token_id})
    return get_token(conn, user_id, token_id)
