"""What a farm site publishes, for the crawl pass (issue 4): columns (栏目) with dated items,
a message board and a consultation form, and the content defects that spoil them.

Everything here is a pure function of (seed, site, today, epoch), computed on demand: a
`Plan` is a few hundred small tuples, built on a site's first content request and kept in
the server's LRU cache, so a 10,000-site farm starts as fast as before. `content_facts`
gives the manifest's facts of a site's content defects from the same functions without
building the plan, so generate() stays cheap.

Timeliness, as the healthy contract keeps it (contract.py has the limits):

- news columns: newest item 0-6 days old (the homepage's news column 0-2 days);
- notices and policies columns: newest 0-45 days; the other columns: newest 0-60 days;
- every dated item is at most MAX_ITEM_AGE (330) days old, so [MM-DD] dates are unambiguous
  (past the manifest's day, only where dates are shown that way: see column_items);
- every message is answered 1-15 days after it was submitted.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mgov.demo.farm import contract as c
from mgov.demo.farm.content_words import EN_TOPICS, EXPRESSIONS, MESSAGE_TITLES, TITLES, UNANSWERED_TITLES, ZH_TOPICS
from mgov.demo.farm.manifest import Site

TIMELY_TYPES = frozenset({"news", "notices", "policies"})


class ColumnDef(NamedTuple):
    slug: str  # the column's directory: /slug/
    name: str  # ColumnName
    ctype: str  # ColumnType: news notices policies personnel plans services interaction topics...


def _defs(rows: tuple[tuple[str, str, str], ...]) -> tuple[ColumnDef, ...]:
    return tuple(ColumnDef(*r) for r in rows)


# First-level columns. The first news column and the first notices column are "featured":
# the homepage shows their latest items.
CORE = {
    "cn": _defs((("ywdt", "要闻动态", "news"), ("gzdt", "工作动态", "news"),
                 ("tzgg", "通知公告", "notices"), ("zcwj", "政策文件", "policies"),
                 ("zcjd", "政策解读", "interpretation"), ("rsxx", "人事信息", "personnel"),
                 ("ghjh", "规划计划", "plans"), ("bsfw", "办事服务", "services"))),
    "us": _defs((("news", "News", "news"), ("press-releases", "Press Releases", "news"),
                 ("public-notices", "Public Notices", "notices"),
                 ("bids", "Bids & Solicitations", "notices"),
                 ("ordinances", "Ordinances & Resolutions", "policies"),
                 ("jobs", "Jobs", "personnel"), ("plans-reports", "Plans & Reports", "plans"),
                 ("services", "Services", "services"))),
}
INTERACTION = {"cn": ColumnDef("hdjl", "互动交流", "interaction"),
               "us": ColumnDef("feedback", "Feedback", "interaction")}
EXTRA_TIMELY = {
    "cn": _defs((("bmdt", "部门动态", "news"), ("jcdt", "基层动态", "news"),
                 ("gsgg", "公示公告", "notices"), ("gfxwj", "规范性文件", "policies"))),
    "us": _defs((("council-news", "Council News", "news"),
                 ("community-updates", "Community Updates", "news"),
                 ("legal-notices", "Legal Notices", "notices"),
                 ("executive-orders", "Executive Orders", "policies"))),
}
EXTRA_OTHER = {
    "cn": _defs((("ztzl", "专题专栏", "topics"), ("sjfb", "数据发布", "data"),
                 ("czzj", "财政资金", "finance"), ("yjgl", "应急管理", "emergency"),
                 ("zdxm", "重点项目", "projects"), ("tjxx", "统计信息", "data"))),
    "us": _defs((("projects", "Projects", "projects"), ("budget", "Budget & Finance", "finance"),
                 ("public-safety", "Public Safety", "emergency"),
                 ("open-data", "Open Data", "data"), ("boards", "Boards & Commissions", "topics"),
                 ("events", "Events", "topics"))),
}
# Every column a site of the jurisdiction may have, in a fixed order: its index spaces the
# item ids, so a column's ids do not depend on which other columns the site has.
CATALOGUE = {j: (*CORE[j], *EXTRA_TIMELY[j], *EXTRA_OTHER[j], INTERACTION[j]) for j in CORE}
# What a blank column shows (None: an empty list).
PLACEHOLDERS = {"cn": ("暂无信息", "正在建设中", None, "栏目正在建设中，敬请期待", "暂无相关信息"),
                "us": ("Coming soon", None, "This page is under construction.",
                       "No items yet. Coming soon.", "Content coming soon")}
DATE_STYLES = {"cn": ("iso", "zh", "bracket", "slash"), "us": ("iso", "slash", "dot")}

# Ids of the items a defect or an epoch adds (a site's own ids stay below 800,000).
EXPRESSION_ID, BACKDATED_ID, FRESH_ID, UNANSWERED_ID = 990001, 990002, 990003, 990010
BACKDATED_DAYS = 200


class Column(NamedTuple):
    slug: str
    name: str
    ctype: str
    featured: bool  # its latest items are on the homepage
    state: str  # fresh | stale | blank
    placeholder: str | None = None  # blank: the text shown instead of items (None: empty list)
    position: int = 0  # its index in CATALOGUE (a field named index would hide tuple.index)

    @property
    def path(self) -> str:
        return f"/{self.slug}/"

    @property
    def timely(self) -> bool:
        return self.ctype in TIMELY_TYPES


class Item(NamedTuple):
    id: int
    date: dt.date
    minute: int  # the publication time, minutes after midnight
    title: str
    slug: str  # its column
    flag: str = ""  # attachment | expression | backdated | fresh


class Message(NamedTuple):
    id: int
    title: str
    submitted: dt.date
    replied: dt.date | None  # None: never answered


# --- columns ------------------------------------------------------------------------------

def columns(site: Site, seed: int) -> tuple[Column, ...]:
    """The site's first-level columns, in navigation order."""
    j = site.jurisdiction
    rng = random.Random(f"{seed}/{site.host}/columns")
    n_timely, n_other = rng.randint(0, 2), rng.randint(0, 2)
    extra_t = rng.sample(EXTRA_TIMELY[j], len(EXTRA_TIMELY[j]))
    extra_o = rng.sample(EXTRA_OTHER[j], len(EXTRA_OTHER[j]))
    holders = rng.sample(PLACEHOLDERS[j], len(PLACEHOLDERS[j]))
    if site.has("content.columns_stale"):
        # Every timely column but the homepage's two goes stale: at least 6 (cn) or 7 (us).
        n_timely = len(extra_t)
    elif site.has("content.home_stale"):
        n_timely = max(n_timely, 2)  # every timely column stale: at least 6 (cn) or 7 (us)
    blank = 0
    if site.has("content.columns_blank"):
        n_other, blank = len(extra_o), 5
    core = CORE[j]
    defs = [*core[:5], *extra_t[:n_timely], *core[5:], *extra_o[:n_other]]
    if not site.has("interaction.none"):
        defs.append(INTERACTION[j])
    index = {d.slug: i for i, d in enumerate(CATALOGUE[j])}
    featured = {core[0].slug, core[2].slug}
    out = []
    n_blank = 0
    for d in defs:
        state, holder = "fresh", None
        timely = d.ctype in TIMELY_TYPES
        if timely and (site.has("content.home_stale")
                       or (site.has("content.columns_stale") and d.slug not in featured)):
            state = "stale"
        elif d in extra_o and n_blank < blank:
            state, holder = "blank", holders[n_blank % len(holders)]
            n_blank += 1
        out.append(Column(d.slug, d.name, d.ctype, d.slug in featured, state, holder,
                          index[d.slug]))
    return tuple(out)


