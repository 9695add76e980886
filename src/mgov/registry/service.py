"""Single-object registry operations behind the CLI (and, later, the API).

Writes go through `sync.apply` like every import, so an edit files the same history
events and obeys the same validation as a bulk load.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, or_, select

from mgov.db.tables import Channel, ChannelEvent, ChannelResponsibility, Organization, Person, RoleAssignment
from mgov.errors import AlreadyExists, InvalidValue, NotFound, RegistryError
from mgov.registry.addresses import normalize_address
from mgov.registry.records import Batch, Origin
from mgov.registry.sync import apply
from mgov.registry.sync_report import ApplyReport

ORG, PERSON, ROLE = Organization.__table__, Person.__table__, RoleAssignment.__table__
CHANNEL, RESP, EVENT = Channel.__table__, ChannelResponsibility.__table__, ChannelEvent.__table__
CLI = Origin("command line")


def write(conn: Connection, batch: Batch, today: dt.date | None = None) -> ApplyReport:
    """Apply batch; any problem refuses the whole operation (the caller rolls back)."""
    report = apply(conn, batch, today)
    if report.problems:
        raise InvalidValue("; ".join(p.reason for p in report.problems))
    return report


def org_row(conn: Connection, code: str) -> dict[str, Any]:
    row = conn.execute(select(ORG).where(ORG.c.code == code)).first()
    if row is None:
        raise NotFound(f"no organization with code {code!r}")
    return dict(row._mapping)


def org_code(conn: Connection, org_id: int | None) -> str | None:
    if org_id is None:
        return None
    return conn.execute(select(ORG.c.code).where(ORG.c.id == org_id)).scalar()


def person_row(conn: Connection, key: str) -> dict[str, Any]:
    row = conn.execute(select(PERSON).where(PERSON.c.key == key)).first()
    if row is None:
        raise NotFound(f"no person with key {key!r}")
    return dict(row._mapping)


def orgs_served(conn: Connection, person_id: int) -> list[int]:
    """Ids of the organizations a person serves: a role held there (now or before), or a channel
    of theirs answered for. A change to the person is their data's change, in that order."""
    by_role = select(ROLE.c.organization_id).where(ROLE.c.person_id == person_id)
    by_channel = (select(CHANNEL.c.owner_id).join(RESP, RESP.c.channel_id == CHANNEL.c.id)
                  .where(RESP.c.person_id == person_id, CHANNEL.c.owner_id.is_not(None)))
    return sorted({int(i) for i in conn.execute(by_role.union(by_channel)).scalars()})


def channel_row(conn: Connection, address: str, kind: str | None = None) -> dict[str, Any]:
    """Find a channel by its normalized address (and kind, where one address has several)."""
    query = select(CHANNEL)
    if kind:
        query = query.where(CHANNEL.c.kind == kind, CHANNEL.c.address == normalize_address(kind, address))
    else:
        candidates = {address.strip()}
        for k in ("website", "other_social", "mini_program", "sms"):
            with contextlib.suppress(InvalidValue):
                candidates.add(normalize_address(k, address))
        query = query.where(CHANNEL.c.address.in_(candidates))
    rows = conn.execute(query).all()
    if not rows:
        raise NotFound(f"no channel at {address!r}" + (f" of kind {kind}" if kind else ""))
    if len(rows) > 1:
        raise RegistryError(f"{address!r} names channels of several kinds "
                            f"({', '.join(r.kind for r in rows)}): add --kind")
    return dict(rows[0]._mapping)


def must_be_new(conn: Connection, table: Any, **key: Any) -> None:
    if conn.execute(select(func.count()).select_from(table).filter_by(**key)).scalar():
        raise AlreadyExists(f"{', '.join(f'{k}={v}' for k, v in key.items())} exists already: use edit")


