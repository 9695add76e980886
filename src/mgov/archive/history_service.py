"""Change history as services, shared by the command line, the API and the dashboard: a
URL's captures and calendar, the difference between two captures, what changed on a channel
in a window; each within a reader's scope (docs/archive.md, "Change history")."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from mgov.accounts import Scope
from mgov.archive import history, history_store
from mgov.archive.history_text import Content, read_content
from mgov.collect.surt import surt
from mgov.errors import InvalidValue, NotFound

_STAMP = re.compile(r"^\d{4}(\d{2}){0,5}$")
MAX_DAYS = 366


def stamp(value: str, what: str = "time") -> str:
    """A 14-digit prefix from YYYY[MM[DD[hh[mm[ss]]]]], YYYY-MM-DD or an ISO time."""
    digits = re.sub(r"[-:T ]|Z$", "", value.strip())
    if not _STAMP.fullmatch(digits):
        raise InvalidValue(f"{what} {value!r}: give YYYY[MM[DD[hh[mm[ss]]]]] or YYYY-MM-DD")
    return digits


def url_key(url: str) -> str:
    text = url.strip()
    if not text or len(text) > 4000:
        raise InvalidValue("give the URL of a captured page (at most 4000 characters)")
    return surt(text if "://" in text else f"http://{text}")


def url_history(conn: Connection, scope: Scope, url: str) -> dict[str, Any]:
    """Every capture of a URL in scope, oldest first, and the same by year, month and day."""
    key = url_key(url)
    captures = history_store.url_captures(conn, scope, key)
    return {"url": url, "urlkey": key, "count": len(captures), "captures": captures,
            "calendar": history.calendar(captures)}


def diff_url(conn: Connection, scope: Scope, archive_dir: Path, url: str, since: str, until: str) -> history.Diff:
    """The difference between the captures of a URL at two moments (each the latest capture
    within or before the moment's span, else the first after it)."""
    key = url_key(url)
    found = []
    for moment in (stamp(since, "--from"), stamp(until, "--to")):
        capture = history_store.capture_near(conn, scope, key, moment)
        if capture is None:
            raise NotFound(f"no capture of {url} in the archive")
        found.append(capture)
    before, after = found
    return history.diff(before, after, _content(conn, archive_dir, before), _content(conn, archive_dir, after))


def _content(conn: Connection, archive_dir: Path, capture: dict[str, Any]) -> Content:
    """A capture's content; a revisit's is its original's (the same payload)."""
    if capture["record_type"] == "revisit":
        original = history_store.original_of(conn, capture)
        if original is None:
            return Content("unreadable", problem="a revisit whose original is not in the index")
        capture = original
    return read_content(archive_dir, capture)


def channel_changes(conn: Connection, scope: Scope, channel_id: int, *, days: int = 7, since: str | None = None,
                    until: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """What changed on a channel's pages in a window: the last `days` days up to now, or from
    since (a moment) up to until (default now)."""
    channel = history_store.channel_row(conn, scope, channel_id)
    if channel is None:
        raise NotFound(f"no channel {channel_id}")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidValue(f"days {days}: from 1 to {MAX_DAYS}")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    end = stamp(until, "--until").ljust(14, "9") if until else moment.strftime("%Y%m%d%H%M%S")
    start = (stamp(since, "--since").ljust(14, "0") if since
             else (moment - dt.timedelta(days=days)).strftime("%Y%m%d%H%M%S"))
    if start >= end:
        raise InvalidValue("the window ends before it starts")
    found = history.changes(history_store.latest_before(conn, channel_id, start),
                            history_store.window_captures(conn, channel_id, start, end), start, end)
    return {"channel": channel, "changes": found}
