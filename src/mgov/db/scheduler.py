"""What the scheduler keeps (issue 20; mgov.scheduler): each schedule entry's state (its last
run and the next time it is due), the lease that lets one scheduler at a time start jobs, and
the result of each job beside its row (`jobs.result`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mgov.db.base import Base, table_of


class ScheduleState(Base):
    """One schedule entry, by its stable key (mgov.act.schedule.key: a digest of its definition):
    when it was last due and started, the job started (or found still active), and when it is
    due next. A changed entry has a new key, so it starts afresh."""

    __tablename__ = "schedule_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)  # the command that runs the same work, for people
    last_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # started, still_active (the previous job was still under way: not started again), failed (not queued)
    last_outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    missed: Mapped[int] = mapped_column(Integer, default=0)  # due times passed while no scheduler ran (last time)
    next_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SchedulerLease(Base):
    """The one active scheduler: who holds the lease and until when. A holder renews it on every
    tick; another takes it over once it has expired (its holder died or lost the database)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


SCHEDULE_STATE = table_of(ScheduleState)
SCHEDULER_LEASE = table_of(SchedulerLease)
