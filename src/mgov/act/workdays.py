"""Working days: China's public holidays and 调休 (weekend days made working days).

The schedule of each year is data (src/mgov/act/data/cn-YYYY.toml, transcribed from the State
Council General Office's annual notice; users must check it), and a user file or folder of
files in the same shape replaces the shipped years it covers:

    year = 2027
    source = "国办发明电〔2026〕N号"
    [[holidays]]
    name = "春节"
    start = 2027-02-05
    end = 2027-02-11
    workdays = [2027-02-14]   # 调休: weekend days worked

A year without a schedule falls back to plain Monday to Friday; `Calendar.unknown_years` names
such years so callers can flag the dates they computed as unofficial.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mgov.errors import MgovError
from mgov.profiles.model import Deadline

DATA_DIR = Path(__file__).resolve().parent / "data"


class CalendarError(MgovError):
    """A calendar file cannot be read: names the file and the reason."""


@dataclass(frozen=True)
class Calendar:
    """Holidays and make-up working days, per year with an official schedule."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # 调休: Saturdays and Sundays that are working days
    years: frozenset[int] = frozenset()  # years whose schedule is known
    sources: dict[int, str] = field(default_factory=dict)  # year -> the notice (and file) it came from

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def unknown_years(self, start: dt.date, end: dt.date) -> list[int]:
        """The years between start and end (inclusive) without a schedule: Mon–Fri was assumed."""
        lo, hi = sorted((start.year, end.year))
        return [y for y in range(lo, hi + 1) if y not in self.years]

    def warning(self, start: dt.date, end: dt.date) -> str | None:
        unknown = self.unknown_years(start, end)
        if not unknown:
            return None
        return (f"no holiday schedule for {', '.join(map(str, unknown))}: working days counted as Monday to "
                "Friday (add the year's schedule with a calendar file)")


def _year(path: Path) -> tuple[int, str, set[dt.date], set[dt.date]]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CalendarError(f"{path}: cannot read the calendar: {exc}") from exc
    year = data.get("year")
    if not isinstance(year, int):
        raise CalendarError(f"{path}: year: missing or not an integer")
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for i, h in enumerate(data.get("holidays", [])):
        where = f"{path}: holidays[{i}]"
        start, end = h.get("start"), h.get("end", h.get("start"))
        if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
            raise CalendarError(f"{where}: start and end must be dates (YYYY-MM-DD), end not before start")
        day = start
        while day <= end:
            holidays.add(day)
            day += dt.timedelta(days=1)
        for w in h.get("workdays", []):
            if not isinstance(w, dt.date):
                raise CalendarError(f"{where}: workdays: {w!r} is not a date")
            if w.weekday() < 5:
                raise CalendarError(f"{where}: workdays: {w} is a weekday, not a make-up working day")
            workdays.add(w)
    both = holidays & workdays
    if both:
        raise CalendarError(f"{path}: {', '.join(map(str, sorted(both)))} both holiday and working day")
    return year, str(data.get("source", "")), holidays, workdays


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.toml"))
    if path.is_file():
        return [path]
    raise CalendarError(f"{path}: no such calendar file or folder")


def load_calendar(paths: Iterable[Path | str] | Path | str | None = None, *, shipped: bool = True) -> Calendar:
    """The shipped schedules, with each year found in paths (files or folders) replacing them."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    years: dict[int, tuple[str, set[dt.date], set[dt.date]]] = {}
    sources = ([DATA_DIR] if shipped else []) + [Path(p) for p in (paths or [])]
    for src in sources:
        for f in _files(src):
            year, source, holidays, workdays = _year(f)
            years[year] = (f"{source} ({f})" if source else str(f), holidays, workdays)
    return Calendar(holidays=frozenset(d for _, h, _ in years.values() for d in h),
                    workdays=frozenset(d for _, _, w in years.values() for d in w),
                    years=frozenset(years), sources={y: s for y, (s, _, _) in sorted(years.items())})


def add_working_days(start: dt.date, n: int, cal: Calendar) -> dt.date:
    """The n-th working day after start (start itself not counted; n = 0 gives start)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def deadline_for(deadline: Deadline, opened: dt.date, cal: Calendar) -> dt.date:
    """When a task opened on `opened` is due: the same day (immediate), after N working days,
    or after N calendar days (plain days, holidays included)."""
    if deadline.kind == "immediate":
        return opened
    if deadline.kind == "working_days":
        return add_working_days(opened, deadline.days, cal)
    if deadline.kind == "calendar_days":
        return opened + dt.timedelta(days=deadline.days)
    raise ValueError(f"unknown deadline kind {deadline.kind!r}")
