"""Hostile pages in the rendering collector (issue 16): each gives a Rendering with a clear
status, the next page renders as usual, memory stays bounded, and a page reaches no
service of mgov's own (the dashboard's port is refused even with --allow-private)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from aiohttp import web

from mgov.collect.browser import MEMORY_EVERY, BrowserPool, tree_memory
from mgov.collect.render_page import RenderResult
from mgov.collect.render_settings import RenderSettings
from mgov.collect.routing import Routing
from mgov.evidence.rendered import DESKTOP, RenderStatus
from render_world import html, serve

GIB = 1 << 30


async def _never(request: web.Request) -> web.Response:
    await asyncio.sleep(60)
    return web.Response(text="late")


async def _bomb(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream",
                                           "Content-Disposition": "attachment; filename=bomb.bin"})
    await response.prepare(request)
    chunk = b"\0" * (1 << 20)
    try:
        for _ in range(1 << 14):  # 16 GiB if nothing stops it
            await response.write(chunk)
    except (ConnectionResetError, RuntimeError):
        pass
    return response


@pytest.fixture(scope="module")
def world() -> Iterator[SimpleNamespace]:
    dashboard, database = serve(), serve()
    pages = {
        "/ok": html("<h1>fine</h1>"),
        "/loop": html("<script>while (true) {}</script>"),
        "/alerts": html("<script>for (let i = 0; i < 100; i++) alert(i);</script><p>after</p>"),
        "/bigdom": html("<div id=d></div><script>document.getElementById('d').innerHTML = "
                        "('<p>' + 'x'.repeat(100) + '</p>').repeat(500000);</script>"),
        "/noload": html("<p>slow</p><img src='/never.png'>"),
        "/never.png": _never,
        "/hog": html("<script>const keep = []; while (true) keep.push(new Array(1 << 20).fill(1.5));</script>"),
        "/popups": html("<script>for (let i = 0; i < 40; i++) window.open('/ok?' + i);</script>"),
        "/navloop": html("<script>setTimeout(() => { location.href = '/navloop?' + Math.random(); }, 20);</script>"),
        "/download": html("<a id=a href='/bomb.bin' download>x</a><script>document.getElementById('a').click();"
                          "</script>"),
        "/bomb.bin": _bomb,
        "/dashboard": html(f"<script>fetch('http://127.0.0.1:{dashboard.port}/api/v1/orgs').catch(() => 0);"
                           f"new Image().src = 'http://127.0.0.1:{database.port}/';</script>"),
    }
    site = serve(pages)
    settings = RenderSettings(slots=2, load_timeout=3, page_budget=10, settle_cap=1, settle_idle=0.3, js_heap_mb=256,
                              probe_timeout=3, screenshot_timeout=5,
                              memory_budget=1,  # past it after every few pages: the restart is exercised too
                              deny_ports=frozenset({dashboard.port, database.port}))
    # --allow-private: the page's own loopback fetches would pass, but never to mgov's services.
    pool = BrowserPool(settings, Routing.from_options(connect_to=[f"hostile.test:80:127.0.0.1:{site.port}"],
                                                      allow_private=True)).start()
    yield SimpleNamespace(pool=pool, site=site, dashboard=dashboard, database=database)
    pool.close()
    for server in (site, dashboard, database):
        server.stop()


def _render(world: SimpleNamespace, path: str) -> RenderResult:
    return asyncio.run(world.pool.render(f"http://hostile.test{path}", DESKTOP))


def test_infinite_loop_is_judged_as_it_stands(world: SimpleNamespace) -> None:
    r = _render(world, "/loop").rendering
    assert r.status in (RenderStatus.NO_LOAD, RenderStatus.TIMEOUT)
    assert "page" in r.probe_errors or r.dom is None


def test_memory_hog_hits_the_page_budget(world: SimpleNamespace) -> None:
    r = _render(world, "/hog").rendering
    # V8's heap limit ends the renderer (crashed), or the page's time budget ends the visit first.
    assert r.status in (RenderStatus.CRASHED, RenderStatus.NO_LOAD, RenderStatus.TIMEOUT)
    assert max(world.pool.peak_memory, tree_memory()) < 2 * GIB


def test_alert_storm_is_dismissed(world: SimpleNamespace) -> None:
    r = _render(world, "/alerts").rendering
    assert r.status in (RenderStatus.OK, RenderStatus.NO_LOAD)  # each dismissal holds the page up
    assert r.dialogs >= 10
    # On a busy machine the storm may outlast the page's budget: then it is judged as it stood.
    assert "after" in (r.dom or "") or "page" in r.probe_errors


def test_huge_dom_is_capped(world: SimpleNamespace) -> None:
    result = _render(world, "/bigdom")
    r = result.rendering
    assert r.status in (RenderStatus.OK, RenderStatus.NO_LOAD)
    # Building 50 MB of DOM may outlast the page's budget: then it is judged as it stood.
    assert r.dom_truncated or "page" in r.probe_errors
    assert len(r.dom or "") <= world.pool.settings.dom_cap + 100


def test_page_that_never_loads(world: SimpleNamespace) -> None:
    r = _render(world, "/noload").rendering
    assert r.status is RenderStatus.NO_LOAD
    assert "slow" in (r.dom or "")


def test_window_open_storm(world: SimpleNamespace) -> None:
    r = _render(world, "/popups").rendering
    assert r.status in (RenderStatus.OK, RenderStatus.NO_LOAD)
    assert r.popups >= 1


def test_page_that_navigates_away_forever(world: SimpleNamespace) -> None:
    r = _render(world, "/navloop").rendering
    assert r.navigations >= 1
    assert r.status in (RenderStatus.OK, RenderStatus.NO_LOAD, RenderStatus.ERROR)


def test_download_bomb_is_refused(world: SimpleNamespace) -> None:
    r = _render(world, "/download").rendering
    assert r.status is RenderStatus.OK
    assert r.downloads >= 1 or any(q.refused == "download" for q in r.requests)


def test_mgov_services_are_never_reached(world: SimpleNamespace) -> None:
    r = _render(world, "/dashboard").rendering
    assert r.status is RenderStatus.OK
    assert world.dashboard.hits == [] and world.database.hits == []
    refused = [q for q in r.requests if q.refused]
    assert refused and all("own service" in (q.refused or "") for q in refused)


def test_the_run_goes_on_and_memory_stays_bounded(world: SimpleNamespace) -> None:
    # Enough pages for the pool to look at its memory (over its budget of one byte) and restart.
    for _ in range(MEMORY_EVERY + 1):
        r = _render(world, "/ok").rendering
        assert r.status is RenderStatus.OK and "fine" in (r.dom or "")
    assert max(world.pool.peak_memory, tree_memory()) < 2 * GIB
    assert world.pool.restarts >= 1  # over its memory budget, the browser was started afresh
