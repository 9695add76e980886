"""mgov worker: take a cluster's tasks; mgov runs: every run, with a distributed run's progress."""

from __future__ import annotations

import os
import socket

import typer

from mgov.cli.common import JSON_OPTION, console, print_json, print_table, state
from mgov.i18n import t


def worker(
    ctx: typer.Context,
    concurrency: int = typer.Option(0, "--concurrency", "-c", min=0,
                                    help="Processes taking tasks, one channel each at a time (0: one per core)."),
    queues: str | None = typer.Option(None, "--queues", "-Q",
                                      help="Comma-separated queues to take from (default: queue of \\[cluster])."),
    name: str | None = typer.Option(None, "--name", help="This worker's name (default: mgov@HOST-PID)."),
    pool: str = typer.Option("prefork", "--pool", help="prefork: --concurrency processes, a channel each at a "
                                                      "time; threads: one process, --concurrency channels at once "
                                                      "on its event loop."),
    loglevel: str = typer.Option("INFO", "--loglevel", help="Celery's log level."),
) -> None:
    """Take channels of distributed runs from the cluster's broker and collect, judge and store
    them (Celery with a Redis broker, \\[cluster] of mgov.toml). Start one per machine; a worker
    killed mid-task has its task redone by another.

    [dim]Example: MGOV_CLUSTER__BROKER=redis://10.0.0.5:6379/0 mgov worker --concurrency 8[/dim]
    """
    # Deferred: Celery loads only for the commands that use a cluster.
    from celery import signals

    # Deferred: the cluster package loads Celery and the run engine.
    from mgov.cluster import tasks
    from mgov.cluster.app import make_app

    if pool not in ("prefork", "threads"):
        raise typer.BadParameter("--pool: prefork or threads")
    st = state(ctx)
    st.engine()  # refuses a database that is missing or behind before any task is taken
    st.close()
    app = make_app(st.settings.cluster)
    tasks.configure(st.settings)
    signals.worker_process_shutdown.connect(tasks.close_work, weak=False)
    signals.worker_shutdown.connect(tasks.close_work, weak=False)
    processes = concurrency or (os.cpu_count() or 1) * (16 if pool == "threads" else 1)
    wanted = queues or st.settings.cluster.queue
    hostname = name or f"mgov@{socket.gethostname()}-{os.getpid()}"
    console.print(t(st.lang, "worker_starting", name=hostname, concurrency=processes, queues=wanted,
                    broker=_safe(st.settings.cluster.broker or "")))
    app.worker_main(["worker", f"--concurrency={processes}", f"--queues={wanted}", f"--hostname={hostname}",
                     f"--loglevel={loglevel}", f"--pool={pool}", "--without-gossip", "--without-mingle"])


def _safe(url: str) -> str:
    """The URL without its password."""
    head, sep, tail = url.rpartition("@")
    if not sep:
        return url
    scheme, _, auth = head.partition("://")
    return f"{scheme}://{auth.split(':')[0]}:***@{tail}" if ":" in auth else url


def runs(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", min=1, help="The newest runs shown."),
    run: int | None = typer.Option(None, "--run", help="Only this run."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Runs, newest first: kind, status, channels stored, and a distributed run's progress
    (done, running, queued, failed).

    [dim]Example: mgov runs --limit 5[/dim]
    """
    # Deferred: the run engine's stores load only for the commands that read runs.
    from mgov.cluster.store import recent_runs

    st = state(ctx)
    with st.connect() as conn:
        out = [{**r, "channels": len(r["channels"])} for r in recent_runs(conn, limit=limit, run=run)]
    if as_json:
        print_json(out)
    elif not out:
        console.print(t(st.lang, "no_runs"))
    else:
        print_table(st.lang, out, ["run", "kind", "status", "started_at", "done", "running", "queued", "failed"])
