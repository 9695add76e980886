"""The channels an assessment covers, read from the registry.

Its own module because both the assessment (store, service) and the input entry
(manual: finding a channel by address) start from this list.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from mgov.assess.inputs import ChannelInput
from mgov.db.tables import CHANNELS, ORGS
from mgov.profiles import Profile
from mgov.registry import vocab
from mgov.registry.accountability import subtree


def channels_of(conn: Connection, profile: Profile, org: str | None = None) -> list[ChannelInput]:
    """The open channels of the profile's kinds and jurisdiction (under org when given)."""
    orgs = {r.id: dict(r._mapping) for r in conn.execute(select(ORGS))}
    scope = subtree(orgs, org) if org else None
    rows = conn.execute(select(CHANNELS).where(CHANNELS.c.kind.in_(profile.kinds),
                                               CHANNELS.c.status.in_(vocab.OPEN_STATUSES))
                        .order_by(CHANNELS.c.id)).all()
    out = []
    for r in rows:
        owner = orgs.get(r.owner_id) if r.owner_id is not None else None
        if owner is None or owner["jurisdiction"] != profile.jurisdiction:
            continue
        if scope is not None and owner["code"] not in scope:
            continue
        out.append(ChannelInput(str(r.id), r.address, r.kind, owner["tier"], owner["code"], tuple(r.tags or ()),
                                bool(owner["no_external_service"])))
    return out
