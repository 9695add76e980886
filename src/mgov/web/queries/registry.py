"""The registry as a user sees it: organizations, people and channels within scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from mgov.accounts import Scope
from mgov.db.tables import CHANNELS, ORGS, PEOPLE
from mgov.errors import NotFound
from mgov.registry import service
from mgov.web.queries import page

PARENT = ORGS.alias("parent")


def _like(q: str) -> str:
    return f"%{q}%"


def list_orgs(conn: Connection, scope: Scope, *, tier: str | None = None, parent: str | None = None,
              q: str | None = None, after: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    query = (select(ORGS, PARENT.c.code.label("parent")).outerjoin(PARENT, ORGS.c.parent_id == PARENT.c.id)
             .where(scope.orgs(ORGS.c.id), ORGS.c.id > after).order_by(ORGS.c.id).limit(limit + 1))
    if tier:
        query = query.where(ORGS.c.tier == tier)
    if parent:
        query = query.where(PARENT.c.code == parent)
    if q:
        query = query.where(or_(ORGS.c.code.ilike(_like(q)), ORGS.c.name_zh.ilike(_like(q)),
                                ORGS.c.name_en.ilike(_like(q))))
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def org_id_in_scope(conn: Connection, scope: Scope, code: str) -> int:
    org_id = conn.execute(select(ORGS.c.id).where(ORGS.c.code == code)).scalar()
    if org_id is None or not scope.has_org(conn, org_id):
        raise NotFound(f"no organization with code {code!r}")  # out of scope reads as absent
    return int(org_id)


def org_detail(conn: Connection, scope: Scope, code: str) -> dict[str, Any]:
    """An organization with its parent, its children (each with their channel and child
    counts, for drilling down), its channels and the roles held there."""
    org_id = org_id_in_scope(conn, scope, code)
    row = conn.execute(select(ORGS, PARENT.c.code.label("parent")).outerjoin(PARENT, ORGS.c.parent_id == PARENT.c.id)
                       .where(ORGS.c.id == org_id)).one()
    org = dict(row._mapping)
    if org["parent_id"] is not None and not scope.has_org(conn, org["parent_id"]):
        org["parent"] = None  # above the user's subtree: not theirs to see
    grand = ORGS.alias("grandchild")
    owned = select(func.count()).select_from(CHANNELS).where(CHANNELS.c.owner_id == ORGS.c.id).scalar_subquery()
    kids = select(func.count()).select_from(grand).where(grand.c.parent_id == ORGS.c.id).scalar_subquery()
    org["children"] = [dict(r._mapping) for r in conn.execute(
        select(ORGS.c.code, ORGS.c.name_zh, ORGS.c.name_en, ORGS.c.tier, owned.label("channels"),
               kids.label("children")).where(ORGS.c.parent_id == org_id).order_by(ORGS.c.code))]
    org["channels"] = [dict(r._mapping) for r in conn.execute(
        select(CHANNELS.c.id, CHANNELS.c.kind, CHANNELS.c.address, CHANNELS.c.name, CHANNELS.c.status)
        .where(CHANNELS.c.owner_id == org_id).order_by(CHANNELS.c.kind, CHANNELS.c.address))]
    org["roles"] = service.roles_of(conn, organization_id=org_id)
    return org


def list_channels(conn: Connection, scope: Scope, *, kind: str | None = None, owner: str | None = None,
                  status: str | None = None, q: str | None = None, after: int = 0,
                  limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    query = (select(CHANNELS, ORGS.c.code.label("owner")).outerjoin(ORGS, CHANNELS.c.owner_id == ORGS.c.id)
             .where(scope.orgs(CHANNELS.c.owner_id), CHANNELS.c.id > after).order_by(CHANNELS.c.id)
             .limit(limit + 1))
    for column, value in ((CHANNELS.c.kind, kind), (ORGS.c.code, owner), (CHANNELS.c.status, status)):
        if value:
            query = query.where(column == value)
    if q:
        query = query.where(or_(CHANNELS.c.address.ilike(_like(q)), CHANNELS.c.name.ilike(_like(q))))
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def channel_in_scope(conn: Connection, scope: Scope, channel_id: int) -> dict[str, Any]:
    row = conn.execute(select(CHANNELS).where(CHANNELS.c.id == channel_id)).first()
    if row is None or not scope.has_org(conn, row.owner_id):
        raise NotFound(f"no channel {channel_id}")
    return dict(row._mapping)


def channel_detail(conn: Connection, scope: Scope, channel_id: int) -> dict[str, Any]:
    return service.channel_detail(conn, channel_in_scope(conn, scope, channel_id))


def list_people(conn: Connection, scope: Scope, *, q: str | None = None, after: int = 0,
                limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    query = (select(PEOPLE).where(scope.people(PEOPLE.c.id), PEOPLE.c.id > after).order_by(PEOPLE.c.id)
             .limit(limit + 1))
    if q:
        query = query.where(or_(PEOPLE.c.key.ilike(_like(q)), PEOPLE.c.name.ilike(_like(q))))
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def person_id_in_scope(conn: Connection, scope: Scope, key: str) -> int:
    """The person a key names, when they serve an organization in scope (Scope.people)."""
    person_id = conn.execute(select(PEOPLE.c.id).where(PEOPLE.c.key == key, scope.people(PEOPLE.c.id))).scalar()
    if person_id is None:
        raise NotFound(f"no person with key {key!r}")  # out of scope reads as absent
    return int(person_id)


def person_detail(conn: Connection, scope: Scope, key: str) -> dict[str, Any]:
    row = conn.execute(select(PEOPLE).where(PEOPLE.c.id == person_id_in_scope(conn, scope, key))).one()
    person = dict(row._mapping)
    person["roles"] = [r for r in service.roles_of(conn, person_id=row.id) if scope.has_org(conn, r["organization_id"])]
    return person


def channel_owners(conn: Connection, addresses: list[str]) -> dict[str, int]:
    """The organization owning the channel at each of these addresses (those registered)."""
    return {str(address): int(owner) for address, owner in conn.execute(
        select(CHANNELS.c.address, CHANNELS.c.owner_id).where(CHANNELS.c.address.in_(addresses)))}
