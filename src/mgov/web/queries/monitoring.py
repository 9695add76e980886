"""Scans, findings and the archived evidence behind each finding, within scope."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from mgov.accounts import Scope
from mgov.collect.warc import read_record
from mgov.db.tables import CHANNELS, FINDINGS, SCAN_ITEMS, SCAN_RUNS
from mgov.errors import NotFound
from mgov.web.queries import page, rendered

SHOWN_BYTES = 256 * 1024  # of an archived body shown as text; the rest is counted, not sent
FINDING_COLUMNS = (FINDINGS.c.id, FINDINGS.c.run_id, FINDINGS.c.channel_id, FINDINGS.c.check_id, FINDINGS.c.status,
                   FINDINGS.c.value, FINDINGS.c.message, FINDINGS.c.message_zh, FINDINGS.c.evidence,
                   FINDINGS.c.scan_status, FINDINGS.c.observed_at, FINDINGS.c.variant)


def list_scans(conn: Connection, scope: Scope, *, kind: str | None = None, after: int | None = None,
               limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    """Scan runs, newest first, with how many channels in scope each finished."""
    counted = (select(SCAN_ITEMS.c.run_id, func.count().label("channels"))
               .where(scope.channels(SCAN_ITEMS.c.channel_id)).group_by(SCAN_ITEMS.c.run_id).subquery())
    query = (select(SCAN_RUNS.c.id, SCAN_RUNS.c.kind, SCAN_RUNS.c.status, SCAN_RUNS.c.started_at,
                    SCAN_RUNS.c.finished_at, counted.c.channels)
             .join(counted, counted.c.run_id == SCAN_RUNS.c.id).order_by(SCAN_RUNS.c.id.desc()).limit(limit + 1))
    if kind:
        query = query.where(SCAN_RUNS.c.kind == kind)
    if after:
        query = query.where(SCAN_RUNS.c.id < after)
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def scan_detail(conn: Connection, scope: Scope, run_id: int) -> dict[str, Any]:
    head = conn.execute(select(SCAN_RUNS.c.id, SCAN_RUNS.c.kind, SCAN_RUNS.c.status, SCAN_RUNS.c.started_at,
                               SCAN_RUNS.c.finished_at).where(SCAN_RUNS.c.id == run_id)).first()
    counts = conn.execute(select(FINDINGS.c.status, func.count()).where(
        FINDINGS.c.run_id == run_id, scope.channels(FINDINGS.c.channel_id)).group_by(FINDINGS.c.status)).all()
    if head is None or not counts:
        raise NotFound(f"no scan {run_id}")
    return {**dict(head._mapping), "findings": dict(counts)}


def list_findings(conn: Connection, scope: Scope, *, channel_id: int | None = None, check: str | None = None,
                  status: str | None = None, run_id: int | None = None, after: int | None = None,
                  limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    """Findings newest first (ids descending), filtered."""
    query = (select(*FINDING_COLUMNS, CHANNELS.c.address).join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
             .where(scope.orgs(CHANNELS.c.owner_id)).order_by(FINDINGS.c.id.desc()).limit(limit + 1))
    for column, value in ((FINDINGS.c.channel_id, channel_id), (FINDINGS.c.check_id, check),
                          (FINDINGS.c.status, status), (FINDINGS.c.run_id, run_id)):
        if value is not None:
            query = query.where(column == value)
    if after:
        query = query.where(FINDINGS.c.id < after)
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def finding(conn: Connection, scope: Scope, finding_id: int) -> dict[str, Any]:
    row = conn.execute(select(*FINDING_COLUMNS, CHANNELS.c.address, CHANNELS.c.owner_id)
                       .join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
                       .where(FINDINGS.c.id == finding_id)).first()
    if row is None or not scope.has_org(conn, row.owner_id):
        raise NotFound(f"no finding {finding_id}")
    out = dict(row._mapping)
    out.pop("owner_id")
    return out


def latest_findings(conn: Connection, channel_id: int) -> list[dict[str, Any]]:
    """The channel's findings from its newest scan and newest crawl (the caller checked scope)."""
    runs = conn.execute(select(SCAN_RUNS.c.kind, func.max(SCAN_ITEMS.c.run_id))
                        .join(SCAN_RUNS, SCAN_RUNS.c.id == SCAN_ITEMS.c.run_id)
                        .where(SCAN_ITEMS.c.channel_id == channel_id).group_by(SCAN_RUNS.c.kind)).all()
    if not runs:
        return []
    rows = conn.execute(select(*FINDING_COLUMNS).where(FINDINGS.c.channel_id == channel_id,
                                                       FINDINGS.c.run_id.in_([r[1] for r in runs]))
                        .order_by(FINDINGS.c.check_id, FINDINGS.c.variant)).all()
    order = {"fail": 0, "error": 1, "warn": 2, "pass": 3, "not_applicable": 4}
    return sorted((dict(r._mapping) for r in rows), key=lambda f: (order.get(f["status"], 5), f["check_id"]))


