"""The scheduler's jobs on the cluster: `celery_dispatch` is the scheduler's dispatch seam
(mgov.scheduler.dispatch) when a cluster is configured. It sends the job's id to the
workers (task `mgov.run_job`), where one claims and runs it with the same
`JobRunner.run_queued` the embedded default runs in its own process; a job no longer queued
(another runner took it) is left alone, so a message delivered twice runs it once. A run job
(scan, crawl, render, capture) is fanned out there: its channels become tasks of their own,
shared by every worker. The seam's `tend`, called on each tick, looks after those runs
(cluster.service.tend): nobody else follows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from mgov import clock
from mgov.cluster.app import make_app
from mgov.cluster.service import tend
from mgov.cluster.tasks import JOB_TASK
from mgov.config import Settings


class CeleryDispatch:
    """Each job sent to the cluster's workers; its runs tended on each tick."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings, self.engine = settings, engine

    def __call__(self, job: dict[str, Any]) -> None:
        app = make_app(self.settings.cluster)
        try:
            # In a simulation the dispatcher's time goes along, and the workers run the job at it
            # (only then: a worker of an earlier version takes no such argument).
            at = {"at": clock.now().isoformat()} if self.settings.cluster.simulated_clock else {}
            app.send_task(JOB_TASK, args=[int(job["id"])], kwargs=at, queue=self.settings.cluster.queue)
        finally:
            app.close()

    def tend(self) -> None:
        """Send again what the jobs' distributed runs lost (a broker's restart without its data)."""
        if self.engine is not None:
            tend(self.engine, self.settings)


def celery_dispatch(settings: Settings, engine: Engine | None = None) -> CeleryDispatch:
    """Send each job to the cluster's workers (and, given the engine, tend their runs)."""
    return CeleryDispatch(settings, engine)
