"""Benchmark: `mgov assess` of 20,000 channels over a quarter of daily findings (issue 5).

Goal: assess 20,000 channels over 90 days of daily findings in under 60 s with a peak RSS
under 2 GiB, on SQLite and on PostgreSQL.

What runs:
  1. setup, not timed: a fresh SQLite file in a temporary directory (and a fresh schema
     mgov_bench_<random> in the PostgreSQL database), migrated with mgov's upgrade; then the
     assessment's inputs written straight into the tables with bulk inserts (SQLite: driver
     executemany of tuples; PostgreSQL: COPY in text format, foreign-key triggers off), with the
     secondary indexes of findings and probes dropped during the load and built after it:
     organizations across the cn tiers, the website channels they own, one scan run a day, and
     for every channel and day one finding per check that cn-2019-website binds, plus 24
     availability probes a day (the profile's V2 indicator has source = "probe" and needs >= 20
     a day). With each finding and probe goes its rollup row (finding_days, probe_days, issue
     20), as mgov's write path keeps them in the same transaction, and the rows are marked
     rolled. Channel by channel, so that the rollups arrive in their keys' order. This
     benchmarks the assessment, not the scanner: the rows are shaped like the scanner's
     (statuses, values such as links.dead's {"dead", "dead_home", "dead_other"}, WARC evidence
     refs), not produced by it;
  2. timed: `python -m mgov assess --profile cn-2019-website --period 2026Q3 --json` as a
     subprocess against that database: wall time (interpreter start-up included), CPU
     (os.wait4) and peak RSS (sampled over the process tree, and each process's VmHWM).

The full inputs are 20,000 x 90 x 21 = 37.8 M findings and 43.2 M probes. When --days,
--checks or --probe-channels scale them down, the output says exactly what was generated
and projects the figures to the full quarter (linear in the number of findings and probes:
an upper bound now that the assessment reads rollups). --keep keeps the database; --reuse-sqlite
FILE and --reuse-schema NAME assess a kept one again without generating it.

    .venv/bin/python bench/assess.py [--channels 20000] [--days 90] [--checks 19]
        [--probe-channels N] [--postgres URL | --no-postgres] [--no-sqlite] [--quick]
        [--profile-out FILE] [--keep] [--reuse-sqlite FILE] [--reuse-schema NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from _procs import run_measured  # bench/_procs.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GOAL_S = 60.0
GOAL_RSS = 2 << 30
PROFILE = "cn-2019-website"
PERIOD = "2026Q3"
START = dt.date(2026, 7, 1)
FULL = (20_000, 90)  # channels, days
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PROBES_PER_DAY = 24

# Per check: the share of channels with a standing problem, and the daily share of warns.
TRAITS = {
    "content.expressions": (0.003, 0.01), "content.bad_links": (0.001, 0.0), "content.tampering": (0.001, 0.0),
    "content.backdated": (0.002, 0.005), "content.homepage_fresh": (0.02, 0.05),
    "content.columns_stale": (0.15, 0.05), "content.columns_blank": (0.08, 0.0),
    "interaction.channel": (0.01, 0.0), "interaction.unanswered": (0.05, 0.02), "links.dead": (0.35, 0.0),
    "search": (0.05, 0.0), "ipv6": (0.3, 0.0), "cn.jiucuo": (0.06, 0.0), "cn.site_code": (0.04, 0.0),
    "cn.conac_badge": (0.03, 0.0), "cn.icp": (0.02, 0.0), "cn.psb": (0.05, 0.0), "domain.naming": (0.02, 0.0),
    "mobile.viewport": (0.1, 0.0),
}


def bound_checks() -> list[str]:
    """The check ids cn-2019-website's indicators bind (any tier, website kind)."""
    # Deferred: mgov loads from this checkout's src (on sys.path above), and only for the steps that use it.
    from mgov.profiles import load

    profile = load(PROFILE, dirs=[])
    return sorted({i.check for i in profile.indicators if i.source == "check" and i.check})


# --- values and evidence, as a pool of JSON texts (json.dumps per row would dominate setup) ---

