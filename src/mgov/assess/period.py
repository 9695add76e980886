"""Assessment periods as people write them: 2026Q4, 2026-11, 2026, or 2026-10-01..2026-12-31."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the period, both inclusive; ValueError for anything else."""
    text = text.strip()
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        first = dt.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        return first, dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"period {text!r}: no month {month}")
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := _YEAR.match(text):
        year = int(m[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if m := _RANGE.match(text):
        first, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        if last < first:
            raise ValueError(f"period {text!r} ends before it starts")
        return first, last
    raise ValueError(f"period {text!r}: write 2026Q4, 2026-11, 2026 or 2026-10-01..2026-12-31")
