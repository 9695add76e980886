"""Replay lookup of a URL at a time, against the goal of 20 ms p95 at 1,000,000 index rows.

Fills a database's archive index with N generated rows (URLs of 2,000 sites, several captures
each, Chinese and US government host names), writes pywb's CDXJ from it as `mgov archive
replay` does (timed), starts the real pywb from its own virtual environment, then looks up
random URLs one at a time:

- mgov's own lookup (the index query behind the calendar, the diff and the replay links:
  `history_store.url_captures`, and `capture_near`, the capture of a moment);
- pywb's lookup through its CDX server API (`/<collection>/cdx?url=...&output=json`, over
  HTTP on loopback, a connection per query, as mgov's web app opens one per request).

    .venv/bin/python bench/replay_lookup.py [--rows 1000000] [--queries 2000] [--venv DIR]
        [--database-url URL] [--keep DIR]

The venv defaults to MGOV_TEST_PYWB_VENV or <tmp>/mgov-test-pywb-venv (made when missing).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import insert

from mgov.accounts import Scope
from mgov.archive import history_store, replay_index, replay_server, replay_setup
from mgov.collect.surt import surt
from mgov.db.engine import make_engine, upgrade
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS

GOAL_MS = 20.0
SITES = 2000
PATHS = ("", "index.html", "zwgk/", "xxgk/tzgg/", "news/2026/11/item-{n}.html", "bids/2026/{n}.html",
         "static/css/site.css", "images/logo-{n}.png", "search?q={n}", "hdjl/zxts/{n}.html")


def urls(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        site = rng.randrange(SITES)
        host = f"www.dept{site}.gov.cn" if site % 2 else f"agency{site}.example.gov"
        path = rng.choice(PATHS).format(n=rng.randrange(100_000))
        out.append(f"https://{host}/{path}")
        if i % 7 == 0:
            out.append(out[-1])  # captured again
    return out


def fill(engine, rows: int, rng: random.Random) -> list[str]:
    """rows index rows (about 5 captures of each URL); the URLs."""
    distinct = urls(rng, max(1, rows // 5))
    with engine.begin() as conn:
        files = [conn.execute(insert(ARCHIVE_FILES).values(name=f"mgov-bench-{f:05d}.warc.gz", origin="mgov",
                                                           state="sealed", indexed_bytes=0)
                              .returning(ARCHIVE_FILES.c.id)).scalar_one() for f in range(200)]
    batch, done, offset = [], 0, 0
    while done < rows:
        url = distinct[done % len(distinct)] if done < len(distinct) else rng.choice(distinct)
        key = surt(url)
        day = rng.randrange(365)
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(1767225600 + day * 86400 + rng.randrange(86400)))
        offset += 700
        batch.append({"file_id": files[done % len(files)], "offset": offset, "length": 700,
                      "record_type": "response", "lookup_key": key[:400], "urlkey": key, "timestamp": stamp,
                      "url": url, "mime": "text/html", "status": "200", "digest": f"sha1:{rng.getrandbits(100):X}",
                      "pywb_default": True, "state": "ok", "extra": {}})
        done += 1
        if len(batch) == 20_000:
            with engine.begin() as conn:
                conn.execute(insert(ARCHIVE_RECORDS), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(insert(ARCHIVE_RECORDS), batch)
    return distinct


def percentiles(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))], "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--venv", default=os.environ.get("MGOV_TEST_PYWB_VENV")
                        or str(Path(tempfile.gettempdir()) / "mgov-test-pywb-venv"))
    parser.add_argument("--database-url", default=None, help="default: SQLite in the work directory")
    parser.add_argument("--keep", default=None, help="work here and keep it")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mgov-replay-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    venv = Path(args.venv)
    replay_setup.ensure_venv(venv)
    engine = make_engine(args.database_url or f"sqlite:///{work / 'bench.db'}")
    upgrade(engine)
    started = time.perf_counter()
    distinct = fill(engine, args.rows, rng)
    filled = time.perf_counter() - started
    replay_dir, archive = work / "replay", work / "archive"
    archive.mkdir(exist_ok=True)
    replay_setup.write_config(replay_dir, archive)
    started = time.perf_counter()
    with engine.connect() as conn:
        written = replay_index.refresh(conn, replay_dir, "all")
    exported = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (replay_dir / "collections").rglob("*.cdxj"))
    wanted = [rng.choice(distinct) for _ in range(args.queries)]
    mgov_ms, near_ms, pywb_ms = [], [], []
    scope = Scope(None)
    with engine.connect() as conn:
        for url in wanted:
            key = surt(url)
            t = time.perf_counter()
            found = history_store.url_captures(conn, scope, key)
            mgov_ms.append((time.perf_counter() - t) * 1000)
            assert found, url
            t = time.perf_counter()
            history_store.capture_near(conn, scope, key, "20260701")
            near_ms.append((time.perf_counter() - t) * 1000)
    with replay_server.start(venv, replay_dir, 0) as running:
        for url in wanted:
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
            conn.request("GET", f"/all/cdx?url={quote(url, safe='')}&output=json",
                         headers={"X-Replay-Key": running.key})
            answer = conn.getresponse()
            body = answer.read()
            conn.close()
            pywb_ms.append((time.perf_counter() - t) * 1000)
            assert answer.status == 200 and body.strip(), (url, answer.status, body[:200])
    report = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
              f"{platform.python_implementation()} {platform.python_version()}", "load": os.getloadavg(),
              "database": engine.dialect.name, "rows": args.rows, "urls": len(distinct), "queries": args.queries,
              "fill_s": round(filled, 1), "cdxj_export_s": round(exported, 1), "cdxj_lines": written.rows,
              "cdxj_mb": round(size / 1e6, 1),
              "mgov_url_captures_ms": {k: round(v, 2) for k, v in percentiles(mgov_ms).items()},
              "mgov_capture_near_ms": {k: round(v, 2) for k, v in percentiles(near_ms).items()},
              "pywb_cdx_api_ms": {k: round(v, 2) for k, v in percentiles(pywb_ms).items()}}
    for name in ("mgov_url_captures_ms", "mgov_capture_near_ms", "pywb_cdx_api_ms"):
        report[name]["p95_vs_goal"] = round(report[name]["p95"] / GOAL_MS, 3)
    print(json.dumps(report, indent=1))
    engine.dispose()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
