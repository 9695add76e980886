"""Jobs: a scan, crawl or assessment started from the web or the API, or any scheduled work
started by the scheduler (mgov.scheduler), run in the background by a jobs runner
(mgov.act.job_runner). This is their store: one identical job at a time
(the unique active_key while it is queued or running), the runner's claim, progress and end,
and the jobs a process left running when it stopped, read back as interrupted. A job whose run
was handed to a cluster's workers (its channels sent as tasks: run_tasks) has no process of its
own: its progress and end are written by those tasks (run_progress, finish_run), and it is
never read as interrupted for want of a heartbeat (its channels may take longer than STALE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from mgov import clock
from mgov.accounts.scope import Scope
from mgov.act.audit_log import record
from mgov.db.tables import CHANNELS, JOBS, ORGS, RUN_TASKS
from mgov.errors import NotFound

# The kinds of work a job does: those of the web's forms, and every kind a schedule starts.
KINDS = ("scan", "crawl", "assess", "render", "capture", "probe", "archive_audit", "digest")
ACTIVE = ("queued", "running")
HEARTBEAT = 5.0  # seconds between a running job's progress writes
# A running job not heard from for this long was cut off by its process's end (a restart, a
# crash): it reads as interrupted, and the next start of its server marks it so.
STALE = dt.timedelta(seconds=60)
INTERRUPTED = "the server stopped while the job was running"


@dataclass(frozen=True)
class Target:
    """What a job runs on: an organization's subtree, one channel, or (None, None) everything."""

    organization_id: int | None = None
    organization: str | None = None  # its code
    channel_id: int | None = None
    address: str | None = None  # the channel's

    @property
    def key(self) -> str:
        if self.channel_id is not None:
            return f"channel:{self.channel_id}"
        return f"org:{self.organization}" if self.organization else "all"


def active_key(kind: str, target: Target, params: dict[str, Any]) -> str:
    """What makes two jobs the same: kind and target (and an assessment's profile and period)."""
    if kind == "assess":
        return f"assess:{target.key}:{params.get('profile')}:{params.get('period')}"
    return f"{kind}:{target.key}"


