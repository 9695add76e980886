"""Helpers shared by the page analysers: selectors for page regions, URL and host tests,
inline-style hiding, and text collection that skips chosen subtrees without mutating the
tree (a decomposed node would leave dangling references behind)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from mgov.evidence.urls import join_url


def _attr_sel(*words: str, tags: Iterable[str] = ()) -> str:
    # html/body excluded: a body class such as "has-navbar" must not swallow the page.
    parts = [*tags]
    for w in words:
        parts += [f'[class*="{w}" i]:not(html):not(body)', f'[id*="{w}" i]:not(html):not(body)']
    return ", ".join(parts)


NAV_BLOCKS = _attr_sel("nav", "menu", "daohang", tags=("nav",))
NAV_LINKS = ", ".join(f"{s} a[href]" for s in NAV_BLOCKS.split(", ")) + ', a[href][class*="nav" i]'
FOOTER_BLOCKS = _attr_sel("footer", "bottom", "foot", tags=("footer",))
FOOTER_LINKS = ", ".join(f"{s} a[href]" for s in FOOTER_BLOCKS.split(", "))
HEADER_BLOCKS = _attr_sel("header", "top", "logo", tags=("header",))
# Blocks whose content changes by design (news, scrolling notices, slide shows).
DYNAMIC_BLOCKS = _attr_sel("news", "list", "notice", "scroll", "marquee", "banner", "slide", tags=("marquee",))
# Breadcrumbs and pagers stay on an empty column page; they are not content.
CHROME_BLOCKS = _attr_sel("crumb", "position", "location", "weizhi", "pagination", "pager", "fenye", "paging")

NOT_LINKS = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "vbscript:")


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def link_host(href: str, base_host: str) -> str:
    """The host a link points to, without joining: relative links stay on the base host."""
    head = href[:8].lower()
    if head.startswith(("http://", "https://", "//")):
        return host_of(href if not href.startswith("//") else "http:" + href)
    if ":" in href.split("/", 1)[0]:  # another scheme (ftp:, weixin:...): no web host
        return ""
    return base_host


def same_host(a: str, b: str) -> bool:
    return a.removeprefix("www.") == b.removeprefix("www.")


def site_of(host: str) -> str:
    """A rough registrable domain: three labels under two-part suffixes common for
    governments (gov.cn, com.cn, gov.uk...), else two."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in ("gov", "com", "org", "net", "edu", "ac", "co"):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def squash(text: str) -> str:
    return " ".join(text.split())


def anchor_text(a: LexborNode) -> str:
    """A link's visible text, else its title attribute or image alt text."""
    text = squash(a.text() or "")
    if text:
        return text
    title = (a.attributes.get("title") or "").strip()
    if title:
        return title
    img = a.css_first("img[alt]")
    return squash(img.attributes.get("alt") or "") if img is not None else ""


_HIDING = re.compile(
    r"display:none|visibility:hidden|opacity:0(?![.\d]*[1-9])"
    r"|font-size:(?:(?:0+(?:\.0+)?|0?\.0\d*)(?:px|pt|em|rem|%)?|1px)(?![\d.])"
    r"|text-indent:-(?:\d{4,}|[5-9]\d\d)")
_OFFSCREEN = re.compile(r"(?:^|;)(?:left|top|margin-left|margin-top):-(?:\d{4,}|[5-9]\d\d)(?:px)?(?![\d.])")
_ZERO_BOX = re.compile(r"(?:^|;)(?:height|width):0(?:px)?(?![\d.])")


def hiding_style(style: str) -> str | None:
    """The declaration of an inline style that hides its element from view, or None."""
    s = re.sub(r"\s+", "", style.lower()).replace("!important", "")
    if m := _HIDING.search(s):
        return m.group(0)
    if ("position:absolute" in s or "position:fixed" in s) and (m := _OFFSCREEN.search(s)):
        return "position:" + ("absolute" if "position:absolute" in s else "fixed") + ";" + m.group(0).lstrip(";")
    if "overflow:hidden" in s and (m := _ZERO_BOX.search(s)):
        return m.group(0).lstrip(";") + ";overflow:hidden"
    return None


def ids(nodes: Iterable[LexborNode]) -> set[int]:
    return {n.mem_id for n in nodes}


def collect(root: LexborNode, skip: set[int], base: str | None = None,
            hrefs: list[str] | None = None) -> str:
    """The text under root, subtrees whose node id is in skip left out (root itself never
    is); with hrefs, the link targets (joined to base) of the links kept are appended to it."""
    parts: list[str] = []
    stack = [root]
    root_id = root.mem_id
    while stack:
        node = stack.pop()
        if node.mem_id in skip and node.mem_id != root_id:
            continue
        if node.is_text_node:
            parts.append(node.text_content or "")
            continue
        if hrefs is not None and base is not None and node.tag == "a":
            href = (node.attributes.get("href") or "").strip()
            if href and (url := join_url(base, href)) is not None:
                hrefs.append(url)
        child = node.last_child
        while child is not None:
            stack.append(child)
            child = child.prev
    return " ".join(parts)
