"""Discovered accounts in the database: the units to search for, the accounts already
registered, the candidates a discovery found (one row per account, its sightings merged),
and a reviewer's decision on one (audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from mgov import clock
from mgov.db import audit
from mgov.db.tables import CHANNELS, DISCOVERED, ORGS
from mgov.discover.match import UnitNames, unit_names
from mgov.errors import InvalidValue, NotFound

STATES = ("new", "confirmed", "dismissed")
CONFIRMED_AS = ("private", "imposter")  # 私开账号 (opened by staff without filing), 仿冒账号
MAX_EVIDENCE = 20  # WARC references kept per account: its first sightings and its latest


@dataclass
class Found:
    """An account a search returned, not registered, that claims a unit."""

    platform: str
    kind: str
    address: str
    name: str
    org_id: int
    matched: str
    url: str | None = None
    certification: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)


def units(conn: Connection, org: str | None = None) -> list[UnitNames]:
    """The active organizations to search for (org and those below it; None: all), with their names."""
    query = select(ORGS.c.id, ORGS.c.code, ORGS.c.name_zh, ORGS.c.name_en, ORGS.c.parent_id).where(
        ORGS.c.active.is_(True))
    rows = conn.execute(query.order_by(ORGS.c.id)).all()
    if org is not None:
        root = next((r.id for r in rows if r.code == org), None)
        if root is None:
            raise NotFound(f"no organization with code {org!r}")
        keep, children = {root}, dict[int | None, list[int]]()
        for r in rows:
            children.setdefault(r.parent_id, []).append(r.id)
        stack = [root]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in keep:
                    keep.add(child)
                    stack.append(child)
        rows = [r for r in rows if r.id in keep]
    found = [unit_names(r.id, r.code, r.name_zh, r.name_en) for r in rows]
    return [u for u in found if u.names]


def registered_keys(conn: Connection) -> set[tuple[str, str]]:
    """(kind, address) of every registered channel, whatever its status, lower-cased too for
    the platforms whose account names ignore case."""
    keys = set()
    for kind, address in conn.execute(select(CHANNELS.c.kind, CHANNELS.c.address)):
        keys.add((kind, address))
        keys.add((kind, address.lower()))
    return keys


def is_registered(keys: set[tuple[str, str]], platform: str, kind: str, address: str) -> bool:
    """Registered as found, in any case, or as an other_social account of its platform
    (a Weibo account a non-Chinese registry lists as weibo:UID)."""
    return any(k in keys for k in ((kind, address), (kind, address.lower()), ("other_social", f"{platform}:{address}"),
                                   ("other_social", f"{platform}:{address}".lower())))


def save(conn: Connection, found: list[Found], now: dt.datetime | None = None) -> dict[str, int]:
    """Store what a discovery found: new accounts as `new`; an account seen before keeps its
    state and decision, its last sighting, name and evidence move on (a new account still
    undecided follows the unit it now claims most specifically)."""
    now = now or clock.now()
    counts = {"new": 0, "seen_again": 0}
    if not found:
        return counts
    stored = {(r.kind, r.address): r for r in conn.execute(select(DISCOVERED))}
    for f in found:
        row = stored.get((f.kind, f.address))
        if row is None:
            conn.execute(insert(DISCOVERED).values(
                platform=f.platform, kind=f.kind, address=f.address, name=f.name[:500], url=f.url,
                certification=f.certification, organization_id=f.org_id, matched=f.matched[:500], first_seen=now,
                last_seen=now, evidence=f.evidence[:MAX_EVIDENCE], state="new"))
            counts["new"] += 1
            continue
        evidence = list(row.evidence or []) + [e for e in f.evidence if e not in (row.evidence or [])]
        if len(evidence) > MAX_EVIDENCE:
            evidence = evidence[:5] + evidence[-(MAX_EVIDENCE - 5):]
        values: dict[str, Any] = {"last_seen": now, "name": f.name[:500], "url": f.url or row.url,
                                  "certification": f.certification, "evidence": evidence}
        if row.state == "new":
            values |= {"organization_id": f.org_id, "matched": f.matched[:500]}
        conn.execute(update(DISCOVERED).where(DISCOVERED.c.id == row.id).values(**values))
        counts["seen_again"] += 1
    return counts


def get(conn: Connection, discovered_id: int) -> dict[str, Any]:
    row = conn.execute(select(DISCOVERED).where(DISCOVERED.c.id == discovered_id)).first()
    if row is None:
        raise NotFound(f"no discovered account {discovered_id}")
    return dict(row._mapping)


def decide(conn: Connection, discovered_id: int, state: str, *, confirmed_as: str | None = None,
           note: str | None = None, by: str) -> dict[str, Any]:
    """A reviewer's decision: `confirmed` (as a 私开账号 `private` or an `imposter`, with a note
    saying why) or `dismissed` (not the unit's: a namesake, a fan page...). A decision may be
    changed; each is in the audit log with what it replaced."""
    note = (note or "").strip() or None
    if state not in ("confirmed", "dismissed"):
        raise InvalidValue(f"unknown decision {state!r} (choose from: confirmed, dismissed)")
    if state == "confirmed":
        if confirmed_as not in CONFIRMED_AS:
            raise InvalidValue(f"confirm as one of: {', '.join(CONFIRMED_AS)} (私开账号 or imposter)")
        if note is None:
            raise InvalidValue("a confirmation needs a note saying why (the evidence seen, who was asked)")
    else:
        confirmed_as = None
    row = get(conn, discovered_id)
    now = clock.now()
    conn.execute(update(DISCOVERED).where(DISCOVERED.c.id == discovered_id).values(
        state=state, confirmed_as=confirmed_as, note=note, decided_by=by[:200], decided_at=now))
    after = {"state": state, "confirmed_as": confirmed_as, "note": note}
    audit.record(conn, f"discovered.{state}", f"discovered:{discovered_id}",
                 {"changes": audit.diff({k: row[k] for k in after}, after), "platform": row["platform"],
                  "address": row["address"], "name": row["name"]}, organization_id=row["organization_id"])
    return get(conn, discovered_id)


def listing(conn: Connection, *, where: Any = None, state: str | None = None, org_ids: Any = None,
            platform: str | None = None, after: int | None = None, limit: int = 50) -> tuple[list[dict[str, Any]],
                                                                                              int | None]:
    """Discovered accounts by id (oldest first), with the unit each claims; (rows, next cursor).
    where: a further condition (a reader's scope); org_ids: a SELECT of organization ids."""
    if state is not None and state not in STATES:
        raise InvalidValue(f"unknown state {state!r} (choose from: {', '.join(STATES)})")
    query = (select(DISCOVERED, ORGS.c.code.label("organization"), ORGS.c.name_zh.label("organization_zh"),
                    ORGS.c.name_en.label("organization_en"))
             .outerjoin(ORGS, ORGS.c.id == DISCOVERED.c.organization_id).order_by(DISCOVERED.c.id).limit(limit + 1))
    if where is not None:
        query = query.where(where)
    if state:
        query = query.where(DISCOVERED.c.state == state)
    if org_ids is not None:
        query = query.where(DISCOVERED.c.organization_id.in_(org_ids))
    if platform:
        query = query.where(DISCOVERED.c.platform == platform)
    if after:
        query = query.where(DISCOVERED.c.id > after)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more and rows else None)
