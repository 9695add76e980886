"""The demo farm's crawlable content (issue 4): columns with dated items, message boards,
consultation forms, every content defect with the facts the manifest lists, epochs, the trap
sites and the big site, fetched over loopback through the farm's DNS and CA like a crawler."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import json
import re
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import aiohttp
import pytest
from selectolax.lexbor import LexborHTMLParser

from mgov.demo.farm import DEFECTS, Manifest, RunningFarm, Site, generate, run_in_thread
from mgov.demo.farm import contract as c
from mgov.demo.farm.client import FarmResolver, get_epoch, set_epoch
from mgov.demo.farm.content import columns, plan
from mgov.demo.farm.content_special import BigSite
from mgov.demo.farm.contract import MAX_ITEM_AGE as _MAX_AGE
from mgov.demo.farm.defects import CONFLICTS, CRAWL_CHECKS, compatible, run_kind_of
from mgov.demo.farm.defects_notices import NOTICE_DEFECTS
from mgov.demo.farm.pages import footer_links
from mgov.demo.verify import verify

SEED, COUNT = 23, 80
TODAY = dt.date(2027, 1, 10)  # early in a year: [MM-DD] dates of last year must read right
BIG_PAGES, BIG_DEAD = 2000, 0.02
# The privacy-notice defects are observed in tests/test_notice_farm.py.
CONTENT = [d for d, v in DEFECTS.items() if v.run_kind == "crawl" and d not in NOTICE_DEFECTS]
NEWS_DAYS, TIMELY_DAYS, REPLY_DAYS = 14, 183, 90


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return generate(SEED, COUNT, today=TODAY, traps=True, big_site_pages=BIG_PAGES,
                    big_site_dead=BIG_DEAD)


@pytest.fixture(scope="module")
def farm(manifest: Manifest):
    with run_in_thread(manifest) as running:
        yield running


@pytest.fixture
def epoch2(farm: RunningFarm):
    farm.set_epoch(2)
    try:
        yield farm
    finally:
        farm.set_epoch(1)


# --- a small crawler ----------------------------------------------------------------------

def parse_date(text: str, today: dt.date = TODAY) -> dt.date | None:
    """The farm's list date formats: 2026-11-20, 2026年11月20日, 2026/11/20, 2026.11.20, [11-20]."""
    if m := re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.search(r"\[(\d{2})-(\d{2})\]", text):
        d = dt.date(today.year, int(m[1]), int(m[2]))
        return d if d <= today else d.replace(year=today.year - 1)
    return None


@dataclass
class Fetched:
    url: str
    status: int | str  # an HTTP status, or "dns" / "error"
    text: str = ""
    tree: Any = None

    def meta(self, name: str) -> str | None:
        node = self.tree.css_first(f'meta[name="{name}"]') if self.tree else None
        return node.attributes.get("content") if node is not None else None

    def links(self, selector: str = "a[href]") -> list[tuple[str, str]]:
        """(absolute URL without fragment, anchor text) of the links the selector finds."""
        out = []
        for a in self.tree.css(selector) if self.tree else []:
            href = a.attributes.get("href") or ""
            if href and not href.startswith(("mailto:", "javascript:", "#")):
                out.append((urldefrag(urljoin(self.url, href))[0], (a.text() or "").strip()))
        return out

    def items(self) -> list[tuple[str, str, dt.date | None]]:
        """(url, title, date) of the list items: <ul class="list"> or the homepage sections."""
        out = []
        for li in self.tree.css("ul.list li, section.news li, section.notices li") if self.tree else []:
            a = li.css_first("a[href]")
            if a is None:
                continue
            rest = (li.text() or "").replace(a.text() or "", "")
            out.append((urljoin(self.url, a.attributes["href"]), (a.text() or "").strip(),
                        parse_date(rest)))
        return out


@dataclass
class Crawl:
    site: Site
    pages: dict[str, Fetched] = field(default_factory=dict)  # every same-host URL fetched
    sources: dict[str, set[str]] = field(default_factory=dict)  # link target -> pages with it
    external: dict[str, Fetched] = field(default_factory=dict)

    def page(self, path: str) -> Fetched:
        return self.pages[f"https://{self.site.host}{path}"]

    def html(self) -> list[Fetched]:
        return [p for p in self.pages.values() if p.tree is not None]

    def dead(self) -> set[str]:
        return {u for u, p in {**self.pages, **self.external}.items() if p.status != 200}

    def column_pages(self) -> dict[str, list[Fetched]]:
        """ColumnName -> its list pages (pages with ColumnName meta and no PubDate)."""
        out: dict[str, list[Fetched]] = {}
        for p in self.html():
            name = p.meta("ColumnName")
            if name and p.meta("PubDate") is None and p.status == 200:
                out.setdefault(name, []).append(p)
        return out


