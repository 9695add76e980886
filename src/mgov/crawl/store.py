"""Storing a crawl: pages, link graph and link outcomes copied from the crawl's workspace,
and the content history, in the transaction of the channel's findings; and reading back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, func, insert, select

from mgov.collect.linkcheck import DEAD
from mgov.collect.workspace import CrawlWorkspace
from mgov.crawl.collector import CrawlCollector
from mgov.db.tables import CHANNELS, CONTENT_HISTORY, CRAWL_LINKS, CRAWL_PAGES, LINK_OUTCOMES
from mgov.evidence.content import ContentHistory
from mgov.evidence.site import SiteEvidence

BATCH = 5000  # rows per INSERT: the link graph of a big site is streamed, never held whole
T = TypeVar("T")


def _batches(rows: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class KeptCrawl:
    """What a crawl run keeps of a channel until its commit."""

    crawled_on: dt.date
    workspace: CrawlWorkspace | None
    history: ContentHistory | None  # None when the homepage failed: the old history stays


class CrawlSaver:
    """The runner's ChannelSaver for crawl runs: the workspace comes from the collector
    (it is not part of the evidence), the history to keep from the evidence."""

    def __init__(self, collector: CrawlCollector) -> None:
        self.collector = collector

    def keep(self, evidence: SiteEvidence) -> KeptCrawl | None:
        workspace = self.collector.take(evidence.channel.address)
        crawl = evidence.crawl
        if crawl is None:
            if workspace is not None:
                workspace.close()
            return None
        history = crawl.content.history_out if crawl.content is not None and crawl.error is None else None
        return KeptCrawl(crawl.crawled_on, workspace, history)

    def save(self, conn: Connection, run_id: int, channel_id: int, kept: KeptCrawl | None) -> None:
        if kept is None:
            return
        ws = kept.workspace
        if ws is not None:
            for pages in _batches(ws.iter_pages()):
                conn.execute(insert(CRAWL_PAGES), [
                    {"run_id": run_id, "channel_id": channel_id, "url": url, "depth": depth, "status": status,
                     "content_type": (ctype or "")[:200] or None, "ref": ref.as_dict() if ref else None}
                    for url, depth, status, ctype, ref in pages])
            for links in _batches(ws.iter_links()):
                _insert_tuples(conn, _LINKS_INSERT, [
                    (run_id, channel_id, r.source_url, r.target_url, r.anchor or None, r.tag, r.from_home)
                    for r in links])
            for outcomes in _batches(ws.iter_outcomes()):
                conn.execute(insert(LINK_OUTCOMES), [
                    {"run_id": run_id, "channel_id": channel_id, "url": o.url, "outcome": o.outcome,
                     "status": o.status, "final_url": o.final_url, "detail": o.detail,
                     "ref": o.ref.as_dict() if o.ref else None, "checked_at": dt.datetime.fromisoformat(at)}
                    for o, at in outcomes])
        if kept.history is not None:
            conn.execute(delete(CONTENT_HISTORY).where(CONTENT_HISTORY.c.channel_id == channel_id))
            conn.execute(insert(CONTENT_HISTORY).values(channel_id=channel_id, run_id=run_id,
                                                        crawled_on=kept.crawled_on, history=kept.history.as_dict()))

    def release(self, kept: KeptCrawl | None) -> None:
        if kept is not None and kept.workspace is not None:
            kept.workspace.close()
            kept.workspace = None


def histories(conn: Connection, channel_ids: Iterable[int]) -> dict[int, ContentHistory]:
    """The content history of each channel that has one."""
    ids = list(channel_ids)
    out: dict[int, ContentHistory] = {}
    for i in range(0, len(ids), 500):
        for row in conn.execute(select(CONTENT_HISTORY).where(CONTENT_HISTORY.c.channel_id.in_(ids[i:i + 500]))):
            try:
                out[row.channel_id] = ContentHistory.from_dict(row.history)
            except (KeyError, TypeError, ValueError):
                continue  # an unreadable history only costs the comparison, never the crawl
    return out


def dead_links(conn: Connection, run_id: int, *, address: str | None = None,
               limit: int = 1000) -> list[dict[str, Any]]:
    """Dead link targets of a run with the pages that carry them (all pages, not a sample).
    A target no page links to (a homepage that failed) is the crawl's error, not a dead link."""
    query = (select(CHANNELS.c.address, LINK_OUTCOMES.c.channel_id, LINK_OUTCOMES.c.url, LINK_OUTCOMES.c.outcome,
                    LINK_OUTCOMES.c.status, LINK_OUTCOMES.c.detail, LINK_OUTCOMES.c.ref)
             .join(CHANNELS, CHANNELS.c.id == LINK_OUTCOMES.c.channel_id)
             .where(LINK_OUTCOMES.c.run_id == run_id, LINK_OUTCOMES.c.outcome.in_(sorted(DEAD)), _carried(run_id))
             .order_by(CHANNELS.c.address, LINK_OUTCOMES.c.url).limit(limit))
    if address:
        query = query.where(CHANNELS.c.address == address)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        sources = conn.execute(
            select(CRAWL_LINKS.c.source_url, CRAWL_LINKS.c.anchor, CRAWL_LINKS.c.from_home)
            .where(CRAWL_LINKS.c.run_id == run_id, CRAWL_LINKS.c.channel_id == row["channel_id"],
                   CRAWL_LINKS.c.target_url == row["url"]).order_by(CRAWL_LINKS.c.source_url)).all()
        row["pages"] = [{"url": s, "anchor": a, "homepage": bool(h)} for s, a, h in sources]
        row["on_homepage"] = any(h for _, _, h in sources)
        del row["channel_id"]
    return rows


def crawl_counts(conn: Connection, run_id: int) -> dict[str, int]:
    return {"pages": conn.execute(select(func.count()).select_from(CRAWL_PAGES)
                                  .where(CRAWL_PAGES.c.run_id == run_id)).scalar_one(),
            "links": conn.execute(select(func.count()).select_from(CRAWL_LINKS)
                                  .where(CRAWL_LINKS.c.run_id == run_id)).scalar_one(),
            "dead": conn.execute(select(func.count()).select_from(LINK_OUTCOMES)
                                 .where(LINK_OUTCOMES.c.run_id == run_id, LINK_OUTCOMES.c.outcome.in_(sorted(DEAD)),
                                        _carried(run_id))).scalar_one()}


def _carried(run_id: int) -> Any:
    """An outcome some crawled page links to."""
    return (select(CRAWL_LINKS.c.id).where(CRAWL_LINKS.c.run_id == run_id,
                                           CRAWL_LINKS.c.channel_id == LINK_OUTCOMES.c.channel_id,
                                           CRAWL_LINKS.c.target_url == LINK_OUTCOMES.c.url).exists())


# The link graph is a crawl's largest write (700,000 rows for a 20,000-page site): its rows go
# to the driver as tuples, without SQLAlchemy's per-row parameter handling (most of its cost).
_LINKS_INSERT = ("INSERT INTO crawl_links (run_id, channel_id, source_url, target_url, anchor, tag, from_home) "
                 "VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m})")


def _insert_tuples(conn: Connection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    """statement's rows through the driver's executemany ({m}: the driver's placeholder)."""
    if rows:
        conn.exec_driver_sql(statement.format(m="?" if conn.dialect.paramstyle == "qmark" else "%s"), rows)
