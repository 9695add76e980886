"""Signing in: browser sessions, personal API tokens, and the sign-in rate limit.

Sessions and tokens are random strings handed out once; the database keeps only their
SHA-256, so a leaked database row cannot be replayed as a credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from mgov import clock
from mgov.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from mgov.accounts.users import User, user_from_row, user_query
from mgov.db.tables import API_TOKENS, LOGIN_ATTEMPTS, USERS, WEB_SESSIONS
from mgov.errors import InvalidValue, NotFound, RateLimited, Unauthenticated

SESSION_HOURS = 12
TOKEN_PREFIX = "mgov_"  # noqa: S105 - the public prefix that marks an API token, not a secret
# Failed sign-ins allowed per window: per user name (guessing one password) and per client
# address (trying many names).
WINDOW = dt.timedelta(minutes=15)
MAX_FAILED_PER_USER = 5
MAX_FAILED_PER_CLIENT = 20


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _failures(conn: Connection, column: Any, value: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    row = conn.execute(select(func.count(), func.min(LOGIN_ATTEMPTS.c.at)).where(
        column == value, LOGIN_ATTEMPTS.c.at >= since, LOGIN_ATTEMPTS.c.ok.is_(False))).first()
    return (int(row[0]), row[1]) if row else (0, None)


def _check_rate(conn: Connection, username: str, client: str, now: dt.datetime) -> None:
    since = now - WINDOW
    for column, value, limit in ((LOGIN_ATTEMPTS.c.username, username, MAX_FAILED_PER_USER),
                                 (LOGIN_ATTEMPTS.c.client, client, MAX_FAILED_PER_CLIENT)):
        count, first = _failures(conn, column, value, since)
        if count >= limit:
            first = first if first is None or first.tzinfo else first.replace(tzinfo=dt.UTC)
            wait = int(((first or now) + WINDOW - now).total_seconds()) + 1
            raise RateLimited(f"too many failed sign-ins: try again in {max(wait, 1)} s", max(wait, 1))


def login(conn: Connection, username: str, password: str, client: str) -> tuple[User, str, str]:
    """Check the password; a new session: (user, session token, CSRF token)."""
    now = clock.now()
    _check_rate(conn, username, client, now)
    row = conn.execute(user_query().where(USERS.c.username == username)).first()
    ok = verify_password(row.password_hash if row else dummy_hash(), password) and bool(row and row.active)
    conn.execute(insert(LOGIN_ATTEMPTS).values(username=username[:120], client=client[:64], at=now, ok=ok))
    if not ok or row is None:
        raise Unauthenticated("wrong user name or password")
    values: dict[str, Any] = {"last_login_at": now}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    conn.execute(update(USERS).where(USERS.c.id == row.id).values(**values))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(insert(WEB_SESSIONS).values(token_hash=digest(token), user_id=row.id, csrf=csrf, created_at=now,
                                             expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
    conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.expires_at < now))
    return user_from_row(row), token, csrf


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
    return token, get_token(conn, user_id, int(token_id))


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
    return get_token(conn, user_id, token_id)
