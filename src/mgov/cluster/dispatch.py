"""The scheduler's jobs on the cluster: `celery_dispatch` is the scheduler's dispatch seam
(mgov.scheduler.dispatch) when a cluster is configured. It sends the job's id to the
workers (task `mgov.run_job`), where one claims and runs it with the same
`JobRunner.run_queued` the embedded default runs in its own process; a job no longer queued
(another runner took it) is left alone, so a message delivered twice runs it once."""

from __future__ import annotations

from typing import Any

from mgov import clock
from mgov.cluster.app import make_app
from mgov.cluster.tasks import JOB_TASK
from mgov.config import Settings
from mgov.scheduler.dispatch import Dispatch


def celery_dispatch(settings: Settings) -> Dispatch:
    """Send each job to the cluster's workers."""

    def dispatch(job: dict[str, Any]) -> None:
        app = make_app(settings.cluster)
        try:
            # In a simulation the dispatcher's time goes along, and the workers run the job at it
            # (only then: a worker of an earlier version takes no such argument).
            at = {"at": clock.now().isoformat()} if settings.cluster.simulated_clock else {}
            app.send_task(JOB_TASK, args=[int(job["id"])], kwargs=at, queue=settings.cluster.queue)
        finally:
            app.close()

    return dispatch
