"""Which schedule item a channel's captures are kept under.

The most specific rule wins: the channel's own attribute `retention` ("<schedule>/<item>"),
then an assignment naming the channel, then one naming one of its tags, then one naming its
organization or the nearest ancestor named, then one naming its kind. All the selectors an
assignment gives must match, and it counts at the level of its most specific one; its
jurisdiction, when given, must be the owner's. At one level an office's own rule comes
before a shipped one, and among equals the longest retention wins (keeping longer is the
safe error). A channel no rule covers is unscheduled: nothing of it is ever due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from mgov.archive.retention import Assignment, ScheduleItem, Schedules
from mgov.db.tables import CHANNELS, ORGS

ATTRIBUTE = "retention"
LEVELS = {5: "channel attribute", 4: "channel", 3: "tag", 2: "organization", 1: "kind"}


@dataclass(frozen=True)
class ChannelContext:
    """What assignment reads of a channel: its kind, tags, attributes and owner's lineage."""

    id: int
    address: str
    kind: str
    tags: tuple[str, ...]
    attributes: dict[str, Any]
    org_id: int | None
    lineage: tuple[str, ...]  # organization codes, the owner first, then its ancestors
    jurisdiction: str | None
    lineage_ids: tuple[int, ...] = ()  # the same organizations' ids


@dataclass(frozen=True)
class Assigned:
    item: ScheduleItem
    how: str  # which rule: "tag portal (retention_data/da-t-80.toml:assign[1])"


def _level(rule: Assignment, ch: ChannelContext) -> tuple[int, int] | None:
    """(level, closeness) when every selector of the rule matches the channel, else None."""
    if rule.jurisdiction and rule.jurisdiction != ch.jurisdiction:
        return None
    if rule.channels and ch.address not in rule.channels:
        return None
    if rule.tags and not set(rule.tags) & set(ch.tags):
        return None
    if rule.kinds and ch.kind not in rule.kinds:
        return None
    closeness = 0
    if rule.organizations:
        depths = [n for n, code in enumerate(ch.lineage) if code in rule.organizations]
        if not depths:
            return None
        closeness = -min(depths)
    level = 4 if rule.channels else 3 if rule.tags else 2 if rule.organizations else 1
    return level, closeness


def assign(schedules: Schedules, ch: ChannelContext) -> Assigned | None:
    """The item the channel's captures are kept under, and the rule that says so."""
    named = ch.attributes.get(ATTRIBUTE)
    if isinstance(named, str) and named in schedules.items:
        return Assigned(schedules.items[named], f"{LEVELS[5]} {ATTRIBUTE}={named}")
    best: tuple[Any, ...] | None = None
    chosen: Assignment | None = None
    for rule in schedules.assignments:
        matched = _level(rule, ch)
        if matched is None:
            continue
        rank = (*matched, rule.office, schedules.items[rule.item].rank())
        if best is None or rank > best:
            best, chosen = rank, rule
    if chosen is None:
        return None
    return Assigned(schedules.items[chosen.item], f"{LEVELS[best[0] if best else 1]} ({chosen.origin})")


def channel_contexts(conn: Connection, channel_ids: list[int] | None = None) -> list[ChannelContext]:
    """The channels (all, or those given) with what assignment reads of them."""
    orgs = {r.id: r for r in conn.execute(select(ORGS.c.id, ORGS.c.code, ORGS.c.parent_id, ORGS.c.jurisdiction))}
    query = select(CHANNELS.c.id, CHANNELS.c.address, CHANNELS.c.kind, CHANNELS.c.tags, CHANNELS.c.attributes,
                   CHANNELS.c.owner_id).order_by(CHANNELS.c.id)
    if channel_ids is not None:
        query = query.where(CHANNELS.c.id.in_(channel_ids))
    out = []
    for row in conn.execute(query):
        lineage: list[str] = []
        ids: list[int] = []
        current = row.owner_id
        while current is not None and current in orgs and current not in ids:
            ids.append(current)
            lineage.append(orgs[current].code)
            current = orgs[current].parent_id
        owner = orgs.get(row.owner_id) if row.owner_id is not None else None
        out.append(ChannelContext(row.id, row.address, row.kind, tuple(row.tags or ()), dict(row.attributes or {}),
                                  row.owner_id, tuple(lineage), owner.jurisdiction if owner is not None else None,
                                  tuple(ids)))
    return out
