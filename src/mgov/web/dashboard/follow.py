"""Rankings, the rectification board, the disputes queue, reports and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from mgov.errors import NotFound
from mgov.registry import vocab
from mgov.web import actions
from mgov.web.dashboard._forms import form, run_action
from mgov.web.deps import ID, MAX_ID, Principal, connection, page_can
from mgov.web.queries import act as act_q
from mgov.web.queries import assessments as assess_q

router = APIRouter()
READ = page_can("read")
PAGE = 50


@router.get("/rankings")
def rankings(request: Request, assessment: int | None = Query(None, ge=1, le=MAX_ID), tier: str | None = None,
             kind: str | None = None, after: int = Query(0, ge=0, le=MAX_ID), p: Principal = READ,
             conn: Connection = Depends(connection)) -> Response:
    pages = request.app.state.pages
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
    rows, nxt = assess_q.results(conn, p.user.scope, head["id"], tier=chosen["tier"], kind=chosen["kind"],
                                 after=after, limit=PAGE)
    return pages.render(request, "rankings.html", p, head=head, groups=groups, assessments=assessments, chosen=chosen,
                        rows=rows,
                        next_after=nxt, after=after)


@router.get("/tasks")
def tasks_board(request: Request, status: str | None = Query(None, pattern="^(open|escalated|closed)$"),
                after: int = Query(0, ge=0, le=MAX_ID), p: Principal = READ, conn: Connection = Depends(connection)) -> Response:
    rows, nxt = act_q.list_tasks(conn, p.user.scope, status=status, after=after, limit=PAGE)
    return request.app.state.pages.render(request, "tasks.html", p, rows=rows, next_after=nxt, status=status or "")


@router.post("/tasks/{task_id}/close")
async def task_close(request: Request, task_id: ID, p: Principal = page_can("tasks.close")) -> Response:
    note = (await form(request)).get("note", "")
    return await run_action(request, "/tasks", lambda conn: actions.close_task(conn, p, task_id, note), done="closed")


@router.get("/disputes")
def disputes_queue(request: Request, status: str = Query("filed", pattern="^(filed|upheld|overturned|all)$"),
                   after: int = Query(0, ge=0, le=MAX_ID), p: Principal = READ, conn: Connection = Depends(connection)) -> Response:
    rows, nxt = act_q.list_disputes(conn, p.user.scope, status=None if status == "all" else status, after=after,
                                    limit=PAGE)
    return request.app.state.pages.render(request, "disputes.html", p, rows=rows, next_after=nxt, status=status)


@router.get("/disputes/{dispute_id}")
def dispute_page(request: Request, dispute_id: ID, p: Principal = READ,
                 conn: Connection = Depends(connection)) -> Response:
    found = act_q.dispute(conn, p.user.scope, dispute_id)
    return request.app.state.pages.render(request, "dispute.html", p, dispute=found)


@router.post("/disputes")
async def dispute_file(request: Request, p: Principal = page_can("disputes.file")) -> Response:
    fields = await form(request)
    try:
        assessment, channel = int(fields.get("assessment", "")), int(fields.get("channel", ""))
    except ValueError as exc:
        raise NotFound("no such assessment result") from exc
    evidence = [{"url": fields["evidence_url"]}] if fields.get("evidence_url") else []
    return await run_action(request, f"/channels/{channel}", lambda conn: actions.file_dispute(
        conn, p, assessment, channel, fields.get("indicator", ""), fields.get("reason", ""), evidence), done="filed")


@router.post("/disputes/{dispute_id}/decision")
async def dispute_decide(request: Request, dispute_id: ID, p: Principal = page_can("disputes.decide")) -> Response:
    fields = await form(request)
    overturn = fields.get("decision") == "overturn"
    return await run_action(request, f"/disputes/{dispute_id}", lambda conn: actions.decide_dispute(
        conn, p, dispute_id, overturn, fields.get("note", "")), done="decided")


@router.get("/reports")
def reports(request: Request, after: int | None = Query(None, ge=0, le=MAX_ID), p: Principal = READ,
            conn: Connection = Depends(connection)) -> Response:
    rows, nxt = assess_q.list_assessments(conn, p.user.scope, after=after, limit=PAGE)
    return request.app.state.pages.render(request, "reports.html", p, rows=rows, next_after=nxt)


@router.get("/reports/{assessment_id}.{fmt}")
def report_file(request: Request, assessment_id: ID, fmt: str, lang: str = Query("zh", pattern="^(zh|en)$"),
                p: Principal = READ, conn: Connection = Depends(connection)) -> Response:
    from mgov.web.api.assessments import report_response

    return report_response(request, conn, p, assessment_id, fmt, lang)


@router.get("/audit")
def audit(request: Request, subject: str | None = Query(None, max_length=200), after: int | None = Query(None, ge=0, le=MAX_ID),
          p: Principal = page_can("audit.read"), conn: Connection = Depends(connection)) -> Response:
    rows, nxt = act_q.audit_entries(conn, p.user.scope, subject=subject or None, after=after, limit=PAGE)
    return request.app.state.pages.render(request, "audit.html", p, rows=rows, next_after=nxt, subject=subject or "")
