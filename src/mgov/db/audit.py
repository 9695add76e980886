"""The one audit log every change goes through: who (an actor and the face they used), when
(UTC), what (action, subject, and the change field by field). Rows are only ever appended.

It sits on the database floor so the writers that make the changes (the registry's writer,
accounts, the act services) record them where they happen; the faces only say who acts
(mgov.actors): without a word from them, the OS user acts through the command line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from mgov import clock, zones
from mgov.actors import FACES, Actor, current
from mgov.db.tables import AUDIT_LOG, CHANNELS
from mgov.errors import InvalidValue

# The kinds of object entries are about (a subject is kind:key).
KINDS = ("organization", "person", "channel", "task", "dispute", "user", "notification_target", "file", "discovered",
         "inspection", "hold", "disposition")

# What an entry keeps of a change: the log says who changed what, it is not a copy of every
# body a client sent (a 10 MB change must not make a 10 MB row).
MAX_DETAIL = 16_000  # characters of the detail as JSON
TEXT_KEPT = 500  # characters kept of a longer text
ITEMS_KEPT = 20  # items kept of a longer list or mapping


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


_SIMPLE = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (dates as ISO text)."""
    if type(value) in _SIMPLE:  # the common case first: an import makes a million of these calls
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def diff(before: dict[str, Any] | None, after: dict[str, Any], fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The change as an entry keeps it: {field: [before, after]} for each field that differs
    (every given field of a new object, before None)."""
    before = before or {}
    out = {}
    for key in fields if fields is not None else after:
        old, new = before.get(key), after.get(key)
        if type(old) not in _SIMPLE:  # inline: an import diffs every field of every record
            old = _plain(old)
        if type(new) not in _SIMPLE:
            new = _plain(new)
        if old != new:
            out[key] = [old, new]
    return out


def _row(actor: Actor, action: str, subject: str, detail: dict[str, Any], organization_id: int | None,
         parent_id: int | None, at: dt.datetime) -> dict[str, Any]:
    return {"at": at, "actor": actor.name[:200], "face": actor.face, "action": action, "subject": subject[:200],
            "detail": bounded(detail), "organization_id": organization_id, "parent_id": parent_id}


def record(conn: Connection, action: str, subject: str, detail: dict[str, Any] | None = None, *,
           actor: Actor | str | None = None, organization_id: int | None = None, channel_id: int | None = None,
           parent_id: int | None = None) -> int:
    """Append one entry: actor (default: who acts, `current`) did action (e.g. channel.updated)
    to subject (kind:key, e.g. channel:12). The organization whose data it is (given, or the
    owner of channel_id) decides who may read it; parent_id links it to the entry it is part
    of (an import's records to the import)."""
    if isinstance(actor, str):  # a name given by a service's caller: the face is still the context's
        actor = Actor(actor, current(conn).face)
    if organization_id is None and channel_id is not None:
        organization_id = conn.execute(select(CHANNELS.c.owner_id).where(CHANNELS.c.id == channel_id)).scalar()
    row = _row(actor or current(conn), action, subject, _plain(detail or {}), organization_id, parent_id, clock.now())
    return int(conn.execute(insert(AUDIT_LOG).values(**row).returning(AUDIT_LOG.c.id)).scalar_one())


@dataclass
class Entry:
    """One entry of a batch (record_many): a registry writer's change of one record; its detail
    as JSON keeps it (changes made by `diff`, dates as ISO text)."""

    action: str
    subject: str
    detail: dict[str, Any]
    organization_id: int | None = None


def record_many(conn: Connection, entries: list[Entry], *, parent_id: int | None = None) -> int:
    """Append many entries in one statement (an import's per-record history); their count."""
    if not entries:
        return 0
    actor, at = current(conn), clock.now()
    conn.execute(insert(AUDIT_LOG), [_row(actor, e.action, e.subject, e.detail, e.organization_id, parent_id, at)
                                     for e in entries])
    return len(entries)


def amend(conn: Connection, entry_id: int, detail: dict[str, Any]) -> None:
    """Complete an entry opened before its outcome was known (an import's counts), in the
    transaction that made it: to anyone outside, the entry is appended whole."""
    conn.execute(update(AUDIT_LOG).where(AUDIT_LOG.c.id == entry_id).values(detail=bounded(_plain(detail))))


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list (every field optional; all given ones must hold): an exact subject
    (kind:key) or subjects, an object kind, an actor, an action (task.opened) or its kind
    (task.), a face, a day range in a time zone (since and until inclusive), the entries of
    one import (parent)."""

    subject: str | None = None
    subjects: tuple[str, ...] = ()
    kind: str | None = None
    actor: str | None = None
    action: str | None = None
    face: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    zone: str = zones.UTC
    parent: int | None = None

    def checked(self) -> AuditFilter:
        """Itself, or InvalidValue naming the valid choices of a filter given a wrong value."""
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidValue(f"unknown object kind {self.kind!r}: one of {', '.join(KINDS)}")
        if self.face is not None and self.face not in FACES:
            raise InvalidValue(f"unknown face {self.face!r}: one of {', '.join(FACES)}")
        if self.since and self.until and self.until < self.since:
            raise InvalidValue(f"the range ends ({self.until}) before it starts ({self.since})")
        return self


def _start_of(day: dt.date, zone: str) -> dt.datetime:
    """The UTC instant a day begins in zone (the reader's days, not UTC's)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zones.get(zone)).astimezone(dt.UTC)


def query(f: AuditFilter) -> Select[Any]:
    """The entries f selects, newest first (a face adds its scope and its page)."""
    f = f.checked()
    c = AUDIT_LOG.c
    q = select(AUDIT_LOG).order_by(c.id.desc())
    if f.subject:
        q = q.where(c.subject == f.subject)
    if f.subjects:
        q = q.where(c.subject.in_(f.subjects))
    if f.kind:
        q = q.where(c.subject.startswith(f"{f.kind}:", autoescape=True))
    if f.actor:
        q = q.where(c.actor == f.actor)
    if f.action:
        q = q.where(c.action.startswith(f.action, autoescape=True) if f.action.endswith(".")
                    else c.action == f.action)
    if f.face:
        q = q.where(c.face == f.face)
    if f.since:
        q = q.where(c.at >= _start_of(f.since, f.zone))
    if f.until:
        q = q.where(c.at < _start_of(f.until + dt.timedelta(days=1), f.zone))
    if f.parent is not None:
        q = q.where(c.parent_id == f.parent)
    return q


def list_entries(conn: Connection, f: AuditFilter, *, after: int | None = None,
                 limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the whole log (the command line's): the entries, and the id to continue after."""
    q = query(f).limit(limit + 1)
    if after:
        q = q.where(AUDIT_LOG.c.id < after)
    rows = [dict(r._mapping) for r in conn.execute(q)]
    return rows[:limit], (rows[limit - 1]["id"] if len(rows) > limit else None)
