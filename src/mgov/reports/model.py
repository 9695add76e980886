"""The report model: an assessment summary joined with the profile (titles) and the registry
(organizations), seen per organization, per tier and per channel. Pure: no database here."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mgov.assess.counts import Counts, count
from mgov.assess.wording import detail_text
from mgov.profiles import Profile
from mgov.registry import vocab

VERDICTS = {"pass": ("合格", "Pass"), "fail": ("不合格", "Fail"), "not_assessed": ("未评估", "Not assessed")}
TRENDS = {"improved": ("上升", "improved"), "worse": ("下降", "worse"), "same": ("持平", "same"),
          "new": ("新增", "new")}
_QUARTERS = "一二三四"


@dataclass(frozen=True)
class OrgInfo:
    code: str
    name_zh: str | None
    name_en: str | None
    tier: str

    def name(self, lang: str) -> str:
        first, second = (self.name_zh, self.name_en) if lang == "zh" else (self.name_en, self.name_zh)
        return first or second or self.code


@dataclass(frozen=True)
class FailedIndicator:
    id: str
    title: str
    rule: str
    instances: int
    points: float | None
    detail: str


@dataclass(frozen=True)
class ChannelView:
    address: str
    kind: str
    kind_label: str
    tier: str
    tier_label: str
    org_code: str
    org_name: str
    verdict: str
    verdict_label: str
    score: float | None
    grade: str | None
    rank: int | None
    of: int | None
    trend: str | None
    trend_label: str
    vetoes: tuple[str, ...]
    veto_titles: tuple[str, ...]
    not_assessed: int
    failed: tuple[FailedIndicator, ...]
    indicators: tuple[dict[str, Any], ...]
    complete: bool = True
    not_assessed_share: float | None = None  # of the monitored indicators
    observed_score: float | None = None  # what the assessed indicators give (an incomplete result has no score)
    position: int | None = None  # the place in the ranking listing: the ranked results, then the incomplete

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the channel failed: its vetoes, else the failed deductions."""
        return self.veto_titles or tuple(f.title for f in self.failed)