def _client(farm: RunningFarm) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(resolver=FarmResolver(farm.dns_port, farm.port_map),
                                     ssl=farm.ssl_context(), family=socket.AF_INET, limit=100)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=20))


async def _get(session: aiohttp.ClientSession, url: str, site: Site | None) -> Fetched:
    try:
        async with session.get(url, allow_redirects=False) as resp:
            body = await resp.read()
            ctype = resp.headers.get("Content-Type", "")
    except OSError as e:  # aiohttp's connection errors are OSErrors; FarmResolver's NXDOMAIN too
        return Fetched(url, "dns" if "does not resolve" in str(e) else "error")
    if "html" not in ctype:
        return Fetched(url, resp.status)
    text = body.decode(site.encoding if site else "utf-8")
    return Fetched(url, resp.status, text, LexborHTMLParser(text))


def crawl(farm: RunningFarm, site: Site, *, limit: int = 5000, check_external: bool = True) -> Crawl:
    """Every same-host page reachable from the homepage (a and img/script/link targets), each
    link's sources, and (check_external) the outcome of every off-site link."""
    out = Crawl(site)

    async def main() -> None:
        async with _client(farm) as session:
            queue = [f"https://{site.host}/"]
            seen = set(queue)
            while queue and len(out.pages) < limit:
                batch, queue = queue[:100], queue[100:]
                for got in await asyncio.gather(*(_get(session, u, site) for u in batch)):
                    out.pages[got.url] = got
                    if got.tree is None or got.status != 200:
                        continue
                    targets = got.links() + [
                        (urljoin(got.url, n.attributes.get("src") or n.attributes.get("href") or ""), "")
                        for n in got.tree.css("img[src], script[src], link[href]")]
                    for url, _ in targets:
                        out.sources.setdefault(url, set()).add(got.url)
                        if urlsplit(url).hostname == site.host and url not in seen:
                            seen.add(url)
                            queue.append(url)
            if check_external:
                ext = sorted(u for u in out.sources if urlsplit(u).hostname != site.host)
                for got in await asyncio.gather(*(_get(session, u, None) for u in ext)):
                    out.external[got.url] = got

    asyncio.run(main())
    return out


_CRAWLS: dict[tuple[str, int], Crawl] = {}


def crawled(farm: RunningFarm, site: Site) -> Crawl:
    key = (site.host, farm.epoch)
    if key not in _CRAWLS:
        _CRAWLS[key] = crawl(farm, site)
    return _CRAWLS[key]


def fetch(farm: RunningFarm, host: str, path: str, method: str = "GET") -> tuple[int, str, Any]:
    """One request over HTTPS (Host and SNI: host), like test_farm's helper."""
    ctx = farm.ssl_context()
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", farm.https_port), timeout=10),
                                server_hostname=host)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body.decode("utf-8", "replace"), resp.headers
    finally:
        conn.close()


def pick(manifest: Manifest, defect: str | None = None, jurisdiction: str | None = None,
         **where: Any) -> Site:
    """The site with defect (none: content-healthy and scan-healthy) with the fewest defects."""
    sites = [s for s in manifest.sites if s.role == "site"
             and (defect in s.defects if defect else s.healthy)
             and (jurisdiction is None or s.jurisdiction == jurisdiction)
             and all(getattr(s, k) == v for k, v in where.items())]
    assert sites, (defect, jurisdiction, where)
    # The helpers here speak HTTPS: an HTTP-only site (https.absent) only when nothing else has it.
    return min(sites, key=lambda s: (s.has("https.absent"), s.has("availability.slow"), len(s.defects)))


def newest(pages: list[Fetched]) -> dt.date | None:
    dates = [d for p in pages for _, _, d in p.items() if d is not None]
    return max(dates) if dates else None


def stale_columns(cr: Crawl) -> set[str]:
    """Column URLs (first list page) whose newest item is older than its class allows."""
    out = set()
    for pages in cr.column_pages().values():
        ctype = pages[0].meta("ColumnType")
        limit = {"news": NEWS_DAYS, "notices": TIMELY_DAYS, "policies": TIMELY_DAYS}.get(ctype or "")
        last = newest(pages)
        if limit is not None and last is not None and (TODAY - last).days > limit:
            out.add(min(pages, key=lambda p: len(p.url)).url)
    return out


