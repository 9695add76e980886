"""Scans, findings with their archived evidence, and the guideline profiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mgov.errors import InvalidValue, NotFound
from mgov.profiles import load, load_all
from mgov.profiles.describe import summary_row, tree
from mgov.profiles.model import ProfileError
from mgov.web import display, exports
from mgov.web.api import _filters
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, INDEX, ApiReader, Conn, IdQuery, Lang
from mgov.web.queries import monitoring as q

router = APIRouter(tags=["monitoring"])


@router.get("/scans", **exports.EXPORTABLE)
def list_scans(request: Request, p: ApiReader, conn: Conn,
               kind: Annotated[str | None, Query(max_length=20, description="scan or crawl.")] = None,
               after: After = None, limit: Limit = DEFAULT_LIMIT,
               format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """Scan and crawl runs, newest first, with the number of your channels each covered."""
    _filters.check(kind=("run_kind", kind))
    if format:
        return exports.respond(request, p, "scans", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_scans(c, p.user.scope, kind=kind, after=a, limit=n)))
    items, nxt = q.list_scans(conn, p.user.scope, kind=kind, after=after, limit=limit)
    return paged(request, items, nxt)


@router.get("/scans/{run_id}")
def get_scan(run_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    return q.scan_detail(conn, p.user.scope, run_id)


@router.get("/findings", **exports.EXPORTABLE)
def list_findings(request: Request, p: ApiReader, conn: Conn, channel: IdQuery = None,
                  check: Annotated[str | None, Query(max_length=80)] = None,
                  status: Annotated[str | None, Query(max_length=20, description="pass, fail, warn, error or "
                                                                                  "not_applicable.")] = None,
                  scan: IdQuery = None, after: After = None, limit: Limit = DEFAULT_LIMIT,
                  format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    """Findings newest first; filter by channel id, check id, status or scan run."""
    _filters.check(status=("finding_status", status), check=("check", check))
    if format:
        return exports.respond(request, p, "findings", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_findings(c, p.user.scope, channel_id=channel, check=check, status=status, run_id=scan, after=a,
                            limit=n)))
    items, nxt = q.list_findings(conn, p.user.scope, channel_id=channel, check=check, status=status, run_id=scan,
                                 after=after, limit=limit)
    lang, names = display.words(request, p)
    return paged(request, [display.finding(f, lang, names) for f in items], nxt)


@router.get("/findings/{finding_id}")
def get_finding(request: Request, finding_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """A finding; check_title and status_label say it in the reader's language."""
    return display.finding(q.finding(conn, p.user.scope, finding_id), *display.words(request, p))


@router.get("/findings/{finding_id}/evidence/{index}")
def get_evidence(finding_id: ID, index: INDEX, request: Request, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """The index-th archived record the finding was judged on: the response's status line,
    headers and body as text, or the DNS/TLS facts (the certificate) as JSON."""
    return q.evidence(conn, p.user.scope, request.app.state.settings.resolved_archive_dir, finding_id, index)


@router.get("/profiles")
def list_profiles(request: Request, p: ApiReader, lang: Lang = "en") -> dict[str, Any]:
    """The guideline profiles: shipped ones and those in the home's profiles folder."""
    profiles = load_all(request.app.state.settings.profile_dirs)
    return {"items": [summary_row(x, lang) for x in profiles.values()], "next": None}


@router.get("/profiles/{profile_id}")
def get_profile(profile_id: str, request: Request, p: ApiReader,
                kind: Annotated[str | None, Query(max_length=30)] = None,
                tier: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    """A profile's indicator tree, resolved for a kind and tier when both are given."""
    if (kind is None) != (tier is None):
        raise InvalidValue("give both kind and tier, or neither")
    _filters.check(kind=("channel_kind", kind), tier=("tier", tier))
    try:
        profile = load(profile_id, request.app.state.settings.profile_dirs)
    except ProfileError as exc:
        raise NotFound(str(exc)) from exc
    return tree(profile, kind, tier)
