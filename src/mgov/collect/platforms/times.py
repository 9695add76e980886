"""The platforms' ways of writing a time, read as aware UTC datetimes.

- Weibo: `Sun Dec 06 09:12:00 +0800 2026` (the API's form), and the forms its mobile pages
  and older API answers show (weiboSpider and weibo-search read the same): `刚刚`, `5秒前`,
  `5分钟前`, `3小时前`, `2天前`, `今天 09:12`, `昨天 09:12`, `前天 09:12`, `12-06`,
  `12-06 09:12`, `2026-12-06`, `2026-12-06 09:12`, `12月06日 09:12`, `2026年12月06日 09:12`.
  The relative and short forms are Beijing time (UTC+8, no daylight saving) read against the
  capture's `now`; a month-day later than today is last year's.
- ActivityPub and JSON Feed: RFC 3339 (`2026-12-06T01:12:00Z`, offsets, fractions).
- WeChat: unix seconds (`var ct = "1733450000"`).
- RSS/Atom: feedparser's UTC struct_time.
Every reader returns None for what it cannot read; none raises.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                       "oct", "nov", "dec"), start=1)}
# Sun Dec 06 09:12:00 +0800 2026 (the weekday is not checked: it adds nothing)
_API = re.compile(r"^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([+-])(\d{2}):?(\d{2})\s+(\d{4})$")
_AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时|天)前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_FULL = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SHORT = re.compile(r"^(\d{1,2})[-/月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2}))?$")
_AGO_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}
EPOCH_MIN, EPOCH_MAX = 946684800, 4102444800  # 2000-01-01 .. 2100-01-01: a plausible post time


def weibo_time(text: object, now: dt.datetime) -> dt.datetime | None:
    """A Weibo time in any of the forms above, in UTC."""
    if not isinstance(text, str):
        return None
    s = " ".join(text.split())
    try:
        return _weibo(s, now.astimezone(BEIJING))
    except (ValueError, OverflowError):
        return None


def _weibo(s: str, local: dt.datetime) -> dt.datetime | None:
    m = _API.match(s)
    if m:
        mon, day, hh, mm, ss, sign, oh, om, year = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return None
        offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
        when = dt.datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=dt.timezone(offset))
        return when.astimezone(dt.UTC)
    if s == "刚刚":
        return local.astimezone(dt.UTC)
    if m := _AGO.match(s):
        delta = dt.timedelta(**{_AGO_UNITS[m.group(2)]: int(m.group(1))})
        return (local - delta).astimezone(dt.UTC)
    if m := _DAY_WORD.match(s):
        day = local.date() - dt.timedelta(days=_DAYS_BACK[m.group(1)])
        return _at(day, int(m.group(2)), int(m.group(3)))
    if m := _FULL.match(s):
        y, mo, d, hh, mm, ss = m.groups()
        return _at(dt.date(int(y), int(mo), int(d)), int(hh or 0), int(mm or 0), int(ss or 0))
    if m := _SHORT.match(s):
        mo, d, hh, mm = m.groups()
        day = dt.date(local.year, int(mo), int(d))
        if day > local.date():  # "12-30" read on January 2nd is last year's
            day = day.replace(year=local.year - 1)
        return _at(day, int(hh or 0), int(mm or 0))
    return None


def _at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BEIJING).astimezone(dt.UTC)


def iso_time(text: object) -> dt.datetime | None:
    """RFC 3339 / ISO 8601 (a trailing Z, an offset, fractions); a time without an offset is
    taken as UTC (ActivityPub requires one; some servers omit it)."""
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()
    if s[-1:] in ("Z", "z"):
        s = s[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def unix_time(value: object) -> dt.datetime | None:
    """Unix seconds (a number or its text; milliseconds told apart by size), in UTC."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    if seconds > EPOCH_MAX * 100:  # milliseconds
        seconds /= 1000
    if not EPOCH_MIN <= seconds <= EPOCH_MAX:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def struct_time(value: object) -> dt.datetime | None:
    """feedparser's parsed date (a UTC time.struct_time), in UTC."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    except (ValueError, OverflowError):
        return None


def any_time(value: object, now: dt.datetime) -> dt.datetime | None:
    """An export file's date: unix seconds, RFC 3339, or a date in Beijing time (2026-12-06)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return unix_time(value)
    if isinstance(value, str) and "T" not in value:
        return weibo_time(value, now) or iso_time(value)
    return iso_time(value) or weibo_time(value, now)
