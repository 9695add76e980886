"""A distributed run: its channels sent to the cluster as tasks, then followed to its end.

The run is created as any run is (runs.service.start_run); what it still lacks is sent, one
task per channel; its progress is read from the database (run_tasks and the run's items),
so it can be followed from any machine, by `mgov runs` too. A run whose progress stalls with
channels still lacking (messages lost with a broker that lost its data) has them sent again:
a task for a channel stored already stores nothing. A run nobody follows (a job's: the
scheduler's, the web's) is tended by the scheduler instead (tend).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from mgov import clock
from mgov.cluster import store as tasks_store
from mgov.cluster.app import make_app
from mgov.cluster.tasks import send_tasks
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.runs import store

OnProgress = Callable[[dict[str, int]], None]
log = logging.getLogger(__name__)


def enqueue_run(engine: Engine, settings: Settings, run_id: int, channel_ids: list[int] | None = None, *,
                at: str | None = None) -> int:
    """Send a task for each channel run_id still lacks (or for channel_ids); how many were sent.
    `at`: the time the tasks run at, in a simulation ([cluster] simulated_clock)."""
    with engine.begin() as conn:
        kind, channel_ids = tasks_store.to_send(conn, run_id, channel_ids)
    send(settings, run_id, kind, channel_ids, at=at)
    return len(channel_ids)


def send(settings: Settings, run_id: int, kind: str, channel_ids: list[int], *, at: str | None = None) -> None:
    app = make_app(settings.cluster)
    try:
        send_tasks(app, settings.cluster.queue, run_id, kind, channel_ids, at=at)
    finally:
        app.close()


def progress(engine: Engine, run_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        return tasks_store.progress(conn, [run_id]).get(
            run_id, {"total": 0, "done": 0, "running": 0, "failed": 0, "queued": 0})


def follow(engine: Engine, settings: Settings, run_id: int, *, on_progress: OnProgress | None = None,
           poll: float = 1.0, stall: float | None = None, timeout: float | None = None) -> dict[str, Any]:
    """Wait for run_id's channels to be stored or failed (sending again what stalls past
    `stall` seconds: default the visibility timeout and a minute); the run's summary.
    MgovError after `timeout` seconds, when given (the run goes on)."""
    stall = stall if stall is not None else settings.cluster.visibility_timeout + 60
    last, moved = None, time.monotonic()
    until = time.monotonic() + timeout if timeout is not None else None
    while True:
        if until is not None and time.monotonic() > until:
            raise MgovError(f"run {run_id} is not finished after {timeout:g} s "
                            f"(it goes on: `mgov runs --run {run_id}`)")
        now = progress(engine, run_id)
        if on_progress is not None:
            on_progress(now)
        if now["done"] + now["failed"] >= now["total"]:
            break
        key = (now["done"], now["failed"], now["running"])
        if key != last:
            last, moved = key, time.monotonic()
        elif time.monotonic() - moved > stall:
            with engine.connect() as conn:
                again = tasks_store.lacking(conn, run_id)
                kind = store.get_run(conn, run_id)["kind"]
            send(settings, run_id, kind, again)
            moved = time.monotonic()
        time.sleep(poll)
    with engine.begin() as conn:
        tasks_store.settle(conn, run_id, profile_dirs=settings.profile_dirs)
        summary = store.run_summary(conn, run_id)
    return {"run": run_id, "channels": now["total"], "resumed_from": 0, "summary": summary,
            "failed": now["failed"], "passes": {}}


def tend(engine: Engine, settings: Settings, *, stall: float | None = None) -> int:
    """The distributed runs nobody follows, looked after (by the scheduler, on each tick): one
    whose tasks have not moved for `stall` seconds (default: the visibility timeout and a
    minute) has what it lacks sent again (messages lost with a broker that lost its data), or,
    lacking nothing, is settled (a task that died between its commit and the run's end). How
    many channels were sent again."""
    stall = stall if stall is not None else settings.cluster.visibility_timeout + 60
    sent = 0
    with engine.begin() as conn:
        quiet = tasks_store.stalled(conn, clock.now() - dt.timedelta(seconds=stall))
    for run_id, kind, lacking in quiet:
        with engine.begin() as conn:
            if tasks_store.settle(conn, run_id, profile_dirs=settings.profile_dirs) or not lacking:
                continue
            tasks_store.touch(conn, run_id, lacking)
        log.warning("run %s: %d channel(s) not heard of for %g s, sent again", run_id, len(lacking), stall)
        send(settings, run_id, kind, lacking)
        sent += len(lacking)
    return sent
