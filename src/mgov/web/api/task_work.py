"""Working on a rectification task: assign it, comment, add evidence of the fix (a URL or a
small file), ask for a re-check, escalate it. Closing is /tasks/{id}/close (tasks.close)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field

from mgov.act import task_evidence
from mgov.web import actions, contacts
from mgov.web.api._body import Body
from mgov.web.body_limit import KiB, body_limit
from mgov.web.deps import ID, ApiReader, Conn, Principal, api_can
from mgov.web.queries import act as q

router = APIRouter(tags=["follow-up"])
TaskWorker = Annotated[Principal, api_can("tasks.work")]
# An upload's body: the file and the form's other fields and boundaries.
UPLOAD_LIMIT = task_evidence.MAX_FILE + 64 * KiB


def _note() -> Any:
    return Field(None, max_length=4000, description="Why, in a few words (kept in the task's history).")


class AssignIn(Body):
    person: str = Field(min_length=1, max_length=200, description="A person's key: one of the task's `candidates` "
                        "(the channel's responsible people and its owner's role holders).")
    note: str | None = _note()


class CommentIn(Body):
    text: str = Field(min_length=1, max_length=4000)


class RecheckIn(Body):
    note: str | None = _note()


class EscalateIn(Body):
    note: str = Field(min_length=1, max_length=4000, description="Why the task goes to the supervising organization.")


def detail(conn: Any, p: Principal, task_id: int) -> dict[str, Any]:
    return contacts.task(p.user, q.task_detail(conn, p.user.scope, task_id))


def evidence_response(row: dict[str, Any], data: bytes) -> Response:
    """A file always offered as a download, as a type no browser runs (act.task_evidence)."""
    name = row["filename"] or f"evidence-{row['id']}"
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return Response(data, media_type=task_evidence.served_type(row["media_type"]), headers={
        "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff"})


@router.post("/tasks/{task_id}/assign")
def assign(task_id: ID, body: AssignIn, p: TaskWorker, conn: Conn) -> dict[str, Any]:
    """Give the task to one of its `candidates`."""
    actions.assign_task(conn, p, task_id, body.person, body.note)
    return detail(conn, p, task_id)


@router.post("/tasks/{task_id}/comments", status_code=201)
def add_comment(task_id: ID, body: CommentIn, p: TaskWorker, conn: Conn) -> dict[str, Any]:
    """A comment, in the task's history."""
    actions.comment_task(conn, p, task_id, body.text)
    return detail(conn, p, task_id)


@router.post("/tasks/{task_id}/evidence", status_code=201)
@body_limit(UPLOAD_LIMIT)
def add_evidence(request: Request, task_id: ID, p: TaskWorker, conn: Conn,
                 url: Annotated[str | None, Form(max_length=2000)] = None,
                 note: Annotated[str | None, Form(max_length=4000)] = None,
                 file: Annotated[UploadFile | None, File(description="At most 5 MiB.")] = None) -> dict[str, Any]:
    """Evidence of the fix, as multipart/form-data: `url` (the corrected page, an official
    record) or `file` (a screenshot, a letter; at most 5 MiB), and an optional `note`."""
    upload = None
    if file is not None and file.filename:
        upload = (file.filename, file.file.read(task_evidence.MAX_FILE + 1), file.content_type)
    evidence_id = actions.add_task_evidence(conn, p, request.app.state.settings.resolved_archive_dir, task_id,
                                            url=url or None, file=upload, note=note)
    return {"evidence": evidence_id, "task": detail(conn, p, task_id)}


@router.get("/tasks/{task_id}/evidence/{evidence_id}")
def evidence(request: Request, task_id: ID, evidence_id: ID, p: ApiReader, conn: Conn) -> Response:
    """An evidence file, as a download."""
    row, data = q.evidence_file(conn, p.user.scope, request.app.state.settings.resolved_archive_dir, task_id,
                                evidence_id)
    return evidence_response(row, data)


@router.post("/tasks/{task_id}/recheck")
def request_recheck(task_id: ID, p: TaskWorker, conn: Conn, body: RecheckIn | None = None) -> dict[str, Any]:
    """Ask for the checks behind the task's indicator to run again on its channel: the next run
    of them (`mgov tasks recheck`, a scan or a crawl) judges the task and closes it when they pass."""
    actions.request_recheck(conn, p, task_id, body.note if body else None)
    return detail(conn, p, task_id)


@router.post("/tasks/{task_id}/escalate")
def escalate(task_id: ID, body: EscalateIn, p: TaskWorker, conn: Conn) -> dict[str, Any]:
    """Raise the task one level, to the owner's supervising organization (then the one above)."""
    actions.escalate_task(conn, p, task_id, body.note)
    return detail(conn, p, task_id)