def _evidence(rng: random.Random, n: int) -> str:
    return json.dumps([{"file": f"mgov-2026{rng.randint(7, 9):02d}{rng.randint(1, 28):02d}"
                                f"-{rng.randint(0, 99999):05d}.warc.gz",
                        "offset": rng.randint(0, 900_000_000), "length": rng.randint(600, 90_000)}
                       for _ in range(n)])


def _column(rng: random.Random, cls: str, name: str, days: int) -> dict:
    return {"url": f"https://example.gov.cn/col/{rng.randint(1, 999)}/", "name": name, "class": cls,
            "last_update": (START - dt.timedelta(days=days)).isoformat(), "days_since": days,
            "items": rng.randint(0, 40), "placeholder": None}


def value_pool(rng: random.Random, check: str, status: str, k: int = 64) -> list[tuple[str, str, str | None]]:
    """k (value, evidence, message) JSON texts for findings of check with status."""
    out = []
    for _ in range(k):
        msg = None
        if check == "links.dead":
            home = rng.choice((0, 0, 0, 1, 2)) if status == "fail" else 0
            other = rng.randint(1, 40) if status == "fail" else 0
            links = [{"url": f"https://example.gov.cn/a/{rng.randint(1, 99999)}.html", "outcome": "http_error",
                      "status": 404, "detail": None, "on_homepage": i < home, "pages": rng.randint(1, 5),
                      "sources": [{"url": "https://example.gov.cn/", "anchor": "通知公告", "homepage": i < home}]}
                     for i in range(min(home + other, 10))]
            value = {"pages": rng.randint(200, 2000), "targets": rng.randint(500, 5000), "dead": home + other,
                     "dead_home": home, "dead_other": other, "links": links, "complete": True}
            msg = f"{home + other} dead link target(s), {home} of them on the homepage" if status == "fail" else None
        elif check == "content.columns_stale":
            stale = ([_column(rng, c, n, rng.randint(30, 400)) for c, n in
                      rng.sample([("policies", "政策文件"), ("notices", "通知公告"), ("news", "工作动态"),
                                  ("plans", "规划计划"), ("personnel", "人事信息")], rng.randint(1, 3))]
                     if status == "fail" else [])
            value = {"columns": rng.randint(10, 60), "stale": stale, "stale_long": []}
        elif check == "content.columns_blank":
            value = {"columns": rng.randint(10, 60),
                     "blank": [_column(rng, "other", "专题专栏", 999) for _ in range(rng.randint(1, 6))]
                     if status == "fail" else []}
        elif check == "content.homepage_fresh":
            value = {"newest": (START - dt.timedelta(days=rng.randint(0, 30))).isoformat(),
                     "days_since": rng.randint(0, 30), "items": rng.randint(5, 80)}
        elif check == "interaction.unanswered":
            value = {"messages": rng.randint(0, 300), "unanswered": rng.randint(1, 5) if status == "fail" else 0}
        elif check == "ipv6":
            value = {"aaaa": [] if status == "fail" else ["240e:e9:6002::1"], "reachable": status != "fail"}
        else:
            value = {"found": status != "fail"}
        ev = _evidence(rng, 2 if status == "fail" else 1)
        out.append((json.dumps(value, ensure_ascii=False), ev,
                    msg or (f"{check}: {status}" if status != "pass" else None)))
    return out


# --- generation --------------------------------------------------------------------------------

class Plan:
    def __init__(self, args: argparse.Namespace, checks: list[str]) -> None:
        self.channels, self.days = args.channels, args.days
        self.checks = checks[:args.checks] if args.checks else checks
        self.probe_channels = min(args.probe_channels if args.probe_channels is not None else args.channels,
                                  args.channels)
        self.seed = args.seed

    @property
    def findings(self) -> int:
        return self.channels * self.days * len(self.checks)

    @property
    def probes(self) -> int:
        return self.probe_channels * self.days * PROBES_PER_DAY

    def describe(self) -> str:
        return (f"{self.channels:,} channels x {self.days} days x {len(self.checks)} checks = {self.findings:,} "
                f"findings; {self.probe_channels:,} channels x {self.days} days x {PROBES_PER_DAY} = "
                f"{self.probes:,} probes")


