"""Run checks over channels: collect (async, bounded), judge (pure), store (one commit per channel)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine

from mgov.checks.base import Check, Finding, Status
from mgov.collect.evidence import ChannelFacts, ScanStatus, SiteEvidence
from mgov.scan import store

Collector = Callable[[ChannelFacts, set[str]], Awaitable[SiteEvidence]]
OnChannel = Callable[[ChannelFacts, dict[str, int]], None]


def needs_of(checks: list[Check]) -> set[str]:
    return set().union(*(c.needs for c in checks)) if checks else set()


def judge(evidence: SiteEvidence, checks: list[Check], params: dict[str, dict[str, Any]]) -> list[Finding]:
    return [c.run(evidence, params.get(c.id)) for c in checks]


async def run_scan(engine: Engine, run_id: int, channels: list[tuple[int, ChannelFacts]], checks: list[Check],
                   collect: Collector, *, params: dict[str, dict[str, Any]] | None = None,
                   concurrency: int = 50, on_channel: OnChannel | None = None) -> None:
    """Scan the channels not yet done in run_id; each one's findings are committed on its own."""
    needs = needs_of(checks)
    params = params or {}
    gate = asyncio.Semaphore(concurrency)
    writing = asyncio.Lock()  # one writer: SQLite takes one at a time anyway

    def save(channel_id: int, findings: list[Finding]) -> dict[str, int]:
        with engine.begin() as conn:
            return store.save_channel(conn, run_id, channel_id, findings)

    async def one(channel_id: int, facts: ChannelFacts) -> None:
        async with gate:
            try:
                evidence = await collect(facts, needs)
                findings = judge(evidence, checks, params)
            except Exception as exc:  # noqa: BLE001 - one broken channel must not stop the run
                findings = [Finding(c.id, Status.ERROR, message=f"collection failed: {type(exc).__name__}: {exc}",
                                    message_zh="采集失败", scan_status=ScanStatus.UNKNOWN_ERROR) for c in checks]
        async with writing:
            counts = await asyncio.to_thread(save, channel_id, findings)
        if on_channel is not None:
            on_channel(facts, counts)

    await asyncio.gather(*(one(cid, facts) for cid, facts in channels))
