"""A distributed run: its channels sent to the cluster as tasks, then followed to its end.

The run is created as any run is (runs.service.start_run); what it still lacks is sent, one
task per channel; its progress is read from the database (run_tasks and the run's items),
so it can be followed from any machine, by `mgov runs` too. A run whose progress stalls with
channels still lacking (messages lost with a broker that lost its data) has them sent again:
a task for a channel stored already stores nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from mgov.cluster import store as tasks_store
from mgov.cluster.app import make_app
from mgov.cluster.tasks import TASK
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.runs import store
from mgov.runs.kinds import kind_of

OnProgress = Callable[[dict[str, int]], None]


def enqueue_run(engine: Engine, settings: Settings, run_id: int, channel_ids: list[int] | None = None) -> int:
    """Send a task for each channel run_id still lacks (or for channel_ids); how many were sent."""
    with engine.begin() as conn:
        params = store.get_run(conn, run_id)["params"]
        run_kind = kind_of(params.get("kind", "scan"))
        if channel_ids is None:
            channels = [cid for cid, _ in store.select_channels(
                conn, org=params["org"], kinds=params["kinds"], addresses=params["channels"],
                allowed=run_kind.channel_kinds, verb=run_kind.name)]
            tasks_store.add_tasks(conn, run_id, channels)  # every channel: progress counts those done before
            done = store.done_channels(conn, run_id)
            channel_ids = [cid for cid in channels if cid not in done]
        else:
            tasks_store.add_tasks(conn, run_id, channel_ids)
    send(settings, run_id, run_kind.name, channel_ids)
    return len(channel_ids)


def send(settings: Settings, run_id: int, kind: str, channel_ids: list[int]) -> None:
    # Deferred: kombu (Celery's messaging) loads only where a cluster is configured.
    from kombu.exceptions import OperationalError

    app = make_app(settings.cluster)
    try:
        with app.producer_or_acquire() as producer:
            for cid in channel_ids:
                app.send_task(TASK, args=[run_id, cid, kind], queue=settings.cluster.queue, producer=producer)
    except OperationalError as exc:
        raise MgovError(f"cannot reach the cluster's broker ({exc}): run {run_id} is kept; send what it lacks "
                        f"again with `mgov {kind} --resume --run {run_id}`") from exc
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
        tasks_store.finish_if_complete(conn, run_id)
        summary = store.run_summary(conn, run_id)
    return {"run": run_id, "channels": now["total"], "resumed_from": 0, "summary": summary,
            "failed": now["failed"], "passes": {}}
