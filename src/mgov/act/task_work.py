"""Working on a rectification task: assigning it, commenting, asking for a re-check and
escalating it up the registry. Evidence of the fix is in act.task_evidence, the re-check itself
in act.recheck, closing in act.tasks.

Every step is appended to the task's history and written to the audit log in the caller's
transaction; a closed task takes comments only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select, update

from mgov import clock
from mgov.act.assign import candidates
from mgov.act.audit_log import record
from mgov.act.tasks import add_step, get_task
from mgov.db.tables import CHANNELS, ORGS, RECTIFICATION_TASKS
from mgov.errors import InvalidValue, MgovError

T = RECTIFICATION_TASKS
MAX_TEXT = 4000  # characters of a comment or a note
MAX_HISTORY = 500  # steps a task keeps; past it, comments are refused (the row stays bounded)
MAX_LEVELS = 20  # organizations walked up at most (a cycle in bad registry data must end)


def unresolved_task(conn: Connection, task_id: int) -> dict[str, Any]:
    task = get_task(conn, task_id)
    if task["status"] == "closed":
        raise MgovError(f"task {task_id} is closed (on {task['closed_on']}): nothing more to do on it")
    return task


def clean_text(value: str | None, what: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidValue(f"{what} cannot be empty")
        return None
    if len(text) > MAX_TEXT:
        raise InvalidValue(f"{what} is {len(text)} characters long: at most {MAX_TEXT}")
    if "\x00" in text:
        raise InvalidValue("NUL characters are not allowed")
    return text


def owner_of(conn: Connection, channel_id: int) -> int | None:
    owner: int | None = conn.execute(select(CHANNELS.c.owner_id).where(CHANNELS.c.id == channel_id)).scalar()
    return owner


def task_candidates(conn: Connection, task: dict[str, Any], on: dt.date | None = None) -> list[dict[str, Any]]:
    """The people the task may be assigned to (act.assign.candidates of its channel)."""
    return candidates(conn, task["channel_id"], owner_of(conn, task["channel_id"]), on or clock.today())


def assign(conn: Connection, task_id: int, person: str, *, by: str, note: str | None = None) -> dict[str, Any]:
    """Give the task to person (a key): one of its channel's responsible people or the owner's
    role holders."""
    task = unresolved_task(conn, task_id)
    note = clean_text(note, "the note", required=False)
    if person not in {c["person"] for c in task_candidates(conn, task)}:
        raise InvalidValue(f"{person} does not answer for this channel: assign one of its responsible people or "
                           "of its owner's role holders (the task's page lists them)")
    if person == task["assignee"]:
        raise MgovError(f"task {task_id} is assigned to {person} already")
    add_step(conn, task_id, {"assignee": person}, "assigned", by, person=person, was=task["assignee"], note=note)
    record(conn, by, "task.assigned", f"task:{task_id}", {"person": person, "was": task["assignee"], "note": note},
           channel_id=task["channel_id"])
    return get_task(conn, task_id)


def comment(conn: Connection, task_id: int, text: str, *, by: str) -> dict[str, Any]:
    task = get_task(conn, task_id)
    body = clean_text(text, "a comment", required=True)
    if len(task["history"] or []) >= MAX_HISTORY:
        raise MgovError(f"task {task_id} has {MAX_HISTORY} entries in its history: it takes no more comments")
    add_step(conn, task_id, {}, "commented", by, text=body)
    record(conn, by, "task.commented", f"task:{task_id}", {"text": body}, channel_id=task["channel_id"])
    return get_task(conn, task_id)


def request_recheck(conn: Connection, task_id: int, *, by: str, note: str | None = None) -> dict[str, Any]:
    """Ask for the checks behind the task's indicator to run again on its channel: the next run
    of them (`mgov tasks recheck`, or a scan or crawl that runs them) judges the task, and closes
    it when they pass (act.recheck)."""
    task = unresolved_task(conn, task_id)
    note = clean_text(note, "the note", required=False)
    if task["recheck_requested_at"] is not None:
        raise MgovError(f"a re-check of task {task_id} was asked for already "
                        f"({task['recheck_requested_at']:%Y-%m-%d %H:%M} UTC, by {task['recheck_requested_by']})")
    at = clock.now()
    add_step(conn, task_id, {"recheck_requested_at": at, "recheck_requested_by": by}, "recheck_requested", by,
             note=note)
    record(conn, by, "task.recheck_requested", f"task:{task_id}", {"note": note}, channel_id=task["channel_id"])
    return get_task(conn, task_id)


def supervisors(conn: Connection, channel_id: int) -> list[str]:
    """The codes of the organizations above the channel's owner, nearest first."""
    out: list[str] = []
    org_id = owner_of(conn, channel_id)
    seen: set[int] = set()
    while org_id is not None and org_id not in seen and len(out) < MAX_LEVELS:
        seen.add(org_id)
        row = conn.execute(select(ORGS.c.parent_id).where(ORGS.c.id == org_id)).first()
        org_id = row.parent_id if row is not None else None
        if org_id is not None:
            out.append(str(conn.execute(select(ORGS.c.code).where(ORGS.c.id == org_id)).scalar_one()))
    return out


def escalate(conn: Connection, task_id: int, *, by: str, note: str | None = None) -> dict[str, Any]:
    """Raise the task one level up (督办): to the owner's supervising organization, then to the
    one above it, and so on."""
    task = unresolved_task(conn, task_id)
    note = clean_text(note, "the note", required=True)
    level = (task["escalation_level"] or 0) + 1
    above = supervisors(conn, task["channel_id"])
    if len(above) < level:
        where = f"above {above[-1]}" if above else "over the channel's owner"
        raise MgovError(f"task {task_id} cannot go higher: the registry has no supervising organization {where}")
    to = above[level - 1]
    add_step(conn, task_id, {"status": "escalated", "escalated_to": to, "escalation_level": level}, "escalated", by,
             to=to, level=level, note=note, was=task["status"])
    record(conn, by, "task.escalated", f"task:{task_id}", {"to": to, "level": level, "note": note, "manual": True},
           channel_id=task["channel_id"])
    return get_task(conn, task_id)


def clear_recheck(conn: Connection, task_id: int) -> None:
    """The request was honoured (the re-check ran, or cannot run): no longer pending."""
    conn.execute(update(T).where(T.c.id == task_id).values(recheck_requested_at=None, recheck_requested_by=None))
