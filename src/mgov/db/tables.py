"""The relational model. Natural keys are unique so a re-import updates in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mgov.db.base import Base, Timestamps
from mgov.db.base import now as _now
from mgov.db.base import table_of as _table

# New-media captures (issue 17) have a module of their own; imported here so that the one
# metadata (migrations, the schema check, the tests' truncation) always holds their tables.
from mgov.db.captures import ACCOUNT_PROFILES as ACCOUNT_PROFILES
from mgov.db.captures import POST_CHANGES as POST_CHANGES
from mgov.db.captures import POST_VERSIONS as POST_VERSIONS
from mgov.db.captures import POSTS as POSTS

# Retention and disposition of the archive (issue 19), likewise.
from mgov.db.retention import ARCHIVE_DISPOSITION_ITEMS as ARCHIVE_DISPOSITION_ITEMS
from mgov.db.retention import ARCHIVE_DISPOSITIONS as ARCHIVE_DISPOSITIONS
from mgov.db.retention import ARCHIVE_HOLDS as ARCHIVE_HOLDS
from mgov.db.retention import ARCHIVE_TOMBSTONES as ARCHIVE_TOMBSTONES

# The scheduler's state and lease (issue 20), likewise.
from mgov.db.scheduler import SCHEDULE_STATE as SCHEDULE_STATE
from mgov.db.scheduler import SCHEDULER_LEASE as SCHEDULER_LEASE

# The archive's search index (issue 19), likewise.
from mgov.db.search import SEARCH_DOCUMENTS as SEARCH_DOCUMENTS


class Organization(Timestamps, Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    name_zh: Mapped[str | None] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    region_code: Mapped[str | None] = mapped_column(String(20))
    no_external_service: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # IANA name; None: the jurisdiction's default (mgov.zones).
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)

    parent: Mapped[Organization | None] = relationship(remote_side=[id])


class Person(Timestamps, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (Index("ix_role_assignments_org_role", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(40))
    since: Mapped[dt.date | None] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    organization: Mapped[Organization] = relationship()


class Channel(Timestamps, Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("kind", "address", name="uq_channels_kind_address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="active")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Registered facts the checks compare against, e.g. {"site_code": "4403000002"}.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    owner: Mapped[Organization | None] = relationship()


class ChannelResponsibility(Base):
    """A person answerable for one role on one channel."""

    __tablename__ = "channel_responsibilities"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ChannelEvent(Base):
    """A dated, filed event in a channel's life (开设、变更、关停、注销...)."""

    __tablename__ = "channel_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, server_default=func.now()
    )