def blank_columns(cr: Crawl) -> set[str]:
    return {min(pages, key=lambda p: len(p.url)).url for pages in cr.column_pages().values()
            if not any(p.items() or p.tree.css("table.messages tr td") for p in pages)}


def message_rows(page: Fetched) -> list[tuple[str, dt.date, dt.date | None]]:
    out = []
    for tr in page.tree.css("table.messages tbody tr"):
        cells = [(td.text() or "").strip() for td in tr.css("td")]
        out.append((cells[0], dt.date.fromisoformat(cells[1]),
                    dt.date.fromisoformat(cells[2]) if cells[2] else None))
    return out


# --- generation and the manifest ----------------------------------------------------------

def test_content_defects_generation(manifest: Manifest) -> None:
    again = generate(SEED, COUNT, today=TODAY, traps=True, big_site_pages=BIG_PAGES,
                     big_site_dead=BIG_DEAD)
    assert again.to_json() == manifest.to_json()
    assert Manifest.from_json(manifest.to_json()) == manifest
    # Content defects come from their own RNG: the scan defects are those of a plain farm.
    plain = generate(SEED, COUNT, today=TODAY - dt.timedelta(days=40))
    scan = [[d for d in s.defects if DEFECTS[d].run_kind == "scan"] for s in plain.sites]
    assert scan == [[d for d in s.defects if DEFECTS[d].run_kind == "scan"] for s in manifest.sites[:COUNT]]
    sites = [s for s in manifest.sites if s.role == "site"]
    assert {d for s in sites for d in s.defects} == set(DEFECTS)
    assert len([s for s in sites if s.healthy]) >= 0.3 * COUNT
    for s in sites:
        assert not any(frozenset(p) in CONFLICTS for p in combinations(s.defects, 2)), s.defects
        for d in s.defects:
            if DEFECTS[d].run_kind == "crawl":
                assert d in s.details, (s.host, d)  # the facts a test compares with
                assert s.jurisdiction == "cn" or not DEFECTS[d].cn_only
    assert manifest.today == TODAY.isoformat() and manifest.traps and manifest.big_site_pages == BIG_PAGES
    assert [s.role for s in manifest.sites[COUNT:]] == ["calendar_trap", "session_trap", "big"]
    names = [n for s in manifest.sites for n in (s.host, s.twin)] + manifest.services
    assert len(names) == len(set(names))


def test_defect_table() -> None:
    content = {d: v.checks for d, v in DEFECTS.items() if v.run_kind == "crawl"}
    assert content == {
        "content.home_stale": ("content.homepage_fresh", "content.columns_stale"),
        "content.home_undated": ("content.homepage_fresh",),
        "content.columns_stale": ("content.columns_stale",),
        "content.columns_blank": ("content.columns_blank",),
        "links.dead_internal": ("links.dead",),
        "links.dead_external": ("links.dead",),
        "interaction.none": ("interaction.channel",),
        "interaction.broken": ("interaction.channel",),
        "interaction.unanswered": ("interaction.unanswered",),
        "redflag.expression": ("content.expressions",),
        "redflag.bad_link": ("content.bad_links",),
        "redflag.hidden_link": ("content.bad_links",),
        "redflag.backdated": ("content.backdated",),
        "redflag.tampered": ("content.tampering",),
        "privacy.pii_leak": ("privacy.pii_exposed",),
        "privacy.pii_decoys": (),  # a trap for false alarms: privacy.pii_exposed must pass
        # The privacy notice's (issue 18; defects_notices.py).
        "privacy.policy_incomplete": ("privacy.policy_complete",),
        "privacy.policy_absent": ("privacy.policy_present",),
        "privacy.program_missing": ("privacy.program_page",),
    }
    assert DEFECTS["privacy.pii_decoys"].passes == ("privacy.pii_exposed",)
    assert {c for v in content.values() for c in v} == CRAWL_CHECKS
    assert all(run_kind_of(c) == "scan" for v in DEFECTS.values() if v.run_kind == "scan" for c in v.checks)
    assert {d for d, v in DEFECTS.items() if v.epoch == 2} == {"redflag.backdated", "redflag.tampered"}
    # A site the crawler cannot fetch hides every content defect; one channel hides the others.
    for blind in ("https.none", "tls.expired", "availability.failing", "availability.flapping"):
        assert {c for c in DEFECTS[blind].obscures if run_kind_of(c) == "crawl"} == CRAWL_CHECKS
        assert not any(compatible(blind, d) for d in CONTENT)
    assert not compatible("interaction.none", "interaction.broken")
    assert not compatible("content.home_stale", "content.columns_stale")
    assert not compatible("not_found.soft404", "links.dead_internal")
    assert compatible("content.columns_stale", "content.columns_blank")


