"""Validating a merged profile against the check registry and the vocabularies, and building it."""

from __future__ import annotations

from typing import Any

from mgov.checks.plugins import all_checks
from mgov.profiles.merged import Item, Merged
from mgov.profiles.model import (
    METHODS,
    RULES,
    SOURCES,
    Category,
    Deadline,
    Grade,
    Indicator,
    Override,
    Profile,
    ProfileError,
    Scoring,
)
from mgov.profiles.resolve import resolve_indicators
from mgov.registry.vocab import CHANNEL_KINDS, JURISDICTIONS, TIERS

CATEGORY_KEYS = ("id", "title_zh", "title_en", "points", "weight")
INDICATOR_KEYS = ("id", "title_zh", "title_en", "category", "rule", "source", "check", "params", "aggregate",
                  "kinds", "tiers", "points", "cap", "weight", "evidence", "deadline", "spec", "uncertain")
SETTABLE = ("title_zh", "title_en", "rule", "params", "aggregate", "points", "cap", "weight", "evidence",
            "deadline", "spec", "uncertain", "check")
OVERRIDE_KEYS = ("kinds", "tiers", "indicators", "set", "disable")
SCORING_KEYS = ("method", "total", "pass_mark", "bonus_max", "bonus_gate", "bonus_scope", "no_service_total",
                "no_service_categories", "no_service_indicators", "grades", "incomplete_share", "incomplete_deadline")
NUMBERS = ("points", "cap", "weight", "total", "pass_mark", "bonus_max", "bonus_gate", "no_service_total")


class _Errors(list[str]):
    def add(self, origin: str, key: str, reason: str) -> None:
        self.append(f"{origin}: {key}: {reason}")


def _choices(values: Any) -> str:
    return ", ".join(values)


