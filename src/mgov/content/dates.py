"""Dates as Chinese and international government pages write them.

Full dates (2026-11-26, 2026/11/26, 2026.11.26, 2026年11月26日, with or without a time) and
month-day forms (11-26, 11/26, 11月26日) whose year is inferred: the latest year that does
not put the date after `today`, the way list pages drop the year of this year's items.
Full-width digits and punctuation are folded (NFKC). A match that is not a real date
(2026-02-30) or whose year is implausible is skipped, never raised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

# One alternation, tried left to right at each position, so "2026-11-26" is taken whole and
# its tail is never re-read as the month-day "11-26". Boundaries keep phone numbers
# (010-12345678), version strings (1.2.3.4) and long digit runs out.
_DATE = re.compile(
    r"(?<![0-9])(?<![0-9][-/.])"
    r"(?:"
    # 2026-11-26, 2026/1/5, 2026.11.26 (one separator used twice)
    r"(?P<y1>[0-9]{4})(?P<s>[-/.])(?P<m1>[0-9]{1,2})(?P=s)(?P<d1>[0-9]{1,2})(?![0-9]|[-/.][0-9])"
    # 2026年11月26日, 2026 年 1 月 5 日
    r"|(?P<y2>[0-9]{4})\s*年\s*(?P<m2>[0-9]{1,2})\s*月\s*(?P<d2>[0-9]{1,2})(?:\s*[日号])?(?![0-9])"
    # 11-26, 11/26: two digits each, so fractions (1/2) and scores (3-1) stay out
    r"|(?P<m3>[0-9]{2})[-/](?P<d3>[0-9]{2})(?![0-9]|[-/.:][0-9])"
    # 11月26日, 1月5日: the day suffix is required, "3月15" alone is too often not a date
    r"|(?P<m4>[0-9]{1,2})\s*月\s*(?P<d4>[0-9]{1,2})\s*[日号]"
    r")"
)
_MIN_YEAR = 1990


def _fold(text: str) -> str:
    # NFKC turns full-width digits and separators (２０２６／１１) into ASCII.
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _full(y: int, m: int, d: int, today: date) -> date | None:
    if not _MIN_YEAR <= y <= today.year + 1:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _inferred(m: int, d: int, today: date) -> date | None:
    # The latest year that does not put the date after today; a few years back covers 02-29.
    for y in range(today.year, today.year - 8, -1):
        try:
            candidate = date(y, m, d)
        except ValueError:
            if not 1 <= m <= 12 or not 1 <= d <= 31:
                return None
            continue
        if candidate <= today:
            return candidate
    return None


def _matches(text: str, today: date) -> Iterator[date]:
    for m in _DATE.finditer(_fold(text)):
        g = m.group
        last = m.lastindex  # the day group closes each alternative: 4, 7, 9 or 11
        if last == 4:
            found = _full(int(g(1)), int(g(3)), int(g(4)), today)
        elif last == 7:
            found = _full(int(g(5)), int(g(6)), int(g(7)), today)
        elif last == 9:
            found = _inferred(int(g(8)), int(g(9)), today)
        else:
            found = _inferred(int(g(10)), int(g(11)), today)
        if found is not None:
            yield found


def parse_date(text: str, today: date) -> date | None:
    """The first valid date expression in text, or None."""
    return next(_matches(text, today), None)


def find_dates(text: str, today: date) -> list[date]:
    """Every valid date expression in text, in order of appearance."""
    return list(_matches(text, today))


def strip_dates(text: str) -> str:
    """text without its date expressions (valid or not), for hashing a page's stable parts."""
    return _DATE.sub(" ", _fold(text))
