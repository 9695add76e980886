"""The scheduler's core: `Scheduler.tick(now)` starts the jobs that are due and returns them.

Each entry's next due time is kept in schedule_state. An entry seen for the first time is due
at its next time after now. When now has passed its due time, one job is queued (mgov.act.jobs)
and handed to dispatch, and the next due time is the first after now: due times missed while
no scheduler ran (the machine was down) are counted, and caught up by that one run. A job of
the entry still queued or running is not started again (the jobs store's one identical job at
a time). Only the holder of the lease (scheduler_lease) ticks: a second scheduler waits, and
takes over once the first has not renewed it for `lease_seconds`."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine

from mgov import clock, zones
from mgov.act import jobs, schedule
from mgov.act.workdays import Calendar, country_of, load_calendar
from mgov.config import ScheduleEntry, Settings
from mgov.errors import MgovError
from mgov.registry import service as registry
from mgov.scheduler import store
from mgov.scheduler.dispatch import Dispatch
from mgov.scheduler.entries import all_entries

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0  # a scheduler not heard from for this long has died: another takes over
MISSED_CAP = 10_000  # due times counted at most when catching up (a year of 24 probes a day)
BY = "scheduler"  # who starts scheduled jobs, in the jobs list and the audit log


class Scheduler:
    """One scheduler: its entries, its lease holder id, and where its jobs go (dispatch)."""

    def __init__(self, engine: Engine, settings: Settings, dispatch: Dispatch, *,
                 entries: list[ScheduleEntry] | None = None, holder: str | None = None,
                 lease_seconds: float = LEASE_SECONDS) -> None:
        self.engine, self.settings, self.dispatch = engine, settings, dispatch
        self.entries = all_entries(settings) if entries is None else entries
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = lease_seconds
        self._calendars: dict[str, Calendar] = {}

    def tick(self, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Start what is due at now (default: the clock); the jobs started, each dispatched.
        [] when another scheduler holds the lease."""
        now = now or clock.now()
        with self.engine.begin() as conn:
            if not store.acquire(conn, self.holder, now, self.lease_seconds):
                return []
        tend = getattr(self.dispatch, "tend", None)
        if tend is not None:
            try:
                tend()
            except Exception as exc:  # noqa: BLE001 - a broker away: tended on the next tick
                log.warning("schedule: the dispatch's runs not tended: %s", exc)
        started: list[dict[str, Any]] = []
        resent: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            # The lease again, in the transaction that starts the jobs: a tick that outlived its
            # lease (tend() waiting on a broker) may have been succeeded meanwhile. The renewal
            # holds the lease's row until commit, so a second scheduler cannot start jobs at once.
            if not store.acquire(conn, self.holder, now, self.lease_seconds):
                log.warning("schedule: the lease was taken by another scheduler during this tick")
                return []
            states = store.states(conn)
            for entry in self.entries:
                job, created = self._entry(conn, entry, states.get(schedule.key(entry)), now)
                if job is not None:
                    (started if created else resent).append(job)
        for job in [*started, *resent]:  # committed: whatever runs it sees the row
            try:
                self.dispatch(job)
            except Exception as exc:  # noqa: BLE001 - a broker away: the job stays queued, sent again when next due
                log.warning("schedule: job %s not dispatched: %s", job["id"], exc)
        return started

    def release(self) -> None:
        with self.engine.begin() as conn:
            store.release(conn, self.holder)

    def _entry(self, conn: Connection, entry: ScheduleEntry, state: dict[str, Any] | None,
               now: dt.datetime) -> tuple[dict[str, Any] | None, bool]:
        """The entry's job when it is due: (job, started now), or (the job still queued from an
        earlier due time, False), which is sent again: its dispatch never reached a runner (a
        broker away, a process ended after the commit); claim takes a queued job once."""
        key = schedule.key(entry)
        zone = schedule.zone_of(entry, self.settings)
        working_day = self._working_day(conn, entry)

        def after(when: dt.datetime) -> dt.datetime | None:
            return schedule.next_due(entry, when, zone, working_day=working_day, entry_key=key)

        due = state["next_due_at"] if state else None
        if due is None or due > now:
            if state is None or due is None:
                store.save(conn, key, kind=entry.kind, description=schedule.command(entry), next_due_at=after(now),
                           updated_at=now)
            return None, False
        missed, later = 0, after(due)
        while later is not None and later <= now and missed < MISSED_CAP:
            missed, later = missed + 1, after(later)
        values: dict[str, Any] = {"kind": entry.kind, "description": schedule.command(entry), "last_due_at": due,
                                  "last_run_at": now, "missed": missed, "next_due_at": later, "updated_at": now,
                                  "last_error": None}
        try:
            with conn.begin_nested():
                job, created = jobs.create(conn, entry.kind, self._target(conn, entry),
                                           self._params(entry, due, zone), BY, schedule_key=key)
        except (MgovError, ValueError) as exc:  # an organization or channel gone from the registry
            log.warning("schedule %s: %s", key, exc)
            store.save(conn, key, **values, last_job_id=None, last_outcome="failed", last_error=str(exc))
            return None, False
        store.save(conn, key, **values, last_job_id=job["id"], last_outcome="started" if created else "still_active")
        return (job, True) if created else (job if job.get("state") == "queued" else None, False)

    def _target(self, conn: Connection, entry: ScheduleEntry) -> jobs.Target:
        if entry.channel:
            row = registry.channel_row(conn, entry.channel)
            return jobs.Target(row["owner_id"], registry.org_code(conn, row["owner_id"]), row["id"], row["address"])
        if entry.organization:
            return jobs.Target(registry.org_row(conn, entry.organization)["id"], entry.organization)
        return jobs.Target()

    @staticmethod
    def _params(entry: ScheduleEntry, due: dt.datetime, zone: str) -> dict[str, Any]:
        if entry.kind == "assess":  # the period that ended before the due day, in the entry's zone
            day = zones.local(due, zone).date()
            return {"profile": entry.profile, "period": schedule.previous_period(entry.period, day)}
        if entry.kind == "archive_audit" and entry.sample:
            return {"sample": entry.sample}
        return {"limits": entry.limits} if entry.limits else {}

    def _working_day(self, conn: Connection, entry: ScheduleEntry) -> Callable[[dt.date], bool] | None:
        return working_day_of(conn, entry, self._calendars)


def working_day_of(conn: Connection, entry: ScheduleEntry,
                   calendars: dict[str, Calendar]) -> Callable[[dt.date], bool] | None:
    """The working days an entry with workdays_only keeps: its calendar's, else its
    organization's jurisdiction's (US agencies: US federal), else China's. calendars: a cache."""
    if not entry.workdays_only:
        return None
    country = entry.calendar
    if country is None and entry.organization:
        try:
            country = country_of(registry.org_row(conn, entry.organization)["jurisdiction"])
        except MgovError:
            country = None
    country = country or "cn"
    if country not in calendars:
        calendars[country] = load_calendar(country=country)
    return calendars[country].is_working_day