def featured(cols: tuple[Column, ...], ctype: str) -> Column:
    return next(col for col in cols if col.featured and col.ctype == ctype)


def fresh_target(site: Site, cols: tuple[Column, ...]) -> Column:
    """The column that gets epoch 2's item dated today: the homepage's news column, or on a
    home_stale site the first non-timely column (so the site stays stale)."""
    if site.has("content.home_stale"):
        return next(col for col in cols if not col.timely and col.state == "fresh"
                    and col.ctype != "interaction")
    return featured(cols, "news")


# --- dates and text -----------------------------------------------------------------------

# (newest age low, high, gap low, high) in days
_FRESH = {"news": (0, 6, 1, 5), "notices": (0, 20, 3, 15), "policies": (0, 45, 5, 25)}
_FRESH_FEATURED_NEWS = (0, 2, 1, 4)
_FRESH_OTHER = (0, 60, 7, 30)
_STALE = {"news": (30, 90, 3, 15), "notices": (200, 250, 5, 12), "policies": (200, 250, 5, 12)}


def layout(site: Site, seed: int) -> tuple[str, int]:
    """(date style of list items, items per list page; 0: one page)."""
    rng = random.Random(f"{seed}/{site.host}/layout")
    style = rng.choice(DATE_STYLES[site.jurisdiction])
    return style, (10 if rng.random() < 1 / 3 else 0)


