"""Re-checking a rectification task (复查): run the checks behind its indicator on its channel
now, and judge the task by what they find, as the assessment judges it. Fixed: the task closes;
still failing or not judgeable: the history says so and it stays open.

`recheck_tasks` runs them (`mgov tasks recheck`: the tasks named, else every re-check asked
for); `honour_requests` judges the requests a finished run answers (`mgov scan` and `mgov crawl`
call it after each run), so a request is met by whichever comes first.

What a run cannot re-check: availability (probes, judged over a week at the review), and what
people judge (manual reviews, ratings, usage: closed by hand once confirmed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from mgov import clock
from mgov.act.audit_log import record
from mgov.act.restore import MONITORING_TASK, restored
from mgov.act.task_work import clear_recheck
from mgov.act.tasks import UNRESOLVED, add_step, get_task, indicator_of, judge_finding, variant_is
from mgov.checks.plugins import select as select_checks
from mgov.config import Settings
from mgov.db.tables import FINDINGS, RECTIFICATION_TASKS, SCAN_ITEMS, SCAN_RUNS
from mgov.errors import MgovError
from mgov.profiles import Indicator, Profile, load
from mgov.runs.context import RoutingOptions
from mgov.runs.kinds import owner_of
from mgov.runs.select import checks_of, profile_checks, run_params
from mgov.runs.service import execute_run, start_run

T = RECTIFICATION_TASKS
Verdict = tuple[bool | None, dict[str, Any]]


@dataclass
class Plan:
    """How one task is re-checked: a run of `kind` with `checks` (and the indicator's
    parameters in `variants`), or not at all (`why`)."""

    task: dict[str, Any]
    profile: Profile
    indicator: Indicator | None = None
    kind: str | None = None
    checks: list[str] = field(default_factory=list)
    variants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    why: str | None = None


def plan(task: dict[str, Any], profile: Profile, profile_dirs: list[Path] | None = None) -> Plan:
    if task["indicator_id"] == MONITORING_TASK:
        checks, variants = profile_checks(profile.id, "scan", profile_dirs)
        return Plan(task, profile, kind="scan", checks=checks, variants=variants)
    ev = task.get("evidence") or {}
    ind = indicator_of(profile, task["indicator_id"], ev.get("kind"), ev.get("tier"))
    if ind is None:
        return Plan(task, profile, why=f"indicator {task['indicator_id']} is not in profile {profile.id}")
    if ind.source == "check" and ind.check:
        found = select_checks([ind.check])
        variants = {ind.check: [dict(ind.params)]} if ind.variant is not None else {}
        return Plan(task, profile, ind, owner_of(found[0]).name, [ind.check], variants)
    if ind.source == "probe":
        return Plan(task, profile, ind, why="availability is judged on a week's probes (mgov probe): "
                                            "the review after the due date decides")
    return Plan(task, profile, ind, why=f"source {ind.source}: a person confirms the fix (close the task by hand)")


def judge(conn: Connection, p: Plan, run_id: int) -> Verdict:
    """The task judged by what run_id found on its channel."""
    cid = p.task["channel_id"]
    if p.indicator is None:  # restoring monitoring: the channel's observations since the run began
        began = conn.execute(select(SCAN_RUNS.c.started_at).where(SCAN_RUNS.c.id == run_id)).scalar_one()
        return restored(conn, p.profile, {**p.task, "due_on": _day(began)})
    ind = p.indicator
    f = conn.execute(select(FINDINGS.c.status, FINDINGS.c.value, FINDINGS.c.evidence, FINDINGS.c.observed_at)
                     .where(FINDINGS.c.run_id == run_id, FINDINGS.c.channel_id == cid,
                            FINDINGS.c.check_id == ind.check, variant_is(ind.variant))
                     .order_by(FINDINGS.c.id.desc()).limit(1)).first()
    if f is None:
        return None, {"run": run_id, "why": f"run {run_id} has no finding of {ind.check} for the channel"}
    fixed, detail = judge_finding(ind, cid, f)
    return fixed, {"run": run_id, **detail}


def _day(at: dt.datetime) -> dt.date:
    return (at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)).date()


def settle(conn: Connection, task: dict[str, Any], verdict: Verdict, *, actor: str,
           today: dt.date | None = None) -> str:
    """Write a re-check's outcome: closed, still_failing or unchecked; the request is met."""
    fixed, detail = verdict
    task_id, subject = task["id"], f"task:{task['id']}"
    if fixed:
        run = f" (run {detail['run']})" if detail.get("run") else ""
        note = f"fixed: the re-check passed{run}"
        add_step(conn, task_id, {"status": "closed", "closed_on": today or clock.today(), "note": note}, "closed",
                 actor, reason="recheck", recheck=detail)
        record(conn, actor, "task.closed", subject, {"reason": "recheck", **detail}, channel_id=task["channel_id"])
        outcome = "closed"
    elif fixed is False:
        add_step(conn, task_id, {}, "recheck_failed", actor, recheck=detail)
        record(conn, actor, "task.recheck_failed", subject, detail, channel_id=task["channel_id"])
        outcome = "still_failing"
    else:
        add_step(conn, task_id, {}, "recheck_unchecked", actor, recheck=detail)
        record(conn, actor, "task.recheck_unchecked", subject, detail, channel_id=task["channel_id"])
        outcome = "unchecked"
    clear_recheck(conn, task_id)
    return outcome


