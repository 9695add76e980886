"""Findings overturned on dispute (申诉): an input of the assessment, like a reviewer's decision.

Disputes are filed and decided in mgov.act; the assessment only reads their outcome from the
disputes table. This is the one definition of "overturned": mgov.act reads it from here too
(tasks it opens or closes, notifications), so the layers cannot disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Connection, select

from mgov.assess.inputs import ManualInput, Observation
from mgov.db.tables import ASSESSMENTS, DISPUTES


def overturned(conn: Connection, assessment_id: int) -> set[tuple[int, str]]:
    """(channel id, indicator id) of the assessment's overturned findings."""
    return {(r.channel_id, r.indicator_id) for r in conn.execute(
        select(DISPUTES.c.channel_id, DISPUTES.c.indicator_id).where(DISPUTES.c.assessment_id == assessment_id,
                                                                     DISPUTES.c.status == "overturned"))}


def overturned_in_period(conn: Connection, profile_id: str, start: dt.date,
                         end: dt.date) -> dict[tuple[str, str], int]:
    """(channel, indicator) -> the assessment of the same profile and period whose dispute
    overturned that finding."""
    earlier = conn.execute(select(ASSESSMENTS.c.id).where(ASSESSMENTS.c.profile_id == profile_id,
                                                          ASSESSMENTS.c.start == start, ASSESSMENTS.c.end == end)).all()
    decided: dict[tuple[str, str], int] = {}
    for (assessment_id,) in earlier:
        for channel_id, indicator_id in overturned(conn, assessment_id):
            decided[(str(channel_id), indicator_id)] = assessment_id
    return decided


def with_overturned(observations: list[Observation], decided: dict[tuple[str, str], int]) -> list[Observation]:
    """A finding overturned on dispute in an earlier assessment of the same profile and period
    stops counting: a reviewer's decision (manual input, which outranks the checks) marks the
    indicator met, with the dispute as its note."""
    if not decided:
        return observations
    channels = {o.channel_id for o in observations}
    pending = {k: a for k, a in decided.items() if k[0] in channels}
    out = []
    for o in observations:
        if (o.channel_id, o.indicator_id) in pending:
            a = pending.pop((o.channel_id, o.indicator_id))
            o = dataclasses.replace(o, manual=ManualInput("met",
                                                          note=f"finding overturned on dispute (assessment {a})"))
        out.append(o)
    out.extend(Observation(cid, ind,
                           manual=ManualInput("met", note=f"finding overturned on dispute (assessment {a})"))
               for (cid, ind), a in pending.items())
    return out
