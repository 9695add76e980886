"""Jobs: start a scan, crawl or assessment of an organization's subtree or a channel, run in the
background by the server; follow its progress. And the schedules of mgov.toml, read-only."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import Field

from mgov import clock
from mgov.act import jobs as store
from mgov.profiles.names import label
from mgov.scheduler.entries import all_entries
from mgov.scheduler.listing import listing
from mgov.web import display, jobs
from mgov.web.api._body import Body
from mgov.web.api._paging import DEFAULT_LIMIT, After, Limit, paged
from mgov.web.deps import ID, MAX_ID, ApiReader, ApiUser, Conn, Principal

router = APIRouter(tags=["jobs"])


class JobIn(Body):
    kind: Literal["scan", "crawl", "assess"] = Field(description="scan, crawl or assess (an assessment).")
    organization: str | None = Field(None, min_length=1, max_length=200,
                                     description="The subtree: an organization's code within your scope.")
    channel: int | None = Field(None, ge=1, le=MAX_ID, description="Or one website or mobile site (its id).")
    profile: str | None = Field(None, min_length=1, max_length=100, description="assess: the guideline profile.")
    period: str | None = Field(None, min_length=1, max_length=40, description="assess: 2026Q4, 2026-11 or 2026.")


def shown(job: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**job, "kind_label": label("run_kind", job["kind"], lang),
            "state_label": label("job_state", job["state"], lang)}


@router.post("/jobs", status_code=201)
def start_job(request: Request, body: JobIn, p: ApiUser, conn: Conn, response: Response,
              background: BackgroundTasks) -> dict[str, Any]:
    """Start a job (runs.start for a scan or crawl, assess.start for an assessment). While an
    identical one (same kind and target) is queued or running, that one is answered (200)."""
    job, created = jobs.start(request, conn, p, body.kind, organization=body.organization, channel=body.channel,
                              profile=body.profile, period=body.period)
    if not created:
        response.status_code = 200
    background.add_task(jobs.wake, request)  # after the answer: the job is committed by then
    return shown(job, display.api_lang(request, p))


@router.get("/jobs")
def list_jobs(request: Request, p: ApiReader, conn: Conn, after: After = None,
              limit: Limit = DEFAULT_LIMIT) -> dict[str, Any]:
    """Jobs of your scope, newest first: state, progress (done of total), the run or assessment made."""
    rows, nxt = store.list_jobs(conn, p.user.scope, after=after, limit=limit)
    lang = display.api_lang(request, p)
    return paged(request, [shown(r, lang) for r in jobs.seen(request, rows)], nxt)


@router.get("/jobs/{job_id}")
def get_job(request: Request, job_id: ID, p: ApiReader, conn: Conn) -> dict[str, Any]:
    job = jobs.seen(request, [store.get(conn, job_id, p.user.scope)])[0]
    return shown(job, display.api_lang(request, p))


def schedules_of(request: Request, conn: Conn, p: Principal) -> list[dict[str, Any]]:
    """The schedule entries (mgov.toml's and the profiles' defaults) whose target is in the
    reader's scope, each with its last run (time, job, outcome), its next time, overdue flagged."""
    settings = request.app.state.settings
    entries = all_entries(settings)
    rows = listing(conn, settings, entries, clock.now())
    out = []
    for entry, row in zip(entries, rows, strict=True):
        if jobs.schedule_in_scope(conn, p, entry):
            out.append({**entry.model_dump(), **row, "next_at": row["next_due_at"]})
    return out


@router.get("/schedules")
def list_schedules(request: Request, p: ApiReader, conn: Conn) -> dict[str, Any]:
    """What runs when ([[schedule]] of mgov.toml), read-only: kind, target, cron time, its zone,
    the next time, and the command that runs it."""
    return {"items": schedules_of(request, conn, p), "next": None}
