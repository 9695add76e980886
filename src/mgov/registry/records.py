"""Validated registry records on their way into the database.

Every importer and every CLI edit produces these; `mgov.registry.sync.apply` is the one
place that writes them. A field left UNSET is not touched on an existing object, which is
how a partial source (the .gov registry knows no tags) updates without erasing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final


class _Unset:
    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()


@dataclass(frozen=True)
class Origin:
    """Where a record came from, for error messages: file and line (1-based)."""

    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class OrgRecord:
    code: str
    origin: Origin
    name_zh: Any = UNSET
    name_en: Any = UNSET
    jurisdiction: Any = UNSET
    tier: Any = UNSET
    parent: Any = UNSET  # parent's code, or None for a root
    region_code: Any = UNSET
    no_external_service: Any = UNSET
    active: Any = UNSET
    time_zone: Any = UNSET  # IANA name; None: the jurisdiction's default (mgov.zones)

    COLUMNS = ("name_zh", "name_en", "jurisdiction", "tier", "region_code",
               "no_external_service", "active", "time_zone")


@dataclass
class PersonRecord:
    key: str
    origin: Origin
    name: Any = UNSET
    email: Any = UNSET
    phone: Any = UNSET

    COLUMNS = ("name", "email", "phone")


@dataclass
class RoleRecord:
    person: str
    organization: str
    role: str
    origin: Origin
    since: dt.date | None = None
    until: Any = UNSET


@dataclass
class ChannelRecord:
    kind: str
    address: str
    origin: Origin
    name: Any = UNSET
    owner: Any = UNSET  # owner's code, or None
    status: Any = UNSET
    tags: Any = UNSET  # list[str], replaces the stored tags
    attributes: Any = UNSET  # dict: registered facts checks compare against (site_code...)
    tags_add: tuple[str, ...] = ()  # added to the stored tags (sources that own only some)
    # Merged into the stored attributes (sources that own only some keys): a key set to None is
    # removed, keys not named are kept. Ignored when `attributes` (a full replacement) is given.
    attributes_add: dict[str, Any] = field(default_factory=dict)
    responsible: Any = UNSET  # dict[role, list[person key]]
    # The roles `responsible` speaks for; None: all of them (a full replacement).
    responsible_roles: frozenset[str] | None = None
    # Date and note of the history event that a status change files.
    event_on: dt.date | None = None
    event_note: str | None = None

    COLUMNS = ("name", "status", "tags", "attributes")


@dataclass
class EventRecord:
    kind: str
    address: str
    event: str
    origin: Origin
    date: dt.date | None = None
    note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Batch:
    organizations: list[OrgRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    roles: list[RoleRecord] = field(default_factory=list)
    channels: list[ChannelRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(x) for x in (self.organizations, self.people, self.roles,
                                     self.channels, self.events))

    def extend(self, other: Batch) -> None:
        self.organizations += other.organizations
        self.people += other.people
        self.roles += other.roles
        self.channels += other.channels
        self.events += other.events


@dataclass(frozen=True)
class Problem:
    """A row that was not stored, and why. Nothing else is lost because of it."""

    origin: Origin
    reason: str
    record_type: str = "row"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.origin.source, "line": self.origin.line,
                "record_type": self.record_type, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


def dedupe(records: list[Any], key: Any, what: str, problems: list[Problem]) -> list[Any]:
    """Keep the first record per natural key; report the later ones as duplicates."""
    first: dict[Any, Origin] = {}
    kept = []
    for rec in records:
        k = key(rec)
        if k in first:
            problems.append(Problem(rec.origin, f"duplicate {what} {k!r} (first at {first[k]})", what))
            continue
        first[k] = rec.origin
        kept.append(rec)
    return kept


def given_fields(rec: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    """The fields of rec that its source set (not UNSET)."""
    return {c: getattr(rec, c) for c in columns if getattr(rec, c) is not UNSET}
