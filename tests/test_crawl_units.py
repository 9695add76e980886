"""The crawl's pure parts: canonical URLs, link extraction, robots rules, the workspace."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mgov.collect.linkcheck import DEAD, classify_fetch, not_found_page
from mgov.collect.links import extract_links
from mgov.collect.robots import Robots, parse_robots
from mgov.collect.workspace import CrawlWorkspace
from mgov.evidence.exchange import Exchange, Fetch, ScanStatus
from mgov.evidence.urls import canonical, is_attachment, is_static, same_site, variant_key

# --- urls ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTP://Example.GOV:80/a/./b/../c?x=1&y=%7e#frag", "http://example.gov/a/c?x=1&y=~"),
    ("https://h.gov:443", "https://h.gov/"),
    ("https://h.gov:8443/", "https://h.gov:8443/"),
    ("http://h.gov./x", "http://h.gov/x"),
    ("http://h.gov/%e4%b8%ad?q=中 文", "http://h.gov/%E4%B8%AD?q=%E4%B8%AD%20%E6%96%87"),
    ("http://h.gov/a b/%zz", "http://h.gov/a%20b/%25zz"),
    ("http://h.gov/list;jsessionid=AB12?page=2", "http://h.gov/list?page=2"),
    ("http://h.gov/?sid=1&b=2&PHPSESSID=x&sessionid=3&ASPSESSIONIDQQ=4&c", "http://h.gov/?b=2&c"),
    ("http://h.gov/?b=2&a=1", "http://h.gov/?b=2&a=1"),  # order kept
    ("http://h.gov/?", "http://h.gov/"),
    ("http:\\\\h.gov\\a\\b", "http://h.gov/a/b"),
    ("http://例子.中国/x", "http://xn--fsqu00a.xn--fiqs8s/x"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("  http://h.gov/\tx\n ", "http://h.gov/x"),
    ("javascript:void(0)", None), ("mailto:a@h.gov", None), ("tel:12345", None),
    ("data:text/html,hi", None), ("ftp://h.gov/f", None), ("http://h.gov:99999/", None),
    ("http://bad host/", None), ("http:///nohost", None), ("//h.gov/x", None), ("", None),
])
def test_canonical(url: str, expected: str | None) -> None:
    assert canonical(url) == expected


@pytest.mark.parametrize(("ref", "expected"), [
    ("../../a", "http://h.gov/a"),  # above the root stays at the root
    ("../../../../../a", "http://h.gov/a"),
    ("//other.gov/x", "http://other.gov/x"),
    ("?q=1", "http://h.gov/d/e/f.html?q=1"),
    (" spaced.html ", "http://h.gov/d/e/spaced.html"),
    ("#frag", "http://h.gov/d/e/f.html?z=9"),
    ("./", "http://h.gov/d/e/"),
    ("..", "http://h.gov/d/"),
    ("/abs?sid=7", "http://h.gov/abs"),
])
def test_canonical_relative(ref: str, expected: str) -> None:
    assert canonical(ref, base="http://h.gov/d/e/f.html?z=9") == expected


def test_same_site_and_kinds() -> None:
    assert same_site("https://H.gov:8443/x", "h.gov", False)
    assert not same_site("http://www.h.gov/", "h.gov", False)
    assert same_site("http://www.h.gov/", "h.gov", True)
    assert not same_site("http://evilh.gov/", "h.gov", True)
    assert is_attachment("http://h.gov/files/Report.PDF") and is_attachment("http://h.gov/a.wps")
    assert not is_attachment("http://h.gov/a.html") and not is_attachment("http://h.gov/pdf")
    assert is_static("http://h.gov/logo.png") and not is_static("http://h.gov/news.shtml")
    assert variant_key("http://h.gov/cal?m=1") == variant_key("http://h.gov/cal?m=2") == "h.gov/cal"
    assert variant_key("http://h.gov/cal") is None


# --- links --------------------------------------------------------------------------------


def test_extract_links_tags_base_and_ignored() -> None:
    page = """<html><head><base href="/sub/"><link rel=stylesheet href="s.css">
    <link rel=preconnect href="//cdn.gov"><script src="a.js"></script></head><body>
    <a href="x.html">  Text   <b>bold</b> </a><a href="x.html#again">dup</a>
    <a href="#top">top</a><a href="">self</a><a href="javascript:go()">js</a>
    <a href="mailto:a@b.gov">m</a><a href="tel:1">t</a><a href="data:,x">d</a>
    <a href="http://bad host/">bad</a><a href="/y"><img src="i.png" alt="Logo"></a>
    <iframe src="f.html"></iframe><embed src="e.swf"><video><source src="v.mp4"></video>
    <map><area href="m.html" alt="Map"></map><object data="o.swf"></object></body></html>"""
    found = extract_links(page, "http://h.gov/d/p.html", cap=100)
    assert [(x.url, x.anchor, x.tag) for x in found.links] == [
        ("http://h.gov/sub/s.css", "", "link"), ("http://h.gov/sub/a.js", "", "script"),
        ("http://h.gov/sub/x.html", "Text bold", "a"), ("http://h.gov/y", "Logo", "a"),
        ("http://h.gov/sub/i.png", "Logo", "img"), ("http://h.gov/sub/f.html", "", "iframe"),
        ("http://h.gov/sub/e.swf", "", "embed"), ("http://h.gov/sub/v.mp4", "", "source"),
        ("http://h.gov/sub/m.html", "Map", "area"), ("http://h.gov/sub/o.swf", "", "object")]
    assert found.total == 10


def test_extract_links_cap_and_anchor_length() -> None:
    page = "".join(f'<a href="/p/{i % 50}">{"w" * 300}</a>' for i in range(120))
    found = extract_links(page, "http://h.gov/", cap=7)
    assert [x.url for x in found.links] == [f"http://h.gov/p/{i}" for i in range(7)]
    assert found.total == 50 and all(len(x.anchor) == 200 for x in found.links)


def test_extract_links_is_linear() -> None:
    """Five times the links cost about five times the CPU, not twenty-five (CPU time of this
    process, measured for both sizes alike: no wall clock a loaded machine would stretch)."""
    def cost(n: int) -> float:
        page = "<html><body>" + "".join(f'<a href="/p/{i}.html">link {i}</a>' for i in range(n)) + "</body></html>"
        started = time.process_time()
        found = extract_links(page, "http://h.gov/", cap=2000)
        assert len(found.links) == 2000 and found.total == n
        return time.process_time() - started

    small, big = min(cost(20_000) for _ in range(2)), cost(100_000)
    assert big < 12 * max(small, 0.01), (small, big)


# --- robots -------------------------------------------------------------------------------

ROBOTS = """# comment
User-agent: *
Disallow: /

