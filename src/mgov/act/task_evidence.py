"""Evidence that a rectification task's problem is fixed: a URL (the corrected page, a filing
record) or a small file (a screenshot, a letter) kept under the archive.

Files are stored by content, `<archive>/task-evidence/<sha256[:2]>/<sha256>` (mgov.act.evidence_files):
the path never comes from the upload, and the same file uploaded twice is kept once. Their names
and types are only shown; a file is always served as a download, as a type a browser will not run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from mgov import clock
from mgov.act import evidence_files
from mgov.act.audit_log import record
from mgov.act.evidence_files import MAX_FILE, SHOWN_TYPES, safe_name, served_type
from mgov.act.task_work import clean_text, unresolved_task
from mgov.act.tasks import add_step
from mgov.db.tables import TASK_EVIDENCE
from mgov.errors import InvalidValue, NotFound
from mgov.registry.addresses import normalize_url

__all__ = ["FOLDER", "MAX_FILE", "MAX_ITEMS", "SHOWN_TYPES", "add_file", "add_url", "evidence_file", "list_evidence",
           "path_of", "safe_name", "served_type"]

E = TASK_EVIDENCE
MAX_ITEMS = 20  # pieces of evidence per task
FOLDER = "task-evidence"


def _count(conn: Connection, task_id: int) -> int:
    return int(conn.execute(select(func.count()).select_from(E).where(E.c.task_id == task_id)).scalar_one())


def _room(conn: Connection, task_id: int) -> None:
    if _count(conn, task_id) >= MAX_ITEMS:
        raise InvalidValue(f"task {task_id} holds {MAX_ITEMS} pieces of evidence already: the limit")


def _url(raw: str) -> str:
    text = (raw or "").strip()
    if not re.match(r"(?i)https?://", text):
        raise InvalidValue("give the evidence's URL in full, starting with http:// or https://")
    if len(text) > 2000 or any(c.isspace() for c in text):
        raise InvalidValue("the evidence's URL is over 2000 characters or holds spaces")
    return normalize_url(text)


def path_of(archive_dir: Path, sha256: str) -> Path:
    return evidence_files.path_of(archive_dir, FOLDER, sha256)


def _added(conn: Connection, task: dict[str, Any], values: dict[str, Any], by: str) -> dict[str, Any]:
    row = dict(conn.execute(insert(E).values(task_id=task["id"], added_by=by, added_at=clock.now(), **values)
                            .returning(E)).one()._mapping)
    shown = {k: row[k] for k in ("kind", "url", "filename", "size", "sha256", "note") if row[k] is not None}
    add_step(conn, task["id"], {}, "evidence_added", by, evidence=row["id"], **shown)
    record(conn, by, "task.evidence_added", f"task:{task['id']}", {"evidence": row["id"], **shown},
           channel_id=task["channel_id"])
    return row


def add_url(conn: Connection, task_id: int, url: str, *, by: str, note: str | None = None) -> dict[str, Any]:
    """A URL showing the fix (the corrected page, an official record)."""
    task = unresolved_task(conn, task_id)
    values = {"kind": "url", "url": _url(url), "note": clean_text(note, "the note", required=False)}
    _room(conn, task_id)
    return _added(conn, task, values, by)


def add_file(conn: Connection, archive_dir: Path, task_id: int, filename: str | None, data: bytes, *, by: str,
             media_type: str | None = None, note: str | None = None) -> dict[str, Any]:
    """A file showing the fix, at most MAX_FILE bytes, kept under archive_dir."""
    task = unresolved_task(conn, task_id)
    note = clean_text(note, "the note", required=False)
    evidence_files.check_size(data)
    _room(conn, task_id)
    digest = evidence_files.store(archive_dir, FOLDER, data)
    return _added(conn, task, {"kind": "file", "filename": safe_name(filename),
                               "media_type": evidence_files.media_type(media_type),
                               "size": len(data), "sha256": digest, "note": note}, by)


def list_evidence(conn: Connection, task_id: int) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(E).where(E.c.task_id == task_id).order_by(E.c.id))]


def evidence_file(conn: Connection, archive_dir: Path, task_id: int, evidence_id: int) -> tuple[dict[str, Any], bytes]:
    """An evidence file of the task and its bytes; NotFound for a URL, another task's or a lost file."""
    row = conn.execute(select(E).where(E.c.id == evidence_id, E.c.task_id == task_id, E.c.kind == "file")).first()
    if row is None:
        raise NotFound(f"no evidence file {evidence_id} of task {task_id}")
    path = path_of(archive_dir, row.sha256 or "")
    if not path.is_file():
        raise NotFound(f"the file of evidence {evidence_id} is missing from the archive ({FOLDER}/)")
    return dict(row._mapping), path.read_bytes()