def show_date(d: dt.date, style: str) -> str:
    if style == "zh":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "bracket":
        return f"[{d.month:02d}-{d.day:02d}]"
    if style == "slash":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == "dot":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    return d.isoformat()


def _org(site: Site) -> str:
    return site.organization.name_zh if site.language == "zh" else site.organization.name_en


def _title(site: Site, rng: random.Random, ctype: str, k: int, today: dt.date) -> str:
    zh = site.language == "zh"
    table = TITLES["cn" if zh else "us"]
    templates = table.get(ctype, table["other"])
    topics = ZH_TOPICS if zh else EN_TOPICS
    title = templates[(k + rng.randrange(len(templates))) % len(templates)].format(
        org=_org(site), topic=topics[rng.randrange(len(topics))], year=today.year,
        n=rng.randint(1, 9))
    return title[0].upper() + title[1:] if not zh else title


def _ids_base(site: Site, seed: int) -> int:
    return random.Random(f"{seed}/{site.host}/ids").randint(10, 700) * 1000


def column_items(site: Site, seed: int, today: dt.date, col: Column,
                 paginated: bool, anchor: dt.date | None = None) -> list[Item]:
    """A column's own items, newest first (no defect or epoch items).

    Dated relative to today; or, when an anchor before today is given (a farm served past
    the day it was generated for, as a simulation does), dated relative to the anchor, so a
    published item keeps its date (and its URL, which holds the date), after what the column
    published since: a stale column publishes nothing and grows staler, a fresh one stays
    fresh."""
    if col.state == "blank" or col.ctype == "interaction":
        return []
    if anchor is not None and anchor < today:
        return _since(site, seed, today, col, column_items(site, seed, anchor, col, paginated))
    rng = random.Random(f"{seed}/{site.host}/items/{col.slug}")
    if col.state == "stale":
        lo, hi, glo, ghi = _STALE[col.ctype]
    elif col.featured and col.ctype == "news":
        lo, hi, glo, ghi = _FRESH_FEATURED_NEWS
    else:
        lo, hi, glo, ghi = _FRESH.get(col.ctype, _FRESH_OTHER)
    # Enough to fill a page or two, few enough that a crawl of the 60-site demo stays short.
    n = rng.randint(12, 20) if paginated and col.timely else rng.randint(6, 9)
    # redflag.backdated's notice (epoch 2) must fall within what the column lists: a crawl
    # judges backdating only above the oldest item it saw of the column.
    span = BACKDATED_DAYS + 40 if (site.has("redflag.backdated") and col.featured
                                   and col.ctype == "notices") else 0
    base = _ids_base(site, seed) + col.position * 100
    items = []
    age = rng.randint(lo, hi)
    k = 0
    while age <= c.MAX_ITEM_AGE and (k < n or age < span) and k < 100:
        flag = "attachment" if col.ctype == "policies" and k % 3 == 1 else ""
        items.append(Item(base + 99 - k, today - dt.timedelta(days=age), rng.randint(480, 1080),
                          _title(site, rng, col.ctype, k, today), col.slug, flag))
        age += rng.randint(glo, ghi)
        k += 1
    return items


