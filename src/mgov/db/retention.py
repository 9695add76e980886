"""What keeping the archive by schedule records (issue 19; mgov.archive.retention and
disposition): legal holds, dispositions (a report a records officer approves, and the
captures it lists), and the tombstone of every record a disposition destroyed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mgov.db.base import Base, table_of
from mgov.db.base import now as _now


class ArchiveHold(Base):
    """A legal hold: nothing it covers may be destroyed while it is not released. It covers a
    channel, an organization's subtree, or everything, each optionally within capture dates."""

    __tablename__ = "archive_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    # No ON DELETE: a channel or organization under a hold cannot be deleted from under it.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), nullable=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), nullable=True)
    since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # capture dates covered (UTC days)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ArchiveDisposition(Base):
    """A disposition: reported (what was due on `as_of`, by schedule item), then approved by
    a records officer, then carried out (`done`); or cancelled."""

    __tablename__ = "archive_dispositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="reported")  # reported, approved, done, cancelled
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True)
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    approved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # per item: captures, records, bytes, ...
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ArchiveDispositionItem(Base):
    """One record a disposition lists (the record's index row is deleted when it is
    destroyed: its place and digests stay here and in its tombstone)."""

    __tablename__ = "archive_disposition_items"
    __table_args__ = (Index("ix_archive_disposition_items_disposition", "disposition_id", "file_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    disposition_id: Mapped[int] = mapped_column(ForeignKey("archive_dispositions.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(Integer)  # archive_records.id when reported
    file_id: Mapped[int] = mapped_column(Integer)  # archive_files.id
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    schedule_item: Mapped[str] = mapped_column(String(200))  # <schedule>/<item>
    channel_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    captured_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="due")  # due, destroyed, held, kept


class ArchiveTombstone(Base):
    """A record destroyed by a disposition: where it was, what it was, its digests, when,
    under which schedule item and approval."""

    __tablename__ = "archive_tombstones"
    __table_args__ = (Index("ix_archive_tombstones_place", "file_name", "offset"),
                      Index("ix_archive_tombstones_disposition", "disposition_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    disposition_id: Mapped[int] = mapped_column(ForeignKey("archive_dispositions.id"))
    file_name: Mapped[str] = mapped_column(String(1000))
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    record_type: Mapped[str] = mapped_column(String(20))
    warc_record_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    timestamp: Mapped[str] = mapped_column(String(14))
    payload_digest: Mapped[str | None] = mapped_column(Text, nullable=True)
    record_digest: Mapped[str | None] = mapped_column(String(80), nullable=True)
    content_digest: Mapped[str | None] = mapped_column(String(80), nullable=True)
    channel_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    schedule_item: Mapped[str] = mapped_column(String(200))
    destroyed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


ARCHIVE_HOLDS = table_of(ArchiveHold)
ARCHIVE_DISPOSITIONS = table_of(ArchiveDisposition)
ARCHIVE_DISPOSITION_ITEMS = table_of(ArchiveDispositionItem)
ARCHIVE_TOMBSTONES = table_of(ArchiveTombstone)
