"""The evidence of an inspection's items: screenshots of a mini program, a scan of a letter, a
text. Kept under the archive by SHA-256 like a task's fix evidence
(`<archive>/inspection-evidence/<sha256[:2]>/<sha256>`, mgov.act.evidence_files), at most
5 MiB a file, and only what its bytes show it to be: an image (PNG, JPEG, GIF, WebP), a PDF or
plain text, agreeing with the type the upload declared. A file is attached by the reviewer
filling the draft; it changes what a confirmed veto rests on, so it asks for the confirmation
again. Served to users who may read the inspection, as a download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from mgov import clock
from mgov.accounts import Scope
from mgov.accounts.users import User
from mgov.act import evidence_files
from mgov.act import inspections as ins
from mgov.act.task_work import clean_text
from mgov.db.tables import INSPECTION_EVIDENCE, INSPECTION_ITEMS
from mgov.errors import InvalidValue, NotFound

FILES, ITEMS = INSPECTION_EVIDENCE, INSPECTION_ITEMS
FOLDER = "inspection-evidence"
MAX_FILE = evidence_files.MAX_FILE
MAX_PER_ITEM = 10


def attach(conn: Connection, archive_dir: Path, by: User, inspection_id: int, item: int | str, filename: str | None,
           data: bytes, *, media_type: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Attach a file to an item of a draft assigned to by; its row."""
    found = ins.draft_of(conn, by, inspection_id)
    row = ins.item_of(conn, inspection_id, item)
    note = clean_text(note, "the note", required=False)
    evidence_files.check_size(data)
    kind = evidence_files.checked_type(data, media_type)
    held = int(conn.execute(select(func.count()).select_from(FILES).where(FILES.c.item_id == row["id"])).scalar_one())
    if held >= MAX_PER_ITEM:
        raise InvalidValue(f"item {row['indicator_id']} holds {MAX_PER_ITEM} files already: the limit")
    digest = evidence_files.store(archive_dir, FOLDER, data)
    name = evidence_files.safe_name(filename)
    added = dict(conn.execute(insert(FILES).values(
        inspection_id=inspection_id, item_id=row["id"], filename=name, media_type=kind, size=len(data), sha256=digest,
        note=note, added_by=by.username, added_at=clock.now()).returning(FILES)).one()._mapping)
    if row["confirmation"] is not None:  # what was confirmed is not what the item now rests on
        conn.execute(update(ITEMS).where(ITEMS.c.id == row["id"]).values(
            confirmation=None, confirmed_by=None, confirmed_at=None, confirm_note=None))
    ins.audit(conn, by, "inspection.file_attached", found, {
        "indicator": row["indicator_id"], "evidence": added["id"], "filename": name, "media_type": kind,
        "size": len(data), "sha256": digest, "note": note})
    return added


def evidence_file(conn: Connection, scope: Scope, archive_dir: Path, inspection_id: int,
                  file_id: int) -> tuple[dict[str, Any], bytes]:
    """A file of an inspection in scope, and its bytes; NotFound for another inspection's or a lost file."""
    ins.inspection(conn, scope, inspection_id)
    row = conn.execute(select(FILES).where(FILES.c.id == file_id, FILES.c.inspection_id == inspection_id)).first()
    if row is None:
        raise NotFound(f"no evidence file {file_id} of inspection {inspection_id}")
    return dict(row._mapping), evidence_files.read(archive_dir, FOLDER, row.sha256, f"evidence {file_id}")


def served_type(kind: str | None) -> str:
    return evidence_files.served_type(kind)
