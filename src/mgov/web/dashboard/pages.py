"""The overview, the organization tree, channels, and findings with their evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from mgov import zones
from mgov.checks.plugins import all_checks
from mgov.errors import NotFound
from mgov.registry import vocab
from mgov.web import actions, contacts, exports
from mgov.web.dashboard import job_pages
from mgov.web.dashboard._forms import form, run_action, tags
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, INDEX, Conn, Cursor, IdQuery, PageReader, Principal, page_can
from mgov.web.queries import act as act_q
from mgov.web.queries import archive_history as archive_q
from mgov.web.queries import assessments as assess_q
from mgov.web.queries import monitoring as mon_q
from mgov.web.queries import orgtree
from mgov.web.queries import registry as reg_q
from mgov.web.queries import rendered as rendered_q

router = APIRouter()
RegistryWriter = Annotated[Principal, page_can("registry.write")]
HISTORY = 20  # a record's newest changes shown on its page (the audit log has them all)


@router.get("/")
def overview(request: Request, p: PageReader, conn: Conn) -> Response:
    data = assess_q.overview(conn, p.user.scope, request.app.state.memo)
    overdue, _ = act_q.list_tasks(conn, p.user.scope, overdue=True, limit=5)
    return Pages.of(request).render(request, "overview.html", p, head=data.pop("assessment"), data=data,
                                    overdue=overdue)


@router.get("/orgs")
def org_tree(request: Request, p: PageReader, conn: Conn, q: Annotated[str | None, Query(max_length=200)] = None,
             after: Annotated[str, Query(max_length=100)] = "") -> Response:
    found = orgtree.tree(conn, p.user.scope, q=(q or "").strip() or None, after=after)
    roots = found["roots"]
    if not q and p.user.organization and len(roots) == 1 and not roots[0]["children"]:
        return RedirectResponse(f"/orgs/{p.user.organization}", status_code=303)  # one organization: its page
    return Pages.of(request).render(request, "orgs.html", p, q=q or "", next_after=found.pop("next_after"), **found)


@router.get("/orgs/{code}")
def org_page(request: Request, code: str, p: PageReader, conn: Conn) -> Response:
    org = contacts.org(p.user, reg_q.org_detail(conn, p.user.scope, code))
    return Pages.of(request).render(request, "org.html", p, org=org, kinds=vocab.CHANNEL_KINDS,
                                    tiers=vocab.TIERS.get(org["jurisdiction"], {}),
                                    default_zone=zones.default_for(org["jurisdiction"]),
                                    jobs=job_pages.recent(conn, p, f"org:{code}"),
                                    changes=_changes(conn, p, f"organization:{code}"))


def _changes(conn: Any, p: Principal, subject: str) -> list[dict[str, Any]] | None:
    """A record's own history in the audit log (its newest changes), for readers of the log."""
    if not p.user.can("audit.read"):
        return None
    return act_q.audit_entries(conn, p.user.scope, subject=subject, limit=HISTORY)[0]


@router.post("/orgs/{code}/edit")
async def org_edit(request: Request, code: str, p: RegistryWriter) -> Response:
    fields = await form(request)
    changes: dict[str, Any] = {k: fields.get(k) for k in ("name_zh", "name_en") if k in fields}
    if "tier" in fields:
        changes["tier"] = fields["tier"]
    changes["no_external_service"] = fields.get("no_external_service") == "on"
    if "time_zone" in fields:
        changes["time_zone"] = fields["time_zone"]
    return await run_action(request, f"/orgs/{code}", lambda conn: actions.edit_org(conn, p, code, changes))


@router.post("/orgs/{code}/channels")
async def channel_add(request: Request, code: str, p: RegistryWriter) -> Response:
    fields = await form(request)
    new = {"kind": fields.get("kind", ""), "address": fields.get("address", ""), "name": fields.get("name"),
           "owner": code, "tags": tags(fields.get("tags"))}
    return await run_action(request, f"/orgs/{code}", lambda conn: actions.create_channel(conn, p, new))


@router.get("/channels")
def channels(request: Request, p: PageReader, conn: Conn, q: Annotated[str | None, Query(max_length=200)] = None,
             kind: str | None = None, status: str | None = None, after: Cursor = 0,
             format: exports.ExportFormat = None) -> Response:
    if format:
        return exports.respond(request, p, "channels", format, Pages.lang_of(request, p), lambda c, a, n: (
            reg_q.list_channels(c, p.user.scope, q=q or None, kind=kind or None, status=status or None,
                                after=a or 0, limit=n)))
    rows, nxt = reg_q.list_channels(conn, p.user.scope, q=q, kind=kind or None, status=status or None,
                                    after=after, limit=50)
    return Pages.of(request).render(request, "channels.html", p, rows=rows, next_after=nxt, q=q or "",
                                    kind=kind or "", status=status or "", kinds=vocab.CHANNEL_KINDS,
                                    statuses=vocab.CHANNEL_STATUSES)


