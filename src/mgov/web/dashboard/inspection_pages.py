"""Reviewer inspections on the dashboard: the list (mine, or all in scope) with the form that
starts one, an inspection's page with its checklist (each item's verdict, note and files in one
form with its upload), the second reviewer's confirm or reject of a veto not met, reassigning,
submitting, and the evidence files as downloads. The same services as the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from mgov import clock
from mgov.act import inspection_evidence, inspection_work
from mgov.act import inspections as ins
from mgov.assess.period import parse_period
from mgov.errors import InvalidValue, MgovError
from mgov.profiles import load, load_all
from mgov.web.api.inspections import UPLOAD_LIMIT, evidence_response
from mgov.web.body_limit import body_limit
from mgov.web.dashboard._forms import back, form, run_action
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, MAX_ID, Conn, PageReader, Principal, begin, page_can

router = APIRouter()
Reviewer = Annotated[Principal, page_can(ins.PERMISSION)]
OptionalCursor = Annotated[int | None, Query(ge=0, le=MAX_ID)]
PAGE = 50


def _page(inspection_id: int) -> str:
    return f"/inspections/{inspection_id}"


def _number(value: str | None, what: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise InvalidValue(f"give {what} as a number")
    return int(value)


def _this_quarter() -> str:
    today = clock.today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@router.get("/inspections")
def inspections_list(request: Request, p: PageReader, conn: Conn,
                     status: Annotated[str | None, Query(pattern="^(draft|submitted)$")] = None,
                     mine: bool = False, channel: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                     after: OptionalCursor = None) -> Response:
    rows, nxt = ins.list_inspections(conn, p.user.scope, status=status, channel_id=channel,
                                     assignee=p.user.username if mine else None, after=after or 0, limit=PAGE)
    profiles = sorted(load_all(request.app.state.settings.profile_dirs)) if p.user.can(ins.PERMISSION) else []
    return Pages.of(request).render(request, "inspections.html", p, rows=rows, next_after=nxt, status=status or "",
                                    mine=mine, channel=channel, profiles=profiles, period=_this_quarter())


@router.post("/inspections")
async def create(request: Request, p: Reviewer) -> Response:
    """From the list's form: channel (an id), profile, period, reviewer, every; to the new
    inspection's page, or back to the list with the refusal."""
    fields = await form(request)

    def run() -> tuple[int | None, str | None]:
        try:
            channel = _number(fields.get("channel"), "the channel") or 0
            try:
                start, end = parse_period(fields.get("period", ""))
            except ValueError as exc:
                raise InvalidValue(str(exc)) from None
            profile = load(fields.get("profile", ""), dirs=request.app.state.settings.profile_dirs)
            with begin(request) as conn:
                found = ins.create(conn, p.user, profile, channel, start, end, reviewer=fields.get("reviewer"),
                                   every=fields.get("every") == "1", note=fields.get("note"))
            return int(found["id"]), None
        except MgovError as exc:
            return None, str(exc)

    inspection_id, error = await run_in_threadpool(run)
    if inspection_id is None:
        return back(request, "/inspections", error=error)
    return back(request, _page(inspection_id), done="saved")


@router.get("/inspections/{inspection_id}")
def inspection_page(request: Request, inspection_id: ID, p: PageReader, conn: Conn) -> Response:
    found = ins.detail(conn, p.user.scope, inspection_id)
    return Pages.of(request).render(request, "inspection.html", p, inspection=found,
                                    max_file=inspection_evidence.MAX_FILE)


@router.get("/inspections/{inspection_id}/evidence/{file_id}")
def evidence(request: Request, inspection_id: ID, file_id: ID, p: PageReader, conn: Conn) -> Response:
    row, data = inspection_evidence.evidence_file(conn, p.user.scope, request.app.state.settings.resolved_archive_dir,
                                                  inspection_id, file_id)
    return evidence_response(row, data)


@router.post("/inspections/{inspection_id}/items/{item_id}")
@body_limit(UPLOAD_LIMIT)
async def fill(request: Request, inspection_id: ID, item_id: ID, p: Reviewer) -> Response:
    """An item's verdict, instances and note, and a file with them (one form, multipart)."""
    fields = await form(request)
    upload = (await request.form()).get("file")
    file = None
    if isinstance(upload, UploadFile) and upload.filename:
        file = (upload.filename, await upload.read(inspection_evidence.MAX_FILE + 1), upload.content_type)
    archive = request.app.state.settings.resolved_archive_dir

    def action(conn: Connection) -> None:
        instances = _number(fields.get("instances"), "the instances")
        inspection_work.fill(conn, p.user, inspection_id, item_id, fields.get("verdict", ""), fields.get("note"),
                             instances=instances)
        if file is not None:
            inspection_evidence.attach(conn, archive, p.user, inspection_id, item_id, file[0], file[1],
                                       media_type=file[2], note=fields.get("file_note"))

    return await run_action(request, _page(inspection_id), action)


@router.post("/inspections/{inspection_id}/items/{item_id}/confirm")
async def confirm(request: Request, inspection_id: ID, item_id: ID, p: Reviewer) -> Response:
    fields = await form(request)
    decision = fields.get("decision", "")
    if decision not in ("confirm", "reject"):
        return back(request, _page(inspection_id), error="choose confirm or reject")
    return await run_action(request, _page(inspection_id), lambda conn: inspection_work.confirm(
        conn, p.user, inspection_id, item_id, agree=decision == "confirm", note=fields.get("note")),
        done="decided")


@router.post("/inspections/{inspection_id}/assign")
async def assign(request: Request, inspection_id: ID, p: Reviewer) -> Response:
    fields = await form(request)
    return await run_action(request, _page(inspection_id), lambda conn: ins.assign(
        conn, p.user, inspection_id, fields.get("reviewer", ""), fields.get("note")))


@router.post("/inspections/{inspection_id}/submit")
async def submit(request: Request, inspection_id: ID, p: Reviewer) -> Response:
    note = (await form(request)).get("note")
    return await run_action(request, _page(inspection_id), lambda conn: inspection_work.submit(
        conn, p.user, inspection_id, note), done="submitted")