User-agent: Googlebot
User-agent: mgov/1.0
Disallow: /private/
Allow: /private/open
Disallow: /*?print=
Disallow: /*.pdf$
Disallow:
Crawl-delay: 2

User-agent: mgov
Disallow: /tmp
"""


@pytest.mark.parametrize(("path", "allowed"), [
    ("/", True), ("/private/", False), ("/private/x.html", False), ("/private/open.html", True),
    ("/news?print=1", False), ("/news?page=1&print=1", True), ("/a.pdf", False),
    ("/a.pdf?x=1", True), ("/tmp/x", False), ("/tmpfile", False), ("/robots.txt", True),
])
def test_robots_rules(path: str, allowed: bool) -> None:
    rules, delay = parse_robots(ROBOTS)
    assert delay == 2.0
    assert Robots("http://h.gov/robots.txt", "rules", rules=rules).allowed(f"http://h.gov{path}") is allowed


def test_robots_star_group_and_empty() -> None:
    rules, _ = parse_robots("User-agent: *\nDisallow: /a\nAllow: /a/b\n")
    robots = Robots("u", "rules", rules=rules)
    assert not robots.allowed("http://h.gov/a/c") and robots.allowed("http://h.gov/a/b/c")
    assert parse_robots("User-agent: other\nDisallow: /\n")[0] == []
    assert parse_robots("User-agent: *\nDisallow:\n")[0] == []


# --- classification -----------------------------------------------------------------------


def _fetch(*hops: tuple[str, int | None, str], error: ScanStatus | None = None,
           text: str | None = None) -> Fetch:
    exchanges = [Exchange(url=u, status=s, headers=[("Content-Type", ct)]) for u, s, ct in hops]
    exchanges[-1].text = text
    exchanges[-1].error = error
    return Fetch(hops[0][0], exchanges)


def test_classify_fetch() -> None:
    u = "http://h.gov/a/b.html"
    assert classify_fetch(u, _fetch((u, 200, "text/html"), text="<title>ok</title>")).outcome == "ok"
    moved = _fetch((u, 301, ""), ("http://h.gov/a/c.html", 200, "text/html"))
    assert classify_fetch(u, moved).outcome == "redirect"
    home = _fetch((u, 302, ""), ("http://www.h.gov/", 200, "text/html"))
    assert classify_fetch(u, home).outcome == "soft404"
    assert classify_fetch(u, _fetch((u, 404, "text/html"))).outcome == "4xx"
    assert classify_fetch(u, _fetch((u, 503, "text/html"))).outcome == "5xx"
    for status, cls in ((ScanStatus.DNS_ERROR, "dns"), (ScanStatus.TIMEOUT, "timeout"),
                        (ScanStatus.TLS_INVALID, "tls"), (ScanStatus.CONNECTION_REFUSED, "connection"),
                        (ScanStatus.CONNECTION_RESET, "connection"), (ScanStatus.HTTP_ERROR, "error")):
        assert classify_fetch(u, _fetch((u, None, ""), error=status)).outcome == cls
    loop = _fetch((u, 302, ""), (u + "x", 302, ""))
    loop.error = ScanStatus.REDIRECT_LOOP
    assert classify_fetch(u, loop).outcome == "error"
    assert {"4xx", "5xx", "timeout", "dns", "tls", "connection", "soft404"} == DEAD


@pytest.mark.parametrize(("page", "soft"), [
    ("<title>404 Not Found</title>", True), ("<title>Error</title><h1>Page not found</h1>", True),
    ("<title>国务院</title><h2>页面不存在</h2>", True), ("<title>对不起，找不到该页面</title>", True),
    ("<title>页面未找到</title>", True), ("<title>通知</title><h1>第4045号文件</h1>", False),
    ("<title>News</title><p>404 visitors today</p>", False), ("<title>Home</title><h1>Welcome</h1>", False),
])
def test_not_found_page(page: str, soft: bool) -> None:
    assert (not_found_page(page) is not None) is soft


# --- workspace ----------------------------------------------------------------------------


def test_frontier_spills_and_keeps_depth_order(tmp_path: Path) -> None:
    with CrawlWorkspace(tmp_path, head_size=3) as ws:
        pushes = [(f"u{i}", d) for i, d in enumerate([0, 1, 1, 2, 1, 2, 3, 1, 0, 2, 3, 1, 2])]
        peak = 0
        for url, depth in pushes:
            ws.frontier.push(url, depth)
            peak = max(peak, ws.frontier.in_memory)
        assert peak <= 3 and ws.frontier.spilled_total > 0 and len(ws.frontier) == len(pushes)
        popped = []
        while (item := ws.frontier.pop()) is not None:
            popped.append(item)
            peak = max(peak, ws.frontier.in_memory)
            if item == ("u4", 1):  # pushes while popping keep the order too
                ws.frontier.push("late1", 1)
                ws.frontier.push("late3", 3)
        order = sorted(range(len(pushes)), key=lambda i: (pushes[i][1], i))
        expected = [(pushes[i][0], pushes[i][1]) for i in order]
        expected.insert(expected.index(("u11", 1)) + 1, ("late1", 1))
        expected.append(("late3", 3))
        assert popped == expected
        assert peak <= 3


def test_seen_cache_is_bounded_and_table_is_truth(tmp_path: Path) -> None:
    ws = CrawlWorkspace(tmp_path, seen_cache=10)
    assert all(ws.add_seen(f"http://h.gov/{i}") for i in range(1000))
    assert len(ws._seen) == 10
    assert not any(ws.add_seen(f"http://h.gov/{i}") for i in range(1000))
    assert ws.add_variant("h.gov/cal") == 1 and ws.add_variant("h.gov/cal") == 2
    assert ws.mark_parsed("http://h.gov/") and not ws.mark_parsed("http://h.gov/")
    path = ws.path
    assert path.exists()
    ws.close()
    assert not path.exists() and not path.parent.exists()


def test_analysis_pool_falls_back_to_this_process_when_its_process_dies():
    import asyncio
    import datetime as dt
    import os
    import signal

    from mgov.content.rules import ContentRules
    from mgov.crawl.analysis import AnalysisPool

    page = "<html><head><title>通知公告</title></head><body><ul><li><a href='/a.html'>通知</a>" \
           "<span>2026-11-20</span></li><li><a href='/b.html'>公告</a><span>2026-11-19</span></li></ul></body></html>"

    async def main() -> None:
        pool = AnalysisPool({}, ContentRules())
        try:
            first = await pool.read("https://x.gov.cn/tzgg/", "https://x.gov.cn/tzgg/", page, False, 100,
                                    dt.date(2026, 11, 26), None)
            for pid in list(pool._pool._processes):
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            again = await pool.read("https://x.gov.cn/tzgg/", "https://x.gov.cn/tzgg/", page, False, 100,
                                    dt.date(2026, 11, 26), None)
        finally:
            pool.close()
        assert pool.broken is not None and again == first and len(first[1][0].items) == 2
        assert [link.url for link in first[0].links] == ["https://x.gov.cn/a.html", "https://x.gov.cn/b.html"]

    asyncio.run(main())
