"""Carrying out an approved disposition on the files. WARC files are never rewritten:

- a file all of whose records are destroyed is deleted whole;
- a file with records that stay is replaced: the records that stay are copied, byte for byte
  (each record is its own gzip member, so its stored bytes and their SHA-256 are unchanged),
  after a new warcinfo record, into a new file `<name>~d<disposition>.warc.gz` beside it,
  sealed in the manifest with its sidecar index; then the old file is deleted.

Before the old file goes, its tombstone `tombstones/<file>.json` is written and sealed in
the manifest: the file's SHA-256, each destroyed record (place, type, URL, date, digests,
schedule item), where each kept record went, the disposition and who approved it. Readers
follow it (collect.warc_revisit.forwarded). In the database, in one transaction per file:
a tombstone row per destroyed record, the destroyed records' index rows deleted, the kept
ones pointed at their new place, the items marked, an audit entry.

A crash at any point is taken up by the next run of the same disposition: a replacement
written but not committed is removed and made again; an old file committed as disposed but
still on disk is deleted then."""

from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from warcio.warcwriter import WARCWriter

from mgov import __version__, clock
from mgov.collect.warc_files import (
    MANIFEST,
    TAGMANIFEST,
    append_manifest,
    directory_lock,
    file_sha256,
    partial_of,
    written_aside,
)
from mgov.collect.warc_index import IndexEntry, read_sidecar, sidecar_of
from mgov.collect.warc_revisit import tombstone_path
from mgov.collect.warc_scan import Member, iter_members, member_entry
from mgov.db import audit
from mgov.db.tables import (
    ARCHIVE_DISPOSITION_ITEMS,
    ARCHIVE_FILES,
    ARCHIVE_RECORDS,
    ARCHIVE_TOMBSTONES,
)
from mgov.runs.index_store import save_entries

UNFOLDED = 1 << 62  # a replacement's indexed_bytes until it is committed: never folded meanwhile
COPY_BLOCK = 8 << 20


def replacement_name(name: str, disposition_id: int) -> str:
    for ending in (".warc.gz", ".warc"):
        if name.endswith(ending):
            return f"{name[:-len(ending)]}~d{disposition_id}{ending}"
    return f"{name}~d{disposition_id}"


def _warcinfo(name: str, old: str, disposition_id: int, gzip: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(name, {
        "software": f"mgov/{__version__} (warcio)", "format": "WARC File Format 1.1",
        "hostname": socket.gethostname(),
        "description": f"the records kept from {old} after disposition {disposition_id}, copied byte for byte"}))
    return buffer.getvalue()


def drop_from_manifest(directory: Path, names: set[str]) -> None:
    """The manifest without these files (a disposed file is no longer in the archive); its
    own digest in the tag manifest follows. Written aside, then renamed."""
    with directory_lock(directory):
        manifest = directory / MANIFEST
        if not manifest.exists():
            return
        lines = manifest.read_text("utf-8").splitlines()
        kept = [line for line in lines if line.partition("  ")[2] not in names]
        if len(kept) == len(lines):
            return
        for path, text in ((manifest, "".join(f"{line}\n" for line in kept)), (directory / TAGMANIFEST, None)):
            aside = path.with_name(path.name + ".new")
            with aside.open("w", encoding="utf-8") as fh:
                fh.write(text if text is not None else f"{file_sha256(manifest)}  {MANIFEST}\n")
                fh.flush()
                os.fsync(fh.fileno())
            aside.replace(path)


def _write_replacement(directory: Path, old: str, new: str, kept: list[dict[str, Any]],
                       disposition_id: int) -> tuple[list[tuple[int, int, int]], int, IndexEntry]:
    """The kept records copied into the new file, its sidecar and seal; (old offset, new
    offset, length) of each record, the sidecar's size, and the new warcinfo's entry."""
    lines = {e.offset: e for e, _ in read_sidecar(sidecar_of(directory / old))}
    final = directory / new
    moved: list[tuple[int, int, int]] = []
    entries: list[IndexEntry] = []
    with written_aside(final, rename=False) as out, (directory / old).open("rb") as src:
        head = _warcinfo(Path(new).name, old, disposition_id, new.endswith(".gz"))
        out.write(head)
        info = _head_entry(new, head)
        position = len(head)
        for row in kept:
            src.seek(int(row["offset"]))
            data = src.read(int(row["length"]))
            if len(data) != int(row["length"]):
                raise OSError(f"{old} @ {row['offset']}: the file ends inside the record")
            out.write(data)
            moved.append((int(row["offset"]), position, len(data)))
            line = lines.get(int(row["offset"]))
            if line is not None:
                entries.append(IndexEntry(line.urlkey, line.timestamp,
                                          {**line.fields, "filename": new, "offset": str(position)}))
            position += len(data)
    sidecar = sidecar_of(final)
    text = "".join(e.line() for e in [info, *entries]).encode("utf-8")
    with written_aside(sidecar, rename=False) as out:
        out.write(text)
    with directory_lock(directory):
        partial_of(final).replace(final)
        partial_of(sidecar).replace(sidecar)
        append_manifest(directory, new, file_sha256(final), locked=True)
    return moved, len(text), info


