"""The rendering collector on ordinary pages: both viewports with their evidence filled
(DOM, console, requests with third parties and script-started ones, cookies, timings,
probes) and archived (screenshot and DOM as WARC records); and isolation: without
--allow-private a page reaches no loopback service, by fetch, image, WebSocket or start URL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from mgov.collect.browser import BrowserPool
from mgov.collect.render_settings import RenderSettings
from mgov.collect.render_site import render_viewports
from mgov.collect.routing import Routing
from mgov.collect.warc import WarcWriter, read_record
from mgov.evidence.rendered import DESKTOP, PHONE, Rendering, RenderStatus
from render_world import html, serve

PROBES = {
    "basic.js": "async () => ({title: document.title, width: innerWidth, lib: window.__lib || null})",
    "broken.js": "async () => { throw new Error('probe broke'); }",
    "needs.js": "// requires: vendor/lib.js\nasync () => window.__lib",
    "phoneonly.js": "// viewports: phone\nasync () => innerWidth",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    probes = tmp_path_factory.mktemp("probes")
    (probes / "vendor").mkdir()
    (probes / "vendor" / "lib.js").write_text("window.__lib = 42;")
    for name, source in PROBES.items():
        (probes / name).write_text(source)
    service = serve()
    page = html(
        "<h1>home</h1><img src='/logo.png'><footer id=f></footer>"
        "<script src='/static/app.js'></script>"
        f"<script>fetch('http://127.0.0.1:{service.port}/steal').catch(() => 0);"
        f"new Image().src = 'http://127.0.0.1:{service.port}/pixel';"
        f"try {{ new WebSocket('ws://127.0.0.1:{service.port}/ws'); }} catch (e) {{}}"
        "console.error('built by script');</script>",
        head="<meta name=viewport content='width=device-width'>")
    app_js = ("document.getElementById('f').textContent = '网站标识码 1234567890';"
              "document.cookie = 'sid=1; path=/';"
              "const s = document.createElement('script'); s.src = 'http://tracker.example/t.js';"
              "document.head.appendChild(s);")

    async def script(request: object) -> object:
        from aiohttp import web

        return web.Response(text=app_js, content_type="application/javascript")

    site = serve({"/": page, "/static/app.js": script})
    routing = Routing.from_options(connect_to=[f"iso.test:80:127.0.0.1:{site.port}",
                                               f"tracker.example:80:127.0.0.1:{site.port}"])
    pool = BrowserPool(RenderSettings(slots=2, settle_cap=1.5, probes_dir=probes), routing).start()
    yield SimpleNamespace(pool=pool, site=site, service=service, archive=tmp_path_factory.mktemp("warc"))
    pool.close()
    site.stop()
    service.stop()


@pytest.fixture(scope="module")
def rendered(world: SimpleNamespace) -> list[Rendering]:
    async def go() -> list[Rendering]:
        warc = WarcWriter(world.archive)
        try:
            return await render_viewports(world.pool, "http://iso.test/", warc)
        finally:
            await warc.aclose()
    return asyncio.run(go())


def test_both_viewports_are_rendered_with_their_evidence(rendered: list[Rendering]) -> None:
    desktop, phone = rendered
    assert (desktop.viewport, phone.viewport) == (DESKTOP, PHONE)
    for r in rendered:
        assert r.status is RenderStatus.OK and r.http_status == 200 and r.title == "t"
        assert "网站标识码 1234567890" in (r.dom or "")  # what JavaScript built
        assert any(m.text == "built by script" for m in r.console)
        assert r.timings.load_ms is not None and r.timings.fcp_ms is not None and r.timings.cls is not None
        assert [c.name for c in r.cookies] == ["sid"] and not r.cookies[0].third_party
        by_url = {q.url: q for q in r.requests}
        assert not by_url["http://iso.test/static/app.js"].by_script
        tracker = by_url["http://tracker.example/t.js"]
        assert tracker.by_script and tracker.third_party and tracker.resource_type == "script"
        assert by_url["http://iso.test/logo.png"].status == 200


def test_probes_run_in_the_page(rendered: list[Rendering]) -> None:
    desktop, phone = rendered
    assert desktop.probes["basic"] == {"title": "t", "width": 1366, "lib": None}  # before "needs" injected it
    assert phone.probes["basic"]["width"] == 390
    assert desktop.probes["needs"] == 42
    assert "probe broke" in desktop.probe_errors["broken"]
    assert "phoneonly" not in desktop.probes and phone.probes["phoneonly"] == 390


def test_screenshot_and_dom_are_archived(rendered: list[Rendering], world: SimpleNamespace) -> None:
    for r in rendered:
        assert r.screenshot is not None and r.dom_ref is not None
        shot = read_record(world.archive, r.screenshot)
        assert shot.warc_header("WARC-Type") == "resource"
        assert shot.warc_header("Content-Type") == "image/png"
        assert shot.warc_header("WARC-Refers-To-Target-URI") == "http://iso.test/"
        dom = read_record(world.archive, r.dom_ref)
        assert dom.warc_header("WARC-Type") == "conversion"
        assert dom.warc_header("WARC-Target-URI") == "http://iso.test/"


def test_loopback_services_are_unreachable(rendered: list[Rendering], world: SimpleNamespace) -> None:
    assert world.service.hits == []
    refused = {q.url: q.refused for q in rendered[0].requests if q.refused}
    assert f"http://127.0.0.1:{world.service.port}/steal" in refused
    assert all("blocked_address" in why for why in refused.values())


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/", "file:///etc/passwd"])
def test_start_urls_that_are_refused(world: SimpleNamespace, url: str) -> None:
    r = asyncio.run(world.pool.render(url.format(port=world.service.port), DESKTOP)).rendering
    assert r.status is RenderStatus.REFUSED and r.error
    assert world.service.hits == []
