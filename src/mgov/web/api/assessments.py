"""Assessments, their results and rankings, and their reports as files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from mgov.errors import NotFound
from mgov.reports.render import render_csv, render_html, render_pdf, render_xlsx
from mgov.reports.source import load_report
from mgov.web import display, exports
from mgov.web.api import _filters
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, ApiReader, Conn, IdQuery, Lang, Principal
from mgov.web.queries import assessments as q

router = APIRouter(tags=["assessments"])
Verdict = Annotated[str | None, Query(max_length=20, description="pass, fail or not_assessed.")]
Vetoed = Annotated[bool | None, Query(description="Only channels with (true) or without a failed veto.")]
Complete = Annotated[bool | None, Query(description="Only complete (true) or incomplete (false) results.")]
Versions = Annotated[bool, Query(description="Also the superseded versions of re-run assessments.")]
REPORT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/overview")
def overview(request: Request, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """The dashboard's overview as data: your channels by status, and of the newest assessment
    its verdicts, vetoed channels, score histogram per tier (ten bands) and trend."""
    return q.overview(conn, p.user.scope, request.app.state.memo)


@router.get("/assessments", **exports.EXPORTABLE)
def list_assessments(request: Request, p: ApiReader, conn: Conn,
                     profile: Annotated[str | None, Query(max_length=80)] = None, after: After = None,
                     limit: Limit = DEFAULT_LIMIT, versions: Versions = False,
                     format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """Assessments newest first (those that assessed any of your channels): the current version
    of each profile, period and selection (`version`; with `versions`, the superseded ones too,
    each naming the assessment that `superseded_by` it)."""
    if format:
        return exports.respond(request, p, "assessments", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_assessments(c, p.user.scope, profile=profile, after=a, limit=n, versions=versions)))
    items, nxt = q.list_assessments(conn, p.user.scope, profile=profile, after=after, limit=limit,
                                    versions=versions)
    return paged(request, items, nxt)


@router.get("/assessments/{assessment_id}")
def get_assessment(assessment_id: ID, request: Request, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """An assessment with its verdict counts and its (tier, kind) groups, over your channels."""
    return q.head_memo(conn, p.user.scope, assessment_id, request.app.state.memo)


@router.get("/assessments/{assessment_id}/results", **exports.EXPORTABLE)
def list_results(request: Request, assessment_id: ID, p: ApiReader, conn: Conn,
                 tier: Annotated[str | None, Query(max_length=40)] = None,
                 kind: Annotated[str | None, Query(max_length=30)] = None, verdict: Verdict = None,
                 vetoed: Vetoed = None, complete: Complete = None, after: After = None,
                 limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """Results in ranking order: per tier and kind the ranked (complete) results, then the
    incomplete ones (`complete` false, `rank` null, `not_assessed_share` of their monitored
    indicators); `position` is the place in that listing."""
    _filters.check(tier=("tier", tier), kind=("channel_kind", kind), verdict=("verdict", verdict))
    q.head(conn, p.user.scope, assessment_id)
    if format:
        return exports.respond(request, p, "results", format, display.api_lang(request, p), lambda c, a, n: (
            q.results(c, p.user.scope, assessment_id, tier=tier, kind=kind, verdict=verdict, vetoed=vetoed,
                      complete=complete, after=a or 0, limit=n)))
    items, nxt = q.results(conn, p.user.scope, assessment_id, tier=tier, kind=kind, verdict=verdict,
                           vetoed=vetoed, complete=complete, after=after or 0, limit=limit)
    return paged(request, items, nxt)


@router.get("/assessments/{assessment_id}/results/{channel_id}")
def get_result(request: Request, assessment_id: ID, channel_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """A channel's verdict, score, rank and indicator breakdown with evidence; an incomplete
    result (`complete` false) has no score and no rank, `observed_score` what was assessed gives.
    Each indicator's name, rule_label, status_label and detail_text are in the reader's language."""
    head = q.head_memo(conn, p.user.scope, assessment_id, request.app.state.memo)
    lang, names = display.words(request, p)
    return display.result(q.result(conn, p.user.scope, assessment_id, channel_id), lang, names, head["profile_id"])


@router.get("/rankings", **exports.EXPORTABLE)
def rankings(request: Request, tier: Annotated[str, Query(max_length=40)], kind: Annotated[str, Query(max_length=30)],
             p: ApiReader, conn: Conn, assessment: IdQuery = None, after: After = None,
             limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """The ranking of one tier and kind in an assessment (the newest when not given): the
    complete results by rank, then the incomplete ones, unranked (`rank` null, `complete` false)."""
    _filters.check(tier=("tier", tier), kind=("channel_kind", kind))
    if assessment is None:
        newest, _ = q.list_assessments(conn, p.user.scope, limit=1)
        if not newest:
            raise NotFound("no assessment yet")
        assessment = newest[0]["id"]
    head = q.head_memo(conn, p.user.scope, assessment, request.app.state.memo)
    if format:
        return exports.respond(request, p, "results", format, display.api_lang(request, p), lambda c, a, n: (
            q.results(c, p.user.scope, head["id"], tier=tier, kind=kind, after=a or 0, limit=n)))
    items, nxt = q.results(conn, p.user.scope, head["id"], tier=tier, kind=kind, after=after or 0, limit=limit)
    return {"assessment": head["id"], "period": head["period"], "profile_id": head["profile_id"],
            **paged(request, items, nxt)}


@router.get("/assessments/{assessment_id}/report", response_class=Response,
            responses={200: {"content": {t: {} for t in REPORT_TYPES}}})
def report(request: Request, assessment_id: ID, p: ApiReader, conn: Conn,
           format: Annotated[str, Query(max_length=10, description="pdf, xlsx, csv or html.")] = "pdf",
           lang: Lang = "zh") -> Response:
    """The assessment report over your channels, as PDF, XLSX, CSV or HTML."""
    _filters.check(format=("report_format", format))
    return report_response(request, conn, p, assessment_id, format, lang)


def report_response(request: Request, conn: Connection, p: Principal, assessment_id: ID, fmt: str,
                    lang: str) -> Response:
    """An assessment report over the user's channels, as a file (the dashboard's downloads too)."""
    if fmt not in REPORT_TYPES:
        raise NotFound(f"no report format {fmt!r}: one of {', '.join(REPORT_TYPES)}")
    q.head(conn, p.user.scope, assessment_id)
    settings = request.app.state.settings
    data = load_report(request.app.state.engine, assessment_id, org=p.user.organization, lang=lang,
                       profile_dirs=settings.profile_dirs)
    body: bytes | str
    if fmt == "pdf":
        body = render_pdf(render_html(data))
    elif fmt == "html":
        body = render_html(data)
    elif fmt == "csv":
        body = render_csv(data)
    else:
        body = render_xlsx(data)
    name = f"mgov-assessment-{assessment_id}-{lang}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(body, media_type=REPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})
