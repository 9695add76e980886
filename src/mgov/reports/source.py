"""The reports' database side: the registry's organizations per channel, and earlier
assessments of the same profile for the trend. The only I/O of mgov.reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from mgov.assess.service import summary
from mgov.db.tables import ASSESSMENTS, CHANNELS, ORGS
from mgov.errors import NotFound
from mgov.profiles import load
from mgov.registry.accountability import subtree
from mgov.reports.model import OrgInfo, PeriodPoint, Report, build_report


def read_registry(engine: Engine, org: str | None = None) -> tuple[dict[tuple[str, str], OrgInfo], OrgInfo | None]:
    """Each channel's organization by (address, kind); with org, only channels of org and the
    organizations below it, and org itself as the scope (NotFound when unknown)."""
    with engine.connect() as conn:
        orgs = {r.id: dict(r._mapping) for r in conn.execute(select(ORGS))}
        rows = conn.execute(select(CHANNELS.c.address, CHANNELS.c.kind, CHANNELS.c.owner_id)).all()
    scope = None
    codes = None
    if org is not None:
        root = next((o for o in orgs.values() if o["code"] == org), None)
        if root is None:
            raise NotFound(f"no organization {org!r} in the registry (see `mgov org list`)")
        scope = OrgInfo(root["code"], root["name_zh"], root["name_en"], root["tier"])
        codes = subtree(orgs, org)
    out = {}
    for r in rows:
        o = orgs.get(r.owner_id)
        if o is None or (codes is not None and o["code"] not in codes):
            continue
        out[(r.address, r.kind)] = OrgInfo(o["code"], o["name_zh"], o["name_en"], o["tier"])
    return out, scope


def read_history(engine: Engine, head: dict[str, Any], addresses: set[tuple[str, str]],
                 limit: int = 8) -> tuple[PeriodPoint, ...]:
    """The trend: for the newest assessment of each earlier period of the same profile (and
    this one), mean score and pass rate over the channels of this report."""
    with engine.connect() as conn:
        rows = conn.execute(select(ASSESSMENTS.c.id, ASSESSMENTS.c.period)
                            .where(ASSESSMENTS.c.profile_id == head["profile"],
                                   ASSESSMENTS.c.end < dt.date.fromisoformat(head["start"]))
                            .order_by(ASSESSMENTS.c.end.desc(), ASSESSMENTS.c.id.desc())).all()
    newest: dict[str, int] = {}
    for r in rows:
        newest.setdefault(r.period, r.id)
    earlier = [summary(engine, i) for i in list(newest.values())[:limit]][::-1]
    return tuple(_point(s, addresses) for s in [*earlier, head])


def _point(s: dict[str, Any], addresses: set[tuple[str, str]]) -> PeriodPoint:
    chs = [c for c in s["channels"] if (c["address"], c["kind"]) in addresses]
    scores = [c["score"] for c in chs if c["score"] is not None]
    assessed = [c for c in chs if c["verdict"] in ("pass", "fail")]
    passed = sum(c["verdict"] == "pass" for c in assessed)
    return PeriodPoint(s["assessment"], s["period"], round(sum(scores) / len(scores), 1) if scores else None,
                       round(100 * passed / len(assessed), 1) if assessed else None)


def load_report(engine: Engine, assessment_id: int, *, org: str | None = None, lang: str = "zh",
                profile_dirs: list[Path] | None = None) -> Report:
    """The report of a stored assessment, optionally for one organization and those below it."""
    head = summary(engine, assessment_id)
    profile = load(head["profile"], dirs=profile_dirs or [])
    orgs, scope = read_registry(engine, org)
    report = build_report(head, profile, orgs, lang=lang, scope=scope)
    if org is not None and not report.channels:
        raise NotFound(f"assessment {assessment_id} has no channel of {org} or the organizations below it")
    keys = {(c.address, c.kind) for c in report.channels}
    history = read_history(engine, head, keys)
    return build_report(head, profile, orgs, lang=lang, scope=scope, history=history if len(history) > 1 else ())
