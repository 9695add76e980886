"""Finding a site's privacy notice and reading it (pure): which links lead to one (their text
and their URL, in Chinese and English), the notice page's text without the site's header,
navigation and footer, and whether a Chinese text is in Simplified characters.

Link scores (the best candidate is read): 3 a link that names a privacy policy, notice or
statement (隐私政策, 隐私声明, 个人信息保护政策, Privacy Policy, Privacy and Security
Notice...); 2 a link that names privacy otherwise (隐私保护, 个人信息保护, Privacy); 1 a link
whose text says nothing of it but whose URL does (/privacy, yssm, yszc), a US Privacy Program
page, and the site statements that often hold the privacy terms (网站声明, 法律声明, Site
Policies)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from mgov.content.markup import NOT_LINKS, anchor_text, host_of, same_host, squash
from mgov.evidence.urls import join_url

TEXT_MAX = 100_000  # characters of a notice kept (a policy runs 5,000-30,000)
HEADINGS_MAX = 60

_POLICY = re.compile(
    r"隐私(权)?(政策|声明|条款|保护政策|保护声明|保护指引|保护说明)|个人信息(保护)?(政策|声明|规则|处理规则)|"
    r"\bprivacy( and security)? (policy|notice|statement|practices)\b|\bwebsite privacy\b|\bprivacy & security\b", re.I)
_PRIVACY = re.compile(r"隐私|个人信息保护|\bprivacy\b", re.I)
_PROGRAM = re.compile(r"\bprivacy (program|office)\b", re.I)
_NOT_NOTICE = re.compile(r"\bprivacy act (request|statement)s?\b|举报|投诉", re.I)
_STATEMENT = re.compile(r"网站声明|法律声明|免责声明|使用条款|\bsite polic(y|ies)\b|\bwebsite polic(y|ies)\b|"
                        r"\bpolicies (and|&) (notices|disclaimers)\b", re.I)
_URL = re.compile(r"privacy|yssm|yszc|ysbh|yinsi|grxxbh|grxx_?bh", re.I)
# What the crawl asks its link table for (SQL LIKE, case-insensitive for ASCII): a superset of
# the patterns above, refined by classify_link.
LIKE_ANCHORS = ("%隐私%", "%个人信息%", "%privacy%", "%网站声明%", "%法律声明%", "%免责声明%", "%使用条款%",
                "%site polic%", "%website polic%", "%policies%")
LIKE_URLS = ("%privacy%", "%yssm%", "%yszc%", "%ysbh%", "%yinsi%", "%grxxbh%")


# What a page must speak of to be a privacy notice (its title alone is not one: a placeholder page).
_ABOUT_PRIVACY = re.compile(r"个人信息|个人隐私|用户信息|用户隐私|personal information|personally identifiable|"
                            r"information about (you|your visit)|information you (give|provide|send|submit)", re.I)


def speaks_of_privacy(text: str) -> bool:
    """Whether a page's text is about personal information (not a title over an empty page)."""
    return bool(_ABOUT_PRIVACY.search(unicodedata.normalize("NFKC", text)))


def classify_link(anchor: str, url: str) -> int:
    """How surely a link with this text and target leads to the privacy notice (0: not)."""
    text = unicodedata.normalize("NFKC", anchor or "")
    if _NOT_NOTICE.search(text):
        return 0
    if _PROGRAM.search(text):
        return 1
    if _POLICY.search(text):
        return 3
    if _PRIVACY.search(text):
        return 2
    path = urlsplit(url).path if "://" in url else url
    if _URL.search(path) or _STATEMENT.search(text):
        return 1
    return 0


@dataclass(frozen=True)
class LinkSeen:
    url: str
    anchor: str
    score: int


def page_links(html: str, base: str, *, same_site: bool = False) -> list[tuple[str, str]]:
    """(url, anchor text) of a page's links in page order, each target once (without its
    fragment); only those on the page's own host (www or not) with same_site."""
    try:
        tree = LexborHTMLParser(html)
    except (ValueError, UnicodeError, TypeError):
        return []
    own = host_of(base)
    out: dict[str, str] = {}
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(NOT_LINKS) or (url := join_url(base, href)) is None:
            continue
        url = url.split("#", 1)[0]
        if url not in out and (not same_site or same_host(host_of(url), own)):
            out[url] = anchor_text(a)
    return list(out.items())


def notice_links(html: str, base: str) -> list[LinkSeen]:
    """The links of a page that may lead to the privacy notice, best first (each target once)."""
    found = [LinkSeen(url, anchor, score) for url, anchor in page_links(html, base)
             if (score := classify_link(anchor, url))]
    return sorted(found, key=lambda link: -link.score)


@dataclass
class NoticeText:
    title: str | None = None
    lang: str | None = None  # <html lang>
    headings: list[str] = field(default_factory=list)
    text: str = ""
    truncated: bool = False


_CHROME = ("header", "nav", "footer", '[class*="footer" i]', '[id*="footer" i]', '[class*="header" i]',
           '[id*="header" i]', '[class*="site-nav" i]', '[class*="breadcrumb" i]', '[class*="crumbs" i]',
           '[role="navigation"]', '[role="banner"]', '[role="contentinfo"]')
_MAIN = ("main", "article", '[role="main"]', "#content", ".content", ".article", "#zoom", ".TRS_Editor")


def read_notice(html: str) -> NoticeText:
    """A notice page's title, language, headings and visible text (at most TEXT_MAX characters):
    its main content when marked so, else the body without header, navigation and footer."""
    out = NoticeText()
    try:
        tree = LexborHTMLParser(html)
    except (ValueError, UnicodeError, TypeError):
        return out
    if (root := tree.css_first("html")) is not None:
        out.lang = (root.attributes.get("lang") or "").strip() or None
    if (title := tree.css_first("title")) is not None:
        out.title = squash(title.text() or "") or None
    tree.strip_tags(["script", "style", "template", "noscript"])
    body = tree.body
    if body is None:
        return out
    main = next((n for sel in _MAIN if (n := tree.css_first(sel)) is not None), None)
    if main is None or len(squash(main.text(separator=" ") or "")) < 100:
        for sel in _CHROME:
            for node in tree.css(sel):
                if node.tag not in ("html", "body"):
                    node.decompose()
        main = tree.body
    if main is None:
        return out
    out.headings = [h for n in main.css("h1, h2, h3, h4, dt, strong")
                    if (h := squash(n.text(separator=" ") or "")) and len(h) <= 80][:HEADINGS_MAX]
    text = squash(main.text(separator=" ") or "")
    out.truncated = len(text) > TEXT_MAX
    out.text = text[:TEXT_MAX]
    return out


# Characters written differently in Traditional Chinese, and their Simplified forms.
_TRADITIONAL = "個們這資訊隱護權聯與於為會時說將處經關網務電話郵號體據際應對問題請讀開發內還從條過"
_SIMPLIFIED = "个们这资讯隐护权联与于为会时说将处经关网务电话邮号体据际应对问题请读开发内还从条过"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_script(text: str) -> str | None:
    """"simplified", "traditional", or None for a text with little Chinese in it."""
    if len(_CJK.findall(text[:20_000])) < 50:
        return None
    sample = text[:20_000]
    trad = sum(sample.count(c) for c in set(_TRADITIONAL) - set(_SIMPLIFIED))
    simp = sum(sample.count(c) for c in set(_SIMPLIFIED) - set(_TRADITIONAL))
    return "traditional" if trad > simp and trad >= 5 else "simplified"
