"""The Celery application of a cluster, made from `[cluster]` of mgov.toml.

Late acknowledgement (a message is acknowledged when its channel is stored, not when it is
taken), a task whose worker process died is handed back at once (reject_on_worker_lost), a
task of a worker that vanished whole is handed to another after the visibility timeout, and a
worker takes one message at a time (prefetch 1): a channel can take minutes, and a message
prefetched by a busy worker waits for it while another worker is idle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mgov.cluster.tasks import JOB_TASK, TASK, run_channel, run_job
from mgov.config import ClusterSettings
from mgov.errors import ConfigError

if TYPE_CHECKING:
    from celery import Celery


def make_app(cluster: ClusterSettings) -> Celery:
    # Deferred: Celery loads only for the commands that use a cluster.
    from celery import Celery

    if not cluster.configured:
        raise ConfigError("no cluster is configured: set broker in [cluster] of mgov.toml "
                          "(or MGOV_CLUSTER__BROKER=redis://127.0.0.1:6379/0)")
    app = Celery("mgov", broker=cluster.broker, backend=cluster.result_backend, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=cluster.result_backend is None,
        task_default_queue=cluster.queue,
        task_serializer="json", accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a Redis restart is waited for, however long
        broker_transport_options={
            "visibility_timeout": cluster.visibility_timeout,
            # Looked for every few seconds (kombu's default sweep is every 100 s).
            "unacked_restore_interval": max(1, min(10, round(cluster.visibility_timeout / 4))),
            "unacked_restore_throttle": 1,
            "socket_timeout": 10, "socket_connect_timeout": 5, "health_check_interval": 10,
        },
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True)(run_channel)
    app.task(name=JOB_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)(run_job)
    return app
