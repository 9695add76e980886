"""The task a cluster's workers run: one channel of one run, of one kind of work.

The body is `ChannelWork.run` (runs.channel_task), the same one an in-process run of a
single channel takes; here it is wrapped with the task's row (run_tasks: running, done or
failed) and with patience for the database: a connection lost for a few seconds (a restart, a
network blip, a locked SQLite file) is waited for in the task, whose message stays
unacknowledged meanwhile, rather than handed back to a broker that may be away too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from mgov import clock
from mgov.cluster import store
from mgov.config import Settings
from mgov.db.engine import make_engine
from mgov.errors import MgovError
from mgov.runs.channel_task import ChannelWork

log = logging.getLogger(__name__)

TASK = "mgov.run_channel"
JOB_TASK = "mgov.run_job"
DB_PATIENCE = 300.0  # seconds a task waits for the database before it fails
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}  # this process's settings (set by `mgov worker`), work and engine


def configure(settings: Settings) -> None:
    """The settings this process's tasks run with (called by `mgov worker` before it starts)."""
    _STATE["settings"] = settings


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _work() -> tuple[Engine, ChannelWork]:
    # One per process, made in the process that runs the tasks (a prefork child, not the
    # parent it was forked from: engines and event loops do not survive a fork), shared by
    # its threads (a pool of threads).
    with _LOCK:
        return _made()


def _made() -> tuple[Engine, ChannelWork]:
    if _STATE.get("pid") != os.getpid():
        settings: Settings = _STATE.get("settings") or Settings()
        engine = make_engine(settings.resolved_database_url)
        _STATE.update(pid=os.getpid(), engine=engine,
                      work=ChannelWork(engine, settings, warc_prefix=f"mgov-{worker_name()}"))
    return _STATE["engine"], _STATE["work"]


def close_work(**_: Any) -> None:
    """At a worker process's end: its WARC files closed and sealed, its engine disposed."""
    if _STATE.get("pid") == os.getpid():
        work: ChannelWork = _STATE.pop("work")
        engine: Engine = _STATE.pop("engine")
        _STATE.pop("pid", None)
        try:
            work.close()
        finally:
            engine.dispose()


def _settings() -> Settings:
    return _STATE.get("settings") or Settings()


def _finish(engine: Engine, run_id: int) -> None:
    """The run ended when its last channel did: asked after that channel's mark committed,
    so two last channels ending together each see the other's (in one transaction neither did).
    Its job's progress, or its end (cluster.store.settle)."""
    with engine.begin() as conn:
        store.settle(conn, run_id, profile_dirs=_settings().profile_dirs)


def _simulated(at: str | None) -> str | None:
    """The dispatcher's time a task was sent with, when this is a simulation ([cluster]
    simulated_clock): the task's clock; None otherwise (the task runs at the real time)."""
    return at if _settings().cluster.simulated_clock and at else None


def _clock(at: str | None) -> contextlib.AbstractContextManager[Any]:
    return clock.fixed(dt.datetime.fromisoformat(at)) if at else contextlib.nullcontext()


def run_channel(task: Any, run_id: int, channel_id: int, kind: str, at: str | None = None) -> dict[str, int] | None:
    """Store channel_id of run_id (a `kind` run); its status counts, None when stored already.
    `at`: the dispatcher's time, the task's clock in a simulation ([cluster] simulated_clock)."""
    with _clock(_simulated(at)):
        return _run_channel(run_id, channel_id, kind)


def _run_channel(run_id: int, channel_id: int, kind: str) -> dict[str, int] | None:
    engine, work = _work()
    started, delay = time.monotonic(), 0.5
    while True:
        try:
            with engine.begin() as conn:
                store.mark(conn, run_id, channel_id, "running", worker=worker_name())
            try:
                counts = work.run(run_id, channel_id, kind)
            except (OperationalError, DBAPIError):
                raise  # the database away: waited out below
            except Exception as exc:  # any failure ends the channel as failed, not running for ever
                with engine.begin() as conn:
                    store.mark(conn, run_id, channel_id, "failed", error=str(exc) or type(exc).__name__)
                _finish(engine, run_id)
                raise
            with engine.begin() as conn:
                store.mark(conn, run_id, channel_id, "done")
            if kind == "crawl" and counts is not None:
                _index(engine, run_id, channel_id)
            _finish(engine, run_id)
            return counts
        except (OperationalError, DBAPIError) as exc:
            if not _transient(exc) or time.monotonic() - started > DB_PATIENCE:
                raise
            log.warning("run %s channel %s: database unavailable (%s); again in %.1f s",
                        run_id, channel_id, type(exc.orig).__name__ if exc.orig else exc, delay)
            engine.dispose()  # its pooled connections may be dead
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def send_tasks(app: Any, queue: str, run_id: int, kind: str, channel_ids: list[int], *,
               at: str | None = None) -> None:
    """A task for each channel of run_id, sent with app (a Celery application) to queue."""
    # Deferred: kombu (Celery's messaging) loads only where a cluster is configured.
    from kombu.exceptions import OperationalError as BrokerAway

    try:
        with app.producer_or_acquire() as producer:
            for cid in channel_ids:
                app.send_task(TASK, args=[run_id, cid, kind], kwargs={"at": at} if at else {},
                              queue=queue, producer=producer)
    except BrokerAway as exc:
        raise MgovError(f"cannot reach the cluster's broker ({exc}): run {run_id} is kept; send what it lacks "
                        f"again with `mgov {kind} --resume --run {run_id}`") from exc


def _index(engine: Engine, run_id: int, channel_id: int) -> None:
    """A crawled channel's captures made searchable (as `mgov crawl` does after its run); a
    failure is logged: the next indexing, by any crawl or `mgov archive search --reindex`,
    catches up."""
    # Deferred: the search's readers load only in a worker that crawls.
    from mgov.search.service import index_pending

    try:
        counts = index_pending(engine, _settings().resolved_archive_dir)
    except Exception:
        log.exception("run %s channel %s: its captures not indexed for search", run_id, channel_id)
        return
    log.info("run %s channel %s: %d capture(s) indexed for search", run_id, channel_id, counts.indexed)


def _transient(exc: DBAPIError) -> bool:
    """A lost or refused connection, or a locked database: worth waiting for."""
    return isinstance(exc, OperationalError) or exc.connection_invalidated


def run_job(task: Any, job_id: int, at: str | None = None) -> bool:
    """Claim and run a queued job of the scheduler (mgov.act.jobs) as the embedded default's jobs
    runner does; False when it is no longer queued (another runner took it: run once). A run
    (scan, crawl, render, capture) is not run here: its channels go to the cluster, a task each,
    and the task that completes it ends the job. `at`, the dispatcher's time, is the job's
    clock (and its channels') only in a simulation ([cluster] simulated_clock)."""
    # Deferred: the scheduler's job kinds load the act floor's runner and every run kind.
    from mgov.scheduler.executors import job_runner

    engine, _ = _work()
    settings = _settings()
    at = _simulated(at)

    def hand_off(run_id: int) -> int:
        with engine.begin() as conn:
            kind, channels = store.to_send(conn, run_id)
        send_tasks(task.app, settings.cluster.queue, run_id, kind, channels, at=at)
        return len(channels)

    runner = job_runner(engine, settings, warc_prefix=f"mgov-{worker_name()}", processes=1,  # its own WARC files
                        hand_off=hand_off)
    with _clock(at):
        return runner.run_queued(int(job_id))
