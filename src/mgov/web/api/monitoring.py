"""Scans, findings with their archived evidence, and the guideline profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import Connection

from mgov.errors import InvalidValue, NotFound
from mgov.profiles import load, load_all
from mgov.profiles.describe import summary_row, tree
from mgov.profiles.model import ProfileError
from mgov.web.api._paging import AFTER, LIMIT, paged
from mgov.web.deps import ID, INDEX, MAX_ID, Principal, api_can, connection
from mgov.web.queries import monitoring as q

router = APIRouter(tags=["monitoring"])
READ = api_can("read")


@router.get("/scans")
def list_scans(request: Request, kind: str | None = Query(None, pattern="^(scan|crawl)$"), after: int | None = AFTER,
               limit: int = LIMIT, p: Principal = READ, conn: Connection = Depends(connection)) -> dict[str, Any]:
    """Scan and crawl runs, newest first, with the number of your channels each covered."""
    items, nxt = q.list_scans(conn, p.user.scope, kind=kind, after=after, limit=limit)
    return paged(request, items, nxt)


@router.get("/scans/{run_id}")
def get_scan(run_id: ID, p: Principal = READ, conn: Connection = Depends(connection)) -> dict[str, Any]:
    return q.scan_detail(conn, p.user.scope, run_id)


@router.get("/findings")
def list_findings(request: Request, channel: int | None = Query(None, ge=1, le=MAX_ID),
                  check: str | None = Query(None, max_length=80),
                  status: str | None = Query(None, pattern="^(pass|fail|warn|error|not_applicable)$"),
                  scan: int | None = Query(None, ge=1, le=MAX_ID), after: int | None = AFTER, limit: int = LIMIT,
                  p: Principal = READ, conn: Connection = Depends(connection)) -> dict[str, Any]:
    """Findings newest first; filter by channel id, check id, status or scan run."""
    items, nxt = q.list_findings(conn, p.user.scope, channel_id=channel, check=check, status=status, run_id=scan,
                                 after=after, limit=limit)
    return paged(request, items, nxt)


@router.get("/findings/{finding_id}")
def get_finding(finding_id: ID, p: Principal = READ, conn: Connection = Depends(connection)) -> dict[str, Any]:
    return q.finding(conn, p.user.scope, finding_id)


@router.get("/findings/{finding_id}/evidence/{index}")
def get_evidence(finding_id: ID, index: INDEX, request: Request, p: Principal = READ,
                 conn: Connection = Depends(connection)) -> dict[str, Any]:
    """The index-th archived record the finding was judged on: the response's status line,
    headers and body as text, or the DNS/TLS facts (the certificate) as JSON."""
    return q.evidence(conn, p.user.scope, request.app.state.settings.resolved_archive_dir, finding_id, index)


@router.get("/profiles")
def list_profiles(request: Request, lang: str = Query("en", pattern="^(zh|en)$"),
                  p: Principal = READ) -> dict[str, Any]:
    """The guideline profiles: shipped ones and those in the home's profiles folder."""
    profiles = load_all(request.app.state.settings.profile_dirs)
    return {"items": [summary_row(x, lang) for x in profiles.values()], "next": None}


@router.get("/profiles/{profile_id}")
def get_profile(profile_id: str, request: Request, kind: str | None = Query(None, max_length=30),
                tier: str | None = Query(None, max_length=40), p: Principal = READ) -> dict[str, Any]:
    """A profile's indicator tree, resolved for a kind and tier when both are given."""
    if (kind is None) != (tier is None):
        raise InvalidValue("give both kind and tier, or neither")
    try:
        profile = load(profile_id, request.app.state.settings.profile_dirs)
    except ProfileError as exc:
        raise NotFound(str(exc)) from exc
    return tree(profile, kind, tier)
