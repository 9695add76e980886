"""A capture's document as search keeps it: read once from the archived record, its title
and text (an HTML page as a reader sees it; an attachment through the personal-data scan's
readers: PDF, DOCX, XLSX, XLS, CSV, text), capped (docs/archive.md, "Search")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from mgov.archive.history_text import _decoded, html_lines
from mgov.collect.body import decode_text
from mgov.collect.warc_read import read_record
from mgov.privacy.extract import Unsupported, extract, sniff

MAX_TEXT = 100_000  # characters of a document's text kept and indexed
MAX_TITLE = 500
ATTACHMENTS = frozenset({"pdf", "docx", "xlsx", "xls", "et", "csv"})


@dataclass
class Document:
    kind: str  # page | attachment
    content_type: str | None
    title: str | None
    text: str
    truncated: bool


def read_document(archive_dir: Path, row: dict[str, Any]) -> Document | None:
    """The document a capture holds, or None (not a page or a readable attachment, or empty).
    Raises OSError or ValueError when the record cannot be read."""
    archived = read_record(archive_dir, {"file": row["file"], "offset": row["offset"], "length": row["length"]})
    if archived.rec_type == "resource":
        content_type = archived.warc_header("Content-Type")
        payload, truncated = archived.payload, False
    else:
        content_type = archived.header("Content-Type")
        payload, truncated, problem = _decoded(archived.payload, archived.header("Content-Encoding"))
        if problem is not None:
            return None
    mime = (content_type or row.get("mime") or "").split(";", 1)[0].strip().lower() or None
    url = str(row["url"])
    if mime is not None and "html" in mime:
        markup, _charset = decode_text(payload, content_type, truncated)
        return _page(markup, mime, truncated)
    path = url.split("#", 1)[0].split("?", 1)[0]
    ext = path.rsplit("/", 1)[-1].rpartition(".")[2] if "." in path.rsplit("/", 1)[-1] else ""
    fmt = sniff(payload, ext)
    if fmt == "html":
        markup, _charset = decode_text(payload, content_type, truncated)
        return _page(markup, mime or "text/html", truncated)
    if fmt not in ATTACHMENTS and not (fmt == "text" and mime == "text/plain" and not url.endswith("/robots.txt")):
        return None
    try:
        found = extract(payload, ext, max_chars=MAX_TEXT)
    except (Unsupported, ValueError, OSError, KeyError, RuntimeError):
        return None
    body = found.text.strip()
    if not body:
        return None
    return Document("attachment", mime, None, body, truncated or found.partial is not None)


def _page(markup: str, mime: str, truncated: bool) -> Document | None:
    tree = LexborHTMLParser(markup)
    node = tree.css_first("title")
    title = " ".join((node.text() if node is not None else "").split())[:MAX_TITLE] or None
    body = "\n".join(html_lines(markup))
    if not body and not title:
        return None
    cut = len(body) > MAX_TEXT
    return Document("page", mime, title, body[:MAX_TEXT], truncated or cut)


def captured_at(row: dict[str, Any]) -> dt.datetime:
    """When the capture was made (the index's time, else its 14-digit timestamp), in UTC."""
    value = row.get("captured_at")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.strptime(str(row["timestamp"]).ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
