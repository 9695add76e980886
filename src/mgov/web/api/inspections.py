"""Reviewer inspections (人工检查): list and read them within scope; create, assign, fill (a
verdict, a note, evidence files), confirm a veto another reviewer found not met, submit. The
writes need inspections.review (the reviewer role and above) and answer as the dashboard's do,
through the same services (mgov.act.inspections, inspection_work, inspection_evidence)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field

from mgov.act import inspection_evidence, inspection_work
from mgov.act import inspections as ins
from mgov.assess.period import parse_period
from mgov.errors import InvalidValue
from mgov.profiles import load
from mgov.profiles.names import Names, label
from mgov.web import display
from mgov.web.api import _filters
from mgov.web.api._body import Body
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.body_limit import KiB, body_limit
from mgov.web.deps import ID, MAX_ID, ApiReader, Conn, IdQuery, Principal, api_can

router = APIRouter(tags=["inspections"])
Reviewer = Annotated[Principal, api_can(ins.PERMISSION)]
UPLOAD_LIMIT = inspection_evidence.MAX_FILE + 64 * KiB  # the file and the form's other fields


def _note(required: bool = False) -> Any:
    return Field(... if required else None, min_length=1 if required else None, max_length=4000)


class CreateIn(Body):
    channel: int = Field(ge=1, le=MAX_ID, description="Channel id.")
    profile: str = Field(min_length=1, max_length=80, description="Profile id (cn-2019-newmedia ...).")
    period: str = Field(min_length=4, max_length=40, description="2026Q3, 2026-08, 2026 or 2026-07-01..2026-09-30.")
    reviewer: str | None = Field(None, min_length=1, max_length=120,
                                 description="The user who fills it (a reviewer or above; default: you).")
    every: bool = Field(False, description="Every indicator that applies, not only those whose source is manual.")
    note: str | None = _note()


class FillIn(Body):
    verdict: Literal["met", "not_met", "not_applicable"]
    note: str = _note(required=True)
    instances: int | None = Field(None, ge=0, le=inspection_work.MAX_INSTANCES,
                                  description="Instances found not met (default 1; a deduction's points multiply).")


class ConfirmIn(Body):
    confirm: bool = Field(description="true: the veto is not met (it counts); false: rejected (it does not).")
    note: str | None = _note()


class AssignIn(Body):
    reviewer: str = Field(min_length=1, max_length=120, description="The user who fills it.")
    note: str | None = _note()


class SubmitIn(Body):
    note: str | None = _note()


def shown(found: dict[str, Any], lang: str, names: Names) -> dict[str, Any]:
    """An inspection with the words beside its codes: status, each item's indicator name,
    rule, verdict and confirmation in the reader's language."""
    out = {**found, "status_label": label("inspection", found.get("status"), lang)}
    if "items" in found:
        out["items"] = [{**i, "indicator_name": names.indicator(i["indicator_id"], lang, found["profile_id"]),
                         "rule_label": label("rule", i["rule"], lang),
                         "verdict_label": label("inspection_verdict", i["verdict"], lang) if i["verdict"] else None,
                         "confirmation_label": label("confirmation", i["confirmation"], lang)
                         if i["confirmation"] else None} for i in found["items"]]
    return out


def evidence_response(row: dict[str, Any], data: bytes) -> Response:
    """An evidence file as a download, as a type no browser runs."""
    name = row["filename"] or f"evidence-{row['id']}"
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return Response(data, media_type=inspection_evidence.served_type(row["media_type"]), headers={
        "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff"})


@router.get("/inspections")
def list_inspections(request: Request, p: ApiReader, conn: Conn,
                     status: Annotated[str | None, Query(max_length=20, description="draft or submitted.")] = None,
                     channel: IdQuery = None, mine: bool = False,
                     after: After = None, limit: Limit = DEFAULT_LIMIT) -> dict[str, Any]:
    """Inspections of channels in scope, newest first (`mine`: those assigned to you)."""
    _filters.check(status=("inspection_status", status))
    items, nxt = ins.list_inspections(conn, p.user.scope, status=status, channel_id=channel,
                                      assignee=p.user.username if mine else None, after=after or 0, limit=limit)
    lang, names = display.words(request, p)
    return paged(request, [shown(i, lang, names) for i in items], nxt)


