"""Findings and probes partitioned by month on PostgreSQL (issue 20, migration 0028,
mgov.db.partitions): an upgrade over rows of several months puts each row in its month's
partition and loses none; a writer makes a new month's partition (and the next month's) as it
first writes it, moving what the default partition held of it; two processes making the same
one make it once; a read of a period is pruned to its months; the downgrade gives the plain
table back with every row. On SQLite the tables stay plain and ensure does nothing."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, func, insert, select, text

from mgov.db import partitions
from mgov.db.engine import _alembic_config, make_engine, upgrade
from mgov.db.tables import CHANNELS, FINDINGS, ORGS, PROBES, SCAN_RUNS
from pg_schema import own_schema

pytestmark = pytest.mark.database
UTC = dt.UTC


@pytest.fixture
def postgres() -> Iterator[Engine]:
    """A schema of its own, migrated to just before the partitions."""
    yield from own_schema("mgov_parts", "0027")


def _fill(engine: Engine, times: list[dt.datetime]) -> None:
    with engine.begin() as conn:
        org = conn.execute(insert(ORGS).values(code="cn-x", name_zh="某局", name_en="X", tier="city",
                                               jurisdiction="cn").returning(ORGS.c.id)).scalar_one()
        channel = conn.execute(insert(CHANNELS).values(kind="website", address="https://x.gov.cn/", owner_id=org)
                               .returning(CHANNELS.c.id)).scalar_one()
        run = conn.execute(insert(SCAN_RUNS).values(started_at=times[0], status="finished", params={})
                           .returning(SCAN_RUNS.c.id)).scalar_one()
        conn.execute(insert(FINDINGS), [_finding(run, channel, at) for at in times])
        conn.execute(insert(PROBES), [{"channel_id": channel, "at": at, "ok": True, "evidence": []} for at in times])


def _finding(run: int, channel: int, at: dt.datetime) -> dict[str, Any]:
    return {"run_id": run, "channel_id": channel, "check_id": "availability", "status": "pass", "evidence": [],
            "observed_at": at}


def _placed(engine: Engine, table: str) -> dict[str, int]:
    """Rows per partition (tableoid)."""
    with engine.connect() as conn:
        query = f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1"  # noqa: S608 - a fixed name
        return dict(conn.execute(text(query)).all())


def test_upgrade_splits_the_rows_by_month_and_loses_none(postgres: Engine) -> None:
    times = [dt.datetime(2026, 6, 30, 23, 59, tzinfo=UTC), dt.datetime(2026, 7, 1, tzinfo=UTC),
             dt.datetime(2026, 7, 15, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
             dt.datetime(2026, 9, 30, 20, tzinfo=UTC)]
    _fill(postgres, times)
    upgrade(postgres)
    assert _placed(postgres, "findings") == {"findings_2026_06": 1, "findings_2026_07": 2, "findings_2026_09": 1}
    assert _placed(postgres, "probes") == {"probes_2026_06": 1, "probes_2026_07": 2, "probes_2026_09": 1}
    with postgres.begin() as conn:
        assert partitions.months(conn, "findings") == ["2026_06", "2026_07", "2026_09"]
        # ids go on from the table's own sequence
        run = conn.execute(select(SCAN_RUNS.c.id)).scalar_one()
        channel = conn.execute(select(CHANNELS.c.id)).scalar_one()
        new = conn.execute(insert(FINDINGS).values(_finding(run, channel, times[0])).returning(FINDINGS.c.id))
        assert new.scalar_one() == 5
        # a read of one month touches that month's partition only
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT * FROM findings WHERE observed_at >= '2026-07-01' AND observed_at < '2026-08-01'"))
            .scalars())
    assert "findings_2026_07" in plan and "findings_2026_06" not in plan and "findings_default" not in plan
    # the foreign keys hold: a channel's removal takes its findings and probes with it
    with postgres.begin() as conn:
        conn.execute(CHANNELS.delete())
        assert conn.execute(select(func.count()).select_from(FINDINGS)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(PROBES)).scalar() == 0


def test_a_writer_makes_its_month_and_the_next_moving_the_defaults_rows(postgres: Engine) -> None:
    upgrade(postgres)
    december = dt.datetime(2026, 12, 7, 3, tzinfo=UTC)
    _fill(postgres, [december])  # no partition of December yet: the default partition takes it
    assert _placed(postgres, "findings") == {"findings_default": 1}
    with postgres.connect() as conn:
        partitions.ensure(conn, "findings", [december])
        assert partitions.months(conn, "findings") == ["2026_12", "2027_01"]
    assert _placed(postgres, "findings") == {"findings_2026_12": 1}
    # Two processes making the same month at once make it once (the advisory lock).
    march = dt.date(2027, 3, 1)
    made: list[bool] = []
    threads = [threading.Thread(target=lambda: made.append(partitions.make(postgres, "probes", march)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(made) == [False, False, False, True]


def test_a_partition_not_made_in_time_leaves_the_rows_to_the_default(postgres: Engine) -> None:
    """A reader of the whole table holds the default partition: making a partition gives up
    after its lock timeout instead of waiting (or deadlocking with the writer), and the row
    still lands, in the default partition; it is moved once the partition is made."""
    upgrade(postgres)
    when = dt.datetime(2027, 5, 2, tzinfo=UTC)
    with postgres.connect() as reader:
        reader.execute(select(func.count()).select_from(FINDINGS))  # its transaction stays open
        with postgres.connect() as writer:
            partitions.ensure(writer, "findings", [when])
        assert "2027_05" not in partitions.months(reader, "findings")
    _fill(postgres, [when])
    assert _placed(postgres, "findings") == {"findings_default": 1}
    assert partitions.make(postgres, "findings", partitions.month_of(when))
    assert _placed(postgres, "findings") == {"findings_2027_05": 1}


def test_downgrade_gives_the_plain_table_back(postgres: Engine) -> None:
    times = [dt.datetime(2026, 8, 1, tzinfo=UTC), dt.datetime(2026, 10, 3, tzinfo=UTC)]
    _fill(postgres, times)
    upgrade(postgres)
    command.downgrade(_alembic_config(postgres), "0027")
    with postgres.connect() as conn:
        kinds = dict(conn.execute(text("SELECT relname, relkind FROM pg_class WHERE relname IN ('findings', "
                                       "'probes', 'findings_2026_08') "
                                       "AND relnamespace = current_schema()::regnamespace")).all())
        assert conn.execute(select(func.count()).select_from(FINDINGS)).scalar() == 2
    assert kinds == {"findings": "r", "probes": "r"}
    upgrade(postgres)
    assert _placed(postgres, "findings") == {"findings_2026_08": 1, "findings_2026_10": 1}


def test_on_sqlite_ensure_does_nothing(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    upgrade(engine)
    with engine.connect() as conn:
        partitions.ensure(conn, "findings", [dt.datetime(2026, 1, 1, tzinfo=UTC)])
        assert partitions.months(conn, "findings") == []
        tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    assert "findings" in tables and not any(partitions.is_partition(t) for t in tables)
    engine.dispose()
