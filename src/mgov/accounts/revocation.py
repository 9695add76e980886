"""Ending a user's sessions and tokens when what they were granted on changes.

A password change, reset, disable or role change ends the user's browser sessions (but the
one making a change to their own password: they just proved who they are). A reset by
someone else or a disable also revokes their API tokens: the reset says the password may be
known to someone else, and re-enabling a user must not bring old credentials back to life.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, update

from mgov import clock
from mgov.db.tables import API_TOKENS, WEB_SESSIONS


def end_sessions(conn: Connection, user_id: int, *, keep: str | None = None) -> int:
    """Delete the user's sessions, but the one whose token hash is keep; how many ended."""
    query = delete(WEB_SESSIONS).where(WEB_SESSIONS.c.user_id == user_id)
    if keep is not None:
        query = query.where(WEB_SESSIONS.c.token_hash != keep)
    return conn.execute(query).rowcount or 0


def revoke_tokens(conn: Connection, user_id: int) -> int:
    """Revoke the user's live API tokens; how many."""
    return conn.execute(update(API_TOKENS).where(API_TOKENS.c.user_id == user_id, API_TOKENS.c.revoked_at.is_(None))
                        .values(revoked_at=clock.now())).rowcount or 0
