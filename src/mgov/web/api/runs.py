"""Runs (scans, crawls, renderings, captures, app scans) and their progress, newest first: the
channels stored, and for a run distributed to the cluster's workers those running, queued and
failed, as `mgov runs` shows them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import Connection

from mgov.cluster.store import recent_runs
from mgov.web import jobs
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ApiReader, Conn, Principal

router = APIRouter(tags=["jobs"])


def runs_of(conn: Connection, p: Principal, *, limit: int,
            after: int | None) -> tuple[list[dict[str, Any]], int | None]:
    """The reader's runs of one page, and the next page's cursor."""
    rows = recent_runs(conn, limit=limit, after=after)
    nxt = rows[-1]["run"] if len(rows) == limit else None
    return [{**r, "channels": len(r["channels"])} for r in rows if jobs.run_in_scope(conn, p, r)], nxt


@router.get("/runs")
def list_runs(request: Request, p: ApiReader, conn: Conn, after: After = None,
              limit: Limit = DEFAULT_LIMIT) -> dict[str, Any]:
    """Runs of your scope, newest first: kind, status, channels stored (done), and a distributed
    run's channels running, queued and failed on the workers (total: the channels sent)."""
    rows, nxt = runs_of(conn, p, limit=limit, after=after)
    return paged(request, rows, nxt)
