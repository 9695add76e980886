"""The review queue of discovered accounts (mgov discover): accounts that claim a unit in the
reader's scope but are not registered, each with its archived evidence, for a reviewer to
confirm (私开账号 or imposter) or dismiss."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mgov.discover.store import CONFIRMED_AS
from mgov.web import actions
from mgov.web.dashboard._forms import form, run_action
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, Conn, Cursor, PageReader, Principal, page_can
from mgov.web.queries import discovered as q

router = APIRouter()
Decider = Annotated[Principal, page_can("discover.decide")]


@router.get("/discovered")
def discovered_queue(request: Request, p: PageReader, conn: Conn,
                     state: Annotated[str, Query(pattern="^(new|confirmed|dismissed|all)$")] = "new",
                     after: Cursor = 0) -> Response:
    rows, nxt = q.list_discovered(conn, p.user.scope, state=None if state == "all" else state, after=after, limit=50)
    return Pages.of(request).render(request, "discovered.html", p, rows=rows, next_after=nxt, state=state)


@router.get("/discovered/{discovered_id}")
def discovered_page(request: Request, discovered_id: ID, p: PageReader, conn: Conn) -> Response:
    row = q.discovered(conn, p.user.scope, discovered_id)
    records = q.evidence(request.app.state.settings.resolved_archive_dir, row)
    return Pages.of(request).render(request, "discovered_one.html", p, d=row, records=records,
                                    verdicts=CONFIRMED_AS)


@router.post("/discovered/{discovered_id}/decision")
async def discovered_decide(request: Request, discovered_id: ID, p: Decider) -> Response:
    fields = await form(request)
    decision = fields.get("decision", "")
    state, confirmed_as = ("dismissed", None) if decision == "dismiss" else ("confirmed", decision)
    if decision not in (*CONFIRMED_AS, "dismiss"):
        state = decision  # refused by the action, in words
    return await run_action(request, f"/discovered/{discovered_id}", lambda conn: actions.decide_discovered(
        conn, p, discovered_id, state, confirmed_as, fields.get("note")), done="decided")
