"""A busy machine on demand: N processes that each keep a core busy for a `with` block.

In production the scanner shares its machine (the database, a crawl, other services), and a
healthy site must not look slow because the scanner's own event loop was late. Tests and
benchmarks reproduce that with `busy_cores(n)`. The spinners are NOT niced by default: they
compete with the scanner at its own priority, as the other work of a busy machine does (a
niced hog would yield to the scanner and prove nothing). `nice=19` gives a polite one.

    with busy_cores(2):          # both cores of this machine busy
        run_the_scan()

They are separate processes (spawned, so no lock of a threaded parent is inherited), stop
when the block ends, and stop by themselves when the parent dies or after max_seconds.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from typing import Any

SPIN = 50_000  # additions between looks at the stop flag (about a millisecond)


def _spin(stop: Any, ready: Any, parent: int, nice: int, max_seconds: float) -> None:
    if nice:
        os.nice(nice)
    ready.release()
    deadline = time.monotonic() + max_seconds
    x = 0
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        for _ in range(SPIN):
            x += 1


@contextlib.contextmanager
def busy_cores(n: int, *, nice: int = 0, max_seconds: float = 3600.0) -> Iterator[list[int]]:
    """Keep n cores busy until the block ends; yields the spinners' process ids. n <= 0: none."""
    if n <= 0:
        yield []
        return
    ctx = multiprocessing.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Semaphore(0)
    procs = [ctx.Process(target=_spin, args=(stop, ready, os.getpid(), nice, max_seconds),
                         name=f"mgov-cpuhog-{i}", daemon=True) for i in range(n)]
    try:
        for p in procs:
            p.start()
        for _ in procs:  # every spinner is running before the block begins
            if not ready.acquire(timeout=60):
                raise RuntimeError("a CPU hog process did not start")
        yield [p.pid for p in procs if p.pid is not None]
    finally:
        stop.set()
        for p in procs:
            if p.pid is None:
                continue
            p.join(5)
            if p.is_alive():
                p.terminate()
                p.join()
