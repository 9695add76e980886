"""crawl_site: one site's pages (bounded), its link graph and every link's outcome.

A few page workers pull the frontier breadth-first from the CrawlWorkspace and a few
check workers send the targets that are not crawled (resources, other sites, pages
beyond the caps) to the run's LinkChecker; both queues live in the workspace, so memory
does not grow with the site. Every distinct target gets one outcome row: a crawled page
from its own fetch (judged by the checker's classify_fetch), anything else from the
checker. Pages are handed to the sink one at a time and not kept.

Budgets bound a site that never ends (pages, depth, query variants, bytes) or never answers
(seconds), and say the same on a busy machine as on an idle one: the seconds are the site's
(`collect.siteclock`: while it owes the crawl an answer, not mgov's own delays), the bytes
those of the pages read. A crawl a budget cut says so (`CrawlStats.stopped_by`): what it did
not reach, the checks cannot call clean.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from mgov.collect.attachments import Attachments, CrawledDocument, document_extension
from mgov.collect.client import HttpClient
from mgov.collect.linkcheck import LinkChecker, LinkOutcome, classify_fetch, excused, is_html
from mgov.collect.links import NAVIGATION_TAGS, ExtractedLinks, LinkRef, extract_links
from mgov.collect.robots import RobotsCache
from mgov.collect.siteclock import SiteClock, charging
from mgov.collect.workspace import CrawlWorkspace
from mgov.evidence.exchange import Exchange, Fetch
from mgov.evidence.urls import canonical, host_of, is_static, same_site, variant_key

PAGE_WORKERS = 16  # at most; never more than the client's per-host limit: they all hit one host
CHECK_WORKERS = 8  # checks go to many hosts; the client's per-host limit still applies
WATCH = 0.1  # seconds between two looks at the site's time budget
MIB = 1 << 20


@dataclass(frozen=True)
class CrawlLimits:
    max_pages: int = 500
    max_depth: int = 5
    max_links_per_page: int = 2000  # targets recorded and followed per page; the rest counted
    max_query_variants: int = 50  # distinct query strings per path (calendar, session traps)
    subdomains: bool = False  # also crawl *.host
    delay: float = 0.0  # seconds between two requests to one host of the site
    check_links: bool = True  # check a/area/iframe targets that are not crawled
    check_resources: bool = True  # check img, script, link, embed, source, object targets
    # Time budget of one site's crawl, in the site's time (collect.siteclock: while it owes
    # the crawl an answer and mgov's loop runs; mgov's own delays do not count). None: none.
    # A site answering in seconds would otherwise hold a daily run for hours; what was
    # crawled by then is kept and judged, as incomplete.
    max_seconds: float | None = None
    # Bytes of the site's pages read at most (bodies as decoded; None: none): a site of huge
    # pages is bounded in the parsing it costs, whatever the clock says.
    max_bytes: int | None = 256 * MIB
    per_host: int = 4  # requests in flight to one host: politeness (the client's per-host limit)
    # The site's own documents its pages link to (PDF, DOC/DOCX, XLS/XLSX, CSV, ET, WPS) are
    # fetched, archived and handed to the sink (for the personal-data scan) instead of being
    # only checked: at most max_attachment_size bytes each (a larger one is cut there and
    # reported too large) and max_attachment_bytes for the site (the rest are only checked).
    attachments: bool = True
    max_attachment_size: int = 20 * MIB
    max_attachment_bytes: int = 200 * MIB


@dataclass
class CrawledPage:
    url: str  # as queued (canonical)
    final_url: str  # after redirects (canonical)
    depth: int
    is_home: bool
    exchange: Exchange  # the final response; .text is the decoded page
    links: list[LinkRef]
    links_total: int  # distinct targets on the page, including those beyond the cap


class CrawlSink(Protocol):
    def on_page(self, page: CrawledPage) -> Awaitable[None] | None:
        """Take the page; an awaitable returned is awaited before the page worker goes on
        (so a sink that analyses elsewhere keeps the pages in flight bounded)."""


class LinkReader(Protocol):
    """A sink that reads a page's links where it parses the page for its own ends (an optional
    method of a CrawlSink): one parse a page, wherever the sink does it."""

    def links_of(self, url: str, base_url: str, text: str, is_home: bool, cap: int) -> Awaitable[ExtractedLinks]:
        """The links of the page at url (canonical; base_url: the URL it was served at, which
        relative links resolve against), the first cap kept."""


class DocumentSink(Protocol):
    """A sink that also takes the site's attachments (an optional method of a CrawlSink)."""

    def on_document(self, document: CrawledDocument) -> Awaitable[None] | None: ...

    def over_budget(self, url: str) -> None: ...


