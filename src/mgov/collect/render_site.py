"""A page rendered in each viewport, its screenshot and DOM archived beside the exchanges.

The screenshot is a WARC `resource` record (image/png, target `urn:mgov:screenshot:<viewport>:
<url>`), the DOM a `conversion` record (text/html, target the page's URL); both name the page
by WARC-Refers-To-Target-URI and each other by WARC-Concurrent-To. `Rendering.screenshot` and
`dom_ref` point at them.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from mgov.collect.browser import BrowserPool
from mgov.collect.render_page import RenderResult
from mgov.collect.warc import WarcWriter
from mgov.evidence.rendered import Rendering, Viewport


async def render_viewports(pool: BrowserPool, url: str, warc: WarcWriter | None,
                           viewports: tuple[Viewport, ...] | None = None) -> list[Rendering]:
    """url in every viewport (the pool's by default), concurrently, archived when warc is given."""
    results = await asyncio.gather(*(pool.render(url, v) for v in viewports or pool.settings.viewports))
    if warc is not None:
        for result in results:
            await archive(warc, result)
    return [r.rendering for r in results]


async def archive(warc: WarcWriter, result: RenderResult) -> None:
    r = result.rendering
    page = r.final_url or r.url
    when = dt.datetime.now(dt.UTC)
    shot_id = None
    if result.screenshot:
        r.screenshot, shot_id = await warc.write_resource(
            f"urn:mgov:screenshot:{r.viewport.name}:{page}", result.screenshot, "image/png", when, refers_to=page)
    if r.dom is not None:
        r.dom_ref, _ = await warc.write_resource(page, r.dom.encode("utf-8", "replace"), "text/html; charset=utf-8",
                                                 when, record_type="conversion", refers_to=page,
                                                 concurrent_to=shot_id)
