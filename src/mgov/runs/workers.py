"""Several processes on one run, so that a scan or a crawl uses every core.

One event loop is one core: at a few hundred exchanges a second the scanner's Python, not
the network, is the limit. Each worker process takes a disjoint share of the channels the
run still lacks (by channel id modulo the number of workers), opens its own database
engine, client and archive files, and commits its channels exactly as a single process
does; so a run killed at any moment, in any worker, resumes the same way.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable
from typing import Any

from mgov.config import Settings
from mgov.db.engine import make_engine
from mgov.errors import MgovError
from mgov.evidence.site import ChannelFacts
from mgov.runs.confirm import PassTimes
from mgov.runs.local import run_here

OnChannel = Callable[[ChannelFacts, dict[str, int]], None]
_DONE = "done"
_FAILED = "failed"


def run_workers(database_url: str, settings: Settings, run_id: int, todo: list[tuple[int, ChannelFacts]], *,
                workers: int, concurrency: int, on_channel: OnChannel | None) -> PassTimes:
    """Run todo in `workers` processes; raise MgovError if any of them failed."""
    spawn = mp.get_context("spawn")  # no fork: the parent holds an engine and maybe threads
    events: Any = spawn.Queue()
    shares = [[item for item in todo if item[0] % workers == i] for i in range(workers)]
    procs = [spawn.Process(target=_worker, name=f"mgov-scan-{i}", daemon=True,
                           args=(database_url, settings, run_id, share, max(1, concurrency // workers), events))
             for i, share in enumerate(shares) if share]
    for proc in procs:
        proc.start()
    pending = {proc.name: proc for proc in procs}
    failures: dict[str, str] = {}
    times = PassTimes()
    try:
        while pending:
            try:
                kind, payload = events.get(timeout=0.5)
            except queue.Empty:
                for name, proc in list(pending.items()):
                    if proc.exitcode not in (None, 0):  # killed from outside (OOM, kill -9)
                        failures.setdefault(name, f"{name} exited with {proc.exitcode}")
                        del pending[name]
                if failures:
                    break
                continue
            if kind == "channel":
                if on_channel is not None:
                    on_channel(*payload)
                continue
            name, message = payload
            pending.pop(name, None)
            if kind == _FAILED:
                failures[name] = message
            elif isinstance(message, PassTimes):
                times.add(message)
            if failures:
                break  # the others would likely fail alike; what they committed stays
    finally:
        for proc in procs:
            if proc.is_alive() and failures:
                proc.terminate()
            proc.join()
    if failures:
        raise MgovError(f"run {run_id}: {'; '.join(failures.values())} (the run can be resumed with --resume)")
    return times


def _worker(database_url: str, settings: Settings, run_id: int, todo: list[tuple[int, ChannelFacts]], concurrency: int,
            events: Any) -> None:
    name = mp.current_process().name
    engine = make_engine(database_url)
    try:
        times = run_here(engine, settings, run_id, todo, concurrency=concurrency,
                         on_channel=lambda facts, counts: events.put(("channel", (facts, counts))))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        events.put((_FAILED, (name, f"{name}: {type(exc).__name__}: {exc}")))
        raise SystemExit(1) from None
    finally:
        engine.dispose()
    events.put((_DONE, (name, times)))
