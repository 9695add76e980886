"""Discovered accounts within a reader's scope: those claiming an organization in it (the
accounts that claim the reader's units), with their archived evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from mgov.accounts.scope import Scope
from mgov.db.tables import DISCOVERED
from mgov.discover import store
from mgov.errors import NotFound
from mgov.web.queries.monitoring import record_view

SHOWN_EVIDENCE = 3  # records shown on an account's page (the newest sightings)


def list_discovered(conn: Connection, scope: Scope, *, state: str | None = None, after: int | None = 0,
                    limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    return store.listing(conn, where=scope.orgs(DISCOVERED.c.organization_id), state=state, after=after, limit=limit)


def discovered(conn: Connection, scope: Scope, discovered_id: int) -> dict[str, Any]:
    """One discovered account in scope (out of scope reads as absent)."""
    rows, _ = store.listing(conn, where=(DISCOVERED.c.id == discovered_id) & scope.orgs(DISCOVERED.c.organization_id),
                            limit=1)
    if not rows:
        raise NotFound(f"no discovered account {discovered_id}")
    return rows[0]


def evidence(archive_dir: Path, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The newest archived search answers that returned the account, as pages show records."""
    shown = []
    refs = list(row.get("evidence") or [])
    for n in range(len(refs) - 1, max(len(refs) - 1 - SHOWN_EVIDENCE, -1), -1):
        try:
            shown.append(record_view(archive_dir, refs[n], {"index": n}))
        except (OSError, ValueError, StopIteration) as exc:
            shown.append({"index": n, "ref": refs[n], "missing": str(exc)})
    return shown
