"""The archive's index in the database: folding in what the files and their sidecars say
(runs fold their own as they commit; this catches up on the rest), and reading it back."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from mgov.collect.warc_files import QUARANTINE, read_manifest, recovery_log, try_lock
from mgov.collect.warc_index import read_sidecar, sidecar_of
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, CHANNELS, ORGS
from mgov.runs.index_store import LOOKUP, HostMatcher, file_row, save_entries

IMPORTED = "imported"


@dataclass
class Folded:
    files: int = 0
    records: int = 0
    lost: int = 0
    live: list[str] = field(default_factory=list)  # files a live writer holds (its run folds them)


def warc_files(directory: Path) -> list[str]:
    """Every WARC file of the archive, relative to it: mgov's at the top, imports below."""
    names = [p.name for p in directory.glob("*.warc.gz")]
    imported = directory / IMPORTED
    if imported.is_dir():
        names += [p.relative_to(directory).as_posix() for p in imported.rglob("*")
                  if p.is_file() and p.name.endswith((".warc", ".warc.gz"))]
    return sorted(names)


def live(path: Path) -> bool:
    """Whether a writer holds the file (it is being written)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return not try_lock(fd)
    finally:
        os.close(fd)


def fold(conn: Connection, directory: Path) -> Folded:
    """Bring the database's index up to the files: recoveries (rows past a cut marked lost),
    sidecar lines not folded yet (records attached to channels by URL host when no run named
    their channel), and the manifest's digests."""
    out = Folded()
    for done in recovery_log(directory):
        row = file_row(conn, done.file)
        whole = done.tail == f"{QUARANTINE}/{done.file}"
        if row["state"] in ("recovered", "quarantined"):
            continue
        marked = conn.execute(update(ARCHIVE_RECORDS).where(ARCHIVE_RECORDS.c.file_id == row["id"],
                                                            ARCHIVE_RECORDS.c.offset >= done.kept,
                                                            ARCHIVE_RECORDS.c.state == "ok").values(state="lost"))
        out.lost += marked.rowcount
        conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == row["id"]).values(
            state="quarantined" if whole else "recovered",
            indexed_bytes=min(int(row["indexed_bytes"]), done.sidecar_kept),
            note=f"{done.reason or 'left open by a dead writer'}; kept {done.kept} of {done.size} bytes"
                 + (f", the rest in {done.tail}" if done.tail else "")))
    manifest = read_manifest(directory)
    matcher: HostMatcher | None = None
    for name in warc_files(directory):
        path = directory / name
        sidecar = sidecar_of(path)
        if name not in manifest and live(path):
            out.live.append(name)
            continue
        if sidecar.exists():
            row = file_row(conn, name, origin="import" if name.startswith(IMPORTED + "/") else "mgov")
            if sidecar.stat().st_size > int(row["indexed_bytes"]):
                matcher = matcher or HostMatcher(conn)
                added = save_entries(conn, read_sidecar(sidecar, int(row["indexed_bytes"])),
                                     file_size={name: path.stat().st_size}, matcher=matcher)
                out.records += added
                out.files += 1
        if name in manifest:
            conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.name == name,
                                                     ARCHIVE_FILES.c.sha256.is_(None))
                         .values(sha256=manifest[name], size=path.stat().st_size, sealed_at=_now(),
                                 state="sealed"))
    return out


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CdxQuery:
    """What `mgov archive cdx` selects; stamps are 14-digit prefixes (pywb's from and to)."""

    channel_ids: tuple[int, ...] | None = None
    urlkey: str | None = None
    match: str = "exact"  # exact, prefix, host
    since: str | None = None
    until: str | None = None
    every_record: bool = False  # else the records cdxj-indexer indexes by default


def channel_ids(conn: Connection, address: str) -> tuple[int, ...]:
    return tuple(conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address == address)).scalars())


def cdx_rows(conn: Connection, q: CdxQuery) -> Iterator[dict[str, Any]]:
    """The index rows the query selects, in CDXJ order (SURT key, timestamp)."""
    r = ARCHIVE_RECORDS
    query = (select(r, ARCHIVE_FILES.c.name.label("filename"), CHANNELS.c.address.label("channel"),
                    ORGS.c.code.label("org"))
             .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id)
             .outerjoin(CHANNELS, CHANNELS.c.id == r.c.channel_id)
             .outerjoin(ORGS, ORGS.c.id == r.c.org_id)
             .where(r.c.state == "ok"))
    if not q.every_record:
        query = query.where(r.c.pywb_default.is_(True))
    if q.channel_ids is not None:
        query = query.where(r.c.channel_id.in_(q.channel_ids))
    if q.urlkey is not None:
        key = q.urlkey[:LOOKUP]
        if q.match == "exact":
            query = query.where(r.c.lookup_key == key, r.c.urlkey == q.urlkey)
        else:
            prefix = q.urlkey if q.match == "prefix" else q.urlkey.split(")", 1)[0] + ")"
            escaped = prefix[:LOOKUP].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(r.c.lookup_key.like(escaped + "%", escape="\\"))
            if len(prefix) > LOOKUP:
                query = query.where(r.c.urlkey.startswith(prefix, autoescape=True))
    if q.since:
        query = query.where(r.c.timestamp >= q.since.ljust(14, "0"))
    if q.until:
        query = query.where(r.c.timestamp <= q.until.ljust(14, "9"))
    query = query.order_by(r.c.lookup_key, r.c.urlkey, r.c.timestamp, ARCHIVE_FILES.c.name, r.c.offset)
    for row in conn.execution_options(stream_results=True, yield_per=2000).execute(query):
        yield dict(row._mapping)


def files_to_audit(conn: Connection, sample: int) -> list[str]:
    """The sealed files checked longest ago (never checked first): a rolling audit."""
    return list(conn.execute(select(ARCHIVE_FILES.c.name)
                             .where(ARCHIVE_FILES.c.state.in_(("sealed", "recovered")))
                             .order_by(ARCHIVE_FILES.c.verified_at.is_not(None), ARCHIVE_FILES.c.verified_at,
                                       ARCHIVE_FILES.c.id).limit(sample)).scalars())


def record_audit(conn: Connection, results: dict[str, bool]) -> None:
    now = _now()
    for name, ok in results.items():
        conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.name == name).values(verified_at=now, verified_ok=ok))

