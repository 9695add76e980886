"""The crawl pass's collector: crawl one channel, fold its pages into content facts, scan its
pages and attachments for personal data, check its consultation forms, and hand the checks
a small CrawlEvidence."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from mgov import clock
from mgov.collect.attachments import CrawledDocument, document_extension
from mgov.collect.crawler import CrawledPage, CrawlLimits, crawl_site
from mgov.collect.homepage import answered, working_homepage
from mgov.collect.linkcheck import LinkChecker, excused
from mgov.collect.links import ExtractedLinks
from mgov.collect.notices import crawl_notice
from mgov.collect.site import CollectContext, collect_site
from mgov.collect.workspace import CrawlWorkspace
from mgov.content.rules import ContentRules
from mgov.content.site import SiteContent
from mgov.crawl.analysis import Analysis, AnalysisPool, read
from mgov.crawl.documents import DocumentReader
from mgov.evidence.content import ContentHistory
from mgov.evidence.crawl import DEAD_LINKS_KEPT, CrawlEvidence, FormTarget
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.privacy import PiiEvidence, Unscanned
from mgov.evidence.site import CRAWL_KEY, ChannelFacts, SiteEvidence
from mgov.evidence.urls import canonical, host_of, same_site

DEAD_REFS = 20  # dead links whose archived answer a finding points at
FORMS_CHECKED = 3  # consultation forms whose action is tried, per site
History = Callable[[ChannelFacts], ContentHistory | None]


class _ContentSink:
    """Each crawled page parsed once, for its links and its content facts, and let go; only the
    site aggregates stay. With a pool, the parse runs in another process: the crawl's event
    loop is one core, and parsing was a third of its time."""

    def __init__(self, content: SiteContent, rules: ContentRules, today: dt.date,
                 pool: AnalysisPool | None = None, own_rules: bool = False,
                 reader: DocumentReader | None = None) -> None:
        self.content, self.rules, self.today, self.pool = content, rules, today, pool
        self.own_rules = own_rules  # the channel overrides the run's rules: send them along
        self.reader = reader  # the attachments' reader (None: attachments are not read)
        self.home_refs: list[Any] = []
        self.pii = PiiEvidence()
        self._analysed: dict[str, Analysis] = {}  # final URL -> its analysis, read with its links

    async def links_of(self, url: str, base_url: str, text: str, is_home: bool, cap: int) -> ExtractedLinks:
        """The page's links, read where it is analysed (its analysis kept for on_page)."""
        if self.pool is None:
            found, analysis = read(url, base_url, text, is_home, cap, self.today, self.rules)
        else:
            found, analysis = await self.pool.read(url, base_url, text, is_home, cap, self.today,
                                                   self.rules if self.own_rules else None)
        self._analysed[url] = analysis
        return found

    def on_page(self, page: CrawledPage) -> Awaitable[None] | None:
        if page.is_home:
            self.home_refs = page.exchange.refs
        self._add(self._analysed.pop(page.final_url), page)  # links_of read it (the crawler asks first)
        return None

    def _add(self, found: Analysis, page: CrawledPage) -> None:
        facts, pii = found
        self.content.add(facts, depth=page.depth, is_home=page.is_home)
        self.pii.pages_scanned += 1
        if pii is not None:
            self.pii.add(dataclasses.replace(pii, ref=page.exchange.response_ref))

    def on_document(self, document: CrawledDocument) -> Awaitable[None] | None:
        final = document.fetch.final
        if final is None or self.reader is None:
            return None
        if document.too_large:
            self.pii.not_scanned(Unscanned(document.url, document.extension, "too_large",
                                           f"over {len(final.body) >> 20} MiB, the size a document is read to",
                                           final.response_ref))
            return None
        return self._read(self.reader, document)

    async def _read(self, reader: DocumentReader, document: CrawledDocument) -> None:
        final = document.fetch.final
        assert final is not None  # noqa: S101 - on_document checked it
        result = await reader.read(document.url, document.extension, final.body, final.response_ref, self.today)
        if result.unscanned is not None:
            self.pii.not_scanned(result.unscanned)
            return
        self.pii.documents_scanned += 1
        self.pii.bytes_scanned += len(final.body)
        if result.found is not None:
            self.pii.add(result.found)

    def over_budget(self, url: str) -> None:
        self.pii.skipped_budget += 1
        self.pii.not_scanned(Unscanned(url, document_extension(url) or "", "budget",
                                       "the site's attachment budget was spent"))


def channel_rules(base: ContentRules, overrides: dict[str, Any], facts: ChannelFacts) -> ContentRules:
    """The run's rules, with the channel's own overrides (registry attribute `content_rules`,
    a mapping like the [content] section of mgov.toml) on top. A malformed override is the
    channel's error (ValueError, reported in its findings), not the run's."""
    own = facts.attributes.get("content_rules") if facts.attributes else None
    if not own:
        return base
    if not isinstance(own, dict):
        raise ValueError("the channel attribute content_rules must be a mapping of content rules")
    return ContentRules.from_mapping({**overrides, **own})


