"""Benchmark: `mgov import dotgov current-full.csv` against the issue's 10 s limit, beside a
floor (Python's csv module and sqlite3 loading the same rows into one plain table, no
validation, no registry model).

Runs the real CLI in a subprocess on a fresh database, twice (the second run must report 0
changes), on SQLite and, when one answers, on PostgreSQL. Prints seconds and ratios.

    .venv/bin/python bench/import_dotgov.py [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "mgov" / "demo" / "data" / "current-full.csv"
LIMIT_S = 10.0


def mgov(env: dict[str, str], *args: str) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "mgov", *args], env=env, capture_output=True, text=True,
                         check=True)
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(out.stdout) if out.stdout.strip().startswith("{") else {}


def floor_sqlite(tmp: Path) -> float:
    start = time.perf_counter()
    con = sqlite3.connect(tmp / "floor.db")
    con.execute("CREATE TABLE rows (domain TEXT PRIMARY KEY, type TEXT, org TEXT, sub TEXT, city TEXT, "
                "state TEXT, email TEXT)")
    with DATA.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO rows VALUES (?,?,?,?,?,?,?)", reader)
    con.commit()
    con.close()
    return time.perf_counter() - start


def run(label: str, url: str, tmp: Path, floor: float) -> None:
    env = {**os.environ, "MGOV_DATABASE_URL": url, "MGOV_HOME": str(tmp / "home"), "MGOV_LANG": "en"}
    mgov(env, "db", "upgrade")
    t1, first = mgov(env, "import", "dotgov", str(DATA), "--json")
    t2, second = mgov(env, "import", "dotgov", str(DATA), "--json")
    assert first["bad_rows"] == 0 and first["counts"]["channels"]["created"] == 16539, first["counts"]
    assert second["changes"] == 0, second["counts"]
    print(f"{label:10} first import {t1:6.2f} s  ({t1 / LIMIT_S:.2f} × the {LIMIT_S:.0f} s limit, "
          f"{t1 / floor:.1f} × the csv+sqlite3 floor)   re-import {t2:6.2f} s ({t2 / LIMIT_S:.2f} × limit), "
          f"0 changes; {first['rows_read']} rows, {first['changes']} records written")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("MGOV_TEST_DATABASE_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')} · {platform.node()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        floor = floor_sqlite(tmp)
        print(f"{'floor':10} csv module + sqlite3 executemany, one flat table: {floor:6.2f} s")
        run("SQLite", f"sqlite:///{tmp}/bench.db", tmp, floor)
        try:
            # Deferred: psycopg loads for the PostgreSQL run only.
            import psycopg
            from psycopg import sql

            with psycopg.connect(args.pg.replace("+psycopg", ""), autocommit=True, connect_timeout=3) as con:
                schema = f"mgov_bench_{uuid.uuid4().hex[:8]}"
                con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                try:
                    sep = "&" if "?" in args.pg else "?"
                    run("PostgreSQL", f"{args.pg}{sep}options=-csearch_path%3D{schema}", tmp, floor)
                finally:
                    con.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        except psycopg.OperationalError as exc:
            print(f"PostgreSQL skipped: {exc}".splitlines()[0])


if __name__ == "__main__":
    main()
