"""The archive's change history in the API (docs/archive.md, "Change history"): a URL's
captures and calendar, the difference between two captures, what changed on a channel;
within the caller's scope, each capture with its replay path."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from mgov.web.deps import MAX_ID, ApiReader, Conn
from mgov.web.queries import archive_history as q
from mgov.web.queries import registry as reg_q

router = APIRouter(tags=["archive"])
Url = Annotated[str, Query(min_length=1, max_length=4000, description="The captured page's URL (matched by SURT "
                                                                       "key, as pywb does).")]
Stamp = Annotated[str, Query(min_length=4, max_length=20, pattern=r"^[0-9: TZ-]+$",
                             description="YYYY[MM[DD[hh[mm[ss]]]]] or YYYY-MM-DD: the latest capture within or "
                                         "before it.")]
CAPTURE_FIELDS = ("timestamp", "captured_at", "url", "status", "mime", "digest", "content_digest", "record_type",
                  "org", "channel_id", "run_id", "replay")


def _capture(c: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if c is None else {k: c.get(k) for k in CAPTURE_FIELDS}


@router.get("/archive/captures")
def captures(request: Request, p: ApiReader, conn: Conn, url: Url) -> dict[str, Any]:
    """Every capture of a URL in your scope, oldest first, and their counts by year, month and
    day (the Wayback calendar); `replay` is the dashboard's path to the page as captured."""
    found = q.url_history(conn, p.user.scope, request.app.state.settings, url)
    return {"url": url, "urlkey": found["urlkey"], "count": found["count"],
            "items": [_capture(c) for c in found["captures"]],
            "calendar": [{"year": y["year"], "count": y["count"],
                          "months": [{"month": m["month"], "count": m["count"],
                                      "days": [{"day": d["day"], "count": d["count"]} for d in m["days"]]}
                                     for m in y["months"]]} for y in found["calendar"]]}


@router.get("/archive/diff")
def diff(request: Request, p: ApiReader, conn: Conn, url: Url, since: Annotated[Stamp, Query(alias="from")],
         until: Annotated[Stamp, Query(alias="to")]) -> dict[str, Any]:
    """What differs between two captures of a URL: text lines and links added and removed, and
    the unified diff of the pages' text."""
    found = q.diff(conn, p.user.scope, request.app.state.settings, url, since, until)
    return {"before": _capture(found.before), "after": _capture(found.after), "kind": found.kind,
            "same_payload": found.same_payload, "changed": found.changed, "added": found.added,
            "removed": found.removed, "links_added": found.links_added, "links_removed": found.links_removed,
            "unified": found.unified, "notes": found.notes}


@router.get("/archive/changes")
def changes(request: Request, p: ApiReader, conn: Conn, channel: Annotated[int, Query(ge=1, le=MAX_ID)],
            days: Annotated[int, Query(ge=1, le=366)] = 7,
            since: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9: TZ-]+$")] = None,
            until: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9: TZ-]+$")] = None) -> dict[str, Any]:
    """What changed on a channel's pages in a window (the last `days` days, or from `since` to
    `until`): URLs new, gone and changed, with counts (each kind listed up to 200)."""
    reg_q.channel_in_scope(conn, p.user.scope, channel)
    found = q.channel_changes(conn, p.user.scope, request.app.state.settings, channel, days, since, until)
    result = found["changes"]

    def item(i: dict[str, Any]) -> dict[str, Any]:
        return {"url": i["url"], "before": _capture(i.get("before")), "after": _capture(i.get("after"))}

    return {"channel": found["channel"]["id"], "address": found["channel"]["address"], "since": result.since,
            "until": result.until, "counts": result.counts, "crawled": result.crawled, "captures": result.captures,
            "new": [item(i) for i in result.new], "gone": [item(i) for i in result.gone],
            "changed": [item(i) for i in result.changed]}
