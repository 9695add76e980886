"""Rows the assessment tests store directly, as a scan would have: the inputs under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from mgov.db.tables import FINDINGS
from mgov.profiles import load, resolve


def insert_finding(conn: Connection, run_id: int, channel_id: int, check: str, status: str, day: dt.date,
                   value: Any = None, at: dt.time = dt.time(3)) -> None:
    """A finding of check observed on day at `at` UTC, with a WARC ref naming the day."""
    conn.execute(insert(FINDINGS).values(
        run_id=run_id, channel_id=channel_id, check_id=check, status=status, value=value,
        message=f"{check} {status}", evidence=[{"warc": "t.warc.gz", "offset": 1, "day": day.isoformat()}],
        observed_at=dt.datetime.combine(day, at, dt.UTC)))


# A clean value for every aggregation mode that reads counts from a finding's value.
CLEAN = {"dead": 0, "dead_home": 0, "dead_other": 0, "stale": [], "blank": [], "missing": []}


def monitored(conn: Connection, run_id: int, channel_id: int, day: dt.date, *, profile: str = "cn-2019-website",
              kind: str = "website", tier: str = "county", evidence: list[dict[str, Any]] | None = None,
              at: dt.time = dt.time(1), status: str = "pass", scan_status: str | None = None) -> int:
    """Complete automated monitoring for a day: a passing finding, with a clean value, of every
    check the profile's indicators bind for the channel (each with its indicator's variant),
    observed at `at` UTC, so that a test's own findings of that day (at 03:00) are the day's
    last. Without it a channel with a handful of findings is an incomplete result (no score,
    no rank, a task to restore monitoring). With status 'error' (and a scan_status such as
    dns_error) it is a day on which monitoring failed. The number of findings written."""
    seen: set[tuple[str, str | None]] = set()
    for ind in resolve(load(profile), kind, tier):
        if ind.source != "check" or not ind.check or (ind.check, ind.variant) in seen:
            continue
        seen.add((ind.check, ind.variant))
        conn.execute(insert(FINDINGS).values(
            run_id=run_id, channel_id=channel_id, check_id=ind.check, variant=ind.variant, status=status,
            value=CLEAN if status == "pass" else None, message=f"{ind.check} {status}", scan_status=scan_status,
            evidence=evidence or [{"warc": "t.warc.gz", "offset": 1, "day": day.isoformat()}],
            observed_at=dt.datetime.combine(day, at, dt.UTC)))
    return len(seen)
