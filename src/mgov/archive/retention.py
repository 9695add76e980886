"""Retention schedules as data: each schedule item says how long captures are kept
(`retain`, from their capture date or from the end of its calendar or fiscal year) or that
they are permanent, and under which authority; assignments give channels their item by
channel kind, organization, tag or channel (mgov.archive.retention_assign). Shipped
schedules are in `retention_data/`, an office's own in `<home>/schedules/*.toml`
(mgov.archive.retention_load reads and validates both). docs/archive.md, "Retention".

Pure: plain data and date arithmetic, no database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from mgov.errors import MgovError

DISPOSITIONS = ("temporary", "permanent")
CUTOFFS = ("none", "calendar_year", "fiscal_year")  # fiscal_year: the US federal one, ending 30 September
_PERIOD = re.compile(r"^\s*(\d{1,4})\s*(day|days|month|months|year|years)\s*$", re.IGNORECASE)


class RetentionError(MgovError):
    """Schedule files that cannot be used: every problem, each naming its file and key."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid retention schedules:\n  " + "\n  ".join(errors))


@dataclass(frozen=True)
class Period:
    """A retention period: so many days, months or years."""

    amount: int
    unit: str  # days, months, years

    @classmethod
    def parse(cls, text: str) -> Period:
        """"90 days", "6 months", "3 years"; ValueError naming the forms for anything else."""
        found = _PERIOD.match(str(text))
        if not found:
            raise ValueError(f"{text!r} is not a period: write it as '90 days', '6 months' or '3 years'")
        unit = found.group(2).lower()
        return cls(int(found.group(1)), unit if unit.endswith("s") else unit + "s")

    def before(self, day: dt.date) -> dt.date:
        """The day this period before `day` (the 29th of February, a year on, is the 28th)."""
        if self.unit == "days":
            return day - dt.timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == "years" else 1)
        year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
        month += 1
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(year, month, min(day.day, last))

    def __str__(self) -> str:
        return f"{self.amount} {self.unit if self.amount != 1 else self.unit[:-1]}"


@dataclass(frozen=True)
class ScheduleItem:
    """One item of a schedule: what it covers, how long, under which authority."""

    schedule: str
    id: str
    title_en: str
    title_zh: str
    disposition: str  # temporary, permanent
    retain: Period | None  # None when permanent
    cutoff: str
    authority: str
    note: str = ""
    uncertain: str = ""  # what of it is not verified against the authority's text

    @property
    def key(self) -> str:
        return f"{self.schedule}/{self.id}"

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def rank(self) -> tuple[int, int]:
        """Longer keeps rank higher (permanent above every period)."""
        if self.retain is None:
            return (1, 0)
        days = {"days": 1, "months": 31, "years": 366}[self.retain.unit]
        return (0, self.retain.amount * days)

    def due_before(self, as_of: dt.date) -> dt.datetime | None:
        """Captures made before this instant (UTC) are due for disposition on `as_of`; None
        when the item is permanent (nothing is ever due)."""
        if self.retain is None:
            return None
        start = self.retain.before(as_of)  # captured before this day: retained its whole period
        if self.cutoff == "calendar_year":  # the period runs from the 1st of January after the capture
            start = dt.date(start.year, 1, 1)
        elif self.cutoff == "fiscal_year":  # from the 1st of October after the capture
            year = start.year if start >= dt.date(start.year, 10, 1) else start.year - 1
            start = dt.date(year, 10, 1)
        return dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Assignment:
    """Which channels an item applies to: those of the kinds, organizations (and their
    subtrees), tags or channel addresses named, in a jurisdiction when given. `office` for
    an office's own files, which come before the shipped ones at the same level."""

    item: str  # <schedule>/<item>
    kinds: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    jurisdiction: str | None = None
    origin: str = ""
    office: bool = False


@dataclass(frozen=True)
class Schedule:
    id: str
    title_en: str
    title_zh: str
    authority: str
    jurisdiction: str | None
    source: str
    origin: str
    items: tuple[ScheduleItem, ...] = ()


@dataclass
class Schedules:
    """Every schedule loaded, its items by key, and every assignment in load order."""

    schedules: dict[str, Schedule] = field(default_factory=dict)
    items: dict[str, ScheduleItem] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)

    def item(self, key: str) -> ScheduleItem:
        found = self.items.get(key)
        if found is None:
            raise MgovError(f"no schedule item {key!r} (known: {', '.join(sorted(self.items))})")
        return found
