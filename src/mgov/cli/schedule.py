"""mgov schedule: what runs when, each entry's last and next run, overdue flagged; mgov schedule
run-due: start what is due now and run it here; mgov scheduler: the scheduler in the foreground."""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

import typer

from mgov import clock
from mgov.cli.common import JSON_OPTION, console, err_console, print_json, print_table, state
from mgov.config import Settings
from mgov.errors import InvalidValue
from mgov.i18n import t
from mgov.profiles.names import label
from mgov.scheduler import loop, store
from mgov.scheduler.dispatch import Dispatch, in_process, inline
from mgov.scheduler.entries import all_entries
from mgov.scheduler.listing import listing
from mgov.scheduler.tick import LEASE_SECONDS, Scheduler

if TYPE_CHECKING:
    from mgov.act.job_runner import JobRunner

app = typer.Typer(help="What runs when ([[schedule]] of mgov.toml and profiles' defaults): last and next "
                       "runs, overdue flagged. [dim]Example: mgov schedule --json[/dim]")
COLUMNS = ["number", "kind", "target", "schedule", "time_zone", "last_run_at", "last_job", "last_state",
           "next_due_at", "overdue", "missed"]


@app.callback(invoke_without_command=True)
def schedule_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the schedules: each entry's last run (time, job, outcome) and next, overdue flagged.

    [dim]Example: mgov schedule   (or: mgov schedule --json)[/dim]
    """
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    now = clock.now()
    with st.engine().connect() as conn:
        rows = listing(conn, st.settings, all_entries(st.settings), now)
        lease = store.holder(conn)
    running = lease is not None and lease["expires_at"] is not None and lease["expires_at"] > now
    if as_json:
        print_json({"items": rows, "scheduler": lease if running else None})
        return
    if not rows:
        console.print(t(st.lang, "schedule_none"))
        return
    shown = [{**r, "kind": label("run_kind", r["kind"], st.lang),
              "last_state": label("job_state", r["last_state"], st.lang) if r["last_state"] else None} for r in rows]
    print_table(st.lang, shown, COLUMNS, id_columns=["number"])
    if running and lease is not None:
        console.print(t(st.lang, "schedule_lease", holder=lease["holder"], until=lease["expires_at"].isoformat()))
    else:
        console.print(t(st.lang, "schedule_no_lease"))
    overdue = sum(1 for r in rows if r["overdue"])
    if overdue:
        err_console.print(t(st.lang, "schedule_overdue", n=overdue))


@app.command("run-due")
def run_due(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Start what is due now (missed runs once) and run it in this process (from cron, without a
    resident scheduler). Waits for nothing: does nothing when a scheduler holds the lease.

    [dim]Example: mgov schedule run-due[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only when jobs run.
    from mgov.scheduler.executors import job_runner

    st = state(ctx)
    engine = st.engine()
    runner = job_runner(engine, st.settings)
    scheduler = Scheduler(engine, st.settings, inline(runner))
    try:
        started = scheduler.tick()
    finally:
        scheduler.release()
    if as_json:
        print_json({"started": [_brief(j) for j in started]})
        return
    for job in started:
        console.print(t(st.lang, "schedule_started", id=job["id"], kind=job["kind"], target=job["target"]))
    if not started:
        console.print(t(st.lang, "schedule_nothing_due"))


def _brief(job: dict[str, Any]) -> dict[str, Any]:
    return {k: job[k] for k in ("id", "kind", "target", "params", "created_at")}


def scheduler(ctx: typer.Context,
              interval: float = typer.Option(loop.INTERVAL, "--interval", min=0.1,
                                             help="Seconds between the scheduler's looks at what is due."),
              lease_seconds: float = typer.Option(LEASE_SECONDS, "--lease-seconds", min=1.0,
                                                  help="How long the lease outlives the last tick: another "
                                                       "scheduler takes over this long after this one dies.")) -> None:
    """Run the scheduler in the foreground: start each schedule's jobs on time and run them in this
    process. One scheduler is active at a time (a lease in the database): a second one waits and
    takes over when the first stops or dies.

    [dim]Example: mgov scheduler   (or: mgov serve --scheduler)[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only when jobs run.
    from mgov.scheduler.executors import job_runner

    st = state(ctx)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = st.engine()
    runner = job_runner(engine, st.settings)
    if lease_seconds <= interval:
        raise InvalidValue("--lease-seconds must be longer than --interval (the lease is renewed on each tick)")
    sched = Scheduler(engine, st.settings, dispatch_for(st.settings, runner), lease_seconds=lease_seconds)
    console.print(t(st.lang, "scheduler_running", n=len(sched.entries)))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        loop.run(sched, stop, interval)
    except KeyboardInterrupt:
        stop.set()


def dispatch_for(settings: Settings, runner: JobRunner) -> Dispatch:
    """Where the scheduler's jobs go: the cluster's workers when one is configured, else the
    jobs runner of this process."""
    if settings.cluster.configured:
        # Deferred: Celery loads only where a cluster is configured.
        from mgov.cluster.dispatch import celery_dispatch

        return celery_dispatch(settings, runner.engine)
    return in_process(runner)
