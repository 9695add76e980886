"""Evidence that a rectification task's problem is fixed: a URL (the corrected page, a filing
record) or a small file (a screenshot, a letter) kept under the archive.

Files are stored by content, `<archive>/task-evidence/<sha256[:2]>/<sha256>`: the path never
comes from the upload, and the same file uploaded twice is kept once. Their names and types are
only shown; a file is always served as a download, as a type a browser will not run.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from mgov import clock
from mgov.act.audit_log import record
from mgov.act.task_work import clean_text, unresolved_task
from mgov.act.tasks import add_step
from mgov.db.tables import TASK_EVIDENCE
from mgov.errors import InvalidValue, NotFound
from mgov.registry.addresses import normalize_url

E = TASK_EVIDENCE
MAX_FILE = 5 * 1024 * 1024  # bytes of one file: screenshots and letters, not recordings
MAX_ITEMS = 20  # pieces of evidence per task
FOLDER = "task-evidence"
# Types served as themselves (each inert under the dashboard's CSP and nosniff); any other
# file is served as application/octet-stream.
SHOWN_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"})
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


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


def safe_name(raw: str | None) -> str:
    """A file name to show and offer for download: its last path part, without control and
    path characters, at most 200 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE_NAME.sub("_", name).strip(" .") or "evidence"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name


def _media_type(raw: str | None) -> str:
    text = (raw or "").split(";", 1)[0].strip().lower()
    return text if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", text) and len(text) <= 100 else "application/octet-stream"


def path_of(archive_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise NotFound("no such evidence file")
    return archive_dir / FOLDER / sha256[:2] / sha256


def _store(archive_dir: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(archive_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file, two writers of one file agree.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return digest


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
    if not data:
        raise InvalidValue("the evidence file is empty")
    if len(data) > MAX_FILE:
        raise InvalidValue(f"the evidence file has {len(data)} bytes: at most {MAX_FILE} ({MAX_FILE // 2**20} MiB)")
    _room(conn, task_id)
    digest = _store(archive_dir, data)
    return _added(conn, task, {"kind": "file", "filename": safe_name(filename), "media_type": _media_type(media_type),
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


def served_type(media_type: str | None) -> str:
    return media_type if media_type in SHOWN_TYPES else "application/octet-stream"
