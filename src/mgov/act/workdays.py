"""Working days from maintained calendars: China's public holidays and 调休 (weekend days made
working days) from PyPI `chinesecalendar` (the State Council General Office's annual notices),
falling back to PyPI `holidays` (statutory holidays, no 调休) for years it does not know yet; US
federal holidays (Juneteenth included) from `holidays` for US agencies (jurisdiction "us").

A user file or folder of files replaces each year it covers (the maintained calendar is then
not asked for that year). The tables mgov used to ship (src/mgov/act/data/cn-YYYY.toml) are kept
in that shape, as overrides one may load (`load_calendar(DATA_DIR)`), not read by default:

    year = 2027
    source = "国办发明电〔2026〕N号"
    [[holidays]]
    name = "春节"
    start = 2027-02-05
    end = 2027-02-11
    workdays = [2027-02-14]   # 调休: weekend days worked

A Chinese year neither file nor `chinesecalendar` knows counts its statutory holidays (from
`holidays`) but no 调休; `Calendar.unknown_years` names such years so callers can flag the
dates they computed as unofficial.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
import holidays as holiday_tables

from mgov.errors import MgovError
from mgov.profiles.model import Deadline

DATA_DIR = Path(__file__).resolve().parent / "data"


class CalendarError(MgovError):
    """A calendar file cannot be read: names the file and the reason."""


@dataclass(frozen=True)
class Calendar:
    """A country's working days: the maintained calendar, with the years of user files replacing it."""

    holidays: frozenset[dt.date] = frozenset()  # of the override files
    workdays: frozenset[dt.date] = frozenset()  # 调休 of the override files: weekend days worked
    years: frozenset[int] = frozenset()  # years whose schedule is known (files and maintained calendar)
    sources: dict[int, str] = field(default_factory=dict)  # year -> the notice (and file) it came from
    country: str = "cn"  # cn or us (a jurisdiction code)
    overridden: frozenset[int] = frozenset()  # the years the files replace

    def is_working_day(self, day: dt.date) -> bool:
        if day.year in self.overridden:
            if day in self.workdays:
                return True
            if day in self.holidays:
                return False
            return day.weekday() < 5
        return _maintained_working_day(self.country, day)

    def unknown_years(self, start: dt.date, end: dt.date) -> list[int]:
        """The years between start and end (inclusive) without an official schedule: statutory
        holidays only, no 调休 (US federal holidays are known for every year)."""
        if self.country == "us":
            return []
        lo, hi = sorted((start.year, end.year))
        return [y for y in range(lo, hi + 1) if y not in self.years]

    def warning(self, start: dt.date, end: dt.date) -> str | None:
        unknown = self.unknown_years(start, end)
        if not unknown:
            return None
        return (f"no holiday schedule for {', '.join(map(str, unknown))}: working days counted as Monday to "
                "Friday less statutory holidays, without 调休 (add the year's schedule with a calendar file)")


def _maintained_working_day(country: str, day: dt.date) -> bool:
    if country == "us":
        return day.weekday() < 5 and day not in _us_federal(day.year)
    if day.year in CN_YEARS:
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5 and day not in _cn_statutory(day.year)


# A year's table is built once: working days are asked day by day (schedules, deadlines).
@functools.lru_cache(maxsize=64)
def _us_federal(year: int) -> Any:
    return holiday_tables.country_holidays("US", years=year)


@functools.lru_cache(maxsize=64)
def _cn_statutory(year: int) -> Any:
    return holiday_tables.country_holidays("CN", years=year)


# The years chinesecalendar has the official schedule of (holidays and 调休).
CN_YEARS = frozenset(range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1))
COUNTRIES = ("cn", "us")


def country_of(jurisdiction: str | None) -> str:
    """The calendar of an organization's jurisdiction: us for US agencies, else China's."""
    return "us" if (jurisdiction or "").lower() == "us" else "cn"


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


def load_calendar(paths: Iterable[Path | str] | Path | str | None = None, *, shipped: bool = False,
                  country: str = "cn") -> Calendar:
    """The country's maintained calendar, with each year found in paths (files or folders)
    replacing it; shipped: the tables mgov used to ship, as overrides before paths."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if country not in COUNTRIES:
        raise CalendarError(f"no working-day calendar for {country!r} (choose {', '.join(COUNTRIES)})")
    years: dict[int, tuple[str, set[dt.date], set[dt.date]]] = {}
    sources = ([DATA_DIR] if shipped else []) + [Path(p) for p in (paths or [])]
    for src in sources:
        for f in _files(src):
            year, source, holidays, workdays = _year(f)
            years[year] = (f"{source} ({f})" if source else str(f), holidays, workdays)
    maintained = {} if country == "us" else dict.fromkeys(CN_YEARS, "chinesecalendar")
    known = frozenset(years) | frozenset(maintained)
    return Calendar(holidays=frozenset(d for _, h, _ in years.values() for d in h),
                    workdays=frozenset(d for _, _, w in years.values() for d in w),
                    years=known, sources=dict(sorted((maintained | {y: s for y, (s, _, _) in years.items()}).items())),
                    country=country, overridden=frozenset(years))


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
