"""Hand-built rendered evidence for the tests of the checks on rendered pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mgov.evidence.rendered import DESKTOP, PHONE, RenderedEvidence, Rendering, RenderStatus, Viewport
from mgov.evidence.site import ChannelFacts, SiteEvidence

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def evidence_of(pages: list[Rendering], jurisdiction: str = "cn", site_code: str | None = None) -> SiteEvidence:
    host = "www.example.gov.cn" if jurisdiction == "cn" else "example.gov"
    attributes = {"site_code": site_code} if site_code else {}
    return SiteEvidence(channel=ChannelFacts("website", f"https://{host}", host, jurisdiction, "county", "org",
                                             attributes),
                        collected_at=NOW, rendered=RenderedEvidence(list(pages)))


def rendering(viewport: Viewport = DESKTOP, **kw: Any) -> Rendering:
    kw.setdefault("status", RenderStatus.OK)
    return Rendering(url="https://www.example.gov.cn/", viewport=viewport, **kw)


def phone(**kw: Any) -> Rendering:
    return rendering(PHONE, **kw)
