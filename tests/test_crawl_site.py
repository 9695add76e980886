"""crawl_site against real loopback sites: dead links found exactly, robots, traps, caps."""

from __future__ import annotations

import itertools
import random
import time
from pathlib import Path

from aiohttp import web

from mgov.collect.crawler import CrawledPage, CrawlLimits, crawl_site
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.workspace import CrawlWorkspace
from mgov.evidence.crawl import DeadLink
from test_collect_support import run
from test_crawl_support import Pages, crawl, farm, host_of, html

S = "http://site.test"

# --- a small site with dead links ------------------------------------------------------------

SMALL = {
    "/": """<a href="/a.html">Page A</a> <a href="b.html">Page B</a>
        <a href="/missing-home.html">Missing from home</a>
        <a href="http://other.test/gone">External gone</a> <a href="http://other.test/fine">Fine</a>
        <a href="http://nowhere.test/">Nowhere</a> <a href="http://closed.test/x">Closed</a>
        <img src="/img/broken.png" alt="Broken"> <img src="/img/ok.png">
        <a href="mailto:web@site.test">mail</a> <a href="javascript:void(0)">js</a>
        <a href="tel:+861012345">tel</a> <a href="data:text/plain,hi">data</a>
        <a href="#frag">top</a> <a href="">self</a>""",
    "/a.html": """<a href="/missing-a.html">Missing A</a> <a href="../../b.html">B again</a>
        <a href="//other.test/gone">Gone again</a> <a href=" c.html ">C</a>
        <img src="/img/broken.png" alt="Broken on A"> <a href="#x">frag</a>""",
    "/b.html": """<a href="/d/e/f.html">F</a> <a href="/missing-home.html">Missing from B</a>""",
    "/c.html": """<a href="/a.html#top">A top</a> <a href="/d/">D</a> <a href="/report.pdf">PDF</a>""",
    "/d/": """<a href="e/h.html">H</a>""",
    "/d/e/f.html": """<a href="../../../../g.html">G</a> <a href="?q=1">Query</a> <a href="h.html">H</a>""",
    "/d/e/f.html?q=1": "query variant",
    "/d/e/h.html": """<a href="/missing-a.html">Missing from H</a>""",
    "/g.html": "leaf",
}


async def small_site(request: web.Request) -> web.StreamResponse:
    host, path = host_of(request), request.path_qs
    if host == "other.test":
        if request.path == "/fine":
            return html("fine")
        raise web.HTTPNotFound()
    if path == "/img/broken.png":
        raise web.HTTPInternalServerError()
    if path == "/img/ok.png":
        return web.Response(body=b"\x89PNG", content_type="image/png")
    if path == "/report.pdf":
        return web.Response(body=b"%PDF-1.4", content_type="application/pdf")
    if path in SMALL:
        return html(SMALL[path])
    raise web.HTTPNotFound()


