"""The assessment's rollups (issue 20), kept in the transaction that writes findings and probes.

finding_days holds, per channel, check, variant ('' for the check's own parameters) and UTC
day, that day's last finding (by observed_at, then id): its status and id. probe_days counts
the probes and the failed ones per channel and UTC day. An assessment reads these, never the
raw daily rows. Rows written by other paths (older data from before migration 0026, bulk
imports, tests) carry rolled = false; catch_up folds them in before an assessment reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from mgov.db.tables import FINDING_DAYS, FINDINGS, PROBE_DAYS, PROBES

CATCH_UP_CHUNK = 50_000  # unrolled rows folded in per statement

# (finding id, channel id, check id, variant or None, status, observed_at)
FindingKey = tuple[int, int, str, str | None, str, dt.datetime]


def utc_day(at: dt.datetime) -> dt.date:
    """The UTC day of a time as the database gives it (SQLite: naive, already UTC)."""
    return (at if at.tzinfo is None else at.astimezone(dt.UTC)).date()


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table))


def add_findings(conn: Connection, findings: Iterable[FindingKey]) -> None:
    """Fold stored findings into finding_days: a finding replaces its day's row when it is
    later (observed_at, then id). Any order of calls gives the same rows."""
    last: dict[tuple[int, str, str, dt.date], dict[str, Any]] = {}
    for fid, cid, check, variant, status, at in findings:
        key = (cid, check, variant or "", utc_day(at))
        kept = last.get(key)
        if kept is None or (at, fid) > (kept["observed_at"], kept["finding_id"]):
            last[key] = {"channel_id": cid, "check_id": check, "variant": key[2], "day": key[3],
                         "status": status, "finding_id": fid, "observed_at": at}
    if not last:
        return
    stmt = _insert(conn, FINDING_DAYS)
    new, row = stmt.excluded, FINDING_DAYS.c
    later = (new.observed_at > row.observed_at) | ((new.observed_at == row.observed_at)
                                                   & (new.finding_id > row.finding_id))
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[row.channel_id, row.check_id, row.variant, row.day],
        set_={"status": new.status, "finding_id": new.finding_id, "observed_at": new.observed_at},
        where=later), list(last.values()))


def add_probes(conn: Connection, probes: Iterable[tuple[int, dt.datetime, bool]]) -> None:
    """Count stored probes (channel id, at, ok) into probe_days."""
    counts: dict[tuple[int, dt.date], list[int]] = {}
    for cid, at, ok in probes:
        c = counts.setdefault((cid, utc_day(at)), [0, 0])
        c[0] += 1
        c[1] += 0 if ok else 1
    if not counts:
        return
    stmt = _insert(conn, PROBE_DAYS)
    new, held = stmt.excluded, PROBE_DAYS.c
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[held.channel_id, held.day],
        set_={"probes": held.probes + new.probes, "failed": held.failed + new.failed}),
        [{"channel_id": cid, "day": day, "probes": n, "failed": f} for (cid, day), (n, f) in counts.items()])


def _unrolled(conn: Connection, table: Table) -> Any:
    """The partial index's own predicate, so that both databases use it."""
    return text(f"{table.name}.rolled = 0" if conn.dialect.name == "sqlite" else f"NOT {table.name}.rolled")


def pending(conn: Connection) -> bool:
    """Whether any finding or probe is not in the rollups yet."""
    return any(conn.execute(select(t.c.id).where(_unrolled(conn, t)).limit(1)).first() is not None
               for t in (FINDINGS, PROBES))


def catch_up(conn: Connection) -> dict[str, int]:
    """Fold every unrolled finding and probe into the rollups, in the caller's transaction
    (each row is marked rolled as it is read, so a concurrent catch-up never counts it twice);
    how many of each."""
    done = {"findings": 0, "probes": 0}
    for table, columns, fold in ((FINDINGS, _FINDING_COLUMNS, add_findings), (PROBES, _PROBE_COLUMNS, add_probes)):
        while True:
            chunk = (select(table.c.id).where(_unrolled(conn, table)).order_by(table.c.id)
                     .limit(CATCH_UP_CHUNK).scalar_subquery())
            # The flag again outside the subquery: PostgreSQL re-checks only the outer WHERE
            # of a row another catch-up held, which would otherwise be folded twice.
            rows = conn.execute(update(table).where(table.c.id.in_(chunk), _unrolled(conn, table)).values(rolled=True)
                                .returning(*(table.c[c] for c in columns))).all()
            if not rows:
                break
            fold(conn, [tuple(r) for r in rows])
            done[table.name] += len(rows)
    return done


_FINDING_COLUMNS: Sequence[str] = ("id", "channel_id", "check_id", "variant", "status", "observed_at")
_PROBE_COLUMNS: Sequence[str] = ("channel_id", "at", "ok")
