"""CrawlWorkspace: one site's crawl state in a scratch SQLite file, so memory stays flat.

The frontier, the seen-set, the link graph, the link outcomes and the page list of a crawl
grow with the site; here they live on disk, each with a small bounded part in memory (the
head of the frontier, a cache of recently seen URLs, a batch of rows waiting to be
written). The file is scratch, deleted by close(): no WAL, no journal, no fsync.
Single-threaded: used from the event loop thread only (each call is short).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from mgov.collect.linkcheck import DEAD, LinkOutcome
from mgov.collect.links import LinkRef
from mgov.collect.spill import SpillQueue
from mgov.evidence.crawl import DeadLink
from mgov.evidence.exchange import WarcRef

SCHEMA = """
CREATE TABLE frontier (seq INTEGER PRIMARY KEY, depth INTEGER NOT NULL, url TEXT NOT NULL);
CREATE INDEX frontier_order ON frontier (depth, seq);
CREATE TABLE checks (seq INTEGER PRIMARY KEY, depth INTEGER NOT NULL, url TEXT NOT NULL);
CREATE INDEX checks_order ON checks (depth, seq);
CREATE TABLE seen (url TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE parsed (url TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE variants (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE links (source_url TEXT NOT NULL, target_url TEXT NOT NULL, anchor TEXT NOT NULL,
                    tag TEXT NOT NULL, from_home INTEGER NOT NULL);
CREATE INDEX links_target ON links (target_url);
CREATE TABLE outcomes (url TEXT PRIMARY KEY, outcome TEXT NOT NULL, status INTEGER,
                       final_url TEXT, detail TEXT, ref_file TEXT, ref_offset INTEGER,
                       ref_length INTEGER, checked_at TEXT NOT NULL);
CREATE TABLE pages (url TEXT PRIMARY KEY, depth INTEGER NOT NULL, status INTEGER,
                    content_type TEXT, ref_file TEXT, ref_offset INTEGER, ref_length INTEGER);
"""
# The dead outcome names as an SQL list: built from fixed names, never from outside input.
_DEAD_SQL = ",".join(f"'{c}'" for c in sorted(DEAD))


@dataclass(frozen=True)
class LinkRow:
    source_url: str
    target_url: str
    anchor: str
    tag: str
    from_home: bool


def _outcome(row: tuple[Any, ...]) -> LinkOutcome:
    """A LinkOutcome from an outcomes row (SELECT *)."""
    url, cls, status, final, detail, file, offset, length, _ = row
    ref = WarcRef(file, offset, length) if file is not None else None
    return LinkOutcome(url, cls, status, final, detail, ref)


class CrawlWorkspace:
    """The scratch state of one site's crawl (see the module docstring)."""

    def __init__(self, directory: str | Path | None = None, *, head_size: int = 1000,
                 seen_cache: int = 20_000, batch: int = 1000) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="mgov-crawl-", dir=directory))
        self.path = self._dir / "crawl.sqlite"
        # isolation_level=None: no implicit transactions; batches make their own.
        # check_same_thread=False: the crawl writes on the event loop's thread, the scan's
        # commit copies the finished workspace from a worker thread, never both at once.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE",
                       "cache_size=-4096"):  # 4 MiB of page cache: memory stays bounded
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(SCHEMA)
        self.frontier = SpillQueue(self._db, "frontier", head_size)
        self.checks = SpillQueue(self._db, "checks", head_size)  # targets for the link checker
        self._seen: OrderedDict[str, None] = OrderedDict()  # LRU of the seen table
        self._seen_cache = seen_cache
        self._batch = batch
        self._links: list[tuple[str, str, str, str, int]] = []
        self._outcomes: list[tuple[Any, ...]] = []

    # -- crawl state --------------------------------------------------------------------

    def add_seen(self, url: str) -> bool:
        """Mark url seen; True when it was not seen before."""
        if url in self._seen:
            self._seen.move_to_end(url)
            return False
        new = self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (url,)).rowcount == 1
        self._seen[url] = None
        if len(self._seen) > self._seen_cache:
            self._seen.popitem(last=False)
        return new

    def is_seen(self, url: str) -> bool:
        return url in self._seen or self._db.execute(
            "SELECT 1 FROM seen WHERE url = ?", (url,)).fetchone() is not None

    def mark_parsed(self, url: str) -> bool:
        """Mark a page's final URL parsed; True the first time (two URLs redirecting to
        one page must not record its links twice)."""
        return self._db.execute("INSERT OR IGNORE INTO parsed VALUES (?)", (url,)).rowcount == 1

    def add_variant(self, key: str) -> int:
        """Count one more query variant of a path; returns how many there are now."""
        row = self._db.execute("INSERT INTO variants VALUES (?, 1) ON CONFLICT (key) DO UPDATE "
                               "SET n = n + 1 RETURNING n", (key,)).fetchone()
        return int(row[0])

    # -- results ------------------------------------------------------------------------

    def add_links(self, source_url: str, links: Iterable[LinkRef], from_home: bool) -> None:
        """The link graph rows of one page, written in batches."""
        self._links.extend((source_url, x.url, x.anchor, x.tag, int(from_home)) for x in links)
        if len(self._links) >= self._batch:
            self._flush_links()

    def record_outcome(self, outcome: LinkOutcome, checked_at: dt.datetime | None = None) -> None:
        """A target's outcome; the first recorded for a URL stands (one row per target)."""
        ref = outcome.ref
        when = (checked_at or dt.datetime.now(dt.UTC)).isoformat()
        self._outcomes.append((outcome.url, outcome.outcome, outcome.status, outcome.final_url,
                               outcome.detail, ref.file if ref else None,
                               ref.offset if ref else None, ref.length if ref else None, when))
        if len(self._outcomes) >= self._batch:
            self._flush_outcomes()

    def add_page(self, url: str, depth: int, status: int | None, content_type: str | None,
                 ref: WarcRef | None = None) -> None:
        self._db.execute("INSERT OR IGNORE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (url, depth, status, content_type, ref.file if ref else None,
                          ref.offset if ref else None, ref.length if ref else None))

    def _write(self, sql: str, rows: list[Any]) -> None:
        self._db.execute("BEGIN")
        self._db.executemany(sql, rows)
        self._db.execute("COMMIT")

    def _flush_links(self) -> None:
        if self._links:
            self._write("INSERT INTO links VALUES (?, ?, ?, ?, ?)", self._links)
            self._links = []

    def _flush_outcomes(self) -> None:
        if self._outcomes:
            self._write("INSERT OR IGNORE INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        self._outcomes)
            self._outcomes = []

    def flush(self) -> None:
        self._flush_links()
        self._flush_outcomes()

    # -- queries ------------------------------------------------------------------------

    def outcome(self, url: str) -> LinkOutcome | None:
        self.flush()
        row = self._db.execute("SELECT * FROM outcomes WHERE url = ?", (url,)).fetchone()
        return _outcome(row) if row else None

    def dead_links(self, limit: int, *, sources: int = 10) -> list[DeadLink]:
        """Dead link targets, those on the homepage first, then the most linked; each with
        up to `sources` of the pages linking to it (the homepage first)."""
        self.flush()
        rows = self._db.execute(
            "SELECT o.url, o.outcome, o.status, o.detail, SUM(l.from_home), SUM(1 - l.from_home) "  # noqa: S608 - _DEAD_SQL is fixed names
            f"FROM outcomes o JOIN links l ON l.target_url = o.url WHERE o.outcome IN ({_DEAD_SQL}) "
            "GROUP BY o.url ORDER BY SUM(l.from_home) DESC, COUNT(*) DESC, o.url LIMIT ?",
            (limit,)).fetchall()
        return [DeadLink(url, outcome, status, detail, [
            (s, a, bool(h)) for s, a, h in self._db.execute(
                "SELECT source_url, anchor, from_home FROM links WHERE target_url = ? "
                "ORDER BY from_home DESC, rowid LIMIT ?", (url, sources))], int(home), int(other))
            for url, outcome, status, detail, home, other in rows]

    def counts(self) -> dict[str, Any]:
        """pages, links (rows), targets (distinct), dead (distinct dead targets linked),
        dead_home / dead_other (distinct dead targets linked from the homepage / from other
        pages: a target on both counts in both), by_outcome (outcome rows per class)."""
        self.flush()
        dead = ("SELECT COUNT(DISTINCT l.target_url) FROM links l JOIN outcomes o "  # noqa: S608 - _DEAD_SQL is fixed names
                f"ON o.url = l.target_url WHERE o.outcome IN ({_DEAD_SQL})")
        return {
            "pages": self._one("SELECT COUNT(*) FROM pages"),
            "links": self._one("SELECT COUNT(*) FROM links"),
            "targets": self._one("SELECT COUNT(DISTINCT target_url) FROM links"),
            "dead": self._one(dead),
            "dead_home": self._one(dead + " AND l.from_home = 1"),
            "dead_other": self._one(dead + " AND l.from_home = 0"),
            "by_outcome": dict(self._db.execute(
                "SELECT outcome, COUNT(*) FROM outcomes GROUP BY outcome ORDER BY outcome").fetchall()),
        }

    def _one(self, sql: str) -> int:
        return int(self._db.execute(sql).fetchone()[0] or 0)

    def iter_links(self) -> Iterator[LinkRow]:
        """Every link graph row, streamed (for bulk copy into the main database)."""
        self.flush()
        for s, t, a, tag, h in self._db.execute("SELECT * FROM links ORDER BY rowid"):
            yield LinkRow(s, t, a, tag, bool(h))

    def iter_outcomes(self) -> Iterator[tuple[LinkOutcome, str]]:
        """Every outcome row with its checked_at (ISO 8601), streamed; refs as WarcRef."""
        self.flush()
        for row in self._db.execute("SELECT * FROM outcomes ORDER BY url"):
            yield _outcome(row), row[8]

    def iter_pages(self) -> Iterator[tuple[str, int, int | None, str | None, WarcRef | None]]:
        """(url, depth, status, content_type, ref) of every page fetched, in crawl order."""
        for url, depth, status, ctype, file, offset, length in self._db.execute(
                "SELECT url, depth, status, content_type, ref_file, ref_offset, ref_length FROM pages ORDER BY rowid"):
            yield url, depth, status, ctype, (WarcRef(file, offset, length) if file is not None else None)

    def links_like(self, anchors: Iterable[str], urls: Iterable[str],
                   limit: int = 200) -> list[tuple[str, str, str, bool, int | None]]:
        """(source, target, anchor, from_home, source depth) of the <a> links whose anchor or
        target is LIKE one of the patterns (the privacy notice's candidates), nearest the
        homepage first."""
        self.flush()
        anchors, urls = list(anchors), list(urls)
        where = " OR ".join(["l.anchor LIKE ?"] * len(anchors) + ["l.target_url LIKE ?"] * len(urls)) or "0"
        rows = self._db.execute(
            "SELECT l.source_url, l.target_url, l.anchor, l.from_home, p.depth FROM links l "  # noqa: S608 - placeholders only
            f"LEFT JOIN pages p ON p.url = l.source_url WHERE l.tag = 'a' AND ({where}) "
            "ORDER BY l.from_home DESC, COALESCE(p.depth, 99), l.rowid LIMIT ?", (*anchors, *urls, limit)).fetchall()
        return [(s, t, a, bool(h), None if d is None else int(d)) for s, t, a, h, d in rows]

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Close and delete the file (idempotent)."""
        try:
            self._db.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
