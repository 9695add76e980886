"""Aggregating an indicator's observations over the period into met / failed / not assessed.

Modes (the indicator's aggregate table may name one with `mode`; otherwise it is inferred):

- latest: the latest usable finding decides (pass/warn met, fail failed, instances 1). Default.
- worst: the worst finding of the window decides (fail > warn > pass), instances 1.
- any_fail: failed if any day failed; instances = the failing days.
- fail_days_ratio: failed if failing days / usable days >= fail_ratio_gte (required).
- instances_from_value: the latest usable finding's value holds the count (value_key: an int or
  a list, whose entries may be filtered by column_types); failed when the count > 0.
  Inferred for `scope` (links.dead: homepage -> dead_home, other -> dead_other) and `column_types`.
- probe_week_ratio: for source = probe (V2 站点无法访问): a week counts when it averaged at least
  min_probes_per_day probes a day over window_days (7) days; failed when any counted week has
  failed / probes >= fail_ratio_gte (exact fractions: 7 of 140 is 5 %). warn_ratio adds a note.

Findings with status error are unusable (no evidence could be had); when nothing usable is left
the indicator is not_assessed. not_applicable findings make it not_applicable.
window_days (check modes other than latest): only findings of the last window_days days up to
the latest finding count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any

from mgov.assess.inputs import DailyFinding, Observation, ProbeWeek, RatingCounts, Ref, UsageFigures
from mgov.assess.results import Outcome
from mgov.profiles.model import Indicator

MODES = ("latest", "worst", "any_fail", "fail_days_ratio", "instances_from_value", "probe_week_ratio")
SCOPE_KEYS = {"homepage": "dead_home", "other": "dead_other", "all": "dead"}
# The content classifier's column classes for the column types the spec names.
COLUMN_CLASSES = {"政策文件": "policies", "通知公告": "notices", "动态": "news", "要闻": "news",
                  "人事": "personnel", "规划计划": "plans"}
_RANK = {"pass": 0, "warn": 1, "fail": 2}
NOT_OBSERVED = Outcome("not_assessed", detail="no observation for the period")


def mode_of(ind: Indicator) -> str:
    """The aggregation mode of ind; ValueError naming the indicator when it is unknown."""
    agg = ind.aggregate
    if "mode" in agg:
        mode = agg["mode"]
    elif ind.source == "probe":
        mode = "probe_week_ratio"
    elif "scope" in agg or "column_types" in agg or "value_key" in agg:
        mode = "instances_from_value"
    else:
        mode = "latest"
    if mode not in MODES:
        raise ValueError(f"indicator '{ind.id}': unknown aggregate mode {mode!r} (choose from: {', '.join(MODES)})")
    if mode == "probe_week_ratio" and ind.source != "probe":
        raise ValueError(f"indicator '{ind.id}': aggregate mode probe_week_ratio needs source = 'probe'")
    return str(mode)


def aggregate(ind: Indicator, obs: Observation | None) -> Outcome:
    """The outcome of ind over the period from obs (None: nothing observed -> not_assessed)."""
    mode = mode_of(ind)
    if obs is None:
        return NOT_OBSERVED
    if obs.manual is not None:
        m = obs.manual
        note = f"reviewer: {m.note}" if m.note else "reviewer"
        if m.status == "not_applicable":
            return Outcome("not_applicable", 0, tuple(m.evidence), note)
        return Outcome(m.status, m.instances if m.status == "failed" or ind.rule == "bonus" else 0,
                       tuple(m.evidence), note)
    if ind.source == "probe":
        return _probe_weeks(ind, obs.probes) if obs.probes else NOT_OBSERVED
    if ind.source == "rating":
        return _ratings(obs.ratings) if obs.ratings is not None else NOT_OBSERVED
    if ind.source == "usage":
        return _usage(ind, obs.usage) if obs.usage is not None else NOT_OBSERVED
    if ind.source != "check" or not obs.findings:
        return NOT_OBSERVED
    return _findings(ind, mode, obs.findings)


def _refs(f: DailyFinding) -> tuple[Ref, ...]:
    return tuple({**r, "day": f.day.isoformat()} for r in f.evidence)


def _window(ind: Indicator, findings: Sequence[DailyFinding]) -> list[DailyFinding]:
    days = ind.aggregate.get("window_days")
    if not days or not findings:
        return list(findings)
    start = findings[-1].day - timedelta(days=int(days) - 1)
    return [f for f in findings if f.day >= start]


def _findings(ind: Indicator, mode: str, all_findings: Sequence[DailyFinding]) -> Outcome:
    findings = all_findings if mode in ("latest", "instances_from_value") else _window(ind, all_findings)
    usable = [f for f in findings if f.status in _RANK]
    if not usable:
        if any(f.status == "not_applicable" for f in findings):
            return Outcome("not_applicable", detail="the check does not apply to this channel")
        return Outcome("not_assessed", detail=f"no usable finding ({len(findings)} error finding(s))")
    latest = usable[-1]
    if mode == "latest":
        if findings[-1].status == "not_applicable":
            return Outcome("not_applicable", detail=f"the check does not apply ({findings[-1].day})")
        failed = latest.status == "fail"
        return Outcome("failed" if failed else "met", int(failed), _refs(latest),
                       f"latest finding {latest.day}: {latest.status}")
    if mode == "worst":
        worst = max(usable, key=lambda f: (_RANK[f.status], f.day))
        failed = worst.status == "fail"
        return Outcome("failed" if failed else "met", int(failed), _refs(worst),
                       f"worst finding {worst.day}: {worst.status} ({len(usable)} day(s))")
    fails = [f for f in usable if f.status == "fail"]
    if mode == "any_fail":
        refs = tuple(r for f in fails for r in _refs(f))
        return Outcome("failed" if fails else "met", len(fails), refs,
                       f"{len(fails)} failing day(s) of {len(usable)}")
    if mode == "fail_days_ratio":
        if "fail_ratio_gte" not in ind.aggregate:
            raise ValueError(f"indicator '{ind.id}': aggregate mode fail_days_ratio needs fail_ratio_gte")
        threshold = Fraction(str(ind.aggregate["fail_ratio_gte"]))
        failed = Fraction(len(fails), len(usable)) >= threshold
        refs = tuple(r for f in fails for r in _refs(f)) if failed else _refs(latest)
        return Outcome("failed" if failed else "met", int(failed), refs,
                       f"{len(fails)} failing day(s) of {len(usable)} (fails at >= {float(threshold):.0%})")
    return _from_value(ind, latest)


def _value_key(ind: Indicator) -> str:
    agg = ind.aggregate
    if "value_key" in agg:
        return str(agg["value_key"])
    if "scope" in agg:
        if agg["scope"] not in SCOPE_KEYS:
            raise ValueError(f"indicator '{ind.id}': unknown aggregate scope {agg['scope']!r} "
                             f"(choose from: {', '.join(SCOPE_KEYS)})")
        return SCOPE_KEYS[str(agg["scope"])]
    if "column_types" in agg:
        return "stale"
    raise ValueError(f"indicator '{ind.id}': aggregate mode instances_from_value needs value_key or scope")


def _matches(entry: Any, types: Sequence[str]) -> bool:
    if not isinstance(entry, Mapping):
        return False
    cls, name = entry.get("class"), entry.get("name") or ""
    return any(cls in (t, COLUMN_CLASSES.get(t)) or t in name for t in types)


def _from_value(ind: Indicator, f: DailyFinding) -> Outcome:
    key = _value_key(ind)
    raw = f.value.get(key) if isinstance(f.value, Mapping) else None
    types = ind.aggregate.get("column_types")
    if isinstance(raw, list):
        count = len([e for e in raw if _matches(e, types)]) if types else len(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        count = raw
    else:
        return Outcome("not_assessed", detail=f"finding {f.day} has no count '{key}' in its value")
    what = f"{key}" + (f" ({', '.join(types)})" if types else "")
    return Outcome("failed" if count > 0 else "met", count, _refs(f) if count else (),
                   f"latest finding {f.day}: {count} {what}")


def _probe_weeks(ind: Indicator, weeks: Sequence[ProbeWeek]) -> Outcome:
    agg: Mapping[str, Any] = ind.aggregate
    days = int(agg.get("window_days", 7))
    per_day = Fraction(str(agg.get("min_probes_per_day", 20)))
    threshold = Fraction(str(agg.get("fail_ratio_gte", 0.05)))
    warn = Fraction(str(agg["warn_ratio"])) if "warn_ratio" in agg else None
    counted = [w for w in weeks if w.probes > 0 and Fraction(w.probes, days) >= per_day]
    if not counted:
        return Outcome("not_assessed", detail=f"no week with >= {float(per_day):g} probes a day "
                                              f"({len(weeks)} week(s) with too few probes)")
    bad = [w for w in counted if Fraction(w.failed, w.probes) >= threshold]
    ev = tuple({"week_start": w.week_start.isoformat(), "probes": w.probes, "failed": w.failed}
               for w in (bad or counted))
    detail = (f"{len(bad)} of {len(counted)} week(s) with >= {float(threshold):.0%} failed probes"
              + (f"; {len(weeks) - len(counted)} week(s) with too few probes not counted"
                 if len(counted) < len(weeks) else ""))
    if warn is not None and not bad:
        warned = [w for w in counted if Fraction(w.failed, w.probes) >= warn]
        if warned:
            detail += f"; warning: {len(warned)} week(s) at >= {float(warn):.0%}"
    return Outcome("failed" if bad else "met", len(bad), ev, detail)


def _ratings(r: RatingCounts) -> Outcome:
    count, what = (r.overdue, "差评 not rectified in time") if r.overdue is not None else (r.bad, "差评")
    return Outcome("failed" if count else "met", count, (), f"{count} {what} of {r.total} rating(s)")


def _usage(ind: Indicator, u: UsageFigures) -> Outcome:
    agg = ind.aggregate
    if "min_visits" not in agg and "min_mobile_share" not in agg:
        return Outcome("not_assessed", detail="no usage threshold (min_visits, min_mobile_share) in aggregate")
    short = []
    if "min_visits" in agg and u.visits < agg["min_visits"]:
        short.append(f"visits {u.visits} < {agg['min_visits']}")
    if "min_mobile_share" in agg:
        if u.mobile_share is None:
            return Outcome("not_assessed", detail="no mobile share in the usage figures")
        if u.mobile_share < agg["min_mobile_share"]:
            short.append(f"mobile share {u.mobile_share:.0%} < {agg['min_mobile_share']:.0%}")
    return Outcome("failed" if short else "met", int(bool(short)), (), "; ".join(short) or f"visits {u.visits}")
