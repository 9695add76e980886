"""`GET /api/v1/search`: the archive's full-text search in the caller's scope (docs/archive.md,
"Search")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from mgov.web.deps import MAX_ID, ApiReader, Conn
from mgov.web.queries import search as q

router = APIRouter(tags=["archive"])
HIT_FIELDS = ("url", "title", "timestamp", "captured_at", "kind", "content_type", "org", "channel", "channel_id",
              "score", "snippet", "marks", "replay")


@router.get("/search")
def search(request: Request, p: ApiReader, conn: Conn,
           q_: Annotated[str, Query(alias="q", min_length=1, max_length=200,
                                    description="Words to find: Chinese (低保, 公示) or English; all must appear.")],
           org: Annotated[str | None, Query(max_length=100, description="An organization's code: it and those "
                                                                       "below it.")] = None,
           channel: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
           since: Annotated[dt.date | None, Query(description="Captured on or after this day.")] = None,
           until: Annotated[dt.date | None, Query(description="Captured on or before this day.")] = None,
           type_: Annotated[str | None, Query(alias="type", max_length=100,
                                              description="page, attachment, or a content type.")] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    """Captured pages and attachments in your scope matching every term, best first (bm25 on
    SQLite, ts_rank on PostgreSQL; ties newest first), each with a snippet (`marks`: the
    highlighted spans) and `replay`, the dashboard's path to the capture."""
    scope = p.user.scope
    found = q.filters(conn, scope, org=org, channel=channel, since=since, until=until, kind=type_)
    hits = q.search(conn, scope, request.app.state.settings, q_, found, limit)
    return {"query": q_, "count": len(hits), "items": [{k: h.get(k) for k in HIT_FIELDS} for h in hits]}