def test_verify_counts_each_run_kind_separately(manifest: Manifest) -> None:
    site = pick(manifest, "links.dead_internal")
    one = Manifest(**{**manifest.__dict__, "sites": [site]})
    flagged = {"status": "fail", "message": ""}
    scan_ok = {c: flagged for d in site.defects if DEFECTS[d].run_kind == "scan" for c in DEFECTS[d].checks}
    report = verify(one, {site.host: scan_ok})
    assert report.ok and report.detected == report.defects  # the crawl defects are not the scan's
    crawl = verify(one, {site.host: {}}, run_kind="crawl")
    assert {m["defect"] for m in crawl.missed} == {d for d in site.defects if DEFECTS[d].run_kind == "crawl"
                                                   and DEFECTS[d].epoch == 1}
    assert verify(one, {site.host: {"links.dead": flagged}}, run_kind="crawl").false_alarms == []
    healthy = pick(manifest)
    two = Manifest(**{**manifest.__dict__, "sites": [healthy]})
    assert verify(two, {healthy.host: {"links.dead": flagged}}, run_kind="crawl").false_alarms


def test_generate_options_are_validated_and_cheap() -> None:
    with pytest.raises(ValueError):
        generate(1, 10, big_site_pages=-1)
    with pytest.raises(ValueError):
        generate(1, 10, big_site_pages=100, big_site_dead=0.9)
    m = generate(1, 10, big_site_pages=20_000, big_site_dead=0.02, today=TODAY)
    big = m.role("big")
    dead = big.details["links.dead_internal"]["links"]
    assert big.details["big_site"]["pages"] == 20_000 and len(dead) == 400
    assert len({d["url"] for d in dead}) == 400 and len({d["pages"][0] for d in dead}) == 400
    # Arithmetic, both ways: each dead target's page links it, and only it.
    tree = BigSite(20_000, 400, TODAY)
    for j in range(400):
        assert tree.dead_on(tree.dead_source(j)) == j
    assert sum(tree.dead_on(p) is not None for p in range(20_000)) == 400
    assert max(len(tree.children(p)) for p in range(1000)) == 20


# --- healthy sites ------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["cn", "us", "gbk", "paginated"])
def test_healthy_site_structure(farm: RunningFarm, manifest: Manifest, which: str) -> None:
    if which == "gbk":
        site = pick(manifest, None, "cn", encoding="gbk")
    elif which == "paginated":
        site = next(s for s in manifest.healthy_sites() if s.role == "site" and plan(s, SEED, TODAY).per_page)
    else:
        site = pick(manifest, None, which, encoding="utf-8")
    cr = crawled(farm, site)
    home = cr.page("/")
    # The homepage: <nav> of every first-level column, the news and notices sections dated.
    nav = [u for u, _ in home.links("nav.site-nav a")]
    cols = cr.column_pages()
    assert len(cols) >= 9 and len(nav) == len(cols) + 1
    for u in nav[1:]:
        assert cr.pages[u].meta("ColumnName") and cr.pages[u].meta("ColumnType")
    for text, href in footer_links(site):
        assert f'<a href="{href}">{text}</a>' in home.text
    home_items = home.items()
    assert len(home_items) == 11 and all(d is not None for _, _, d in home_items)
    assert (TODAY - max(d for _, _, d in home_items)).days <= 3
    assert len(home.tree.css("section.news time[datetime]")) == 6
    assert len(home.text.encode(site.encoding)) < 12_000
    # Every column has dated items; news fresh within 14 days, the others within 6 months.
    types = set()
    for pages in cols.values():
        ctype = pages[0].meta("ColumnType")
        types.add(ctype)
        last = newest(pages)
        if ctype == "interaction":
            rows = message_rows(pages[0])
            assert rows and all(r and 1 <= (r - s).days <= REPLY_DAYS for _, s, r in rows)
            continue
        assert last is not None, pages[0].url
        assert (TODAY - last).days <= (NEWS_DAYS if ctype == "news" else TIMELY_DAYS), (pages[0].url, last)
        for _, _, d in (i for p in pages for i in p.items()):
            assert d is not None and 0 <= (TODAY - d).days <= _MAX_AGE
    assert {"news", "notices", "policies", "personnel", "plans", "services", "interaction"} <= types
    # Articles carry PubDate and 发布时间 matching their list date.
    articles = [p for p in cr.html() if p.meta("PubDate")]
    listed = {u: d for pages in cols.values() for p in pages for u, _, d in p.items()}
    assert len(articles) >= 40
    for art in articles:
        pub = dt.date.fromisoformat(art.meta("PubDate")[:10])
        label = "发布时间：" if site.jurisdiction == "cn" else "Posted: "
        if art.meta("ColumnType") != "interaction":
            assert f"{label}{art.meta('PubDate')}" in art.text and listed[art.url] == pub
    # No dead link, inside or out; the consultation form's action answers.
    assert cr.dead() == set(), sorted(cr.dead())[:5]
    assert {urlsplit(u).hostname for u in cr.external} >= {c.LINK_HOSTS[site.jurisdiction]}
    forms = [f for p in cr.html() for f in p.tree.css("form.consult")]
    assert len(forms) == 1 and forms[0].css_first("textarea") is not None
    action = forms[0].attributes["action"]
    assert fetch(farm, site.host, action, "POST")[0] == 200
    assert not any(p.tree.css('[style*="display:none"]') for p in cr.html())
    if which == "paginated":
        assert any(u.endswith(("index_1.html", "page-2.html")) for u in cr.pages)
    if which == "gbk":
        assert any("charset=gbk" in p.text or 'charset="gbk"' in p.text for p in cr.html()) \
            or site.charset_declared is False


