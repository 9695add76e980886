"""Dispositions: what is due, reported by schedule item; approved by a records officer; then
carried out by mgov.archive.disposition_files. Nothing is destroyed without an approved
disposition, and only the records it lists.

A record is due on a day when its channel's schedule item (mgov.archive.retention_assign)
is temporary and its capture is older than the item's period (from the item's cutoff). It
is not reported when a legal hold covers it, when its file is not sealed yet, or when it is
the original of a revisit that stays (the revisit would lose its payload: the original
waits for it, at most the writer's revisit age, collect.warc_revisit.MAX_AGE). A record of
a channel no rule covers, or of no channel, is never due."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from mgov import clock
from mgov.accounts.scope import Scope
from mgov.accounts.users import User
from mgov.actors import current
from mgov.archive.retention import Schedules
from mgov.archive.retention_assign import ChannelContext, assign, channel_contexts
from mgov.archive.retention_holds import Hold, active
from mgov.db import audit
from mgov.db.tables import (
    ARCHIVE_DISPOSITION_ITEMS,
    ARCHIVE_DISPOSITIONS,
    ARCHIVE_FILES,
    ARCHIVE_RECORDS,
    ORGS,
)
from mgov.errors import Forbidden, InvalidValue, NotFound

PERMISSION = "records.dispose"
SEALED = ("sealed", "recovered")
BATCH = 5000


@dataclass
class ItemCount:
    """What a report counts for one schedule item."""

    item: str
    title_en: str
    title_zh: str
    authority: str
    captures: int = 0  # the records pywb replays (responses, revisits, resources, metadata)
    records: int = 0
    bytes: int = 0
    files: set[int] = field(default_factory=set)
    channels: set[int] = field(default_factory=set)
    held: int = 0  # records due but under a legal hold
    held_bytes: int = 0
    waiting: int = 0  # originals of revisits that stay, and records of files not sealed

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "title_en": self.title_en, "title_zh": self.title_zh, "authority": self.authority,
                "captures": self.captures, "records": self.records, "bytes": self.bytes, "files": len(self.files),
                "channels": len(self.channels), "held": self.held, "held_bytes": self.held_bytes,
                "waiting": self.waiting}


@dataclass
class Report:
    as_of: dt.date
    items: dict[str, ItemCount]
    unscheduled_channels: int
    permanent_channels: int
    disposition_id: int | None = None

    def summary(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "items": [c.as_dict() for c in self.items.values()],
                "unscheduled_channels": self.unscheduled_channels, "permanent_channels": self.permanent_channels}


def _subtree(conn: Connection, org_id: int) -> set[int]:
    ids = {org_id}
    while True:
        more = set(conn.execute(select(ORGS.c.id).where(ORGS.c.parent_id.in_(ids))).scalars()) - ids
        if not more:
            return ids
        ids |= more


def _held(holds: list[Hold], ch: ChannelContext, captured: dt.datetime | None) -> bool:
    return any(h.covers(ch.id, ch.lineage_ids, captured) for h in holds)


def report(conn: Connection, schedules: Schedules, as_of: dt.date, *, organization: str | None = None) -> Report:
    """What is due on as_of (in an organization's subtree, or everywhere), by schedule item;
    stored as a disposition to approve when anything is due (its id in the report)."""
    org_id = None
    contexts = channel_contexts(conn)
    if organization is not None:
        org_id = conn.execute(select(ORGS.c.id).where(ORGS.c.code == organization)).scalar()
        if org_id is None:
            raise NotFound(f"no organization with code {organization!r}")
        contexts = [c for c in contexts if c.org_id in _subtree(conn, org_id)]
    holds = active(conn)
    by_item: dict[str, list[ChannelContext]] = defaultdict(list)
    out = Report(as_of, {}, 0, 0)
    for ch in contexts:
        assigned = assign(schedules, ch)
        if assigned is None:
            out.unscheduled_channels += 1
        elif assigned.item.retain is None:
            out.permanent_channels += 1
        else:
            by_item[assigned.item.key].append(ch)
    due: list[dict[str, Any]] = []
    for key, channels in sorted(by_item.items()):
        item = schedules.items[key]
        threshold = item.due_before(as_of)
        count = out.items[key] = ItemCount(key, item.title_en, item.title_zh, item.authority)
        if threshold is None:
            continue
        for ch, row in _records(conn, channels, threshold):
            if _held(holds, ch, row["captured_at"]):
                count.held += 1
                count.held_bytes += int(row["length"])
            elif row["file_state"] not in SEALED:
                count.waiting += 1
            else:
                due.append({**row, "schedule_item": key})
    waiting = _originals_that_wait(conn, due)
    for row in due:
        count = out.items[row["schedule_item"]]
        if row["id"] in waiting:
            count.waiting += 1
            continue
        count.records += 1
        count.captures += int(bool(row["pywb_default"]))
        count.bytes += int(row["length"])
        count.files.add(row["file_id"])
        count.channels.add(row["channel_id"])
    kept = [row for row in due if row["id"] not in waiting]
    if kept:
        out.disposition_id = _store(conn, out, kept, org_id)
    return out


def _records(conn: Connection, channels: list[ChannelContext], threshold: dt.datetime) -> Any:
    r = ARCHIVE_RECORDS
    by_id = {c.id: c for c in channels}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        query = (select(r.c.id, r.c.file_id, r.c.offset, r.c.length, r.c.channel_id, r.c.org_id, r.c.captured_at,
                        r.c.record_type, r.c.record_id, r.c.pywb_default, ARCHIVE_FILES.c.state.label("file_state"))
                 .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id)
                 .where(r.c.channel_id.in_(ids[start:start + 500]), r.c.state == "ok", r.c.captured_at < threshold,
                        r.c.record_type != "warcinfo")
                 .order_by(r.c.file_id, r.c.offset))
        for row in conn.execute(query):
            yield by_id[row.channel_id], dict(row._mapping)


def _originals_that_wait(conn: Connection, due: list[dict[str, Any]]) -> set[int]:
    """Ids of due records that revisits staying behind refer to."""
    originals = {row["record_id"]: row["id"] for row in due if row["record_type"] in ("response", "resource")
                 and row["record_id"]}
    if not originals:
        return set()
    leaving = {row["id"] for row in due}
    r = ARCHIVE_RECORDS
    waiting: set[int] = set()
    for rid, extra in conn.execute(select(r.c.id, r.c.extra).where(r.c.record_type == "revisit", r.c.state == "ok")):
        refers = (extra or {}).get("refersTo")
        if rid not in leaving and refers in originals:
            waiting.add(originals[refers])
    return waiting


def _store(conn: Connection, out: Report, rows: list[dict[str, Any]], org_id: int | None) -> int:
    disposition_id = int(conn.execute(insert(ARCHIVE_DISPOSITIONS).values(
        status="reported", as_of=dt.datetime.combine(out.as_of, dt.time(), tzinfo=dt.UTC), org_id=org_id,
        reported_by=current(conn).name, reported_at=clock.now(), summary=out.summary())
        .returning(ARCHIVE_DISPOSITIONS.c.id)).scalar_one())
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(ARCHIVE_DISPOSITION_ITEMS), [
            {"disposition_id": disposition_id, "record_id": row["id"], "file_id": row["file_id"],
             "offset": row["offset"], "length": row["length"], "schedule_item": row["schedule_item"],
             "channel_id": row["channel_id"], "org_id": row["org_id"], "captured_at": row["captured_at"],
             "state": "due"} for row in rows[start:start + BATCH]])
    audit.record(conn, "disposition.reported", f"disposition:{disposition_id}", out.summary(), organization_id=org_id)
    return disposition_id


def disposition(conn: Connection, disposition_id: int) -> dict[str, Any]:
    row = conn.execute(select(ARCHIVE_DISPOSITIONS, ORGS.c.code.label("organization"))
                       .outerjoin(ORGS, ORGS.c.id == ARCHIVE_DISPOSITIONS.c.org_id)
                       .where(ARCHIVE_DISPOSITIONS.c.id == disposition_id)).first()
    if row is None:
        raise NotFound(f"no disposition {disposition_id}")
    out = dict(row._mapping)
    i = ARCHIVE_DISPOSITION_ITEMS
    out["states"] = dict(conn.execute(select(i.c.state, func.count()).where(i.c.disposition_id == disposition_id)
                                      .group_by(i.c.state)).all())
    return out


def listing(conn: Connection) -> list[dict[str, Any]]:
    d = ARCHIVE_DISPOSITIONS
    return [dict(r._mapping) for r in conn.execute(
        select(d, ORGS.c.code.label("organization")).outerjoin(ORGS, ORGS.c.id == d.c.org_id).order_by(d.c.id.desc()))]


def approve(conn: Connection, disposition_id: int, user: User) -> int:
    """The records officer's approval (the second step): only a user whose role allows
    records.dispose, over every organization whose records it lists; the audit entry's id."""
    if not user.can(PERMISSION):
        raise Forbidden(f"your role ({user.role}) does not allow {PERMISSION}: a records officer approves dispositions")
    found = disposition(conn, disposition_id)
    if found["status"] != "reported":
        raise InvalidValue(f"disposition {disposition_id} is {found['status']}: only a reported one is approved")
    orgs = set(conn.execute(select(ARCHIVE_DISPOSITION_ITEMS.c.org_id).distinct()
                            .where(ARCHIVE_DISPOSITION_ITEMS.c.disposition_id == disposition_id)).scalars())
    scope = Scope(user.organization_id)
    outside = [o for o in orgs if not scope.has_org(conn, o)]
    if outside:
        raise Forbidden(f"disposition {disposition_id} lists records of organizations outside your scope")
    now = clock.now()
    moved = conn.execute(update(ARCHIVE_DISPOSITIONS).where(ARCHIVE_DISPOSITIONS.c.id == disposition_id,
                                                            ARCHIVE_DISPOSITIONS.c.status == "reported")
                         .values(status="approved", approved_by=user.username, approved_at=now))
    if moved.rowcount != 1:
        raise InvalidValue(f"disposition {disposition_id} was approved or cancelled meanwhile")
    return audit.record(conn, "disposition.approved", f"disposition:{disposition_id}",
                        {"summary": found["summary"], "reported_by": found["reported_by"]},
                        organization_id=found["org_id"])


def cancel(conn: Connection, disposition_id: int, reason: str) -> None:
    found = disposition(conn, disposition_id)
    if found["status"] != "reported":
        raise InvalidValue(f"disposition {disposition_id} is {found['status']}: only a reported one is cancelled")
    conn.execute(update(ARCHIVE_DISPOSITIONS).where(ARCHIVE_DISPOSITIONS.c.id == disposition_id)
                 .values(status="cancelled", note=reason))
    audit.record(conn, "disposition.cancelled", f"disposition:{disposition_id}", {"reason": reason},
                 organization_id=found["org_id"])
