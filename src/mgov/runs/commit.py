"""Group commit: channels finished while a commit is under way wait for the next one and go
in together. One transaction holds whole channels only (each one's run item with its
findings and its saver's rows), so a run killed at any moment loses or duplicates nothing.
The archive index entries the run's writer made since the last commit go in with them
(runs.index_store), so a committed finding's records are always in the index."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from mgov.checks.base import Finding
from mgov.collect.warc_index import IndexEntry
from mgov.errors import MgovError
from mgov.runs import index_store, store
from mgov.runs.saver import ChannelSaver

MAX_BATCH = 200  # channels in one transaction at most

_Queued = tuple[int, list[Finding], Any, "asyncio.Future[dict[str, int]]"]


class IndexSource(Protocol):
    """What the run's WARC writer hands over of its index (collect.warc.WarcWriter)."""

    def take_index(self) -> list[tuple[IndexEntry, int]]: ...

    def give_back_index(self, entries: list[tuple[IndexEntry, int]]) -> None: ...


class GroupCommit:
    def __init__(self, engine: Engine, run_id: int, saver: ChannelSaver | None,
                 archive: IndexSource | None = None) -> None:
        self.engine, self.run_id, self.saver, self.archive = engine, run_id, saver, archive
        self._queued: list[_Queued] = []
        self._writer: asyncio.Task[None] | None = None

    async def commit(self, channel_id: int, findings: list[Finding], kept: Any) -> dict[str, int]:
        """Store the channel (its kept saver data is released after); its status counts."""
        fut: asyncio.Future[dict[str, int]] = asyncio.get_running_loop().create_future()
        self._queued.append((channel_id, findings, kept, fut))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await fut

    def cancel(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()

    def _save(self, batch: list[tuple[int, list[Finding], Any]]) -> list[dict[str, int]]:
        indexed = self.archive.take_index() if self.archive is not None else []
        try:
            with self.engine.begin() as conn:
                counts = store.save_channels(conn, self.run_id, [(cid, findings) for cid, findings, _ in batch])
                if self.saver is not None:
                    for cid, _, kept in batch:
                        self.saver.save(conn, self.run_id, cid, kept)
                if indexed:
                    index_store.save_entries(conn, indexed)
                return counts
        except BaseException:
            if indexed and self.archive is not None:
                self.archive.give_back_index(indexed)  # still in the sidecars: the next commit takes them
            raise

    def _guarded(self, batch: list[tuple[int, list[Finding], Any]]) -> list[dict[str, int]]:
        try:
            return self._save(batch)
        except IntegrityError as exc:  # the unique (run, channel) item: someone else stored it
            raise MgovError(f"run {self.run_id}: a channel was stored by another process meanwhile; "
                            "is this run being resumed elsewhere?") from exc

    async def _write(self) -> None:
        while self._queued:
            batch = self._queued[:MAX_BATCH]
            del self._queued[:MAX_BATCH]
            try:
                counts = await asyncio.to_thread(self._guarded, [(cid, f, kept) for cid, f, kept, _ in batch])
            except BaseException as exc:
                for _, _, _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            finally:
                if self.saver is not None:
                    for _, _, kept, _ in batch:
                        self.saver.release(kept)
            for (_, _, _, fut), c in zip(batch, counts, strict=True):
                if not fut.done():
                    fut.set_result(c)
