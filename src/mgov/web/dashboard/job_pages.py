"""Jobs on the dashboard: the "Scan now", "Crawl now" and "Assess" forms start one (POST /jobs),
its page follows it to its end (refreshing itself while it runs), the list shows the scope's;
the runs with their progress on the cluster's workers; and the schedules of mgov.toml, read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from mgov import clock
from mgov.act import jobs as store
from mgov.act.schedule import previous_period
from mgov.errors import MgovError
from mgov.profiles import load_all
from mgov.web import jobs
from mgov.web.api.jobs import schedules_of
from mgov.web.api.runs import runs_of
from mgov.web.dashboard._forms import back, form, safe_next
from mgov.web.dashboard.render import Pages
from mgov.web.deps import ID, MAX_ID, Conn, PageReader, PageUser, Principal

router = APIRouter()
PAGE = 50
RECENT = 3  # jobs shown on the page of their target
REFRESH = 3  # seconds between the reloads of a running job's page
OptionalCursor = Annotated[int | None, Query(ge=0, le=MAX_ID)]


@router.post("/jobs")
async def start_job(request: Request, p: PageUser) -> Response:
    """From a form: kind, and organization (a code) or channel (an id); for an assessment profile
    and period. To the job's page (a new one or the identical one already running), or back
    where the form was with the refusal."""
    fields = await form(request)
    here = safe_next(fields.pop("from", None), "/jobs")  # the page of the form, for a refusal

    def run() -> tuple[int | None, bool, str | None]:
        try:
            channel = int(fields["channel"]) if fields.get("channel") else None
        except ValueError:
            return None, False, "give a channel by its number"
        try:
            with request.app.state.engine.begin() as conn:
                job, created = jobs.start(request, conn, p, fields.get("kind", ""), organization=fields.get(
                    "organization"), channel=channel, profile=fields.get("profile"), period=fields.get("period"))
            return int(job["id"]), created, None
        except MgovError as exc:
            return None, False, str(exc)

    job_id, created, error = await run_in_threadpool(run)
    if job_id is None:
        return back(request, here, error=error)
    jobs.wake(request)
    return back(request, f"/jobs/{job_id}", done="job_started" if created else "job_running")


@router.get("/jobs")
def jobs_list(request: Request, p: PageReader, conn: Conn, after: OptionalCursor = None) -> Response:
    rows, nxt = store.list_jobs(conn, p.user.scope, after=after, limit=PAGE)
    return Pages.of(request).render(request, "jobs.html", p, rows=jobs.seen(request, rows), next_after=nxt)


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: ID, p: PageReader, conn: Conn) -> Response:
    job = jobs.seen(request, [store.get(conn, job_id, p.user.scope)])[0]
    return Pages.of(request).render(request, "job.html", p, job=job, refresh=REFRESH if job["active"] else None)


@router.get("/runs")
def runs_list(request: Request, p: PageReader, conn: Conn, after: OptionalCursor = None) -> Response:
    """The runs of the reader's scope with their progress; reloads itself while one runs."""
    rows, nxt = runs_of(conn, p, limit=PAGE, after=after)
    active = any(r["status"] == "running" for r in rows)
    return Pages.of(request).render(request, "runs.html", p, rows=rows, next_after=nxt,
                                    refresh=REFRESH if active else None)


@router.get("/schedules")
def schedules(request: Request, p: PageReader, conn: Conn) -> Response:
    return Pages.of(request).render(request, "schedules.html", p, rows=schedules_of(request, conn, p))


def assess_form(request: Request) -> dict[str, Any]:
    """What the reports page's "Assess" form offers: the profiles, and the period before this one."""
    profiles = load_all(request.app.state.settings.profile_dirs)
    return {"profiles": sorted(profiles), "period": previous_period("quarter", clock.today())}


def recent(conn: Connection, p: Principal, target: str) -> list[dict[str, Any]]:
    """The last jobs on a target (Target.key), for its page."""
    return store.list_jobs(conn, p.user.scope, target=target, limit=RECENT)[0]