def _head_entry(name: str, head: bytes) -> IndexEntry:
    """The index entry of a replacement's warcinfo record."""
    if not name.endswith(".gz"):
        return IndexEntry("-", "0" * 14, {"length": str(len(head)), "offset": "0", "filename": name,
                                          "recordType": "warcinfo"})
    member = next(iter_members(io.BytesIO(head)))
    if not isinstance(member, Member):
        raise OSError(f"{name}: the warcinfo record just made does not read back: {member.reason}")
    return member_entry(name, member)


def _write_tombstone(directory: Path, file: dict[str, Any], destroyed: list[dict[str, Any]],
                     moved: list[tuple[int, int, int]], new: str | None, approval: dict[str, Any]) -> None:
    path = tombstone_path(directory, file["name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"file": file["name"], "sha256": file["sha256"], "size": file["size"], "disposition": approval["id"],
            "approved_by": approval["approved_by"], "approved_at": str(approval["approved_at"]),
            "destroyed_at": clock.now().isoformat(), "replaced_by": new, "moved": moved,
            "destroyed": [{k: row.get(k) for k in ("offset", "length", "record_type", "url", "timestamp",
                                                    "record_id", "digest", "record_digest", "content_digest",
                                                    "schedule_item")} for row in destroyed]}
    with written_aside(path, rename=False) as out:
        out.write(json.dumps(data, ensure_ascii=False, default=str, indent=1).encode("utf-8"))
    relative = path.relative_to(directory).as_posix()
    with directory_lock(directory):
        partial_of(path).replace(path)
        append_manifest(directory, relative, file_sha256(path), locked=True)


def take_up(engine: Engine, directory: Path) -> None:
    """Finish what a crash interrupted: files committed as disposed but still there are
    deleted; replacements written but never committed are removed (made again later)."""
    with engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(ARCHIVE_FILES).where(
            (ARCHIVE_FILES.c.state == "disposed") | (ARCHIVE_FILES.c.indexed_bytes == UNFOLDED)))]
        for row in rows:
            path = directory / row["name"]
            if row["state"] == "disposed":
                _remove(directory, row["name"])
                continue
            for stale in (path, sidecar_of(path), partial_of(path)):
                stale.unlink(missing_ok=True)
            drop_from_manifest(directory, {row["name"]})
            conn.execute(delete(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == row["id"]))


def _remove(directory: Path, name: str) -> None:
    path = directory / name
    for gone in (path, sidecar_of(path)):
        gone.unlink(missing_ok=True)
    drop_from_manifest(directory, {name})


