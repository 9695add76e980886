"""The archive's captures as the API and the dashboard read them, within scope: a URL's
captures and calendar, the diff of two, what changed on a channel, a channel's latest
captures and a finding's evidence, each with its replay link; and whether a reader may
replay a collection (docs/archive.md, "Replay" and "Change history")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from mgov.accounts import Scope
from mgov.archive import history_service, history_store
from mgov.archive.history import Diff
from mgov.archive.replay_index import org_of_collection
from mgov.archive.replay_links import ALL, replay_url
from mgov.archive.replay_service import endpoint
from mgov.config import Settings


def replay_mode(settings: Settings) -> str:
    """The collections' layout of the running pywb (what its links must follow), else mgov.toml's."""
    running = endpoint(settings)
    return running.mode if running is not None else settings.archive.replay_collections


def collection_in_scope(conn: Connection, scope: Scope, collection: str, mode: str) -> bool:
    """Whether a reader of this scope may replay the collection: an organization's when it is in
    scope (per-org); the one of everything only for readers of the whole registry (all)."""
    if mode == ALL:
        return collection == ALL and scope.everything
    org_id = org_of_collection(conn, collection)
    return org_id is not None and scope.has_org(conn, org_id)


def _linked(rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
    for row in rows:
        row["replay"] = replay_url(row, mode)
    return rows


def url_history(conn: Connection, scope: Scope, settings: Settings, url: str) -> dict[str, Any]:
    found = history_service.url_history(conn, scope, url)
    _linked(found["captures"], replay_mode(settings))
    return found


def diff(conn: Connection, scope: Scope, settings: Settings, url: str, since: str, until: str) -> Diff:
    found = history_service.diff_url(conn, scope, settings.resolved_archive_dir, url, since, until)
    _linked([found.before, found.after], replay_mode(settings))
    return found


def channel_changes(conn: Connection, scope: Scope, settings: Settings, channel_id: int, days: int = 7,
                    since: str | None = None, until: str | None = None) -> dict[str, Any]:
    found = history_service.channel_changes(conn, scope, channel_id, days=days, since=since, until=until)
    mode = replay_mode(settings)
    for kind in ("new", "gone", "changed"):
        for item in getattr(found["changes"], kind):
            for side in ("before", "after"):
                if item.get(side) is not None:
                    item[side]["replay"] = replay_url(item[side], mode)
    return found


def channel_captures(conn: Connection, settings: Settings, channel_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """A channel's newest page captures with their replay links (the caller checked scope)."""
    return _linked(history_store.channel_captures(conn, channel_id, limit=limit), replay_mode(settings))


def evidence_links(conn: Connection, settings: Settings, refs: list[dict[str, Any]]) -> list[str | None]:
    """The replay link of each of a finding's evidence records (None: not replayable)."""
    rows = history_store.records_at(conn, refs)
    mode = replay_mode(settings)
    out: list[str | None] = []
    for ref in refs:
        row = rows.get((str(ref.get("file")), int(ref.get("offset") or 0)))
        out.append(replay_url(row, mode) if row is not None else None)
    return out
