"""A post's HTML as the checks read it: plain text, the links it carries, the media it shows.

Shared by the platform adapters. Weibo's `text`, a toot's `content`, a feed item's content
and a WeChat article's body are all HTML fragments; each becomes one `PostBody`. Links are
absolute and canonical (evidence.urls, as the crawl keys them), distinct, in document order;
redirector links a platform wraps around outside URLs (Weibo's `weibo.cn/sinaurl?u=…`) are
unwrapped to their target, because the target is what a reader reaches and what may be dead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mgov.evidence.urls import canonical

# Elements after which a reader sees a new line.
_BLOCKS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
           "article", "pre", "figure", "figcaption", "table", "ul", "ol")
_BREAK = re.compile(r"<br\s*/?>|</(?:" + "|".join(_BLOCKS) + r")\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u3000]+")
# Weibo's redirector (the target in `u`; `toasturl` on some warning pages) on these hosts.
_REDIRECTOR_HOSTS = frozenset({"weibo.cn", "m.weibo.cn", "www.weibo.cn", "weibo.com", "www.weibo.com"})
_REDIRECTOR_PARAMS = ("u", "toasturl", "url")
MEDIA_ATTRS = ("src", "data-src")  # WeChat lazy-loads its images from data-src

# (absolute link, the <a> element) -> True when the link is the platform's own furniture
# (a mention, a hashtag, a topic search), not a link the post gives its readers.
LinkFilter = Callable[[str, LexborNode], bool]


@dataclass
class PostBody:
    text: str
    links: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


def unwrap(url: str) -> str:
    """The target of a platform redirector link (weibo.cn/sinaurl?u=<encoded URL>), else url."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if host in _REDIRECTOR_HOSTS and parts.path.startswith("/sinaurl"):
        query = parse_qs(parts.query)
        for name in _REDIRECTOR_PARAMS:
            target = (query.get(name) or [""])[0].strip()
            if target.lower().startswith(("http://", "https://")):
                return target
    return url


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment (see read_html)."""
    return read_html(html).text


def read_html(html: str, base: str | None = None, *, skip_link: LinkFilter | None = None,
              emoticons: bool = False) -> PostBody:
    """Text (block elements and <br> as new lines, runs of spaces folded, scripts and styles
    dropped), links (http(s) only, unwrapped, canonical, distinct) and media (<img>, <video>,
    <audio>, <source>, WeChat's data-src) of an HTML fragment. emoticons: an <img> with alt
    text stands for that text (Weibo writes "[doge]" as an image) and is not media."""
    if not html or not html.strip():
        return PostBody("")
    tree = LexborHTMLParser(_BREAK.sub(lambda m: m.group(0) + "\n", html))
    tree.strip_tags(["script", "style", "noscript", "template"])
    body = PostBody("")
    seen_links: set[str] = set()
    for a in tree.css("a[href]"):
        target = _absolute(a.attributes.get("href"), base)
        if target is None or (skip_link is not None and skip_link(target, a)):
            continue
        target = canonical(unwrap(target)) or target
        if target not in seen_links:
            seen_links.add(target)
            body.links.append(target)
    seen_media: set[str] = set()
    for node in tree.css("img, video, audio, source"):
        alt = node.attributes.get("alt")
        if emoticons and node.tag == "img" and alt:
            node.replace_with(alt)
            continue
        for attr in MEDIA_ATTRS:
            target = _absolute(node.attributes.get(attr), base)
            if target is not None and target not in seen_media:
                seen_media.add(target)
                body.media.append(target)
                break
    root = tree.body or tree.root
    raw = root.text(deep=True, separator="") if root is not None else ""
    lines = (_SPACES.sub(" ", line).strip() for line in raw.splitlines())
    body.text = "\n".join(line for line in lines if line)
    return body


def _absolute(ref: str | None, base: str | None) -> str | None:
    if not ref or not ref.strip():
        return None
    ref = ref.strip()
    if ref.startswith("//"):
        ref = "https:" + ref
    return canonical(ref, base=base) if base else canonical(ref)
