"""Scoring: indicator outcomes -> a channel's verdict and score, per profile.scoring.method.

deduction (国办秘函〔2019〕19号 §1.2): any failed veto -> 'fail', score None. Otherwise
base = (T - Σ min(points × instances, cap) over failed deduct indicators) × total / T, where T is
total, or no_service_total for organizations without external services (75 × 4/3), which skip
no_service_categories and no_service_indicators. base < pass_mark fails. Above bonus_gate,
channels tagged bonus_scope add Σ min(points × instances, cap) over met bonus indicators, at most
bonus_max. Not-assessed indicators are not deducted; the result counts them.
percentage (ScanGov style): score = 100 × met / assessed over the applicable indicators that
could be assessed (equal weight), graded by scoring.grade; pass when score >= pass_mark and no
veto failed.
When no indicator at all could be assessed the verdict is 'not_assessed' and the score None.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping

from mgov.assess.aggregate import aggregate
from mgov.assess.inputs import ChannelInput, Observation
from mgov.assess.results import ChannelResult, IndicatorResult, Outcome, Verdict
from mgov.profiles.model import Indicator, Profile, Scoring
from mgov.profiles.resolve import resolve

DIGITS = 4  # scores are rounded so that 0.1-point deductions add up exactly


def _points(ind: Indicator, instances: int) -> float:
    raw = (ind.points or 0.0) * instances
    return round(min(raw, ind.cap) if ind.cap is not None else raw, DIGITS)


def _skipped(ind: Indicator, channel: ChannelInput, scoring: Scoring) -> str | None:
    if channel.no_external_service and (ind.category in scoring.no_service_categories
                                        or ind.id in scoring.no_service_indicators):
        return "not inspected: the organization has no external services"
    if ind.rule == "bonus" and scoring.bonus_scope and scoring.bonus_scope not in channel.tags:
        return f"bonus only for channels tagged '{scoring.bonus_scope}'"
    return None


def _result(ind: Indicator, out: Outcome) -> IndicatorResult:
    points = 0.0
    if (ind.rule == "deduct" and out.status == "failed") or (ind.rule == "bonus" and out.status == "met"):
        points = _points(ind, out.instances)
    return IndicatorResult(ind.id, ind.rule, ind.category, out.status, out.instances, points,
                           out.evidence, out.detail)


def indicator_results(profile: Profile, channel: ChannelInput,
                      observations: Mapping[str, Observation]) -> list[IndicatorResult]:
    """The per-indicator results of channel, in profile order (observations by indicator id)."""
    out = []
    for ind in resolve(profile, channel.kind, channel.tier):
        reason = _skipped(ind, channel, profile.scoring)
        outcome = aggregate(ind, observations.get(ind.id))  # always, so bad modes raise
        if reason is not None:
            outcome = Outcome("not_applicable", detail=reason)
        out.append(_result(ind, outcome))
    return out


def _deduction(scoring: Scoring, channel: ChannelInput, results: list[IndicatorResult],
               vetoes: tuple[str, ...]) -> tuple[Verdict, float | None, float | None, float, tuple[str, ...]]:
    if vetoes:
        return "fail", None, None, 0.0, tuple(f"veto: {v}" for v in vetoes)
    scale_total = scoring.total
    if channel.no_external_service and scoring.no_service_total:
        scale_total = scoring.no_service_total
    lost = sum(r.points for r in results if r.rule == "deduct" and r.status == "failed")
    base = round((scale_total - lost) * scoring.total / scale_total, DIGITS)
    if base < scoring.pass_mark:
        return "fail", base, base, 0.0, (f"score {base:g} below {scoring.pass_mark:g}",)
    bonus = 0.0
    if scoring.bonus_gate is not None and base > scoring.bonus_gate:
        earned = sum(r.points for r in results if r.rule == "bonus" and r.status == "met")
        bonus = round(min(earned, scoring.bonus_max), DIGITS)
    return "pass", round(base + bonus, DIGITS), base, bonus, ()


def _percentage(scoring: Scoring, results: list[IndicatorResult],
                vetoes: tuple[str, ...]) -> tuple[Verdict, float | None, tuple[str, ...]]:
    assessed = [r for r in results if r.status in ("met", "failed")]
    met = sum(1 for r in assessed if r.status == "met")
    score = round(100.0 * met / len(assessed), DIGITS)
    if vetoes:
        return "fail", score, tuple(f"veto: {v}" for v in vetoes)
    if score < scoring.pass_mark:
        return "fail", score, (f"{met} of {len(assessed)} met: {score:g} % below {scoring.pass_mark:g} %",)
    return "pass", score, ()


def assess_channel(profile: Profile, channel: ChannelInput,
                   observations: Mapping[str, Observation]) -> ChannelResult:
    """The result of one channel; observations keyed by indicator id."""
    scoring = profile.scoring
    results = indicator_results(profile, channel, observations)
    vetoes = tuple(r.id for r in results if r.rule == "veto" and r.status == "failed")
    not_assessed = sum(1 for r in results if r.status == "not_assessed")
    base: float | None = None
    bonus = 0.0
    score: float | None
    reasons: tuple[str, ...]
    if not any(r.status in ("met", "failed") for r in results):
        verdict: Verdict = "not_assessed"
        score, reasons = None, ("no indicator could be assessed",)
    elif scoring.method == "deduction":
        verdict, score, base, bonus, reasons = _deduction(scoring, channel, results, vetoes)
    elif scoring.method == "percentage":
        verdict, score, reasons = _percentage(scoring, results, vetoes)
    else:
        raise ValueError(f"profile '{profile.id}': unknown scoring method {scoring.method!r}")
    if vetoes and scoring.method == "deduction":
        # 不再对其他指标进行评分: the breakdown stays, the bonus is not earned.
        results = [dataclasses.replace(r, points=0.0) if r.rule == "bonus" else r for r in results]
    grade = scoring.grade(score) if score is not None and scoring.grades else None
    return ChannelResult(profile.id, channel.channel_id, channel.address, channel.kind, channel.tier,
                         channel.org_code, verdict, score, grade, vetoes, tuple(results), not_assessed,
                         base, bonus, reasons)


def assess(profile: Profile, channels: Iterable[ChannelInput],
           observations: Iterable[Observation]) -> list[ChannelResult]:
    """Every channel's result, sorted by channel id; observations for unknown channels are ignored.

    Two observations for the same (channel, indicator) are a ValueError (snapshots must be unique).
    """
    by_channel: dict[str, dict[str, Observation]] = {}
    for obs in observations:
        slot = by_channel.setdefault(obs.channel_id, {})
        if obs.indicator_id in slot:
            raise ValueError(f"two observations for channel '{obs.channel_id}', indicator '{obs.indicator_id}'")
        slot[obs.indicator_id] = obs
    chans = sorted(channels, key=lambda c: (c.channel_id, c.address))
    dupes = sorted(i for i, n in Counter(c.channel_id for c in chans).items() if n > 1)
    if dupes:
        raise ValueError(f"duplicate channel id(s): {', '.join(dupes)}")
    return [assess_channel(profile, c, by_channel.get(c.channel_id, {})) for c in chans]
