"""The links of an HTML page: what the crawler follows and the link checker checks.

One pass over the parsed document (selectolax lexbor, as checks/html.py), in document
order, so the cost is linear in the page whatever its number of links. Targets are
canonical (urls.canonical) and distinct per page: a navigation bar repeated three times is
one link per target, with the anchor text of its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mgov.evidence.urls import canonical

LinkTag = Literal["a", "img", "script", "link", "iframe", "embed", "source", "area", "object"]
ANCHOR_MAX = 200
# The attribute that holds each tag's target; document order comes from one selector list.
_ATTR: dict[LinkTag, str] = {"a": "href", "area": "href", "link": "href", "img": "src",
                             "script": "src", "iframe": "src", "embed": "src", "source": "src",
                             "object": "data"}
_TAGS: dict[str, LinkTag] = {tag: tag for tag in _ATTR}  # a parsed tag name, as a LinkTag
_SELECTOR = ",".join(f"{tag}[{attr}]" for tag, attr in _ATTR.items())
# <link> relations that name an origin to warm up, not a resource to load.
_HINTS = frozenset({"preconnect", "dns-prefetch"})
NAVIGATION_TAGS: frozenset[str] = frozenset({"a", "area", "iframe"})  # targets that are pages


@dataclass(frozen=True)
class LinkRef:
    url: str  # canonical
    anchor: str  # visible text (or alt/title), whitespace-folded, at most ANCHOR_MAX chars
    tag: LinkTag


@dataclass
class ExtractedLinks:
    links: list[LinkRef] = field(default_factory=list)  # distinct targets, at most the cap
    total: int = 0  # distinct targets found, including those beyond the cap


def _fold(text: str | None) -> str:
    return " ".join(text.split())[:ANCHOR_MAX] if text else ""


def _anchor(node: LexborNode, tag: str) -> str:
    attrs = node.attributes
    if tag in ("img", "area"):
        return _fold(attrs.get("alt") or attrs.get("title"))
    if tag != "a":
        return _fold(attrs.get("title"))
    text = _fold(node.text(deep=True, separator=" "))
    if text:
        return text
    image = node.css_first("img[alt]")  # an image link: its alt text is its name
    return _fold((image.attributes.get("alt") if image is not None else None) or attrs.get("title"))


def extract_links(html: str, base_url: str, *, cap: int) -> ExtractedLinks:
    """The distinct link targets of a page, resolved against its <base href> (else
    base_url); the first `cap` kept, all counted. Non-links (javascript:, mailto:, tel:,
    data:, malformed URLs) and in-page fragments ("#top", "") are left out."""
    return links_in(LexborHTMLParser(html), base_url, cap=cap)


def links_in(tree: LexborHTMLParser, base_url: str, *, cap: int) -> ExtractedLinks:
    """extract_links on a page parsed already (by whoever also analyses it: one parse a page);
    read before anything is stripped from the tree (a script's src is a link)."""
    base = base_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        href = base_node.attributes.get("href") or ""
        # A relative or broken <base> is resolved against the page, or ignored when unusable.
        base = canonical(href, base=base_url) or base_url
    result = ExtractedLinks()
    found: set[str] = set()
    resolved: dict[str, str | None] = {}  # raw value -> canonical: repeated hrefs are common
    for node in tree.css(_SELECTOR):
        tag = _TAGS[node.tag or ""]  # the selector matches these tags only
        raw = node.attributes.get(_ATTR[tag])
        if raw is None:
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # the page itself
        if tag == "link" and (node.attributes.get("rel") or "").strip().lower() in _HINTS:
            continue
        if stripped in resolved:
            url = resolved[stripped]
        else:
            url = resolved[stripped] = canonical(stripped, base=base)
        if url is None or url in found:
            continue
        found.add(url)
        if len(result.links) < cap:
            result.links.append(LinkRef(url, _anchor(node, tag), tag))
    result.total = len(found)
    return result