def test_date_styles_and_layouts_vary(manifest: Manifest) -> None:
    from mgov.demo.farm.content import layout

    styles = {layout(s, SEED)[0] for s in manifest.sites if s.jurisdiction == "cn"}
    assert styles == {"iso", "zh", "bracket", "slash"}
    assert {layout(s, SEED)[0] for s in manifest.sites if s.jurisdiction == "us"} >= {"iso", "slash"}
    paginated = [layout(s, SEED)[1] for s in manifest.sites]
    assert 0.15 < sum(1 for p in paginated if p) / len(paginated) < 0.55


def test_healthy_homepages_everywhere(farm: RunningFarm, manifest: Manifest) -> None:
    """Every site's homepage (whatever its scan defects) keeps the content contract cheaply."""
    for s in manifest.sites:
        if s.has("availability.slow") or s.has("availability.failing") or s.has("availability.flapping") \
                or s.has("https.none") or s.role != "site":
            continue
        p = plan(s, SEED, TODAY)
        dates = [i.date for i in p.latest("news", 6)]
        assert dates and ((TODAY - dates[0]).days <= 3) != s.has("content.home_stale")
        nav_cols = {col.slug for col in columns(s, SEED)}
        assert ("hdjl" in nav_cols or "feedback" in nav_cols) != s.has("interaction.none")


def test_head_and_unknown_paths(farm: RunningFarm, manifest: Manifest) -> None:
    site = pick(manifest, None, "cn")
    p = plan(site, SEED, TODAY)
    col = p.columns[0]
    assert fetch(farm, site.host, col.path, "HEAD")[0] == 200
    assert fetch(farm, site.host, col.path + "index.html")[0] == 200
    for bad in (col.path + "index_99.html", col.path + "202001/t20200101_1.html", "/hdjl/submit.do/x",
                "/ywdt", "/no-such-column/"):
        assert fetch(farm, site.host, bad)[0] == 404, bad


# --- content defects ----------------------------------------------------------------------

