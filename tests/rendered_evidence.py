"""Hand-built rendered evidence for the tests of the checks on rendered pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mgov.evidence.exchange import Exchange, Fetch, WarcRef
from mgov.evidence.rendered import DESKTOP, PHONE, RenderedEvidence, Rendering, RenderStatus, Viewport
from mgov.evidence.site import ChannelFacts, SiteEvidence

REF = WarcRef("mgov-1.warc.gz", 0, 100)
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def evidence_of(pages: list[Rendering], jurisdiction: str = "cn", site_code: str | None = None,
                static_html: str | None = None) -> SiteEvidence:
    """The channel's rendered evidence; static_html: the homepage's bytes as the server sent them."""
    host = "www.example.gov.cn" if jurisdiction == "cn" else "example.gov"
    attributes = {"site_code": site_code} if site_code else {}
    home = None
    if static_html is not None:
        url = f"https://{host}/"
        home = Fetch(url, [Exchange(url=url, status=200, headers=[("Content-Type", "text/html; charset=utf-8")],
                                    text=static_html, body=static_html.encode(), request_ref=REF, response_ref=REF,
                                    elapsed_ms=50)])
    return SiteEvidence(channel=ChannelFacts("website", f"https://{host}", host, jurisdiction, "county", "org",
                                             attributes),
                        collected_at=NOW, https_home=home, rendered=RenderedEvidence(list(pages)))


def rendering(viewport: Viewport = DESKTOP, **kw: Any) -> Rendering:
    kw.setdefault("status", RenderStatus.OK)
    return Rendering(url="https://www.example.gov.cn/", viewport=viewport, **kw)


def phone(**kw: Any) -> Rendering:
    return rendering(PHONE, **kw)
