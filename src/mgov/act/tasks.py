"""Rectification tasks (整改): every failed indicator of an assessment becomes a task for the
channel's responsible people, due by the profile's deadline, and so does every incomplete
result (a task to restore monitoring, act.restore); when it is past due the check's newest
finding (for monitoring: the observations since) decides whether the task closes or escalates
to the supervising organization.

Every step is appended to the task's history and to the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from mgov import clock
from mgov.act.assign import default_assignee, role_for
from mgov.act.audit_log import now, record
from mgov.act.restore import MONITORING_TASK, monitoring_line, restored
from mgov.act.workdays import Calendar, country_of, deadline_for, load_calendar
from mgov.assess.aggregate import aggregate
from mgov.assess.inputs import DailyFinding, Observation
from mgov.assess.overturned import overturned
from mgov.assess.store import probe_weeks
from mgov.db.tables import (
    ASSESSMENT_RESULTS,
    ASSESSMENTS,
    CHANNELS,
    FINDINGS,
    ORGS,
    PEOPLE,
    RECTIFICATION_TASKS,
    RESPONSIBILITIES,
    ROLES,
)
from mgov.errors import InvalidValue, MgovError, NotFound
from mgov.profiles import Deadline, Indicator, Profile, load, resolve
from mgov.registry.addresses import normalize_url

T = RECTIFICATION_TASKS
STATUSES = ("open", "closed", "escalated")
UNRESOLVED = ("open", "escalated")
# For indicators whose profile names no deadline (veto items are always due at once).
DEFAULT_DEADLINE = Deadline("working_days", 15)

# recheck(task) -> True (fixed), False (still failing), None (cannot tell: the task stays open);
# or a (verdict, detail) pair whose detail lands in the task's history.
Recheck = Callable[[dict[str, Any]], "bool | tuple[bool | None, dict[str, Any]] | None"]


def _step(action: str, by: str, **detail: Any) -> dict[str, Any]:
    return {"at": now().isoformat(timespec="seconds"), "action": action, "by": by,
            **{k: v for k, v in detail.items() if v is not None}}


def assignees(conn: Connection, channel_id: int, owner_id: int | None, on: dt.date) -> list[dict[str, Any]]:
    """Who answers for the channel: its responsible people (per role), else the role holders of
    the owning organization current on the day."""
    rows = conn.execute(select(RESPONSIBILITIES.c.role, PEOPLE.c.key, PEOPLE.c.name)
                        .join(PEOPLE, PEOPLE.c.id == RESPONSIBILITIES.c.person_id)
                        .where(RESPONSIBILITIES.c.channel_id == channel_id)
                        .order_by(RESPONSIBILITIES.c.role, PEOPLE.c.key)).all()
    if rows:
        return [{"person": r.key, "name": r.name, "role": r.role, "source": "channel"} for r in rows]
    if owner_id is None:
        return []
    held = conn.execute(select(ROLES.c.role, ROLES.c.since, ROLES.c.until, PEOPLE.c.key, PEOPLE.c.name)
                        .join(PEOPLE, PEOPLE.c.id == ROLES.c.person_id)
                        .where(ROLES.c.organization_id == owner_id)
                        .order_by(ROLES.c.role, PEOPLE.c.key)).all()
    return [{"person": r.key, "name": r.name, "role": r.role, "source": "organization"} for r in held
            if (r.since is None or r.since <= on) and (r.until is None or r.until >= on)]


def indicator_of(profile: Profile, indicator_id: str, kind: str | None, tier: str | None) -> Indicator | None:
    if kind and tier:
        for ind in resolve(profile, kind, tier):
            if ind.id == indicator_id:
                return ind
    try:
        return profile.indicator(indicator_id)
    except KeyError:
        return None


def deadline_of(ind: Indicator | None, rule: str, default: Deadline = DEFAULT_DEADLINE) -> Deadline:
    """Veto items are due at once; others by the profile's deadline, else the default."""
    if rule == "veto":
        return Deadline("immediate")
    return (ind.deadline if ind is not None and ind.deadline is not None else default)


