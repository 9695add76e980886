"""Rectification tasks, disputes and the audit log, within scope."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, case, select

from mgov import clock
from mgov.accounts import Scope
from mgov.act import disputes as disputes_mod
from mgov.act import task_evidence, task_work
from mgov.act import tasks as tasks_mod
from mgov.db import audit
from mgov.db.audit import AuditFilter
from mgov.db.tables import AUDIT_LOG, CHANNELS, DISPUTES, PEOPLE, RECTIFICATION_TASKS
from mgov.errors import InvalidValue, NotFound
from mgov.web.queries import page

T, D = RECTIFICATION_TASKS, DISPUTES
TASK_STATUSES = tasks_mod.STATUSES
DISPUTE_STATUSES = disputes_mod.STATUSES


def list_tasks(conn: Connection, scope: Scope, *, status: str | None = None, overdue: bool | None = None,
               channel_id: int | None = None, assessment_id: int | None = None, assignee: str | None = None,
               after: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    """The rectification board: unresolved before closed, overdue first, then by due date."""
    if status is not None and status not in TASK_STATUSES:
        raise InvalidValue(f"unknown task status {status!r}: one of {', '.join(TASK_STATUSES)}")
    today = clock.today()
    late = case((T.c.status.in_(tasks_mod.UNRESOLVED) & (T.c.due_on < today), 0),
                (T.c.status.in_(tasks_mod.UNRESOLVED), 1), else_=2)
    query = (select(T, CHANNELS.c.address, PEOPLE.c.name.label("assignee_name"), late.label("board"))
             .join(CHANNELS, CHANNELS.c.id == T.c.channel_id).outerjoin(PEOPLE, PEOPLE.c.key == T.c.assignee)
             .where(scope.orgs(CHANNELS.c.owner_id)))
    for column, value in ((T.c.channel_id, channel_id), (T.c.assessment_id, assessment_id), (T.c.assignee, assignee)):
        if value is not None:
            query = query.where(column == value)
    if overdue:
        rows = _overdue(conn, query, status, today, after + limit + 1)[after:]
    else:
        query = query.order_by(late, T.c.due_on, T.c.id).offset(after).limit(limit + 1)
        if status is not None:
            query = query.where(T.c.status == status)
        if overdue is False:
            query = query.where(late != 0)
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["overdue"] = row.pop("board") == 0
    items, more = page(rows, limit)
    return items, (after + limit if more is not None else None)


def _overdue(conn: Connection, query: Any, status: str | None, today: Any, n: int) -> list[dict[str, Any]]:
    """The n overdue tasks due first: one read per unresolved status, each in the order of the
    (status, due_on, id) index, so the database stops after n rows instead of sorting them all."""
    rows: list[dict[str, Any]] = []
    for one in tasks_mod.UNRESOLVED:
        if status in (None, one):
            rows += [dict(r._mapping) for r in conn.execute(
                query.where(T.c.status == one, T.c.due_on < today).order_by(T.c.due_on, T.c.id).limit(n))]
    return sorted(rows, key=lambda r: (r["due_on"], r["id"]))[:n]


def task(conn: Connection, scope: Scope, task_id: int) -> dict[str, Any]:
    found = tasks_mod.get_task(conn, task_id)
    if not scope.has_channel(conn, found["channel_id"]):
        raise NotFound(f"no rectification task {task_id}")
    found["assignee_name"] = conn.execute(select(PEOPLE.c.name).where(PEOPLE.c.key == found["assignee"])).scalar() \
        if found["assignee"] else None
    return found


def task_detail(conn: Connection, scope: Scope, task_id: int) -> dict[str, Any]:
    """A task with the evidence of its fix and the people it may be assigned to."""
    found = task(conn, scope, task_id)
    found["fix_evidence"] = task_evidence.list_evidence(conn, task_id)
    found["candidates"] = task_work.task_candidates(conn, found)
    return found


def evidence_file(conn: Connection, scope: Scope, archive_dir: Path, task_id: int,
                  evidence_id: int) -> tuple[dict[str, Any], bytes]:
    """An evidence file of a task in scope, and its bytes."""
    task(conn, scope, task_id)
    return task_evidence.evidence_file(conn, archive_dir, task_id, evidence_id)


def list_disputes(conn: Connection, scope: Scope, *, status: str | None = None, assessment_id: int | None = None,
                  channel_id: int | None = None, after: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    """The disputes queue, oldest first (the dashboard shows the undecided ones by default)."""
    if status is not None and status not in DISPUTE_STATUSES:
        raise InvalidValue(f"unknown dispute status {status!r}: one of {', '.join(DISPUTE_STATUSES)}")
    query = (select(D, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == D.c.channel_id)
             .where(scope.orgs(CHANNELS.c.owner_id), D.c.id > after)
             .order_by(D.c.id).limit(limit + 1))
    for column, value in ((D.c.status, status), (D.c.assessment_id, assessment_id), (D.c.channel_id, channel_id)):
        if value is not None:
            query = query.where(column == value)
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def dispute(conn: Connection, scope: Scope, dispute_id: int) -> dict[str, Any]:
    found = disputes_mod.get(conn, dispute_id)
    if not scope.has_channel(conn, found["channel_id"]):
        raise NotFound(f"no dispute {dispute_id}")
    found["log"] = list(audit_entries(conn, scope, subject=f"dispute:{dispute_id}", limit=200)[0])
    return found


def audit_entries(conn: Connection, scope: Scope, *, subject: str | None = None, actor: str | None = None,
                  after: int | None = None, limit: int = 50, filters: AuditFilter | None = None,
                  **more: Any) -> tuple[list[dict[str, Any]], Any]:
    """The audit log as the user may read it (entries about their organizations), newest
    first, filtered (an AuditFilter, or its fields as keywords: subject, actor, action, kind,
    face, since, until, zone, parent): the query the audit page, the API and exports call."""
    f = replace(filters or AuditFilter(), **{k: v for k, v in
                                              {"subject": subject, "actor": actor, **more}.items() if v is not None})
    query = audit.query(f).where(scope.orgs(AUDIT_LOG.c.organization_id)).limit(limit + 1)
    if after:
        query = query.where(AUDIT_LOG.c.id < after)
    return page([dict(r._mapping) for r in conn.execute(query)], limit)
