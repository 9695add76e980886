"""What the benchmarks share: stopping a child, reading a process's CPU time and sampling
the peak RSS of a process tree, on Linux (/proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path


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
    every 0.1 s until peak["done"] is set (the kernel's ru_maxrss is per process)."""
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
        peak["rss"] = max(peak["rss"], total)
        time.sleep(0.1)


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
            "rss": max(peak["rss"], usage.ru_maxrss * 1024), "cpu": usage.ru_utime + usage.ru_stime,
            "stdout": b"".join(out).decode("utf-8", "replace"), "stderr": b"".join(err).decode("utf-8", "replace")}
