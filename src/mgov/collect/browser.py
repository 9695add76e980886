"""The rendering browser of a run: Debian's Chromium driven by Playwright, behind mgov's
own forwarding proxy (collect.render_proxy), shared by every page of the run.

The browser, the proxy and Playwright's connection live on an event loop of their own in a
thread of their own: the CDP traffic of a few pages a second stays off the run's event loop,
and the pool can be closed from synchronous code (a run kind's opener). `render` may be
awaited from any loop. At most `slots` pages render at once, each slot reusing a context and page per viewport
(up to `tab_uses` pages, cookies cleared before each; a fresh one after a page misbehaved); the
browser is restarted when it crashed, when a page hung it past its budget, after
`pages_per_browser` renders, and when its processes grow past `memory_budget`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from mgov.collect.render_page import RenderResult, Tab, open_tab, render_page
from mgov.collect.render_probes import Probe, load_probes
from mgov.collect.render_proxy import RenderProxy
from mgov.collect.render_settings import RenderSettings
from mgov.collect.routing import Routing
from mgov.evidence.rendered import Rendering, RenderStatus, Viewport

T = TypeVar("T")
MEMORY_EVERY = 4  # renders between two looks at the browser's memory
HUNG_GRACE = 15.0  # seconds past a page's budget before the browser counts as hung


def tree_memory(root: int | None = None) -> int:
    """Bytes of memory of root's descendant processes (proportional set size where Linux
    gives it, else resident): the browser, its renderers and Playwright's driver."""
    root = root or os.getpid()
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        total += _memory(pid)
    return total


def _memory(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return 0


class BrowserPool:
    def __init__(self, settings: RenderSettings, routing: Routing) -> None:
        self.settings, self.routing = settings, routing
        self.probes: list[Probe] = load_probes(settings.probes_dir)
        self.restarts = 0  # browsers started after the first
        self.peak_memory = 0
        self.proxy = RenderProxy(routing, deny_ports=settings.deny_ports)
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._stale = False
        self._active = 0
        self._served = 0
        self._tabs: dict[str, list[Tab]] = {}  # idle tabs per viewport, of the running browser
        self._gate: asyncio.Semaphore | None = None
        self._lock: asyncio.Lock | None = None

    # --- from any thread ------------------------------------------------------------------

    def start(self) -> BrowserPool:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop.run_forever, name="mgov-browser", daemon=True)
            self._thread.start()
            self._call(self._start())
        return self

    async def render(self, url: str, viewport: Viewport) -> RenderResult:
        self.start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._render(url, viewport), self._loop))

    def close(self) -> None:
        if self._thread is None:
            return
        try:
            self._call(self._aclose(), timeout=60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._thread = None
            self._loop.close()

    def _call(self, work: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    # --- on the pool's loop ---------------------------------------------------------------

    async def _start(self) -> None:
        self._gate = asyncio.Semaphore(self.settings.slots)
        self._lock = asyncio.Lock()
        await self.proxy.start()

    async def _aclose(self) -> None:
        await self._stop_browser()
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None
        await self.proxy.aclose()

    async def _launch(self) -> None:
        s = self.settings
        if self._pw is None:
            self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(
            executable_path=s.executable, handle_sigint=False, handle_sigterm=False, handle_sighup=False,
            args=[*s.args, f"--proxy-server=http://127.0.0.1:{self.proxy.port}",
                  "--proxy-bypass-list=<-loopback>",  # loopback too goes through the proxy's guard
                  f"--js-flags=--max-old-space-size={s.js_heap_mb}"])
        self._served, self._stale = 0, False

    async def _stop_browser(self) -> None:
        self._tabs.clear()  # they end with their browser
        browser, self._browser = self._browser, None
        if browser is None:
            return
        try:
            await asyncio.wait_for(browser.close(), 10)
        except (TimeoutError, PlaywrightError):
            # A browser that will not close: ending Playwright's driver ends its children.
            if self._pw is not None:
                pw, self._pw = self._pw, None
                with contextlib.suppress(TimeoutError, PlaywrightError):
                    await asyncio.wait_for(pw.stop(), 10)

    async def _browser_now(self) -> Browser:
        if self._lock is None:
            raise RuntimeError("the browser pool is not started")
        async with self._lock:
            gone = self._browser is None or not self._browser.is_connected()
            if gone or (self._stale and self._active == 0):
                if self._browser is not None:
                    await self._stop_browser()
                    self._browser = None
                    self.restarts += 1
                await self._launch()
            if self._browser is None:
                raise RuntimeError("the browser did not start")
            return self._browser

    async def _render(self, url: str, viewport: Viewport) -> RenderResult:
        if self._gate is None:
            raise RuntimeError("the browser pool is not started")
        async with self._gate:
            browser = await self._browser_now()
            self._active += 1
            try:
                budget = self.settings.page_budget + HUNG_GRACE
                return await asyncio.wait_for(self._visit(browser, url, viewport), budget)
            except TimeoutError:
                self._stale = True  # hung past its budget: a fresh browser for the next page
                return RenderResult(Rendering(url, viewport, RenderStatus.TIMEOUT,
                                              error="the page hung the browser past its time budget"))
            except PlaywrightError as exc:
                self._stale = True  # the browser went away under the page
                return RenderResult(Rendering(url, viewport, RenderStatus.CRASHED, error=str(exc)[:500]))
            finally:
                self._active -= 1
                self._served += 1
                self._look_at_memory()

    async def _visit(self, browser: Browser, url: str, viewport: Viewport) -> RenderResult:
        idle = self._tabs.setdefault(viewport.name, [])
        tab = idle.pop() if idle else await open_tab(browser, viewport, self.settings)
        try:
            result, reusable = await render_page(tab, url, viewport, self.settings, probes=self.probes,
                                                 proxy=self.proxy)
        except BaseException:
            reusable = False
            raise
        finally:
            tab.uses += 1
            if reusable and tab.uses < self.settings.tab_uses and not self._stale and browser is self._browser:
                idle.append(tab)
            else:
                with contextlib.suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(tab.context.close(), 5)
        return result

    def _look_at_memory(self) -> None:
        if self._served % MEMORY_EVERY and self._served < self.settings.pages_per_browser:
            return
        used = tree_memory()
        self.peak_memory = max(self.peak_memory, used)
        if used > self.settings.memory_budget or self._served >= self.settings.pages_per_browser:
            self._stale = True
