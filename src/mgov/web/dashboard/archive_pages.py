"""The archive's change history in the dashboard (docs/archive.md, "Change history"): a
URL's captures over time (by year, month and day) with their replay links, the difference
between two captures, and what changed on a channel in a window; all within scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mgov.errors import NotFound
from mgov.web.dashboard.render import Pages
from mgov.web.deps import Conn, IdQuery, PageReader
from mgov.web.queries import archive_history as archive_q
from mgov.web.queries import registry as reg_q

router = APIRouter()
UrlQuery = Annotated[str | None, Query(max_length=4000)]
StampQuery = Annotated[str | None, Query(max_length=20, pattern=r"^[0-9: TZ-]*$")]
Days = Annotated[int, Query(ge=1, le=366)]


@router.get("/archive/url")
def url_page(request: Request, p: PageReader, conn: Conn, u: UrlQuery = None) -> Response:
    """The captures of a URL by year, month and day, each replayable; two chosen are compared."""
    found = archive_q.url_history(conn, p.user.scope, request.app.state.settings, u) if u and u.strip() else None
    return Pages.of(request).render(request, "archive_url.html", p, u=u or "", found=found)


@router.get("/archive/diff")
def diff_page(request: Request, p: PageReader, conn: Conn, u: UrlQuery = None,
              since: Annotated[StampQuery, Query(alias="from")] = None,
              until: Annotated[StampQuery, Query(alias="to")] = None) -> Response:
    """What differs between two captures of a URL (by default its last two)."""
    settings = request.app.state.settings
    found = None
    if u and u.strip():
        if not since or not until:
            captures = archive_q.url_history(conn, p.user.scope, settings, u)["captures"]
            if not captures:
                raise NotFound(f"no capture of {u} in the archive")
            since = since or captures[max(0, len(captures) - 2)]["timestamp"]
            until = until or captures[-1]["timestamp"]
        found = archive_q.diff(conn, p.user.scope, settings, u, since, until)
    return Pages.of(request).render(request, "archive_diff.html", p, u=u or "", since=since or "",
                                    until=until or "", diff=found)


@router.get("/archive/changes")
def changes_page(request: Request, p: PageReader, conn: Conn, channel: IdQuery = None, days: Days = 7,
                 since: StampQuery = None, until: StampQuery = None) -> Response:
    """What changed on a channel's pages in a window: URLs new, gone and changed."""
    found = None
    if channel is not None:
        reg_q.channel_in_scope(conn, p.user.scope, channel)
        found = archive_q.channel_changes(conn, p.user.scope, request.app.state.settings, channel, days,
                                          since or None, until or None)
    return Pages.of(request).render(request, "archive_changes.html", p, channel=channel, days=days,
                                    since=since or "", until=until or "", found=found)