FORWARD_IDS = 30_000  # ids of the items published after the anchor: + column index x 1000 + n


def _since(site: Site, seed: int, today: dt.date, col: Column, kept: list[Item]) -> list[Item]:
    """The column on today: the items published after the anchor's newest, then those of the
    anchor, as many as the column lists (the same rule as column_items, relative to today)."""
    fresh = _FRESH_FEATURED_NEWS if col.featured and col.ctype == "news" else _FRESH.get(col.ctype, _FRESH_OTHER)
    rng = random.Random(f"{seed}/{site.host}/since/{col.slug}")
    n = len(kept)  # as many as on the anchor
    published: list[Item] = []
    base = _ids_base(site, seed) + FORWARD_IDS + col.position * 1000
    day = kept[0].date if kept else today
    while col.state != "stale" and len(published) < 999:
        day += dt.timedelta(days=rng.randint(max(fresh[2], 1), fresh[3]))
        if day > today:
            break
        flag = "attachment" if col.ctype == "policies" and len(published) % 3 == 1 else ""
        published.append(Item(base + len(published), day, rng.randint(480, 1080),
                              _title(site, rng, col.ctype, len(published), day), col.slug, flag))
    span = BACKDATED_DAYS + 40 if (site.has("redflag.backdated") and col.featured
                                   and col.ctype == "notices") else 0
    max_age = _max_age(site, seed)
    out = []
    for k, item in enumerate([*reversed(published), *kept]):
        age = (today - item.date).days
        if age > max_age or not (k < n or age < span) or k >= 100:
            break
        out.append(item)
    return out


def _max_age(site: Site, seed: int) -> float:
    """Past the anchor, items older than MAX_ITEM_AGE stay listed, except where their dates
    are shown without the year ([MM-DD]): there they would read as this year's."""
    return c.MAX_ITEM_AGE if layout(site, seed)[0] == "bracket" else float("inf")


def expression_item(site: Site, seed: int, today: dt.date, col: Column,
                    own: list[Item]) -> tuple[Item, tuple[str, str, str]]:
    """redflag.expression: an article of the homepage's news column, never its newest."""
    rng = random.Random(f"{seed}/{site.host}/expression")
    wrong_right = rng.choice(EXPRESSIONS)
    newest = own[0].date if own else today
    date = newest - dt.timedelta(days=rng.randint(1, 8))
    title = f"{_org(site)}传达学习国务院常务会议精神"
    return Item(EXPRESSION_ID, date, 600, title, col.slug, "expression"), wrong_right


def backdated_item(site: Site, today: dt.date, col: Column) -> Item:
    zh = site.language == "zh"
    title = "关于进一步规范行政事业性收费的通知" if zh else "Notice of revised fee schedule"
    return Item(BACKDATED_ID, today - dt.timedelta(days=BACKDATED_DAYS), 540, title, col.slug,
                "backdated")


def fresh_item(site: Site, today: dt.date, col: Column) -> Item:
    zh = site.language == "zh"
    title = f"{_org(site)}召开本周工作例会" if zh else f"{_org(site)} weekly update"
    return Item(FRESH_ID, today, 570, title, col.slug, "fresh")


