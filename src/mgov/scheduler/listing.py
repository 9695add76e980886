"""Each schedule entry as people read it: its kind, target and time, its last run (time, job,
the job's state) and its next, overdue when its due time has passed by more than a grace
without a run (no scheduler running, or one that fell behind)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from mgov.act import schedule
from mgov.act.workdays import Calendar
from mgov.config import ScheduleEntry, Settings
from mgov.scheduler import store
from mgov.scheduler.tick import working_day_of

GRACE = dt.timedelta(minutes=5)  # a run this late is not yet overdue (a tick every 15 s, jitter added to the due)


def listing(conn: Connection, settings: Settings, entries: list[ScheduleEntry],
            now: dt.datetime) -> list[dict[str, Any]]:
    """One row per entry, in the entries' order."""
    states = store.states(conn)
    calendars: dict[str, Calendar] = {}
    rows = []
    for n, entry in enumerate(entries, 1):
        key = schedule.key(entry)
        state = states.get(key) or {}
        zone = schedule.zone_of(entry, settings)
        # Never seen by a scheduler: when it would run next, from now.
        next_due = state.get("next_due_at") if state else schedule.next_due(
            entry, now, zone, entry_key=key, working_day=working_day_of(conn, entry, calendars))
        rows.append({
            "number": n, "key": key, "kind": entry.kind, "schedule": entry.at, "time_zone": zone,
            "times_a_day": entry.times_a_day, "jitter": entry.jitter, "workdays_only": entry.workdays_only,
            "target": entry.channel or entry.organization or "*", "profile": entry.profile,
            "period": entry.period if entry.kind == "assess" else None, "reads": schedule.reading(entry),
            "command": schedule.command(entry), "note": entry.note,
            "last_due_at": state.get("last_due_at"), "last_run_at": state.get("last_run_at"),
            "last_job": state.get("last_job_id"), "last_outcome": state.get("last_outcome"),
            "last_state": state.get("job_state") or state.get("last_outcome"),
            "last_error": state.get("last_error") or state.get("job_error"), "missed": state.get("missed", 0),
            "next_due_at": next_due, "seen": bool(state),
            "overdue": bool(state) and next_due is not None and next_due + GRACE < now,
        })
    return rows
