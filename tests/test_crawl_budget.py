"""A crawl's budgets against real loopback sites: the time budget is the site's time (mgov's
own delays do not spend it, a slow or silent site is cut on it), the bytes budget bounds
huge pages, and a crawl a budget cut clears no check that needs the whole site."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp import web

from mgov import clock
from mgov.checks.base import Status
from mgov.checks.plugins import all_checks
from mgov.collect.crawler import CrawledPage, CrawlLimits, crawl_site
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.workspace import CrawlWorkspace
from mgov.content.rules import ContentRules
from mgov.crawl.collector import collect_crawl
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import CRAWL_KEY, ChannelFacts, SiteEvidence
from test_collect_support import run
from test_crawl_support import crawl, farm, html

S = "http://site.test"
LEAVES = 60


async def wide(request: web.Request) -> web.StreamResponse:
    """A homepage linking LEAVES pages."""
    if request.path == "/":
        return html(" ".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(LEAVES)))
    if request.path.startswith("/p"):
        return html("leaf")
    raise web.HTTPNotFound()


class Busy:
    """A sink as slow as a starved scanner: each page holds the event loop (a busy core) and
    then waits as long again (a page queued for the analysis process)."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.seen = seconds, 0

    def on_page(self, page: CrawledPage) -> asyncio.Future[None] | None:
        self.seen += 1
        time.sleep(self.seconds)  # the loop held, as by a busy machine
        return asyncio.ensure_future(asyncio.sleep(self.seconds))


def test_the_scanners_own_delays_do_not_spend_the_sites_time(tmp_path: Path) -> None:
    """Each page costs mgov 80 ms (40 of them holding the loop): the crawl takes seconds of
    wall clock, the site answers in milliseconds, and a budget of one second reads it all."""
    async def main() -> None:
        async with farm(tmp_path, wide, ["site.test"]) as f:
            with CrawlWorkspace(tmp_path) as ws:
                sink = Busy(0.04)
                stats = await crawl_site(S + "/", f.client, limits=CrawlLimits(max_seconds=1.0), workspace=ws,
                                         sink=sink, link_checker=LinkChecker(f.client))
                assert stats.elapsed > 2.4  # the wall clock would have cut it at a second
                assert stats.stopped_by is None and stats.pages_fetched == LEAVES + 1 == sink.seen
                assert 0 < stats.site_seconds < 1.0 and stats.requests >= LEAVES + 1
    run(main())


def test_a_slow_site_is_cut_at_its_own_time(tmp_path: Path) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.25)
        return await wide(request)

    async def main() -> None:
        async with farm(tmp_path, slow, ["site.test"]) as f:
            stats, ws, _ = await crawl(f, S + "/", tmp_path, max_seconds=1.1)
            ws.close()
            # The homepage and robots.txt, then 4 pages in flight every 0.25 s: 2 or 3 rounds
            # of the 15 the site needs (a few more when a busy loop hides some of its time).
            assert stats.stopped_by == "time" and stats.site_seconds >= 1.1
            assert 5 <= stats.pages_fetched <= 30
    run(main())