def messages(site: Site, seed: int, today: dt.date, anchor: dt.date | None = None) -> list[Message]:
    """The message board, newest first: answered messages, and the unanswered defect's two.
    With an anchor before today (see column_items): those of the anchor keep their dates,
    and messages submitted since are answered 1-15 days later (not yet, when that is after
    today)."""
    if anchor is not None and anchor < today:
        return _messages_since(site, seed, today, messages(site, seed, anchor))
    rng = random.Random(f"{seed}/{site.host}/messages")
    j = site.jurisdiction
    topics = ZH_TOPICS if j == "cn" else EN_TOPICS
    base = _ids_base(site, seed) + 90_000
    out = []
    age = rng.randint(2, 6)
    for k in range(rng.randint(8, 14)):
        if age > c.MAX_ITEM_AGE:
            break
        lag = rng.randint(1, min(15, age))
        title = rng.choice(MESSAGE_TITLES[j]).format(topic=rng.choice(topics))
        out.append(Message(base + 100 - k, title, today - dt.timedelta(days=age),
                           today - dt.timedelta(days=age - lag)))
        age += rng.randint(3, 20)
    out += unanswered(site, seed, today)
    out.sort(key=lambda m: (m.submitted, m.id), reverse=True)
    return out


def _messages_since(site: Site, seed: int, today: dt.date, kept: list[Message]) -> list[Message]:
    rng = random.Random(f"{seed}/{site.host}/messages/since")
    j = site.jurisdiction
    topics = ZH_TOPICS if j == "cn" else EN_TOPICS
    base = _ids_base(site, seed) + 90_000 + 200
    new: list[Message] = []
    day = max((m.submitted for m in kept), default=today)
    while len(new) < 500:
        day += dt.timedelta(days=rng.randint(3, 20))
        if day > today:
            break
        replied = day + dt.timedelta(days=rng.randint(1, 15))
        title = rng.choice(MESSAGE_TITLES[j]).format(topic=rng.choice(topics))
        new.append(Message(base + len(new), title, day, replied if replied <= today else None))
    max_age = _max_age(site, seed)
    out = [m for m in [*new, *kept] if (today - m.submitted).days <= max_age]
    out.sort(key=lambda m: (m.submitted, m.id), reverse=True)
    return out


def unanswered(site: Site, seed: int, today: dt.date) -> list[Message]:
    if not site.has("interaction.unanswered"):
        return []
    rng = random.Random(f"{seed}/{site.host}/unanswered")
    ages = rng.sample(range(100, 301), 2)
    titles = rng.sample(UNANSWERED_TITLES[site.jurisdiction], 2)
    return [Message(UNANSWERED_ID + i, t, today - dt.timedelta(days=a), None)
            for i, (a, t) in enumerate(zip(ages, titles, strict=True))]


# --- URLs ---------------------------------------------------------------------------------

def item_path(site: Site, item: Item) -> str:
    d = item.date
    if site.jurisdiction == "cn":
        return f"/{item.slug}/{d:%Y%m}/t{d:%Y%m%d}_{item.id}.html"
    return f"/{item.slug}/{d:%Y/%m}/item-{item.id}.html"


def attachment_path(site: Site, item: Item) -> str:
    d = item.date
    if site.jurisdiction == "cn":
        return f"/{item.slug}/{d:%Y%m}/P0{d:%Y%m%d}_{item.id}.pdf"
    return f"/{item.slug}/{d:%Y/%m}/item-{item.id}.pdf"


def list_path(site: Site, col: Column, page: int) -> str:
    """Page `page` (0-based) of a column's list."""
    if page == 0:
        return col.path
    return f"{col.path}index_{page}.html" if site.jurisdiction == "cn" else f"{col.path}page-{page + 1}.html"


def message_path(site: Site, m: Message) -> str:
    d = m.submitted
    if site.jurisdiction == "cn":
        return f"/hdjl/{d:%Y%m}/ly{m.id}.html"
    return f"/feedback/{d:%Y/%m}/q{m.id}.html"


def form_paths(site: Site) -> tuple[str, str]:
    """(the consultation form's page, its action)."""
    return ("/hdjl/wyxx.html", "/hdjl/submit.do") if site.jurisdiction == "cn" else \
        ("/feedback/form.html", "/feedback/submit")


