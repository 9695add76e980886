"""Notification targets: where an organization's veto, overdue, escalation and digest messages go."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy import Connection

from mgov.act import notify
from mgov.web import actions
from mgov.web.api._body import Body
from mgov.web.deps import ID, Conn, Principal, api_can

router = APIRouter(tags=["notifications"])
NotifyManager = Annotated[Principal, api_can("notify.manage")]
Event = Literal["veto", "overdue", "escalated", "digest"]


def _every_event() -> list[Event]:
    return ["veto", "overdue", "escalated", "digest"]


class TargetIn(Body):
    kind: Literal["email", "webhook"]
    address: str = Field(min_length=3, max_length=2000, description="An e-mail address or an http(s) URL.")
    organization: str | None = Field(None, max_length=200, description="Its subtree's events (none: everything).")
    events: list[Event] = Field(default_factory=_every_event)
    secret: str | None = Field(None, min_length=16, max_length=200, description="Webhooks: signs the body "
                               "(generated when not given, and shown once).")
    lang: Literal["zh", "en"] | None = None


def _in_scope(conn: Connection, p: Principal) -> Any:
    if p.user.scope.everything:
        return None
    return [row[0] for row in conn.execute(p.user.scope.org_ids())]


@router.get("/notification-targets")
def list_targets(p: NotifyManager, conn: Conn) -> dict[str, Any]:
    """Your organizations' active targets (secrets are never shown)."""
    return {"items": notify.list_targets(conn, organization_ids=_in_scope(conn, p)), "next": None}


@router.post("/notification-targets", status_code=201)
def add_target(body: TargetIn, request: Request, p: NotifyManager, conn: Conn) -> dict[str, Any]:
    """A new target; a webhook's `secret` is in this answer only."""
    return actions.add_target(conn, p, body.model_dump(), request.app.state.settings.allow_private)


@router.delete("/notification-targets/{target_id}")
def remove_target(target_id: ID, p: NotifyManager, conn: Conn) -> dict[str, Any]:
    """Stop sending to a target (what it was sent stays on record)."""
    return actions.remove_target(conn, p, target_id)


@router.get("/notification-targets/{target_id}/deliveries")
def deliveries(target_id: ID, p: NotifyManager, conn: Conn) -> dict[str, Any]:
    """What was sent to a target, newest first (the last 100)."""
    actions.target_in_scope(conn, p, target_id)
    return {"items": notify.sent_log(conn, target_id=target_id), "next": None}
