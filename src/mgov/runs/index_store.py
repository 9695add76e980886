"""The archive index in the database: the sidecar lines of WARC files folded into
`archive_files` and `archive_records`.

A run folds what its writer wrote since its last commit in the transaction of the channels
it commits (runs.commit), so a committed finding's records are in the index with it; the
archive's commands fold whatever a crashed or foreign writer left (mgov.archive.catalog).
Each file's row keeps how many bytes of its sidecar are folded in (`indexed_bytes`), and is
advanced only from the value read (compare and set), so a line is folded once whoever folds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from mgov.collect.warc_index import IndexEntry
from mgov.collect.warc_revisit import CACHE_SIZE, MAX_AGE, Original
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, CHANNELS, SCAN_RUNS
from mgov.evidence.exchange import WarcRef
from mgov.registry import vocab

LOOKUP = 400  # characters of the urlkey in the indexed column
EXTRA = ("refersTo", "refersToUri", "refersToDate", "truncated", "date")


class HostMatcher:
    """Registered open channels by host (the www twin too), to attach records captured by
    other tools, or by mgov outside a run, to the channel whose site they are of."""

    def __init__(self, conn: Connection) -> None:
        self.by_host: dict[str, tuple[int, int | None]] = {}
        rows = conn.execute(select(CHANNELS.c.id, CHANNELS.c.address, CHANNELS.c.owner_id)
                            .where(CHANNELS.c.status.in_(vocab.OPEN_STATUSES)).order_by(CHANNELS.c.id))
        for cid, address, owner in rows:
            host = _host(address if "//" in address else f"http://{address}")
            if host:
                self.by_host.setdefault(host, (cid, owner))

    def match(self, url: str | None) -> tuple[int, int | None] | None:
        host = _host(url) if url and url.lower().startswith(("http:", "https:")) else None
        return self.by_host.get(host) if host else None


def _host(url: str) -> str | None:
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def file_row(conn: Connection, name: str, *, origin: str = "mgov", source: str | None = None) -> dict[str, Any]:
    row = conn.execute(select(ARCHIVE_FILES).where(ARCHIVE_FILES.c.name == name)).first()
    if row is not None:
        return dict(row._mapping)
    fid = conn.execute(insert(ARCHIVE_FILES).values(name=name, origin=origin, source=source, state="open",
                                                    indexed_bytes=0).returning(ARCHIVE_FILES.c.id)).scalar_one()
    return {"id": fid, "name": name, "origin": origin, "indexed_bytes": 0, "state": "open"}


def save_entries(conn: Connection, entries: Iterable[tuple[IndexEntry, int]], *, origin: str = "mgov",
                 source: str | None = None, file_size: dict[str, int] | None = None,
                 matcher: HostMatcher | None = None) -> int:
    """Fold sidecar entries (each with its sidecar's size after its line) into the index, in
    the caller's transaction; lines already folded are skipped. An entry pointing past its
    file's size (file_size, when known) is stored as lost. The rows added."""
    by_file: dict[str, list[tuple[IndexEntry, int]]] = defaultdict(list)
    for entry, end in entries:
        by_file[entry.filename].append((entry, end))
    added = 0
    owners: dict[int, int | None] = {}
    runs: set[int] = set()
    for name, items in by_file.items():
        row = file_row(conn, name, origin=origin, source=source)
        start = int(row["indexed_bytes"])
        fresh = [(e, end) for e, end in items if end > start]
        if not fresh:
            continue
        moved = conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == row["id"],
                                                         ARCHIVE_FILES.c.indexed_bytes == start)
                             .values(indexed_bytes=max(end for _, end in fresh)))
        if moved.rowcount != 1:
            continue  # folded meanwhile by someone else
        wanted = {int(e.fields["channel"]) for e, _ in fresh if "channel" in e.fields} - owners.keys()
        if wanted:
            owners.update(dict(conn.execute(  # rows of (id, owner_id)
                select(CHANNELS.c.id, CHANNELS.c.owner_id).where(CHANNELS.c.id.in_(wanted))).all()))
        asked = {int(e.fields["run"]) for e, _ in fresh if "run" in e.fields} - runs
        if asked:  # a sidecar may name runs of another database: those are left out
            runs.update(conn.execute(select(SCAN_RUNS.c.id).where(SCAN_RUNS.c.id.in_(asked))).scalars())
        size = (file_size or {}).get(name)
        rows = []
        for entry, _ in fresh:
            record = _row(entry, row["id"], size)
            if record["run_id"] not in runs:
                record["run_id"] = None
            channel = entry.fields.get("channel")
            if channel is not None and int(channel) in owners:
                record["channel_id"], record["org_id"] = int(channel), owners[int(channel)]
            elif channel is None and matcher is not None:
                found = matcher.match(entry.fields.get("url"))
                if found:
                    record["channel_id"], record["org_id"] = found
            rows.append(record)
        conn.execute(insert(ARCHIVE_RECORDS), rows)
        added += len(rows)
    return added


def _row(entry: IndexEntry, file_id: int, size: int | None) -> dict[str, Any]:
    f = entry.fields
    lost = size is not None and entry.offset + entry.length > size
    return {"file_id": file_id, "offset": entry.offset, "length": entry.length,
            "record_type": entry.record_type or "unknown", "lookup_key": entry.urlkey[:LOOKUP],
            "urlkey": entry.urlkey, "timestamp": entry.timestamp, "captured_at": _when(f.get("date"), entry.timestamp),
            "url": f.get("url"), "mime": f.get("mime"), "status": f.get("status"), "digest": f.get("digest"),
            "record_digest": f.get("recordDigest"), "content_digest": f.get("contentDigest"),
            "record_id": f.get("recordId"), "pywb_default": entry.pywb_default, "state": "lost" if lost else "ok",
            "run_id": int(f["run"]) if f.get("run") is not None else None, "channel_id": None, "org_id": None,
            "text_id": None, "extra": {k: f[k] for k in EXTRA if k in f}}


def _when(date: str | None, stamp: str) -> dt.datetime | None:
    if date:
        try:
            return dt.datetime.fromisoformat(date.replace("Z", "+00:00")).astimezone(dt.UTC)
        except ValueError:
            pass
    try:
        return dt.datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def originals(conn: Connection, channel_ids: list[int], *, within: dt.timedelta = MAX_AGE,
              limit: int = CACHE_SIZE) -> list[tuple[str, str, Original]]:
    """The newest responses captured for these channels within `within` (at most `limit`),
    oldest first: what a run's writer may write revisits of (collect.warc_revisit)."""
    if not channel_ids:
        return []
    r = ARCHIVE_RECORDS
    since = dt.datetime.now(dt.UTC) - within
    rows = conn.execute(
        select(r.c.url, r.c.digest, r.c.record_id, r.c.offset, r.c.length, r.c.extra, ARCHIVE_FILES.c.name)
        .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id)
        .where(r.c.channel_id.in_(channel_ids), r.c.record_type == "response", r.c.state == "ok",
               r.c.captured_at >= since, r.c.digest.is_not(None), r.c.record_id.is_not(None))
        .order_by(r.c.captured_at.desc()).limit(limit)).all()
    out = []
    for url, digest, record_id, offset, length, extra, name in reversed(rows):
        extra = extra or {}
        if url and extra.get("date") and "truncated" not in extra:
            out.append((url, digest, Original(record_id, extra["date"], WarcRef(name, int(offset), int(length)))))
    return out