def test_small_site_dead_links(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, small_site, ["site.test", "other.test"], closed=["closed.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path)
            with ws:
                pages = [S + p for p in SMALL]
                assert sink.urls() == sorted(pages)
                assert stats.pages_fetched == len(SMALL) + 2  # and the two missing pages (404)
                assert stats.pages_parsed == len(SMALL)
                assert stats.errors == {"404": 2}
                assert [p.is_home for p in sink.pages].count(True) == 1
                assert sink.pages[0].url == S + "/" and sink.pages[0].is_home
                targets = {r.target_url for r in ws.iter_links()}
                assert targets == {
                    *(S + p for p in SMALL if p != "/"), S + "/missing-home.html",
                    S + "/missing-a.html", "http://other.test/gone", "http://other.test/fine",
                    "http://nowhere.test/", "http://closed.test/x", S + "/img/broken.png",
                    S + "/img/ok.png", S + "/report.pdf"}
                outcomes = {o.url: o.outcome for o, _ in ws.iter_outcomes()}
                assert set(outcomes) == targets | {S + "/"}  # one row per target, and the start
                dead = ws.dead_links(100, sources=10)
                home, b_page, a_page, h_page = S + "/", S + "/b.html", S + "/a.html", S + "/d/e/h.html"
                refused = f"connection refused (127.0.0.1:{_port(ws, 'http://closed.test/x')})"
                assert dead == [  # homepage first, then the most linked, then by URL
                    DeadLink("http://other.test/gone", "4xx", 404, "Not Found",
                             [(home, "External gone", True), (a_page, "Gone again", False)], 1, 1),
                    DeadLink(S + "/img/broken.png", "5xx", 500, "Internal Server Error",
                             [(home, "Broken", True), (a_page, "Broken on A", False)], 1, 1),
                    DeadLink(S + "/missing-home.html", "4xx", 404, "Not Found",
                             [(home, "Missing from home", True), (b_page, "Missing from B", False)], 1, 1),
                    DeadLink("http://closed.test/x", "connection", None,
                             f"HEAD: connection_refused; GET: {refused}", [(home, "Closed", True)], 1, 0),
                    DeadLink("http://nowhere.test/", "dns", None,
                             "nowhere.test: NXDOMAIN (no such name)", [(home, "Nowhere", True)], 1, 0),
                    DeadLink(S + "/missing-a.html", "4xx", 404, "Not Found",
                             [(a_page, "Missing A", False), (h_page, "Missing from H", False)], 0, 2),
                ]
                counts = ws.counts()
                assert counts["pages"] == len(SMALL) + 2
                assert counts["dead"] == 6 and counts["dead_home"] == 5 and counts["dead_other"] == 4
                assert counts["by_outcome"] == {"4xx": 3, "5xx": 1, "connection": 1, "dns": 1, "ok": 12}
                # the pages were fetched once each, the others checked with HEAD once each
                assert sorted(f.requests("site.test", "GET")) == sorted(
                    [*SMALL, "/missing-home.html", "/missing-a.html", "/robots.txt"])
                assert sorted(f.requests("site.test", "HEAD")) == ["/img/broken.png", "/img/ok.png", "/report.pdf"]
                assert sorted(f.requests("other.test")) == ["/fine", "/gone"]
                assert stats.links_checked == 7 and stats.offsite_redirects == 0
                assert stats.robots == {S + "/robots.txt": "missing"}
    run(main())


def _port(ws: CrawlWorkspace, url: str) -> str:
    """The port of the closed host, as the detail names it."""
    found = ws.outcome(url)
    assert found is not None and found.detail is not None
    return found.detail.rsplit(":", 1)[1].rstrip(")")


# --- robots.txt -----------------------------------------------------------------------------


async def robots_site(request: web.Request) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return web.Response(text="User-agent: *\nDisallow: /private/\nDisallow: /*?print=\n"
                                 "Allow: /private/open.html\n")
    if request.path == "/":
        return html('<a href="/private/secret.html">s</a> <a href="/private/open.html">o</a>'
                    ' <a href="/news.html?print=1">p</a> <a href="/news.html">n</a>')
    return html("leaf")


def test_robots_disallow_honoured(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, robots_site, ["site.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path)
            with ws:
                assert sink.urls() == [S + "/", S + "/news.html", S + "/private/open.html"]
                assert stats.skipped_robots == 2
                assert sorted(p for m, _, p in f.log) == [
                    "/", "/news.html", "/private/open.html", "/robots.txt"]
                assert stats.robots == {S + "/robots.txt": "rules"}
                assert ws.outcome(S + "/private/secret.html") is None  # neither fetched nor checked
    run(main())


def test_robots_unavailable_allows_all(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/robots.txt":
            raise web.HTTPServiceUnavailable()
        return html('<a href="/private/x.html">x</a>' if request.path == "/" else "leaf")

    async def main() -> None:
        async with farm(tmp_path, handler, ["site.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path)
            with ws:
                assert sink.urls() == [S + "/", S + "/private/x.html"]
                assert stats.robots == {S + "/robots.txt": "unavailable (HTTP 503)"}
    run(main())


# --- traps ------------------------------------------------------------------------------------


async def calendar(request: web.Request) -> web.StreamResponse:
    if request.path == "/":
        return html('<a href="/cal?month=0">calendar</a>')
    if request.path == "/cal":
        month = int(request.query.get("month", "0"))
        return html(f'<a href="/cal?month={month + 1}">next</a> <a href="/cal?month={month - 1}">prev</a>')
    raise web.HTTPNotFound()


def test_calendar_trap_ends_at_the_query_cap(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, calendar, ["site.test"]) as f:
            stats, ws, _ = await crawl(f, S + "/", tmp_path, max_depth=1000, max_query_variants=20)
            with ws:
                assert stats.pages_fetched == 21  # the homepage and 20 months
                assert stats.skipped_query_cap == 2  # the 21st variant, either side of the range
                cal = sorted(int(p.split("=")[1]) for p in f.requests("site.test", "GET")
                             if p.startswith("/cal"))
                assert len(cal) == 20 and len(set(cal)) == 20
                assert len(f.requests("site.test", "HEAD")) == 2  # the two beyond the cap: checked
    run(main())


async def sessions(request: web.Request) -> web.StreamResponse:
    """Five real pages; every link carries a fresh session id (path and query)."""
    def sid() -> str:
        return f"{random.getrandbits(128):032x}"
    if request.path.split(";")[0] in ("/", "/p1", "/p2", "/p3", "/p4"):
        links = " ".join(f'<a href="/p{i};jsessionid={sid()}?sid={sid()}&amp;lang=zh">p{i}</a>'
                         for i in range(1, 5))
        return html(links + f' <a href="/?PHPSESSID={sid()}">home</a>')
    raise web.HTTPNotFound()


def test_session_id_trap_collapses(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, sessions, ["site.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path, max_depth=50)
            with ws:
                assert sink.urls() == [S + "/"] + [f"{S}/p{i}?lang=zh" for i in range(1, 5)]
                assert stats.pages_fetched == 5 and stats.skipped_query_cap == 0
    run(main())


# --- a huge page ------------------------------------------------------------------------------


def test_page_with_100000_links(tmp_path: Path) -> None:
    body = "".join(f'<a href="/p/{i}.html">link {i}</a>' for i in range(100_000))

    async def handler(request: web.Request) -> web.StreamResponse:
        return html(body if request.path == "/" else "leaf")

    async def main() -> None:
        async with farm(tmp_path, handler, ["site.test"]) as f:
            started = time.perf_counter()
            stats, ws, _ = await crawl(f, S + "/", tmp_path, max_pages=20, check_links=False)
            elapsed = time.perf_counter() - started
            with ws:
                assert stats.pages_fetched == 20 and stats.links_recorded == 2000
                assert stats.links_beyond_cap == 98_000 and stats.skipped_page_cap == 1981
                assert ws.counts()["links"] == 2000
                assert f.requests("site.test", "HEAD") == []  # check_links=False
                assert elapsed < 20, elapsed
    run(main(), timeout=60)


# --- off-site redirects, encodings, caps -------------------------------------------------------


async def moving(request: web.Request) -> web.StreamResponse:
    if host_of(request) == "elsewhere.test":
        return html('<a href="/deeper.html">deeper</a>')
    if request.path == "/":
        return html('<a href="/moved">moved</a> <a href="/stay">stay</a>')
    if request.path == "/moved":
        raise web.HTTPFound("http://elsewhere.test/page")
    if request.path == "/stay":
        raise web.HTTPMovedPermanently("/here.html")
    return html("here")


def test_redirect_to_another_site_is_recorded_not_crawled(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, moving, ["site.test", "elsewhere.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path)
            with ws:
                assert stats.offsite_redirects == 1
                assert f.requests("elsewhere.test") == ["/page"]
                moved = ws.outcome(S + "/moved")
                assert moved is not None and moved.outcome == "redirect"
                assert moved.final_url == "http://elsewhere.test/page"
                assert sink.urls() == [S + "/", S + "/here.html"]
                here = ws.outcome(S + "/here.html")  # the final of /stay gets its own row
                assert here is not None and here.outcome == "ok"
    run(main())


GBK = "<html><head><title>政务公开</title></head><body><a href='/u.html'>通知公告</a></body></html>"
UTF8 = ("<html><head><meta charset='utf-8'><title>办事服务</title></head>"
        "<body><a href='/gbk.html'>返回</a></body></html>")


async def encodings(request: web.Request) -> web.StreamResponse:
    if request.path == "/":
        return web.Response(body=GBK.encode("gbk"), headers={"Content-Type": "text/html"})
    if request.path == "/gbk.html":
        return web.Response(body=GBK.encode("gbk"), headers={"Content-Type": "text/html"})
    if request.path == "/u.html":
        return web.Response(body=UTF8.encode("utf-8"), headers={"Content-Type": "text/html"})
    raise web.HTTPNotFound()


def test_mixed_encodings(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, encodings, ["site.test"]) as f:
            _, ws, sink = await crawl(f, S + "/", tmp_path)
            with ws:
                by_url = {p.final_url: p for p in sink.pages}
                assert sorted(by_url) == [S + "/", S + "/gbk.html", S + "/u.html"]
                assert "<title>政务公开</title>" in (by_url[S + "/"].exchange.text or "")
                assert [(x.url, x.anchor) for x in by_url[S + "/"].links] == [(S + "/u.html", "通知公告")]
                assert "<title>办事服务</title>" in (by_url[S + "/u.html"].exchange.text or "")
                assert [(x.url, x.anchor) for x in by_url[S + "/u.html"].links] == [(S + "/gbk.html", "返回")]
    run(main())


async def chain(request: web.Request) -> web.StreamResponse:
    """/ -> /1.html -> /2.html -> ... (each page links to the next)."""
    n = 0 if request.path == "/" else int(request.path.strip("/").split(".")[0])
    return html(f'<a href="/{n + 1}.html">next</a>')


def test_depth_cap(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, chain, ["site.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path, max_depth=3)
            with ws:
                assert [p.depth for p in sink.pages] == [0, 1, 2, 3]
                assert sink.urls() == [S + "/", S + "/1.html", S + "/2.html", S + "/3.html"]
                assert stats.skipped_depth_cap == 1
                assert f.requests("site.test", "HEAD") == ["/4.html"]  # beyond the cap: checked
                assert ws.outcome(S + "/4.html") is not None
    run(main())


async def wide(request: web.Request) -> web.StreamResponse:
    if request.path == "/":
        return html(" ".join(f'<a href="/w{i}.html">w{i}</a>' for i in range(30)))
    return html("leaf")


def test_page_cap_checks_the_rest(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, wide, ["site.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path, max_pages=10)
            with ws:
                assert stats.pages_fetched == 10 and len(sink.pages) == 10
                assert stats.skipped_page_cap == 21
                assert sorted(f.requests("site.test", "HEAD")) == sorted(f"/w{i}.html" for i in range(9, 30))
                assert ws.counts()["by_outcome"] == {"ok": 31}
    run(main())


def test_workspace_spills_during_a_crawl(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return html(" ".join(f'<a href="/s{i}.html">s{i}</a>' for i in range(60)))
        if request.path.startswith("/s"):
            i = int(request.path[2:].split(".")[0])
            return html(" ".join(f'<a href="/t{i}-{j}.html">t</a>' for j in range(3)))
        return html("leaf")

    async def main() -> None:
        async with farm(tmp_path, handler, ["site.test"]) as f:
            ws = CrawlWorkspace(tmp_path, head_size=4, seen_cache=16)
            peaks = {"frontier": 0, "seen": 0}

            def watch(_: int) -> None:
                peaks["frontier"] = max(peaks["frontier"], ws.frontier.in_memory)
                peaks["seen"] = max(peaks["seen"], len(ws._seen))

            sink = Pages()
            stats = await crawl_site(S + "/", f.client, limits=CrawlLimits(max_pages=1000),
                                     workspace=ws, sink=sink, link_checker=LinkChecker(f.client),
                                     progress=watch)
            with ws:
                assert stats.pages_fetched == 1 + 60 + 180
                assert len(set(sink.urls())) == 241
                assert ws.frontier.spilled_total > 0 and ws.checks.spilled_total == 0
                assert peaks["frontier"] <= 4 and peaks["seen"] <= 16
                depths = [p.depth for p in sink.pages]
                assert depths == sorted(depths)  # breadth first, through the spill
    run(main(), timeout=60)


# --- the homepage's own host, politeness, a failing sink ---------------------------------------


async def twin(request: web.Request) -> web.StreamResponse:
    if host_of(request) == "twin.test":
        raise web.HTTPMovedPermanently("http://www.twin.test/")
    if request.path == "/":
        return html('<a href="/p.html">p</a> <a href="http://twin.test/q.html">q</a>')
    return html("leaf")


def test_the_site_lives_where_its_homepage_is(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, twin, ["twin.test", "www.twin.test"]) as f:
            stats, ws, sink = await crawl(f, "http://twin.test/", tmp_path)
            with ws:
                assert sink.urls() == ["http://www.twin.test/", "http://www.twin.test/p.html"]
                assert sink.pages[0].url == "http://twin.test/" and sink.pages[0].is_home
                q = ws.outcome("http://twin.test/q.html")  # crawled: redirects to the homepage
                assert q is not None and q.outcome == "soft404"
                assert stats.offsite_redirects == 0 and stats.pages_fetched == 3
    run(main())


def test_delay_spaces_requests_to_the_site(tmp_path: Path) -> None:
    arrivals: list[float] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path != "/robots.txt":
            arrivals.append(time.monotonic())
        if request.path == "/":
            return html(" ".join(f'<a href="/x{i}.html">x</a>' for i in range(4)))
        return html("leaf")

    async def main() -> None:
        async with farm(tmp_path, handler, ["site.test"]) as f:
            stats, ws, _ = await crawl(f, S + "/", tmp_path, delay=0.1)
            ws.close()
            assert stats.pages_fetched == 5 and len(arrivals) == 5
            gaps = [b - a for a, b in itertools.pairwise(arrivals)]
            assert min(gaps) >= 0.09, gaps
    run(main())


class Failing:
    def __init__(self) -> None:
        self.seen = 0

    def on_page(self, page: CrawledPage) -> None:
        self.seen += 1
        if page.url.endswith("/w3.html"):
            raise RuntimeError("sink bug")


def test_a_failing_sink_stops_the_crawl_with_its_own_error(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, wide, ["site.test"]) as f:
            with CrawlWorkspace(tmp_path) as ws:
                sink = Failing()
                try:
                    await crawl_site(S + "/", f.client, limits=CrawlLimits(), workspace=ws, sink=sink,
                                     link_checker=None)
                except RuntimeError as exc:
                    assert str(exc) == "sink bug"
                else:
                    raise AssertionError("the sink's error was swallowed")
                assert sink.seen < 31
    run(main())
