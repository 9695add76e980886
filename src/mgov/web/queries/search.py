"""The archive's full-text search for both faces (docs/archive.md, "Search"): the filters
checked within the reader's scope (an organization or channel out of scope reads as absent),
then the hits of the reader's scope with snippets and replay links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from mgov.accounts import Scope
from mgov.config import Settings
from mgov.db.tables import ORGS
from mgov.errors import InvalidValue, NotFound
from mgov.search import service
from mgov.search.store import Filters
from mgov.web.queries.archive_history import replay_mode
from mgov.web.queries.registry import channel_in_scope

TYPES = ("page", "attachment")


def filters(conn: Connection, scope: Scope, *, org: str | None = None, channel: int | None = None,
            since: dt.date | None = None, until: dt.date | None = None, kind: str | None = None) -> Filters:
    org_id = None
    if org:
        org_id = conn.execute(select(ORGS.c.id).where(ORGS.c.code == org)).scalar()
        if org_id is None or not scope.has_org(conn, org_id):
            raise NotFound(f"no organization with code {org!r}")
    if channel is not None:
        channel_in_scope(conn, scope, channel)
    if kind and kind not in TYPES and "/" not in kind:
        raise InvalidValue(f"type {kind!r}: page, attachment or a content type")
    return Filters(org_id=org_id, channel_ids=[channel] if channel is not None else None,
                   since=dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
                   until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC) if until else None,
                   kind=kind if kind in TYPES else None,
                   content_type=kind if kind and kind not in TYPES else None)


def search(conn: Connection, scope: Scope, settings: Settings, query: str, found_filters: Filters,
           limit: int = 20) -> list[dict[str, Any]]:
    return service.search(conn, scope, query, found_filters, limit=limit, replay_mode=replay_mode(settings))