def check_history(conn: Connection, channel_id: int, check: str, limit: int = 30) -> list[dict[str, Any]]:
    """A check's findings for one channel over time, newest first (the caller checked scope)."""
    return [dict(r._mapping) for r in conn.execute(
        select(FINDINGS.c.id, FINDINGS.c.status, FINDINGS.c.observed_at, FINDINGS.c.variant, FINDINGS.c.message,
               FINDINGS.c.message_zh)
        .where(FINDINGS.c.channel_id == channel_id, FINDINGS.c.check_id == check)
        .order_by(FINDINGS.c.id.desc()).limit(limit))]


def _text(payload: bytes, content_type: str | None) -> tuple[str, str]:
    """Bytes as text for display: the declared charset, else UTF-8, else GB18030 (a superset
    of GBK, common on Chinese sites), else Latin-1, which never fails."""
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
    for charset in filter(None, (declared, "utf-8", "gb18030")):
        try:
            return payload.decode(charset), charset
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1"), "latin-1"


def evidence(conn: Connection, scope: Scope, archive_dir: Path, finding_id: int, n: int) -> dict[str, Any]:
    """The n-th archived record a finding was judged on: a response with its status line,
    headers and body as text, or a metadata record (DNS answers, the TLS certificate) as JSON."""
    found = finding(conn, scope, finding_id)
    refs = found["evidence"] or []
    if not 0 <= n < len(refs):
        raise NotFound(f"finding {finding_id} has no evidence {n} (it has {len(refs)})")
    try:
        return record_view(archive_dir, refs[n], {"finding": finding_id, "index": n})
    except (OSError, ValueError, StopIteration) as exc:
        raise NotFound(f"evidence {n} of finding {finding_id} cannot be read from the archive: {exc}") from exc


def record_view(archive_dir: Path, ref: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    """An archived record as pages show it, added to out: a response with its status line,
    headers and body as text, or a metadata record as JSON (OSError, ValueError or
    StopIteration when the archive cannot give it)."""
    record = read_record(archive_dir, ref)
    out |= {"ref": ref, "record_type": record.rec_type, "target_uri": record.warc_header("WARC-Target-URI"),
            "date": record.warc_header("WARC-Date"), "payload_digest": record.warc_header("WARC-Payload-Digest"),
            "size": len(record.payload)}
    if record.rec_type == "metadata":
        try:
            out["facts"] = json.loads(record.payload)
        except ValueError:
            out["text"], out["charset"] = _text(record.payload[:SHOWN_BYTES], None)
        return out
    if record.rec_type in ("resource", "conversion"):  # a screenshot or a DOM snapshot (rendered pages)
        return rendered.resource(out, record)
    out["start_line"] = record.start_line
    out["headers"] = [[k, v] for k, v in record.headers]
    payload, out["content_encoding"] = _decoded(record.payload, record.header("Content-Encoding"))
    out["text"], out["charset"] = _text(payload[:SHOWN_BYTES], record.header("Content-Type"))
    out["truncated"] = len(payload) > SHOWN_BYTES
    return out


def _decoded(payload: bytes, encoding: str | None) -> tuple[bytes, str | None]:
    """The archive keeps the body as sent (content coding included): undo gzip or deflate for
    display, reading at most what is shown plus one byte (a decompression bomb stays small)."""
    coding = (encoding or "").strip().lower()
    if coding not in ("gzip", "x-gzip", "deflate"):
        return payload, encoding
    for wbits in ((31,) if "gzip" in coding else (15, -15)):  # deflate: zlib-wrapped, or raw as some send
        try:
            return zlib.decompressobj(wbits).decompress(payload, SHOWN_BYTES + 1), None
        except zlib.error:
            continue
    return payload, encoding  # not what it claims: shown as it is