def dispose_file(engine: Engine, directory: Path, approval: dict[str, Any], file: dict[str, Any],
                 destroy: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Destroy the given records (by offset: their items) of one sealed file, keep the rest."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(ARCHIVE_RECORDS).where(ARCHIVE_RECORDS.c.file_id == file["id"]).order_by(ARCHIVE_RECORDS.c.offset))]
    doomed = [r for r in rows if r["offset"] in destroy]
    kept = [r for r in rows if r["offset"] not in destroy and r["record_type"] != "warcinfo"]
    infos = [r for r in rows if r["record_type"] == "warcinfo"]
    for row in doomed:
        row["schedule_item"] = destroy[row["offset"]]["schedule_item"]
    for row in infos:
        row["schedule_item"] = "(file)"
    new: str | None = None
    moved: list[tuple[int, int, int]] = []
    sidecar_size = 0
    info: IndexEntry | None = None
    if kept:
        new = replacement_name(file["name"], approval["id"])
        with engine.begin() as conn:
            conn.execute(insert(ARCHIVE_FILES).values(name=new, origin=file["origin"], state="open",
                                                      indexed_bytes=UNFOLDED, created_at=clock.now()))
        moved, sidecar_size, info = _write_replacement(directory, file["name"], new, kept, approval["id"])
    _write_tombstone(directory, file, doomed + infos, moved, new, approval)
    with engine.begin() as conn:
        _commit(conn, approval, file, doomed + infos, kept, moved, new, sidecar_size, directory, info)
    _remove(directory, file["name"])
    return {"file": file["name"], "destroyed": len(doomed), "bytes": sum(int(r["length"]) for r in doomed),
            "kept": len(kept), "replaced_by": new}


def _commit(conn: Connection, approval: dict[str, Any], file: dict[str, Any], gone: list[dict[str, Any]],
            kept: list[dict[str, Any]], moved: list[tuple[int, int, int]], new: str | None, sidecar_size: int,
            directory: Path, info: IndexEntry | None) -> None:
    now = clock.now()
    if gone:
        conn.execute(insert(ARCHIVE_TOMBSTONES), [
            {"disposition_id": approval["id"], "file_name": file["name"], "file_sha256": file["sha256"],
             "offset": r["offset"], "length": r["length"], "record_type": r["record_type"],
             "warc_record_id": r["record_id"], "url": r["url"], "timestamp": r["timestamp"],
             "payload_digest": r["digest"], "record_digest": r["record_digest"],
             "content_digest": r["content_digest"], "channel_id": r["channel_id"], "org_id": r["org_id"],
             "schedule_item": r["schedule_item"], "destroyed_at": now} for r in gone])
        ids = [r["id"] for r in gone]
        for start in range(0, len(ids), 1000):
            conn.execute(delete(ARCHIVE_RECORDS).where(ARCHIVE_RECORDS.c.id.in_(ids[start:start + 1000])))
    if new is not None:
        new_id = conn.execute(select(ARCHIVE_FILES.c.id).where(ARCHIVE_FILES.c.name == new)).scalar_one()
        place = {old: position for old, position, _ in moved}
        by_id = ARCHIVE_RECORDS.c.id == bindparam("rid")
        # First out of the way of the unique (file, offset), then in place.
        conn.execute(update(ARCHIVE_RECORDS).where(by_id).values(file_id=new_id, offset=bindparam("at")),
                     [{"rid": r["id"], "at": -int(r["id"])} for r in kept])
        conn.execute(update(ARCHIVE_RECORDS).where(by_id).values(offset=bindparam("at")),
                     [{"rid": r["id"], "at": place[int(r["offset"])]} for r in kept])
        if info is not None:  # the new warcinfo's row, folded as any sidecar line is
            conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == new_id).values(indexed_bytes=0))
            save_entries(conn, [(info, len(info.line().encode("utf-8")))], origin=file["origin"])
        path = directory / new
        conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == new_id).values(
            state="sealed", sha256=file_sha256(path), size=path.stat().st_size, sealed_at=now,
            indexed_bytes=sidecar_size,
            note=f"the records kept from {file['name']} after disposition {approval['id']}"))
    conn.execute(update(ARCHIVE_FILES).where(ARCHIVE_FILES.c.id == file["id"]).values(
        state="disposed", note=f"disposition {approval['id']}: {len(gone)} records destroyed"
                               + (f", {len(kept)} kept in {new}" if new else "")))
    conn.execute(update(ARCHIVE_DISPOSITION_ITEMS).where(
        ARCHIVE_DISPOSITION_ITEMS.c.disposition_id == approval["id"], ARCHIVE_DISPOSITION_ITEMS.c.file_id == file["id"],
        ARCHIVE_DISPOSITION_ITEMS.c.state == "due").values(state="destroyed"))
    audit.record(conn, "disposition.file", f"disposition:{approval['id']}", {
        "file": file["name"], "sha256": file["sha256"],
        "destroyed": len([r for r in gone if r["record_type"] != "warcinfo"]),
        "bytes": sum(int(r["length"]) for r in gone), "kept": len(kept), "replaced_by": new,
        "items": sorted({r["schedule_item"] for r in gone})}, actor=approval["approved_by"],
        parent_id=approval.get("audit_id"))
