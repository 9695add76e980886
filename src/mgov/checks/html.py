"""A parsed view of an HTML page, built once per response and shared by every check."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from mgov.evidence.exchange import Exchange
from mgov.evidence.urls import join_url


@dataclass
class Link:
    href: str  # absolute
    text: str


@dataclass
class Page:
    url: str
    title: str | None = None
    lang: str | None = None
    metas: dict[str, str] = field(default_factory=dict)  # name/property (lower-cased) -> content
    links: list[Link] = field(default_factory=list)
    # (tag, absolute url) of everything the page loads: script, stylesheet, img, iframe...
    subresources: list[tuple[str, str]] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    scripts: list[dict[str, str]] = field(default_factory=list)  # attributes of <script src>
    forms: list[dict[str, str]] = field(default_factory=list)  # action, role, method
    search_inputs: int = 0
    # The body's text as a reader sees it (reader_text): inline elements run together, block
    # boundaries and line breaks are spaces, image alt texts stand in for their images, and
    # script, style, template and noscript text is left out; whitespace-folded.
    text: str = ""
    # Every value of every meta name, in document order (metas holds the one browsers apply).
    meta_values: dict[str, list[str]] = field(default_factory=dict)

    @property
    def folded_text(self) -> str:
        """The text NFKC-folded (full-width ＩＣＰ１２ → ICP12, ： → :), for pattern checks:
        a token never runs across a block boundary, which stays a space."""
        cached = self.__dict__.get("_folded")
        if cached is None:
            cached = self.__dict__["_folded"] = unicodedata.normalize("NFKC", self.text)
        return cached

    @property
    def compact_text(self) -> str:
        """The folded text with all white space removed. Block boundaries vanish with it, so
        pattern checks use folded_text; kept for plugins written against it."""
        cached = self.__dict__.get("_compact")
        if cached is None:
            cached = self.__dict__["_compact"] = re.sub(r"\s+", "", self.folded_text)
        return cached

    def meta(self, name: str) -> str | None:
        return self.metas.get(name.lower())


# Meta names of which browsers apply the last occurrence (a second viewport tag overrides the
# first in Chrome, Safari and Firefox); for every other name mgov reads the first.
LAST_WINS = frozenset({"viewport"})
# Elements a browser lays out as blocks (or table cells): their text never runs into the text
# around them. Inline elements (span, a, b, font...) do.
BLOCKS = ("address,article,aside,blockquote,caption,center,dd,details,dialog,div,dl,dt,fieldset,figcaption,"
          "figure,footer,form,h1,h2,h3,h4,h5,h6,header,hgroup,legend,li,main,nav,ol,p,pre,section,summary,"
          "table,tbody,td,tfoot,th,thead,tr,ul,option,select,textarea,button,iframe,video,audio,object")
HIDDEN_TEXT = ["script", "style", "template", "noscript"]  # parsed as text, never shown as such

_LOADS = (("script", "src"), ("img", "src"), ("iframe", "src"), ("embed", "src"),
          ("source", "src"), ("video", "src"), ("audio", "src"))


def page_of(ex: Exchange) -> Page | None:
    """The parsed page of an HTML response (cached on the exchange), or None."""
    cached = ex.__dict__.get("_page")
    if cached is not None or "_page" in ex.__dict__:
        return cached
    page = _parse(ex) if ex.text is not None and _is_html(ex) else None
    ex.__dict__["_page"] = page
    return page


def _is_html(ex: Exchange) -> bool:
    ctype = (ex.header("content-type") or "").lower()
    return "html" in ctype or (not ctype and "<html" in (ex.text or "")[:2048].lower())


def _parse(ex: Exchange) -> Page:
    return parse_html(ex.text or "", ex.url)


def parse_html(text: str, address: str) -> Page:
    """The page of an HTML text found at address (a response's body, or a browser's rendered DOM)."""
    tree = HTMLParser(text)
    base = address
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = join_url(address, base_tag.attributes.get("href") or "") or address
    page = Page(url=address)
    html = tree.css_first("html")
    if html is not None:
        page.lang = (html.attributes.get("lang") or html.attributes.get("xml:lang") or "").strip() or None
    title = tree.css_first("title")
    if title is not None:
        page.title = " ".join(title.text().split()) or None
    for meta in tree.css("meta"):
        attrs = meta.attributes
        key = attrs.get("name") or attrs.get("property") or attrs.get("http-equiv")
        if key:
            name, content = key.strip().lower(), (attrs.get("content") or "").strip()
            page.meta_values.setdefault(name, []).append(content)
            if name in LAST_WINS:
                page.metas[name] = content
            else:
                page.metas.setdefault(name, content)
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            text = (" ".join((a.text() or "").split()) or (a.attributes.get("aria-label") or "").strip()
                    or (a.attributes.get("title") or ""))
            img = a.css_first("img[alt]")
            if not text and img is not None:
                text = img.attributes.get("alt") or ""
            if (url := join_url(base, href)) is not None:
                page.links.append(Link(url, text))
    for tag, attr in _LOADS:
        for node in tree.css(f"{tag}[{attr}]"):
            src = (node.attributes.get(attr) or "").strip()
            if src and not src.startswith("data:") and (url := join_url(base, src)) is not None:
                page.subresources.append((tag, url))
                if tag == "script":
                    page.scripts.append({k: v or "" for k, v in node.attributes.items()} | {"src": url})
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower()
        if (any(r in rel for r in ("stylesheet", "icon", "preload", "modulepreload"))
                and (url := join_url(base, node.attributes.get("href") or "")) is not None):
            page.subresources.append(("link", url))
    for node in tree.css("script"):
        if not node.attributes.get("src"):
            page.inline_scripts.append(node.text() or "")
    for form in tree.css("form"):
        page.forms.append({k: (form.attributes.get(k) or "") for k in ("action", "role", "method", "id", "class")})
    page.search_inputs = len(tree.css('input[type="search"]')) + len(tree.css('[role="search"]'))
    page.text = reader_text(tree)
    return page


def reader_text(tree: HTMLParser) -> str:
    """The body's text as a reader sees it (see Page.text). It edits the tree: call it last."""
    body = tree.body
    if body is None:
        return ""
    body.strip_tags(HIDDEN_TEXT)
    # Footers often put identifiers in images: an image's alt text reads as text in its place.
    for node in body.css("img"):
        alt = (node.attributes.get("alt") or "").strip()
        node.replace_with(f" {alt} " if alt else " ")
    for node in body.css("br,hr"):
        node.replace_with(" ")
    for node in body.css("wbr"):  # a place a line may break, not a space
        node.replace_with("")
    for node in body.css(BLOCKS):
        node.insert_before(" ")
        node.insert_after(" ")
    return " ".join((body.text(separator="") or "").split())


_REFRESH = re.compile(r"^\s*\d*\s*[;,]?\s*url\s*=\s*['\"]?([^'\">\s]+)", re.I)
_JS_JUMP = re.compile(r"(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]"
                      r"|location\.replace\(\s*['\"]([^'\"]+)['\"]")


def redirect_stub(page: Page) -> str | None:
    """Where a page that only forwards the visitor (meta refresh or a one-line script) sends
    them; None for a real page. Many homepages are such stubs in front of the real one."""
    target = None
    if (refresh := page.meta("refresh")) and (m := _REFRESH.match(refresh)):
        target = m.group(1)
    elif len(page.text) < 200 and not page.links:
        m = next((m for code in page.inline_scripts if (m := _JS_JUMP.search(code))), None)
        target = (m.group(1) or m.group(2)) if m else None
    if target is None or len(page.text) >= 200:
        return None
    return join_url(page.url, target)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def site_of(host: str) -> str:
    """A rough registrable domain: the last three labels under two-part public suffixes
    common for governments (gov.cn, com.cn, gov.uk...), else the last two."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in ("gov", "com", "org", "net", "edu", "ac", "co"):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
