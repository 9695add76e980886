"""`mgov inspect`: pages that are not registered, rendered and judged like a channel's start
page, as pa11y or Lighthouse do. Nothing is stored in the database; with `store` the
screenshots, DOM snapshots and exchanges are archived (WARC) and the findings point at them.

Each URL is judged as given (no start-URL rule: the page asked for is the page judged). The
checks are those named, else every check of the render pass; a byte-level check named is
judged on the evidence of the URL's site (its homepages, TLS, DNS), as a scan would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mgov import clock
from mgov.checks.base import Check, Finding
from mgov.checks.plugins import all_checks, select
from mgov.collect.browser import BrowserPool
from mgov.collect.render_site import render_viewports
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext, collect_site
from mgov.errors import MgovError
from mgov.evidence.rendered import RENDERED_KEY, RENDERED_PRIVACY_KEY, RenderedEvidence
from mgov.evidence.site import CRAWL_KEY, ChannelFacts, SiteEvidence
from mgov.evidence.urls import host_of
from mgov.render.kind import RENDER, RenderLimits
from mgov.render.privacy_pages import add_privacy_pages
from mgov.runs.context import RoutingOptions
from mgov.runs.judging import judge


@dataclass(frozen=True)
class InspectRequest:
    urls: list[str]
    checks: list[str]
    routing: RoutingOptions
    archive_dir: Path | None = None  # None: nothing archived
    jurisdiction: str | None = None  # cn, us: which jurisdiction's checks apply
    limits: RenderLimits = field(default_factory=RenderLimits)
    concurrency: int = 4  # pages at once


def inspect_checks(ids: list[str]) -> list[Check]:
    """The checks named (none of the crawl's), else every check of the render pass."""
    if not ids:
        return [c for c in all_checks().values() if RENDER.owns(c)]
    chosen = select(ids)
    crawl = [c.id for c in chosen if CRAWL_KEY in c.needs]
    if crawl:
        raise MgovError(f"{', '.join(crawl)} judge(s) a whole site's crawl: run them with `mgov crawl`")
    return chosen


def needs_of(checks: list[Check]) -> set[str]:
    return {key for c in checks for key in c.needs}


def inspect_urls(request: InspectRequest, checks: list[Check],
                 on_url: Callable[[str, list[Finding]], None]) -> None:
    """Render and judge each URL; on_url(url, findings) in the order given."""
    asyncio.run(_inspect(request, checks, on_url))


async def _inspect(request: InspectRequest, checks: list[Check], on_url: Callable[[str, list[Finding]], None]) -> None:
    needs = needs_of(checks)
    if request.archive_dir is not None:
        request.archive_dir.mkdir(parents=True, exist_ok=True)
    ctx = CollectContext.create(request.archive_dir, routing=request.routing.routing(),
                                settings=CollectSettings(tls_fallback=True))
    pool = BrowserPool(request.limits.settings(), ctx.routing)
    gate = asyncio.Semaphore(request.concurrency)

    async def one(url: str) -> list[Finding]:
        async with gate:
            evidence = await _evidence(url, needs, request.jurisdiction, ctx, pool)
            return await asyncio.to_thread(judge, evidence, checks, {})

    try:
        tasks = [asyncio.ensure_future(one(url)) for url in request.urls]
        for url, task in zip(request.urls, tasks, strict=True):
            on_url(url, await task)
    finally:
        await asyncio.to_thread(pool.close)
        await ctx.aclose()


async def _evidence(url: str, needs: set[str], jurisdiction: str | None, ctx: CollectContext,
                    pool: BrowserPool) -> SiteEvidence:
    facts = ChannelFacts(kind="website", address=url, host=host_of(url), jurisdiction=jurisdiction)
    rest = needs - {RENDERED_KEY, RENDERED_PRIVACY_KEY}
    evidence = (await collect_site(facts, rest, ctx) if rest
                else SiteEvidence(channel=facts, collected_at=clock.now()))
    if needs & {RENDERED_KEY, RENDERED_PRIVACY_KEY}:
        evidence.rendered = RenderedEvidence(pages=await render_viewports(pool, url, ctx.warc))
    if RENDERED_PRIVACY_KEY in needs:
        await add_privacy_pages(ctx, pool, evidence)
    return evidence


def finding_row(url: str, finding: Finding, lang: str) -> dict[str, Any]:
    """A finding as `mgov findings` prints it (no run: nothing was stored)."""
    return {"run": None, "address": url, "check": finding.check, "status": finding.status.value,
            "value": finding.value, "message": (finding.message_zh if lang == "zh" else finding.message) or "",
            "scan_status": finding.scan_status.value if finding.scan_status else None,
            "evidence": [r.as_dict() for r in finding.evidence], "variant": finding.variant}