def observe(farm: RunningFarm, manifest: Manifest, site: Site, defect: str) -> None:
    facts = site.details[defect]
    base = f"https://{site.host}"
    if defect == "redflag.backdated":
        assert fetch(farm, site.host, urlsplit(facts["url"]).path)[0] == 404  # epoch 1: not there
        farm.set_epoch(2)
        try:
            cr = crawl(farm, site, check_external=False)
        finally:
            farm.set_epoch(1)
        art = cr.pages[facts["url"]]
        assert art.status == 200 and art.meta("PubDate").startswith(facts["date"])
        assert (TODAY - dt.date.fromisoformat(facts["date"])).days == 200
        notices = [p for p in cr.html() if p.url.startswith(facts["column"]) and p.meta("PubDate") is None]
        listed = {u: d for p in notices for u, _, d in p.items()}
        assert listed[facts["url"]] == dt.date.fromisoformat(facts["date"])
        assert min(listed.values()) < dt.date.fromisoformat(facts["date"])  # within what the list shows
        return
    if defect == "redflag.tampered":
        before = fetch(farm, site.host, "/")[1]
        farm.set_epoch(2)
        try:
            after = fetch(farm, site.host, "/")[1]
        finally:
            farm.set_epoch(1)
        for region in ("header", "footer"):
            assert facts["before"][region] in before and facts["after"][region] not in before
            assert facts["after"][region] in after
        nav = re.compile(r'<nav class="site-nav">.*?</nav>', re.S)
        assert nav.search(before)[0] == nav.search(after)[0]
        return
    cr = crawled(farm, site)
    home = cr.page("/")
    if defect == "content.home_stale":
        dates = [d for _, _, d in home.items()]
        assert dates and all((TODAY - d).days > NEWS_DAYS for d in dates)
        assert max(dates).isoformat() == facts["newest"]
        assert stale_columns(cr) == set(facts["columns"]) and len(facts["columns"]) >= 5
    elif defect == "content.home_undated":
        assert home.items() and all(d is None for _, _, d in home.items())
        assert not home.tree.css("time") and not re.search(r"\d{4}-\d{2}-\d{2}", home.tree.body.text())
        assert stale_columns(cr) == set() or site.has("content.columns_stale")
    elif defect == "content.columns_stale":
        assert stale_columns(cr) == set(facts["columns"]) and len(facts["columns"]) >= 5
        assert (TODAY - max(d for _, _, d in home.items() if d)).days <= 3 or site.has("content.home_undated")
    elif defect == "content.columns_blank":
        assert blank_columns(cr) == set(facts["columns"]) and len(facts["columns"]) == 5
        shown = [cr.pages[u].tree.css_first("main").text() for u in facts["columns"]]
        assert any(re.search("暂无|建设中|敬请期待|Coming soon|under construction|No items", t) for t in shown)
        assert any(not cr.pages[u].tree.css("p.empty") for u in facts["columns"])  # an empty list too
    elif defect in ("links.dead_internal", "links.dead_external"):
        links = facts["links"]
        mine = {x["url"] for d in ("links.dead_internal", "links.dead_external") if site.has(d)
                for x in site.details[d]["links"]}
        assert cr.dead() == mine
        for x in links:
            assert cr.sources[x["url"]] == set(x["pages"])
            got = {**cr.pages, **cr.external}[x["url"]].status
            assert {"4xx": got in (404,), "5xx": got == 500, "dns": got == "dns"}[x["outcome"]], (x, got)
        if defect == "links.dead_internal":
            assert len(links) == 3 and any(x["pages"] == [base + "/"] for x in links)
        else:
            assert len(links) == 2 and {urlsplit(x["url"]).hostname for x in links} <= {c.DEAD_LINK_HOST,
                                                                                          c.NO_DNS_HOST}
    elif defect == "interaction.none":
        assert not [f for p in cr.html() for f in p.tree.css("form") if f.css_first("textarea")]
        words = re.compile("留言|咨询|信箱|互动|我要写信|投诉|建议")
        short = [t for p in cr.html() for _, t in p.links() if len(t) <= 16 and words.search(t)]
        assert short == []
        assert fetch(farm, site.host, "/hdjl/")[0] == 404
        assert "互动交流" not in home.text
    elif defect == "interaction.broken":
        form = cr.pages[facts["form"]]
        assert form.tree.css_first("form.consult").attributes["action"] == urlsplit(facts["action"]).path
        for method in ("GET", "POST"):
            assert fetch(farm, site.host, urlsplit(facts["action"]).path, method)[0] == facts["status"]
    elif defect == "interaction.unanswered":
        rows = message_rows(cr.pages[facts["page"]])
        waiting = {t for t, s, r in rows if r is None}
        assert waiting == {m["title"] for m in facts["messages"]} and len(waiting) == 2
        for m in facts["messages"]:
            assert 100 <= (TODAY - dt.date.fromisoformat(m["submitted"])).days <= 300
            assert cr.pages[m["url"]].status == 200
        assert all((r - s).days <= REPLY_DAYS for _, s, r in rows if r)
    elif defect == "redflag.expression":
        hits = [p.url for p in cr.html() if facts["wrong"] in p.text]
        assert hits == [facts["url"]] and cr.pages[facts["url"]].meta("ArticleTitle") == facts["title"]
    elif defect in ("redflag.bad_link", "redflag.hidden_link"):
        (x,) = facts["links"]
        assert cr.sources[x["url"]] == {base + "/"} and cr.external[x["url"]].status == 200
        hidden = {u for u, _ in home.links('div[style*="display:none"] a')}
        assert (x["url"] in hidden) == (defect == "redflag.hidden_link")
        if defect == "redflag.bad_link":
            assert c.BAD_LINK_HOST in x["url"]
    elif defect in ("privacy.pii_leak", "privacy.pii_decoys"):
        # The notice is linked from the homepage and links its files, served with their types
        # (what the crawl finds in them: tests/test_privacy_farm.py).
        path = urlsplit(facts["page"]).path
        status, text, _ = fetch(farm, site.host, path)
        assert status == 200 and f'href="{path}"' in fetch(farm, site.host, "/")[1]
        for doc in facts["documents"]:
            url = doc["url"] if isinstance(doc, dict) else doc
            doc_path = urlsplit(url).path
            got, _, headers = fetch(farm, site.host, doc_path)
            assert got == 200 and doc_path in text
            kind = "pdf" if doc_path.endswith(".pdf") else "spreadsheetml"
            assert kind in headers["Content-Type"]
    else:
        raise AssertionError(f"no observation for {defect}")


