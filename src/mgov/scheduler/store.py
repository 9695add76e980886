"""The scheduler's rows: each entry's state (schedule_state) and the one lease (scheduler_lease)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from mgov.db.tables import JOBS, SCHEDULE_STATE, SCHEDULER_LEASE

LEASE = "scheduler"


def aware(when: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive times back: they were stored as UTC."""
    return when if when is None or when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def states(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every entry's state by key, with its last job's state (queued, running, done, failed...)."""
    rows = conn.execute(select(SCHEDULE_STATE, JOBS.c.state.label("job_state"), JOBS.c.error.label("job_error"))
                        .outerjoin(JOBS, JOBS.c.id == SCHEDULE_STATE.c.last_job_id))
    out = {}
    for row in rows:
        state = dict(row._mapping)
        for name in ("last_due_at", "last_run_at", "next_due_at", "updated_at"):
            state[name] = aware(state[name])
        out[state["key"]] = state
    return out


def save(conn: Connection, key: str, **values: Any) -> None:
    """Write an entry's state (made on first write)."""
    if conn.execute(update(SCHEDULE_STATE).where(SCHEDULE_STATE.c.key == key).values(**values)).rowcount == 0:
        conn.execute(insert(SCHEDULE_STATE).values(key=key, missed=0, **values))


def acquire(conn: Connection, holder: str, now: dt.datetime, seconds: float) -> bool:
    """Take or renew the lease until now + seconds: True when holder has it. Another's lease
    is taken over only once it has expired."""
    until = now + dt.timedelta(seconds=seconds)
    taken = conn.execute(update(SCHEDULER_LEASE).where(
        SCHEDULER_LEASE.c.name == LEASE,
        or_(SCHEDULER_LEASE.c.holder == holder, SCHEDULER_LEASE.c.expires_at < now)).values(
        holder=holder, expires_at=until)).rowcount
    if taken:
        return True
    if conn.execute(select(SCHEDULER_LEASE.c.name).where(SCHEDULER_LEASE.c.name == LEASE)).first() is not None:
        return False  # held by another, not expired
    try:
        with conn.begin_nested():
            conn.execute(insert(SCHEDULER_LEASE).values(name=LEASE, holder=holder, acquired_at=now, expires_at=until))
    except IntegrityError:  # another took it at the same moment
        return False
    return True


def holder(conn: Connection) -> dict[str, Any] | None:
    """Who holds the lease, and until when (None: no scheduler ever ran, or the last let go)."""
    row = conn.execute(select(SCHEDULER_LEASE).where(SCHEDULER_LEASE.c.name == LEASE)).first()
    if row is None:
        return None
    lease = dict(row._mapping)
    lease["expires_at"] = aware(lease["expires_at"])
    return lease


def release(conn: Connection, holder_id: str) -> None:
    """Let go of the lease (a scheduler stopping cleanly): another may take it at once."""
    conn.execute(delete(SCHEDULER_LEASE).where(SCHEDULER_LEASE.c.name == LEASE,
                                               SCHEDULER_LEASE.c.holder == holder_id))