def create(conn: Connection, kind: str, target: Target, params: dict[str, Any],
           by: str, *, schedule_key: str | None = None) -> tuple[dict[str, Any], bool]:
    """A new queued job (recorded in the audit log as job.started), or the identical one that is
    queued or running already: (job, created). The runner sees it once conn commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    recover(conn)  # a job its stopped process left "running" holds its key no more
    key = active_key(kind, target, params)
    found = conn.execute(select(JOBS.c.id).where(JOBS.c.active_key == key)).scalar()
    if found is not None:
        return get(conn, int(found)), False
    try:
        with conn.begin_nested():
            job_id = int(conn.execute(insert(JOBS).values(
                kind=kind, target=target.key, organization_id=target.organization_id, channel_id=target.channel_id,
                params=params, started_by=by, state="queued", done=0, created_at=clock.now(), active_key=key,
                schedule_key=schedule_key)
                .returning(JOBS.c.id)).scalar_one())
    except IntegrityError:  # started by someone else at the same moment: theirs is the one
        return get(conn, int(conn.execute(select(JOBS.c.id).where(JOBS.c.active_key == key)).scalar_one())), False
    detail = {"job_kind": kind, "organization": target.organization, "channel": target.address, **params}
    record(conn, by, "job.started", f"job:{job_id}", {k: v for k, v in detail.items() if v is not None},
           organization_id=target.organization_id)
    return get(conn, job_id), True


def _shown(row: Any, now: dt.datetime) -> dict[str, Any]:
    job = dict(row._mapping)
    job.pop("active_key", None)
    beat = job["heartbeat_at"] or job["started_at"]
    if job["state"] == "running" and not job["distributed"] and beat is not None and _aware(beat) < now - STALE:
        job |= {"state": "interrupted", "error": INTERRUPTED}  # its process is gone; recover() will say so too
    job["active"] = job["state"] in ACTIVE
    return job


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _distributed() -> Any:
    """The job's run went to a cluster's workers (its channels are tasks there)."""
    return exists().where(RUN_TASKS.c.run_id == JOBS.c.run_id)


def _query() -> Any:
    return (select(JOBS, ORGS.c.code.label("organization"), ORGS.c.name_zh.label("organization_name_zh"),
                   ORGS.c.name_en.label("organization_name_en"), CHANNELS.c.address.label("address"),
                   _distributed().label("distributed"))
            .outerjoin(ORGS, ORGS.c.id == JOBS.c.organization_id)
            .outerjoin(CHANNELS, CHANNELS.c.id == JOBS.c.channel_id))


def get(conn: Connection, job_id: int, scope: Scope | None = None) -> dict[str, Any]:
    """A job (within scope when given: another's reads as absent)."""
    query = _query().where(JOBS.c.id == job_id)
    if scope is not None:
        query = query.where(scope.orgs(JOBS.c.organization_id))
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no job {job_id}")
    return _shown(row, clock.now())


def list_jobs(conn: Connection, scope: Scope, *, after: int | None = None, limit: int = 50,
              target: str | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """The jobs of the scope (on one target: Target.key), newest first; the cursor of the next page."""
    query = _query().where(scope.orgs(JOBS.c.organization_id)).order_by(JOBS.c.id.desc()).limit(limit + 1)
    if target is not None:
        query = query.where(JOBS.c.target == target)
    if after:
        query = query.where(JOBS.c.id < after)
    now = clock.now()
    rows = [_shown(r, now) for r in conn.execute(query)]
    return rows[:limit], (rows[limit - 1]["id"] if len(rows) > limit else None)


def claim(conn: Connection, job_id: int | None = None) -> dict[str, Any] | None:
    """The oldest queued job (or job_id, when it is queued), now running (None when none is
    queued or another runner took it)."""
    query = select(JOBS.c.id).where(JOBS.c.state == "queued")
    if job_id is not None:
        query = query.where(JOBS.c.id == job_id)
    job_id = conn.execute(query.order_by(JOBS.c.id).limit(1)).scalar()
    if job_id is None:
        return None
    now = clock.now()
    taken = conn.execute(update(JOBS).where(JOBS.c.id == job_id, JOBS.c.state == "queued")
                         .values(state="running", started_at=now, heartbeat_at=now)).rowcount
    return get(conn, int(job_id)) if taken == 1 else None


def progress(conn: Connection, job_id: int, **values: Any) -> None:
    """The runner's news: done and total counts, the run it started; the heartbeat either way."""
    conn.execute(update(JOBS).where(JOBS.c.id == job_id, JOBS.c.state == "running")
                 .values(heartbeat_at=clock.now(), **values))


def run_progress(conn: Connection, run_id: int, **values: Any) -> None:
    """A distributed run's news (its tasks' done and total counts) on the job that started it."""
    conn.execute(update(JOBS).where(JOBS.c.run_id == run_id, JOBS.c.state == "running")
                 .values(heartbeat_at=clock.now(), **values))


def finish_run(conn: Connection, run_id: int, state: str, **values: Any) -> int | None:
    """End the running job whose distributed run ended (as finish); its id, None when no job
    is running that run (a run of `mgov scan --cluster`, or ended by another task already)."""
    job_id = conn.execute(select(JOBS.c.id).where(JOBS.c.run_id == run_id, JOBS.c.state == "running")).scalar()
    if job_id is None:
        return None
    now = clock.now()
    ended = conn.execute(update(JOBS).where(JOBS.c.id == job_id, JOBS.c.state == "running").values(
        state=state, finished_at=now, heartbeat_at=now, active_key=None, **values)).rowcount
    return int(job_id) if ended == 1 else None


def finish(conn: Connection, job_id: int, state: str, **values: Any) -> None:
    """done or failed (with error), and free its key for the next identical start."""
    conn.execute(update(JOBS).where(JOBS.c.id == job_id)
                 .values(state=state, finished_at=clock.now(), heartbeat_at=clock.now(), active_key=None, **values))


def recover(conn: Connection) -> int:
    """Mark the running jobs whose process has stopped (no heartbeat for STALE) interrupted;
    how many. Those another live process runs keep running."""
    now = clock.now()
    cutoff = now - STALE
    stale = or_(JOBS.c.heartbeat_at < cutoff, (JOBS.c.heartbeat_at.is_(None)) & (JOBS.c.created_at < cutoff))
    return int(conn.execute(update(JOBS).where(JOBS.c.state == "running", stale, ~_distributed()).values(
        state="interrupted", finished_at=now, active_key=None, error=INTERRUPTED)).rowcount)