def pending(conn: Connection) -> list[dict[str, Any]]:
    """The unresolved tasks a re-check was asked for, oldest request first."""
    ids = conn.execute(select(T.c.id).where(T.c.recheck_requested_at.is_not(None), T.c.status.in_(UNRESOLVED))
                       .order_by(T.c.recheck_requested_at, T.c.id)).scalars()
    return [get_task(conn, i) for i in ids]


class _Profiles:
    def __init__(self, dirs: list[Path] | None) -> None:
        self.dirs = dirs or []
        self.loaded: dict[str, Profile] = {}

    def plan(self, task: dict[str, Any]) -> Plan:
        pid = task["profile_id"]
        if pid not in self.loaded:
            self.loaded[pid] = load(pid, dirs=self.dirs)
        return plan(task, self.loaded[pid], self.dirs)


def _run_params(plans: list[Plan], kind: str, routing: RoutingOptions | None) -> dict[str, Any]:
    checks = list(dict.fromkeys(c for p in plans for c in p.checks))
    params = run_params(kind=kind, channels=list(dict.fromkeys(p.task["address"] for p in plans)), checks=checks,
                        routing=routing)
    variants: dict[str, list[dict[str, Any]]] = {}
    for p in plans:
        for check, sets in p.variants.items():
            variants.setdefault(check, [{}] if _own_params(plans, check) else [])
            variants[check] += [s for s in sets if s not in variants[check]]
    params["variants"] = variants
    return params


def _own_params(plans: list[Plan], check: str) -> bool:
    """Whether some plan judges check with its own parameters (so the run keeps that finding too)."""
    return any(check in p.checks and check not in p.variants for p in plans)


def recheck_tasks(engine: Engine, settings: Settings, task_ids: Iterable[int] | None = None, *,
                  routing: RoutingOptions | None = None, actor: str = "recheck",
                  on_run: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Re-check the tasks named (else every pending request): one run per run kind over their
    channels and checks, then each task judged by it."""
    profiles = _Profiles(settings.profile_dirs)
    with engine.connect() as conn:
        tasks = [get_task(conn, i) for i in task_ids] if task_ids is not None else pending(conn)
    closed = [t["id"] for t in tasks if t["status"] not in UNRESOLVED]
    if closed:
        raise MgovError(f"task(s) {', '.join(map(str, closed))} closed already: nothing to re-check")
    plans = [profiles.plan(t) for t in tasks]
    out: dict[str, Any] = {"runs": [], "closed": [], "still_failing": [], "unchecked": []}
    by_kind: dict[str, list[Plan]] = {}
    for p in plans:
        if p.kind is not None:
            by_kind.setdefault(p.kind, []).append(p)
    verdicts: dict[int, Verdict] = {p.task["id"]: (None, {"why": p.why}) for p in plans if p.kind is None}
    for kind, group in by_kind.items():
        params = _run_params(group, kind, routing)  # bad routing options stop here, every request kept
        try:
            run_id = start_run(engine, params)
        except MgovError as exc:  # only closed or unscannable channels: nothing to run; say so
            verdicts |= {p.task["id"]: (None, {"why": str(exc)}) for p in group}
            continue
        if on_run is not None:
            on_run(kind, run_id)
        execute_run(engine, settings, run_id, workers=1)
        out["runs"].append({"kind": kind, "run": run_id, "tasks": [p.task["id"] for p in group]})
        with engine.connect() as conn:
            verdicts |= {p.task["id"]: judge(conn, p, run_id) for p in group}
    with engine.begin() as conn:
        for t in tasks:
            out[settle(conn, t, verdicts[t["id"]], actor=actor)].append(t["id"])
    return out


def honour_requests(conn: Connection, run_id: int, *, actor: str = "recheck",
                    profile_dirs: list[Path] | None = None) -> dict[str, list[int]]:
    """After a finished run: the re-checks asked for whose channel it covered and whose checks it
    ran are judged by its findings (the others wait for a run that does)."""
    out: dict[str, list[int]] = {"closed": [], "still_failing": [], "unchecked": []}
    params = conn.execute(select(SCAN_RUNS.c.params).where(SCAN_RUNS.c.id == run_id)).scalar_one()
    ran = {c.id for c in checks_of(params)}
    covered = set(conn.execute(select(SCAN_ITEMS.c.channel_id).where(SCAN_ITEMS.c.run_id == run_id)).scalars())
    profiles = _Profiles(profile_dirs)
    for task in pending(conn):
        if task["channel_id"] not in covered:
            continue
        p = profiles.plan(task)
        if p.kind is None or not p.checks or not set(p.checks) <= ran:
            continue
        if p.indicator is not None and p.indicator.variant is not None and not conn.execute(
                select(FINDINGS.c.id).where(FINDINGS.c.run_id == run_id, FINDINGS.c.channel_id == task["channel_id"],
                                            variant_is(p.indicator.variant)).limit(1)).first():
            continue  # the run judged the check with other parameters than the indicator's
        out[settle(conn, task, judge(conn, p, run_id), actor=actor)].append(task["id"])
    return out
