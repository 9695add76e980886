"""Run checks over channels: collect (async, bounded), judge (pure), store (one commit per channel).

The same for every run kind: the kind gives the collector and, when it stores more than
findings, the saver (see runs.kinds)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from mgov.checks.base import Check, Finding, Status, params_variant
from mgov.errors import MgovError
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import ChannelFacts, SiteEvidence
from mgov.runs import store

Collector = Callable[[ChannelFacts, set[str]], Awaitable[SiteEvidence]]
OnChannel = Callable[[ChannelFacts, dict[str, int]], None]
MAX_BATCH = 200  # channels in one transaction at most


class ChannelSaver(Protocol):
    """More of a channel to store in the transaction of its findings (a crawl's link graph)."""

    def keep(self, evidence: SiteEvidence) -> Any:
        """What to hold until the commit, taken when the channel's evidence arrives (the
        evidence itself is let go once judged)."""

    def save(self, conn: Connection, run_id: int, channel_id: int, kept: Any) -> None: ...

    def release(self, kept: Any) -> None:
        """After the commit, or when it failed: free what keep() held (temporary files)."""


def needs_of(checks: list[Check]) -> set[str]:
    return set().union(*(c.needs for c in checks)) if checks else set()


Variants = dict[str, list[dict[str, Any]]]  # check id -> parameter sets of a profile ({}: the check's own)


def judge(evidence: SiteEvidence, checks: list[Check], params: dict[str, dict[str, Any]],
          variants: Variants | None = None) -> list[Finding]:
    """Each check's finding; a check with variants yields one per parameter set, marked."""
    out = []
    for c in checks:
        for extra in (variants or {}).get(c.id) or [{}]:
            f = c.run(evidence, {**params.get(c.id, {}), **extra})
            out.append(dataclasses.replace(f, variant=params_variant(extra)) if extra else f)
    return out


async def run_channels(engine: Engine, run_id: int, channels: list[tuple[int, ChannelFacts]], checks: list[Check],
                   collect: Collector, *, params: dict[str, dict[str, Any]] | None = None,
                   concurrency: int = 50, on_channel: OnChannel | None = None,
                   saver: ChannelSaver | None = None, variants: Variants | None = None) -> None:
    """Collect and judge the channels not yet done in run_id; each one's findings are committed on its own."""
    needs = needs_of(checks)
    params = params or {}
    gate = asyncio.Semaphore(concurrency)
    # Group commit: channels finished while a commit is under way wait for the next one and
    # go in together. One transaction holds whole channels only (each one's scan item with
    # its findings), so a run killed at any moment still loses or duplicates nothing.
    queued: list[tuple[int, list[Finding], Any, asyncio.Future[dict[str, int]]]] = []
    writer: asyncio.Task[None] | None = None

    def save(batch: list[tuple[int, list[Finding], Any]]) -> list[dict[str, int]]:
        try:
            with engine.begin() as conn:
                counts = store.save_channels(conn, run_id, [(cid, findings) for cid, findings, _ in batch])
                if saver is not None:
                    for cid, _, kept in batch:
                        saver.save(conn, run_id, cid, kept)
                return counts
        except IntegrityError as exc:  # the unique (run, channel) item: someone else stored it
            raise MgovError(f"run {run_id}: a channel was stored by another process meanwhile; "
                            "is this run being resumed elsewhere?") from exc

    async def write() -> None:
        while queued:
            batch = queued[:MAX_BATCH]
            del queued[:MAX_BATCH]
            try:
                counts = await asyncio.to_thread(save, [(cid, findings, kept) for cid, findings, kept, _ in batch])
            except BaseException as exc:
                for _, _, _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            finally:
                if saver is not None:
                    for _, _, kept, _ in batch:
                        saver.release(kept)
            for (_, _, _, fut), c in zip(batch, counts, strict=True):
                if not fut.done():
                    fut.set_result(c)

    async def commit(channel_id: int, findings: list[Finding], kept: Any) -> dict[str, int]:
        nonlocal writer
        fut: asyncio.Future[dict[str, int]] = asyncio.get_running_loop().create_future()
        queued.append((channel_id, findings, kept, fut))
        if writer is None or writer.done():
            writer = asyncio.create_task(write())
        return await fut

    async def one(channel_id: int, facts: ChannelFacts) -> None:
        kept = None
        async with gate:
            try:
                evidence = await collect(facts, needs)
                kept = saver.keep(evidence) if saver is not None else None
                findings = judge(evidence, checks, params, variants)
                del evidence
            except MgovError:
                _release(saver, kept)
                raise  # the scan's own failure (e.g. the archive cannot be written): stop, resumable
            except Exception as exc:  # noqa: BLE001 - one broken channel must not stop the run
                _release(saver, kept)
                kept = None
                findings = [Finding(c.id, Status.ERROR, message=f"collection failed: {type(exc).__name__}: {exc}",
                                    message_zh="采集失败", scan_status=ScanStatus.UNKNOWN_ERROR,
                                    variant=params_variant(extra))
                            for c in checks for extra in (variants or {}).get(c.id) or [{}]]
        counts = await commit(channel_id, findings, kept)
        if on_channel is not None:
            on_channel(facts, counts)

    try:
        await asyncio.gather(*(one(cid, facts) for cid, facts in channels))
    finally:
        if writer is not None and not writer.done():
            writer.cancel()


def _release(saver: ChannelSaver | None, kept: Any) -> None:
    if saver is not None and kept is not None:
        saver.release(kept)
