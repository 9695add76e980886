"""The evidence collected for one channel: the contract between collectors and checks.

Collectors fill these; checks read them and nothing else. Every HTTP exchange carries the
references of its WARC records, so a finding can point at the exact bytes it judged.
Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mgov.evidence.app import AppEvidence
from mgov.evidence.crawl import CrawlEvidence
from mgov.evidence.exchange import DnsAnswer, Exchange, Fetch, TlsFacts
from mgov.evidence.newmedia import NewMediaEvidence
from mgov.evidence.notices import PrivacyNotice
from mgov.evidence.rendered import RenderedEvidence


@dataclass
class ChannelFacts:
    """What the registry says about the channel being scanned."""

    kind: str
    address: str  # normalized URL for web channels
    host: str
    jurisdiction: str | None = None
    tier: str | None = None
    owner: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # e.g. site_code, icp


@dataclass
class SiteEvidence:
    """Everything collected for one web channel in one scan; None where not collected."""

    channel: ChannelFacts
    collected_at: dt.datetime
    dns: DnsAnswer | None = None
    www_dns: DnsAnswer | None = None  # the www./apex twin of the host
    http_home: Fetch | None = None  # http://host/ followed
    https_home: Fetch | None = None  # https://host/ followed
    ipv6_home: Fetch | None = None  # the homepage fetched over IPv6 only
    www_home: Fetch | None = None  # the twin's homepage
    tls: TlsFacts | None = None
    robots: Fetch | None = None
    sitemap: Fetch | None = None
    security_txt: Fetch | None = None
    not_found: Fetch | None = None  # a random path that must not exist
    resources: list[Exchange] = field(default_factory=list)  # subresources of the homepage
    crawl: CrawlEvidence | None = None  # what the crawl pass saw (key "crawl")
    rendered: RenderedEvidence | None = None  # what a real browser saw (key "rendered", the render pass)
    newmedia: NewMediaEvidence | None = None  # an account's capture (key "newmedia", the capture pass)
    app: AppEvidence | None = None  # an app package analysed (key "app", the app pass)
    # The site's privacy notice as the crawl (key "crawl") or the render pass (key "rendered") found it.
    notice: PrivacyNotice | None = None

    @property
    def home(self) -> Fetch | None:
        """The homepage as a visitor gets it: the scheme that serves it (2xx), HTTPS first;
        else the one that answered at all; else the failed HTTPS fetch."""
        candidates = [f for f in (self.https_home, self.http_home) if f is not None]
        for f in candidates:
            if f.ok and f.final is not None and f.final.status is not None and 200 <= f.final.status < 300:
                return f
        return next((f for f in candidates if f.ok), candidates[0] if candidates else None)


# The evidence keys collectors produce and checks ask for.
EVIDENCE_KEYS = ("dns", "www_dns", "http_home", "https_home", "ipv6_home", "www_home", "tls",
                 "robots", "sitemap", "security_txt", "not_found", "resources")
CRAWL_KEY = "crawl"  # produced by the crawl pass (mgov.crawl), not by collect_site
