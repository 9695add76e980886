"""Benchmark: one `mgov worker` against two on the same kind of run (issue 20).

Goal: two workers take a run at least 1.8 times as fast as one, on work the farm does not
make CPU-bound (sites 100 ms away: a channel's time is mostly waiting).

What runs, all on loopback:
  1. the demo farm as its own process (`python -m mgov.demo.farm`, --latency-ms);
  2. a redis-server of this benchmark's own (a free port, a temporary directory);
  3. a fresh SQLite database (or --db) with the farm's sites imported;
  4. for 1, then 2 workers: the workers started (`mgov worker --concurrency C`, each its own
     process group) and waited for until ready, then `mgov scan --cluster --detach` sends a
     run of every site; the time is the run's own, from its start to the last channel stored
     (scan_runs.started_at to finished_at, set by the worker that stores the last channel).

    .venv/bin/python bench/workers.py [--count 120] [--latency-ms 100] [--concurrency 4] [--pool threads]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _procs import proc_cpu, stop  # bench/_procs.py, beside this script
from scan_farm import register, start_farm  # bench/scan_farm.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    (tmp / "redis").mkdir()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp / "redis"),
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def start_workers(n: int, concurrency: int, pool: str, env: dict[str, str], tmp: Path) -> list[subprocess.Popen]:
    procs, logs = [], []
    for i in range(n):
        log = tmp / f"worker{n}-{i}.log"
        logs.append(log)
        procs.append(subprocess.Popen([sys.executable, "-m", "mgov", "worker", "--concurrency", str(concurrency),
                                       "--pool", pool, "--name", f"bench{n}-{i}", "--loglevel", "INFO"], env=env,
                                      stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True))
    deadline = time.monotonic() + 120
    while not all(b" ready." in log.read_bytes() for log in logs):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise SystemExit("workers did not start: " + " | ".join(log.read_text()[-2000:] for log in logs))
        time.sleep(0.2)
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def timed_run(info: dict, env: dict[str, str]) -> tuple[int, float]:
    """(run id, seconds from its start to its last channel stored)."""
    # Deferred: SQLAlchemy and mgov's tables load after the subprocesses have started.
    from sqlalchemy import select

    from mgov.db.engine import make_engine
    from mgov.db.tables import SCAN_RUNS

    out = subprocess.run([sys.executable, "-m", "mgov", "scan", "--cluster", "--detach", "--json", "--allow-private",
                          "--dns", f"127.0.0.1:{info['dns_port']}", "--ca-bundle", info["ca_pem"],
                          "--connect-to", f":80::{info['http_port']}", "--connect-to", f":443::{info['https_port']}"],
                         env=env, check=True, capture_output=True, text=True)
    run_id = json.loads(out.stdout)["run"]
    engine = make_engine(env["MGOV_DATABASE_URL"])
    try:
        while True:
            with engine.connect() as conn:
                started, finished = conn.execute(select(SCAN_RUNS.c.started_at, SCAN_RUNS.c.finished_at)
                                                 .where(SCAN_RUNS.c.id == run_id)).one()
            if finished is not None:
                return run_id, (finished - started).total_seconds()
            time.sleep(0.5)
    finally:
        engine.dispose()


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished descendants (reaped by their parents)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4,
                        help="processes of each worker (with --pool threads: channels at once)")
    parser.add_argument("--pool", default="prefork", choices=("prefork", "threads"))
    parser.add_argument("--defect-rate", type=float, default=0.5,
                        help="the farm's sites with defects (slow sites and re-checks make a run's tail)")
    parser.add_argument("--db", help="database URL (default: SQLite in the temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (printed)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mgov-bench-workers-"))
    farm = redis = None
    try:
        farm, info = start_farm(args, tmp, extra=("--defect-rate", str(args.defect_rate)))
        redis, broker = start_redis(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MGOV_HOME": str(tmp / "home"),
               "MGOV_DATABASE_URL": args.db or f"sqlite:///{tmp / 'mgov.db'}", "MGOV_CLUSTER__BROKER": broker,
               "MGOV_CONFIG": str(tmp / "none.toml"), "MGOV_LANG": "en"}
        _, count = register(tmp / "manifest.json", env)
        print(f"{count} farm sites ({args.defect_rate:g} with defects), {args.latency_ms:g} ms latency; "
              f"each worker --pool {args.pool} "
              f"--concurrency {args.concurrency}; "
              f"{platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
        times = {}
        for n in (1, 2):
            before, farm_before = _children_cpu(), proc_cpu(farm.pid)
            procs = start_workers(n, args.concurrency, args.pool, env, tmp)
            try:
                run_id, seconds = timed_run(info, env)
            finally:
                stop_workers(procs)
            cpu = _children_cpu() - before  # the workers' processes, start-up and the sending command included
            farm_cpu = proc_cpu(farm.pid) - farm_before
            times[n] = seconds
            print(f"{n} worker(s): run {run_id}, {count} channels in {seconds:.1f} s = {count / seconds:.1f} "
                  f"channels/s; workers' CPU {cpu:.1f} s ({1000 * cpu / count:.0f} ms a channel, "
                  f"{cpu / seconds:.2f} cores while it ran); the farm's CPU {farm_cpu:.1f} s "
                  f"({farm_cpu / seconds:.2f} cores); load {os.getloadavg()[0]:.2f}")
        ratio = times[1] / times[2]
        print(f"two workers / one worker: {ratio:.2f}x (goal >= {GOAL}x: {'met' if ratio >= GOAL else 'missed'})")
    finally:
        stop(redis)
        stop(farm)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