def list_orgs(conn: Connection, *, tier: str | None = None, parent: str | None = None,
              search: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    parent_t = ORG.alias("parent")
    query = (select(ORG, parent_t.c.code.label("parent"))
             .outerjoin(parent_t, ORG.c.parent_id == parent_t.c.id).order_by(ORG.c.code))
    if tier:
        query = query.where(ORG.c.tier == tier)
    if parent:
        query = query.where(parent_t.c.code == parent)
    if search:
        # ilike: LIKE ignores case on SQLite but not on PostgreSQL; one answer on both.
        like = f"%{search}%"
        query = query.where(or_(ORG.c.code.ilike(like), ORG.c.name_en.ilike(like), ORG.c.name_zh.ilike(like)))
    return [dict(r._mapping) for r in conn.execute(query.limit(limit))]


def list_people(conn: Connection, *, organization: str | None = None, role: str | None = None,
                search: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    query = select(PERSON).order_by(PERSON.c.key)
    if organization or role:
        held = select(ROLE.c.person_id).join(ORG, ORG.c.id == ROLE.c.organization_id)
        if organization:
            held = held.where(ORG.c.code == organization)
        if role:
            held = held.where(ROLE.c.role == role)
        query = query.where(PERSON.c.id.in_(held))
    if search:
        like = f"%{search}%"
        query = query.where(or_(PERSON.c.key.ilike(like), PERSON.c.name.ilike(like)))
    return [dict(r._mapping) for r in conn.execute(query.limit(limit))]


def list_channels(conn: Connection, *, kind: str | None = None, owner: str | None = None,
                  status: str | None = None, tag: str | None = None, search: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    query = (select(CHANNEL, ORG.c.code.label("owner"))
             .outerjoin(ORG, CHANNEL.c.owner_id == ORG.c.id).order_by(CHANNEL.c.kind, CHANNEL.c.address))
    if kind:
        query = query.where(CHANNEL.c.kind == kind)
    if owner:
        query = query.where(ORG.c.code == owner)
    if status:
        query = query.where(CHANNEL.c.status == status)
    if search:
        like = f"%{search}%"
        query = query.where(or_(CHANNEL.c.address.ilike(like), CHANNEL.c.name.ilike(like)))
    rows = [dict(r._mapping) for r in conn.execute(query if tag else query.limit(limit))]
    if tag:  # JSON containment differs per database: filter here
        rows = [r for r in rows if tag in (r["tags"] or [])][:limit]
    return rows


def roles_of(conn: Connection, *, person_id: int | None = None,
             organization_id: int | None = None) -> list[dict[str, Any]]:
    query = (select(ROLE, PERSON.c.key.label("person"), ORG.c.code.label("organization"))
             .join(PERSON, PERSON.c.id == ROLE.c.person_id).join(ORG, ORG.c.id == ROLE.c.organization_id)
             .order_by(ORG.c.code, ROLE.c.role, PERSON.c.key))
    if person_id is not None:
        query = query.where(ROLE.c.person_id == person_id)
    if organization_id is not None:
        query = query.where(ROLE.c.organization_id == organization_id)
    return [dict(r._mapping) for r in conn.execute(query)]


def channel_detail(conn: Connection, channel: dict[str, Any]) -> dict[str, Any]:
    owner = org_code(conn, channel["owner_id"])
    responsible: dict[str, list[str]] = {}
    for role, key in conn.execute(select(RESP.c.role, PERSON.c.key).join(PERSON, PERSON.c.id == RESP.c.person_id)
                                  .where(RESP.c.channel_id == channel["id"]).order_by(RESP.c.role, PERSON.c.key)):
        responsible.setdefault(role, []).append(key)
    history = [{"event": r.event, "date": r.date, "note": r.note, "details": r.details,
                "recorded_at": r.recorded_at}
               for r in conn.execute(select(EVENT).where(EVENT.c.channel_id == channel["id"]).order_by(EVENT.c.id))]
    return {**channel, "owner": owner, "responsible": responsible, "history": history}


def org_names(conn: Connection, jurisdiction: str) -> list[tuple[str, str]]:
    """(code, English name) of a jurisdiction's organizations that have one, in the order they
    were registered: what an importer matches a source's agency names against."""
    rows = conn.execute(select(ORG.c.code, ORG.c.name_en).where(ORG.c.jurisdiction == jurisdiction,
                                                                ORG.c.name_en.is_not(None)).order_by(ORG.c.id))
    return [(r.code, r.name_en) for r in rows]
