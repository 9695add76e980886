"""The link checker on loopback: one request per URL per run, HEAD then GET, soft 404s."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from mgov.collect.linkcheck import LinkChecker, LinkOutcome
from test_collect_support import run
from test_crawl_support import crawl, farm, host_of, html

E = "http://ext.test"


async def external(request: web.Request) -> web.StreamResponse:
    path, head = request.path, request.method == "HEAD"
    if path == "/slow":
        await asyncio.sleep(0.3)
        return html("slow")
    if path == "/shared":
        return html("shared")
    if path == "/nohead":
        if head:
            raise web.HTTPMethodNotAllowed("HEAD", ["GET"])
        return html("works with GET")
    if path == "/nohead-gone":
        if head:
            raise web.HTTPMethodNotAllowed("HEAD", ["GET"])
        raise web.HTTPNotFound()
    if path == "/forbidden-head":  # HEAD refused, GET an error page served as 200
        if head:
            raise web.HTTPForbidden()
        return html("sorry", title="404 Not Found")
    if path == "/old/page":
        raise web.HTTPMovedPermanently("/")
    if path == "/":
        return html("ext home")
    if path == "/hang":
        await asyncio.sleep(5)
        return html("late")
    raise web.HTTPNotFound()


def test_concurrent_checks_share_one_request(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, external, ["ext.test"]) as f:
            checker = LinkChecker(f.client)
            spellings = [E + "/slow", "HTTP://EXT.test:80/slow#x", E + "/./slow?sid=1"] * 7
            results = await asyncio.gather(*(checker.check(u) for u in spellings))
            assert {r.url for r in results} == {E + "/slow"}
            assert all(r == results[0] for r in results) and results[0].outcome == "ok"
            assert results[0].ref is not None  # the archived response
            assert f.requests("ext.test") == ["/slow"]
            assert f.log[0][0] == "HEAD"
            assert checker.checks == 1 and checker.hits == 20
            again = await checker.check(E + "/slow")  # cached
            assert again == results[0] and len(f.log) == 1
    run(main())


def test_checker_caches_across_two_sites(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if host_of(request) == "ext.test":
            return await external(request)
        if request.path == "/":
            return html(f'<a href="{E}/shared">shared</a> <a href="{E}/gone">gone</a> <a href="/own">own</a>')
        return html("own page")

    async def main() -> None:
        async with farm(tmp_path, handler, ["one.test", "two.test", "ext.test"]) as f:
            checker = LinkChecker(f.client)
            (s1, ws1, _), (s2, ws2, _) = await asyncio.gather(
                crawl(f, "http://one.test/", tmp_path / "1", checker=checker),
                crawl(f, "http://two.test/", tmp_path / "2", checker=checker))
            with ws1, ws2:
                assert sorted(f.requests("ext.test")) == ["/gone", "/shared"]  # once each, HEAD
                assert {m for m, h, _ in f.log if h == "ext.test"} == {"HEAD"}
                for ws in (ws1, ws2):
                    assert [(d.url, d.outcome, d.status) for d in ws.dead_links(10)] == [(E + "/gone", "4xx", 404)]
                    shared = ws.outcome(E + "/shared")
                    assert shared is not None and shared.outcome == "ok"
                assert s1.links_checked == s2.links_checked == 2
                assert checker.checks == 2 and checker.hits == 2
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    run(main())


def test_head_refused_falls_back_to_get(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, external, ["ext.test"]) as f:
            checker = LinkChecker(f.client)
            ok, gone, soft = await asyncio.gather(checker.check(E + "/nohead"),
                                                  checker.check(E + "/nohead-gone"),
                                                  checker.check(E + "/forbidden-head"))
            assert (ok.outcome, ok.status, ok.detail) == ("ok", 200, "HEAD: HTTP 405")
            assert (gone.outcome, gone.status, gone.detail) == ("4xx", 404, "HEAD: HTTP 405; GET: Not Found")
            assert (soft.outcome, soft.status) == ("soft404", 200)
            assert soft.detail == "HEAD: HTTP 403; GET: title says '404 Not Found'"
            assert sorted((m, p) for m, _, p in f.log) == [
                ("GET", "/forbidden-head"), ("GET", "/nohead"), ("GET", "/nohead-gone"),
                ("HEAD", "/forbidden-head"), ("HEAD", "/nohead"), ("HEAD", "/nohead-gone")]
    run(main())


def test_timeout(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, external, ["ext.test"], total_timeout=0.3) as f:
            result = await LinkChecker(f.client).check(E + "/hang")
            assert result == LinkOutcome(E + "/hang", "timeout", None, E + "/hang",
                                         "HEAD: timeout; GET: no complete response within 0.3 s")
            assert [m for m, _, _ in f.log] == ["HEAD", "GET"]
    run(main())


S = "http://site.test"


async def soft_site(request: web.Request) -> web.StreamResponse:
    if host_of(request) == "ext.test":
        return await external(request)
    path = request.path
    if path == "/":
        return html(f'<a href="/gone.html">gone</a> <a href="/old/deep.html">old</a> '
                    f'<a href="/real.html">real</a> <a href="{E}/old/page">ext old</a> '
                    f'<a href="{E}/shared">ext fine</a>', title="首页")
    if path == "/gone.html":  # an error page served with 200
        return html('<a href="/never.html">never</a>', title="提示信息 - 页面不存在")
    if path == "/old/deep.html":
        raise web.HTTPFound("/")
    if path == "/real.html":
        return html("<h1>Real page</h1>", title="关于第4045号文件的解读")  # 4045 is not 404
    raise web.HTTPNotFound()


def test_soft_404(tmp_path: Path) -> None:
    async def main() -> None:
        async with farm(tmp_path, soft_site, ["site.test", "ext.test"]) as f:
            stats, ws, sink = await crawl(f, S + "/", tmp_path)
            with ws:
                outcomes = {o.url: (o.outcome, o.detail) for o, _ in ws.iter_outcomes()}
                assert outcomes == {
                    S + "/": ("ok", None),
                    S + "/gone.html": ("soft404", "title says '提示信息 - 页面不存在'"),
                    S + "/old/deep.html": ("soft404", "a deep link redirected to the homepage"),
                    S + "/real.html": ("ok", None),
                    E + "/old/page": ("soft404", "a deep link redirected to the homepage"),
                    E + "/shared": ("ok", None),
                }
                assert stats.errors == {"soft404": 2}
                assert sink.urls() == [S + "/", S + "/real.html"]  # error pages are not expanded
                assert f.requests("site.test", "GET").count("/never.html") == 0
    run(main())


@pytest.mark.parametrize(("title", "soft"), [
    ("404 Not Found", True), ("404", True), ("错误 404", True), ("404页面", True), ("Error 404 - City of X", True),
    ("信息公开目录（404）", False), ("第404期 工作简报", False), ("关于第4045号文件的解读", False),
    ("提示信息 - 页面不存在", True)])
def test_a_bare_404_is_a_number_unless_it_stands_alone_or_beside_an_error_word(title, soft):
    from mgov.collect.linkcheck import not_found_page

    assert (not_found_page(f"<html><title>{title}</title><h1>x</h1></html>") is not None) is soft
