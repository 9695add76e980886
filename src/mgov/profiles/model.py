"""The profile model: an indicator tree with its scoring parameters (frozen, loaded from TOML)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mgov.checks.base import params_variant
from mgov.errors import MgovError

RULES = ("veto", "deduct", "weight", "bonus")
SOURCES = ("check", "manual", "rating", "usage", "probe")
METHODS = ("deduction", "percentage")
DeadlineKind = Literal["immediate", "working_days", "calendar_days"]


class ProfileError(MgovError):
    """A profile cannot be loaded: each error names the file, the key and the reason."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


_DEADLINE = re.compile(r"^(?P<days>[0-9]+) (?P<unit>working|calendar) days?$")


@dataclass(frozen=True)
class Deadline:
    """When a failing indicator must be fixed: at once, or within N working or calendar days."""

    kind: DeadlineKind
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Deadline:
        """'immediate', '5 working days' or '30 calendar days'; ValueError otherwise."""
        if text == "immediate":
            return cls("immediate")
        m = _DEADLINE.match(text)
        if not m or int(m["days"]) < 1:
            raise ValueError(f"bad deadline {text!r} (write 'immediate', 'N working days' or 'N calendar days')")
        return cls("working_days" if m["unit"] == "working" else "calendar_days", int(m["days"]))

    def __str__(self) -> str:
        if self.kind == "immediate":
            return "immediate"
        unit = "working" if self.kind == "working_days" else "calendar"
        return f"{self.days} {unit} day{'s' if self.days != 1 else ''}"


@dataclass(frozen=True)
class Grade:
    """A letter grade: scores >= min (percent) earn it; bands are listed highest first."""

    letter: str
    min: float


@dataclass(frozen=True)
class Scoring:
    """How indicator results become a verdict and a score.

    deduction (China 2019): any veto fails; else total minus the deductions (each capped per item)
    is the score; below pass_mark fails; above bonus_gate the bonus indicators add up to bonus_max,
    for channels carrying the registry tag bonus_scope only. Organizations flagged
    no_external_service skip the no_service_categories: the score is out of no_service_total and
    is scaled by total / no_service_total (75 × 4/3); no_service_indicators are skipped too.
    percentage (ScanGov style): the equal-weight share of applicable indicators met, in percent,
    graded by grades; pass_mark is the percentage needed to pass.
    incomplete_share: a result is incomplete (no score, no rank) when at least this share of its
    monitored indicators (source check or probe; all applicable ones for a channel with none) is
    not assessed; incomplete_deadline: when the task to restore its monitoring is due.
    """

    method: str = "deduction"
    total: float = 100.0
    pass_mark: float = 60.0
    bonus_max: float = 0.0
    bonus_gate: float | None = None
    bonus_scope: str | None = None
    no_service_total: float | None = None
    no_service_categories: tuple[str, ...] = ()
    no_service_indicators: tuple[str, ...] = ()  # further items skipped (e.g. the 办事服务 vetoes)
    grades: tuple[Grade, ...] = ()
    incomplete_share: float = 0.5
    incomplete_deadline: Deadline = Deadline("working_days", 5)

    @property
    def no_service_multiplier(self) -> float | None:
        return self.total / self.no_service_total if self.no_service_total else None

    def grade(self, percent: float) -> str | None:
        return next((g.letter for g in self.grades if percent >= g.min), None)

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "total": self.total, "pass_mark": self.pass_mark,
                "bonus_max": self.bonus_max, "bonus_gate": self.bonus_gate, "bonus_scope": self.bonus_scope,
                "no_service_total": self.no_service_total,
                "no_service_categories": list(self.no_service_categories),
                "no_service_indicators": list(self.no_service_indicators),
                "no_service_multiplier": self.no_service_multiplier,
                "grades": [{"letter": g.letter, "min": g.min} for g in self.grades],
                "incomplete_share": self.incomplete_share, "incomplete_deadline": str(self.incomplete_deadline)}


@dataclass(frozen=True)
class Category:
    id: str
    title_zh: str
    title_en: str
    points: float | None = None  # the category's share of the deduction total
    weight: float | None = None  # its share of the overall score (weight rules)

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class Indicator:
    """One line of the indicator tree.

    rule: veto (单项否决: fails the assessment), deduct (points per instance, at most cap for the
    item), weight (a share of its category's score), bonus (加分: points per instance up to cap).
    source: check (a registered check, run with params), or an input mgov takes from elsewhere:
    manual (a reviewer), rating (好差评), usage (visit figures), probe (the availability probes).
    aggregate: how the assessment aggregates over the period (window, thresholds), free-form.
    kinds/tiers: where it applies (empty: every kind of the profile, every tier).
    """

    id: str
    title_zh: str
    title_en: str
    category: str
    rule: str
    source: str
    check: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    aggregate: Mapping[str, Any] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    points: float | None = None
    cap: float | None = None
    weight: float | None = None
    evidence: str = ""
    deadline: Deadline | None = None
    spec: str = ""
    uncertain: str = ""

    @property
    def variant(self) -> str | None:
        """The key of the findings judged with this indicator's params (None: the check's own)."""
        return params_variant(dict(self.params))

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title_zh": self.title_zh, "title_en": self.title_en,
                "category": self.category, "rule": self.rule, "source": self.source, "check": self.check,
                "params": dict(self.params), "aggregate": dict(self.aggregate), "kinds": list(self.kinds),
                "tiers": list(self.tiers), "points": self.points, "cap": self.cap, "weight": self.weight,
                "evidence": self.evidence, "deadline": str(self.deadline) if self.deadline else None,
                "spec": self.spec, "uncertain": self.uncertain}


@dataclass(frozen=True)
class Override:
    """Changes to indicators for some kinds and tiers (分级分类), applied in order by resolve()."""

    kinds: tuple[str, ...] = ()  # empty: any kind
    tiers: tuple[str, ...] = ()  # empty: any tier
    indicators: tuple[str, ...] = ()  # empty: every indicator
    set: Mapping[str, Any] = field(default_factory=dict)  # field -> new value (params are merged)
    disable: bool = False  # drop the indicators instead
    origin: str = ""

    def matches(self, kind: str, tier: str) -> bool:
        return (not self.kinds or kind in self.kinds) and (not self.tiers or tier in self.tiers)


@dataclass(frozen=True)
class Profile:
    id: str
    title_zh: str
    title_en: str
    jurisdiction: str
    kinds: tuple[str, ...]
    scoring: Scoring
    categories: tuple[Category, ...]
    indicators: tuple[Indicator, ...]
    overrides: tuple[Override, ...] = ()
    extends: tuple[str, ...] = ()  # the chain of ancestors, nearest first
    spec: str = ""
    source: str = ""  # the file it was loaded from

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def category(self, category_id: str) -> Category:
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise KeyError(category_id)
