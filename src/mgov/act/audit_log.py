"""The audit log: one row per step of a dispute or a task; rows are only ever appended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select

from mgov import clock
from mgov.db.tables import AUDIT_LOG, CHANNELS


def now() -> dt.datetime:
    return clock.now()


def record(conn: Connection, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None, *,
           organization_id: int | None = None, channel_id: int | None = None) -> int:
    """Append a row: who (actor) did what (action, e.g. task.opened) to what (subject, e.g. task:3).
    The organization whose data it is (given, or the owner of channel_id) decides who may read it."""
    if organization_id is None and channel_id is not None:
        organization_id = conn.execute(select(CHANNELS.c.owner_id).where(CHANNELS.c.id == channel_id)).scalar()
    return int(conn.execute(insert(AUDIT_LOG).values(at=now(), actor=actor, action=action, subject=subject,
                                                     detail=detail or {}, organization_id=organization_id)
                            .returning(AUDIT_LOG.c.id)).scalar_one())


def entries(conn: Connection, subject: str | None = None) -> list[dict[str, Any]]:
    """The log in order (of one subject when given)."""
    query = select(AUDIT_LOG).order_by(AUDIT_LOG.c.id)
    if subject is not None:
        query = query.where(AUDIT_LOG.c.subject == subject)
    return [dict(r._mapping) for r in conn.execute(query)]