def _value(errs: _Errors, origin: str, key: str, name: str, value: Any, ctx: dict[str, Any]) -> Any:
    """Check one field value; return it in model form (None when invalid)."""
    if name in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return errs.add(origin, key, f"must be a number >= 0, not {value!r}")
        return float(value)
    if name == "incomplete_share":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            return errs.add(origin, key, f"must be a share > 0 and <= 1 (0.5: half), not {value!r}")
        return float(value)
    if name in ("title_zh", "title_en", "evidence", "spec", "uncertain", "id", "bonus_scope", "check", "category"):
        if not isinstance(value, str) or (name in ("title_zh", "title_en", "id") and not value.strip()):
            return errs.add(origin, key, f"must be a non-empty text, not {value!r}")
        return value
    if name in ("rule", "source", "method"):
        choices = {"rule": RULES, "source": SOURCES, "method": METHODS}[name]
        if value not in choices:
            return errs.add(origin, key, f"unknown {name} {value!r} (choose from: {_choices(choices)})")
        return value
    if name in ("deadline", "incomplete_deadline"):
        try:
            return Deadline.parse(value) if isinstance(value, str) else Deadline.parse(repr(value))
        except ValueError as exc:
            return errs.add(origin, key, str(exc))
    if name in ("params", "aggregate"):
        if not isinstance(value, dict):
            return errs.add(origin, key, "must be a table")
        return value
    if name in ("kinds", "tiers", "indicators", "no_service_categories", "no_service_indicators"):
        allowed: Any = {"kinds": ctx.get("kinds"), "tiers": TIERS.get(ctx.get("jurisdiction") or "", {}),
                        "indicators": ctx.get("indicators"), "no_service_categories": ctx.get("categories"),
                        "no_service_indicators": ctx.get("indicators")}[name]
        what = {"kinds": "channel kind", "tiers": "tier",
                "indicators": "indicator", "no_service_categories": "category",
                "no_service_indicators": "indicator"}[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return errs.add(origin, key, "must be a list of texts")
        bad = [v for v in value if v not in allowed]
        if bad:
            where = f" for jurisdiction {ctx.get('jurisdiction')}" if name == "tiers" else ""
            return errs.add(origin, key, f"unknown {what} {bad[0]!r}{where} (choose from: {_choices(allowed)})")
        return tuple(value)
    if name == "disable":
        return value if isinstance(value, bool) else errs.add(origin, key, "must be true or false")
    raise AssertionError(name)


def _fields(errs: _Errors, item: Item, allowed: tuple[str, ...], prefix: str, ctx: dict[str, Any],
            required: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first = next(iter(item.values()))[1] if item else ""
    for name, (value, origin) in item.items():
        if name not in allowed:
            errs.add(origin, f"{prefix}.{name}", f"unknown key (allowed: {_choices(allowed)})")
        elif name != "id":
            out[name] = _value(errs, origin, f"{prefix}.{name}", name, value, ctx)
    for name in required:
        if name not in item:
            errs.add(first, f"{prefix}.{name}", "missing (required)")
    return out


def _check_binding(errs: _Errors, item: Item, f: dict[str, Any], prefix: str, jurisdiction: str,
                   kinds: tuple[str, ...]) -> None:
    source, check_id = f.get("source"), f.get("check")
    origin = item.get("check", item.get("source", item["id"]))[1]
    if source == "check" and check_id is None and "check" not in item:
        return errs.add(origin, f"{prefix}.check", "missing (required when source is 'check')")
    if source not in (None, "check") and "check" in item:
        return errs.add(origin, f"{prefix}.check", f"a '{source}' indicator binds no check (remove it or set "
                        "source = 'check')")
    if "params" in item and "check" not in item:
        errs.add(item["params"][1], f"{prefix}.params", "parameters need a check")
    if check_id is None:
        return None
    check = all_checks().get(check_id)
    if check is None:
        return errs.add(origin, f"{prefix}.check", f"unknown check {check_id!r} (see `mgov checks list`)")
    for kind in f.get("kinds") or kinds:
        if kind not in check.kinds:
            errs.add(origin, f"{prefix}.check", f"check {check_id!r} does not apply to kind {kind!r}")
    if check.jurisdictions is not None and jurisdiction not in check.jurisdictions:
        errs.add(origin, f"{prefix}.check", f"check {check_id!r} does not apply to jurisdiction {jurisdiction!r}")
    for name in f.get("params") or {}:
        if name not in check.defaults:
            errs.add(item["params"][1], f"{prefix}.params.{name}", f"check {check_id!r} takes no parameter "
                     f"{name!r} (it takes: {_choices(check.defaults) or 'none'})")
    return None


def rule_problem(ind: Indicator) -> str | None:
    """Why the indicator's numbers do not fit its rule, or None."""
    if ind.rule in ("deduct", "bonus") and (not ind.points or not ind.cap):
        return f"a {ind.rule} rule needs points > 0 and cap > 0"
    if ind.rule == "weight" and not ind.weight:
        return "a weight rule needs weight > 0"
    if ind.rule == "veto" and (ind.points or ind.cap or ind.weight):
        return "a veto rule takes no points, cap or weight"
    return None


def _scoring(errs: _Errors, m: Merged, ctx: dict[str, Any]) -> Scoring:
    f = _fields(errs, {k: v for k, v in m.scoring.items() if k != "grades"}, SCORING_KEYS, "scoring", ctx, ())
    grades: list[Grade] = []
    if "grades" in m.scoring:
        raw, origin = m.scoring["grades"]
        ok = isinstance(raw, list) and all(isinstance(g, dict) and isinstance(g.get("letter"), str)
                                           and isinstance(g.get("min"), (int, float)) for g in raw)
        if not ok:
            errs.add(origin, "scoring.grades", "must be an array of {letter = '...', min = N} tables")
        else:
            grades = [Grade(g["letter"], float(g["min"])) for g in raw]
            if [g.min for g in grades] != sorted((g.min for g in grades), reverse=True):
                errs.add(origin, "scoring.grades", "bands must be listed highest min first")
    f = {k: v for k, v in f.items() if v is not None}
    scoring = Scoring(**f, grades=tuple(grades))
    if scoring.pass_mark > scoring.total and "pass_mark" in m.scoring:
        errs.add(m.scoring["pass_mark"][1], "scoring.pass_mark", f"must not exceed total ({scoring.total:g})")
    if scoring.no_service_total is not None and not 0 < scoring.no_service_total <= scoring.total:
        errs.add(m.scoring["no_service_total"][1], "scoring.no_service_total", "must be > 0 and <= total")
    return scoring


def build(m: Merged) -> Profile:
    """The Profile of m, or ProfileError listing every problem found."""
    errs = _Errors()
    top: dict[str, Any] = {}
    for name in ("title_zh", "title_en"):
        if name in m.top:
            top[name] = _value(errs, m.top[name][1], name, name, m.top[name][0], {})
        else:
            errs.add(m.path, name, "missing (required)")
    jurisdiction, jorigin = m.top.get("jurisdiction", (None, m.path))
    if jurisdiction not in JURISDICTIONS:
        errs.add(jorigin, "jurisdiction", f"unknown jurisdiction {jurisdiction!r} (choose from: "
                 f"{_choices(JURISDICTIONS)})")
    kinds = _value(errs, m.top.get("kinds", (None, m.path))[1], "kinds", "kinds",
                   m.top.get("kinds", ([],))[0], {"kinds": list(CHANNEL_KINDS)}) or ()
    if not kinds:
        errs.add(m.top.get("kinds", (None, m.path))[1], "kinds", "needs at least one channel kind")
    ctx = {"kinds": kinds, "jurisdiction": jurisdiction, "indicators": list(m.indicators),
           "categories": list(m.categories)}
    categories = []
    for cid, item in m.categories.items():
        f = _fields(errs, item, CATEGORY_KEYS, f"category[{cid}]", ctx, ("title_zh", "title_en"))
        categories.append(Category(cid, f.get("title_zh") or "", f.get("title_en") or "", f.get("points"),
                                   f.get("weight")))
    indicators = []
    for iid, item in m.indicators.items():
        prefix, before = f"indicator[{iid}]", len(errs)
        f = _fields(errs, item, INDICATOR_KEYS, prefix, ctx, ("title_zh", "title_en", "category", "rule"))
        f.setdefault("source", "check")
        if "category" in item and f.get("category") not in ctx["categories"] and f.get("category"):
            errs.add(item["category"][1], f"{prefix}.category",
                     f"unknown category {f['category']!r} (categories: {_choices(ctx['categories']) or 'none'})")
        _check_binding(errs, item, f, prefix, jurisdiction, kinds)
        base = {"title_zh": "", "title_en": "", "category": "", "rule": "veto", "source": "check"}
        ind = Indicator(iid, **{**base, **{k: v for k, v in f.items() if v is not None}})
        problem = rule_problem(ind) if len(errs) == before else None
        if problem:
            errs.add(item["rule"][1], f"{prefix}.rule", problem)
        indicators.append(ind)
    scoring = _scoring(errs, m, ctx)
    overrides = []
    for n, raw, origin in m.overrides:
        item = {k: (v, origin) for k, v in raw.items()}
        f = _fields(errs, {k: v for k, v in item.items() if k != "set"}, OVERRIDE_KEYS, f"override[{n}]", ctx, ())
        changes: dict[str, Any] = {}
        if isinstance(raw.get("set"), dict):
            changes = {}
            for name, value in raw["set"].items():
                if name not in SETTABLE:
                    errs.add(origin, f"override[{n}].set.{name}",
                             f"cannot be overridden (allowed: {_choices(SETTABLE)})")
                else:
                    changes[name] = _value(errs, origin, f"override[{n}].set.{name}", name, value, ctx)
                    if name == "check" and isinstance(value, str):
                        _override_check(errs, origin, f"override[{n}].set.check", value, jurisdiction,
                                        tuple(f.get("kinds") or kinds))
        if "set" in raw and not isinstance(raw["set"], dict):
            errs.add(origin, f"override[{n}].set", "must be a table")
        if bool(changes) == bool(f.get("disable")):
            errs.add(origin, f"override[{n}]", "needs either a set table or disable = true")
        overrides.append(Override(f.get("kinds") or (), f.get("tiers") or (), f.get("indicators") or (),
                                  changes, bool(f.get("disable")), f"{origin}: override[{n}]"))
    _sums(errs, m, categories, indicators, scoring)
    if errs:
        raise ProfileError(list(dict.fromkeys(errs)))
    profile = Profile(m.id, top["title_zh"], top["title_en"], jurisdiction, kinds, scoring, tuple(categories),
                      tuple(indicators), tuple(overrides), m.chain, m.top.get("spec", ("",))[0], m.path)
    for kind in kinds:  # every override must leave consistent indicators
        for tier in TIERS[jurisdiction]:
            for ind, origin in resolve_indicators(profile, kind, tier):
                problem = rule_problem(ind)
                if problem and origin:
                    errs.add(origin, f"indicator[{ind.id}] ({kind}, {tier})", problem)
    if errs:
        raise ProfileError(list(dict.fromkeys(errs)))
    return profile


def _override_check(errs: _Errors, origin: str, key: str, check_id: str, jurisdiction: str,
                    kinds: tuple[str, ...]) -> None:
    """A check an override binds for some kinds (a kind judged on other evidence) must exist
    and apply to them."""
    check = all_checks().get(check_id)
    if check is None:
        return errs.add(origin, key, f"unknown check {check_id!r} (see `mgov checks list`)")
    for kind in kinds:
        if kind not in check.kinds:
            errs.add(origin, key, f"check {check_id!r} does not apply to kind {kind!r}")
    if check.jurisdictions is not None and jurisdiction not in check.jurisdictions:
        errs.add(origin, key, f"check {check_id!r} does not apply to jurisdiction {jurisdiction!r}")
    return None


def _sums(errs: _Errors, m: Merged, categories: list[Category], indicators: list[Indicator],
          scoring: Scoring) -> None:
    """Deduction profiles: each category's item caps add up to its points, the points to the total."""
    if scoring.method != "deduction" or errs:
        return
    deduct_cats = [c for c in categories if any(i.category == c.id and i.rule == "deduct" for i in indicators)]
    for cat in (c for c in deduct_cats if c.points is not None):
        caps = sum(i.cap or 0 for i in indicators if i.category == cat.id and i.rule == "deduct")
        if abs(caps - (cat.points or 0)) > 1e-9:
            errs.add(m.categories[cat.id]["points"][1], f"category[{cat.id}].points",
                     f"is {cat.points:g} but its deduct items' caps add up to {caps:g}")
    if scoring.no_service_total is not None and scoring.no_service_categories:
        kept = scoring.total - sum(c.points or 0 for c in categories if c.id in scoring.no_service_categories)
        if abs(kept - scoring.no_service_total) > 1e-9:
            errs.add(m.scoring["no_service_total"][1], "scoring.no_service_total",
                     f"is {scoring.no_service_total:g} but total minus the no-service categories' points is {kept:g}")
    if deduct_cats and all(c.points is not None for c in deduct_cats):
        total = sum(c.points or 0 for c in deduct_cats)
        if abs(total - scoring.total) > 1e-9:
            errs.add(m.scoring.get("total", (None, m.path))[1], "scoring.total",
                     f"is {scoring.total:g} but the deduction categories' points add up to {total:g}")
