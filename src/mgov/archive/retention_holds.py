"""Legal holds: a reason, and what it covers (a channel, an organization's subtree, or
everything, each optionally within capture dates). While a hold is not released nothing it
covers is reported due or destroyed, whatever its schedule says. Placing and releasing a
hold are audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from mgov import clock
from mgov.actors import current
from mgov.db import audit
from mgov.db.tables import ARCHIVE_HOLDS, CHANNELS, ORGS
from mgov.errors import InvalidValue, NotFound


@dataclass(frozen=True)
class Hold:
    id: int
    channel_id: int | None
    org_id: int | None
    since: dt.date | None
    until: dt.date | None

    def covers(self, channel_id: int | None, lineage: tuple[int, ...], captured: dt.datetime | None) -> bool:
        """Whether a record of this channel (owned by lineage[0], under the rest), captured
        then, is held. A record with no capture time is held by any hold of its channel."""
        if self.channel_id is not None and self.channel_id != channel_id:
            return False
        if self.org_id is not None and self.org_id not in lineage:
            return False
        if captured is None:
            return True
        day = captured.astimezone(dt.UTC).date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def active(conn: Connection) -> list[Hold]:
    rows = conn.execute(select(ARCHIVE_HOLDS).where(ARCHIVE_HOLDS.c.released_at.is_(None)))
    return [Hold(r.id, r.channel_id, r.org_id, r.since, r.until) for r in rows]


def place(conn: Connection, reason: str, *, channel: str | None = None, organization: str | None = None,
          since: dt.date | None = None, until: dt.date | None = None) -> int:
    """Place a hold; its id."""
    if not reason or not reason.strip():
        raise InvalidValue("a legal hold needs its reason (--reason)")
    if channel and organization:
        raise InvalidValue("a hold covers a channel or an organization, not both (give a date range to narrow it)")
    if since and until and until < since:
        raise InvalidValue(f"the range ends ({until}) before it starts ({since})")
    channel_id = org_id = None
    owner = None
    if channel:
        row = conn.execute(select(CHANNELS.c.id, CHANNELS.c.owner_id).where(CHANNELS.c.address == channel)).first()
        if row is None:
            raise NotFound(f"no channel {channel!r}")
        channel_id, owner = row.id, row.owner_id
    if organization:
        org_id = conn.execute(select(ORGS.c.id).where(ORGS.c.code == organization)).scalar()
        if org_id is None:
            raise NotFound(f"no organization with code {organization!r}")
        owner = org_id
    hold_id = int(conn.execute(insert(ARCHIVE_HOLDS).values(
        reason=reason.strip(), channel_id=channel_id, org_id=org_id, since=since, until=until,
        placed_by=current(conn).name, placed_at=clock.now()).returning(ARCHIVE_HOLDS.c.id)).scalar_one())
    audit.record(conn, "hold.placed", f"hold:{hold_id}", {"reason": reason.strip(), "channel": channel,
                                                        "organization": organization, "since": since, "until": until},
                 organization_id=owner)
    return hold_id


def release(conn: Connection, hold_id: int, reason: str) -> None:
    if not reason or not reason.strip():
        raise InvalidValue("releasing a legal hold needs its reason (--reason)")
    row = conn.execute(select(ARCHIVE_HOLDS).where(ARCHIVE_HOLDS.c.id == hold_id)).first()
    if row is None:
        raise NotFound(f"no legal hold {hold_id}")
    if row.released_at is not None:
        raise InvalidValue(f"legal hold {hold_id} was released on {row.released_at:%Y-%m-%d} by {row.released_by}")
    conn.execute(update(ARCHIVE_HOLDS).where(ARCHIVE_HOLDS.c.id == hold_id).values(
        released_at=clock.now(), released_by=current(conn).name, release_reason=reason.strip()))
    owner = row.org_id
    if owner is None and row.channel_id is not None:
        owner = conn.execute(select(CHANNELS.c.owner_id).where(CHANNELS.c.id == row.channel_id)).scalar()
    audit.record(conn, "hold.released", f"hold:{hold_id}", {"reason": reason.strip(), "held_for": row.reason},
                 organization_id=owner)


def listing(conn: Connection, *, every: bool = False) -> list[dict[str, Any]]:
    """The holds in force (every: released ones too), newest first, with what they cover."""
    h = ARCHIVE_HOLDS
    query = (select(h, CHANNELS.c.address.label("channel"), ORGS.c.code.label("organization"))
             .outerjoin(CHANNELS, CHANNELS.c.id == h.c.channel_id).outerjoin(ORGS, ORGS.c.id == h.c.org_id)
             .order_by(h.c.id.desc()))
    if not every:
        query = query.where(h.c.released_at.is_(None))
    return [dict(r._mapping) for r in conn.execute(query)]