def services_column(site: Site) -> Column:
    d = CORE[site.jurisdiction][7]
    return Column(d.slug, d.name, d.ctype, False, "fresh")


def policies_column(site: Site) -> Column:
    d = CORE[site.jurisdiction][3]
    return Column(d.slug, d.name, d.ctype, False, "fresh")


def base_url(site: Site) -> str:
    return f"{'http' if site.has('https.none') else 'https'}://{site.host}"


# --- the extra links of link defects ----------------------------------------------------

class ExtraLink(NamedTuple):
    page: str  # path of the page carrying it
    href: str  # as written in the page
    text: str
    kind: str  # dead_internal | dead_external | bad | hidden | healthy
    outcome: str = ""  # what a link checker sees: 4xx, 5xx, dns


def extra_links(site: Site, seed: int) -> list[ExtraLink]:
    """Links that the content defects add to the homepage and column pages."""
    zh = site.jurisdiction == "cn"
    out: list[ExtraLink] = []
    rng = random.Random(f"{seed}/{site.host}/links")
    n = rng.randint(1000, 9999)
    home, policies, services = "/", policies_column(site).path, services_column(site).path
    if site.has("links.dead_internal") and site.role != "big":  # the big site has its own
        if zh:
            out += [ExtraLink(home, "/zt/2019lh/index.html", "2019年全国两会专题", "dead_internal", "4xx"),
                    ExtraLink(policies, f"/uploads/2023/P02023031{n}.doc", "《申报指南》附件下载",
                              "dead_internal", "4xx"),
                    ExtraLink(services, "/bsfw/old/guide.html", "办事指南（旧版）", "dead_internal",
                              "4xx")]
        else:
            out += [ExtraLink(home, "/special/2019-census/", "2019 census information", "dead_internal",
                              "4xx"),
                    ExtraLink(policies, f"/uploads/2023/application-{n}.pdf", "Application form (PDF)",
                              "dead_internal", "4xx"),
                    ExtraLink(services, "/services/archive/guide.html", "Service guide (archived)",
                              "dead_internal", "4xx")]
    if site.has("links.dead_external"):
        label = site.host.replace(".", "-")
        out.append(ExtraLink(home, f"https://{c.DEAD_LINK_HOST}/gone/{label}.html",
                             "合作单位网站（旧版）" if zh else "Partner agency (old site)",
                             "dead_external", "4xx"))
        if rng.random() < 0.5:
            out.append(ExtraLink(services, f"https://{c.DEAD_LINK_HOST}/error/{label}.html",
                                 "原网上办事大厅" if zh else "Former online services portal",
                                 "dead_external", "5xx"))
        else:
            out.append(ExtraLink(services, f"https://{c.NO_DNS_HOST}/",
                                 "原机构网站" if zh else "Former bureau website", "dead_external", "dns"))
    if site.has("redflag.bad_link"):
        out.append(ExtraLink(home, f"https://{c.BAD_LINK_HOST}/?ref={site.host}",
                             "精彩推荐" if zh else "Featured", "bad"))
    if site.has("redflag.hidden_link"):
        out.append(ExtraLink(home, f"https://{c.HIDDEN_LINK_HOST}/", "城市指南" if zh else "City guide",
                             "hidden"))
    return out


# --- the plan -----------------------------------------------------------------------------

_ID = re.compile(r"(?:_|item-|/ly|/q)(\d+)\.(?:html|pdf)$")  # the id in an item or message path
_PAGE = re.compile(r"/(?:index_|page-)(\d+)\.html$")  # a list page after the first

