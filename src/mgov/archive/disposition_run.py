"""Carrying out an approved disposition: its records, file by file, after checking each
again (a legal hold placed since the report keeps what it covers; a record no longer in the
index is not looked for), then the disposition marked done. Run again after a crash, it
takes up where it stopped (mgov.archive.disposition_files.take_up)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from mgov import clock
from mgov.archive.disposition import SEALED, _originals_that_wait
from mgov.archive.disposition_files import dispose_file, take_up
from mgov.archive.retention_assign import channel_contexts
from mgov.archive.retention_holds import active
from mgov.db import audit
from mgov.db.tables import ARCHIVE_DISPOSITION_ITEMS, ARCHIVE_DISPOSITIONS, ARCHIVE_FILES, ARCHIVE_RECORDS, AUDIT_LOG
from mgov.errors import InvalidValue, NotFound

ITEMS = ARCHIVE_DISPOSITION_ITEMS


def execute(engine: Engine, directory: Path, disposition_id: int) -> dict[str, Any]:
    """Destroy what the approved disposition lists and may still go; what was done."""
    take_up(engine, directory)
    with engine.begin() as conn:
        row = conn.execute(select(ARCHIVE_DISPOSITIONS).where(ARCHIVE_DISPOSITIONS.c.id == disposition_id)).first()
        if row is None:
            raise NotFound(f"no disposition {disposition_id}")
        approval = dict(row._mapping)
        if approval["status"] == "done":
            return {"files": [], "held": 0, "destroyed": 0, "bytes": 0, "already": True}
        if approval["status"] != "approved":
            raise InvalidValue(f"disposition {disposition_id} is {approval['status']}: nothing is destroyed "
                               "without a records officer's approval")
        approval["audit_id"] = conn.execute(select(AUDIT_LOG.c.id).where(
            AUDIT_LOG.c.action == "disposition.approved", AUDIT_LOG.c.subject == f"disposition:{disposition_id}")
            .order_by(AUDIT_LOG.c.id.desc()).limit(1)).scalar()
        due = [dict(r._mapping) for r in conn.execute(select(ITEMS).where(
            ITEMS.c.disposition_id == disposition_id, ITEMS.c.state == "due"))]
        held = _hold_back(conn, disposition_id, due)
    by_file: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for item in due:
        if item["id"] not in held:
            by_file[item["file_id"]][int(item["offset"])] = item
    done = []
    for file_id, destroy in sorted(by_file.items()):
        with engine.connect() as conn:
            found = conn.execute(select(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == file_id)).first()
        if found is None or found.state not in SEALED:
            continue  # not sealed (its items stay due) or already gone
        done.append(dispose_file(engine, directory, approval, dict(found._mapping), destroy))
    with engine.begin() as conn:
        left = conn.execute(select(ITEMS.c.id).where(ITEMS.c.disposition_id == disposition_id,
                                                     ITEMS.c.state == "due").limit(1)).first()
        summary = {"files": len(done), "destroyed": sum(d["destroyed"] for d in done),
                   "bytes": sum(d["bytes"] for d in done), "held": len(held),
                   "replaced": [d for d in done if d["replaced_by"]]}
        if left is None:
            conn.execute(update(ARCHIVE_DISPOSITIONS).where(ARCHIVE_DISPOSITIONS.c.id == disposition_id)
                         .values(status="done", done_at=clock.now()))
            audit.record(conn, "disposition.done", f"disposition:{disposition_id}", summary,
                         actor=approval["approved_by"], organization_id=approval["org_id"],
                         parent_id=approval["audit_id"])
    return {**summary, "files": done}


def _hold_back(conn: Any, disposition_id: int, due: list[dict[str, Any]]) -> set[int]:
    """Items that must stay after all: covered by a hold in force, gone from the index, or
    originals of revisits that stay. Marked so (held, kept); their ids."""
    holds = active(conn)
    lineages = {c.id: c.lineage_ids for c in channel_contexts(conn, list({i["channel_id"] for i in due
                                                                         if i["channel_id"] is not None}))}
    present = {}
    ids = [i["record_id"] for i in due]
    for start in range(0, len(ids), 1000):
        for r in conn.execute(select(ARCHIVE_RECORDS.c.id, ARCHIVE_RECORDS.c.record_type, ARCHIVE_RECORDS.c.record_id,
                                     ARCHIVE_RECORDS.c.file_id, ARCHIVE_RECORDS.c.offset)
                              .where(ARCHIVE_RECORDS.c.id.in_(ids[start:start + 1000]),
                                     ARCHIVE_RECORDS.c.state == "ok")):
            present[r.id] = dict(r._mapping)
    held, kept = set(), set()
    for item in due:
        row = present.get(item["record_id"])
        if row is None or (row["file_id"], row["offset"]) != (item["file_id"], item["offset"]):
            kept.add(item["id"])
            continue
        captured = item["captured_at"]
        if captured is not None and captured.tzinfo is None:
            captured = captured.replace(tzinfo=dt.UTC)
        if any(h.covers(item["channel_id"], lineages.get(item["channel_id"], ()), captured) for h in holds):
            held.add(item["id"])
    leaving = [{**present[i["record_id"]], "id": i["record_id"]} for i in due
               if i["id"] not in held | kept]
    waiting = _originals_that_wait(conn, leaving)
    kept |= {i["id"] for i in due if i["record_id"] in waiting}
    for state, chosen in (("held", held), ("kept", kept)):
        if chosen:
            conn.execute(update(ITEMS).where(ITEMS.c.id.in_(list(chosen))).values(state=state))
    return held | kept
