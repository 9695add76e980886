"""What the benchmarks share: the demo farm as its own process, stopping a child, reading a
process's CPU time and sampling the peak RSS of a process tree, on Linux (/proc)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FARM_START_SECONDS = 120


def start_farm_process(options: list[str], tmp: Path,
                       prefix: tuple[str, ...] = ()) -> tuple[subprocess.Popen, dict[str, Any]]:
    """`python -m mgov.demo.farm OPTIONS` as its own process group (prefix: a command it runs
    under, e.g. nice), with its manifest and state in tmp; the facts of its READY line."""
    cmd = [*prefix, sys.executable, "-m", "mgov.demo.farm", *options,
           "--manifest-out", str(tmp / "manifest.json"), "--state-dir", str(tmp / "farm")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert proc.stdout is not None and proc.stderr is not None
    deadline = time.monotonic() + FARM_START_SECONDS
    info: dict[str, Any] | None = None
    for line in proc.stdout:
        if line.startswith("READY "):
            info = json.loads(line[6:])
            break
        if time.monotonic() > deadline:
            break
    if info is None:
        stop(proc)
        raise SystemExit(f"the farm did not start: {proc.stderr.read()}")
    # Keep draining its output so it never blocks on a full pipe.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, info


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def sample_tree_rss(proc: subprocess.Popen, peak: dict[str, int]) -> None:
    """Peak of the summed RSS of a process and its descendants (worker processes), sampled
    every 0.1 s until peak["done"] is set, and the highest peak any one of them reached
    (VmHWM, which also catches a spike between samples). Not the kernel's ru_maxrss: a child
    keeps across exec the high-water mark of the process it was forked from, so a benchmark
    that had grown (generating its data) would be charged for it."""
    page = os.sysconf("SC_PAGE_SIZE")
    # Not proc.poll(): it would reap the child before the caller's os.wait4 gets its rusage.
    while not peak.get("done"):
        tree, total = {proc.pid}, 0
        for stat in sorted(Path("/proc").glob("[0-9]*/stat"), key=lambda p: int(p.parent.name)):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid, rss_pages = int(stat.parent.name), int(fields[1]), int(fields[21])
            if pid in tree or ppid in tree:
                tree.add(pid)
                total += rss_pages * page
                peak["rss"] = max(peak["rss"], _high_water(pid))
        peak["rss"] = max(peak["rss"], total)
        time.sleep(0.1)


def _high_water(pid: int) -> int:
    """A process's peak RSS since its exec, in bytes (0 if gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_measured(cmd: list[str], env: dict[str, str]) -> dict:
    """Run cmd to its end; its wall time, exit code, CPU (its reaped children included: Linux
    adds them), peak RSS of its process tree, and output."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(s, b), daemon=True)
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    peak = {"rss": 0}
    threading.Thread(target=sample_tree_rss, args=(proc, peak), daemon=True).start()
    _, status, usage = os.wait4(proc.pid, 0)
    peak["done"] = 1
    elapsed = time.perf_counter() - start
    for r in readers:
        r.join()
    return {"elapsed": elapsed, "rc": os.waitstatus_to_exitcode(status),
            "rss": peak["rss"], "cpu": usage.ru_utime + usage.ru_stime,
            "stdout": b"".join(out).decode("utf-8", "replace"), "stderr": b"".join(err).decode("utf-8", "replace")}