def open_tasks(conn: Connection, assessment_id: int, cal: Calendar, *, today: dt.date | None = None,
               profile_dirs: list[Path] | None = None, default_deadline: Deadline = DEFAULT_DEADLINE,
               actor: str = "system") -> dict[str, Any]:
    """One task per failed indicator of each channel of the assessment, and one to restore
    monitoring (MONITORING_TASK, due per the profile's scoring.incomplete_deadline) per
    incomplete result. Idempotent: a task the assessment already has is not opened again, and
    one still unresolved from an earlier assessment is noted as still failing instead of
    duplicated. Overturned findings (disputes) open nothing, and their open tasks close."""
    today = today or clock.today()
    head = conn.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.id == assessment_id)).first()
    if head is None:
        raise NotFound(f"no assessment {assessment_id}")
    profile = load(head.profile_id, dirs=profile_dirs or [])
    over = overturned(conn, assessment_id)
    mine = {(r.channel_id, r.indicator_id) for r in conn.execute(
        select(T.c.channel_id, T.c.indicator_id).where(T.c.assessment_id == assessment_id))}
    earlier = {(r.channel_id, r.indicator_id): r for r in conn.execute(
        select(T).where(T.c.assessment_id != assessment_id, T.c.status.in_(UNRESOLVED)).order_by(T.c.id))}
    rows = conn.execute(select(ASSESSMENT_RESULTS.c.channel_id, ASSESSMENT_RESULTS.c.result, CHANNELS.c.owner_id,
                               ORGS.c.jurisdiction)
                        .join(CHANNELS, CHANNELS.c.id == ASSESSMENT_RESULTS.c.channel_id)
                        .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                        .where(ASSESSMENT_RESULTS.c.assessment_id == assessment_id)
                        .order_by(ASSESSMENT_RESULTS.c.channel_id)).all()
    opened: list[int] = []
    existing = still = 0
    calendars = {cal.country: cal}  # a US agency's deadlines count US federal working days
    skipped: list[dict[str, Any]] = []
    warnings: set[str] = set()
    for row in rows:
        result = row.result or {}
        people: list[dict[str, Any]] | None = None
        lines = [line for line in result.get("indicators", []) if line.get("status") == "failed"]
        if result.get("complete") is False:
            lines.append(monitoring_line(profile, result))
        for line in lines:
            key = (row.channel_id, line["id"])
            if key in over:
                skipped.append({"channel_id": row.channel_id, "indicator_id": line["id"], "why": "overturned"})
                continue
            if key in mine:
                existing += 1
                continue
            if key in earlier:
                task = earlier[key]
                if not any(h.get("action") == "still_failing" and h.get("assessment") == assessment_id
                           for h in task.history or []):
                    _update(conn, task.id, {}, _step("still_failing", actor, assessment=assessment_id))
                    record(conn, actor, "task.still_failing", f"task:{task.id}", {"assessment": assessment_id},
                           channel_id=row.channel_id)
                still += 1
                continue
            ind = indicator_of(profile, line["id"], result.get("kind"), result.get("tier"))
            deadline = (profile.scoring.incomplete_deadline if line["id"] == MONITORING_TASK
                        else deadline_of(ind, line.get("rule", ""), default_deadline))
            country = country_of(row.jurisdiction)
            own = calendars.get(country) or calendars.setdefault(country, load_calendar(country=country))
            due = deadline_for(deadline, today, own)
            warning = own.warning(today, due) if deadline.kind == "working_days" else None
            if warning:
                warnings.add(warning)
            if people is None:
                people = assignees(conn, row.channel_id, row.owner_id, today)
            assignee = default_assignee(people, role_for(
                ind.check if ind else None, ind.source if ind else "monitoring", result.get("kind")))
            evidence = {"rule": line.get("rule"), "category": line.get("category"),
                        "instances": line.get("instances", 0), "points": line.get("points", 0.0),
                        "detail": line.get("detail", ""), "refs": list(line.get("evidence", [])),
                        "source": ind.source if ind else None, "check": ind.check if ind else None,
                        "kind": result.get("kind"), "tier": result.get("tier"), **line.get("task", {})}
            first = _step("opened", actor, assessment=assessment_id, deadline=str(deadline), due_on=due.isoformat(),
                          calendar_warning=warning, assignee=assignee)
            task_id = int(conn.execute(insert(T).values(
                assessment_id=assessment_id, channel_id=row.channel_id, indicator_id=line["id"],
                profile_id=head.profile_id, opened_on=today, due_on=due, status="open", assignees=people,
                escalated_to=None, evidence=evidence, note=None, closed_on=None, history=[first], assignee=assignee,
                escalation_level=0)
                .returning(T.c.id)).scalar_one())
            record(conn, actor, "task.opened", f"task:{task_id}",
                   {"assessment": assessment_id, "channel_id": row.channel_id, "indicator": line["id"],
                    "due_on": due.isoformat(), "assignees": [a["person"] for a in people], "assignee": assignee},
                   channel_id=row.channel_id)
            opened.append(task_id)
    closed = [tid for c, i in sorted(over) for tid in close_overturned(conn, assessment_id, c, i, actor=actor,
                                                                       today=today)]
    return {"assessment": assessment_id, "opened": opened, "existing": existing, "still_failing": still,
            "skipped": skipped, "closed": closed, "calendar_warnings": sorted(warnings)}


