"""The search index in the database: the captures still to read, the documents written with
their full-text entries (FTS5 on SQLite, tsvector on PostgreSQL), and the ranked query with
its filters and the reader's scope (docs/archive.md, "Search")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, column, func, literal_column, not_, or_, select, table, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mgov.accounts import Scope
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, CHANNELS, ORGS, SEARCH_DOCUMENTS
from mgov.search.tokens import Term, fts5_match, pg_tsquery

R = ARCHIVE_RECORDS
D = SEARCH_DOCUMENTS
NOTHING = 0  # archive_records.text_id of a capture read that holds no document (an image, a script)
# Captures that are never documents, left out without reading them.
_NOT_DOCUMENTS = ("image/%", "video/%", "audio/%", "font/%", "%css%", "%javascript%", "%ecmascript%", "%json%",
                  "%woff%", "%octet-stream%")
DOCUMENT_COLUMNS = ("record_id", "channel_id", "org_id", "url", "timestamp", "captured_at", "kind", "content_type",
                    "title", "text", "truncated", "tokens")


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def skip_non_documents(conn: Connection) -> int:
    """Marks read the captures that cannot be documents (requests, metadata, errors, media)."""
    mime = func.lower(func.coalesce(R.c.mime, ""))
    never = or_(R.c.record_type.not_in(("response", "resource")), R.c.state != "ok", R.c.url.is_(None),
                not_(func.coalesce(R.c.status, "200").like("2%")), *(mime.like(m) for m in _NOT_DOCUMENTS),
                # XML feeds and data (an xml subtype or +xml suffix), not XHTML; Office Open XML
                # (vnd.openxmlformats-...: DOCX, XLSX) names xml elsewhere and is a document
                and_(or_(mime.like("%/xml%"), mime.like("%+xml%")), not_(mime.like("%html%"))))
    return conn.execute(update(R).where(R.c.text_id.is_(None), never).values(text_id=NOTHING)).rowcount or 0


def pending(conn: Connection, limit: int, after: int = 0) -> list[dict[str, Any]]:
    """Captures not read for search yet, oldest first, with where their bytes are."""
    query = (select(R.c.id, R.c.url, R.c.mime, R.c.timestamp, R.c.captured_at, R.c.record_type, R.c.offset,
                    R.c.length, R.c.channel_id, R.c.org_id, ARCHIVE_FILES.c.name.label("file"))
             .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == R.c.file_id)
             .where(R.c.text_id.is_(None), R.c.id > after).order_by(R.c.id).limit(limit))
    return [dict(r._mapping) for r in conn.execute(query)]


def mark_read(conn: Connection, record_ids: Sequence[int]) -> None:
    """Captures read that hold no document."""
    if record_ids:
        conn.execute(update(R).where(R.c.id.in_(list(record_ids))).values(text_id=NOTHING))


def insert_documents(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Writes documents and their full-text entries, and points their captures at them; how
    many were new. A capture another indexer wrote meanwhile (two crawls' indexing at once) is
    left as that one wrote it."""
    if not rows:
        return 0
    if _postgres(conn):
        # Indexers take turns (a lock held to the commit), and each leaves what another wrote.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('mgov.search.insert_documents'))"))
        have = set(conn.execute(select(D.c.record_id).where(D.c.record_id.in_([r["record_id"] for r in rows])))
                   .scalars())
        rows = [r for r in rows if r["record_id"] not in have]
        names = ", ".join(DOCUMENT_COLUMNS)
        values = ", ".join(f":{c}" for c in DOCUMENT_COLUMNS)
        if rows:
            conn.execute(text(f"INSERT INTO search_documents ({names}, tsv) "  # noqa: S608 - fixed column names
                              f"VALUES ({values}, to_tsvector('simple', :tokens))"), list(rows))
        ids = [r["record_id"] for r in rows]
    else:
        # A row at a time, each skipped when another indexer wrote it (its first insert takes the
        # database's write lock: none is written by another after it).
        ids = [rid for row in rows for rid in conn.execute(
            sqlite_insert(D).on_conflict_do_nothing(index_elements=[D.c.record_id]).returning(D.c.record_id), row)
            .scalars()]
    if not ids:
        return 0
    if not _postgres(conn):
        conn.execute(text("INSERT INTO search_fts (rowid, tokens) SELECT id, tokens FROM search_documents "
                          "WHERE record_id IN :ids").bindparams(bindparam("ids", expanding=True)), {"ids": ids})
    conn.execute(update(R).where(R.c.id.in_(ids))
                 .values(text_id=select(D.c.id).where(D.c.record_id == R.c.id).scalar_subquery()))
    return len(ids)