@dataclass
class Plan:
    """A site's content in one epoch: columns, items, messages, and a path index."""

    site: Site
    seed: int
    today: dt.date
    epoch: int
    columns: tuple[Column, ...]
    items: dict[str, list[Item]]  # column slug -> items, newest first
    messages: list[Message]
    date_style: str
    per_page: int  # 0: every list on one page
    expression: tuple[str, str, str] | None = None  # (wrong, right, sentence): the article's
    links: list[ExtraLink] = field(default_factory=list)

    def column(self, slug: str) -> Column | None:
        return next((col for col in self.columns if col.slug == slug), None)

    def lookup(self, path: str) -> tuple[Any, ...] | None:
        """What the plan serves at path: ("column", col, page), ("item", col, item),
        ("attachment", col, item), ("message", col, message), ("form", col), ("action", col);
        None for anything else. Parsed from the path, checked against the URL it rebuilds
        (no path index: a plan stays small)."""
        site = self.site
        col = self.column(path.split("/", 2)[1]) if path.count("/") >= 2 else None
        if col is None:
            return None
        if path in (col.path, f"{col.path}index.html"):
            return ("column", col, 0)
        if col.ctype == "interaction":
            form, action = form_paths(site)
            if path == form:
                return ("form", col)
            if path == action:
                return ("action", col)
            if (m := _ID.search(path)) is not None:
                for msg in self.messages:
                    if msg.id == int(m.group(1)) and message_path(site, msg) == path:
                        return ("message", col, msg)
            return None
        if (m := _PAGE.search(path)) is not None:
            k = int(m.group(1)) - (site.jurisdiction != "cn")
            if 1 <= k < self.pages_of(col) and list_path(site, col, k) == path:
                return ("column", col, k)
            return None
        if (m := _ID.search(path)) is not None:
            wanted = int(m.group(1))
            for it in self.items.get(col.slug, ()):
                if it.id == wanted:
                    if item_path(site, it) == path:
                        return ("item", col, it)
                    if it.flag == "attachment" and attachment_path(site, it) == path:
                        return ("attachment", col, it)
        return None

    def paths(self) -> list[str]:
        """Every path the plan serves (for tests and sitemaps; not kept)."""
        site = self.site
        out = []
        for col in self.columns:
            out += [list_path(site, col, k) for k in range(self.pages_of(col))]
            for it in self.items.get(col.slug, ()):
                out.append(item_path(site, it))
                if it.flag == "attachment":
                    out.append(attachment_path(site, it))
            if col.ctype == "interaction":
                out += [*form_paths(site), *(message_path(site, m) for m in self.messages)]
        return out

    def pages_of(self, col: Column) -> int:
        n = len(self.items.get(col.slug, ()))
        return 1 if not self.per_page or n <= self.per_page else -(-n // self.per_page)

    def latest(self, ctype: str, n: int) -> list[Item]:
        return self.items[featured(self.columns, ctype).slug][:n]

    def links_on(self, path: str) -> list[ExtraLink]:
        return [link for link in self.links if link.page == path]


def plan(site: Site, seed: int, today: dt.date, epoch: int = 1, anchor: dt.date | None = None,
         epoch_day: dt.date | None = None) -> Plan:
    """The site's content on today (anchor: see column_items); what epoch 2 adds is dated
    as of epoch_day, the day it began (default today)."""
    began = min(epoch_day or today, today)
    cols = columns(site, seed)
    style, per_page = layout(site, seed)
    items = {col.slug: column_items(site, seed, today, col, bool(per_page), anchor) for col in cols}
    expression = None
    if site.has("redflag.expression"):
        news = featured(cols, "news")
        extra, expression = expression_item(site, seed, today, news, items[news.slug])
        items[news.slug].append(extra)
    if epoch >= 2:
        if site.has("redflag.backdated"):
            notices = featured(cols, "notices")
            items[notices.slug].append(backdated_item(site, began, notices))
        target = fresh_target(site, cols)
        items[target.slug].append(fresh_item(site, began, target))
    for lst in items.values():
        lst.sort(key=lambda i: (i.date, i.id), reverse=True)
    return Plan(site, seed, today, epoch, cols, items,
                messages(site, seed, today, anchor) if not site.has("interaction.none") else [],
                style, per_page, expression, extra_links(site, seed))
