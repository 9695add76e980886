"""What the assessment produces: per-indicator results, per-channel verdicts, ranks and changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

IndicatorStatus = Literal["met", "failed", "not_assessed", "not_applicable"]
Verdict = Literal["pass", "fail", "not_assessed"]
Trend = Literal["new", "removed", "improved", "worse", "same"]


@dataclass(frozen=True)
class Outcome:
    """An indicator's aggregated status over the period, before scoring."""

    status: IndicatorStatus
    instances: int = 0
    evidence: tuple[Mapping[str, Any], ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of one channel.

    points: deducted (deduct rules, min(points × instances, cap), shown even when a veto stops the
    scoring), added (bonus rules, before bonus_max) or 0. evidence: the refs of the findings, probe
    weeks or review that decided the status.
    """

    id: str
    rule: str
    category: str
    status: IndicatorStatus
    instances: int = 0
    points: float = 0.0
    evidence: tuple[Mapping[str, Any], ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class ChannelResult:
    """The verdict on one channel for the period.

    score: None when a veto failed (不合格, no further scoring) or nothing could be assessed
    (verdict 'not_assessed'). deduction: base (the score before the bonus, scaled 4/3 for
    organizations without external services), bonus (after bonus_max). percentage: score is the
    percent of assessed applicable indicators met.

    complete: False when at least the profile's scoring.incomplete_share of the monitored
    indicators (monitored: the applicable ones mgov observes itself, source check or probe; for a
    channel with none, all its applicable ones) is not assessed. An incomplete result has no
    score, base, grade or rank; its verdict is 'fail' when what was observed already fails it
    for good (a veto; under deduction a score below the pass mark), else 'not_assessed'.
    observed_score: the score the assessed indicators give (None after a veto), kept for reading
    an incomplete result, never for ranking it.
    """

    profile_id: str
    channel_id: str
    address: str
    kind: str
    tier: str
    org_code: str
    verdict: Verdict
    score: float | None
    grade: str | None
    vetoes_failed: tuple[str, ...]
    indicators: tuple[IndicatorResult, ...]
    not_assessed: int
    base: float | None = None
    bonus: float = 0.0
    reasons: tuple[str, ...] = ()
    complete: bool = True
    not_assessed_share: float = 0.0
    monitored: int = 0
    monitored_not_assessed: int = 0
    observed_score: float | None = None

    @property
    def ranked(self) -> bool:
        """Whether the result takes a rank: complete, and something was assessed."""
        return self.complete and self.verdict != "not_assessed"

    def indicator(self, indicator_id: str) -> IndicatorResult:
        for r in self.indicators:
            if r.id == indicator_id:
                return r
        raise KeyError(indicator_id)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.indicators if r.status == "failed")


@dataclass(frozen=True)
class Rank:
    """A channel's place within its (tier, kind): rank 1 is best, among the ranked (complete)
    results, 'of' of them, equal standings sharing a rank (1, 1, 3); an incomplete result has
    rank None. position: the place in the
    group's listing (1..n without gaps: the ranked results, then the incomplete ones)."""

    channel_id: str
    address: str
    tier: str
    kind: str
    rank: int | None
    of: int
    score: float | None
    verdict: Verdict
    position: int = 0


@dataclass(frozen=True)
class Change:
    """How a channel's result moved from the previous period to the current one."""

    channel_id: str
    trend: Trend
    verdict: Verdict | None
    previous_verdict: Verdict | None
    score: float | None
    previous_score: float | None
    delta: float | None
    newly_failed: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
