"""One channel of a run, as a task: what a cluster's worker does for each message it takes,
and what the embedded default can do in its own process the same way.

A worker process keeps one event loop and, for the run it is working on, one open collect
context (client, DNS cache, its own WARC files), the run's checks and its channel selection,
so a task costs the channel's collection and one commit, not a start-up. The commit is the
runner's: the channel's run item, findings and the kind's rows in one transaction, refused
by the database when the channel is stored already (the unique (run, channel) item), so a
task done twice (a worker killed before its acknowledgement, a message delivered again) stores
its channel once.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

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
    """Channels of runs, one at a time, in this process (see the module's docstring)."""

    def __init__(self, engine: Engine, settings: Settings, *, warc_prefix: str = "mgov") -> None:
        self.engine, self.settings, self.warc_prefix = engine, settings, warc_prefix
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open: OpenRun | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        return self._loop

    def is_done(self, run_id: int, channel_id: int) -> bool:
        with self.engine.connect() as conn:
            return channel_id in store.done_channels(conn, run_id, [channel_id])

    def run(self, run_id: int, channel_id: int, kind: str) -> dict[str, int] | None:
        """Collect, judge and commit one channel of run_id; its status counts, or None when it
        was stored already (by an earlier delivery of the same task, or another worker)."""
        if self.is_done(run_id, channel_id):
            return None
        opened = self._run_of(run_id, kind)
        facts = opened.channels.get(channel_id)
        if facts is None:
            raise MgovError(f"channel {channel_id} is not in run {run_id}'s selection (any more)")
        counts: list[dict[str, int]] = []
        try:
            self.loop.run_until_complete(self._collect(opened, channel_id, facts, counts))
        except MgovError:
            if self.is_done(run_id, channel_id):  # the database refused a second commit: stored once
                return None
            raise
        return counts[0] if counts else None

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

    def _run_of(self, run_id: int, kind: str) -> OpenRun:
        if self._open is not None and self._open.run_id == run_id:
            return self._open
        self.close_run()
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
        context = self.loop.run_until_complete(stack.enter_async_context(
            open_context(self.settings, RoutingOptions(**params["routing"]), collect_settings,
                         warc_prefix=self.warc_prefix)))
        # A worker process judges in a thread: it is one of several processes of a worker already.
        judge = Judge(checks, {}, variants, process=False)
        self._open = OpenRun(run_id, params, run_kind, checks, variants, channels, judge, context, stack)
        return self._open

    def close_run(self) -> None:
        """Let go of the open run: its WARC files are closed and sealed, its client closed."""
        opened, self._open = self._open, None
        if opened is None:
            return
        try:
            self.loop.run_until_complete(opened.stack.aclose())
        finally:
            opened.judge.close()

    def close(self) -> None:
        try:
            self.close_run()
        finally:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.close()
