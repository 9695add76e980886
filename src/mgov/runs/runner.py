"""Run checks over channels: collect (async, bounded), judge (off the loop), confirm what
may rest on a passing fault (runs.confirm), store (one commit per channel).

The same for every run kind: the kind gives the collector and, when it stores more than
findings, the saver (see runs.kinds)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from mgov.checks.base import Check, Finding
from mgov.collect.client import fresh_connections
from mgov.collect.warc_index import CAPTURE
from mgov.errors import MgovError
from mgov.evidence.site import ChannelFacts
from mgov.runs.commit import GroupCommit, IndexSource
from mgov.runs.confirm import PassTimes, RecheckPolicy, needs_recheck, settle
from mgov.runs.judging import Judge, Variants, error_findings
from mgov.runs.saver import ChannelSaver, Collector

OnChannel = Callable[[ChannelFacts, dict[str, int]], None]


def needs_of(checks: list[Check]) -> set[str]:
    return set().union(*(c.needs for c in checks)) if checks else set()


async def run_channels(engine: Engine, run_id: int, channels: list[tuple[int, ChannelFacts]], checks: list[Check],
                       collect: Collector, *, params: dict[str, dict[str, Any]] | None = None,
                       concurrency: int = 50, on_channel: OnChannel | None = None,
                       saver: ChannelSaver | None = None, variants: Variants | None = None,
                       recheck: RecheckPolicy | None = None, judge: Judge | None = None,
                       archive: IndexSource | None = None) -> PassTimes:
    """Collect and judge the channels not yet done in run_id; each one's findings are
    committed on its own, a channel with a verdict to confirm after its re-check. The records
    archived meanwhile are tagged with the run and channel they were captured for, and the
    archive's index entries (from `archive`, the run's writer) go in with the commits."""
    needs = needs_of(checks)
    policy = recheck or RecheckPolicy()
    own_judge = judge is None
    judge = judge or Judge(checks, params or {}, variants, process=False)
    gate = asyncio.Semaphore(concurrency)
    commits = GroupCommit(engine, run_id, saver, archive)
    waiting: list[asyncio.Task[None]] = []  # channels whose verdicts are being confirmed
    times = PassTimes()

    async def attempt(facts: ChannelFacts, wanted: set[str], only: list[str] | None) -> tuple[list[Finding], Any]:
        kept = None
        try:
            evidence = await collect(facts, wanted)
            kept = saver.keep(evidence) if saver is not None else None
            return await judge(evidence, only), kept
        except MgovError:
            _release(saver, kept)
            raise  # the run's own failure (e.g. the archive cannot be written): stop, resumable
        except Exception as exc:  # noqa: BLE001 - one broken channel must not stop the run
            _release(saver, kept)
            chosen = [c for c in checks if only is None or c.id in only]
            return error_findings(chosen, variants, f"collection failed: {type(exc).__name__}: {exc}", "采集失败"), None

    async def done(channel_id: int, facts: ChannelFacts, findings: list[Finding], kept: Any) -> None:
        counts = await commits.commit(channel_id, findings, kept)
        if on_channel is not None:
            on_channel(facts, counts)

    async def first(channel_id: int, facts: ChannelFacts) -> None:
        CAPTURE.set((run_id, channel_id))  # this task's records (and its re-check's) are this channel's
        async with gate:
            findings, kept = await attempt(facts, needs, None)
        if policy.enabled and needs_recheck(findings):
            # Confirmed apart: after a pause, at low concurrency, over new connections, while
            # the first pass goes on with the other channels.
            times.rechecked += 1
            waiting.append(asyncio.create_task(later(channel_id, facts, findings, kept)))
            return
        await done(channel_id, facts, findings, kept)

    async def later(channel_id: int, facts: ChannelFacts, findings: list[Finding], kept: Any) -> None:
        try:
            await asyncio.sleep(policy.delay)
            ids = needs_recheck(findings)
            async with gate2:
                with fresh_connections():
                    again, kept2 = await attempt(facts, needs_of([c for c in checks if c.id in ids]), ids)
        except BaseException:
            _release(saver, kept)
            raise
        if kept2 is not None:  # the second attempt collected what the saver keeps: it wins
            _release(saver, kept)
            kept = kept2
        settled = settle(findings, again)
        times.findings_rechecked += len(ids)
        times.recovered += sum(1 for a, b in zip(findings, settled, strict=True) if a.recheck and b.status != a.status)
        await done(channel_id, facts, settled, kept)

    gate2 = asyncio.Semaphore(policy.concurrency or max(4, concurrency // 4))
    try:
        started = time.perf_counter()
        await asyncio.gather(*(first(cid, facts) for cid, facts in channels))
        times.first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.gather(*waiting)
        times.recheck_seconds = time.perf_counter() - started  # what the re-checks added after the first pass
        return times
    finally:
        for task in waiting:
            task.cancel()
        commits.cancel()
        if own_judge:
            judge.close()


def _release(saver: ChannelSaver | None, kept: Any) -> None:
    if saver is not None and kept is not None:
        saver.release(kept)
