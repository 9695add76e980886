"""A rectification task's page: its facts, the evidence of its fix, its history, and the forms
that work on it (assign, comment, evidence, re-check, escalate; close is the board's route)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from mgov.act import task_evidence
from mgov.web import actions, contacts
from mgov.web.api.task_work import UPLOAD_LIMIT, evidence_response
from mgov.web.body_limit import body_limit
from mgov.web.dashboard._forms import form, run_action
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, Conn, PageReader, Principal, page_can
from mgov.web.queries import act as act_q

router = APIRouter()
TaskWorker = Annotated[Principal, page_can("tasks.work")]


def _page(task_id: int) -> str:
    return f"/tasks/{task_id}"


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: ID, p: PageReader, conn: Conn) -> Response:
    found = contacts.task(p.user, act_q.task_detail(conn, p.user.scope, task_id))
    return Pages.of(request).render(request, "task.html", p, task=found, max_file=task_evidence.MAX_FILE)


@router.get("/tasks/{task_id}/evidence/{evidence_id}")
def evidence(request: Request, task_id: ID, evidence_id: ID, p: PageReader, conn: Conn) -> Response:
    row, data = act_q.evidence_file(conn, p.user.scope, request.app.state.settings.resolved_archive_dir, task_id,
                                    evidence_id)
    return evidence_response(row, data)


@router.post("/tasks/{task_id}/assign")
async def assign(request: Request, task_id: ID, p: TaskWorker) -> Response:
    fields = await form(request)
    chosen = fields.get("person", "")
    # The page offers people by id: a key may be masked for users without contacts.read.
    person: str | int = int(chosen[3:]) if re.fullmatch(r"id:\d{1,9}", chosen) else chosen
    return await run_action(request, _page(task_id), lambda conn: actions.assign_task(
        conn, p, task_id, person, fields.get("note")))


@router.post("/tasks/{task_id}/comment")
async def comment(request: Request, task_id: ID, p: TaskWorker) -> Response:
    text = (await form(request)).get("text", "")
    return await run_action(request, _page(task_id), lambda conn: actions.comment_task(conn, p, task_id, text))


@router.post("/tasks/{task_id}/evidence")
@body_limit(UPLOAD_LIMIT)
async def add_evidence(request: Request, task_id: ID, p: TaskWorker) -> Response:
    fields = await form(request)
    upload = (await request.form()).get("file")
    file = None
    if isinstance(upload, UploadFile) and upload.filename:
        file = (upload.filename, await upload.read(task_evidence.MAX_FILE + 1), upload.content_type)
    archive = request.app.state.settings.resolved_archive_dir
    return await run_action(request, _page(task_id), lambda conn: actions.add_task_evidence(
        conn, p, archive, task_id, url=fields.get("url"), file=file, note=fields.get("note")))


@router.post("/tasks/{task_id}/recheck")
async def recheck(request: Request, task_id: ID, p: TaskWorker) -> Response:
    note = (await form(request)).get("note")
    return await run_action(request, _page(task_id), lambda conn: actions.request_recheck(conn, p, task_id, note))


@router.post("/tasks/{task_id}/escalate")
async def escalate(request: Request, task_id: ID, p: TaskWorker) -> Response:
    note = (await form(request)).get("note", "")
    return await run_action(request, _page(task_id), lambda conn: actions.escalate_task(conn, p, task_id, note))
