"""What runs when: the [[schedule]] entries of mgov.toml (config.ScheduleEntry) read for people:
when each runs next in its zone, how its time reads (every day at 02:00, every Monday...),
and the command that runs it (from cron, until mgov has a scheduler of its own)."""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Any

from mgov import clock, zones
from mgov.config import ScheduleEntry, cron_values

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
    words = ["mgov", entry.kind]
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
