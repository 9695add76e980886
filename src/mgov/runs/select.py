"""What a run is asked: its parameters (validated, stored with the run) and its checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from mgov.checks.base import Check
from mgov.checks.plugins import select
from mgov.errors import MgovError
from mgov.profiles import load
from mgov.runs.context import RoutingOptions
from mgov.runs.kinds import kind_of, owner_of


def run_params(*, org: str | None = None, kinds: list[str] | None = None, channels: list[str] | None = None,
               checks: list[str] | None = None, routing: RoutingOptions | None = None, kind: str = "scan",
               limits: dict[str, Any] | None = None, profile: str | None = None,
               profile_dirs: list[Path] | None = None) -> dict[str, Any]:
    """What a run is asked, validated, in the form stored with the run. A run of a kind runs
    the checks it owns (see runs.kinds) and takes that kind's limits. With a profile, the
    checks it binds (and those named) run with each of its indicators' parameters:
    `variants` (check id -> the parameter sets; {} the check's own)."""
    run_kind = kind_of(kind)
    named = list(dict.fromkeys(c.strip() for c in checks or [] if c.strip()))
    variants: dict[str, list[dict[str, Any]]] = {}
    if profile:
        bound, variants = profile_checks(profile, kind, profile_dirs)
        if not bound:
            raise MgovError(f"profile {profile} binds no {kind} check")
        named = list(dict.fromkeys([*bound, *named]))
    routing_options = (routing or RoutingOptions()).as_dict()
    params: dict[str, Any] = {"kind": kind, "org": org, "kinds": kinds or [],
                              "channels": [run_kind.address(c) for c in channels or []], "checks": named,
                              "routing": routing_options, "profile": profile, "variants": variants}
    if run_kind.limits is not None:
        params["limits"] = run_kind.limits(limits or {})
    elif limits:
        raise MgovError(f"a {kind} run takes no limits")
    checks_of(params)  # unknown or misplaced check ids are refused before anything starts
    RoutingOptions(**routing_options).routing()  # so are malformed routing options
    return params


def profile_checks(profile_id: str, kind: str = "scan",
                   dirs: list[Path] | None = None) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
    """The checks a guideline profile binds that a run of kind runs, and for those its
    indicators bind with parameters, every parameter set ({}: the check's own), so the daily
    monitoring judges what an assessment with that profile reads."""
    run_kind = kind_of(kind)
    profile = load(profile_id, dirs=dirs or [])
    bound = [(i.check, i) for i in profile.indicators if i.check]
    # An override may bind another check for some kinds (cn-2019-website's d_mobile judged on
    # the rendered phone layout for mobile sites): the monitoring judges that one too.
    for ov in profile.overrides:
        if isinstance(check := ov.set.get("check"), str):
            bound += [(check, dataclasses.replace(i, check=check, params={**i.params, **ov.set.get("params", {})}))
                      for i in profile.indicators if not ov.indicators or i.id in ov.indicators]
    ids = list(dict.fromkeys(check for check, _ in bound))
    wanted = {c.id for c in select(ids) if run_kind.owns(c)}
    checks = [c for c in ids if c in wanted]
    sets: dict[str, dict[str | None, dict[str, Any]]] = {}
    for check, ind in bound:
        if check in wanted:
            sets.setdefault(check, {})[ind.variant] = dict(ind.params)
    variants = {check: list(by_key.values()) for check, by_key in sets.items() if set(by_key) != {None}}
    return checks, variants


def checks_of(params: dict[str, Any]) -> list[Check]:
    """The checks a run runs: those named, else every check its kind owns. A named check
    needing another kind's evidence is refused (a crawl also collects what a scan does, so
    it takes scan checks; a scan takes no crawl check)."""
    run_kind = kind_of(params.get("kind", "scan"))
    chosen = select(params["checks"])
    if not params["checks"]:
        return [c for c in chosen if run_kind.owns(c)]
    misplaced: dict[str, list[str]] = {}
    for c in chosen:
        owner = owner_of(c)
        if owner is not run_kind and owner.evidence:
            misplaced.setdefault(owner.name, []).append(c.id)
    if misplaced:
        raise MgovError("; ".join(f"{', '.join(ids)} need(s) the {name} pass: run them with `mgov {name}`"
                                  for name, ids in misplaced.items()))
    return chosen