def _update(conn: Connection, task_id: int, values: dict[str, Any], step: dict[str, Any]) -> None:
    history = conn.execute(select(T.c.history).where(T.c.id == task_id)).scalar_one()
    conn.execute(update(T).where(T.c.id == task_id).values(**values, history=[*(history or []), step]))


def add_step(conn: Connection, task_id: int, values: dict[str, Any], action: str, by: str, **detail: Any) -> None:
    """Change a task's values and append the step (who, when, what) to its history, in one write."""
    _update(conn, task_id, values, _step(action, by, **detail))


def close_overturned(conn: Connection, assessment_id: int, channel_id: int, indicator_id: str, *,
                     actor: str = "system", today: dt.date | None = None, dispute: int | None = None) -> list[int]:
    """Close the unresolved tasks of a finding that a dispute overturned; their ids."""
    today = today or clock.today()
    ids = list(conn.execute(select(T.c.id).where(
        T.c.assessment_id == assessment_id, T.c.channel_id == channel_id, T.c.indicator_id == indicator_id,
        T.c.status.in_(UNRESOLVED))).scalars())
    note = f"finding overturned by dispute {dispute}" if dispute else "finding overturned by a dispute"
    for task_id in ids:
        _update(conn, task_id, {"status": "closed", "closed_on": today, "note": note},
                _step("closed", actor, reason="overturned", dispute=dispute))
        record(conn, actor, "task.closed", f"task:{task_id}", {"reason": "overturned", "dispute": dispute},
               channel_id=channel_id)
    return ids


def close_task(conn: Connection, task_id: int, note: str, *, by: str, today: dt.date | None = None) -> dict[str, Any]:
    """Close a task by hand (the fix was confirmed otherwise), with a note."""
    task = get_task(conn, task_id)
    if task["status"] == "closed":
        raise MgovError(f"task {task_id} is already closed (on {task['closed_on']})")
    if not note.strip():
        raise MgovError("closing a task needs a note saying what was fixed")
    today = today or clock.today()
    _update(conn, task_id, {"status": "closed", "closed_on": today, "note": note},
            _step("closed", by, reason="manual", note=note, was=task["status"]))
    record(conn, by, "task.closed", f"task:{task_id}", {"reason": "manual", "note": note, "was": task["status"]},
           channel_id=task["channel_id"])
    return get_task(conn, task_id)