@dataclass
class CrawlStats:
    pages_fetched: int = 0
    pages_parsed: int = 0  # HTML pages of the site handed to the sink
    skipped_robots: int = 0  # page links robots.txt disallows: neither fetched nor checked
    skipped_page_cap: int = 0  # page links beyond max_pages (checked instead)
    skipped_depth_cap: int = 0  # ... beyond max_depth (checked instead)
    skipped_query_cap: int = 0  # ... beyond max_query_variants (checked instead)
    links_recorded: int = 0  # link graph rows
    links_beyond_cap: int = 0  # targets beyond max_links_per_page: counted, not recorded
    links_checked: int = 0  # outcomes asked of the link checker
    errors: dict[str, int] = field(default_factory=dict)  # failed pages: "404", "timeout", ...
    offsite_redirects: int = 0  # pages that redirected off the site: recorded, not expanded
    stopped_by: str | None = None  # "time" (max_seconds) or "bytes" (max_bytes) ran out before the site did
    bytes_read: int = 0  # of the pages fetched (bodies as decoded)
    documents_fetched: int = 0  # attachments fetched for the sink (collect.attachments)
    document_bytes: int = 0  # their bodies' bytes
    documents_over_budget: int = 0  # attachments only checked: max_attachment_bytes was spent
    site_seconds: float = 0.0  # the site's time (collect.siteclock), what max_seconds bounds
    requests: int = 0  # requests charged to the site's time (pages, robots.txt, link checks)
    robots: dict[str, str] = field(default_factory=dict)  # robots.txt URL -> state (detail)
    elapsed: float = 0.0  # seconds


def _error_key(fetch: Fetch, outcome: LinkOutcome) -> str:
    if outcome.outcome in ("4xx", "5xx") and outcome.status is not None:
        return str(outcome.status)
    if outcome.outcome == "soft404":
        return "soft404"
    if fetch.status is not None:
        return fetch.status.value  # timeout, dns_error, redirect_loop, ...
    return str(outcome.status) if outcome.status is not None else outcome.outcome


