"""What a capture says, for comparing two captures: its text as lines (HTML as a reader sees
it, a block per line) and its links, read from the archived record (docs/archive.md,
"Change history")."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from mgov.checks.html import BLOCKS, HIDDEN_TEXT, parse_html
from mgov.collect.body import BodyDecoder, decode_text, is_text
from mgov.collect.warc import read_record
from mgov.evidence.budget import within_budget

MAX_BYTES = 8 << 20  # of a body decoded for comparison; the rest is left out and said so
MAX_RATIO = 200.0


@dataclass
class Content:
    kind: str  # html, text, binary, unreadable
    lines: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # absolute URL -> its first text
    truncated: bool = False
    problem: str | None = None


def read_content(archive_dir: Path, record: dict[str, Any]) -> Content:
    """The text lines and links of an archived response or resource (index row with file,
    offset, length, url)."""
    try:
        archived = read_record(archive_dir, {"file": record["file"], "offset": record["offset"],
                                             "length": record["length"]})
    except (OSError, ValueError, StopIteration) as exc:
        return Content("unreadable", problem=f"cannot be read from the archive: {exc}")
    if archived.rec_type in ("resource", "metadata"):
        content_type = archived.warc_header("Content-Type")
        payload, truncated, problem = archived.payload[:MAX_BYTES], len(archived.payload) > MAX_BYTES, None
    else:
        content_type = archived.header("Content-Type")
        payload, truncated, problem = _decoded(archived.payload, archived.header("Content-Encoding"))
    url = str(record.get("url") or "")
    if problem is not None:
        return Content("unreadable", problem=problem)
    if not is_text(content_type, payload):
        return Content("binary", truncated=truncated)
    text, _charset = decode_text(payload, content_type, truncated)
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if "html" in mime or (not mime and "<html" in text[:2048].lower()):
        return Content("html", html_lines(text), html_links(text, url), truncated)
    return Content("text", [" ".join(line.split()) for line in text.splitlines() if line.strip()], {}, truncated)


def _decoded(payload: bytes, coding: str | None) -> tuple[bytes, bool, str | None]:
    decoder = BodyDecoder(coding, MAX_BYTES, MAX_RATIO, 1 << 20)
    if not decoder.supported:
        return b"", False, f"content-encoding {coding!r} is not one mgov decodes"
    if not decoder.decodes:
        return payload[:MAX_BYTES], len(payload) > MAX_BYTES, None
    decoder.feed(payload)
    problem = decoder.bomb or decoder.error
    return bytes(decoder.out), decoder.truncated, problem


def html_lines(text: str) -> list[str]:
    """The page's text as a reader sees it, one line per block (paragraph, list item, cell,
    heading...), white space folded; script, style, template and noscript left out. Nested
    past the parser's safe depth, flattened first, as every page mgov parses is."""
    text, _ = within_budget(text)
    tree = LexborHTMLParser(text)
    root = tree.body or tree.root
    if root is None:
        return []
    root.strip_tags(HIDDEN_TEXT)
    for node in root.css("img"):
        alt = (node.attributes.get("alt") or "").strip()
        node.replace_with(f" {alt} " if alt else " ")
    for node in root.css("br,hr"):
        node.replace_with("\n")
    for node in root.css(BLOCKS):
        node.insert_before("\n")
        node.insert_after("\n")
    raw = root.text(separator="") or ""
    return [folded for line in raw.split("\n") if (folded := " ".join(line.split()))]


def html_links(text: str, url: str) -> dict[str, str]:
    """The page's links (absolute), each with the first text it is shown with."""
    links: dict[str, str] = {}
    for link in parse_html(text, url).links:
        links.setdefault(link.href, link.text)
    return links
