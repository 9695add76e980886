"""What the assessment reads: the channels and, per (channel, indicator), what was observed.

Everything is frozen and plain: the caller (the store, a CSV import, a test) builds these from
snapshots, so re-running an assessment on the same inputs gives the same results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

FindingStatus = Literal["pass", "fail", "warn", "error", "not_applicable"]
ManualStatus = Literal["met", "failed", "not_applicable"]
MANUAL_STATUSES: tuple[str, ...] = ("met", "failed", "not_applicable")
Ref = Mapping[str, Any]

FINDING_STATUSES: tuple[str, ...] = ("pass", "fail", "warn", "error", "not_applicable")
BAD_RATING_LEVELS: tuple[str, ...] = ("不满意", "非常不满意")  # 差评 (国办发〔2019〕51号)
RATING_LEVELS: tuple[str, ...] = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")


def _refs(refs: Sequence[Ref]) -> tuple[Ref, ...]:
    return tuple(dict(r) for r in refs) if refs else ()


@dataclass(frozen=True)
class ChannelInput:
    """A channel to assess, as the registry describes it (tags: e.g. 'portal' for 门户网站)."""

    channel_id: str
    address: str
    kind: str
    tier: str
    org_code: str = ""
    tags: tuple[str, ...] = ()
    no_external_service: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", tuple(sorted(set(self.tags))))


@dataclass(frozen=True)
class DailyFinding:
    """The finding of the bound check on one day of the period (evidence: WARC ref dicts)."""

    day: date
    status: FindingStatus
    value: Any = None
    evidence: Sequence[Ref] = ()

    def __post_init__(self) -> None:
        if self.status not in FINDING_STATUSES:
            raise ValueError(f"unknown finding status {self.status!r} (choose from: {', '.join(FINDING_STATUSES)})")
        object.__setattr__(self, "evidence", _refs(self.evidence))


@dataclass(frozen=True)
class ProbeWeek:
    """The availability probes of one week: how many were sent and how many failed (≥ timeout)."""

    week_start: date
    probes: int
    failed: int

    def __post_init__(self) -> None:
        if self.probes < 0 or not 0 <= self.failed <= self.probes:
            raise ValueError(f"bad probe counts for week {self.week_start}: {self.failed} failed of {self.probes}")


@dataclass(frozen=True)
class ManualInput:
    """A reviewer's decision on an indicator, with a note and evidence.

    It takes precedence over any automated source (a reviewer confirms or rejects the candidates
    a check found). For bonus indicators 'met' means the bonus is earned; instances multiply points.
    'not_applicable': the reviewer found that the indicator does not apply to the channel (a
    mini program without the function it asks about): neither met nor failed, and not missing.
    """

    status: ManualStatus
    instances: int = 1
    note: str = ""
    evidence: Sequence[Ref] = ()

    def __post_init__(self) -> None:
        if self.status not in MANUAL_STATUSES:
            raise ValueError(f"manual status must be one of {', '.join(MANUAL_STATUSES)}, not {self.status!r}")
        if self.instances < 0:
            raise ValueError(f"manual instances must be >= 0, not {self.instances}")
        object.__setattr__(self, "evidence", _refs(self.evidence))


@dataclass(frozen=True)
class RatingCounts:
    """好差评 for the period: all ratings, the 差评 among them (不满意 and 非常不满意), and, when
    known, the 差评 not rectified and answered within the deadline (overdue)."""

    total: int
    bad: int
    overdue: int | None = None

    def __post_init__(self) -> None:
        if self.total < 0 or not 0 <= self.bad <= self.total:
            raise ValueError(f"bad rating counts: {self.bad} bad of {self.total}")
        if self.overdue is not None and not 0 <= self.overdue <= self.bad:
            raise ValueError(f"overdue 差评 ({self.overdue}) must be between 0 and bad ({self.bad})")

    @classmethod
    def from_levels(cls, levels: Mapping[str, int], overdue: int | None = None) -> RatingCounts:
        """From counts per level (非常满意 … 非常不满意); unknown levels are a ValueError."""
        unknown = sorted(set(levels) - set(RATING_LEVELS))
        if unknown:
            raise ValueError(f"unknown rating level(s) {', '.join(unknown)} (choose from: {', '.join(RATING_LEVELS)})")
        return cls(sum(levels.values()), sum(levels.get(k, 0) for k in BAD_RATING_LEVELS), overdue)


@dataclass(frozen=True)
class UsageFigures:
    """Usage for the period (an analytics.usa.gov-style export): visits and the mobile share (0–1)."""

    visits: int
    mobile_share: float | None = None


@dataclass(frozen=True)
class Observation:
    """What was observed for one indicator of one channel; fill the field its source needs.

    source check: findings (the bound check's daily findings); probe: probes (weekly counts);
    manual: manual; rating: ratings; usage: usage. manual also overrides any other source.
    """

    channel_id: str
    indicator_id: str
    findings: Sequence[DailyFinding] = ()
    probes: Sequence[ProbeWeek] = ()
    manual: ManualInput | None = None
    ratings: RatingCounts | None = None
    usage: UsageFigures | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(sorted(self.findings, key=lambda f: f.day)))
        object.__setattr__(self, "probes", tuple(sorted(self.probes, key=lambda p: p.week_start)))
