"""Reading and writing scan runs and findings. Each channel's findings land in one
transaction with its scan item, so a run killed at any moment loses or duplicates nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, func, insert, select, update

from mgov import clock
from mgov.checks.base import Finding
from mgov.db import partitions, rollups
from mgov.db.tables import CHANNELS, FINDINGS, ORGS, SCAN_ITEMS, SCAN_RUNS
from mgov.errors import NotFound
from mgov.evidence.exchange import WarcRef
from mgov.evidence.site import ChannelFacts
from mgov.registry import vocab
from mgov.registry.accountability import subtree

SCANNABLE = ("website", "mobile_site")


def _now() -> dt.datetime:
    return clock.now()


def create_run(conn: Connection, params: dict[str, Any], kind: str = "scan") -> int:
    return int(conn.execute(insert(SCAN_RUNS).values(started_at=_now(), status="running", kind=kind, params=params)
                            .returning(SCAN_RUNS.c.id)).scalar_one())


def get_run(conn: Connection, run_id: int | None = None, *, unfinished: bool = False,
            kind: str | None = None) -> dict[str, Any]:
    """The run with this id, or the newest one (the newest unfinished one with unfinished),
    of the given kind (scan or crawl) when kind is set."""
    query = select(SCAN_RUNS)
    if run_id:
        query = query.where(SCAN_RUNS.c.id == run_id)
    else:
        if kind:
            query = query.where(SCAN_RUNS.c.kind == kind)
        if unfinished:
            query = query.where(SCAN_RUNS.c.status == "running")
        query = query.order_by(SCAN_RUNS.c.id.desc()).limit(1)
    row = conn.execute(query).first()
    if row is None:
        if run_id:
            raise NotFound(f"no scan run {run_id}")
        what = kind or "scan"
        raise NotFound(f"no unfinished {what} run to resume" if unfinished
                       else f"no {what} has run yet: run `mgov {what}`")
    return dict(row._mapping)


def finish_run(conn: Connection, run_id: int) -> None:
    conn.execute(update(SCAN_RUNS).where(SCAN_RUNS.c.id == run_id).values(status="finished", finished_at=_now()))


def select_channels(conn: Connection, *, org: str | None = None, kinds: Iterable[str] = (),
                    addresses: Iterable[str] = (), allowed: Iterable[str] = SCANNABLE,
                    verb: str = "scan") -> list[tuple[int, ChannelFacts]]:
    """Open channels of the allowed kinds (web channels unless a run kind says otherwise)
    matching the selection, with what checks need from the registry."""
    orgs = {r.id: dict(r._mapping) for r in conn.execute(select(ORGS))}
    allowed = sorted(allowed)
    kinds = list(kinds) or allowed
    bad = [k for k in kinds if k not in allowed]
    if bad:
        article = "an" if verb[:1] in "aeiou" else "a"
        raise NotFound(f"{article} {verb} run cannot take channels of kind {', '.join(bad)} "
                       f"(choose from: {', '.join(allowed)})")
    query = (select(CHANNELS).where(CHANNELS.c.kind.in_(kinds), CHANNELS.c.status.in_(vocab.OPEN_STATUSES))
             .order_by(CHANNELS.c.id))
    wanted = list(addresses)
    if wanted:
        query = query.where(CHANNELS.c.address.in_(wanted))
    scope = subtree(orgs, org) if org else None
    if org and not scope:
        raise NotFound(f"no organization with code {org!r}")
    out = []
    for row in conn.execute(query):
        owner = orgs.get(row.owner_id) if row.owner_id is not None else None
        if scope is not None and (owner is None or owner["code"] not in scope):
            continue
        out.append((row.id, ChannelFacts(
            kind=row.kind, address=row.address, host=(urlsplit(row.address).hostname or "").lower(),
            jurisdiction=owner["jurisdiction"] if owner else None, tier=owner["tier"] if owner else None,
            owner=owner["code"] if owner else None, attributes=dict(row.attributes or {}))))
    return out


def done_channels(conn: Connection, run_id: int, among: Iterable[int] | None = None) -> set[int]:
    """The channels run_id has stored (of `among`, when given)."""
    query = select(SCAN_ITEMS.c.channel_id).where(SCAN_ITEMS.c.run_id == run_id)
    if among is not None:
        query = query.where(SCAN_ITEMS.c.channel_id.in_(list(among)))
    return set(conn.execute(query).scalars())


def stored_counts(conn: Connection, run_ids: Iterable[int]) -> dict[int, int]:
    """run -> channels stored."""
    ids = list(run_ids)
    if not ids:
        return {}
    return {int(r): int(n) for r, n in conn.execute(select(SCAN_ITEMS.c.run_id, func.count())
                                                    .where(SCAN_ITEMS.c.run_id.in_(ids)).group_by(SCAN_ITEMS.c.run_id))}


def save_channels(conn: Connection, run_id: int,
                  done: list[tuple[int, list[Finding]]]) -> list[dict[str, int]]:
    """Store several channels' findings and mark them done, in the caller's transaction (so
    each channel's findings stay atomic with its scan item); the counts, in order."""
    now = _now()
    counts = [dict(Counter(f.status.value for f in findings)) for _, findings in done]
    if not done:
        return counts
    conn.execute(insert(SCAN_ITEMS), [
        {"run_id": run_id, "channel_id": channel_id, "finished_at": now, "counts": c}
        for (channel_id, _), c in zip(done, counts, strict=True)])
    # A channel's findings mostly cite the same records: each list is built once, and the
    # rows share it (it was a twentieth of a scan's event-loop time, built per finding).
    cited: dict[tuple[WarcRef, ...], list[dict[str, Any]]] = {}

    def evidence(refs: list[WarcRef]) -> list[dict[str, Any]]:
        key = tuple(refs)
        found = cited.get(key)
        if found is None:
            found = cited[key] = [r.as_dict() for r in key]
        return found

    rows = [{"run_id": run_id, "channel_id": channel_id, "check_id": f.check, "status": f.status.value,
             "value": f.value, "message": f.message or None, "message_zh": f.message_zh or None,
             "evidence": evidence(f.evidence),
             "scan_status": f.scan_status.value if f.scan_status else None, "observed_at": now,
             "variant": f.variant, "rolled": True}
            for channel_id, findings in done for f in findings]
    if rows:
        partitions.ensure(conn, "findings", [now])
        ids = conn.execute(insert(FINDINGS).returning(FINDINGS.c.id, sort_by_parameter_order=True), rows).scalars()
        # The assessment's rollup, in the same transaction (db.rollups).
        rollups.add_findings(conn, [(fid, r["channel_id"], r["check_id"], r["variant"], r["status"], now)
                                    for fid, r in zip(ids, rows, strict=True)])
    return counts


def findings_of(conn: Connection, *, run_id: int, address: str | None = None, check: str | None = None,
                status: str | None = None) -> list[dict[str, Any]]:
    query = (select(FINDINGS, CHANNELS.c.address, CHANNELS.c.kind)
             .join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
             .where(FINDINGS.c.run_id == run_id).order_by(CHANNELS.c.address, FINDINGS.c.check_id))
    if address:
        query = query.where(CHANNELS.c.address == address)
    if check:
        query = query.where(FINDINGS.c.check_id == check)
    if status:
        query = query.where(FINDINGS.c.status == status)
    return [dict(r._mapping) for r in conn.execute(query)]


def run_summary(conn: Connection, run_id: int) -> dict[str, dict[str, int]]:
    """check -> status -> count."""
    out: dict[str, dict[str, int]] = {}
    for check, status, n in conn.execute(
            select(FINDINGS.c.check_id, FINDINGS.c.status, func.count()).where(FINDINGS.c.run_id == run_id)
            .group_by(FINDINGS.c.check_id, FINDINGS.c.status)):
        out.setdefault(check, {})[status] = n
    return dict(sorted(out.items()))


def latest_runs(conn: Connection) -> list[dict[str, Any]]:
    """The newest run of each kind (scan, crawl, ...), oldest kind first: what findings show by default."""
    newest = select(func.max(SCAN_RUNS.c.id)).group_by(SCAN_RUNS.c.kind)
    return [dict(r._mapping) for r in conn.execute(select(SCAN_RUNS).where(SCAN_RUNS.c.id.in_(newest))
                                                   .order_by(SCAN_RUNS.c.id))]


def all_runs(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(SCAN_RUNS).order_by(SCAN_RUNS.c.id))]
