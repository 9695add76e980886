"""The render pass's collector: the channel's start page (the start-URL rule) rendered in
each viewport, plus any byte-level evidence the run's other checks need, and for the privacy
checks (key "rendered_privacy") the privacy notice and the personal-data form pages found from
the rendered start page (render.privacy_pages)."""

from __future__ import annotations

from mgov import clock
from mgov.collect.browser import BrowserPool
from mgov.collect.homepage import answered, working_homepage
from mgov.collect.render_site import render_viewports
from mgov.collect.site import CollectContext, collect_site
from mgov.evidence.rendered import RENDERED_KEY, RENDERED_PRIVACY_KEY, RenderedEvidence
from mgov.evidence.site import ChannelFacts, SiteEvidence
from mgov.render.privacy_pages import add_privacy_pages


class RenderCollector:
    def __init__(self, ctx: CollectContext, pool: BrowserPool) -> None:
        self.ctx, self.pool = ctx, pool

    async def __call__(self, facts: ChannelFacts, needs: set[str]) -> SiteEvidence:
        rest = set(needs) - {RENDERED_KEY, RENDERED_PRIVACY_KEY}
        if rest:
            evidence = await collect_site(facts, rest, self.ctx)
        else:
            evidence = SiteEvidence(channel=facts, collected_at=clock.now())
        if needs & {RENDERED_KEY, RENDERED_PRIVACY_KEY}:
            evidence.rendered = await self.rendered(facts)
            if RENDERED_PRIVACY_KEY in needs:
                await add_privacy_pages(self.ctx, self.pool, evidence)
        return evidence

    async def rendered(self, facts: ChannelFacts) -> RenderedEvidence:
        # The start-URL rule: render the site where it is served (HTTPS, else HTTP, else the twin).
        home = await working_homepage(self.ctx.client, facts.address)
        start_url = home.start_url if answered(home) else facts.address
        return RenderedEvidence(pages=await render_viewports(self.pool, start_url, self.ctx.warc))
