"""Rankings, the rectification board, the disputes queue, reports and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mgov.act.audit_log import KINDS, AuditFilter
from mgov.actors import FACES
from mgov.errors import InvalidValue, NotFound
from mgov.profiles import audit_words
from mgov.registry import vocab
from mgov.web import actions, contacts, display, exports
from mgov.web.api.assessments import report_response
from mgov.web.dashboard import job_pages
from mgov.web.dashboard._forms import form, run_action
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, MAX_ID, Conn, Cursor, IdQuery, Lang, PageReader, Principal, page_can
from mgov.web.queries import act as act_q
from mgov.web.queries import assessments as assess_q

router = APIRouter()
TaskCloser = Annotated[Principal, page_can("tasks.close")]
DisputeFiler = Annotated[Principal, page_can("disputes.file")]
DisputeDecider = Annotated[Principal, page_can("disputes.decide")]
AuditReader = Annotated[Principal, page_can("audit.read")]
OptionalCursor = Annotated[int | None, Query(ge=0, le=MAX_ID)]
PAGE = 50


@router.get("/rankings")
def rankings(request: Request, p: PageReader, conn: Conn, assessment: IdQuery = None, tier: str | None = None,
             kind: str | None = None, after: Cursor = 0, format: exports.ExportFormat = None) -> Response:
    pages = Pages.of(request)
    assessments, _ = assess_q.list_assessments(conn, p.user.scope, limit=20)
    if not assessments:
        return pages.render(request, "rankings.html", p, head=None, assessments=[], rows=[])
    head = assess_q.head_memo(conn, p.user.scope, assessment or assessments[0]["id"], request.app.state.memo)
    # Tabs from the highest tier down; without a choice, the largest group (the one most
    # users look for), not whichever sorts first.
    rank = {code: i for tiers in vocab.TIERS.values() for i, code in enumerate(tiers)}
    groups = sorted(head["groups"], key=lambda g: (rank.get(g["tier"], len(rank)), g["kind"]))
    chosen = next((g for g in groups if g["tier"] == tier and g["kind"] == kind), None) or max(
        groups, key=lambda g: g["channels"])
    if format:  # the tab shown, every page of it
        return exports.respond(request, p, "results", format, pages.lang_of(request, p), lambda c, a, n: (
            assess_q.results(c, p.user.scope, head["id"], tier=chosen["tier"], kind=chosen["kind"], after=a or 0,
                             limit=n)))
    rows, nxt = assess_q.results(conn, p.user.scope, head["id"], tier=chosen["tier"], kind=chosen["kind"],
                                 after=after, limit=PAGE)
    return pages.render(request, "rankings.html", p, head=head, groups=groups, assessments=assessments, chosen=chosen,
                        rows=rows, next_after=nxt, after=after)


@router.get("/tasks")
def tasks_board(request: Request, p: PageReader, conn: Conn,
                status: Annotated[str | None, Query(pattern="^(open|escalated|closed)$")] = None,
                after: Cursor = 0, format: exports.ExportFormat = None) -> Response:
    if format:
        return exports.respond(request, p, "tasks", format, Pages.lang_of(request, p), lambda c, a, n: (
            act_q.list_tasks(c, p.user.scope, status=status, after=a or 0, limit=n)),
            shape=lambda rows: contacts.tasks(p.user, rows))
    rows, nxt = act_q.list_tasks(conn, p.user.scope, status=status, after=after, limit=PAGE)
    return Pages.of(request).render(request, "tasks.html", p, rows=contacts.tasks(p.user, rows), next_after=nxt,
                                    status=status or "")


@router.post("/tasks/{task_id}/close")
async def task_close(request: Request, task_id: ID, p: TaskCloser) -> Response:
    fields = await form(request)
    back_to = f"/tasks/{task_id}" if fields.get("from") == "task" else "/tasks"  # the board or the task's page
    return await run_action(request, back_to, lambda conn: actions.close_task(conn, p, task_id, fields.get("note", "")),
                            done="closed")


@router.get("/disputes")
def disputes_queue(request: Request, p: PageReader, conn: Conn,
                   status: Annotated[str, Query(pattern="^(filed|upheld|overturned|all)$")] = "filed",
                   after: Cursor = 0, format: exports.ExportFormat = None) -> Response:
    if format:
        return exports.respond(request, p, "disputes", format, Pages.lang_of(request, p), lambda c, a, n: (
            act_q.list_disputes(c, p.user.scope, status=None if status == "all" else status, after=a or 0, limit=n)))
    rows, nxt = act_q.list_disputes(conn, p.user.scope, status=None if status == "all" else status, after=after,
                                    limit=PAGE)
    return Pages.of(request).render(request, "disputes.html", p, rows=rows, next_after=nxt, status=status)


@router.get("/disputes/{dispute_id}")
def dispute_page(request: Request, dispute_id: ID, p: PageReader, conn: Conn) -> Response:
    found = act_q.dispute(conn, p.user.scope, dispute_id)
    return Pages.of(request).render(request, "dispute.html", p, dispute=found)


@router.post("/disputes")
async def dispute_file(request: Request, p: DisputeFiler) -> Response:
    fields = await form(request)
    try:
        assessment, channel = int(fields.get("assessment", "")), int(fields.get("channel", ""))
    except ValueError as exc:
        raise NotFound("no such assessment result") from exc
    evidence = [{"url": fields["evidence_url"]}] if fields.get("evidence_url") else []
    return await run_action(request, f"/channels/{channel}", lambda conn: actions.file_dispute(
        conn, p, assessment, channel, fields.get("indicator", ""), fields.get("reason", ""), evidence), done="filed")


@router.post("/disputes/{dispute_id}/decision")
async def dispute_decide(request: Request, dispute_id: ID, p: DisputeDecider) -> Response:
    fields = await form(request)
    overturn = fields.get("decision") == "overturn"
    return await run_action(request, f"/disputes/{dispute_id}", lambda conn: actions.decide_dispute(
        conn, p, dispute_id, overturn, fields.get("note", "")), done="decided")


@router.get("/reports")
def reports(request: Request, p: PageReader, conn: Conn, after: OptionalCursor = None,
            format: exports.ExportFormat = None) -> Response:
    if format:  # the list of assessments (the reports themselves are the links beside each)
        return exports.respond(request, p, "assessments", format, Pages.lang_of(request, p), lambda c, a, n: (
            assess_q.list_assessments(c, p.user.scope, after=a, limit=n)))
    rows, nxt = assess_q.list_assessments(conn, p.user.scope, after=after, limit=PAGE)
    return Pages.of(request).render(request, "reports.html", p, rows=rows, next_after=nxt,
                                    **job_pages.assess_form(request))


@router.get("/reports/{assessment_id}.{fmt}")
def report_file(request: Request, assessment_id: ID, fmt: str, p: PageReader, conn: Conn,
                lang: Lang = "zh") -> Response:
    return report_response(request, conn, p, assessment_id, fmt, lang)


@router.get("/audit")
def audit(request: Request, p: AuditReader, conn: Conn,
          subject: Annotated[str | None, Query(max_length=200)] = None,
          actor: Annotated[str | None, Query(max_length=200)] = None,
          action: Annotated[str | None, Query(max_length=40)] = None,
          kind: Annotated[str | None, Query(max_length=40)] = None,
          face: Annotated[str | None, Query(max_length=10)] = None,
          since: Annotated[str | None, Query(max_length=10)] = None,
          until: Annotated[str | None, Query(max_length=10)] = None,
          parent: IdQuery = None, after: OptionalCursor = None,
          format: exports.ExportFormat = None) -> Response:
    """The audit log, filtered by who, object kind, action, face, a day range (the reader's
    days) or one import's records; each entry's change as a table."""
    f = AuditFilter(subject=subject or None, actor=actor or None, action=action or None, kind=kind or None,
                    face=face or None, since=_day(since), until=_day(until), parent=parent,
                    zone=display.zone_of(request.app.state.settings, p))
    if format:
        return exports.respond(request, p, "audit", format, Pages.lang_of(request, p), lambda c, a, n: (
            act_q.audit_entries(c, p.user.scope, filters=f, after=a, limit=n)))
    rows, nxt = act_q.audit_entries(conn, p.user.scope, filters=f, after=after, limit=PAGE)
    return Pages.of(request).render(request, "audit.html", p, rows=rows, next_after=nxt, f=f, kinds=KINDS,
                                    actions=audit_words.ACTIONS, faces=FACES)


def _day(text: str | None) -> dt.date | None:
    """A date field's value (empty: none); a malformed one is refused like any bad filter."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"{text!r} is not a date (YYYY-MM-DD)") from None
