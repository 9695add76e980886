"""The scheduler running: ticks every few seconds until stopped, in the foreground (`mgov
scheduler`) or as a thread beside the jobs runner (`mgov serve --scheduler`). A tick that fails
(the database away for a moment) is logged and the next one tries again; stopping cleanly lets
go of the lease so that another scheduler takes over at once."""

from __future__ import annotations

import logging
import threading

from mgov.scheduler.tick import Scheduler

log = logging.getLogger(__name__)
INTERVAL = 15.0  # seconds between ticks: well within the lease, and a run starts within this of its time


def run(scheduler: Scheduler, stop: threading.Event, interval: float = INTERVAL) -> None:
    """Tick until stop is set."""
    try:
        while not stop.is_set():
            try:
                for job in scheduler.tick():
                    log.info("scheduled job %s started: %s %s", job["id"], job["kind"], job["target"])
            except Exception:  # the database went away: the next tick tries again
                log.exception("scheduler tick failed")
            stop.wait(interval)
    finally:
        try:
            scheduler.release()
        except Exception:  # the lease then expires by itself
            log.warning("the scheduler's lease was not released", exc_info=True)


def start_thread(scheduler: Scheduler, interval: float = INTERVAL) -> tuple[threading.Thread, threading.Event]:
    """The scheduler in a daemon thread of its own; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(scheduler, stop, interval), name="mgov-scheduler", daemon=True)
    thread.start()
    return thread, stop
