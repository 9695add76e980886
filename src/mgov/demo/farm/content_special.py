"""The special sites of generate(traps=True, big_site_pages=N): a calendar trap, a session-id
trap, and one big site for crawl benchmarks. Each is an ordinary healthy site (the protocol
contract, columns, message board) plus its speciality, which is derived arithmetically per
request, never precomputed:

- calendar trap: /calendar/?year=Y&month=M links to the previous and the next month, for
  ever (years 1-9999);
- session-id trap: every internal link of its pages carries a session id that is new on every
  request (;jsessionid=... on column links, ?sid=... on the others);
- big site: a tree of `pages` list and article pages under /l/P/ and /a/P.html (P = 0 ..
  pages-1, /l/0/ its root, linked from the navigation), each with 20-40 links, and exactly
  round(pages x dead) distinct dead internal link targets, each on one page.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from html import escape
from typing import Any
from urllib.parse import parse_qs

from mgov.demo.farm import content_privacy
from mgov.demo.farm.content import Plan, base_url
from mgov.demo.farm.content_pages import PLAIN, Links, nav
from mgov.demo.farm.manifest import Site
from mgov.demo.farm.pages import Page, content_page, html_page

BRANCH = 20  # children of a list page
RELATED = 12  # "related" links of an article
BIG_ROOT = "/l/0/"


class BigSite:
    """Page P of the tree: a list page when it has children (BRANCH*P+1 < pages), else an
    article. Children of P are BRANCH*P+1 .. BRANCH*P+BRANCH; the parent of P is
    (P-1)//BRANCH. Dead target j (0 <= j < dead) is /a/{pages+j}.html (even j) or
    /l/{pages+j}/ (odd j), linked from page (offset + j*stride) mod pages only."""

    def __init__(self, pages: int, dead: int, today: dt.date) -> None:
        if pages < 1 or not 0 <= dead <= pages:
            raise ValueError("big site: need pages >= 1 and 0 <= dead <= pages")
        self.n, self.dead, self.today = pages, dead, today
        stride = max(1, int(pages * 0.618)) | 1
        while math.gcd(stride, pages) != 1:
            stride += 1
        self.stride = stride % pages if pages > 1 else 0
        self.inv = pow(self.stride, -1, pages) if pages > 1 else 0
        self.offset = 7 % pages

    def is_list(self, p: int) -> bool:
        return BRANCH * p + 1 < self.n

    def url(self, p: int) -> str:
        return f"/l/{p}/" if self.is_list(p) else f"/a/{p}.html"

    def dead_url(self, j: int) -> str:
        return f"/a/{self.n + j}.html" if j % 2 == 0 else f"/l/{self.n + j}/"

    def dead_source(self, j: int) -> int:
        return (self.offset + j * self.stride) % self.n

    def dead_on(self, p: int) -> int | None:
        """The dead target page p links to, if any."""
        j = ((p - self.offset) * self.inv) % self.n if self.n > 1 else 0
        return j if j < self.dead else None

    def children(self, p: int) -> range:
        return range(BRANCH * p + 1, min(BRANCH * p + BRANCH, self.n - 1) + 1)

    def parent(self, p: int) -> int | None:
        return (p - 1) // BRANCH if p > 0 else None

    def related(self, p: int) -> list[int]:
        out = []
        for k in range(1, RELATED + 1):
            q = (p * 7919 + k * 104729) % self.n
            if q != p and q not in out:
                out.append(q)
        return out

    def date(self, p: int) -> dt.date:
        return self.today - dt.timedelta(days=(p * 7) % 60)

    def title(self, p: int, zh: bool) -> str:
        if self.is_list(p):
            return f"信息公开目录（{p}）" if zh else f"Information index {p}"
        return f"政务信息第{p}号" if zh else f"Public record no. {p}"

    def parse(self, path: str) -> int | None:
        m = re.fullmatch(r"/l/(\d+)/|/a/(\d+)\.html", path)
        if m is None:
            return None
        p = int(m.group(1) or m.group(2))
        if p >= self.n or self.is_list(p) != (m.group(1) is not None):
            return None
        return p

    def facts(self, site: Site) -> dict[str, Any]:
        base = base_url(site)
        zh = site.language == "zh"
        return {
            "big_site": {"pages": self.n, "dead": self.dead, "root": base + BIG_ROOT},
            "links.dead_internal": {"links": [
                {"url": base + self.dead_url(j), "pages": [base + self.url(self.dead_source(j))],
                 "text": "相关文件" if zh else "Related document", "outcome": "4xx"}
                for j in range(self.dead)]},
        }

    def render(self, plan: Plan, p: int, nav_extra: tuple[tuple[str, str], ...]) -> str:
        site = plan.site
        zh = site.language == "zh"
        crumbs = [f'<a href="/">{"首页" if zh else "Home"}</a>',
                  f'<a href="{BIG_ROOT}">{"信息公开目录" if zh else "Information index"}</a>']
        parent = self.parent(p)
        if parent is not None and parent != 0:
            crumbs.append(f'<a href="{self.url(parent)}">{escape(self.title(parent, zh))}</a>')
        body = [f'<div class="crumbs">{" &gt; ".join(crumbs)}</div>']
        title = self.title(p, zh)
        if self.is_list(p):
            body += [f'<h2 class="column-title">{escape(title)}</h2>', '<ul class="list">'] + [
                f'<li><a href="{self.url(q)}">{escape(self.title(q, zh))}</a>'
                f"<span>{self.date(q).isoformat()}</span></li>" for q in self.children(p)] + ["</ul>"]
            metas: tuple[tuple[str, str], ...] = (("ColumnName", title), ("ColumnType", "topics"))
        else:
            when = f"{self.date(p).isoformat()} 09:30"
            info = f"发布时间：{when}" if zh else f"Posted: {when}"
            text = ("本页为演示站点群大型站点的一篇文章。" if zh
                    else "This page is an article of the demo farm's big site.")
            body += ['<article>', f'<h2 class="article-title">{escape(title)}</h2>',
                     f'<div class="info">{info}</div>', f"<p>{text}</p>", "</article>",
                     f'<div class="related"><h3>{"相关信息" if zh else "Related"}</h3><ul>'] + [
                f'<li><a href="{self.url(q)}">{escape(self.title(q, zh))}</a></li>'
                for q in self.related(p)] + ["</ul></div>"]
            metas = (("ArticleTitle", title), ("PubDate", when))
        j = self.dead_on(p)
        if j is not None:
            body.append(f'<p class="files"><a href="{self.dead_url(j)}">'
                        f'{"相关文件" if zh else "Related document"}</a></p>')
        return content_page(site, plan.seed, title, "\n".join(body), metas=metas,
                            nav=nav(plan, PLAIN, nav_extra))


def big_site(site: Site, today: dt.date) -> BigSite:
    info = site.details["big_site"]
    return BigSite(info["pages"], info["dead"], today)


# --- the calendar trap --------------------------------------------------------------------

CALENDAR = "/calendar/"


def calendar_href(year: int, month: int) -> str:
    return f"{CALENDAR}?year={year}&month={month}"


def calendar_page(plan: Plan, query: str, nav_extra: tuple[tuple[str, str], ...]) -> str | None:
    """A month of the events calendar, linking to the months before and after (for ever)."""
    site = plan.site
    zh = site.language == "zh"
    q = parse_qs(query)
    try:
        year = int(q.get("year", [plan.today.year])[0])
        month = int(q.get("month", [plan.today.month])[0])
    except ValueError:
        return None
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
    next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
    rows = "".join("<tr>" + "".join(f"<td>{d or ''}</td>" for d in w) + "</tr>" for w in weeks)
    title = f"{year}年{month}月活动日历" if zh else f"Events calendar: {calendar.month_name[month]} {year}"
    links = []
    if prev_y >= 1:
        links.append(f'<a href="{escape(calendar_href(prev_y, prev_m))}">{"上个月" if zh else "Previous month"}</a>')
    if next_y <= 9999:
        links.append(f'<a href="{escape(calendar_href(next_y, next_m))}">{"下个月" if zh else "Next month"}</a>')
    links.append(f'<a href="{escape(calendar_href(plan.today.year, plan.today.month))}">'
                 f'{"本月" if zh else "This month"}</a>')
    body = (f'<h2 class="article-title">{escape(title)}</h2><p class="months">{" ".join(links)}</p>'
            f'<table class="calendar">{rows}</table>')
    return content_page(site, plan.seed, title, body, nav=nav(plan, PLAIN, nav_extra))


# --- dispatch -----------------------------------------------------------------------------

def nav_extra(site: Site) -> tuple[tuple[str, str], ...]:
    if site.role == "big":
        return ((BIG_ROOT, "信息公开目录" if site.language == "zh" else "Information index"),)
    return ()


def home_links_extra(site: Site, today: dt.date) -> tuple[tuple[str, str], ...]:
    if site.role == "calendar_trap":
        return ((calendar_href(today.year, today.month),
                 "活动日历" if site.language == "zh" else "Events calendar"),)
    return content_privacy.home_links(site)


def serve(plan: Plan, path: str, query: str, big: BigSite | None) -> Page | None:
    """The special page at path (None: not one)."""
    site = plan.site
    extra = nav_extra(site)
    if big is not None:
        p = big.parse(path)
        if p is not None:
            return html_page(site, big.render(plan, p, extra))
    if site.role == "calendar_trap" and path == CALENDAR:
        text = calendar_page(plan, query, extra)
        return html_page(site, text) if text is not None else None
    return None


def session_links(site: Site) -> Links:
    return Links(session=site.role == "session_trap")
