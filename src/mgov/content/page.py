"""One page's content facts: `analyze_page` parses the HTML once (selectolax lexbor) and
reads column metadata, navigation, dated list items, placeholders, consultation channels,
message lists, wording, suspicious links and, on the homepage, region hashes.

Linear in the page size: every per-link step is O(1) or bounded, so a page of 100,000
links costs about as much as parsing it."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mgov.content import markup as mk
from mgov.content.dates import parse_date
from mgov.content.facts import (
    MAX_FLAGS,
    MAX_FORMS,
    MAX_ITEMS,
    MAX_NAV,
    FormFacts,
    LinkFlag,
    ListItem,
    NavLink,
    PageFacts,
)
from mgov.content.messages import parse_messages
from mgov.content.rules import ContentRules, fold
from mgov.content.wording import expression_hits, placeholder_in, region_hash, visible_text
from mgov.evidence.urls import join_url

__all__ = ["FormFacts", "LinkFlag", "ListItem", "NavLink", "PageFacts", "analyze_page"]

_ROW_TAGS = ("li", "tr", "dd")
_LIST_ROWS = {"ul": "li", "ol": "li", "tbody": "tr", "table": "tr"}  # list block -> its row tag
_ROW_REACH = 4  # a row's link sits at most this deep (tr > td > div > span > a)
_PUB_META = ("pubdate", "article:published_time", "publishdate", "dc.date")
_PUB_LABEL = re.compile(r"(?:发布时间|发布日期|发稿时间|发表时间|发文日期|published|posted on|date posted)\s*[:：]?",
                        re.I)
_BRACKETS = " \t\n[]()（）【】〔〕<>"
_DIGIT = re.compile(r"[0-9０-９]")


@dataclass
class _Link:
    node: LexborNode
    href: str
    host: str
    _anchor: str | None = None

    @property
    def anchor(self) -> str:
        if self._anchor is None:
            self._anchor = mk.anchor_text(self.node)
        return self._anchor


@dataclass
class _Row:
    node: LexborNode
    links: list[_Link]


def analyze_page(url: str, text: str, *, is_home: bool, today: date, rules: ContentRules,
                 tree: LexborHTMLParser | None = None) -> PageFacts:
    """The content facts of the page at url whose decoded HTML is text (parsed already when
    tree is given: it is then changed, its scripts and styles stripped). Never raises on bad
    input: an empty or unparseable page gives facts with only the URL."""
    facts = PageFacts(url=url)
    if not text or not text.strip():
        return facts
    if tree is None:
        try:
            tree = LexborHTMLParser(text)
        except (ValueError, UnicodeError, TypeError):
            return facts
    body = tree.body
    if body is None:
        return facts
    tree.strip_tags(["script", "style", "template"])
    metas = _metas(tree)
    facts.title = _title(tree)
    facts.column_name = metas.get("columnname") or None
    facts.column_type = metas.get("columntype") or None
    facts.site_name = metas.get("sitename") or None
    base = url
    if (base_tag := tree.css_first("base[href]")) is not None:
        base = join_url(url, base_tag.attributes.get("href") or "") or url
    base_host = mk.host_of(base)
    page_site = mk.site_of(mk.host_of(url))

    links = _links(tree, base_host)
    nav_ids = mk.ids(tree.css(mk.NAV_LINKS))
    footer_ids = mk.ids(tree.css(mk.FOOTER_LINKS))
    _nav(facts, links, nav_ids - footer_ids, base, base_host)
    _link_flags(facts, links, base, rules)
    _hidden(facts, tree, base, page_site)
    rows, containers, item_links = _items(facts, links, nav_ids | footer_ids, base, base_host, today)
    _consult(facts, links, item_links, base, rules)
    _forms(facts, tree, base)

    raw_text = body.text(separator=" ") or ""
    plain = visible_text(raw_text)
    facts.expressions, facts.expressions_total = expression_hits(plain, rules)
    facts.messages, facts.messages_total = parse_messages(tree, base, today, plain)
    facts.pub_date, meta_dated = _pub_date(metas, plain, is_home, today)
    facts.is_article = not is_home and ("articletitle" in metas or meta_dated
                                        or (facts.pub_date is not None and facts.items_total < 3))

    measure = facts.items_total == 0 and not facts.is_article  # blank-column evidence
    if measure or is_home:
        chrome = mk.ids(tree.css(f"{mk.HEADER_BLOCKS}, {mk.NAV_BLOCKS}, {mk.FOOTER_BLOCKS}"))
        if measure:
            main = visible_text(mk.collect(body, chrome | mk.ids(tree.css(mk.CHROME_BLOCKS))))
            facts.main_chars = len(main.replace(" ", ""))
            facts.placeholder = placeholder_in(main, rules)
        if is_home:
            facts.regions = _regions(tree, body, base, chrome, rows | containers)
    return facts


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in tree.css("meta"):
        attrs = meta.attributes
        key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
        if key:
            out.setdefault(key.strip().lower(), mk.squash(attrs.get("content") or ""))
    return out


def _title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    return (mk.squash(node.text() or "") or None) if node is not None else None


def _links(tree: LexborHTMLParser, base_host: str) -> list[_Link]:
    out = []
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if href and not href.lower().startswith(mk.NOT_LINKS):
            out.append(_Link(a, href, mk.link_host(href, base_host)))
    return out


def _nav(facts: PageFacts, links: list[_Link], nav_ids: set[int], base: str, base_host: str) -> None:
    seen: set[str] = set()
    for link in links:
        if link.node.mem_id in nav_ids and mk.same_host(link.host, base_host):
            url = join_url(base, link.href)
            if url is not None and url not in seen:
                seen.add(url)
                if len(facts.nav) < MAX_NAV:
                    facts.nav.append(NavLink(link.anchor, url))
    facts.nav_total = len(seen)


def _bad_host(host: str, rules: ContentRules) -> tuple[str, str] | None:
    if not host:
        return None
    for domain in rules.bad_domain_set:
        if host == domain or host.endswith("." + domain):
            return "bad_domain", domain
    if host.startswith("xn--") or ".xn--" in host:
        with contextlib.suppress(UnicodeError):  # punycode hosts are matched in Unicode (博彩)
            host = host.encode("ascii").decode("idna")
    pattern = rules.bad_host_pattern
    if pattern is not None and (m := pattern.search(fold(host))):
        return "bad_keyword", m.group(0)
    return None


def _add_flag(flags: list[LinkFlag], seen: set[str], flag: LinkFlag) -> None:
    if flag.url not in seen:
        seen.add(flag.url)
        if len(flags) < MAX_FLAGS:
            flags.append(flag)


def _link_flags(facts: PageFacts, links: list[_Link], base: str, rules: ContentRules) -> None:
    seen: set[str] = set()
    verdicts: dict[str, tuple[str, str] | None] = {}  # per host: pages repeat hosts
    for link in links:
        if link.host not in verdicts:
            verdicts[link.host] = _bad_host(link.host, rules)
        if (verdict := verdicts[link.host]) is not None and (url := join_url(base, link.href)):
            _add_flag(facts.bad_links, seen, LinkFlag(url, link.anchor, *verdict))
    facts.bad_links_total = len(seen)


def _hidden(facts: PageFacts, tree: LexborHTMLParser, base: str, page_site: str) -> None:
    done: set[int] = set()  # hidden elements already searched: their hidden descendants add nothing
    seen: set[str] = set()
    for node in tree.css("[style], [hidden]"):
        if node.mem_id in done:  # matched both selectors
            continue
        if "hidden" in node.attributes:
            reason, detail = "hidden_attr", "hidden"
        elif (decl := mk.hiding_style(node.attributes.get("style") or "")) is not None:
            reason, detail = "hidden_style", decl
        else:
            continue
        parent, inside = node.parent, False
        while parent is not None and not inside:
            inside, parent = parent.mem_id in done, parent.parent
        done.add(node.mem_id)
        if inside:
            continue
        anchors = [node] if node.tag == "a" and "href" in node.attributes else node.css("a[href]")
        for a in anchors:
            href = (a.attributes.get("href") or "").strip()
            if href.lower().startswith(mk.NOT_LINKS) or (url := join_url(base, href)) is None:
                continue
            host = mk.host_of(url)
            if host and mk.site_of(host) != page_site:  # hidden same-site links are harmless
                _add_flag(facts.hidden_links, seen, LinkFlag(url, mk.anchor_text(a), reason, detail))
    facts.hidden_links_total = len(seen)


def _consult(facts: PageFacts, links: list[_Link], item_links: set[int], base: str, rules: ContentRules) -> None:
    seen: set[str] = set()
    for link in links:
        if link.node.mem_id in item_links:  # a listed message titled 咨询... is content, not a channel
            continue
        anchor = link.anchor
        if not anchor or len(anchor) > rules.consult_anchor_max_chars:
            continue
        folded = fold(anchor)
        if any(k in folded for k in rules.consult_terms) and (url := join_url(base, link.href)) and url not in seen:
            seen.add(url)
            if len(facts.consult_links) < MAX_FLAGS:
                facts.consult_links.append(NavLink(anchor, url))
    facts.consult_total = len(seen)


def _forms(facts: PageFacts, tree: LexborHTMLParser, base: str) -> None:
    forms = tree.css("form")
    facts.forms_total = len(forms)
    for form in forms[:MAX_FORMS]:
        action = join_url(base, (form.attributes.get("action") or "").strip()) or base
        method = (form.attributes.get("method") or "get").strip().lower() or "get"
        names = [n for f in form.css("input[name], textarea[name], select[name]")
                 if (n := (f.attributes.get("name") or "").strip())][:50]
        facts.forms.append(FormFacts(action, method, names, form.css_first("textarea") is not None))


def _row_of(a: LexborNode) -> LexborNode | None:
    node = a.parent
    for _ in range(_ROW_REACH):
        if node is None or node.tag in ("ul", "ol", "table", "tbody", "dl", "body"):
            return None
        if node.tag in _ROW_TAGS:
            return node
        node = node.parent
    return None


def _row_date(row: LexborNode, a: LexborNode, anchor: str, today: date) -> date | None:
    # The date beside the title, not one inside it (2026年1月5日国务院常务会议); failing that
    # a date-only element inside the link (<a><span>title</span><span>01-05</span></a>).
    rest = mk.squash(row.text(separator=" ") or "").replace(anchor, " ", 1)
    if not _DIGIT.search(rest) and not _DIGIT.search(anchor):
        return None
    if (found := parse_date(rest, today)) is not None:
        return found
    for child in a.iter():
        t = (child.text() or "").strip(_BRACKETS)
        if 0 < len(t) <= 19 and child.tag != "-text" and (found := parse_date(t, today)) is not None:
            return found
    return None


def _items(facts: PageFacts, links: list[_Link], excluded: set[int], base: str, base_host: str,
           today: date) -> tuple[set[int], set[int], set[int]]:
    """Fill facts.items; return the node ids of the item rows, of their list containers and
    of the item links."""
    rows: dict[int, _Row] = {}
    for link in links:
        if link.node.mem_id not in excluded and (row_node := _row_of(link.node)) is not None:
            rows.setdefault(row_node.mem_id, _Row(row_node, [])).links.append(link)
    found: list[tuple[int, int, _Link, str, date | None]] = []  # (row id, container id, link, title, date)
    dated_in: dict[int, int] = {}
    singles_in: dict[int, int] = {}
    containers: dict[int, LexborNode] = {}
    for row_id, row in rows.items():
        if len(row.links) > 2:
            continue
        link = max(row.links, key=lambda lk: len(lk.anchor))
        anchor = link.anchor
        if (title_attr := (link.node.attributes.get("title") or "").strip()) and len(title_attr) > len(anchor):
            anchor = title_attr  # the full title of a shortened one (关于印发...的通知...)
        when = _row_date(row.node, link.node, link.anchor, today)
        parent = row.node.parent
        cid = parent.mem_id if parent is not None else 0
        if parent is not None:
            containers[cid] = parent
        found.append((row_id, cid, link, anchor, when))
        if when is not None:
            dated_in[cid] = dated_in.get(cid, 0) + 1
        if len(row.links) == 1:
            singles_in[cid] = singles_in.get(cid, 0) + 1
    listed: set[int] = set()
    for cid, node in containers.items():
        if dated_in.get(cid):
            listed.add(cid)
        elif ((row_tag := _LIST_ROWS.get(node.tag or "")) and singles_in.get(cid, 0) >= 2
              and sum(1 for c in node.iter() if c.tag == row_tag) == singles_in[cid]):
            listed.add(cid)  # a list block: every row holds exactly one link
    row_ids: set[int] = set()
    link_ids: set[int] = set()
    for row_id, cid, link, title, when in found:
        # Undated rows count only inside a list, and only same-site: a row of off-site
        # links without dates is a links box (友情链接), not a column's list.
        if when is None and (cid not in listed or not mk.same_host(link.host, base_host)):
            continue
        row_ids.add(row_id)
        link_ids.add(link.node.mem_id)
        facts.items_total += 1
        # Joining is the costly step: only for the items kept.
        if len(facts.items) < MAX_ITEMS and (url := join_url(base, link.href)) is not None:
            facts.items.append(ListItem(title, url, when))
    return row_ids, listed, link_ids


def _pub_date(metas: dict[str, str], text: str, is_home: bool, today: date) -> tuple[date | None, bool]:
    """(the page's own publication date, whether a meta gave it)."""
    for key in _PUB_META:
        if (value := metas.get(key)) and (found := parse_date(value, today)) is not None:
            return found, True
    if is_home:
        return None, False
    labels = []
    for m in _PUB_LABEL.finditer(text):
        labels.append(m)
        if len(labels) > 1:  # one per row: a list page, not an article
            return None, False
    if labels:
        return parse_date(text[labels[0].end():labels[0].end() + 40], today), False
    return None, False


def _regions(tree: LexborHTMLParser, body: LexborNode, base: str, chrome: set[int], lists: set[int]) -> dict[str, str]:
    dynamic = mk.ids(tree.css(mk.DYNAMIC_BLOCKS)) | lists
    out: dict[str, str] = {}
    for name, selector in (("header", mk.HEADER_BLOCKS), ("nav", mk.NAV_BLOCKS), ("footer", mk.FOOTER_BLOCKS)):
        nodes = _outermost(tree.css(selector))
        if nodes:
            texts: list[str] = []
            targets: list[str] = []
            for node in nodes:
                texts.append(mk.collect(node, dynamic, base, targets))
            out[name] = region_hash(" ".join(texts), targets)
    targets_static: list[str] = []
    static = mk.collect(body, dynamic | chrome, base, targets_static)
    out["body_static"] = region_hash(static, targets_static)
    return out


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """nodes (document order, perhaps repeated) without those inside another one."""
    chosen: set[int] = set()
    out = []
    for node in nodes:
        if node.mem_id in chosen:
            continue
        parent = node.parent
        while parent is not None and parent.mem_id not in chosen:
            parent = parent.parent
        if parent is None:
            chosen.add(node.mem_id)
            out.append(node)
    return out
