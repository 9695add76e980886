"""The assessment's rollups (db.rollups) against a raw read of the findings and probes.

A generated quarter of six websites: the first half written straight into the tables (as
data from before the rollups: the assessment folds it in first), the second half by the
scan's own write path (runs.store.save_channels, rollup in the same transaction), with the
edge cases: a day with two runs, a re-checked verdict, a later finding stored with a smaller
id, raw rows written around the rollups, a channel added mid-quarter, latest findings that
are errors or not applicable, a finding overturned on dispute. Indicators of every mode:
the profile below makes d_ipv6 any_fail, d_search fail_days_ratio and d_icp worst.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert, select

from mgov import clock
from mgov.assess import chunks, service, store
from mgov.assess.channels import channels_of
from mgov.assess.inputs import DailyFinding, Observation, ProbeWeek
from mgov.assess.overturned import overturned_in_period, with_overturned
from mgov.assess.score import assess
from mgov.checks.base import Finding, Status
from mgov.db import rollups
from mgov.db.tables import (
    ASSESSMENT_RESULTS,
    CHANNELS,
    DISPUTES,
    FINDING_DAYS,
    FINDINGS,
    PROBE_DAYS,
    PROBES,
    SCAN_RUNS,
)
from mgov.evidence.exchange import WarcRef
from mgov.formats.load import import_file
from mgov.profiles import load, resolve
from mgov.runs import store as run_store

PERIOD, START, END = "2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)
DAYS = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
SPLIT = 46  # days before it are written raw, the rest by save_channels
LATE = 5  # the channel added mid-quarter (index)
CHECKS = ["content.expressions", "ipv6", "search", "cn.icp", "links.dead"]
SITES = [f"https://www.s{i}.rollup.gov.cn" for i in range(6)]

PROFILE = '''
id = "cn-rollup"
extends = "cn-2019-website"
title_zh = "汇总测试"

[[indicator]]
id = "d_ipv6"
aggregate = { mode = "any_fail" }

[[indicator]]
id = "d_search"
aggregate = { mode = "fail_days_ratio", fail_ratio_gte = 0.2, window_days = 30 }

[[indicator]]
id = "d_icp"
aggregate = { mode = "worst" }
'''


def _status(rng: random.Random) -> str:
    r = rng.random()
    return ("pass" if r < 0.78 else "fail" if r < 0.9 else "warn" if r < 0.95 else "error" if r < 0.99
            else "not_applicable")


def _value(check: str, status: str, rng: random.Random) -> Any:
    if check == "links.dead":
        home, other = (rng.randint(0, 2), rng.randint(1, 9)) if status == "fail" else (0, 0)
        return {"dead": home + other, "dead_home": home, "dead_other": other}
    return {"found": status != "fail"}


def _plan(seed: int = 20) -> dict[tuple[int, str, int], list[tuple[str, dt.time]]]:
    """(channel index, check, day index) -> the findings of that day, (status, time) in order."""
    rng = random.Random(seed)
    plan: dict[tuple[int, str, int], list[tuple[str, dt.time]]] = {}
    for ch in range(6):
        for ci, check in enumerate(CHECKS):
            for d in range(SPLIT if ch == LATE else 0, len(DAYS)):
                plan[(ch, check, d)] = [(_status(rng), dt.time(10, ci))]
    for d in range(len(DAYS) - 4, len(DAYS)):  # channel 2's latest expressions findings are errors
        plan[(2, "content.expressions", d)] = [("error", dt.time(10, 0))]
    for d in range(len(DAYS)):  # channel 3 never had a usable dead-link finding
        plan[(3, "links.dead", d)] = [("error", dt.time(10, 4))]
    plan[(4, "content.expressions", len(DAYS) - 1)] = [("not_applicable", dt.time(10, 0))]
    # A day with two runs, the second re-checking: the evening's verdict is the day's.
    plan[(0, "ipv6", 50)] = [("fail", dt.time(10, 1)), ("pass", dt.time(20, 0))]
    plan[(1, "search", 50)] = [("pass", dt.time(10, 2)), ("fail", dt.time(20, 0))]
    plan[(2, "cn.icp", 50)] = [("fail", dt.time(10, 3)), ("error", dt.time(20, 0))]
    # Raw days with two findings: the one observed later was stored first (smaller id).
    plan[(1, "ipv6", 20)] = [("fail", dt.time(23, 30)), ("pass", dt.time(3, 0))]
    plan[(0, "search", 21)] = [("pass", dt.time(12, 0)), ("fail", dt.time(11, 0))]
    return plan


def _refs(ch: int, d: int, k: int) -> list[dict[str, Any]]:
    return [{"file": f"mgov-{ch}-{d}.warc.gz", "offset": 100 * k, "length": 50 + k}]


def _write(engine: Any, ids: list[int]) -> None:
    rng = random.Random(7)
    plan = _plan()
    by_day: dict[int, list[tuple[int, str, str, dt.time]]] = defaultdict(list)
    for (ch, check, d), found in plan.items():
        for status, at in found:
            by_day[d].append((ch, check, status, at))
    for d, day in enumerate(DAYS):
        entries = by_day[d]
        if d < SPLIT:  # as data from before the rollups: straight into the table, in plan order
            with engine.begin() as conn:
                run = conn.execute(insert(SCAN_RUNS).values(status="finished", params={})
                                   .returning(SCAN_RUNS.c.id)).scalar_one()
                conn.execute(insert(FINDINGS), [
                    {"run_id": run, "channel_id": ids[ch], "check_id": check, "status": status,
                     "value": _value(check, status, rng), "evidence": _refs(ch, d, k),
                     "observed_at": dt.datetime.combine(day, at, dt.UTC)}
                    for k, (ch, check, status, at) in enumerate(entries)])
            continue
        for at in sorted({at for *_, at in entries}):  # one run per time of day, by the scan's write path
            done: dict[int, list[Finding]] = defaultdict(list)
            for k, (ch, check, status, when) in enumerate(entries):
                if when == at:
                    done[ids[ch]].append(Finding(check, Status(status), _value(check, status, rng),
                                                 evidence=[WarcRef(**r) for r in _refs(ch, d, k)]))
            with clock.fixed(dt.datetime.combine(day, at, dt.UTC)), engine.begin() as conn:
                run = conn.execute(insert(SCAN_RUNS).values(status="finished", params={})
                                   .returning(SCAN_RUNS.c.id)).scalar_one()
                run_store.save_channels(conn, run, sorted(done.items()))
    with engine.begin() as conn:  # raw rows written around the rollups, after the scan's
        day = DAYS[70]
        for ch, status, at in ((0, "fail", dt.time(23, 0)), (1, "fail", dt.time(0, 5))):
            conn.execute(insert(FINDINGS).values(
                run_id=1, channel_id=ids[ch], check_id="ipv6", status=status, value={"found": False},
                evidence=_refs(ch, 70, 99), observed_at=dt.datetime.combine(day, at, dt.UTC)))


def _write_probes(engine: Any, ids: list[int]) -> None:
    """Two weeks of 24 probes a day for channels 0-3, raw; channel 1 loses a morning; one
    probe at 23:30 and one at 00:30 the day after."""
    monday = dt.date(2026, 9, 7)
    rows = []
    for ch in range(4):
        for d in range(14):
            for h in range(24):
                rows.append({"channel_id": ids[ch], "at": dt.datetime.combine(monday + dt.timedelta(days=d),
                                                                              dt.time(h, 7), dt.UTC),
                             "ok": not (ch == 1 and d == 3 and 8 <= h < 12), "evidence": []})
    rows.append({"channel_id": ids[0], "at": dt.datetime.combine(monday, dt.time(23, 30), dt.UTC), "ok": False,
                 "evidence": []})
    rows.append({"channel_id": ids[0], "at": dt.datetime.combine(monday + dt.timedelta(days=14), dt.time(0, 30),
                                                                 dt.UTC), "ok": False, "evidence": []})
    with engine.begin() as conn:
        conn.execute(insert(PROBES), rows[: len(rows) // 2])
        rollups.catch_up(conn)  # half counted, then the rest arrives
        conn.execute(insert(PROBES), rows[len(rows) // 2:])


def _utc_date(at: dt.datetime) -> dt.date:
    return (at if at.tzinfo is None else at.astimezone(dt.UTC)).date()


def _raw_days(conn: Any) -> dict[tuple[int, str, str, dt.date], tuple[str, int]]:
    """The day's last finding of every channel, check, variant and day, read from the findings."""
    last: dict[tuple[int, str, str, dt.date], tuple[Any, int, str]] = {}
    for r in conn.execute(select(FINDINGS.c.id, FINDINGS.c.channel_id, FINDINGS.c.check_id, FINDINGS.c.variant,
                                 FINDINGS.c.status, FINDINGS.c.observed_at)):
        key = (r.channel_id, r.check_id, r.variant or "", _utc_date(r.observed_at))
        if key not in last or (r.observed_at, r.id) > last[key][:2]:
            last[key] = (r.observed_at, r.id, r.status)
    return {k: (status, fid) for k, (_, fid, status) in last.items()}


