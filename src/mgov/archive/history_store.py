"""The archive's index read for change history and replay (docs/archive.md, "Change
history"): a URL's captures over time, the capture nearest a moment, a channel's captures
and what changed on it in a window, the index rows behind a finding's evidence; always within
a reader's scope (records of organizations in it; records of none only for the whole registry)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select, tuple_

from mgov.accounts import Scope
from mgov.archive.replay_links import REPLAYABLE
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, CHANNELS, ORGS, SCAN_RUNS
from mgov.runs.index_store import LOOKUP

R = ARCHIVE_RECORDS
CAPTURE_COLUMNS = (R.c.id, R.c.urlkey, R.c.timestamp, R.c.captured_at, R.c.url, R.c.mime, R.c.status, R.c.digest,
                   R.c.content_digest, R.c.record_type, R.c.length, R.c.offset, R.c.run_id, R.c.channel_id,
                   R.c.org_id, R.c.extra, ARCHIVE_FILES.c.name.label("file"), ORGS.c.code.label("org"))


def _captures() -> Select[Any]:
    return (select(*CAPTURE_COLUMNS).join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == R.c.file_id)
            .outerjoin(ORGS, ORGS.c.id == R.c.org_id)
            .where(R.c.state == "ok", R.c.record_type.in_(sorted(REPLAYABLE))))


def _key(urlkey: str) -> Any:
    return and_(R.c.lookup_key == urlkey[:LOOKUP], R.c.urlkey == urlkey)


def url_captures(conn: Connection, scope: Scope, urlkey: str, *, limit: int = 5000) -> list[dict[str, Any]]:
    """Every capture of a URL (by SURT key, as pywb matches) in scope, oldest first."""
    query = (_captures().where(_key(urlkey), scope.orgs(R.c.org_id))
             .order_by(R.c.timestamp, R.c.id).limit(limit))
    return [dict(r._mapping) for r in conn.execute(query)]


def capture_near(conn: Connection, scope: Scope, urlkey: str, stamp: str) -> dict[str, Any] | None:
    """The capture of a URL a 14-digit prefix names: the latest within or before its span
    (pywb's closest, taken from the past), else the first after it. Among captures of one
    second, a page (2xx) before a redirect or an error."""
    base = _captures().where(_key(urlkey), scope.orgs(R.c.org_id))
    ok = func.coalesce(R.c.status, "200").like("2%")
    before = conn.execute(base.where(R.c.timestamp <= stamp.ljust(14, "9"))
                          .order_by(R.c.timestamp.desc(), ok.desc(), R.c.id.desc()).limit(1)).first()
    if before is not None:
        return dict(before._mapping)
    after = conn.execute(base.order_by(R.c.timestamp, ok.desc(), R.c.id).limit(1)).first()
    return None if after is None else dict(after._mapping)


def original_of(conn: Connection, revisit: dict[str, Any]) -> dict[str, Any] | None:
    """The record a revisit stands for: WARC-Refers-To when indexed, else the latest earlier
    response with the same payload digest (of the same URL first)."""
    extra = revisit.get("extra") or {}
    base = (select(*CAPTURE_COLUMNS).join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == R.c.file_id)
            .outerjoin(ORGS, ORGS.c.id == R.c.org_id).where(R.c.state == "ok", R.c.record_type == "response"))
    if extra.get("refersTo"):
        found = conn.execute(base.where(R.c.record_id == extra["refersTo"]).limit(1)).first()
        if found is not None:
            return dict(found._mapping)
    if not revisit.get("digest"):
        return None
    found = conn.execute(base.where(R.c.digest == revisit["digest"], R.c.timestamp <= revisit["timestamp"])
                         .order_by((R.c.urlkey == revisit["urlkey"]).desc(), R.c.timestamp.desc()).limit(1)).first()
    return None if found is None else dict(found._mapping)


def channel_captures(conn: Connection, channel_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """A channel's newest captures of pages (HTML), newest first (the caller checked scope)."""
    query = (_captures().where(R.c.channel_id == channel_id, R.c.mime.like("%html%"))
             .order_by(R.c.captured_at.desc(), R.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in conn.execute(query)]


def channel_row(conn: Connection, scope: Scope, channel_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(CHANNELS.c.id, CHANNELS.c.address, CHANNELS.c.name, CHANNELS.c.owner_id)
                       .where(CHANNELS.c.id == channel_id)).first()
    if row is None or not scope.has_org(conn, row.owner_id):
        return None
    return dict(row._mapping)


def _web(query: Select[Any], channel_id: int) -> Select[Any]:
    return query.where(R.c.channel_id == channel_id, or_(R.c.url.like("http://%"), R.c.url.like("https://%")))


def window_captures(conn: Connection, channel_id: int, since: str, until: str) -> list[dict[str, Any]]:
    """The channel's captures of web pages after since up to until, oldest first, with the
    kind of run that made each."""
    query = (_web(_captures(), channel_id).add_columns(SCAN_RUNS.c.kind.label("run_kind"))
             .outerjoin(SCAN_RUNS, SCAN_RUNS.c.id == R.c.run_id)
             .where(R.c.timestamp > since, R.c.timestamp <= until).order_by(R.c.timestamp, R.c.id))
    return [dict(r._mapping) for r in conn.execution_options(stream_results=True, yield_per=5000).execute(query)]


def latest_before(conn: Connection, channel_id: int, since: str) -> list[dict[str, Any]]:
    """Each URL's latest capture for the channel at or before since (the baseline of a window)."""
    last = (_web(select(R.c.urlkey, func.max(R.c.timestamp).label("at")), channel_id)
            .where(R.c.state == "ok", R.c.record_type.in_(sorted(REPLAYABLE)), R.c.timestamp <= since)
            .group_by(R.c.urlkey).subquery())
    query = (_web(_captures(), channel_id).join(last, and_(last.c.urlkey == R.c.urlkey, last.c.at == R.c.timestamp))
             .order_by(R.c.urlkey, R.c.id))
    return [dict(r._mapping) for r in conn.execution_options(stream_results=True, yield_per=5000).execute(query)]


def records_at(conn: Connection, refs: Iterable[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """The index rows of WARC references ({file, offset, ...}: a finding's evidence), by place."""
    places = {(str(r["file"]), int(r["offset"])) for r in refs if "file" in r and "offset" in r}
    if not places:
        return {}
    query = (select(*CAPTURE_COLUMNS).join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == R.c.file_id)
             .outerjoin(ORGS, ORGS.c.id == R.c.org_id)
             .where(tuple_(ARCHIVE_FILES.c.name, R.c.offset).in_(sorted(places))))
    return {(r.file, int(r.offset)): dict(r._mapping) for r in conn.execute(query)}
