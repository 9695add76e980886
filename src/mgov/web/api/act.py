"""Rectification tasks, disputes and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from mgov.web import actions, contacts, display, exports
from mgov.web.api import _filters
from mgov.web.api._body import Body
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, MAX_ID, ApiReader, Conn, IdQuery, Principal, api_can
from mgov.web.queries import act as q

router = APIRouter(tags=["follow-up"])
TaskCloser = Annotated[Principal, api_can("tasks.close")]
DisputeFiler = Annotated[Principal, api_can("disputes.file")]
DisputeDecider = Annotated[Principal, api_can("disputes.decide")]
AuditReader = Annotated[Principal, api_can("audit.read")]


class CloseIn(Body):
    note: str = Field(min_length=1, max_length=4000, description="What was fixed, and how it was confirmed.")


class EvidenceItem(Body):
    url: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=2000)


class DisputeIn(Body):
    assessment: int = Field(ge=1, le=MAX_ID)
    channel: int = Field(ge=1, le=MAX_ID, description="Channel id.")
    indicator: str = Field(min_length=1, max_length=80)
    reason: str = Field(min_length=1, max_length=8000)
    evidence: list[EvidenceItem] = Field(default_factory=list, max_length=20)


class DecisionIn(Body):
    overturn: bool = Field(description="true: the finding was wrong and stops counting; false: it stands.")
    note: str = Field(min_length=1, max_length=4000)


@router.get("/tasks", **exports.EXPORTABLE)
def list_tasks(request: Request, p: ApiReader, conn: Conn,
               status: Annotated[str | None, Query(max_length=20, description="open, escalated or closed.")] = None,
               overdue: bool | None = None, channel: IdQuery = None, assessment: IdQuery = None,
               assignee: Annotated[str | None, Query(max_length=200, description="A person's key.")] = None,
               after: After = None, limit: Limit = DEFAULT_LIMIT,
               format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """The rectification board: overdue first, then open by due date, then closed."""
    _filters.check(status=("task_status", status))
    if format:
        return exports.respond(request, p, "tasks", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_tasks(c, p.user.scope, status=status, overdue=overdue, channel_id=channel, assessment_id=assessment,
                         assignee=assignee, after=a or 0, limit=n)), shape=lambda rows: contacts.tasks(p.user, rows))
    items, nxt = q.list_tasks(conn, p.user.scope, status=status, overdue=overdue, channel_id=channel,
                              assessment_id=assessment, assignee=assignee, after=after or 0, limit=limit)
    lang, names = display.words(request, p)
    return paged(request, [display.task(t, lang, names) for t in contacts.tasks(p.user, items)], nxt)


@router.get("/tasks/{task_id}")
def get_task(request: Request, task_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """A task with its history, the evidence of its fix and the people it may be assigned to;
    indicator_name and status_label say it in the reader's language."""
    return display.task(contacts.task(p.user, q.task_detail(conn, p.user.scope, task_id)), *display.words(request, p))


@router.post("/tasks/{task_id}/close")
def close_task(request: Request, task_id: ID, body: CloseIn, p: TaskCloser, conn: Conn) -> dict[str, Any]:
    return display.task(contacts.task(p.user, actions.close_task(conn, p, task_id, body.note)),
                        *display.words(request, p))


@router.get("/disputes", **exports.EXPORTABLE)
def list_disputes(request: Request, p: ApiReader, conn: Conn,
                  status: Annotated[str | None, Query(max_length=20,
                                                      description="filed, upheld or overturned.")] = None,
                  assessment: IdQuery = None, channel: IdQuery = None, after: After = None,
                  limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    _filters.check(status=("dispute_status", status))
    if format:
        return exports.respond(request, p, "disputes", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_disputes(c, p.user.scope, status=status, assessment_id=assessment, channel_id=channel,
                            after=a or 0, limit=n)))
    items, nxt = q.list_disputes(conn, p.user.scope, status=status, assessment_id=assessment, channel_id=channel,
                                 after=after or 0, limit=limit)
    lang, names = display.words(request, p)
    return paged(request, [display.dispute(d, lang, names) for d in items], nxt)


@router.get("/disputes/{dispute_id}")
def get_dispute(request: Request, dispute_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """A dispute with its audit trail."""
    return display.dispute(q.dispute(conn, p.user.scope, dispute_id), *display.words(request, p))


@router.post("/disputes", status_code=201)
def file_dispute(request: Request, body: DisputeIn, p: DisputeFiler, conn: Conn) -> dict[str, Any]:
    """Contest a failed indicator of one of your channels in an assessment (申诉)."""
    dispute_id = actions.file_dispute(conn, p, body.assessment, body.channel, body.indicator, body.reason,
                                      [e.model_dump(exclude_none=True) for e in body.evidence])
    return display.dispute(q.dispute(conn, p.user.scope, dispute_id), *display.words(request, p))


@router.post("/disputes/{dispute_id}/decision")
def decide_dispute(request: Request, dispute_id: ID, body: DecisionIn, p: DisputeDecider,
                   conn: Conn) -> dict[str, Any]:
    """Uphold or overturn a dispute; overturning closes the finding's tasks."""
    actions.decide_dispute(conn, p, dispute_id, body.overturn, body.note)
    return display.dispute(q.dispute(conn, p.user.scope, dispute_id), *display.words(request, p))


@router.get("/audit", **exports.EXPORTABLE)
def audit_log(request: Request, p: AuditReader, conn: Conn,
              subject: Annotated[str | None, Query(max_length=200)] = None,
              actor: Annotated[str | None, Query(max_length=200)] = None,
              action: Annotated[str | None, Query(max_length=40)] = None,
              kind: Annotated[str | None, Query(max_length=40)] = None,
              face: Annotated[str | None, Query(max_length=10)] = None,
              since: dt.date | None = None, until: dt.date | None = None,
              parent: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
              after: After = None, limit: Limit = DEFAULT_LIMIT,
              format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """Who changed what and when, through which face, newest first (entries about your
    organizations); since and until are days in your time zone; parent: an import's records."""
    zone = display.zone_of(request.app.state.settings, p)
    if format:
        return exports.respond(request, p, "audit", format, display.api_lang(request, p), lambda c, a, n: (
            q.audit_entries(c, p.user.scope, subject=subject, actor=actor, action=action, kind=kind, face=face,
                            since=since, until=until, zone=zone, parent=parent, after=a, limit=n)))
    items, nxt = q.audit_entries(conn, p.user.scope, subject=subject, actor=actor, action=action, kind=kind,
                                 face=face, since=since, until=until, zone=zone, parent=parent, after=after,
                                 limit=limit)
    lang, _names = display.words(request, p)
    return paged(request, [display.audit_entry(e, lang) for e in items], nxt)