def _supervisor(conn: Connection, channel_id: int) -> str | None:
    parent = ORGS.alias("parent")
    return conn.execute(select(parent.c.code).select_from(CHANNELS)
                        .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                        .join(parent, parent.c.id == ORGS.c.parent_id)
                        .where(CHANNELS.c.id == channel_id)).scalar_one_or_none()


def _verdict(value: Any) -> tuple[bool | None, dict[str, Any]]:
    if isinstance(value, tuple):
        return value[0], dict(value[1] or {})
    return value, {}


def review_due(conn: Connection, today: dt.date, recheck: Recheck, *, actor: str = "system") -> dict[str, Any]:
    """Open tasks past due (due_on before today): recheck each; fixed ones close, the others
    escalate to the owner organization's parent; those recheck cannot judge (None) stay open.
    Escalated tasks are rechecked too and close once fixed."""
    rows = conn.execute(select(T).where(T.c.status.in_(UNRESOLVED), T.c.due_on < today).order_by(T.c.id)).all()
    out: dict[str, list[int]] = {"closed": [], "escalated": [], "unchecked": [], "still_escalated": []}
    for row in rows:
        task = _task_dict(row)
        fixed, detail = _verdict(recheck(task))
        subject = f"task:{row.id}"
        if fixed:
            _update(conn, row.id, {"status": "closed", "closed_on": today, "note": "fixed: the recheck passed"},
                    _step("closed", actor, reason="recheck", recheck=detail or None))
            record(conn, actor, "task.closed", subject, {"reason": "recheck", **detail}, channel_id=row.channel_id)
            out["closed"].append(row.id)
        elif row.status == "escalated":
            out["still_escalated"].append(row.id)
        elif fixed is None:
            _update(conn, row.id, {}, _step("unchecked", actor, on=today.isoformat(), recheck=detail or None))
            record(conn, actor, "task.unchecked", subject, {"on": today.isoformat(), **detail},
                   channel_id=row.channel_id)
            out["unchecked"].append(row.id)
        else:
            to = _supervisor(conn, row.channel_id)
            level = max(row.escalation_level or 0, 1)
            _update(conn, row.id, {"status": "escalated", "escalated_to": to, "escalation_level": level},
                    _step("escalated", actor, to=to, level=level, overdue_since=row.due_on.isoformat(),
                          recheck=detail or None,
                          note=None if to else "the owner has no supervising organization in the registry"))
            record(conn, actor, "task.escalated", subject,
                   {"to": to, "level": level, "due_on": row.due_on.isoformat(), **detail}, channel_id=row.channel_id)
            out["escalated"].append(row.id)
    return out