def rebuild_fulltext(conn: Connection) -> None:
    """The SQLite full-text index rebuilt from the documents (after a bulk load)."""
    if not _postgres(conn):
        conn.execute(text("INSERT INTO search_fts (search_fts) VALUES ('rebuild')"))


@dataclass(frozen=True)
class Filters:
    org_id: int | None = None  # the organization and those below it
    channel_ids: list[int] | None = None
    since: dt.datetime | None = None  # captured at or after
    until: dt.datetime | None = None  # captured before
    kind: str | None = None  # page | attachment
    content_type: str | None = None  # a prefix: application/pdf, text/html


def _subtree(org_id: int) -> Any:
    sub = select(ORGS.c.id).where(ORGS.c.id == org_id).cte("search_orgs", recursive=True)
    child = ORGS.alias("search_child")
    return select(sub.union_all(select(child.c.id).join(sub, child.c.parent_id == sub.c.id)).c.id)


def _conditions(scope: Scope, f: Filters) -> list[Any]:
    conds = [scope.orgs(D.c.org_id)]
    if f.org_id is not None:
        conds.append(D.c.org_id.in_(_subtree(f.org_id)))
    if f.channel_ids is not None:
        conds.append(D.c.channel_id.in_(f.channel_ids))
    if f.since is not None:
        conds.append(D.c.captured_at >= f.since)
    if f.until is not None:
        conds.append(D.c.captured_at < f.until)
    if f.kind is not None:
        conds.append(D.c.kind == f.kind)
    if f.content_type is not None:
        conds.append(D.c.content_type.like(f.content_type.replace("%", "").replace("_", "\\_") + "%", escape="\\"))
    return conds


HIT_COLUMNS = (D.c.id, D.c.record_id, D.c.url, D.c.timestamp, D.c.captured_at, D.c.kind, D.c.content_type,
               D.c.title, D.c.text, D.c.channel_id, D.c.org_id)


def search(conn: Connection, scope: Scope, terms: list[Term], filters: Filters, limit: int,
           candidates: int | None = None) -> list[dict[str, Any]]:
    """The documents matching every term, best first (bm25 on SQLite, ts_rank on PostgreSQL),
    ties by capture time (newest first) then id; at most `limit`. Only ids, times and scores
    are ranked: the columns shown (the text above all) are read for the hits alone.
    candidates: rank only the newest N matches (by id; the same set on both databases), which
    bounds the cost of a term found on most pages; None ranks every match."""
    if not terms:
        return []
    conds = _conditions(scope, filters)
    if _postgres(conn):
        tsv: Any = literal_column("search_documents.tsv")
        query_ts = func.to_tsquery(literal_column("'simple'::regconfig"), pg_tsquery(terms))
        score = func.ts_rank(tsv, query_ts)
        ranked = select(D.c.id, D.c.captured_at, score.label("score"))
        if candidates is None:
            ranked = ranked.where(tsv.op("@@")(query_ts), *conds)
        else:
            newest = (select(D.c.id).where(tsv.op("@@")(query_ts), *conds).order_by(D.c.id.desc())
                      .limit(candidates).subquery("newest"))
            ranked = ranked.join(newest, newest.c.id == D.c.id)
        best = ranked.order_by(score.desc(), D.c.captured_at.desc(), D.c.id.desc()).limit(limit).subquery("best")
    else:
        fts = table("search_fts", column("rowid"))
        score = func.bm25(literal_column("search_fts"))
        matched = (select(D.c.id, D.c.captured_at, (-score).label("score"))
                   .select_from(fts.join(D, D.c.id == fts.c.rowid))
                   .where(literal_column("search_fts").op("MATCH")(fts5_match(terms)), *conds))
        if candidates is not None:
            matched = matched.order_by(fts.c.rowid.desc()).limit(candidates)
        rows = matched.subquery("matched")
        best = (select(rows).order_by(rows.c.score.desc(), rows.c.captured_at.desc(), rows.c.id.desc())
                .limit(limit).subquery("best"))
    query = (select(*HIT_COLUMNS, best.c.score, ORGS.c.code.label("org"), CHANNELS.c.address.label("channel"))
             .join(best, best.c.id == D.c.id)
             .outerjoin(ORGS, ORGS.c.id == D.c.org_id).outerjoin(CHANNELS, CHANNELS.c.id == D.c.channel_id)
             .order_by(best.c.score.desc(), best.c.captured_at.desc(), best.c.id.desc()))
    return [dict(r._mapping) for r in conn.execute(query)]


def count_documents(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(D)).scalar_one())