@pytest.mark.parametrize("defect", CONTENT)
def test_content_defect_is_observable(farm: RunningFarm, manifest: Manifest, defect: str) -> None:
    observe(farm, manifest, pick(manifest, defect), defect)


def test_scan_defects_leave_the_content_healthy(farm: RunningFarm, manifest: Manifest) -> None:
    """A site with scan defects only (none that blinds a crawler) has no dead link and
    nothing stale: its trackers, pixel and footer links all answer."""
    blind = {d for d, v in DEFECTS.items() if v.obscures}
    sites = [s for s in manifest.sites if s.role == "site" and s.defects
             and not any(DEFECTS[d].run_kind == "crawl" or d in blind or d == "availability.slow"
                         for d in s.defects)]
    site = max(sites, key=lambda s: (s.has("analytics.trackers") + s.has("cookies.third_party"), len(s.defects)))
    cr = crawled(farm, site)
    assert cr.dead() == set() and stale_columns(cr) == set() and blank_columns(cr) == set()


# --- epochs -------------------------------------------------------------------------------

def test_epoch_two_adds_a_fresh_item_everywhere(farm: RunningFarm, manifest: Manifest) -> None:
    site = pick(manifest, None, "us")
    stale = pick(manifest, "content.home_stale")
    before = fetch(farm, site.host, "/")[1]
    stale_before = fetch(farm, stale.host, "/")[1]
    assert farm.epoch == 1 and get_epoch(farm.http_port) == 1
    assert set_epoch(farm.http_port, 2) == 2 and farm.epoch == 2
    try:
        after = fetch(farm, site.host, "/")[1]
        news = plan(site, SEED, TODAY, 2).latest("news", 1)[0]
        assert news.date == TODAY and news.flag == "fresh"
        assert f'<time datetime="{TODAY.isoformat()}">' in after and news.title in after
        assert news.title not in before
        assert fetch(farm, site.host, f"/news/{TODAY:%Y/%m}/item-{news.id}.html")[0] == 200
        # A stale site's homepage stays stale: its fresh item goes to a column off the homepage.
        assert fetch(farm, stale.host, "/")[1] == stale_before
    finally:
        set_epoch(farm.http_port, 1)
    assert fetch(farm, site.host, "/")[1] == before
    assert fetch(farm, site.host, f"/news/{TODAY:%Y/%m}/item-{news.id}.html")[0] == 404


