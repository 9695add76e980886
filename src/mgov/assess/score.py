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

Completeness: a result is incomplete when the not-assessed share of its monitored indicators
(the applicable ones of source check or probe; when a channel has none, all its applicable
ones) is at least scoring.incomplete_share. Manual, rating and usage indicators wait for a person
or a file, so they do not count against a channel whose automated monitoring worked. An
incomplete result gets no score, base, grade or rank; what the assessed indicators give stays
in observed_score. Its verdict stays 'fail' when no unseen indicator could undo it (a failed
veto; under deduction a score below the pass mark, since unseen items can only deduct more);
otherwise it is 'not_assessed': an unverifiable channel never passes with a score.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction

from mgov.assess.aggregate import aggregate
from mgov.assess.inputs import ChannelInput, Observation
from mgov.assess.results import ChannelResult, IndicatorResult, Outcome, Verdict
from mgov.profiles.model import Indicator, Profile, Scoring
from mgov.profiles.resolve import resolve

DIGITS = 4  # scores are rounded so that 0.1-point deductions add up exactly
MONITORED_SOURCES = ("check", "probe")  # what mgov observes by itself; the others wait for a person or a file


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


def _indicator_pairs(profile: Profile, channel: ChannelInput,
                     observations: Mapping[str, Observation]) -> list[tuple[Indicator, IndicatorResult]]:
    out = []
    for ind in resolve(profile, channel.kind, channel.tier):
        reason = _skipped(ind, channel, profile.scoring)
        outcome = aggregate(ind, observations.get(ind.id))  # always, so bad modes raise
        if reason is not None:
            outcome = Outcome("not_applicable", detail=reason)
        out.append((ind, _result(ind, outcome)))
    return out


def indicator_results(profile: Profile, channel: ChannelInput,
                      observations: Mapping[str, Observation]) -> list[IndicatorResult]:
    """The per-indicator results of channel, in profile order (observations by indicator id)."""
    return [r for _, r in _indicator_pairs(profile, channel, observations)]


def coverage(scoring: Scoring, pairs: Iterable[tuple[Indicator, IndicatorResult]]) -> tuple[bool, float, int, int]:
    """(complete, not-assessed share, monitored, monitored not assessed) of a channel's results
    (each with its indicator): see the module's Completeness."""
    applicable = [(ind, r) for ind, r in pairs if r.status != "not_applicable"]
    monitored = [r for ind, r in applicable if ind.source in MONITORED_SOURCES] or [r for _, r in applicable]
    missing = sum(1 for r in monitored if r.status == "not_assessed")
    share = Fraction(missing, len(monitored)) if monitored else Fraction(1)
    return share < Fraction(str(scoring.incomplete_share)), round(float(share), DIGITS), len(monitored), missing


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
    pairs = _indicator_pairs(profile, channel, observations)
    results = [r for _, r in pairs]
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
    complete, share, monitored, missing = coverage(scoring, pairs)
    observed = score
    if not complete:
        verdict, reasons = _incomplete(scoring, verdict, bool(vetoes), reasons, share, monitored, missing)
        score, base, bonus = None, None, 0.0
    if (vetoes and scoring.method == "deduction") or not complete:
        # 不再对其他指标进行评分: the breakdown stays, the bonus is not earned.
        results = [dataclasses.replace(r, points=0.0) if r.rule == "bonus" else r for r in results]
    grade = scoring.grade(score) if score is not None and scoring.grades else None
    return ChannelResult(profile.id, channel.channel_id, channel.address, channel.kind, channel.tier,
                         channel.org_code, verdict, score, grade, vetoes, tuple(results), not_assessed,
                         base, bonus, reasons, complete, share, monitored, missing, observed)


def _incomplete(scoring: Scoring, verdict: Verdict, vetoed: bool, reasons: tuple[str, ...], share: float,
                monitored: int, missing: int) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict and reasons of an incomplete result: a fail the unseen indicators cannot undo
    stands (a veto; under deduction a score below the pass mark), anything else is not assessed."""
    note = (f"incomplete: {missing} of {monitored} monitored indicator(s) not assessed "
            f"({share:.0%}, at least {scoring.incomplete_share:.0%})")
    if verdict == "fail" and (vetoed or scoring.method == "deduction"):
        return "fail", (*reasons, note)
    return "not_assessed", (*reasons, note)


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