class _Crawl:
    def __init__(self, start: str, client: HttpClient, limits: CrawlLimits,
                 workspace: CrawlWorkspace, sink: CrawlSink, checker: LinkChecker | None,
                 progress: Callable[[int], None] | None, home: Fetch | None = None) -> None:
        self.start, self.client, self.limits = start, client, limits
        self.home = home  # the start page, fetched already (it is not asked for twice)
        self.ws, self.sink, self.checker, self.progress = workspace, sink, checker, progress
        self.stats = CrawlStats()
        self.hosts = {host_of(start)}  # the site: the start host, and where its homepage is
        self.robots = RobotsCache(client)
        self.changed = asyncio.Event()  # set when a queue grows or a page worker finishes
        self.active = 0  # pages being visited
        self.pages_done = False
        self.queued = 0
        self.next_slot: dict[str, float] = {}  # host -> when its next request may start
        self.errors: Counter[str] = Counter()
        self.clock = SiteClock(client.lag)  # charged by the client (collect.siteclock)
        self.documents = (Attachments(client, limits.max_attachment_size, limits.max_attachment_bytes)
                          if limits.attachments and hasattr(sink, "on_document") else None)
        reader: LinkReader | None = sink if hasattr(sink, "links_of") else None  # type: ignore[assignment]  # it has links_of
        self.reader = reader

    def same_site(self, url: str) -> bool:
        return any(same_site(url, h, self.limits.subdomains) for h in self.hosts)

    async def pace(self, url: str) -> None:
        """limits.delay between two requests to one host of the site."""
        if self.limits.delay <= 0 or not self.same_site(url):
            return
        host = host_of(url)
        now = asyncio.get_running_loop().time()
        at = max(now, self.next_slot.get(host, now))
        self.next_slot[host] = at + self.limits.delay
        if at > now:
            await asyncio.sleep(at - now)

    async def run(self) -> CrawlStats:
        started = time.perf_counter()
        self.ws.add_seen(self.start)
        self.queued = 1
        self.ws.frontier.push(self.start, 0)
        pages = max(1, min(PAGE_WORKERS, self.client.settings.per_host_limit))
        workers = [self.page_worker() for _ in range(pages)]
        if self.checker is not None:  # without one, nothing is queued for checking
            workers += [self.check_worker(self.checker) for _ in range(CHECK_WORKERS)]
        with charging(self.clock):  # the workers' requests, and the tasks they start, are the site's time
            work = asyncio.ensure_future(_all(workers))
        try:
            await self.within_budget(work)
        finally:
            self.robots.cancel()
            self.ws.flush()
        self.stats.site_seconds = round(self.clock.seconds(), 3)
        self.stats.requests = self.clock.requests
        self.stats.errors = dict(self.errors)
        for robots in self.robots.fetched():
            note = robots.state + (f" ({robots.detail})" if robots.detail else "")
            self.stats.robots[robots.url] = note
        self.stats.elapsed = round(time.perf_counter() - started, 3)
        return self.stats

    async def within_budget(self, work: asyncio.Future[None]) -> None:
        """Wait for the crawl; cut it once the site's time is spent, requests in flight
        counted (a site that never answers is cut on time, not at its requests' timeouts)."""
        limit = self.limits.max_seconds
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=None if limit is None else WATCH)
                if limit is not None and not work.done() and self.clock.seconds() >= limit:
                    self.stats.stopped_by = "time"
                    return
            work.result()  # a worker's error, as it was raised
        finally:
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work

    def out_of_bytes(self) -> bool:
        """True once the pages read reach max_bytes: no page more (said so if any was left)."""
        cap = self.limits.max_bytes
        if cap is None or self.stats.bytes_read < cap:
            return False
        if len(self.ws.frontier):
            self.stats.stopped_by = self.stats.stopped_by or "bytes"
        return True

    async def page_worker(self) -> None:
        while True:
            item = None if self.out_of_bytes() else self.ws.frontier.pop()
            if item is None:
                if self.active == 0:  # nobody can add pages any more
                    self.pages_done = True
                    self.changed.set()
                    return
                self.changed.clear()
                await self.changed.wait()
                continue
            self.active += 1
            try:
                await self.visit(*item)
            finally:
                self.active -= 1
                self.changed.set()

    async def check_worker(self, checker: LinkChecker) -> None:
        while True:
            item = self.ws.checks.pop()
            if item is None:
                if self.pages_done:
                    return
                self.changed.clear()
                await self.changed.wait()
                continue
            await self.pace(item[0])
            outcome = await checker.check(item[0])
            self.ws.record_outcome(excused(outcome) if self.same_site(item[0]) else outcome)
            self.stats.links_checked += 1

    async def visit(self, url: str, depth: int) -> None:
        is_home = depth == 0
        if is_home and self.home is not None:
            fetch, self.home = self.home, None
        else:
            await self.pace(url)
            fetch = await self.client.fetch(url)
        self.stats.pages_fetched += 1
        if self.progress is not None:
            self.progress(self.stats.pages_fetched)
        outcome = classify_fetch(url, fetch, excuse_tls=self.same_site(url))
        self.ws.record_outcome(outcome)
        final = fetch.final
        self.stats.bytes_read += len(final.body) if final is not None else 0
        self.ws.add_page(url, depth, final.status if final else None,
                         final.header("Content-Type") if final else None,
                         final.response_ref if final else None)
        if final is None or outcome.outcome not in ("ok", "redirect"):
            self.errors[_error_key(fetch, outcome)] += 1
            # A homepage that merely looks like an error page is still the site's way in.
            if final is None or not (is_home and outcome.outcome == "soft404"):
                return
        final_url = canonical(final.url) or final.url
        if is_home:  # the site lives where its homepage is (x.gov -> www.x.gov)
            self.hosts.add(host_of(final_url))
        if not self.same_site(final_url):
            self.stats.offsite_redirects += 1
            return
        if final_url != url and self.ws.add_seen(final_url):
            self.ws.record_outcome(classify_fetch(final_url, Fetch(final_url, [final]), excuse_tls=True))
        if final.text is None or not is_html(final) or not self.ws.mark_parsed(final_url):
            return
        cap = self.limits.max_links_per_page
        found = (await self.reader.links_of(final_url, final.url, final.text, is_home, cap) if self.reader is not None
                 else extract_links(final.text, final.url, cap=cap))
        self.stats.pages_parsed += 1
        taken = self.sink.on_page(CrawledPage(url, final_url, depth, is_home, final, found.links,
                                              found.total))
        if taken is not None:
            await taken
        self.ws.add_links(final_url, found.links, is_home)
        self.stats.links_recorded += len(found.links)
        self.stats.links_beyond_cap += found.total - len(found.links)
        for link in found.links:
            await self.target(link, depth)

    async def target(self, link: LinkRef, depth: int) -> None:
        url, navigation = link.url, link.tag in NAVIGATION_TAGS
        if not self.ws.add_seen(url):
            return  # crawled, queued or checked already: one outcome per target
        if not (navigation and self.same_site(url) and not is_static(url)):
            if self.documents is not None and self.same_site(url) and document_extension(url):
                await self.document(url)
                return
            self.check(url, navigation)
            return
        limits, stats = self.limits, self.stats
        if not await self.robots.allowed(url):
            stats.skipped_robots += 1
        elif depth + 1 > limits.max_depth:
            stats.skipped_depth_cap += 1
            self.check(url, navigation)
        elif self.too_many_variants(url):
            stats.skipped_query_cap += 1
            self.check(url, navigation)
        elif self.queued >= limits.max_pages:
            stats.skipped_page_cap += 1
            self.check(url, navigation)
        else:
            self.queued += 1
            self.ws.frontier.push(url, depth + 1)
            self.changed.set()

    async def document(self, url: str) -> None:
        """An attachment of the site: fetched (its outcome recorded) and handed to the sink,
        within the site's attachment budget; past it, only checked like any link."""
        assert self.documents is not None  # noqa: S101 - callers test it
        sink: DocumentSink = self.sink  # type: ignore[assignment]  # it has on_document (checked at start)
        if not await self.robots.allowed(url):
            self.check(url, True)  # not fetched for reading; checked as any link (as before)
            return
        if self.documents.spent():
            self.stats.documents_over_budget += 1
            sink.over_budget(url)
            self.check(url, True)
            return
        async with self.documents.slots:  # held until the sink has read the body
            await self.pace(url)
            got = await self.documents.fetch(url)
            self.ws.record_outcome(classify_fetch(url, got.document.fetch, excuse_tls=True))
            self.stats.documents_fetched += 1
            self.stats.document_bytes += got.size
            if got.usable:
                taken = sink.on_document(got.document)
                if taken is not None:
                    await taken

    def too_many_variants(self, url: str) -> bool:
        """Counts url as one more query variant of its path; True beyond the cap."""
        key = variant_key(url)
        return key is not None and self.ws.add_variant(key) > self.limits.max_query_variants

    def check(self, url: str, navigation: bool) -> None:
        if self.checker is None:
            return
        if not (self.limits.check_links if navigation else self.limits.check_resources):
            return
        self.ws.checks.push(url)
        self.changed.set()


async def _all(coros: list[Coroutine[Any, Any, None]]) -> None:
    """Run the workers; the first to raise cancels the others and its error propagates as
    it is (not wrapped in an ExceptionGroup, as a TaskGroup would)."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if (exc := task.exception()) is not None:
                raise exc
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def crawl_site(start_url: str, client: HttpClient, *, limits: CrawlLimits,
                     workspace: CrawlWorkspace, sink: CrawlSink,
                     link_checker: LinkChecker | None,
                     progress: Callable[[int], None] | None = None, home: Fetch | None = None) -> CrawlStats:
    """Crawl the site at start_url within limits (see the module docstring); the results
    are in workspace, the pages went through sink. home: the start URL's fetch when the
    caller made it already. Raises ValueError for a start URL that is not http(s); what the
    site does is recorded, never raised."""
    start = canonical(start_url)
    if start is None:
        raise ValueError(f"not an http(s) URL: {start_url!r}")
    return await _Crawl(start, client, limits, workspace, sink, link_checker, progress, home).run()