class ScanRun(Base):
    """One `mgov scan`: what it was asked, and how far it got."""

    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, finished
    kind: Mapped[str] = mapped_column(String(20), default="scan", server_default="scan")  # scan, crawl
    # Selection, checks and routing as given, so --resume scans the same set the same way.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ScanItem(Base):
    """A channel finished within a run; written in the same transaction as its findings."""

    __tablename__ = "scan_items"
    __table_args__ = (UniqueConstraint("run_id", "channel_id", name="uq_scan_items_run_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # status -> findings


class RunTask(Base):
    """A channel of a distributed run sent to the cluster's workers (mgov.cluster): one row per
    (run, channel), so a run's progress reads queued, running, failed and done (scan_items)
    counts, and a task sent twice is still one row."""

    __tablename__ = "run_tasks"
    __table_args__ = (UniqueConstraint("run_id", "channel_id", name="uq_run_tasks_run_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="queued")  # queued, running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times a worker started it
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the last worker that took it
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_run_channel", "run_id", "channel_id"),
                      Index("ix_findings_channel_check", "channel_id", "check_id"),
                      Index("ix_findings_unrolled", "id", sqlite_where=text("rolled = 0"),
                            postgresql_where=text("NOT rolled")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    message: Mapped[str | None] = mapped_column(Text)
    message_zh: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # WARC refs
    scan_status: Mapped[str | None] = mapped_column(String(40))
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # None: judged with the check's own parameters; else checks.params_variant of a profile's.
    variant: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # In finding_days already (db.rollups): rows written elsewhere, or before 0026, are not.
    rolled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Probe(Base):
    """One lightweight availability probe of a channel's homepage."""

    __tablename__ = "probes"
    __table_args__ = (Index("ix_probes_channel_at", "channel_id", "at"),
                      Index("ix_probes_unrolled", "id", sqlite_where=text("rolled = 0"),
                            postgresql_where=text("NOT rolled")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    ok: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[float | None] = mapped_column()
    scan_status: Mapped[str | None] = mapped_column(String(40))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rolled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # in probe_days


class FindingDay(Base):
    """The rollup an assessment reads instead of the findings (db.rollups): per channel, check,
    variant ('' for the check's own parameters) and UTC day, that day's last finding."""

    __tablename__ = "finding_days"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    check_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    variant: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    finding_id: Mapped[int] = mapped_column(Integer)
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ProbeDay(Base):
    """Availability probes counted per channel and UTC day (db.rollups)."""

    __tablename__ = "probe_days"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    probes: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)


class CrawlPage(Base):
    """A page a crawl fetched (its bytes are in the archive at ref)."""

    __tablename__ = "crawl_pages"
    __table_args__ = (Index("ix_crawl_pages_run_channel", "run_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer)
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    ref: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CrawlLink(Base):
    """One edge of a site's link graph: a page that carries a link, and where it points."""

    __tablename__ = "crawl_links"
    __table_args__ = (Index("ix_crawl_links_run_target", "run_id", "target_url"),
                      Index("ix_crawl_links_run_channel_target", "run_id", "channel_id", "target_url"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    source_url: Mapped[str] = mapped_column(Text)
    target_url: Mapped[str] = mapped_column(Text)
    anchor: Mapped[str | None] = mapped_column(Text)
    tag: Mapped[str] = mapped_column(String(20))
    from_home: Mapped[bool] = mapped_column(Boolean, default=False)


class LinkOutcomeRow(Base):
    """What checking a link target gave, once per run however many pages carry it."""

    __tablename__ = "link_outcomes"
    __table_args__ = (Index("ix_link_outcomes_run_url", "run_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ContentHistoryRow(Base):
    """What the newest crawl of a channel saw, for judging the next one (backdating, tampering)."""

    __tablename__ = "content_history"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id", ondelete="CASCADE"))
    crawled_on: Mapped[dt.date] = mapped_column(Date)
    history: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Assessment(Base):
    """One assessment (综合考核) of a profile over a period."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(40))  # as given: 2026Q4, 2026-11, 2026
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)  # inclusive
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # selection, profile file
    # Re-assessing the same profile, period and selection stores a new version; the older one
    # stays readable, superseded by the newer one's id (NULL: the current version).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    superseded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AssessmentResultRow(Base):
    """A channel's verdict, score and breakdown in an assessment, with the inputs it was
    computed from (the snapshot that makes a re-run give the same result)."""

    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("assessment_id", "channel_id", name="uq_assessment_results_channel"),
                      Index("ix_assessment_results_ranking", "assessment_id", "tier", "kind", "rank"),
                      Index("ix_assessment_results_channel_assessment", "channel_id", "assessment_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column()
    grade: Mapped[str | None] = mapped_column(String(8))
    # The place in the ranking listing of its tier and kind (1..n without gaps, the ranking
    # index's key): the rank of a complete result; an incomplete one follows them unranked.
    rank: Mapped[int | None] = mapped_column(Integer)
    rank_of: Mapped[int | None] = mapped_column(Integer)  # the number of ranked (complete) results
    # The rank shown (competition ranking: equal standings share it, 1, 1, 3); NULL unranked.
    place: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Copies from result: rankings per tier and kind, and the overview, read them by index.
    tier: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(30), nullable=True)
    vetoes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # len(result["vetoes_failed"])
    complete: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    not_assessed_share: Mapped[float | None] = mapped_column(nullable=True)  # of the monitored indicators
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RectificationTask(Base):
    """A failing indicator of a channel in an assessment, to be fixed by a deadline (整改)."""

    __tablename__ = "rectification_tasks"
    __table_args__ = (UniqueConstraint("assessment_id", "channel_id", "indicator_id",
                                       name="uq_rectification_tasks_indicator"),
                      Index("ix_rectification_tasks_status_due_id", "status", "due_on", "id"),
                      Index("ix_rectification_tasks_channel_indicator", "channel_id", "indicator_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    indicator_id: Mapped[str] = mapped_column(String(80))
    profile_id: Mapped[str] = mapped_column(String(80))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, closed, escalated
    assignees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # person key, role, source
    escalated_to: Mapped[str | None] = mapped_column(String(200))  # the supervising organization's code
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Who works on it: one person's key, from the channel's responsible people (act.assign).
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # How many levels up the registry it went (0: not escalated; escalated_to is the level's org).
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A re-check asked for and not yet run (act.recheck honours it on the next run of its check).
    recheck_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recheck_requested_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class TaskEvidence(Base):
    """Evidence that a task's problem was fixed: a URL, or a small file kept under the archive
    (task-evidence/, by its SHA-256: the path never comes from the upload)."""

    __tablename__ = "task_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # url, file
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Dispute(Base):
    """An agency contesting one finding of an assessment (申诉), and the reviewer's decision."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_assessment_channel", "assessment_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    indicator_id: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    filed_by: Mapped[str | None] = mapped_column(String(200))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    status: Mapped[str] = mapped_column(String(20), default="filed")  # filed, upheld, overturned
    reviewer: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class AuditLogRow(Base):
    """Append-only: every change, from any face, who made it, when and how (mgov.db.audit)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))  # e.g. task:12, dispute:3
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The organization whose data changed (the channel's owner): who may read the entry.
    organization_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # The face the actor used (web, api, cli), and the entry this one is part of (an import's
    # records point at the import's one entry).
    face: Mapped[str | None] = mapped_column(String(10), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class Job(Base):
    """A scan, crawl or assessment started from the web or the API, run in the background by
    the server process (mgov.act.jobs): its target, who started it, its state and progress,
    and the run or assessment it produced. active_key is set while it is queued or running,
    so one identical job at a time (unique; NULL once it ended)."""

    __tablename__ = "jobs"
    __table_args__ = (Index("uq_jobs_active_key", "active_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # mgov.act.jobs.KINDS
    target: Mapped[str] = mapped_column(String(300))  # org:CODE, channel:ID or all
    # Who may see it: the target's organization (a channel's owner); NULL: the whole registry's.
    organization_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    channel_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by: Mapped[str] = mapped_column(String(200))
    # queued, running, done, failed, interrupted (its process stopped while it ran)
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assessment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    active_key: Mapped[str | None] = mapped_column(String(400), nullable=True)
    # What a job without a run or assessment made: probes stored, files verified, notices sent (0024).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    schedule_key: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the entry that started it (0024)


class AssessmentInputRow(Base):
    """An input the assessment cannot observe itself, for one channel, indicator and period:
    a reviewer's decision (manual), 好差评 counts (rating) or usage figures (usage). Rows are
    never updated: a newer row for the same (channel, profile, indicator, period, kind)
    supersedes the older ones, which stay as history."""

    __tablename__ = "assessment_inputs"
    __table_args__ = (Index("ix_assessment_inputs_period", "profile_id", "period_start", "period_end", "kind"),
                      Index("ix_assessment_inputs_channel_indicator", "channel_id", "indicator_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(String(80))
    indicator_id: Mapped[str] = mapped_column(String(80))  # '*': usage figures for every usage indicator
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # inclusive
    kind: Mapped[str] = mapped_column(String(20))  # manual, rating, usage
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    entered_by: Mapped[str | None] = mapped_column(String(200))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class User(Base):
    """A person who signs in to the dashboard or the API; role and organization bound what
    they may see and do (the organization's whole subtree; none: the whole registry)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(40))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    lang: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: the organization's
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal API token (shown once; the table keeps its SHA-256 and a prefix to name it)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Sign-in attempts, for rate limiting per user name and per client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_client_at", "client", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    ok: Mapped[bool] = mapped_column(Boolean)


class SignInThrottle(Base):
    """Failed sign-ins in a row per user name and client address, and the back-off they earned.
    Each attempt is charged here (atomically) before its password is checked, so parallel
    attempts cannot all pass the limit; a success clears the row."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (UniqueConstraint("username", "client", name="uq_sign_in_throttle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(120))
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)  # charged attempts since the last success
    allowed: Mapped[int] = mapped_column(Integer)  # the attempt number that may still try now
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class NotificationTarget(Base):
    """Where an organization's notifications go: an e-mail address or a webhook URL (signed
    with secret), for the events listed (veto, overdue, digest)."""

    __tablename__ = "notification_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # email, webhook
    address: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str | None] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    lang: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class NotificationSent(Base):
    """One delivery (or failed attempt) of an event to a target; key makes events once-only."""

    __tablename__ = "notifications_sent"
    __table_args__ = (Index("ix_notifications_sent_target_key", "target_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("notification_targets.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    status: Mapped[str] = mapped_column(String(20))  # sent, failed
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DiscoveredAccount(Base):
    """An account a platform's search returned that claims a registered unit's name but is not
    registered itself (mgov discover): a candidate 私开账号 or imposter until a reviewer decides.
    One row per account (kind, address); seen again, its last sighting and evidence move on."""

    __tablename__ = "discovered_accounts"
    __table_args__ = (UniqueConstraint("kind", "address", name="uq_discovered_accounts_kind_address"),
                      Index("ix_discovered_accounts_state_id", "state", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(40))  # the adapter that found it (weibo, activitypub, ...)
    kind: Mapped[str] = mapped_column(String(30))  # the channel kind it would be registered as
    address: Mapped[str] = mapped_column(String(2000))  # normalized as the registry would
    name: Mapped[str] = mapped_column(String(500))  # as the platform shows it
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    certification: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The unit whose name it claims (who may see and decide it: that unit's scope).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"),
                                                        index=True)
    matched: Mapped[str] = mapped_column(String(500))  # the unit's name (or short name) the account's name holds
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # WARC refs of the search answers
    state: Mapped[str] = mapped_column(String(20), default="new")  # new, confirmed, dismissed
    confirmed_as: Mapped[str | None] = mapped_column(String(20), nullable=True)  # private (私开账号), imposter
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Inspection(Base):
    """A reviewer's inspection of one channel for one period against a profile (人工检查): the
    checklist of the profile's indicators for the channel's kind and tier (those whose source is
    manual, or every one: `selection`), assigned to a reviewer (a user name), filled item by
    item, then submitted: each item's verdict becomes the channel's manual input of that
    indicator for the period (mgov.act.inspections)."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_channel_period", "channel_id", "profile_id", "period_start",
                            "period_end"),
                      Index("ix_inspections_assignee_status", "assignee", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(String(80))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # inclusive
    selection: Mapped[str] = mapped_column(String(10))  # manual, all
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, submitted
    assignee: Mapped[str] = mapped_column(String(120))  # a user name
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    submitted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class InspectionItem(Base):
    """One indicator of an inspection's checklist: its verdict (met, not_met, not_applicable),
    instances, note, who filled it; for a veto not met, the second reviewer's confirmation
    (confirmed or rejected); the assessment input it became (input_id, once it counts)."""

    __tablename__ = "inspection_items"
    __table_args__ = (UniqueConstraint("inspection_id", "indicator_id", name="uq_inspection_items_indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    indicator_id: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(20))  # veto, deduct, weight, bonus
    source: Mapped[str] = mapped_column(String(20))  # the indicator's source in the profile
    verdict: Mapped[str | None] = mapped_column(String(20), nullable=True)  # met, not_met, not_applicable
    instances: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    filled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    filled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    confirmation: Mapped[str | None] = mapped_column(String(20), nullable=True)  # confirmed, rejected
    confirmed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    confirm_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    input_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # assessment_inputs.id


class InspectionEvidence(Base):
    """A file an inspection item rests on (a screenshot of the mini program, a letter), kept
    under the archive by its SHA-256 (inspection-evidence/): the path never comes from the upload."""

    __tablename__ = "inspection_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)




class ArchiveFile(Base):
    """A WARC file of the archive (mgov.archive): written by mgov or imported, its SHA-256 once
    sealed (as in manifest-sha256.txt), and how far its sidecar index has been folded in."""

    __tablename__ = "archive_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(1000), unique=True)  # relative to the archive directory
    origin: Mapped[str] = mapped_column(String(20), default="mgov")  # mgov, import
    source: Mapped[str | None] = mapped_column(Text, nullable=True)  # an import's file as given
    state: Mapped[str] = mapped_column(String(20), default="open")  # open, sealed, recovered, quarantined
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    indexed_bytes: Mapped[int] = mapped_column(BigInteger, default=0)  # of its sidecar, folded in
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    verified_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # the last check's outcome


class ArchiveRecord(Base):
    """One WARC record's index entry: pywb's CDXJ fields (urlkey, timestamp, url, mime, status,
    digest, length, offset, file) and mgov's (record type and id, content digest, the run,
    channel and organization it was captured for, the extracted text when there is one).
    state is ok, or lost when a crash recovery cut the bytes it pointed at."""

    __tablename__ = "archive_records"
    __table_args__ = (UniqueConstraint("file_id", "offset", name="uq_archive_records_file_offset"),
                      Index("ix_archive_records_lookup", "lookup_key", "timestamp"),
                      Index("ix_archive_records_channel", "channel_id", "captured_at"),
                      Index("ix_archive_records_content", "content_digest"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("archive_files.id", ondelete="CASCADE"))
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    record_type: Mapped[str] = mapped_column(String(20))
    lookup_key: Mapped[str] = mapped_column(String(400))  # the urlkey's first 400 characters (indexable)
    urlkey: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[str] = mapped_column(String(14))
    captured_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    mime: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str | None] = mapped_column(Text, nullable=True)
    digest: Mapped[str | None] = mapped_column(Text, nullable=True)  # WARC-Payload-Digest, as written
    record_digest: Mapped[str | None] = mapped_column(String(80), nullable=True)  # sha256 of the stored bytes
    content_digest: Mapped[str | None] = mapped_column(String(80), nullable=True)  # sha256 of the payload
    record_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    pywb_default: Mapped[bool] = mapped_column(Boolean, default=True)  # indexed by cdxj-indexer's defaults
    state: Mapped[str] = mapped_column(String(10), default="ok")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id", ondelete="SET NULL"), nullable=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"), nullable=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True)
    text_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # its search document (mgov.search)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # refersTo*, truncated, ...




# The Core tables, for bulk statements and reads that need no ORM objects.
ORGS = _table(Organization)
PEOPLE = _table(Person)
ROLES = _table(RoleAssignment)
CHANNELS = _table(Channel)
RESPONSIBILITIES = _table(ChannelResponsibility)
EVENTS = _table(ChannelEvent)
SCAN_RUNS = _table(ScanRun)
SCAN_ITEMS = _table(ScanItem)
RUN_TASKS = _table(RunTask)
FINDINGS = _table(FindingRow)
PROBES = _table(Probe)
FINDING_DAYS = _table(FindingDay)
PROBE_DAYS = _table(ProbeDay)
CRAWL_PAGES = _table(CrawlPage)
CRAWL_LINKS = _table(CrawlLink)
LINK_OUTCOMES = _table(LinkOutcomeRow)
CONTENT_HISTORY = _table(ContentHistoryRow)
ASSESSMENTS = _table(Assessment)
ASSESSMENT_RESULTS = _table(AssessmentResultRow)
RECTIFICATION_TASKS = _table(RectificationTask)
TASK_EVIDENCE = _table(TaskEvidence)
DISPUTES = _table(Dispute)
AUDIT_LOG = _table(AuditLogRow)
ASSESSMENT_INPUTS = _table(AssessmentInputRow)
USERS = _table(User)
WEB_SESSIONS = _table(WebSession)
API_TOKENS = _table(ApiToken)
LOGIN_ATTEMPTS = _table(LoginAttempt)
SIGN_IN_THROTTLE = _table(SignInThrottle)
NOTIFICATION_TARGETS = _table(NotificationTarget)
NOTIFICATIONS_SENT = _table(NotificationSent)
JOBS = _table(Job)
DISCOVERED = _table(DiscoveredAccount)
INSPECTIONS = _table(Inspection)
INSPECTION_ITEMS = _table(InspectionItem)
INSPECTION_EVIDENCE = _table(InspectionEvidence)
ARCHIVE_FILES = _table(ArchiveFile)
ARCHIVE_RECORDS = _table(ArchiveRecord)
