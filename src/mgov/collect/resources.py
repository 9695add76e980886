"""The subresources a homepage makes a browser load: scripts, stylesheets, images, frames.

Found with selectolax (lexbor), which parses malformed HTML the way browsers do. URLs are
resolved against <base href> and the page URL; http:// ones on an https page are kept, so
that mixed content and third-party cookies show up in the evidence.
"""

from __future__ import annotations

import contextlib

from selectolax.lexbor import LexborHTMLParser
from yarl import URL

SELECTOR = "script[src], link[href], img[src], iframe[src]"


def subresource_urls(html: str, page_url: str, limit: int) -> list[str]:
    """Absolute http(s) URLs of the page's subresources, in document order, unique, at most limit."""
    tree = LexborHTMLParser(html)
    base = URL(page_url)
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        href = (base_node.attributes.get("href") or "").strip()
        with contextlib.suppress(ValueError):  # a broken <base> is ignored, as browsers do
            base = base.join(URL(href)) if href else base
    found: list[str] = []
    seen: set[str] = set()
    for node in tree.css(SELECTOR):
        attrs = node.attributes
        if node.tag == "link":
            rels = (attrs.get("rel") or "").lower().split()
            if "stylesheet" not in rels:
                continue
            raw = attrs.get("href")
        else:
            raw = attrs.get("src")
        url = _absolute(base, raw)
        if url is not None and url not in seen:
            seen.add(url)
            found.append(url)
            if len(found) >= limit:
                break
    return found


def _absolute(base: URL, raw: str | None) -> str | None:
    raw = (raw or "").strip()
    if not raw or raw.lower().startswith(("data:", "javascript:", "about:", "blob:", "mailto:")):
        return None
    try:
        url = base.join(URL(raw))
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.raw_host:
        return None
    return str(url.with_fragment(None))
