"""Transfer of a selection of the archive (a channel, an organization's subtree, a period) to
a receiving archive, as a BagIt bag (PyPI `bagit`) and a WACZ (PyPI `wacz`, py-wacz's own
creator; its pins do not clash with mgov's), with the descriptive metadata the receiver
needs: title, creator organization, dates, rights, the schedule items and their authority
(bag-info.txt, and datapackage.json of the WACZ).

The selected records are copied byte for byte (mgov's records are each a gzip member; a
record of an uncompressed imported file is compressed as a member of its own) into new WARC
files made for the transfer, after a warcinfo record that describes the transfer: the
archive's files hold other channels' and organizations' records, which a transfer must not
carry. A selected revisit brings the record it refers to, so the package replays whole.
Both packages are checked with their tools' validators before they are reported done
(mgov.archive.transfer_package)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from warcio.warcwriter import WARCWriter

from mgov import __version__
from mgov.archive.retention import Schedules
from mgov.archive.retention_assign import assign, channel_contexts
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, CHANNELS, ORGS
from mgov.errors import InvalidValue, NotFound

ROTATE = 1 << 30  # bytes per transfer WARC file
DEFAULT_RIGHTS = ("Not stated by mgov: the creating organization holds the rights in its web content; "
                  "ask it before reuse beyond preservation and access.")


@dataclass(frozen=True)
class Selection:
    """What a transfer takes: captures of a channel, or of an organization's subtree (or
    everything), captured within the dates given (inclusive, UTC days)."""

    channel: str | None = None
    organization: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class Selected:
    """The records selected, and what the metadata says of them."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)  # code, name_zh, name_en
    channels: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)  # schedule items: key, title, authority, disposition
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    originals: int = 0  # records brought along as the originals of selected revisits


def _subtree(conn: Connection, org_id: int) -> set[int]:
    ids = {org_id}
    while more := set(conn.execute(select(ORGS.c.id).where(ORGS.c.parent_id.in_(ids))).scalars()) - ids:
        ids |= more
    return ids


def select_records(conn: Connection, schedules: Schedules, sel: Selection) -> Selected:
    if sel.since and sel.until and sel.until < sel.since:
        raise InvalidValue(f"the period ends ({sel.until}) before it starts ({sel.since})")
    r = ARCHIVE_RECORDS
    query = (select(r, ARCHIVE_FILES.c.name.label("filename"), CHANNELS.c.address.label("channel"))
             .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id)
             .outerjoin(CHANNELS, CHANNELS.c.id == r.c.channel_id)
             .where(r.c.state == "ok", r.c.record_type != "warcinfo"))
    if sel.channel:
        cid = conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address == sel.channel)).scalar()
        if cid is None:
            raise NotFound(f"no channel {sel.channel!r}")
        query = query.where(r.c.channel_id == cid)
    if sel.organization:
        org = conn.execute(select(ORGS.c.id).where(ORGS.c.code == sel.organization)).scalar()
        if org is None:
            raise NotFound(f"no organization with code {sel.organization!r}")
        query = query.where(r.c.org_id.in_(_subtree(conn, org)))
    if sel.since:
        query = query.where(r.c.captured_at >= dt.datetime.combine(sel.since, dt.time(), tzinfo=dt.UTC))
    if sel.until:
        query = query.where(r.c.captured_at < dt.datetime.combine(sel.until + dt.timedelta(days=1), dt.time(),
                                                                  tzinfo=dt.UTC))
    out = Selected(rows=[dict(row._mapping) for row in conn.execute(query.order_by(ARCHIVE_FILES.c.name, r.c.offset))])
    if not out.rows:
        raise InvalidValue("nothing in the archive matches the selection")
    _bring_originals(conn, out)
    stamps = [row["captured_at"] for row in out.rows if row["captured_at"] is not None]
    out.first, out.last = (min(stamps), max(stamps)) if stamps else (None, None)
    org_ids = {row["org_id"] for row in out.rows if row["org_id"] is not None}
    out.organizations = [dict(o._mapping) for o in conn.execute(
        select(ORGS.c.code, ORGS.c.name_zh, ORGS.c.name_en).where(ORGS.c.id.in_(org_ids)).order_by(ORGS.c.code))]
    channel_ids = sorted({row["channel_id"] for row in out.rows if row["channel_id"] is not None})
    out.channels = sorted({row["channel"] for row in out.rows if row["channel"]})
    seen: dict[str, dict[str, Any]] = {}
    for ch in channel_contexts(conn, channel_ids):
        assigned = assign(schedules, ch)
        if assigned is not None:
            item = assigned.item
            seen[item.key] = {"item": item.key, "title_en": item.title_en, "title_zh": item.title_zh,
                              "authority": item.authority, "disposition": item.disposition,
                              "retain": str(item.retain) if item.retain else "permanent"}
    out.items = [seen[k] for k in sorted(seen)]
    return out


def _bring_originals(conn: Connection, out: Selected) -> None:
    have = {row["record_id"] for row in out.rows if row["record_id"]}
    wanted = {(row["extra"] or {}).get("refersTo") for row in out.rows if row["record_type"] == "revisit"} - have
    wanted.discard(None)
    if not wanted:
        return
    r = ARCHIVE_RECORDS
    extra = [dict(row._mapping) for row in conn.execute(
        select(r, ARCHIVE_FILES.c.name.label("filename"), CHANNELS.c.address.label("channel"))
        .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id).outerjoin(CHANNELS, CHANNELS.c.id == r.c.channel_id)
        .where(r.c.record_id.in_(list(wanted)), r.c.state == "ok"))]
    out.originals = len(extra)
    out.rows = sorted(out.rows + extra, key=lambda row: (row["filename"], row["offset"]))


def _member(archive: Path, row: dict[str, Any]) -> bytes:
    with (archive / row["filename"]).open("rb") as fh:
        fh.seek(int(row["offset"]))
        data = fh.read(int(row["length"]))
    if len(data) != int(row["length"]):
        raise OSError(f"{row['filename']} @ {row['offset']}: the file ends inside the record")
    return data if row["filename"].endswith(".gz") else gzip.compress(data, 6)


def warcinfo(name: str, description: str) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(name, {
        "software": f"mgov/{__version__} (warcio)", "format": "WARC File Format 1.1",
        "hostname": socket.gethostname(), "description": description}))
    return buffer.getvalue()


def write_warcs(archive: Path, selected: Selected, folder: Path, stem: str, description: str) -> list[Path]:
    """The selected records in new WARC files `<stem>-NNNNN.warc.gz` in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    out = None
    size = 0
    try:
        for data in _members(archive, selected):
            if out is None or size >= ROTATE:
                if out is not None:
                    out.close()
                path = folder / f"{stem}-{len(files) + 1:05d}.warc.gz"
                files.append(path)
                out = path.open("wb")
                head = warcinfo(path.name, description)
                out.write(head)
                size = len(head)
            out.write(data)
            size += len(data)
    finally:
        if out is not None:
            out.close()
    return files


def _members(archive: Path, selected: Selected) -> Iterator[bytes]:
    for row in selected.rows:
        yield _member(archive, row)