@dataclass(frozen=True)
class GroupView:
    """Channels of one organization, or of one tier and kind."""

    key: str
    label: str
    channels: tuple[ChannelView, ...]

    @property
    def totals(self) -> Counts:
        """The group's counts, as every view counts them (mgov.assess.counts)."""
        return count((ch.verdict, ch.complete) for ch in self.channels)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(ch.verdict for ch in self.channels)
        return {v: c.get(v, 0) for v in VERDICTS}

    @property
    def assessed(self) -> int:
        return self.totals.assessed

    @property
    def incomplete(self) -> int:
        """Channels whose monitoring was incomplete: no score, not ranked."""
        return self.totals.incomplete

    @property
    def pass_rate(self) -> float | None:
        return self.totals.pass_rate

    @property
    def mean_score(self) -> float | None:
        scores = [c.score for c in self.channels if c.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


@dataclass(frozen=True)
class Problem:
    """A commonly failed indicator: how many channels failed it."""

    id: str
    title: str
    rule: str
    channels: int
    instances: int


@dataclass(frozen=True)
class PeriodPoint:
    """One period of the trend: mean score and pass rate of the channels it assessed."""

    assessment: int
    period: str
    mean_score: float | None
    pass_rate: float | None


@dataclass(frozen=True)
class Report:
    lang: str
    assessment: int
    profile_id: str
    profile_title: str
    period: str
    period_label: str
    start: str
    end: str
    scope: OrgInfo | None
    channels: tuple[ChannelView, ...]
    history: tuple[PeriodPoint, ...] = ()
    pass_mark: float = 60.0
    labels: dict[str, str] = field(default_factory=dict)
    graded: bool = False  # the profile gives grades: else no grade column
    version: int = 1  # of the assessment: a re-run of its profile and period is a new version

    @property
    def totals(self) -> Counts:
        """The counts every view of the assessment shows (mgov.assess.counts): channels
        inspected, assessed, passed, failed, not assessed, incomplete."""
        return GroupView("all", "", self.channels).totals

    @property
    def counts(self) -> dict[str, int]:
        return GroupView("all", "", self.channels).counts

    @property
    def assessed(self) -> int:
        return GroupView("all", "", self.channels).assessed

    @property
    def incomplete(self) -> int:
        return GroupView("all", "", self.channels).incomplete

    @property
    def unranked(self) -> tuple[ChannelView, ...]:
        """The incomplete channels, whose monitoring must be restored."""
        return tuple(c for c in self.channels if not c.complete)

    @property
    def pass_rate(self) -> float | None:
        return GroupView("all", "", self.channels).pass_rate

    @property
    def mean_score(self) -> float | None:
        return GroupView("all", "", self.channels).mean_score

    @property
    def failed(self) -> tuple[ChannelView, ...]:
        return tuple(c for c in self.channels if c.verdict == "fail")

    @property
    def by_org(self) -> tuple[GroupView, ...]:
        groups: dict[str, list[ChannelView]] = {}
        names: dict[str, str] = {}
        for c in self.channels:
            groups.setdefault(c.org_code, []).append(c)
            names[c.org_code] = c.org_name
        return tuple(GroupView(code, names[code], tuple(chs)) for code, chs in sorted(groups.items()))

    @property
    def by_tier(self) -> tuple[GroupView, ...]:
        """Tier and kind groups, the scope of the ranks, each in ranking order (the ranked
        channels by rank, then the incomplete ones, unranked)."""
        groups: dict[tuple[str, str], list[ChannelView]] = {}
        for c in self.channels:
            groups.setdefault((c.tier, c.kind), []).append(c)
        return tuple(GroupView(f"{tier}/{kind}", f"{chs[0].tier_label} · {chs[0].kind_label}",
                               tuple(sorted(chs, key=lambda c: (c.position or c.rank or 10**9, c.address))))
                     for (tier, kind), chs in sorted(groups.items()))

    @property
    def subject(self) -> str:
        """What was inspected, as a bulletin's title names it: 政府网站, 政务新媒体, or both."""
        web = {"website", "mobile_site"}
        kinds = {c.kind for c in self.channels}
        has_web, has_media = bool(kinds & web), bool(kinds - web)
        zh = self.lang == "zh"
        if has_web and has_media:
            return "政府网站和政务新媒体" if zh else "government websites and new media"
        if has_media:
            return "政务新媒体" if zh else "government new media"
        return "政府网站" if zh else "government websites"

    def problems(self, limit: int = 10) -> tuple[Problem, ...]:
        """The most frequently failed indicators, by channels failing them (then instances)."""
        chans: Counter[str] = Counter()
        inst: Counter[str] = Counter()
        meta: dict[str, FailedIndicator] = {}
        for c in self.channels:
            for f in c.failed:
                chans[f.id] += 1
                inst[f.id] += f.instances
                meta[f.id] = f
        top = sorted(chans, key=lambda i: (-chans[i], -inst[i], i))[:limit]
        return tuple(Problem(i, meta[i].title, meta[i].rule, chans[i], inst[i]) for i in top)


def period_label(period: str, lang: str) -> str:
    """2026Q4 → 2026年第四季度 / 2026 Q4; 2026-11 → 2026年11月; 2026 → 2026年度; else as is."""
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", period, re.I):
        year, q = m.group(1), int(m.group(2))
        return f"{year}年第{_QUARTERS[q - 1]}季度" if lang == "zh" else f"{year} Q{q}"
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", period):
        return f"{m.group(1)}年{int(m.group(2))}月" if lang == "zh" else period
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年度" if lang == "zh" else period
    return period


def _term(table: dict[str, vocab.Term], code: str, lang: str) -> str:
    term = table.get(code)
    return vocab.label(term, lang) if term else code


def build_report(summary: dict[str, Any], profile: Profile, orgs: dict[tuple[str, str], OrgInfo], *,
                 lang: str = "zh", scope: OrgInfo | None = None, history: tuple[PeriodPoint, ...] = ()) -> Report:
    """The report of an assessment summary (mgov.assess.service.summary). orgs maps (address,
    kind) to the channel's organization; with scope, only channels in orgs are kept (the caller
    passes the organizations under the scope)."""
    titles = {i.id: i.title(lang) for i in profile.indicators}
    tiers = vocab.TIERS.get(profile.jurisdiction, {})
    views = []
    for c in summary["channels"]:
        org = orgs.get((c["address"], c["kind"]))
        if org is None:
            if scope is not None:
                continue
            org = OrgInfo("", None, None, c["tier"])
        failed = tuple(FailedIndicator(i["id"], titles.get(i["id"], i["id"]), i["rule"], int(i.get("instances") or 0),
                                       i.get("points"), detail_text(i.get("detail"), lang))
                       for i in c["indicators"] if i["status"] == "failed")
        verdict = c["verdict"]
        trend = c.get("trend")
        views.append(ChannelView(
            address=c["address"], kind=c["kind"], kind_label=_term(vocab.CHANNEL_KINDS, c["kind"], lang),
            tier=c["tier"], tier_label=_term(tiers, c["tier"], lang), org_code=org.code, org_name=org.name(lang),
            verdict=verdict, verdict_label=VERDICTS.get(verdict, (verdict, verdict))[lang != "zh"],
            score=c["score"], grade=c.get("grade"), rank=c.get("rank"), of=c.get("of"), trend=trend,
            trend_label=TRENDS[trend][lang != "zh"] if trend in TRENDS else (trend or ""),
            vetoes=tuple(c["vetoes"]), veto_titles=tuple(titles.get(v, v) for v in c["vetoes"]),
            not_assessed=int(c.get("not_assessed") or 0), failed=failed,
            indicators=tuple({**i, "title": titles.get(i["id"], i["id"]),
                              "detail_text": detail_text(i.get("detail"), lang)} for i in c["indicators"]),
            complete=c.get("complete", True), not_assessed_share=c.get("not_assessed_share"),
            observed_score=c.get("observed_score"), position=c.get("position")))
    return Report(lang=lang, assessment=summary["assessment"], profile_id=profile.id,
                  profile_title=profile.title(lang), period=summary["period"],
                  period_label=period_label(summary["period"], lang), start=summary["start"], end=summary["end"],
                  scope=scope, channels=tuple(views), history=history, pass_mark=profile.scoring.pass_mark,
                  graded=bool(profile.scoring.grades), version=int(summary.get("version") or 1))
