"""One channel of a run, as a task: what a cluster's worker does for each message it takes,
and what the embedded default can do in its own process the same way.

A worker process keeps one event loop (in a thread of its own, so a pool of threads can run
several channels on it at once) and, for each run it is working on, one open collect context
(client, DNS cache, its own WARC files), the run's checks and its channel selection, so a
task costs the channel's collection and one commit, not a start-up. The commit is the
runner's: the channel's run item, findings and the kind's rows in one transaction, refused
by the database when the channel is stored already (the unique (run, channel) item), so a
task done twice (a worker killed before its acknowledgement, a message delivered again) stores
its channel once.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine

from mgov.checks.base import Check
from mgov.collect.site import CollectContext
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.evidence.site import ChannelFacts
from mgov.runs import index_store, store
from mgov.runs.confirm import RecheckPolicy
from mgov.runs.context import RoutingOptions, open_context
from mgov.runs.judging import Judge, Variants
from mgov.runs.kinds import RunKind, RunSetup, kind_of
from mgov.runs.runner import run_channels
from mgov.runs.select import checks_of

_T = TypeVar("_T")


@dataclass
class OpenRun:
    """What a process holds of the run it is working on."""

    run_id: int
    params: dict[str, Any]
    kind: RunKind
    checks: list[Check]
    variants: Variants
    channels: dict[int, ChannelFacts]
    judge: Judge
    context: CollectContext
    stack: AsyncExitStack = field(default_factory=AsyncExitStack)


class ChannelWork:
    """Channels of runs, in this process (see the module's docstring). Thread-safe: a worker
    with a pool of threads runs several channels at once, all on the one event loop."""

    def __init__(self, engine: Engine, settings: Settings, *, warc_prefix: str = "mgov") -> None:
        self.engine, self.settings, self.warc_prefix = engine, settings, warc_prefix
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runs: dict[int, OpenRun] = {}
        self._users: Counter[int] = Counter()  # channels under way per open run
        self._lock = threading.Lock()  # opening and closing runs, starting the loop

    def _call(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run a coroutine on the process's event loop (a thread of its own) and wait for it."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="mgov-channel-loop", daemon=True)
            self._thread.start()
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def is_done(self, run_id: int, channel_id: int) -> bool:
        with self.engine.connect() as conn:
            return channel_id in store.done_channels(conn, run_id, [channel_id])

    def run(self, run_id: int, channel_id: int, kind: str) -> dict[str, int] | None:
        """Collect, judge and commit one channel of run_id; its status counts, or None when it
        was stored already (by an earlier delivery of the same task, or another worker)."""
        if self.is_done(run_id, channel_id):
            return None
        opened = self._take(run_id, kind)
        try:
            facts = opened.channels.get(channel_id)
            if facts is None:
                raise MgovError(f"channel {channel_id} is not in run {run_id}'s selection (any more)")
            counts: list[dict[str, int]] = []
            try:
                self._call(self._collect(opened, channel_id, facts, counts))
            except MgovError:
                if self.is_done(run_id, channel_id):  # the database refused a second commit: stored once
                    return None
                raise
            return counts[0] if counts else None
        finally:
            with self._lock:
                self._users[run_id] -= 1

    async def _collect(self, opened: OpenRun, channel_id: int, facts: ChannelFacts,
                       counts: list[dict[str, int]]) -> None:
        ctx, todo = opened.context, [(channel_id, facts)]
        if ctx.warc is not None:
            with self.engine.connect() as conn:
                ctx.warc.seed_originals(index_store.originals(conn, [channel_id]))
        with opened.kind.opener(RunSetup(self.engine, self.settings, opened.params, ctx, todo)) as (collect, saver):
            await run_channels(self.engine, opened.run_id, todo, opened.checks, collect,
                               concurrency=opened.kind.concurrency, saver=saver, variants=opened.variants,
                               judge=opened.judge, archive=ctx.warc,
                               recheck=RecheckPolicy(**self.settings.recheck.model_dump()),
                               on_channel=lambda _facts, c: counts.append(c))

    def _take(self, run_id: int, kind: str) -> OpenRun:
        """The open run (opened now if needed; runs no channel uses any more are closed then)."""
        with self._lock:
            opened = self._runs.get(run_id)
            if opened is None:
                for other in [r for r, n in self._users.items() if n <= 0 and r in self._runs]:
                    self._close(self._runs.pop(other))
                opened = self._runs[run_id] = self._open(run_id, kind)
            if opened.kind.name != kind:
                raise MgovError(f"run {run_id} is a {opened.kind.name} run, not a {kind} run")
            self._users[run_id] += 1
            return opened

    def _open(self, run_id: int, kind: str) -> OpenRun:
        with self.engine.connect() as conn:
            params = store.get_run(conn, run_id)["params"]
            run_kind = kind_of(params.get("kind", "scan"))
            if run_kind.name != kind:
                raise MgovError(f"run {run_id} is a {run_kind.name} run, not a {kind} run")
            channels = dict(store.select_channels(conn, org=params["org"], kinds=params["kinds"],
                                                  addresses=params["channels"], allowed=run_kind.channel_kinds,
                                                  verb=run_kind.name))
        checks = checks_of(params)
        variants = params.get("variants") or {}
        collect_settings = run_kind.collect_settings(params) if run_kind.collect_settings is not None else None
        stack = AsyncExitStack()
        context = self._call(stack.enter_async_context(
            open_context(self.settings, RoutingOptions(**params["routing"]), collect_settings,
                         warc_prefix=self.warc_prefix)))
        # A worker judges in a thread: its processes are the cluster's unit of parallelism.
        judge = Judge(checks, {}, variants, process=False)
        return OpenRun(run_id, params, run_kind, checks, variants, channels, judge, context, stack)

    def _close(self, opened: OpenRun) -> None:
        """Its WARC files closed and sealed, its client closed."""
        try:
            self._call(opened.stack.aclose())
        finally:
            opened.judge.close()

    def close(self) -> None:
        with self._lock:
            runs, self._runs = list(self._runs.values()), {}
            try:
                for opened in runs:
                    self._close(opened)
            finally:
                if self._loop is not None:
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    if self._thread is not None:
                        self._thread.join(10)
                    self._loop.close()
                    self._loop = self._thread = None