def test_a_site_that_never_answers_is_cut_on_time_not_at_its_timeouts(tmp_path: Path) -> None:
    async def silent(request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return await wide(request)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def main() -> None:
        async with farm(tmp_path, silent, ["site.test"]) as f:  # total_timeout: 60 s
            started = time.perf_counter()
            stats, ws, _ = await crawl(f, S + "/", tmp_path, max_seconds=0.5)
            ws.close()
            took = time.perf_counter() - started
            assert stats.stopped_by == "time" and took < 3.0
    run(main())


def test_a_site_of_large_pages_is_cut_at_its_bytes(tmp_path: Path) -> None:
    async def large(request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return await wide(request)
        return html("<p>" + "x" * 200_000 + "</p>")

    async def main() -> None:
        async with farm(tmp_path, large, ["site.test"]) as f:
            stats, ws, _ = await crawl(f, S + "/", tmp_path, max_bytes=1_000_000)
            ws.close()
            assert stats.stopped_by == "bytes" and 1_000_000 <= stats.bytes_read < 2_000_000
            assert 5 <= stats.pages_fetched <= 10
            stats, ws, _ = await crawl(f, S + "/", tmp_path, max_bytes=100_000_000)
            ws.close()
            assert stats.stopped_by is None and stats.pages_fetched == LEAVES + 1
    run(main())


# --- what the checks make of a cut crawl ----------------------------------------------------

HOME = ("<ul class='news'><li><a href='/xw/1.html'>市政府召开常务会议</a><span>{today}</span></li></ul>"
        "<a href='/hdjl/'>我要留言</a> " + " ".join(f"<a href='/lm{i}/'>栏目{i}</a>" for i in range(12)))
BOARD = "<h1>我要留言</h1><a href='/hdjl/form.html'>写留言</a>"
FORM = "<form action='/hdjl/submit.do' method='post'><input name='title'><textarea name='body'></textarea></form>"


async def consultation_site(request: web.Request) -> web.StreamResponse:
    """A slow site whose consultation form, two clicks deep, posts to an action answering 500."""
    await asyncio.sleep(0.1)
    path = request.path
    if path == "/":
        return html(HOME.format(today=clock.today().isoformat()), title="某某市人民政府")
    if path == "/hdjl/":
        return html(BOARD, title="我要留言")
    if path == "/hdjl/form.html":
        return html(FORM, title="写留言")
    if path == "/hdjl/submit.do":
        raise web.HTTPInternalServerError()
    if path.startswith(("/lm", "/xw/")):
        return html("<p>内容</p>")
    raise web.HTTPNotFound()


def verdicts(tmp_path: Path, **limits: float) -> tuple[dict[str, tuple[Status, ScanStatus | None]], dict]:
    tmp_path.mkdir()

    async def main() -> tuple[dict[str, tuple[Status, ScanStatus | None]], dict]:
        async with farm(tmp_path, consultation_site, ["site.test"]) as f:
            facts = ChannelFacts("website", S + "/", "site.test", "cn")
            with CrawlWorkspace(tmp_path) as ws:
                crawled = await collect_crawl(facts, f.ctx, LinkChecker(f.client), ws,
                                              limits=CrawlLimits(**limits), rules=ContentRules(), history=None)
        evidence = SiteEvidence(channel=facts, collected_at=clock.now(), crawl=crawled)
        found = {c.id: c.run(evidence) for c in all_checks().values() if CRAWL_KEY in c.needs}
        return {k: (f.status, f.scan_status) for k, f in found.items()}, crawled.stats
    return run(main())


def test_a_cut_crawl_clears_no_check_that_needs_the_whole_site(tmp_path: Path) -> None:
    whole, stats = verdicts(tmp_path / "whole")
    assert stats["stopped_by"] is None
    assert whole["interaction.channel"] == (Status.FAIL, None)  # the form was reached: it answers 500
    assert whole["links.dead"][0] is Status.PASS and whole["content.homepage_fresh"][0] is Status.PASS

    cut, stats = verdicts(tmp_path / "cut", max_seconds=0.2)
    assert stats["stopped_by"] == "time" and stats["pages_parsed"] < 10
    not_assessed = (Status.ERROR, ScanStatus.INCOMPLETE)
    # The channel link on the homepage is no working channel until its form has been tried.
    assert cut["interaction.channel"] == not_assessed
    for check in ("links.dead", "content.columns_blank", "content.expressions", "content.bad_links",
                  "content.backdated", "interaction.unanswered"):
        assert cut[check] == not_assessed, (check, cut[check])
    # What the homepage alone decides is decided.
    assert cut["content.homepage_fresh"] == (Status.PASS, None) and cut["content.tampering"] == (Status.PASS, None)
