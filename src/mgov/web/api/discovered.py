"""Accounts that claim a unit's name but are not registered (mgov discover): the list in your
scope, and a reviewer's decision on one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from mgov.web import actions
from mgov.web.api._body import Body
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, ApiReader, Conn, Principal, api_can
from mgov.web.queries import discovered as q

router = APIRouter(tags=["discovered accounts"])
Decider = Annotated[Principal, api_can("discover.decide")]


class DecisionIn(Body):
    decision: Literal["confirmed", "dismissed"]
    confirmed_as: Literal["private", "imposter"] | None = Field(
        None, description="With confirmed: private (私开账号, the unit's own but not filed) or imposter (仿冒).")
    note: str | None = Field(None, max_length=2000, description="Why (required to confirm).")


@router.get("/discovered")
def list_discovered(request: Request, p: ApiReader, conn: Conn,
                    state: Annotated[str | None, Query(pattern="^(new|confirmed|dismissed)$")] = None,
                    after: After = None, limit: Limit = DEFAULT_LIMIT) -> dict[str, Any]:
    """Accounts found by platform search that claim an organization in your scope and are not
    registered: platform, address, name, the unit claimed, first and last seen, the WARC
    records of the search answers, and the review state."""
    items, nxt = q.list_discovered(conn, p.user.scope, state=state, after=after or 0, limit=limit)
    return paged(request, items, nxt)


@router.get("/discovered/{discovered_id}")
def get_discovered(discovered_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    return q.discovered(conn, p.user.scope, discovered_id)


@router.post("/discovered/{discovered_id}/decision")
def decide(discovered_id: ID, body: DecisionIn, p: Decider, conn: Conn) -> dict[str, Any]:
    """Confirm (as private or imposter, with a note) or dismiss; recorded in the audit log."""
    actions.decide_discovered(conn, p, discovered_id, body.decision, body.confirmed_as, body.note)
    return q.discovered(conn, p.user.scope, discovered_id)
