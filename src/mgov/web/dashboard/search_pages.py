"""The dashboard's `/search`: the archive's full-text search in the reader's scope, with
its filters, marked snippets and a replay link per hit (docs/archive.md, "Search")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mgov.web.dashboard.render import Pages
from mgov.web.deps import Conn, IdQuery, PageReader
from mgov.web.queries import search as search_q

router = APIRouter()
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/search")
def search_page(request: Request, p: PageReader, conn: Conn, q: Text = None, org: Text = None,
                channel: IdQuery = None, since: Annotated[dt.date | None, Query()] = None,
                until: Annotated[dt.date | None, Query()] = None,
                type_: Annotated[str | None, Query(alias="type", max_length=100)] = None) -> Response:
    """Captured pages and attachments found by their words."""
    hits = None
    if q and q.strip():
        scope = p.user.scope
        found = search_q.filters(conn, scope, org=org or None, channel=channel, since=since, until=until,
                                 kind=type_ or None)
        hits = search_q.search(conn, scope, request.app.state.settings, q, found, 50)
    return Pages.of(request).render(request, "search.html", p, q=q or "", org=org or "", channel=channel,
                                    since=since, until=until, type=type_ or "", hits=hits)
