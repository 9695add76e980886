"""Disputes (申诉): an agency contests a failed indicator of an assessment with a reason and
evidence; a reviewer upholds or overturns it. An overturned finding stops counting: its tasks
close, no task opens for it, and the assessment leaves it out when it re-scores (it reads the
decisions through `mgov.assess.overturned`). Every step lands in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from mgov.act.audit_log import now, record
from mgov.act.tasks import address_forms, close_overturned
from mgov.db.tables import ASSESSMENT_RESULTS, CHANNELS, DISPUTES
from mgov.errors import MgovError, NotFound

D = DISPUTES
STATUSES = ("filed", "upheld", "overturned")


def channel_in_assessment(conn: Connection, assessment_id: int, address: str) -> int:
    """The id of the channel at address among the assessment's channels."""
    cid = conn.execute(select(CHANNELS.c.id).join(ASSESSMENT_RESULTS, ASSESSMENT_RESULTS.c.channel_id == CHANNELS.c.id)
                       .where(ASSESSMENT_RESULTS.c.assessment_id == assessment_id,
                              CHANNELS.c.address.in_(address_forms(address)))).scalars().first()
    if cid is None:
        raise NotFound(f"{address} is not in assessment {assessment_id}")
    return int(cid)


def file(conn: Connection, assessment_id: int, channel_id: int, indicator_id: str, reason: str, *,
         evidence: list[dict[str, Any]] | None = None, by: str | None = None) -> dict[str, Any]:
    """File a dispute against a failed indicator of a channel in an assessment."""
    if not reason.strip():
        raise MgovError("a dispute needs a reason")
    result = conn.execute(select(ASSESSMENT_RESULTS.c.result).where(
        ASSESSMENT_RESULTS.c.assessment_id == assessment_id, ASSESSMENT_RESULTS.c.channel_id == channel_id)).scalar()
    if result is None:
        raise NotFound(f"channel {channel_id} is not in assessment {assessment_id}")
    line = next((i for i in result.get("indicators", []) if i["id"] == indicator_id), None)
    if line is None:
        raise NotFound(f"indicator {indicator_id} is not in the channel's result of assessment {assessment_id}")
    if line["status"] != "failed":
        raise MgovError(f"indicator {indicator_id} did not fail (status {line['status']}): nothing to dispute")
    pending = conn.execute(select(D.c.id).where(D.c.assessment_id == assessment_id, D.c.channel_id == channel_id,
                                                D.c.indicator_id == indicator_id,
                                                D.c.status.in_(("filed", "overturned")))).scalar()
    if pending is not None:
        raise MgovError(f"dispute {pending} already contests {indicator_id} of this channel in this assessment")
    actor = by or "unknown"
    dispute_id = int(conn.execute(insert(D).values(
        assessment_id=assessment_id, channel_id=channel_id, indicator_id=indicator_id, reason=reason,
        evidence=list(evidence or []), filed_by=by, filed_at=now(), status="filed")
        .returning(D.c.id)).scalar_one())
    record(conn, actor, "dispute.filed", f"dispute:{dispute_id}",
           {"assessment": assessment_id, "channel_id": channel_id, "indicator": indicator_id, "reason": reason,
            "evidence": list(evidence or [])}, channel_id=channel_id)
    return get(conn, dispute_id)


def decide(conn: Connection, dispute_id: int, *, overturn: bool, note: str, by: str,
           today: dt.date | None = None) -> dict[str, Any]:
    """Uphold (the finding stands) or overturn (it stops counting; its tasks close)."""
    d = get(conn, dispute_id)
    if d["status"] != "filed":
        raise MgovError(f"dispute {dispute_id} was already decided: {d['status']} by {d['reviewer']}")
    if not note.strip() or not by.strip():
        raise MgovError("a decision needs a note and the reviewer's name")
    status = "overturned" if overturn else "upheld"
    conn.execute(update(D).where(D.c.id == dispute_id).values(status=status, reviewer=by, decided_at=now(),
                                                              decision_note=note))
    closed = close_overturned(conn, d["assessment_id"], d["channel_id"], d["indicator_id"], actor=by,
                              today=today, dispute=dispute_id) if overturn else []
    record(conn, by, f"dispute.{status}", f"dispute:{dispute_id}", {"note": note, "tasks_closed": closed},
           channel_id=d["channel_id"])
    return {**get(conn, dispute_id), "tasks_closed": closed}


def get(conn: Connection, dispute_id: int) -> dict[str, Any]:
    row = conn.execute(select(D, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == D.c.channel_id)
                       .where(D.c.id == dispute_id)).first()
    if row is None:
        raise NotFound(f"no dispute {dispute_id}")
    return dict(row._mapping)


def list_disputes(conn: Connection, *, assessment_id: int | None = None,
                  status: str | None = None) -> list[dict[str, Any]]:
    if status is not None and status not in STATUSES:
        raise MgovError(f"unknown dispute status {status!r} (choose from: {', '.join(STATUSES)})")
    query = select(D, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == D.c.channel_id).order_by(D.c.id)
    if assessment_id is not None:
        query = query.where(D.c.assessment_id == assessment_id)
    if status:
        query = query.where(D.c.status == status)
    return [dict(r._mapping) for r in conn.execute(query)]
