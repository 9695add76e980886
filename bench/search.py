"""The archive's full-text search against the goal of 100 ms p95 at 1,000,000 captured pages,
on SQLite (FTS5) and PostgreSQL (tsvector + GIN), with the index build time and size.

Generates a corpus of Chinese and English government pages (titles and paragraphs from a
vocabulary of notices, policies, reports, procurement, social assistance; about one page in
five in English) under 200 organizations in a two-level tree, tokenized by mgov.search.tokens
(timed apart), and loads it in bulk into both databases: SQLite rows by executemany, then the
FTS5 index rebuilt in one pass; PostgreSQL by COPY into a staging table, then one INSERT ...
SELECT computing the tsvectors, then the GIN index. Then it runs a query mix through
mgov.search.service.search (the query, the scope and filters, snippets from the stored text,
replay links: what the API does, without HTTP) and prints p50/p95/max per kind of query.

    .venv/bin/python bench/search.py [--pages 200000] [--queries 40] [--pg URL] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from mgov.accounts import Scope
from mgov.db.engine import make_engine, upgrade
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, ORGS, SEARCH_DOCUMENTS
from mgov.search import service, store
from mgov.search.tokens import document_tokens

GOAL_MS = 100.0
ORGS_N = 200
BATCH = 5000
ZH_TERMS = ["低保", "公示", "征收", "政府信息公开", "通知", "关于", "工作", "年度报告", "政策解读", "补贴", "社会保障",
            "住房", "教育", "医疗", "项目", "招标", "采购", "人事任免", "环境保护", "应急管理", "财政预算", "决算",
            "安全生产", "行政许可", "行政处罚", "城乡", "最低生活保障", "标准", "调整", "意见", "征求", "办法",
            "实施", "方案", "统计", "公报", "会议", "领导", "讲话", "街道", "社区", "乡镇", "农业", "农村", "扶贫",
            "就业", "创业", "养老", "保险", "公积金", "税务", "营商环境", "审批", "服务", "窗口", "办理", "指南",
            "信访", "投诉", "建议", "提案", "答复", "规划", "建设", "交通", "水利", "防汛", "疫情", "防控", "食品",
            "药品", "监督", "检查", "结果", "名单", "公告", "中标", "候选人", "土地", "补偿", "安置", "拆迁"]
ZH_FILL = "的一是在了和有为于与及对等将由中以其并按各"
EN_TERMS = ["annual", "report", "public", "notice", "freedom", "information", "act", "housing", "assistance",
            "budget", "procurement", "contract", "award", "hearing", "meeting", "minutes", "policy", "guidance",
            "grant", "program", "application", "deadline", "eminent", "domain", "permit", "inspection", "safety",
            "emergency", "management", "county", "city", "department", "office", "agency", "federal", "state",
            "records", "request", "privacy", "accessibility", "transportation", "water", "environment", "health",
            "education", "workforce", "veterans", "benefits", "tax", "revenue", "audit", "plan", "zoning"]
EN_FILL = ["the", "of", "and", "to", "for", "in", "on", "with", "by", "a", "is", "are", "this", "that"]
QUERIES = {
    "zh 1 char": ["征", "税", "药", "桥", "港"],
    "zh 2 chars": ["低保", "公示", "征收", "养老", "中标"],
    "zh 3-4 chars": ["政府信息公开", "信息公开", "最低生活", "营商环境", "行政处罚"],
    "en word": ["report", "notice", "eminent", "privacy", "zoning"],
    "two terms": ["低保 公示", "annual report", "征收 补偿", "public hearing", "养老 保险"],
    "filtered": ["公示", "notice", "低保", "采购", "budget"],  # with an organization subtree and a year
}


def zh_text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        out.append(rng.choice(ZH_TERMS))
        if rng.random() < 0.5:
            out.append(rng.choice(ZH_FILL))
        if rng.random() < 0.08:
            out.append(rng.choice("，。；、"))
    return "".join(out)


def en_text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(EN_TERMS) if rng.random() < 0.6 else rng.choice(EN_FILL) for _ in range(words))


def page(rng: random.Random, i: int, start: dt.datetime) -> dict[str, Any]:
    english = rng.random() < 0.2
    title = en_text(rng, 6).title() if english else zh_text(rng, 5)
    body = "\n".join(en_text(rng, rng.randint(30, 90)) if english else zh_text(rng, rng.randint(40, 140))
                     for _ in range(rng.randint(2, 5)))
    org = 1 + rng.randrange(ORGS_N)
    when = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
    host = f"agency{org}.example.gov" if english else f"www.dept{org}.gov.cn"
    return {"record_id": i, "channel_id": None, "org_id": org, "url": f"https://{host}/page/{i}.html",
            "timestamp": when.strftime("%Y%m%d%H%M%S"), "captured_at": when, "kind": "page",
            "content_type": "text/html", "title": title, "text": body, "truncated": False}


def registry(engine: Any) -> None:
    with engine.begin() as conn:
        rows = [{"id": o, "code": f"org-{o}", "name_zh": f"机关{o}", "name_en": f"Office {o}", "jurisdiction": "cn",
                 "tier": "agency", "parent_id": None if o <= 10 else 1 + (o % 10)} for o in range(1, ORGS_N + 1)]
        conn.execute(insert(ORGS), rows)
        conn.execute(insert(ARCHIVE_FILES), [{"id": 1, "name": "bench.warc.gz"}])


def records(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": d["record_id"], "file_id": 1, "offset": d["record_id"] * 1000, "length": 900,
             "record_type": "response", "lookup_key": d["url"], "urlkey": d["url"], "timestamp": d["timestamp"],
             "captured_at": d["captured_at"], "url": d["url"], "mime": "text/html", "status": "200",
             "pywb_default": True, "state": "ok", "org_id": d["org_id"], "text_id": d["record_id"], "extra": {}}
            for d in batch]


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(raw: Any, table_name: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join(_copy_text(r[c]) for c in columns) + "\n")
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table_name} ({names}) FROM STDIN") as cp:
        cp.write(buf.getvalue())


class Load:
    def __init__(self, name: str, engine: Any) -> None:
        self.name, self.engine = name, engine
        self.seconds = 0.0
        self.postgres = engine.dialect.name == "postgresql"
        if self.postgres:
            with engine.begin() as conn:
                conn.execute(text("DROP INDEX ix_search_documents_tsv"))
                conn.execute(text("CREATE UNLOGGED TABLE search_staging (LIKE search_documents INCLUDING DEFAULTS)"))
                conn.execute(text("ALTER TABLE search_staging DROP COLUMN tsv"))

    def add(self, batch: list[dict[str, Any]]) -> None:
        started = time.perf_counter()
        if self.postgres:
            raw = self.engine.raw_connection()
            try:
                rec = records(batch)
                copy_rows(raw.driver_connection, "archive_records", list(rec[0]), rec)
                copy_rows(raw.driver_connection, "search_staging", [*store.DOCUMENT_COLUMNS], batch)
                raw.commit()
            finally:
                raw.close()
        else:
            with self.engine.begin() as conn:
                conn.execute(insert(ARCHIVE_RECORDS), records(batch))
                conn.execute(insert(SEARCH_DOCUMENTS), batch)
        self.seconds += time.perf_counter() - started

    def finish(self) -> tuple[float, float]:
        """(load seconds, full-text index build seconds)."""
        started = time.perf_counter()
        with self.engine.begin() as conn:
            if self.postgres:
                cols = ", ".join(store.DOCUMENT_COLUMNS)
                conn.execute(text(f"INSERT INTO search_documents ({cols}, tsv) SELECT {cols}, "  # noqa: S608 - fixed names
                                  "to_tsvector('simple', tokens) FROM search_staging"))
                conn.execute(text("DROP TABLE search_staging"))
                moved = time.perf_counter()
                conn.execute(text("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)"))
            else:
                moved = time.perf_counter()
                store.rebuild_fulltext(conn)
        built = time.perf_counter()
        if self.postgres:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE search_documents"))
        else:
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        return self.seconds + (moved - started), built - moved

    def size(self) -> str:
        with self.engine.connect() as conn:
            if self.postgres:
                table = conn.execute(text("SELECT pg_total_relation_size('search_documents')")).scalar_one()
                gin = conn.execute(text("SELECT pg_relation_size('ix_search_documents_tsv')")).scalar_one()
                return (f"table with text, tokens and tsvector {table / 2**20:.0f} MiB, "
                        f"of which GIN {gin / 2**20:.0f} MiB")
            fts = conn.execute(text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'")).scalar_one()
            docs = conn.execute(text("SELECT sum(pgsize) FROM dbstat WHERE name = 'search_documents'")).scalar_one()
            return f"documents (text, tokens) {docs / 2**20:.0f} MiB, FTS5 index {fts / 2**20:.0f} MiB"


def measure(engine: Any, queries: int, rng: random.Random, candidates: int | None) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {kind: [] for kind in QUERIES}
    year = store.Filters(org_id=1 + rng.randrange(10), since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                         until=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    with engine.connect() as conn:
        for kind, words in QUERIES.items():
            filters = year if kind == "filtered" else store.Filters()
            service.search(conn, Scope(None), words[0], filters, limit=20, candidates=candidates)  # warm
            for n in range(queries):
                query = words[n % len(words)]
                started = time.perf_counter()
                service.search(conn, Scope(None), query, filters, limit=20, candidates=candidates)
                timings[kind].append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=40, help="per kind of query")
    parser.add_argument("--pg", default=os.environ.get("MGOV_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--candidates", type=int, default=1000, help="also measured: only the newest N matches ranked")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mgov-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    schema = f"mgov_bench_search_{uuid.uuid4().hex[:6]}"
    admin = make_engine(args.pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engines = {"SQLite": make_engine(f"sqlite:///{work / 'search.db'}"),
               "PostgreSQL": make_engine(f"{args.pg}?options=-csearch_path%3D{schema}")}
    try:
        loads = {}
        for name, engine in engines.items():
            upgrade(engine)
            registry(engine)
            loads[name] = Load(name, engine)
        rng = random.Random(19)
        start = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
        tokenize = 0.0
        chars = 0
        for first in range(1, args.pages + 1, BATCH):
            batch = [page(rng, i, start) for i in range(first, min(first + BATCH, args.pages + 1))]
            started = time.perf_counter()
            for d in batch:
                d["tokens"] = document_tokens(f"{d['title']}\n{d['text']}")
                chars += len(d["text"])
            tokenize += time.perf_counter() - started
            for load in loads.values():
                load.add(batch)
            if first % 50_000 == 1:
                print(f"  loaded {first + len(batch) - 1:,} pages", flush=True)
        print(f"{args.pages:,} pages, {chars / args.pages:.0f} characters of text a page on average; "
              f"tokenizing took {tokenize:.1f} s ({args.pages / tokenize:,.0f} pages/s)")
        print(f"{dt.date.today()}, {platform.node()} ({platform.machine()}, {os.cpu_count()} cores), "
              f"load average {os.getloadavg()[0]:.1f}")
        rng = random.Random(2026)
        for name, load in loads.items():
            loaded, built = load.finish()
            print(f"\n{name}: load {loaded:.1f} s, full-text index build {built:.1f} s; {load.size()}")
            print(f"| database | ranked | query | example | p50 ms | p95 ms | max ms | p95 vs {GOAL_MS:.0f} ms |")
            print("|---|---|---|---|---|---|---|---|")
            for candidates in (None, args.candidates):
                ranked = "every match" if candidates is None else f"newest {candidates:,}"
                for kind, values in measure(load.engine, args.queries, rng, candidates).items():
                    print(f"| {name} | {ranked} | {kind} | {QUERIES[kind][0]} | {statistics.median(values):.1f} | "
                          f"{p95(values):.1f} | {max(values):.1f} | {p95(values) / GOAL_MS:.2f} |", flush=True)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        for engine in engines.values():
            engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
