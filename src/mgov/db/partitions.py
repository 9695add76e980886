"""Findings and probes partitioned by month on PostgreSQL (issue 20; migration 0028).

At national scale these two tables take most rows (a quarter of 20,000 channels: 38 M
findings, 43 M probes). Partitioned by the month of their time (a finding's observed_at, a
probe's at, in UTC), a period's rows sit together: a read of a period touches its months
only, an old month is dropped or archived whole, and vacuum and index builds work a month at
a time. A default partition takes any row whose month has none yet (a bulk load, a clock far
off), so an insert never fails for want of one.

The writers (runs.store, scan.probes) call `ensure` before they insert: a month's partition
is made the first time a row of it is written (once a process, then remembered), in a short
transaction of its own, by ATTACH PARTITION, which does not wait for the table's writers
(CREATE TABLE ... PARTITION OF would wait for every reader too), under an advisory lock so
that two workers do not make it twice; the next month's is made with it, ahead of time. Rows
of that month already in the default partition move into it first. ATTACH still waits for
readers of the whole table (it locks the default partition): past LOCK_TIMEOUT it gives up,
the rows go to the default partition meanwhile, and it is tried again RETRY later. SQLite
has no partitions: there `ensure` does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)
LOCK_TIMEOUT = "2s"  # how long making a partition waits for the table's readers
RETRY = 300.0  # seconds before a partition that could not be made is tried again

PARTITIONED = {"findings": "observed_at", "probes": "at"}  # table -> the time column it is split by
_NAME = re.compile(r"^(findings|probes)_(default|\d{4}_\d{2})$")
_KNOWN: set[tuple[str, str, dt.date]] = set()  # (database, table, month) made or seen by this process
_FAILED: dict[tuple[str, str, dt.date], float] = {}  # not made: when to try again (monotonic)
_LOCK = threading.Lock()


def is_partition(name: str | None) -> bool:
    """A partition's table (made outside the models: migration 0028 and `ensure`)."""
    return bool(name and _NAME.match(name))


def month_of(when: dt.datetime) -> dt.date:
    """The first day of when's month, in UTC."""
    utc = when.astimezone(dt.UTC) if when.tzinfo is not None else when
    return dt.date(utc.year, utc.month, 1)


def _next(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_{month:%Y_%m}"


def ensure(conn: Connection, table: str, times: Iterable[dt.datetime]) -> None:
    """The monthly partitions of table for each of times, and for the month after the latest,
    exist (PostgreSQL). Made in a connection of their own: call it before the rows' transaction
    writes them (the writer's own transaction is never waited for)."""
    if conn.dialect.name != "postgresql":
        return
    engine = conn.engine
    key = engine.url.render_as_string(hide_password=True)
    wanted = {month_of(t) for t in times}
    if wanted:
        wanted.add(_next(max(wanted)))
    now = time.monotonic()
    with _LOCK:
        missing = sorted(m for m in wanted if (key, table, m) not in _KNOWN and _FAILED.get((key, table, m), 0) <= now)
    for month in missing:
        try:
            make(engine, table, month)
        except OperationalError as exc:  # the lock not had in time: the default partition takes the rows
            log.warning("partition %s not made (tried again in %g s): %s", partition_name(table, month), RETRY,
                        exc.orig or exc)
            with _LOCK:
                _FAILED[(key, table, month)] = now + RETRY
            continue
        with _LOCK:
            _KNOWN.add((key, table, month))


def make(engine: Engine, table: str, month: dt.date) -> bool:
    """Make table's partition of month unless it exists; True when it was made."""
    column = PARTITIONED[table]  # KeyError for any other table: the names below are fixed ones
    name = partition_name(table, month)
    lo, hi = f"{month:%Y-%m-%d} 00:00:00+00", f"{_next(month):%Y-%m-%d} 00:00:00+00"
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.' || :name))"),
                     {"name": name})
        if conn.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}).scalar():
            return False
        conn.execute(text(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS)'))
        within = f"{column} >= :lo AND {column} < :hi"
        conn.execute(text(f'WITH moved AS (DELETE FROM "{table}_default" WHERE {within} RETURNING *) '  # noqa: S608 - PARTITIONED's names
                          f'INSERT INTO "{name}" SELECT * FROM moved'), {"lo": lo, "hi": hi})
        conn.execute(text(f"ALTER TABLE \"{table}\" ATTACH PARTITION \"{name}\" "
                          f"FOR VALUES FROM ('{lo}') TO ('{hi}')"))
    return True


def months(conn: Connection, table: str) -> list[str]:
    """The monthly partitions table has (YYYY_MM), oldest first; [] on SQLite."""
    if conn.dialect.name != "postgresql":
        return []
    names = conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:table)"), {"table": table}).scalars()
    return sorted(n.removeprefix(f"{table}_") for n in names if n != f"{table}_default")
