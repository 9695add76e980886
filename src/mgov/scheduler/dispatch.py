"""The one seam between the scheduler and whatever runs its jobs: `dispatch(job)`, called once
the job's row is committed (queued, in mgov.act.jobs). In-process by default (the jobs runner's
thread is woken); `inline` runs the job in the caller's thread (a simulation on a controlled
clock, `mgov schedule run-due`). A distributed engine (Celery) plugs in here: a dispatch that
sends the job's id to a worker, which claims and runs it with the same JobRunner.run. A dispatch
may also have a `tend()`, which the scheduler calls on each tick it holds the lease: what the
engine behind it needs looked after (mgov.cluster.dispatch: runs nobody follows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mgov.act.job_runner import JobRunner

Dispatch = Callable[[dict[str, Any]], None]


def in_process(runner: JobRunner) -> Dispatch:
    """Wake the runner's background thread: it takes the queued jobs, this one among them."""

    def dispatch(job: dict[str, Any]) -> None:
        runner.wake()

    return dispatch


def inline(runner: JobRunner) -> Dispatch:
    """Run the job now, in this thread, before dispatch returns."""

    def dispatch(job: dict[str, Any]) -> None:
        runner.run_queued(int(job["id"]))

    return dispatch