def finding_recheck(conn: Connection, profile_dirs: list[Path] | None = None
                    ) -> Callable[[dict[str, Any]], tuple[bool | None, dict[str, Any]]]:
    """The default recheck: the newest finding of the indicator's bound check for the channel
    observed on or after the due date (for probe indicators: the probes since then), judged by
    the assessment's own aggregation; for a task to restore monitoring, whether the channel's
    observations since then give a complete result (act.restore). No such observation, or an
    indicator mgov cannot observe (manual review, ratings, usage): None, the task stays open."""
    profiles: dict[str, Profile] = {}

    def recheck(task: dict[str, Any]) -> tuple[bool | None, dict[str, Any]]:
        if task["profile_id"] not in profiles:
            profiles[task["profile_id"]] = load(task["profile_id"], dirs=profile_dirs or [])
        if task["indicator_id"] == MONITORING_TASK:
            return restored(conn, profiles[task["profile_id"]], task)
        ev = task.get("evidence") or {}
        ind = indicator_of(profiles[task["profile_id"]], task["indicator_id"], ev.get("kind"), ev.get("tier"))
        if ind is None:
            return None, {"why": f"indicator {task['indicator_id']} is not in profile {task['profile_id']}"}
        since = dt.datetime.combine(task["due_on"], dt.time(), dt.UTC)
        cid = task["channel_id"]
        if ind.source == "check" and ind.check:
            f = conn.execute(select(FINDINGS.c.status, FINDINGS.c.value, FINDINGS.c.evidence, FINDINGS.c.observed_at)
                             .where(FINDINGS.c.channel_id == cid, FINDINGS.c.check_id == ind.check,
                                    variant_is(ind.variant), FINDINGS.c.observed_at >= since)
                             .order_by(FINDINGS.c.observed_at.desc(), FINDINGS.c.id.desc()).limit(1)).first()
            if f is None:
                return None, {"check": ind.check, "why": f"no finding of {ind.check} since {task['due_on']}"}
            return judge_finding(ind, cid, f)
        if ind.source == "probe":
            weeks = probe_weeks(conn, [cid], since).get(str(cid), [])
            if not weeks:
                return None, {"why": f"no probe since {task['due_on']}"}
            obs = Observation(str(cid), ind.id, probes=weeks)
            return _outcome(ind, obs, {"probes": sum(w.probes for w in weeks), "failed": sum(w.failed for w in weeks)})
        return None, {"why": f"source {ind.source}: needs a person to confirm the fix (mgov tasks close)"}

    return recheck


def judge_finding(ind: Indicator, channel_id: int, f: Any) -> tuple[bool | None, dict[str, Any]]:
    """One finding of the indicator's check (a row with status, value, evidence, observed_at),
    judged by the assessment's own aggregation: fixed, still failing, or None (cannot tell)."""
    day = _utc(f.observed_at).date()
    obs = Observation(str(channel_id), ind.id, findings=[DailyFinding(day, f.status, f.value, f.evidence or ())])
    return _outcome(ind, obs, {"check": ind.check, "finding_status": f.status,
                               "observed_at": _utc(f.observed_at).isoformat()})


def _outcome(ind: Indicator, obs: Observation, detail: dict[str, Any]) -> tuple[bool | None, dict[str, Any]]:
    outcome = aggregate(ind, obs)
    detail["outcome"] = outcome.status
    if outcome.detail:
        detail["outcome_detail"] = outcome.detail
    if outcome.status == "not_assessed":
        return None, detail
    return outcome.status in ("met", "not_applicable"), detail


def _utc(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _task_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def get_task(conn: Connection, task_id: int) -> dict[str, Any]:
    row = conn.execute(select(T, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == T.c.channel_id)
                       .where(T.c.id == task_id)).first()
    if row is None:
        raise NotFound(f"no rectification task {task_id}")
    return _task_dict(row)


def list_tasks(conn: Connection, *, status: str | None = None, channel: str | None = None,
               assessment_id: int | None = None) -> list[dict[str, Any]]:
    """Tasks, oldest first (of a status, a channel address, an assessment)."""
    if status is not None and status not in STATUSES:
        raise MgovError(f"unknown task status {status!r} (choose from: {', '.join(STATUSES)})")
    query = select(T, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == T.c.channel_id).order_by(T.c.id)
    if status:
        query = query.where(T.c.status == status)
    if channel:
        query = query.where(CHANNELS.c.address.in_(address_forms(channel)))
    if assessment_id is not None:
        query = query.where(T.c.assessment_id == assessment_id)
    return [_task_dict(r) for r in conn.execute(query)]


def address_forms(raw: str) -> list[str]:
    """The address as given and, when it is a URL, normalized the registry's way."""
    out = [raw]
    with contextlib.suppress(InvalidValue):  # not a URL: a new-media account id is matched as given
        out.append(normalize_url(raw))
    return out


def variant_is(variant: str | None) -> Any:
    """Findings judged with the indicator's parameters (None: the check's own)."""
    return FINDINGS.c.variant.is_(None) if variant is None else FINDINGS.c.variant == variant