@router.post("/inspections", status_code=201)
def create(request: Request, body: CreateIn, p: Reviewer, conn: Conn) -> dict[str, Any]:
    """A new inspection of a channel for a period: its checklist from the profile."""
    try:
        start, end = parse_period(body.period)
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None
    profile = load(body.profile, dirs=request.app.state.settings.profile_dirs)
    found = ins.create(conn, p.user, profile, body.channel, start, end, reviewer=body.reviewer, every=body.every,
                       note=body.note)
    return shown(found, *display.words(request, p))


@router.get("/inspections/{inspection_id}")
def get_inspection(request: Request, inspection_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """An inspection with its checklist: each item's verdict, note, files and confirmation."""
    return shown(ins.detail(conn, p.user.scope, inspection_id), *display.words(request, p))


@router.post("/inspections/{inspection_id}/items/{item_id}")
def fill(request: Request, inspection_id: ID, item_id: ID, body: FillIn, p: Reviewer, conn: Conn) -> dict[str, Any]:
    """The assigned reviewer's verdict on an item, with a note saying what was found."""
    inspection_work.fill(conn, p.user, inspection_id, item_id, body.verdict, body.note, instances=body.instances)
    return shown(ins.detail(conn, p.user.scope, inspection_id), *display.words(request, p))


@router.post("/inspections/{inspection_id}/items/{item_id}/evidence", status_code=201)
@body_limit(UPLOAD_LIMIT)
def attach(request: Request, inspection_id: ID, item_id: ID, p: Reviewer, conn: Conn,
           file: Annotated[UploadFile, File(description="An image, a PDF or a text; at most 5 MiB.")],
           note: Annotated[str | None, Form(max_length=4000)] = None) -> dict[str, Any]:
    """A file the item rests on (a screenshot), as multipart/form-data `file` and an optional `note`."""
    data = file.file.read(inspection_evidence.MAX_FILE + 1)
    row = inspection_evidence.attach(conn, request.app.state.settings.resolved_archive_dir, p.user, inspection_id,
                                     item_id, file.filename, data, media_type=file.content_type, note=note)
    return {"evidence": row, "inspection": shown(ins.detail(conn, p.user.scope, inspection_id),
                                                 *display.words(request, p))}


@router.get("/inspections/{inspection_id}/evidence/{file_id}")
def evidence(request: Request, inspection_id: ID, file_id: ID, p: ApiReader, conn: Conn) -> Response:
    """An evidence file, as a download."""
    row, data = inspection_evidence.evidence_file(conn, p.user.scope, request.app.state.settings.resolved_archive_dir,
                                                  inspection_id, file_id)
    return evidence_response(row, data)


@router.post("/inspections/{inspection_id}/items/{item_id}/confirmation")
def confirm(request: Request, inspection_id: ID, item_id: ID, body: ConfirmIn, p: Reviewer,
            conn: Conn) -> dict[str, Any]:
    """A second reviewer's word on a veto found not met (not the reviewer who filled it)."""
    inspection_work.confirm(conn, p.user, inspection_id, item_id, agree=body.confirm, note=body.note)
    return shown(ins.detail(conn, p.user.scope, inspection_id), *display.words(request, p))


@router.post("/inspections/{inspection_id}/assign")
def assign(request: Request, inspection_id: ID, body: AssignIn, p: Reviewer, conn: Conn) -> dict[str, Any]:
    """Give a draft to another reviewer."""
    return shown(ins.assign(conn, p.user, inspection_id, body.reviewer, body.note), *display.words(request, p))


@router.post("/inspections/{inspection_id}/submit")
def submit(request: Request, inspection_id: ID, p: Reviewer, conn: Conn,
           body: SubmitIn | None = None) -> dict[str, Any]:
    """Submit your inspection: its items count in the assessment of its profile and period."""
    found = inspection_work.submit(conn, p.user, inspection_id, body.note if body else None)
    return shown(found, *display.words(request, p))
