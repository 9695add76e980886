"""The jobs runner of a server process (or of `mgov scheduler`): one background thread that takes
the queued jobs one at a time and runs each through the services the command line calls
(runs.service for a scan, crawl, render or capture, then the re-checks it answers, as `mgov scan`
does; assess.service for an assessment; act.notify for the notifications and their digest; the
kinds of the floors above, probes and archive audits, through the executors it is given: see
mgov.scheduler.executors), writing its progress and a heartbeat every few seconds (mgov.act.jobs).
A runner given a hand-off (a cluster's worker: mgov.cluster) runs no run itself: it starts the
run and hands its channels to the cluster, one task each, and the run's last task ends the job."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine

from mgov.act import jobs
from mgov.act.notify import run_notifications
from mgov.act.recheck import honour_requests
from mgov.assess.service import run_assessment
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

log = logging.getLogger(__name__)
RUN_KINDS = ("scan", "crawl", "render", "capture")  # the jobs that are runs of the run engine
# A job kind done by a floor above this one: (engine, settings, routing, job) -> its result,
# with "done" and "total" counts when it has them.
Executor = Callable[[Engine, Settings, RoutingOptions, dict[str, Any]], dict[str, Any]]
# Sends a started run's channels elsewhere (run_id -> how many channels it has).
HandOff = Callable[[int], int]
# What a floor above does once a run of the kind it names has stored its channels (a crawl's
# captures made searchable): (kind, run_id) -> None.
AfterRun = Callable[[str, int], None]


class JobRunner:
    """Started on demand (wake), it ends when no job is left: no thread while nothing runs."""

    def __init__(self, engine: Engine, settings: Settings, *, routing: RoutingOptions | None = None,
                 executors: Mapping[str, Executor] | None = None, warc_prefix: str = "mgov",
                 processes: int | None = None, hand_off: HandOff | None = None,
                 after_run: AfterRun | None = None) -> None:
        self.engine = engine
        self.settings = settings
        # How runs reach the channels: the installation's [routing] and allow_private unless told.
        self.routing = routing or RoutingOptions.given(settings)
        self.executors = dict(executors or {})
        self.warc_prefix = warc_prefix  # the WARC files its runs write (a cluster's worker: its own)
        # Processes a run may share its channels among (None: one a core for a large run); a
        # cluster's worker runs in its own process (a pool's child may not start more).
        self.processes = processes
        self.hand_off = hand_off  # runs' channels go to a cluster's workers (None: run here)
        self.after_run = after_run
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending = False  # woken while the thread was at work: it looks for queued jobs again

    def wake(self) -> None:
        """Run the queued jobs (a thread is started unless one is at work: it looks again)."""
        with self._lock:
            self._pending = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="mgov-jobs", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        try:
            while True:
                with self._lock:
                    self._pending = False
                with self.engine.begin() as conn:  # not under the lock: a request's wake() never waits on the database
                    job = jobs.claim(conn)
                if job is None:
                    with self._lock:
                        if self._pending:
                            continue  # woken since the claim: a job may have been queued meanwhile
                        self._thread = None  # under the lock: a wake() after this starts a new thread
                        return
                self.run(job)
        except Exception:  # the database went away: the next wake() starts afresh
            log.exception("the jobs runner stopped")
            with self._lock:
                self._thread = None

    def run_queued(self, job_id: int) -> bool:
        """Run one queued job here and now, in the calling thread (the scheduler's inline
        dispatch); False when it is no longer queued (another runner took it)."""
        with self.engine.begin() as conn:
            job = jobs.claim(conn, job_id)
        if job is None:
            return False
        self.run(job)
        return True

    def run(self, job: dict[str, Any]) -> None:
        """One claimed job to its end: done, or failed with the error in words."""
        beat = _Heartbeat(self.engine, job["id"])
        beat.start()
        try:
            outcome = self._outcome(job, beat)
        except MgovError as exc:
            beat.stop()
            self._end(job["id"], "failed", error=str(exc), **beat.counts())
            return
        except Exception as exc:  # a broken job must not stop the runner nor the server
            log.exception("job %s failed", job["id"])
            beat.stop()
            self._end(job["id"], "failed", error=f"{type(exc).__name__}: {exc}", **beat.counts())
            return
        beat.stop()
        if outcome is None:
            return  # handed to the cluster: its run's last task ends the job
        self._end(job["id"], "done", **{**beat.counts(), **outcome})

    def _outcome(self, job: dict[str, Any], beat: _Heartbeat) -> dict[str, Any] | None:
        kind = job["kind"]
        if kind == "assess":
            return self._assess(job)
        if kind in RUN_KINDS:
            return self._run(job, beat)
        if kind == "digest":
            out = run_notifications(self.engine, self.settings, digest=True)
            if out["failed"]:
                raise MgovError(f"{out['failed']} notification(s) not delivered (tried again next run)")
            return {"result": {"sent": out["sent"], "failed": out["failed"]}}
        if kind in self.executors:
            # The executor's WARC files are named as this runner's (a cluster's worker: its own).
            result = self.executors[kind](self.engine, self.settings, self.routing,
                                          {**job, "warc_prefix": self.warc_prefix})
            counts: dict[str, Any] = {k: result.pop(k) for k in ("done", "total") if k in result}
            return {**counts, "result": result}
        raise MgovError(f"this runner has no executor for {kind} jobs")

    def _end(self, job_id: int, state: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            jobs.finish(conn, job_id, state, **values)

    def _run(self, job: dict[str, Any], beat: _Heartbeat) -> dict[str, Any] | None:
        """A scan, crawl, render or capture, as its command runs it with its defaults; the SSRF
        guard lets private targets through only when the installation allows it (allow_private).
        None when its channels were handed off (the job goes on without this runner)."""
        params = run_params(kind=job["kind"], org=job["organization"] if job["channel_id"] is None else None,
                            channels=[job["address"]] if job["channel_id"] is not None else None,
                            routing=self.routing, limits=job["params"].get("limits"),
                            profile_dirs=self.settings.profile_dirs)
        run_id = start_run(self.engine, params)
        with self.engine.begin() as conn:
            jobs.progress(conn, job["id"], run_id=run_id)
        if self.hand_off is not None:
            beat.stop()  # from now on the run's tasks write the job's progress (no stale count over theirs)
            total = self.hand_off(run_id)
            if total:
                with self.engine.begin() as conn:
                    jobs.progress(conn, job["id"], total=total)
                return None
            # No channel to hand off: the run, empty, ends here as any run does.
        result = execute_run(self.engine, self.settings, run_id, workers=self.processes, on_start=beat.started,
                             on_channel=lambda facts, counts: beat.advance(), warc_prefix=self.warc_prefix)
        with self.engine.begin() as conn:
            honour_requests(conn, run_id, profile_dirs=self.settings.profile_dirs)
        if self.after_run is not None:
            try:
                self.after_run(job["kind"], run_id)
            except Exception:  # the run is stored: what follows it is caught up by the next
                log.exception("job %s: after its run %s", job["id"], run_id)
        return {"run_id": run_id, "done": result["channels"], "total": result["channels"]}

    def _assess(self, job: dict[str, Any]) -> dict[str, Any]:
        params = job["params"]
        result = run_assessment(self.engine, params["profile"], params["period"], org=job["organization"],
                                profile_dirs=self.settings.profile_dirs, detail=False)
        count = len(result["channels"])
        return {"assessment_id": result["assessment"], "done": count, "total": count}


class _Heartbeat:
    """The job's counts, kept in memory by the run's callbacks and written from a thread of
    its own every HEARTBEAT seconds (no database write on the run's event loop)."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine, self.job_id = engine, job_id
        self.done = 0
        self.total: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"mgov-job-{job_id}", daemon=True)

    def started(self, total: int, done: int) -> None:
        self.total, self.done = total, done

    def advance(self) -> None:
        self.done += 1

    def counts(self) -> dict[str, Any]:
        return {"done": self.done, "total": self.total}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(jobs.HEARTBEAT):
            try:
                with self.engine.begin() as conn:
                    jobs.progress(conn, self.job_id, **self.counts())
            except Exception:  # a lost progress write is retried on the next beat
                log.warning("job %s: progress not written", self.job_id, exc_info=True)