@router.get("/channels/{channel_id}")
def channel_page(request: Request, channel_id: ID, p: PageReader, conn: Conn) -> Response:
    channel = contacts.channel(p.user, reg_q.channel_detail(conn, p.user.scope, channel_id))
    scores = assess_q.channel_scores(conn, channel_id)
    latest = assess_q.result(conn, p.user.scope, scores[0]["id"], channel_id) if scores else None
    tasks, _ = act_q.list_tasks(conn, p.user.scope, channel_id=channel_id, limit=50)
    tasks = contacts.tasks(p.user, tasks)
    disputes, _ = act_q.list_disputes(conn, p.user.scope, channel_id=channel_id, limit=50)
    disputed = {(d["assessment_id"], d["indicator_id"]) for d in disputes if d["status"] != "upheld"}
    return Pages.of(request).render(
        request, "channel.html", p, channel=channel, findings=mon_q.latest_findings(conn, channel_id),
        scores=scores, latest=latest, tasks=tasks, disputes=disputes, disputed=disputed,
        statuses=vocab.CHANNEL_STATUSES, jobs=job_pages.recent(conn, p, f"channel:{channel_id}"),
        changes=_changes(conn, p, f"channel:{channel_id}"),
        captures=archive_q.channel_captures(conn, request.app.state.settings, channel_id))


@router.post("/channels/{channel_id}/edit")
async def channel_edit(request: Request, channel_id: ID, p: RegistryWriter) -> Response:
    fields = await form(request)
    changes: dict[str, Any] = {k: fields[k] for k in ("name", "owner", "status", "note") if k in fields}
    changes["tags"] = tags(fields.get("tags"))
    return await run_action(request, f"/channels/{channel_id}",
                            lambda conn: actions.edit_channel(conn, p, channel_id, changes))


@router.get("/findings")
def findings(request: Request, p: PageReader, conn: Conn, channel: IdQuery = None,
             check: Annotated[str | None, Query(max_length=80)] = None,
             status: Annotated[str | None, Query(pattern="^(|pass|fail|warn|error|not_applicable)$")] = None,
             scan: IdQuery = None, after: Cursor = 0, format: exports.ExportFormat = None) -> Response:
    """Findings newest first, by channel, check, outcome or scan (the channel page links here)."""
    def fetch(c: Any, a: Any, n: int) -> Any:
        return mon_q.list_findings(c, p.user.scope, channel_id=channel, check=check or None, status=status or None,
                                   run_id=scan, after=a, limit=n)
    if format:
        return exports.respond(request, p, "findings", format, Pages.lang_of(request, p), fetch)
    shown = reg_q.channel_in_scope(conn, p.user.scope, channel) if channel else None
    rows, nxt = fetch(conn, after, 50)
    return Pages.of(request).render(request, "findings.html", p, rows=rows, next_after=nxt, channel=shown, scan=scan,
                                    chosen_check=check or "", status=status or "", checks=sorted(all_checks()),
                                    statuses=("fail", "warn", "error", "pass", "not_applicable"))


@router.get("/findings/{finding_id}")
def finding_page(request: Request, finding_id: ID, p: PageReader, conn: Conn) -> Response:
    found = mon_q.finding(conn, p.user.scope, finding_id)
    archive = request.app.state.settings.resolved_archive_dir
    records = []
    for n in range(len(found["evidence"] or [])):
        try:
            records.append(mon_q.evidence(conn, p.user.scope, archive, finding_id, n))
        except NotFound as exc:
            records.append({"index": n, "missing": str(exc)})
    for record, link in zip(records, archive_q.evidence_links(conn, request.app.state.settings,
                                                                found["evidence"] or []), strict=True):
        record["replay"] = link
    history = mon_q.check_history(conn, found["channel_id"], found["check_id"])
    return Pages.of(request).render(request, "finding.html", p, finding=found, records=records, history=history,
                                    shots=rendered_q.shots(records, found["value"]),
                                    rules=rendered_q.rules(found["value"]))


@router.get("/findings/{finding_id}/screenshot/{index}")
def finding_screenshot(request: Request, finding_id: ID, index: INDEX, p: PageReader, conn: Conn) -> Response:
    """A screenshot among a finding's evidence (a WARC resource record), within scope."""
    found = mon_q.finding(conn, p.user.scope, finding_id)
    body = rendered_q.screenshot(request.app.state.settings.resolved_archive_dir, found, index)
    return Response(body, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
