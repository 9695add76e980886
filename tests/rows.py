"""Rows the assessment tests store directly, as a scan would have: the inputs under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from mgov.db.tables import FINDINGS


def insert_finding(conn: Connection, run_id: int, channel_id: int, check: str, status: str, day: dt.date,
                   value: Any = None, at: dt.time = dt.time(3)) -> None:
    """A finding of check observed on day at `at` UTC, with a WARC ref naming the day."""
    conn.execute(insert(FINDINGS).values(
        run_id=run_id, channel_id=channel_id, check_id=check, status=status, value=value,
        message=f"{check} {status}", evidence=[{"warc": "t.warc.gz", "offset": 1, "day": day.isoformat()}],
        observed_at=dt.datetime.combine(day, at, dt.UTC)))