def test_control_endpoint(farm: RunningFarm) -> None:
    def call(method: str, path: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", farm.http_port, timeout=10)
        conn.request(method, path, headers={"Host": c.CONTROL_HOST})
        resp = conn.getresponse()
        out = resp.status, json.loads(resp.read())
        conn.close()
        return out

    assert call("GET", "/epoch") == (200, {"epoch": 1})
    assert call("POST", "/epoch?n=3")[0] == 400
    assert call("POST", "/epoch?n=x")[0] == 400
    assert call("DELETE", "/epoch")[0] == 405
    assert call("GET", "/other")[0] == 404
    assert farm.epoch == 1
    with pytest.raises(ValueError):
        farm.set_epoch(5)


# --- traps and the big site ---------------------------------------------------------------

def test_calendar_trap_is_endless_but_bounded_per_page(farm: RunningFarm, manifest: Manifest) -> None:
    site = manifest.role("calendar_trap")
    home = fetch(farm, site.host, "/")[1]
    start = re.search(r'href="(/calendar/\?year=\d+&amp;month=\d+)"', home)
    assert start
    url = start.group(1).replace("&amp;", "&")
    seen = set()
    for _ in range(30):
        status, text, _ = fetch(farm, site.host, url)
        assert status == 200 and len(re.findall(r"<a ", text)) < 40
        seen.add(url)
        nxt = re.findall(r'href="(/calendar/\?[^"]+)"', text)
        assert len(nxt) == 3
        url = nxt[1].replace("&amp;", "&")  # the next month
    assert len(seen) == 30
    assert fetch(farm, site.host, "/calendar/?year=9999&month=12")[0] == 200
    assert fetch(farm, site.host, "/calendar/?year=10000&month=1")[0] == 404
    assert fetch(farm, site.host, "/calendar/?year=x")[0] == 404


def test_session_trap_gives_fresh_ids(farm: RunningFarm, manifest: Manifest) -> None:
    site = manifest.role("session_trap")
    one, two = fetch(farm, site.host, "/")[1], fetch(farm, site.host, "/")[1]
    assert one != two
    def ids(text: str) -> set[str]:
        return {i.lower() for i in re.findall(r"(?:;jsessionid=|\?sid=)(\w+)", text)}

    assert len(ids(one)) == 1 and ids(one).isdisjoint(ids(two))  # one session per response
    strip = re.compile(r";jsessionid=\w+|\?sid=\w+")
    assert strip.sub("", one) == strip.sub("", two)
    col = re.search(r'<nav class="site-nav"><ul><li><a href="[^"]+"[^<]*</a></li><li><a href="([^"]+)"', one)[1]
    status, text, _ = fetch(farm, site.host, col.replace("&amp;", "&"))
    assert status == 200 and len(re.findall(r"<a ", text)) < 60
    item = re.search(r'<ul class="list"><li><a href="([^"]+;jsessionid=\w+)"', text)[1]
    assert fetch(farm, site.host, item)[0] == 200
    # Its required links stay as the contract has them.
    for text_, href in c.REQUIRED_LINKS["cn"]:
        assert f'<a href="{href}">{text_}</a>' in one


def test_big_site_dead_links_match_the_manifest(farm: RunningFarm, manifest: Manifest) -> None:
    site = manifest.role("big")
    cr = crawl(farm, site, check_external=False)
    base = f"https://{site.host}"
    tree = [u for u in cr.pages if re.fullmatch(rf"{re.escape(base)}/(l/\d+/|a/\d+\.html)", u)]
    ok = [u for u in tree if cr.pages[u].status == 200]
    assert len(ok) == BIG_PAGES
    per_page = [len(cr.pages[u].links()) for u in ok]
    assert min(per_page) >= 20 and max(per_page) <= 45
    facts = site.details["links.dead_internal"]["links"]
    assert len(facts) == round(BIG_PAGES * BIG_DEAD)
    assert cr.dead() == {x["url"] for x in facts}
    for x in facts:
        assert cr.sources[x["url"]] == set(x["pages"])
    assert all(cr.pages[x["url"]].status == 404 for x in facts)


# --- the command line ---------------------------------------------------------------------

def test_command_line_options_and_epoch_control(tmp_path) -> None:
    out = tmp_path / "manifest.json"
    proc = subprocess.Popen([sys.executable, "-m", "mgov.demo.farm", "--seed", "3", "--count", "4",
                             "--traps", "--big-site-pages", "300", "--big-site-dead", "0.05",
                             "--today", TODAY.isoformat(), "--no-ipv6", "--manifest-out", str(out)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = json.loads(next(line for line in proc.stdout if line.startswith("READY "))[6:])
        m = Manifest.from_json(out.read_text(encoding="utf-8"))
        assert m.today == TODAY.isoformat() and len(m.sites) == 7
        assert len(m.role("big").details["links.dead_internal"]["links"]) == 15
        assert ready["control_host"] == c.CONTROL_HOST and ready["epoch"] == 1
        assert set_epoch(ready["http_port"], 2) == 2 and get_epoch(ready["http_port"]) == 2
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
