"""Search of the records archive (docs/archive.md, "Search"): captures indexed from the
archive's index (each read once: after a crawl commits, or by `mgov archive search
--reindex` for captures from before the search and imported WARCs), and queries answered
within a reader's scope with snippets and replay links."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from mgov.accounts import Scope
from mgov.archive.replay_links import PER_ORG, replay_url
from mgov.search import store
from mgov.search.extract import captured_at, read_document
from mgov.search.snippets import snippet
from mgov.search.tokens import document_tokens, parse_query

log = logging.getLogger(__name__)
BATCH = 200  # captures read per transaction
MAX_LIMIT = 200


@dataclass
class IndexCounts:
    indexed: int = 0  # documents added
    skipped: int = 0  # captures that hold no document
    unreadable: int = 0  # captures whose bytes could not be read
    errors: list[str] = field(default_factory=list)


def index_pending(engine: Engine, archive_dir: Path) -> IndexCounts:
    """Reads every capture not read for search yet and indexes the pages and attachments
    among them, a batch per transaction (a crash loses at most a batch, read again later).
    Two indexers at once (two crawls ending together) each index what the other has not."""
    counts = IndexCounts()
    with engine.begin() as conn:
        counts.skipped += store.skip_non_documents(conn)
    after = 0
    while True:
        # Read, then write in a transaction of its own: the files are read with no lock held,
        # and what another indexer wrote meanwhile is left as it wrote it.
        with engine.connect() as conn:
            rows = store.pending(conn, BATCH, after)
        if not rows:
            return counts
        documents, nothing = [], []
        for row in rows:
            try:
                doc = read_document(archive_dir, row)
            except (OSError, ValueError, StopIteration) as exc:
                counts.unreadable += 1
                if len(counts.errors) < 20:
                    counts.errors.append(f"{row['file']}@{row['offset']}: {exc}")
                nothing.append(row["id"])
                continue
            if doc is None:
                counts.skipped += 1
                nothing.append(row["id"])
                continue
            documents.append({"record_id": row["id"], "channel_id": row["channel_id"], "org_id": row["org_id"],
                              "url": row["url"], "timestamp": row["timestamp"], "captured_at": captured_at(row),
                              "kind": doc.kind, "content_type": doc.content_type, "title": doc.title,
                              "text": doc.text, "truncated": doc.truncated,
                              "tokens": document_tokens(f"{doc.title or ''}\n{doc.text}")})
        with engine.begin() as conn:
            counts.indexed += store.insert_documents(conn, documents)
            store.mark_read(conn, nothing)
        after = rows[-1]["id"]


def search(conn: Connection, scope: Scope, query: str, filters: store.Filters, *, limit: int = 20,
           replay_mode: str = PER_ORG, candidates: int | None = None) -> list[dict[str, Any]]:
    """The hits of a query in scope, best first: where and when each was captured, its title,
    a snippet with the terms marked, and its replay link."""
    terms = parse_query(query)
    hits = store.search(conn, scope, terms, filters, max(1, min(limit, MAX_LIMIT)), candidates)
    for hit in hits:
        found = snippet(hit.pop("text"), terms)
        hit["snippet"], hit["marks"] = found.text, [list(m) for m in found.marks]
        hit["parts"] = found.parts()
        hit["replay"] = replay_url({"url": hit["url"], "timestamp": hit["timestamp"], "org_id": hit["org_id"],
                                    "org": hit["org"], "record_type": "response"}, replay_mode)
    return hits