async def collect_crawl(facts: ChannelFacts, ctx: CollectContext, checker: LinkChecker, workspace: CrawlWorkspace, *,
                        limits: CrawlLimits, rules: ContentRules, history: ContentHistory | None,
                        overrides: dict[str, Any] | None = None, today: dt.date | None = None,
                        pool: AnalysisPool | None = None, reader: DocumentReader | None = None) -> CrawlEvidence:
    """Crawl facts.address into workspace (the caller's to store and close).
    overrides: what rules were made from (channel overrides go on top of them)."""
    today = today or clock.today()
    base = rules
    rules = channel_rules(rules, overrides or {}, facts)
    # The start-URL rule: crawl the site where it is served (HTTPS, else HTTP, else the twin).
    home = await working_homepage(ctx.client, facts.address)
    start_url = home.start_url if answered(home) else facts.address
    evidence = CrawlEvidence(start_url=start_url, registered_url=facts.address, crawled_on=today,
                             compared=history is not None)
    content = SiteContent(rules)
    sink = _ContentSink(content, rules, today, pool, own_rules=rules is not base, reader=reader)
    stats = await crawl_site(start_url, ctx.client, limits=limits, workspace=workspace, sink=sink,
                             link_checker=checker, home=home if answered(home) else None)
    evidence.stats = dataclasses.asdict(stats)
    evidence.counts = workspace.counts()
    evidence.dead_links = workspace.dead_links(DEAD_LINKS_KEPT)
    outcomes = (workspace.outcome(d.url) for d in evidence.dead_links[:DEAD_REFS])
    evidence.dead_refs = [o.ref for o in outcomes if o is not None and o.ref is not None]
    evidence.home_refs = list(sink.home_refs)
    sink.pii.documents = sink.pii.ordered()
    evidence.pii = sink.pii
    if stats.pages_parsed == 0:
        start = canonical(start_url) or start_url
        outcome = workspace.outcome(start)
        evidence.error = _scan_status(outcome.outcome if outcome else "error")
        evidence.error_detail = (f"the homepage gave {outcome.outcome}"
                                 + (f" ({outcome.status})" if outcome.status else "")
                                 + (f": {outcome.detail}" if outcome.detail else "")
                                 if outcome else "the homepage was not fetched")
        if outcome is not None and outcome.ref is not None:
            evidence.home_refs = [outcome.ref]
    summary = content.summary(today, history)
    evidence.content = summary
    evidence.form_targets = [await _try_form(checker, host_of(start_url), f.page_url, f.action, f.method)
                             for f in summary.interaction.forms[:FORMS_CHECKED]]
    return evidence


async def _notice(evidence: SiteEvidence, facts: ChannelFacts, ctx: CollectContext, workspace: CrawlWorkspace) -> None:
    """The site's privacy notice from the crawl's link table (collect.notices); none when the
    homepage could not be read."""
    crawl = evidence.crawl
    if crawl is not None and crawl.error is None:
        evidence.notice = await crawl_notice(ctx.client, workspace, crawl.start_url, facts.jurisdiction)


async def _try_form(checker: LinkChecker, site_host: str, page_url: str, action: str, method: str) -> FormTarget:
    # A GET (or HEAD) of the action shows whether anything answers there; nothing is posted:
    # the monitor must not file messages on a government's board.
    outcome = await checker.check(action)
    if same_site(action, site_host, True):
        outcome = excused(outcome)  # the site's own certificate is the TLS checks' finding
    return FormTarget(page_url, action, method, outcome.outcome, outcome.status, outcome.ref)


def _scan_status(outcome: str) -> ScanStatus:
    return {"timeout": ScanStatus.TIMEOUT, "dns": ScanStatus.DNS_ERROR, "tls": ScanStatus.TLS_INVALID,
            "connection": ScanStatus.CONNECTION_REFUSED}.get(outcome, ScanStatus.HTTP_ERROR)


class CrawlCollector:
    """The runner's collector for crawl runs: the crawl, plus any scan evidence asked for.
    Each channel's workspace (its pages and link graph) stays here, not in the evidence,
    until the saver takes it (`take`) for the channel's commit."""

    def __init__(self, ctx: CollectContext, checker: LinkChecker, *, limits: CrawlLimits, rules: ContentRules,
                 overrides: dict[str, Any], history: History, pool: AnalysisPool | None = None,
                 reader: DocumentReader | None = None) -> None:
        """rules: made from overrides, the content rules of the configuration ([content] of mgov.toml).
        reader: the attachments' reader (None: attachments are fetched and archived, not read)."""
        self.ctx, self.checker, self.limits, self.rules = ctx, checker, limits, rules
        self.overrides, self.history, self.pool, self.reader = overrides, history, pool, reader
        self._workspaces: dict[str, CrawlWorkspace] = {}

    async def __call__(self, facts: ChannelFacts, needs: set[str]) -> SiteEvidence:
        rest = set(needs) - {CRAWL_KEY}
        if rest:
            evidence = await collect_site(facts, rest, self.ctx)
        else:
            evidence = SiteEvidence(channel=facts, collected_at=clock.now())
        if CRAWL_KEY in needs:
            workspace = CrawlWorkspace()
            try:
                evidence.crawl = await collect_crawl(facts, self.ctx, self.checker, workspace, limits=self.limits,
                                                     rules=self.rules, overrides=self.overrides,
                                                     history=self.history(facts), pool=self.pool,
                                                     reader=self.reader)
            except BaseException:
                workspace.close()
                raise
            self._workspaces[facts.address] = workspace
            await _notice(evidence, facts, self.ctx, workspace)
        return evidence

    def take(self, address: str) -> CrawlWorkspace | None:
        """The channel's workspace, now the caller's to close."""
        return self._workspaces.pop(address, None)

    def close(self) -> None:
        """Workspaces never taken (a run that stopped half-way) are deleted."""
        for workspace in self._workspaces.values():
            workspace.close()
        self._workspaces.clear()
