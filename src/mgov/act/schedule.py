"""What runs when: the [[schedule]] entries of mgov.toml (config.ScheduleEntry) read for people
and for the scheduler (mgov.scheduler): when each is due next in its zone (with its runs a day,
its jitter, fixed per entry and day so that it can be predicted, and working days only when it
says so), how its time reads (every day at 02:00, every Monday...), and the command that runs
the same work by hand or from cron."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shlex
from collections.abc import Callable
from typing import Any

from mgov import clock, zones
from mgov.config import ScheduleEntry, Settings, cron_values

SEARCH_DAYS = 366 * 4  # 29 February on a Monday may be years away; further than this: never


def next_time(entry: ScheduleEntry, after: dt.datetime, zone: str) -> dt.datetime | None:
    """The first time after `after` that the entry's cron time matches in zone (UTC), or None.
    As cron: when both the day of the month and the weekday are restricted, either matches."""
    minutes, hours, days, months, weekdays = cron_values(entry.at)
    any_day, any_weekday = entry.at.split()[2] == "*", entry.at.split()[4] == "*"
    tz = zones.get(zone)
    local = after.astimezone(tz)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        cron_weekday = (day.weekday() + 1) % 7  # cron: 0 is Sunday
        by_day, by_weekday = day.day in days, cron_weekday in weekdays
        matches = (by_day and by_weekday) if (any_day or any_weekday) else (by_day or by_weekday)
        if day.month in months and matches:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    at = dt.datetime.combine(day, dt.time(hour, minute), tz)
                    if at > local:
                        return at.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    return None


def zone_of(entry: ScheduleEntry, settings: Settings) -> str:
    """The zone of an entry's times: its own, else the installation's, else UTC."""
    return entry.time_zone or settings.time_zone or zones.UTC


def key(entry: ScheduleEntry) -> str:
    """The entry's stable key: a digest of what it runs and when (its note aside), so that its
    state survives a restart and a reordering of mgov.toml, and a changed entry starts afresh."""
    definition = entry.model_dump(exclude={"note"})
    return entry.kind + ":" + hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:16]


def jitter_of(entry_key: str, day: dt.date, slot: int, minutes: int) -> dt.timedelta:
    """How much later than its time the run of this entry, day and slot starts: seeded by the
    three, so the same every time it is asked (tests predict it), spread over [0, minutes)."""
    if minutes <= 0:
        return dt.timedelta(0)
    seed = hashlib.sha256(f"{entry_key}|{day.isoformat()}|{slot}".encode()).digest()
    return dt.timedelta(seconds=int.from_bytes(seed[:8], "big") % (minutes * 60))


def due_times(entry: ScheduleEntry, day: dt.date, zone: str, entry_key: str | None = None) -> list[dt.datetime]:
    """The times (UTC) the entry is due on a local day, its jitter added, earliest first;
    [] on a day its cron time does not match."""
    minutes, hours, days, months, weekdays = cron_values(entry.at)
    any_day, any_weekday = entry.at.split()[2] == "*", entry.at.split()[4] == "*"
    cron_weekday = (day.weekday() + 1) % 7  # cron: 0 is Sunday
    by_day, by_weekday = day.day in days, cron_weekday in weekdays
    matches = (by_day and by_weekday) if (any_day or any_weekday) else (by_day or by_weekday)
    if day.month not in months or not matches:
        return []
    tz = zones.get(zone)
    if entry.times_a_day:
        first = dt.datetime.combine(day, dt.time(min(hours), min(minutes)), tz)
        step = dt.timedelta(days=1) / entry.times_a_day
        # Wall-clock steps from the first: a day's runs stay on that day across a DST change.
        local = [first.replace(tzinfo=None) + step * i for i in range(entry.times_a_day)]
        times = [t.replace(tzinfo=tz) for t in local if t.date() == day]
    else:
        times = [dt.datetime.combine(day, dt.time(h, m), tz) for h in sorted(hours) for m in sorted(minutes)]
    k = entry_key or key(entry)
    return sorted(t.astimezone(dt.UTC) + jitter_of(k, day, i, entry.jitter) for i, t in enumerate(times))


def next_due(entry: ScheduleEntry, after: dt.datetime, zone: str, *,
             working_day: Callable[[dt.date], bool] | None = None,
             entry_key: str | None = None) -> dt.datetime | None:
    """The first due time strictly after `after` (UTC), or None within SEARCH_DAYS; with
    working_day, only on the days it accepts (an entry with workdays_only)."""
    k = entry_key or key(entry)
    # From the day before: a jitter may carry yesterday's last run past midnight.
    day = after.astimezone(zones.get(zone)).date() - dt.timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        if working_day is None or not entry.workdays_only or working_day(day):
            for at in due_times(entry, day, zone, k):
                if at > after:
                    return at
        day += dt.timedelta(days=1)
    return None


def reading(entry: ScheduleEntry) -> dict[str, Any]:
    """How the time reads: {"every": "day" | "week" | "month", "time": "02:00", "weekday": 1,
    "day": 15}, or {"every": None} for a time only the cron form says."""
    minute, hour, day, month, weekday = entry.at.split()
    if not (minute.isdigit() and hour.isdigit()) or month != "*":
        return {"every": None}
    time = f"{int(hour):02d}:{int(minute):02d}"
    if day == "*" and weekday == "*":
        return {"every": "day", "time": time}
    if day == "*" and weekday.isdigit():
        return {"every": "week", "time": time, "weekday": int(weekday) % 7}
    if day.isdigit() and weekday == "*":
        return {"every": "month", "time": time, "day": int(day)}
    return {"every": None}


def command(entry: ScheduleEntry) -> str:
    """The mgov command that runs the entry (what a crontab line would call). An assessment
    assesses the period before the run's: the command names the one before now."""
    if entry.kind == "archive_audit":
        return shlex.join(["mgov", "archive", "verify", *(["--sample", str(entry.sample)] if entry.sample else [])])
    if entry.kind == "digest":
        return "mgov notify run --digest"
    words = ["mgov", entry.kind]
    if entry.kind == "probe":
        words += ["--once"]
    if entry.kind == "assess":
        words += ["--profile", entry.profile or "PROFILE", "--period", previous_period(entry.period, clock.today())]
    if entry.organization:
        words += ["--org", entry.organization]
    if entry.channel:
        words += ["--channel", entry.channel]
    return shlex.join(words)


def previous_period(unit: str, today: dt.date) -> str:
    """The quarter, month or year before the one today falls in (2026Q3 in November 2026)."""
    if unit == "year":
        return str(today.year - 1)
    if unit == "month":
        first = today.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year}-{first.month:02d}"
    quarter = (today.month - 1) // 3  # the previous one, 0 meaning last year's fourth
    return f"{today.year}Q{quarter}" if quarter else f"{today.year - 1}Q4"
