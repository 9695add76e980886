"""The act layer's way into the audit log (mgov.db.audit): tasks and disputes record each step
with the actor their caller names; the face is the acting context's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from mgov import clock
from mgov.db import audit
from mgov.db.audit import KINDS, MAX_DETAIL, AuditFilter, bounded
from mgov.db.tables import AUDIT_LOG

__all__ = ["KINDS", "MAX_DETAIL", "AuditFilter", "bounded", "entries", "list_entries", "now", "record"]


def now() -> dt.datetime:
    return clock.now()


def record(conn: Connection, actor: str | None, action: str, subject: str, detail: dict[str, Any] | None = None, *,
           organization_id: int | None = None, channel_id: int | None = None) -> int:
    """Append a row: who (actor; None: whoever acts) did what (action, e.g. task.opened) to what
    (subject, e.g. task:3); see audit.record."""
    return audit.record(conn, action, subject, detail, actor=actor, organization_id=organization_id,
                        channel_id=channel_id)


def entries(conn: Connection, subject: str | None = None) -> list[dict[str, Any]]:
    """The log in order (of one subject when given)."""
    query = select(AUDIT_LOG).order_by(AUDIT_LOG.c.id)
    if subject is not None:
        query = query.where(AUDIT_LOG.c.subject == subject)
    return [dict(r._mapping) for r in conn.execute(query)]


def list_entries(conn: Connection, f: AuditFilter, *, after: int | None = None,
                 limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the whole log, newest first, filtered (the command line's `mgov audit list`)."""
    return audit.list_entries(conn, f, after=after, limit=limit)
