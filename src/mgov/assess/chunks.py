"""An assessment's channels scored a chunk at a time, in this process or in worker processes.

Scoring a chunk (reading its findings' rollups and probes, aggregating, comparing with the
previous period, snapshotting the inputs and shaping the rows) is most of a large
assessment's CPU; storing the rows is an insert. Chunks do not depend on one another, so on
a machine with cores to spare, worker processes score the chunks ahead while the process
that holds the assessment's transaction stores them, in order: one writer (SQLite allows no
other), the same rows in the same order as in-process. Workers are spawned, not forked (the
caller may be a server with threads), read the committed rollups on connections of their
own, and never write.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy import Connection, Engine

from mgov.assess import store
from mgov.assess.inputs import ChannelInput
from mgov.assess.overturned import with_overturned
from mgov.assess.rank import compare
from mgov.assess.results import ChannelResult
from mgov.assess.score import assess
from mgov.db.engine import make_engine
from mgov.errors import MgovError
from mgov.profiles import Profile

CHUNK = 200  # channels scored, snapshotted and stored at a time: memory holds one chunk's findings
MIN_CHUNKS = 4  # fewer are scored in-process: starting a worker costs about a second
MAX_WORKERS = 4
AHEAD = 2  # chunks a worker may have scored ahead of the writer: bounds the rows held in memory


@dataclasses.dataclass(frozen=True)
class Scope:
    """What every chunk of one assessment shares."""
    profile: Profile
    start: dt.date
    end: dt.date
    decided: dict[tuple[str, str], int]  # overturned on dispute (assess.overturned)
    compared: bool  # an earlier assessment exists: changes are computed (empty ones too)


@dataclasses.dataclass(frozen=True)
class Scored:
    """One chunk's rows (store.result_rows) and results without their indicator breakdown
    (ranking and the summary need none: 20,000 channels' results stay small)."""
    rows: list[tuple[Any, ...]]
    results: list[ChannelResult]
    trends: dict[str, Any]


def score(conn: Connection, scope: Scope, chunk: list[ChannelInput], before: list[ChannelResult]) -> Scored:
    """One chunk scored: its observations read (the rollups already caught up), assessed,
    compared with `before` (the previous assessment's results of these channels)."""
    observations = with_overturned(store.observations_of(conn, scope.profile, chunk, scope.start, scope.end,
                                                         caught_up=True), scope.decided)
    found = assess(scope.profile, chunk, observations)
    changes = {c.channel_id: store.plain(c) for c in compare(found, before)} if scope.compared else {}
    rows = store.result_rows(chunk, found, store.snapshot(observations), changes)
    return Scored(rows, [dataclasses.replace(r, indicators=()) for r in found],
                  {cid: change.get("trend") for cid, change in changes.items()})


def chunked(channels: list[ChannelInput]) -> list[list[ChannelInput]]:
    return [channels[i:i + CHUNK] for i in range(0, len(channels), CHUNK)]


def workers_for(engine: Engine, chunks: int, asked: int | None) -> int:
    """How many worker processes: as asked (0 or 1: none; never more than the chunks), else
    one a core up to MAX_WORKERS when there are MIN_CHUNKS chunks or more (more than 600
    channels). Never where they cannot help or cannot run: an in-memory SQLite database (this
    process's alone), a SQLite file not in WAL mode (its writer would lock the readers out),
    or a daemonic process (a Celery prefork child may not start processes)."""
    if asked is not None and asked <= 1:
        return 0
    if multiprocessing.current_process().daemon:
        return 0
    if engine.url.get_backend_name() == "sqlite" and not _wal(engine):
        return 0
    if asked is not None:
        return min(asked, chunks)
    if chunks < MIN_CHUNKS:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(MAX_WORKERS, cores) if cores > 1 else 0


def _wal(engine: Engine) -> bool:
    if engine.url.database in (None, "", ":memory:"):
        return False
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower() == "wal"


def scored_chunks(conn: Connection, engine: Engine, scope: Scope, chunks: Sequence[list[ChannelInput]],
                  previous: dict[str, ChannelResult], workers: int) -> Iterator[Scored]:
    """The chunks scored, in order: on `conn` when workers is 0, else by that many worker
    processes, at most AHEAD chunks a worker ahead of the consumer."""
    def before(chunk: list[ChannelInput]) -> list[ChannelResult]:
        return [previous[c.channel_id] for c in chunk if c.channel_id in previous]

    if workers == 0:
        for chunk in chunks:
            yield score(conn, scope, chunk, before(chunk))
        return
    url = engine.url.render_as_string(hide_password=False)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(url, scope))
    try:
        pending: deque[Future[Scored]] = deque()
        sent = 0
        while sent < len(chunks) or pending:
            try:
                while sent < len(chunks) and len(pending) < workers * AHEAD:
                    pending.append(pool.submit(_score, chunks[sent], before(chunks[sent])))
                    sent += 1
                done = pending.popleft().result()
            except BrokenProcessPool as exc:  # killed (out of memory, a signal): nothing was stored
                raise MgovError(f"an assessment worker process ended abruptly ({exc}); nothing was stored: "
                                "assess again, with --workers 0 to score in one process") from exc
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER: dict[str, Any] = {}  # a worker process's engine and scope, set once by _start


def _start(url: str, scope: Scope) -> None:
    _WORKER["engine"] = make_engine(url)  # the worker's own: the parent's connections are not shared
    _WORKER["scope"] = scope
    parent = multiprocessing.parent_process()
    if parent is not None:  # a parent killed outright (-9, out of memory) leaves no one to stop the pool
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True, name="mgov-parent-watch").start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _score(chunk: list[ChannelInput], before: list[ChannelResult]) -> Scored:
    engine: Engine = _WORKER["engine"]
    with engine.connect() as conn:
        return score(conn, _WORKER["scope"], chunk, before)