def orgs_and_channels(plan: Plan) -> tuple[list[tuple], list[tuple]]:
    """Organizations (31 provinces, 10 prefectures each, counties below) and the channels,
    about 10 per organization, every organization's first one its portal."""
    rng = random.Random(plan.seed)
    orgs: list[tuple] = []
    n_orgs = max(plan.channels // 10, 1)
    oid = 0
    provinces, prefectures = [], []
    for p in range(31):
        oid += 1
        orgs.append((oid, f"cn-bench-{p:02d}", f"第{p}省人民政府", f"Province {p}", "cn", "provincial", None))
        provinces.append(oid)
    for p in provinces:
        for c in range(10):
            oid += 1
            orgs.append((oid, f"cn-bench-{p:02d}{c:02d}", f"第{p}省第{c}市人民政府", f"Prefecture {p}.{c}", "cn",
                         "prefecture", p))
            prefectures.append(oid)
    while oid < n_orgs:
        oid += 1
        parent = prefectures[oid % len(prefectures)]
        orgs.append((oid, f"cn-bench-c{oid:05d}", f"第{oid}县人民政府", f"County {oid}", "cn", "county", parent))
    channels = []
    for i in range(plan.channels):
        owner = orgs[i % len(orgs)][0]
        portal = i < len(orgs)
        channels.append((i + 1, "website", f"https://www.s{i:05d}.bench{owner:04d}.gov.cn/", f"网站 {i}", owner,
                         "active", json.dumps(["portal"] if portal else []),
                         json.dumps({"site_code": f"{rng.randint(10**9, 10**10 - 1)}"})))
    _ = rng
    return orgs, channels


CHUNK = 200  # channels generated and written at a time


def finding_rows(plan: Plan, ts: Callable[[dt.datetime], str]) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Per chunk of channels, the findings (id, run_id, channel_id, check_id, status, value,
    message, evidence, scan_status, observed_at) of every check and day, and their rollup rows
    (finding_days: channel_id, check_id, variant, day, status, finding_id, observed_at), which
    mgov's write path keeps in the same transaction. Channel by channel, so that the rollup
    arrives in its key's order."""
    rng = random.Random(plan.seed + 1)
    pools = {(c, s): value_pool(rng, c, s) for c in plan.checks for s in ("pass", "fail", "warn", "error")}
    pools.update({(c, "error"): [("null", "[]", "fetch failed: timeout")] for c in plan.checks})
    bad = {c: {ch for ch in range(1, plan.channels + 1) if rng.random() < TRAITS.get(c, (0.05, 0))[0]}
           for c in plan.checks}
    rand, choice = rng.random, rng.choice
    days = [(START + dt.timedelta(days=d)).isoformat() for d in range(plan.days)]
    stamps = [[ts(dt.datetime.combine(START + dt.timedelta(days=d), dt.time(2, ci, 0), dt.UTC))
               for d in range(plan.days)] for ci in range(len(plan.checks))]
    fid = 0
    for first in range(1, plan.channels + 1, CHUNK):
        rows, rolled = [], []
        for ch in range(first, min(first + CHUNK, plan.channels + 1)):
            for ci, check in enumerate(plan.checks):
                warn = TRAITS.get(check, (0, 0.0))[1]
                p_pass, p_fail, p_warn, p_err = (pools[(check, s)] for s in ("pass", "fail", "warn", "error"))
                standing = ch in bad[check]
                at_of = stamps[ci]
                for d in range(plan.days):
                    r = rand()
                    if r < 0.003:
                        status, pool = "error", p_err
                    elif standing and r < 0.9:
                        status, pool = "fail", p_fail
                    elif r > 1 - warn:
                        status, pool = "warn", p_warn
                    elif r < 0.0035 + 0.004:  # now and then a day's failure on a healthy site
                        status, pool = "fail", p_fail
                    else:
                        status, pool = "pass", p_pass
                    value, ev, msg = choice(pool)
                    fid += 1
                    at = at_of[d]
                    rows.append((fid, d + 1, ch, check, status, value, msg, ev, "ok", at))
                    rolled.append((ch, check, "", days[d], status, fid, at))
        yield rows, rolled


def probe_rows(plan: Plan, ts: Callable[[dt.datetime], str]) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Per chunk of channels, the probes (channel_id, at, ok, http_status, elapsed_ms,
    scan_status, evidence), 24 a day, 1 % of sites losing a few hours now and then; and their
    rollup (probe_days: channel_id, day, probes, failed)."""
    rng = random.Random(plan.seed + 2)
    flaky = {ch for ch in range(1, plan.probe_channels + 1) if rng.random() < 0.01}
    stamps = [[ts(dt.datetime.combine(START + dt.timedelta(days=d), dt.time(h, 7), dt.UTC))
               for h in range(PROBES_PER_DAY)] for d in range(plan.days)]
    days = [(START + dt.timedelta(days=d)).isoformat() for d in range(plan.days)]
    rand = rng.random
    for first in range(1, plan.probe_channels + 1, CHUNK):
        rows, rolled = [], []
        for ch in range(first, min(first + CHUNK, plan.probe_channels + 1)):
            for d in range(plan.days):
                down = ch in flaky and rand() < 0.3
                failed = 0
                for h, at in enumerate(stamps[d]):
                    ok = not (down and 8 <= h < 12) and rand() > 0.002
                    failed += not ok
                    rows.append((ch, at, ok, 200 if ok else None, 80.0 + 400 * rand() if ok else 15000.0,
                                 "ok" if ok else "timeout", "[]"))
                rolled.append((ch, days[d], PROBES_PER_DAY, failed))
        yield rows, rolled


ORG_COLS = "id, code, name_zh, name_en, jurisdiction, tier, parent_id"
CH_COLS = "id, kind, address, name, owner_id, status, tags, attributes"
RUN_COLS = "id, started_at, finished_at, status, kind, params"
F_COLS = "id, run_id, channel_id, check_id, status, value, message, evidence, scan_status, observed_at"
FD_COLS = "channel_id, check_id, variant, day, status, finding_id, observed_at"
P_COLS = "channel_id, at, ok, http_status, elapsed_ms, scan_status, evidence"
PD_COLS = "channel_id, day, probes, failed"


def runs(plan: Plan, ts: Callable[[dt.datetime], str]) -> list[tuple]:
    return [(d + 1, ts(dt.datetime.combine(START + dt.timedelta(days=d), dt.time(2), dt.UTC)),
             ts(dt.datetime.combine(START + dt.timedelta(days=d), dt.time(5), dt.UTC)), "finished", "scan", "{}")
            for d in range(plan.days)]


def _sqlite_ts(t: dt.datetime) -> str:  # SQLAlchemy's SQLite DateTime storage format
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def _pg_ts(t: dt.datetime) -> str:
    return t.isoformat()


def _bulk_indexes() -> list:
    """The secondary indexes of findings and probes: dropped for the bulk load, built after
    it (one sort each instead of 77 M scattered inserts)."""
    from mgov.db.tables import FINDINGS, PROBES

    return [*FINDINGS.indexes, *PROBES.indexes]


def generate_sqlite(path: Path, plan: Plan) -> dict[str, float]:
    from mgov.db.engine import make_engine

    times: dict[str, float] = {}
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    for ix in _bulk_indexes():
        con.execute(f"DROP INDEX {ix.name}")
    now = _sqlite_ts(dt.datetime.now(dt.UTC))
    orgs, channels = orgs_and_channels(plan)
    con.executemany(f"INSERT INTO organizations ({ORG_COLS}, no_external_service, active, created_at, updated_at) "  # noqa: S608 - constant names
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?)", [(*o, now, now) for o in orgs])
    con.executemany(f"INSERT INTO channels ({CH_COLS}, created_at, updated_at) "  # noqa: S608 - constant names
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*c, now, now) for c in channels])
    con.executemany(f"INSERT INTO scan_runs ({RUN_COLS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant names
                    runs(plan, _sqlite_ts))
    con.commit()
    t0 = time.perf_counter()
    for rows, rolled in finding_rows(plan, _sqlite_ts):
        con.executemany(f"INSERT INTO findings ({F_COLS}, rolled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", rows)  # noqa: S608 - constant names
        con.executemany(f"INSERT INTO finding_days ({FD_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rolled)  # noqa: S608 - constant names
        con.commit()
    times["findings"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for rows, rolled in probe_rows(plan, _sqlite_ts):
        con.executemany(f"INSERT INTO probes ({P_COLS}, rolled) VALUES (?, ?, ?, ?, ?, ?, ?, 1)", rows)  # noqa: S608 - constant names
        con.executemany(f"INSERT INTO probe_days ({PD_COLS}) VALUES (?, ?, ?, ?)", rolled)  # noqa: S608 - constant names
        con.commit()
    times["probes"] = time.perf_counter() - t0
    con.close()
    t0 = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    for ix in _bulk_indexes():
        ix.create(engine)
    engine.dispose()
    times["indexes"] = time.perf_counter() - t0
    con = sqlite3.connect(path)
    t0 = time.perf_counter()
    con.execute("ANALYZE")
    con.commit()
    times["analyze"] = time.perf_counter() - t0
    con.close()
    return times


def _copy_text(value: object) -> str:
    """A field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy_lines(rows: list[tuple], escaped: dict[object, str]) -> bytes:
    """Rows as COPY text; the pooled JSON texts are escaped once (escaped is their cache)."""
    out = []
    for row in rows:
        fields = []
        for v in row:
            e = escaped.get(v) if isinstance(v, str) and len(v) > 40 else None
            if e is None:
                e = _copy_text(v)
                if isinstance(v, str) and len(v) > 40:
                    escaped[v] = e
            fields.append(e)
        out.append("\t".join(fields))
    out.append("")
    return "\n".join(out).encode()


def generate_pg(url: str, plan: Plan) -> dict[str, float]:
    # Deferred: mgov loads from this checkout's src (on sys.path above), and only for the steps that use it.
    from sqlalchemy.schema import CreateIndex

    from mgov.db import partitions
    from mgov.db.engine import make_engine

    times: dict[str, float] = {}
    engine = make_engine(url)
    # Each month's partition of findings and probes (migration 0028) made before the load, as
    # mgov's writers make them: otherwise COPY puts every row in the default partition.
    month, last = START.replace(day=1), START + dt.timedelta(days=plan.days)
    while month <= last:
        for table in partitions.PARTITIONED:
            partitions.make(engine, table, month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")  # no foreign-key triggers for the bulk load
        for ix in _bulk_indexes():
            cur.execute(f"DROP INDEX {ix.name}")
        orgs, channels = orgs_and_channels(plan)
        now = dt.datetime.now(dt.UTC)
        cur.executemany(f"INSERT INTO organizations ({ORG_COLS}, no_external_service, active, created_at, updated_at) "  # noqa: S608 - constant names
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, false, true, %s, %s)", [(*o, now, now) for o in orgs])
        cur.executemany(f"INSERT INTO channels ({CH_COLS}, created_at, updated_at) "  # noqa: S608 - constant names
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", [(*c, now, now) for c in channels])
        cur.executemany(f"INSERT INTO scan_runs ({RUN_COLS}) VALUES (%s, %s, %s, %s, %s, %s)", runs(plan, _pg_ts))  # noqa: S608 - constant names
        raw.commit()
        escaped: dict[object, str] = {}
        for key, (table, cols, rollup, rcols), gen in (
                ("findings", ("findings", F_COLS, "finding_days", FD_COLS), finding_rows),
                ("probes", ("probes", P_COLS, "probe_days", PD_COLS), probe_rows)):
            t0 = time.perf_counter()
            for rows, rolled in gen(plan, _pg_ts):
                with cur.copy(f"COPY {table} ({cols}, rolled) FROM STDIN") as copy:
                    copy.write(_copy_lines([(*r, True) for r in rows], escaped))
                with cur.copy(f"COPY {rollup} ({rcols}) FROM STDIN") as copy:
                    copy.write(_copy_lines(rolled, escaped))
                raw.commit()
            times[key] = time.perf_counter() - t0
        for table in ("organizations", "channels", "scan_runs", "findings", "probes"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 - constant names
        raw.commit()
        t0 = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '1GB'")
        for ix in _bulk_indexes():
            cur.execute(str(CreateIndex(ix).compile(dialect=engine.dialect)))
        raw.commit()
        times["indexes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw.cursor().execute("ANALYZE")
        raw.commit()
        times["analyze"] = time.perf_counter() - t0
    finally:
        raw.close()
        engine.dispose()
    return times


# --- the measured run ------------------------------------------------------------------------------

def run_assess(env: dict[str, str], profile_out: str | None, workers: int | None = None) -> dict:
    cmd = [sys.executable, "-m", "mgov", "assess", "--profile", PROFILE, "--period", PERIOD, "--json",
           *(["--workers", str(workers)] if workers is not None else [])]
    if profile_out:  # py-spy samples the assessment (its RSS is then py-spy's child's)
        cmd = [str(Path(sys.executable).with_name("py-spy")), "record", "-r", "50", "-f", "raw", "-o", profile_out,
               "--", *cmd]
    m = run_measured(cmd, env)
    if m["rc"] != 0:
        raise SystemExit(f"assess failed ({m['rc']}): {m['stderr'][-3000:]}")
    text = m["stdout"]
    result, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    return {"elapsed": m["elapsed"], "rss": m["rss"],
            "cpu": m["cpu"], "result": result, "out_bytes": len(text)}


def report(label: str, plan: Plan, gen: dict[str, float], m: dict, size: int | None) -> dict:
    res = m["result"]
    n = len(res["channels"])
    ok = "ok" if n == plan.channels else f"MISMATCH: expected {plan.channels}"
    el, rss = m["elapsed"], m["rss"]
    full_f, full_p = FULL[0] * FULL[1] * len(plan.checks), FULL[0] * FULL[1] * PROBES_PER_DAY
    print(f"[{label}] generated in {gen['findings']:.1f} s (findings and finding_days) + {gen['probes']:.1f} s "
          f"(probes and probe_days) + {gen['indexes']:.1f} s (indexes) + {gen['analyze']:.1f} s (ANALYZE), not timed"
          + (f"; database {size / 2**20:,.0f} MiB" if size else ""))
    print(f"[{label}] assess: {n:,} channels ({ok}), verdicts {res['verdicts']}, "
          f"JSON {m['out_bytes'] / 2**20:.0f} MiB, in {el:.1f} s (interpreter start-up included)")
    print(f"  wall      {el:8.1f} s    ({el / GOAL_S:.2f} x the {GOAL_S:.0f} s goal)")
    print(f"  peak RSS  {rss / 2**20:8.0f} MiB  ({rss / GOAL_RSS:.2f} x the 2 GiB limit)")
    print(f"  CPU       {m['cpu']:8.1f} s    ({m['cpu'] / el:.2f} cores)")
    inputs = plan.findings + plan.probes
    full = full_f + full_p
    if (plan.channels, plan.days, plan.probe_channels) != (FULL[0], FULL[1], FULL[0]):
        scale = full / inputs
        print(f"  projected to the full quarter ({full_f:,} findings + {full_p:,} probes, {scale:.1f} x these "
              f"inputs, linear): ~{el * scale:,.0f} s ({el * scale / GOAL_S:.1f} x the goal), "
              f"~{rss * scale / 2**30:,.1f} GiB ({rss * scale / GOAL_RSS:.1f} x the limit)")
        el, rss = el * scale, rss * scale
    return {"label": label, "elapsed": el, "rss": rss, "cpu": m["cpu"], "channels": n,
            "projected": el != m["elapsed"]}


def measure(label: str, env: dict[str, str], args: argparse.Namespace, plan: Plan, gen: dict[str, float],
            size: int, suffix: str = "") -> list[dict]:
    """The assessment as asked (--workers), then in one process beside it (--also-in-process)."""
    shown = f"{label}, --workers {args.workers}" if args.workers is not None else label
    out = [report(shown, plan, gen, run_assess(env, args.profile_out and args.profile_out + suffix, args.workers),
                  size)]
    if args.also_in_process:
        out.append(report(f"{label}, --workers 0", plan, gen, run_assess(env, None, 0), size))
        print(f"  as asked against one process: {out[1]['elapsed'] / out[0]['elapsed']:.2f} x faster, "
              f"{out[0]['cpu'] / out[1]['cpu']:.2f} x the CPU, {out[0]['rss'] / out[1]['rss']:.2f} x the peak RSS")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=FULL[0])
    parser.add_argument("--days", type=int, default=FULL[1])
    parser.add_argument("--checks", type=int, default=0, help="only the first N bound checks (default: all)")
    parser.add_argument("--probe-channels", type=int, default=None, help="probes for the first N channels only")
    parser.add_argument("--postgres", default=None, help=f"PostgreSQL URL (default: {DEFAULT_PG} if it answers)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--quick", action="store_true", help="500 channels x 10 days")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--profile-out", help="run the assessment under py-spy, raw samples to this file (+ .pg)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and schema")
    parser.add_argument("--reuse-sqlite", help="assess this kept SQLite file (same --channels/--days), no generation")
    parser.add_argument("--reuse-schema", help="assess this kept PostgreSQL schema, no generation")
    parser.add_argument("--workers", type=int, default=None,
                        help="mgov assess --workers N (default: mgov's own choice, one process a core)")
    parser.add_argument("--also-in-process", action="store_true",
                        help="assess a second time with --workers 0 (one process) and print the ratio")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.days = 500, 10
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {platform.node()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · SQLite {sqlite3.sqlite_version}")
    checks = bound_checks()
    plan = Plan(args, checks)
    print(f"{PROFILE} binds {len(checks)} checks: {', '.join(checks)}; V2 uses probes ({PROBES_PER_DAY} a day here)")
    print(f"generating: {plan.describe()}; period {PERIOD} from {START}")

    # Deferred: SQLAlchemy, and mgov from this checkout's src (sys.path above), load for the database steps only.
    from sqlalchemy import text

    from mgov.db.engine import make_engine, upgrade

    tmp = Path(tempfile.mkdtemp(prefix="mgov-bench-assess-"))
    base_env = {**os.environ, "MGOV_HOME": str(tmp / "home"), "MGOV_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
    done = []
    try:
        if args.reuse_sqlite:
            db = Path(args.reuse_sqlite)
            gen = dict.fromkeys(("findings", "probes", "indexes", "analyze"), 0.0)
            done.extend(measure("SQLite", {**base_env, "MGOV_DATABASE_URL": f"sqlite:///{db}"}, args, plan, gen,
                                db.stat().st_size))
        elif not args.no_sqlite:
            db = tmp / "assess.db"
            engine = make_engine(f"sqlite:///{db}")
            upgrade(engine)
            engine.dispose()
            gen = generate_sqlite(db, plan)
            done.extend(measure("SQLite", {**base_env, "MGOV_DATABASE_URL": f"sqlite:///{db}"}, args, plan, gen,
                                db.stat().st_size))
        pg = args.postgres or (None if args.no_postgres else DEFAULT_PG)
        if pg:
            admin = make_engine(pg)
            try:
                with admin.connect() as conn:
                    version = conn.execute(text("SHOW server_version")).scalar_one()
            except Exception as exc:
                if args.postgres:
                    raise
                print(f"PostgreSQL at {pg} does not answer ({type(exc).__name__}): skipped")
                return
            schema = args.reuse_schema or f"mgov_bench_{uuid.uuid4().hex[:8]}"
            if not args.reuse_schema:
                with admin.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3D{schema}"
            try:
                if args.reuse_schema:
                    gen = dict.fromkeys(("findings", "probes", "indexes", "analyze"), 0.0)
                else:
                    engine = make_engine(url)
                    upgrade(engine)
                    engine.dispose()
                    gen = generate_pg(url, plan)
                with admin.connect() as conn:
                    size = conn.execute(text(
                        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind = 'r'"), {"s": schema}).scalar()
                done.extend(measure(f"PostgreSQL {version}", {**base_env, "MGOV_DATABASE_URL": url}, args, plan, gen,
                                    int(size or 0), ".pg"))
            finally:
                if args.keep or args.reuse_schema:
                    print(f"kept schema {schema}")
                else:
                    with admin.begin() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for d in done:
        met = d["elapsed"] < GOAL_S and d["rss"] < GOAL_RSS
        what = "projected to the full quarter" if d["projected"] else "measured on the full quarter"
        print(f"{d['label']}: {what}: {d['elapsed']:,.0f} s, {d['rss'] / 2**30:,.1f} GiB: "
              f"goal {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
