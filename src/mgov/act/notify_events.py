"""What notifications are about, read once per run for every target: new veto failures of
the newest assessment of each profile, overdue and escalated rectification tasks, and a weekly
digest of an organization's subtree. Each event carries its dedupe key and its owner organization,
so a target hears only about channels owned within its subtree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from mgov.act.tasks import UNRESOLVED
from mgov.assess.overturned import overturned
from mgov.db.tables import (
    ASSESSMENT_RESULTS,
    ASSESSMENTS,
    CHANNELS,
    DISPUTES,
    ORGS,
    RECTIFICATION_TASKS,
)
from mgov.registry import vocab

T = RECTIFICATION_TASKS
R = ASSESSMENT_RESULTS


class Event(NamedTuple):
    key: str  # NOTIFICATIONS_SENT.key: once 'sent' for a target, never sent to it again
    owner_id: int | None  # the organization owning the channel (None: only registry-wide targets hear it)
    item: dict[str, Any]  # what the message lists (JSON-ready)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Snapshot:
    """The registry tree and the run's events; each part is read on first use only."""

    conn: Connection
    today: dt.date

    @cached_property
    def orgs(self) -> dict[int, Any]:
        return {r.id: r for r in self.conn.execute(
            select(ORGS.c.id, ORGS.c.code, ORGS.c.parent_id, ORGS.c.name_zh, ORGS.c.name_en))}

    @cached_property
    def _children(self) -> dict[int | None, list[int]]:
        children: dict[int | None, list[int]] = defaultdict(list)
        for org in self.orgs.values():
            children[org.parent_id].append(org.id)
        return children

    def scope(self, org_id: int | None) -> set[int] | None:
        """Ids of org_id and every organization below it; None (no org): everything."""
        if org_id is None:
            return None
        out, stack = set(), [org_id]
        while stack:
            oid = stack.pop()
            if oid not in out:  # a cycle in bad data must not loop forever
                out.add(oid)
                stack += self._children.get(oid, [])
        return out

    def code(self, org_id: int | None) -> str | None:
        org = self.orgs.get(org_id) if org_id is not None else None
        return org.code if org is not None else None

    @cached_property
    def newest(self) -> list[Any]:
        """The newest assessment of each profile: older ones were notified when they were newest,
        and a first run does not flood targets with history."""
        ids = select(func.max(ASSESSMENTS.c.id)).group_by(ASSESSMENTS.c.profile_id)
        return list(self.conn.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.id.in_(ids))
                                      .order_by(ASSESSMENTS.c.id)))

    @cached_property
    def vetoes(self) -> list[Event]:
        out = []
        for head in self.newest:
            over = overturned(self.conn, head.id)
            # A failed veto always makes the verdict 'fail': only those results' JSON is read.
            rows = self.conn.execute(select(R.c.channel_id, R.c.result, CHANNELS.c.address, CHANNELS.c.owner_id)
                                     .join(CHANNELS, CHANNELS.c.id == R.c.channel_id)
                                     .where(R.c.assessment_id == head.id, R.c.verdict == "fail")
                                     .order_by(R.c.channel_id))
            for row in rows:
                lines = {i.get("id"): i for i in (row.result or {}).get("indicators", [])}
                for ind in (row.result or {}).get("vetoes_failed", []):
                    if (row.channel_id, ind) in over:
                        continue
                    item = {"assessment": head.id, "profile": head.profile_id, "period": head.period,
                            "channel_id": row.channel_id, "address": row.address,
                            "owner": self.code(row.owner_id), "indicator": ind,
                            "detail": (lines.get(ind) or {}).get("detail") or ""}
                    out.append(Event(f"veto:{head.id}:{row.channel_id}:{ind}", row.owner_id, item))
        return out

    def events(self, event: str) -> list[Event]:
        """The run's events of one kind but the digest (veto, overdue, escalated)."""
        found: list[Event] = getattr(self, {"veto": "vetoes"}.get(event, event))
        return found

    def _task_item(self, r: Any) -> dict[str, Any]:
        return {"task": r.id, "channel_id": r.channel_id, "address": r.address, "owner": self.code(r.owner_id),
                "indicator": r.indicator_id, "status": r.status, "due_on": r.due_on.isoformat(),
                "days_overdue": max((self.today - r.due_on).days, 0), "escalated_to": r.escalated_to,
                "level": r.escalation_level, "assignee": r.assignee,
                "assignees": [a.get("person") for a in r.assignees or []]}

    def _tasks_where(self, *where: Any) -> list[Any]:
        return list(self.conn.execute(
            select(T.c.id, T.c.channel_id, T.c.indicator_id, T.c.status, T.c.due_on, T.c.escalated_to,
                   T.c.escalation_level, T.c.assignee, T.c.assignees, CHANNELS.c.address, CHANNELS.c.owner_id)
            .join(CHANNELS, CHANNELS.c.id == T.c.channel_id).where(*where).order_by(T.c.id)))

    @cached_property
    def overdue(self) -> list[Event]:
        return [Event(f"overdue:{r.id}:{r.status}", r.owner_id, self._task_item(r))
                for r in self._tasks_where(T.c.status.in_(UNRESOLVED), T.c.due_on < self.today)]

    @cached_property
    def escalated(self) -> list[Event]:
        """Tasks escalated to a supervising organization (by the review or by hand): once per level."""
        return [Event(f"escalated:{r.id}:{r.escalation_level}", r.owner_id, self._task_item(r))
                for r in self._tasks_where(T.c.status == "escalated")]

    # Counts per owner organization, summed per target's scope by digest().
    @cached_property
    def _channels(self) -> dict[int | None, int]:
        return dict(self.conn.execute(
            select(CHANNELS.c.owner_id, func.count()).where(CHANNELS.c.status.in_(vocab.OPEN_STATUSES))
            .group_by(CHANNELS.c.owner_id)).all())  # .all(): a Result has keys(), dict() would take it for a mapping

    @cached_property
    def _verdicts(self) -> list[tuple[int, int | None, str, int]]:
        ids = [h.id for h in self.newest]
        return [tuple(r) for r in self.conn.execute(
            select(R.c.assessment_id, CHANNELS.c.owner_id, R.c.verdict, func.count())
            .join(CHANNELS, CHANNELS.c.id == R.c.channel_id).where(R.c.assessment_id.in_(ids))
            .group_by(R.c.assessment_id, CHANNELS.c.owner_id, R.c.verdict))] if ids else []

    @cached_property
    def _tasks(self) -> list[tuple[int | None, str, dt.date, int]]:
        return [tuple(r) for r in self.conn.execute(
            select(CHANNELS.c.owner_id, T.c.status, T.c.due_on, func.count())
            .join(CHANNELS, CHANNELS.c.id == T.c.channel_id).where(T.c.status.in_(UNRESOLVED))
            .group_by(CHANNELS.c.owner_id, T.c.status, T.c.due_on))]

    @cached_property
    def _disputes(self) -> dict[int | None, int]:
        return dict(self.conn.execute(
            select(CHANNELS.c.owner_id, func.count()).select_from(DISPUTES)
            .join(CHANNELS, CHANNELS.c.id == DISPUTES.c.channel_id).where(DISPUTES.c.status == "filed")
            .group_by(CHANNELS.c.owner_id)).all())

    def digest(self, org_id: int | None) -> Event:
        """The week's digest of org_id's subtree (None: the whole registry)."""
        scope = self.scope(org_id)

        def mine(owner: int | None) -> bool:
            return scope is None or owner in scope

        week = iso_week(self.today)
        assessments = []
        for head in self.newest:
            verdicts: dict[str, int] = {}
            for aid, owner, verdict, n in self._verdicts:
                if aid == head.id and mine(owner):
                    verdicts[verdict] = verdicts.get(verdict, 0) + n
            vetoes = sum(1 for e in self.vetoes if e.item["assessment"] == head.id and mine(e.owner_id))
            if verdicts:
                assessments.append({"assessment": head.id, "profile": head.profile_id, "period": head.period,
                                    "verdicts": verdicts, "vetoes": vetoes})
        tasks = {"open": 0, "escalated": 0, "overdue": 0}
        for owner, status, due_on, n in self._tasks:
            if mine(owner):
                tasks[status] += n
                tasks["overdue"] += n if due_on < self.today else 0
        item = {"week": week, "organization": self.code(org_id),
                "channels": sum(n for owner, n in self._channels.items() if mine(owner)),
                "assessments": assessments, "tasks": tasks,
                "disputes_open": sum(n for owner, n in self._disputes.items() if mine(owner))}
        return Event(f"digest:{week}", org_id, item)
