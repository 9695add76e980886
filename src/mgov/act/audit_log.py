"""The audit log: one row per step of a dispute or a task; rows are only ever appended."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, insert, select

from mgov import clock
from mgov.db.tables import AUDIT_LOG, CHANNELS

# What an entry keeps of a change: the log says who changed what, it is not a copy of every
# body a client sent (a 10 MB change must not make a 10 MB row).
MAX_DETAIL = 16_000  # characters of the detail as JSON
TEXT_KEPT = 500  # characters kept of a longer text
ITEMS_KEPT = 20  # items kept of a longer list or mapping


def now() -> dt.datetime:
    return clock.now()


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > TEXT_KEPT:
        return f"{value[:TEXT_KEPT]}… ({len(value)} characters)"
    if isinstance(value, dict):
        items = list(value.items())
        kept: dict[str, Any] = {str(k): _shortened(v) for k, v in items[:ITEMS_KEPT]}
        if len(items) > ITEMS_KEPT:
            kept["…"] = f"{len(items) - ITEMS_KEPT} more"
        return kept
    if isinstance(value, list | tuple):
        return [_shortened(v) for v in value[:ITEMS_KEPT]] + (
            [f"… {len(value) - ITEMS_KEPT} more"] if len(value) > ITEMS_KEPT else [])
    return value


def _size(detail: dict[str, Any]) -> int:
    return len(json.dumps(detail, ensure_ascii=False, default=str))


def bounded(detail: dict[str, Any]) -> dict[str, Any]:
    """The detail as an entry keeps it: whole up to MAX_DETAIL characters, else its long texts
    and lists shortened, else only its field names; a shortened one says how large it was."""
    size = _size(detail)
    if size <= MAX_DETAIL:
        return detail
    shortened = {**_shortened(detail), "_truncated": {"characters": size}}
    if _size(shortened) <= MAX_DETAIL:
        return shortened
    return {"_truncated": {"characters": size, "fields": [str(k)[:TEXT_KEPT] for k in list(detail)[:ITEMS_KEPT]]}}


def record(conn: Connection, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None, *,
           organization_id: int | None = None, channel_id: int | None = None) -> int:
    """Append a row: who (actor) did what (action, e.g. task.opened) to what (subject, e.g. task:3).
    The organization whose data it is (given, or the owner of channel_id) decides who may read it;
    an oversized detail is kept shortened (bounded)."""
    if organization_id is None and channel_id is not None:
        organization_id = conn.execute(select(CHANNELS.c.owner_id).where(CHANNELS.c.id == channel_id)).scalar()
    return int(conn.execute(insert(AUDIT_LOG).values(at=now(), actor=actor, action=action, subject=subject,
                                                     detail=bounded(detail or {}), organization_id=organization_id)
                            .returning(AUDIT_LOG.c.id)).scalar_one())


def entries(conn: Connection, subject: str | None = None) -> list[dict[str, Any]]:
    """The log in order (of one subject when given)."""
    query = select(AUDIT_LOG).order_by(AUDIT_LOG.c.id)
    if subject is not None:
        query = query.where(AUDIT_LOG.c.subject == subject)
    return [dict(r._mapping) for r in conn.execute(query)]