def _raw_observations(conn: Any, profile: Any, channels: list[Any]) -> list[Observation]:
    """Every day of every indicator, value and evidence included, and the probes by week: the
    assessment's inputs read the slow way, from the raw rows."""
    days = _raw_days(conn)
    data = {r.id: (r.value, r.evidence) for r in conn.execute(select(FINDINGS.c.id, FINDINGS.c.value,
                                                                      FINDINGS.c.evidence))}
    weeks: dict[int, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in conn.execute(select(PROBES.c.channel_id, PROBES.c.at, PROBES.c.ok)):
        on = _utc_date(r.at)
        if START <= on <= END:
            w = weeks[r.channel_id][on - dt.timedelta(days=on.weekday())]
            w[0] += 1
            w[1] += not r.ok
    out = []
    for c in channels:
        cid = int(c.channel_id)
        for ind in resolve(profile, c.kind, c.tier):
            if ind.source == "check" and ind.check:
                found = [DailyFinding(day, status, *data[fid]) for (ch, check, variant, day), (status, fid)
                         in sorted(days.items()) if ch == cid and check == ind.check
                         and variant == (ind.variant or "") and START <= day <= END]
                if found:
                    out.append(Observation(c.channel_id, ind.id, findings=found))
            elif ind.source == "probe" and weeks.get(cid):
                out.append(Observation(c.channel_id, ind.id, probes=[ProbeWeek(w, n, f) for w, (n, f)
                                                                     in sorted(weeks[cid].items())]))
    return out


def _stored(conn: Any, assessment_id: int) -> list[Any]:
    rows = conn.execute(select(ASSESSMENT_RESULTS.c.result).where(ASSESSMENT_RESULTS.c.assessment_id == assessment_id)
                        ).scalars()
    return sorted((store.result_from_dict(r) for r in rows), key=lambda r: int(r.channel_id))


def _quarter(engine: Any, tmp_path: Any) -> tuple[list[int], Any]:
    """The six websites registered, their quarter written; (their ids, the profiles' directory)."""
    registry = {"format": "mgov-registry/1",
                "organizations": [{"code": "cn-990001", "name_zh": "汇总县人民政府", "jurisdiction": "cn",
                                   "tier": "county"}],
                "channels": [{"kind": "website", "address": a, "owner": "cn-990001"} for a in SITES]}
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "cn-rollup.toml").write_text(PROFILE, encoding="utf-8")
    with engine.connect() as conn:
        by_address = {r.address.rstrip("/"): r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
    ids = [by_address[a] for a in SITES]
    _write(engine, ids)
    _write_probes(engine, ids)
    return ids, profiles


def test_rollups_give_what_a_raw_read_gives(engine, tmp_path):
    ids, profiles = _quarter(engine, tmp_path)
    profile = load("cn-rollup", dirs=[profiles])
    with engine.connect() as conn:
        assert rollups.pending(conn)  # the raw rows are not in the rollups yet

    first = service.run_assessment(engine, "cn-rollup", PERIOD, profile_dirs=[profiles], detail=False)
    with engine.connect() as conn:
        assert not rollups.pending(conn)
        # The rollup is the raw read's day's last finding, row for row.
        rolled = {(r.channel_id, r.check_id, r.variant, r.day): (r.status, r.finding_id)
                  for r in conn.execute(select(FINDING_DAYS))}
        assert rolled == _raw_days(conn)
        channels = channels_of(conn, profile)
        expected = assess(profile, channels, _raw_observations(conn, profile, channels))
        assert _stored(conn, first["assessment"]) == sorted(expected, key=lambda r: int(r.channel_id))
        probe_days = {(r.channel_id, r.day): (r.probes, r.failed) for r in conn.execute(select(PROBE_DAYS))}
    assert probe_days[(ids[0], dt.date(2026, 9, 7))] == (25, 1)  # 23:30 is still Monday
    assert probe_days[(ids[1], dt.date(2026, 9, 10))] == (24, 4)
    assert _recomputed(engine, first["assessment"], profiles) == _stored_in(engine, first["assessment"])

    # The edge cases show in the results: each kind of indicator saw what it should.
    line = {(int(r.channel_id), i.id): i for r in expected for i in r.indicators}
    assert line[(ids[2], "v1_expressions")].detail.startswith("latest finding")  # the errors were skipped
    assert line[(ids[3], "d_homepage_links")].status == "not_assessed"
    assert "92 error finding(s)" in line[(ids[3], "d_homepage_links")].detail
    assert line[(ids[4], "v1_expressions")].status == "not_applicable"
    assert min(day for (cid, _, _, day) in rolled if cid == ids[LATE]) == DAYS[SPLIT]  # added mid-quarter
    assert line[(ids[0], "d_ipv6")].status == "failed"  # the raw 23:00 fail on day 70 counts

    # A finding overturned on dispute: the next version treats it as met, like a raw read would.
    with engine.begin() as conn:
        conn.execute(insert(DISPUTES).values(assessment_id=first["assessment"], channel_id=ids[1],
                                             indicator_id="d_ipv6", reason="误报", status="overturned"))
    second = service.run_assessment(engine, "cn-rollup", PERIOD, profile_dirs=[profiles], detail=False)
    with engine.connect() as conn:
        decided = overturned_in_period(conn, "cn-rollup", START, END)
        expected = assess(profile, channels, with_overturned(_raw_observations(conn, profile, channels), decided))
        assert _stored(conn, second["assessment"]) == sorted(expected, key=lambda r: int(r.channel_id))
    again = {(int(r.channel_id), i.id): i for r in expected for i in r.indicators}
    assert again[(ids[1], "d_ipv6")].status == "met" and "overturned" in again[(ids[1], "d_ipv6")].detail
    assert _recomputed(engine, second["assessment"], profiles) == _stored_in(engine, second["assessment"])


def test_chunks_scored_by_worker_processes_store_what_one_process_stores(engine, tmp_path, monkeypatch):
    """assess.chunks: two spawned workers score chunks of two channels, the caller stores
    them; every stored row (results, snapshots, ranks) is the in-process run's."""
    _, profiles = _quarter(engine, tmp_path)
    monkeypatch.setattr(chunks, "CHUNK", 2)
    assert chunks.workers_for(engine, 3, 2) == 2  # three chunks, two processes: not the in-process fallback
    # A previous period (nothing observed then): each result carries its change from it.
    service.run_assessment(engine, "cn-rollup", "2026Q2", profile_dirs=[profiles], detail=False, workers=0)
    in_process = service.run_assessment(engine, "cn-rollup", PERIOD, profile_dirs=[profiles], detail=False,
                                        workers=0)["assessment"]
    by_workers = service.run_assessment(engine, "cn-rollup", PERIOD, profile_dirs=[profiles], detail=False,
                                        workers=2)
    assert _rows(engine, by_workers["assessment"]) == _rows(engine, in_process)
    assert len(_rows(engine, in_process)) == len(SITES)
    assert all(json.loads(r["result"])["change"] if isinstance(r["result"], str) else r["result"]["change"]
               for r in _rows(engine, in_process))
    assert _recomputed(engine, by_workers["assessment"], profiles) == _stored_in(engine, by_workers["assessment"])


def _rows(engine: Any, assessment_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [{k: v for k, v in r._mapping.items() if k not in ("id", "assessment_id")}
                for r in conn.execute(select(ASSESSMENT_RESULTS).where(ASSESSMENT_RESULTS.c.assessment_id
                                                                       == assessment_id)
                                      .order_by(ASSESSMENT_RESULTS.c.channel_id))]


def _stored_in(engine: Any, assessment_id: int) -> list[Any]:
    with engine.connect() as conn:
        return _stored(conn, assessment_id)


def _recomputed(engine: Any, assessment_id: int, profiles: Any) -> list[Any]:
    """`mgov assessment recompute`'s results: from the stored snapshots only."""
    return sorted(service.recompute(engine, assessment_id, [profiles]), key=lambda r: int(r.channel_id))


def test_how_many_worker_processes(tmp_path):
    """In-process for a small assessment or when asked (0, 1); never more than the chunks;
    never for an in-memory database, a SQLite file not in WAL mode, or in a daemonic process."""
    from sqlalchemy import create_engine

    from mgov.db.engine import make_engine

    memory, on_disk = make_engine("sqlite://"), make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert chunks.workers_for(memory, 100, 4) == 0
    assert chunks.workers_for(on_disk, 100, 1) == 0 and chunks.workers_for(on_disk, 100, 0) == 0
    assert chunks.workers_for(on_disk, 100, 3) == 3 and chunks.workers_for(on_disk, 2, 3) == 2
    assert chunks.workers_for(on_disk, chunks.MIN_CHUNKS - 1, None) == 0
    cores = len(os.sched_getaffinity(0))
    assert chunks.workers_for(on_disk, 100, None) == (min(chunks.MAX_WORKERS, cores) if cores > 1 else 0)
    rollback_journal = create_engine(f"sqlite:///{tmp_path / 'y.db'}")  # not mgov's engine: no WAL
    assert chunks.workers_for(rollback_journal, 100, 3) == 0
    daemon_says = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=_ask_in_daemon, args=(str(tmp_path / "x.db"),
                                                                                     daemon_says), daemon=True)
    child.start()
    assert daemon_says.get(timeout=60) == 0  # a Celery prefork child is daemonic: it may start no process
    child.join(10)


def _ask_in_daemon(path: str, answer: Any) -> None:
    from mgov.db.engine import make_engine

    answer.put(chunks.workers_for(make_engine(f"sqlite:///{path}"), 100, 3))


PARENT = '''
import multiprocessing, sys, time
from concurrent.futures import ProcessPoolExecutor
from mgov.assess import chunks

if __name__ == "__main__":
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=chunks._start,
                               initargs=(sys.argv[1], None))
    print(*pool.map(__import__("os").getpid, [()] * 0), flush=True)
    futures = [pool.submit(time.sleep, 0.2) for _ in range(4)]
    [f.result() for f in futures]
    print(*[p.pid for p in pool._processes.values()], flush=True)
    time.sleep(600)
'''


def test_assessment_workers_exit_when_their_parent_is_killed_outright(tmp_path):
    """kill -9 of the process holding the assessment (out of memory, an operator): its
    spawned workers, idle on the pool's queue, exit instead of holding their connections."""
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), f"sqlite:///{tmp_path / 'w.db'}"],
                              stdout=subprocess.PIPE, text=True)
    try:
        parent.stdout.readline()
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
    finally:
        parent.kill()
        parent.wait(10)
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids), "a worker outlived its parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
