"""Two `mgov scheduler` processes on one database: the second waits while the first holds the
lease, takes over once the first is killed (kill -9: no clean release), and lets go of it
when stopped cleanly (SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from mgov.db.engine import make_engine
from mgov.scheduler import store

WAIT = 60.0  # seconds at most for a process to get somewhere (a loaded machine); not a speed figure


def holder(engine) -> str | None:
    with engine.connect() as conn:
        lease = store.holder(conn)
    return lease["holder"] if lease else None


def pid_of(lease_holder: str | None) -> int | None:
    return int(lease_holder.split(":")[1]) if lease_holder else None


def wait_for(predicate, what):
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {WAIT} s: {what}")


def test_a_second_scheduler_waits_and_takes_over_when_the_first_dies(db_url, tmp_path):
    (tmp_path / "mgov.toml").write_text('[[schedule]]\nkind = "digest"\nat = "* * * * *"\n', encoding="utf-8")
    env = {**os.environ, "MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(tmp_path / "home"),
           "MGOV_CONFIG": str(tmp_path / "mgov.toml"), "MGOV_LANG": "en"}
    command = [sys.executable, "-m", "mgov", "scheduler", "--interval", "0.3", "--lease-seconds", "8"]
    engine = make_engine(db_url)
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    second = None
    try:
        wait_for(lambda: pid_of(holder(engine)) == first.pid, "the first scheduler holds the lease")
        second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # The second ticks too, and finds the lease renewed by the first each time (kept while it lives).
        time.sleep(9)
        assert second.poll() is None and pid_of(holder(engine)) == first.pid
        first.send_signal(signal.SIGKILL)
        first.wait()
        wait_for(lambda: pid_of(holder(engine)) == second.pid, "the second scheduler takes over")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=WAIT) == 0, second.stderr.read() if second.stderr else ""
        assert holder(engine) is None  # a clean stop lets go of the lease
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        engine.dispose()
