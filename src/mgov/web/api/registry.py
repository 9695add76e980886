"""Organizations, people and channels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field, StringConstraints

from mgov.web import actions, contacts, display, exports
from mgov.web.api import _filters
from mgov.web.api._body import Body
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, ApiReader, Conn, Principal, api_can
from mgov.web.queries import registry as q

router = APIRouter(tags=["registry"])
RegistryWriter = Annotated[Principal, api_can("registry.write")]
# `?q=` (the parameter is q_ in the routes: q is the queries module).
Search = Annotated[str | None, Query(alias="q", max_length=200, description="Text in the code, name or address.")]
# A channel's attributes are a few registered facts (site_code...), not a store.
MAX_ATTRIBUTES = 50
Attributes = dict[Annotated[str, StringConstraints(min_length=1, max_length=100)],
                  Annotated[str, StringConstraints(max_length=2000)]]
ATTRIBUTES_HELP = f"Registered facts checks compare against, e.g. site_code (at most {MAX_ATTRIBUTES})."


class OrgIn(Body):
    code: str = Field(min_length=1, max_length=200)
    jurisdiction: str = Field(max_length=8)
    tier: str = Field(max_length=40)
    name_zh: str | None = Field(None, max_length=500)
    name_en: str | None = Field(None, max_length=500)
    parent: str | None = Field(None, max_length=200)
    region_code: str | None = Field(None, max_length=20)
    no_external_service: bool = False
    time_zone: str | None = Field(None, max_length=64, description="IANA zone (default: the jurisdiction's).")


class OrgPatch(Body):
    name_zh: str | None = Field(None, max_length=500)
    name_en: str | None = Field(None, max_length=500)
    tier: str | None = Field(None, max_length=40)
    parent: str | None = Field(None, max_length=200)
    region_code: str | None = Field(None, max_length=20)
    no_external_service: bool | None = None
    active: bool | None = None
    time_zone: str | None = Field(None, max_length=64, description="IANA zone; \"\" for the jurisdiction's default.")


class ChannelIn(Body):
    kind: str = Field(max_length=30)
    address: str = Field(min_length=1, max_length=2000)
    owner: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=50)
    attributes: Attributes = Field(default_factory=dict, max_length=MAX_ATTRIBUTES, description=ATTRIBUTES_HELP)
    responsible: dict[str, list[str]] = Field(default_factory=dict, description="role -> person keys")


class ChannelPatch(Body):
    name: str | None = Field(None, max_length=500)
    owner: str | None = Field(None, max_length=200)
    status: str | None = Field(None, max_length=20)
    tags: list[str] | None = Field(None, max_length=50)
    attributes: Attributes | None = Field(None, max_length=MAX_ATTRIBUTES, description=ATTRIBUTES_HELP)
    responsible: dict[str, list[str]] | None = None
    note: str | None = Field(None, max_length=2000, description="Note for the change event.")


class PersonIn(Body):
    key: str = Field(min_length=1, max_length=320)
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    organization: str | None = Field(None, max_length=200, description=(
        "The organization (in your scope) where the person takes `role`; required unless you see the "
        "whole registry: a person belongs to the organizations they serve."))
    role: str | None = Field(None, max_length=40)


class PersonPatch(Body):
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)


class RoleIn(Body):
    person: str = Field(min_length=1, max_length=320)
    role: str = Field(max_length=40)


@router.get("/organizations", **exports.EXPORTABLE)
def list_organizations(request: Request, p: ApiReader, conn: Conn, tier: str | None = None,
                       parent: str | None = None, q_: Search = None, after: After = None,
                       limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    _filters.check(tier=("tier", tier))
    if format:
        return exports.respond(request, p, "organizations", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_orgs(c, p.user.scope, tier=tier, parent=parent, q=q_, after=a or 0, limit=n)))
    items, nxt = q.list_orgs(conn, p.user.scope, tier=tier, parent=parent, q=q_, after=after or 0, limit=limit)
    return paged(request, items, nxt)


@router.get("/organizations/{code}")
def get_organization(code: str, p: ApiReader, conn: Conn) -> dict[str, Any]:
    return contacts.org(p.user, q.org_detail(conn, p.user.scope, code))


@router.post("/organizations", status_code=201)
def create_organization(body: OrgIn, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    return contacts.org(p.user, q.org_detail(conn, p.user.scope, actions.create_org(conn, p, body.model_dump())))


@router.patch("/organizations/{code}")
def edit_organization(code: str, body: OrgPatch, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    actions.edit_org(conn, p, code, body.model_dump(exclude_unset=True))
    return contacts.org(p.user, q.org_detail(conn, p.user.scope, code))


@router.post("/organizations/{code}/roles", status_code=201)
def assign_role(code: str, body: RoleIn, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    actions.assign_role(conn, p, code, body.person, body.role)
    return contacts.org(p.user, q.org_detail(conn, p.user.scope, code))


@router.get("/people", **exports.EXPORTABLE)
def list_people(request: Request, p: ApiReader, conn: Conn, q_: Search = None, after: After = None,
                limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    if format:
        return exports.respond(request, p, "people", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_people(c, p.user.scope, q=q_, after=a or 0, limit=n)),
            shape=lambda rows: contacts.people(p.user, rows))
    items, nxt = q.list_people(conn, p.user.scope, q=q_, after=after or 0, limit=limit)
    return paged(request, contacts.people(p.user, items), nxt)


@router.get("/people/{key}")
def get_person(key: str, p: ApiReader, conn: Conn) -> dict[str, Any]:
    return contacts.person(p.user, q.person_detail(conn, p.user.scope, key))


@router.post("/people", status_code=201)
def create_person(body: PersonIn, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    actions.create_person(conn, p, body.key, body.model_dump(exclude={"key"}))
    return contacts.person(p.user, q.person_detail(conn, p.user.scope, body.key))


@router.patch("/people/{key}")
def edit_person(key: str, body: PersonPatch, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    actions.edit_person(conn, p, key, body.model_dump(exclude_unset=True))
    return contacts.person(p.user, q.person_detail(conn, p.user.scope, key))


@router.get("/channels", **exports.EXPORTABLE)
def list_channels(request: Request, p: ApiReader, conn: Conn, kind: str | None = None, owner: str | None = None,
                  status: str | None = None, q_: Search = None, after: After = None,
                  limit: Limit = DEFAULT_LIMIT, format: exports.ExportFormat = None) -> dict[str, Any] | Response:
    _filters.check(kind=("channel_kind", kind), status=("channel_status", status))
    if format:
        return exports.respond(request, p, "channels", format, display.api_lang(request, p), lambda c, a, n: (
            q.list_channels(c, p.user.scope, kind=kind, owner=owner, status=status, q=q_, after=a or 0, limit=n)))
    items, nxt = q.list_channels(conn, p.user.scope, kind=kind, owner=owner, status=status, q=q_, after=after or 0,
                                 limit=limit)
    return paged(request, items, nxt)


@router.get("/channels/{channel_id}")
def get_channel(channel_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    return contacts.channel(p.user, q.channel_detail(conn, p.user.scope, channel_id))


@router.post("/channels", status_code=201)
def create_channel(body: ChannelIn, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    channel_id = actions.create_channel(conn, p, body.model_dump())
    return contacts.channel(p.user, q.channel_detail(conn, p.user.scope, channel_id))


@router.patch("/channels/{channel_id}")
def edit_channel(channel_id: ID, body: ChannelPatch, p: RegistryWriter, conn: Conn) -> dict[str, Any]:
    actions.edit_channel(conn, p, channel_id, body.model_dump(exclude_unset=True))
    return contacts.channel(p.user, q.channel_detail(conn, p.user.scope, channel_id))
