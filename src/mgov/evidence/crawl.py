"""What the crawl pass hands the checks: small, whatever the size of the site.

The link graph and the pages stay in the crawl's workspace (an SQLite file the collector
keeps until the channel is committed); the checks read only the summaries here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mgov.evidence.content import ContentSummary
from mgov.evidence.exchange import ScanStatus, WarcRef
from mgov.evidence.privacy import PiiEvidence

DEAD_LINKS_KEPT = 500  # listed in a finding; the full set is in the link tables


@dataclass(frozen=True)
class DeadLink:
    url: str
    outcome: str
    status: int | None
    detail: str | None
    sources: list[tuple[str, str, bool]] = field(default_factory=list)  # (page, anchor, is home)
    home_count: int = 0  # link rows on the homepage (0 or 1)
    other_count: int = 0  # other pages linking to it


@dataclass
class FormTarget:
    """A consultation form and what its action answered (a form whose target is broken is
    no working channel)."""

    page_url: str
    action: str
    method: str
    outcome: str  # a link outcome class (collect.linkcheck.OUTCOMES)
    status: int | None
    ref: WarcRef | None = None

    @property
    def works(self) -> bool:
        return self.outcome in ("ok", "redirect")


@dataclass
class CrawlEvidence:
    # Where the crawl began: the site's working homepage (HTTPS, else HTTP, else the www or
    # bare twin), which may differ from the address the channel is registered by.
    start_url: str
    crawled_on: dt.date
    registered_url: str = ""
    stats: dict[str, Any] = field(default_factory=dict)  # collect.crawler.CrawlStats as a dict
    counts: dict[str, Any] = field(default_factory=dict)  # the workspace's counts
    dead_links: list[DeadLink] = field(default_factory=list)  # at most DEAD_LINKS_KEPT
    dead_refs: list[WarcRef] = field(default_factory=list)  # the archived answers of the first ones
    content: ContentSummary | None = None
    form_targets: list[FormTarget] = field(default_factory=list)
    home_refs: list[WarcRef] = field(default_factory=list)  # the homepage as crawled
    compared: bool = False  # an earlier crawl's history was there to compare with
    error: ScanStatus | None = None  # the homepage itself could not be fetched
    error_detail: str | None = None
    # Personal data in the pages and attachments (masked samples only; privacy.pii_exposed).
    pii: PiiEvidence | None = None

    @property
    def stopped_by(self) -> str | None:
        """The budget ("time", "bytes") that stopped the crawl before it had read the site, or None."""
        return self.stats.get("stopped_by")

    @property
    def moved(self) -> bool:
        """The site was crawled elsewhere than at its registered address."""
        return bool(self.registered_url) and self.start_url.rstrip("/") != self.registered_url.rstrip("/")
