"""What the crawl pass hands the checks: small, whatever the size of the site.

The link graph and the pages stay in the crawl's workspace (an SQLite file) until the
channel is committed; the checks read only the summaries here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mgov.collect.evidence import ScanStatus, WarcRef
from mgov.collect.workspace import CrawlWorkspace, DeadLink
from mgov.content.summary import ContentHistory, ContentSummary

DEAD_LINKS_KEPT = 500  # listed in a finding; the full set is in the link tables


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
    start_url: str
    crawled_on: dt.date
    stats: dict[str, Any] = field(default_factory=dict)  # collect.crawl.CrawlStats as a dict
    counts: dict[str, Any] = field(default_factory=dict)  # the workspace's counts
    dead_links: list[DeadLink] = field(default_factory=list)  # at most DEAD_LINKS_KEPT
    dead_refs: list[WarcRef] = field(default_factory=list)  # the archived answers of the first ones
    content: ContentSummary | None = None
    form_targets: list[FormTarget] = field(default_factory=list)
    home_refs: list[WarcRef] = field(default_factory=list)  # the homepage as crawled
    compared: bool = False  # an earlier crawl's history was there to compare with
    error: ScanStatus | None = None  # the homepage itself could not be fetched
    error_detail: str | None = None
    # For the store only (not the checks): the crawl's scratch file and the history to keep.
    workspace: CrawlWorkspace | None = None
    history: ContentHistory | None = None
