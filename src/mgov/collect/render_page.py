"""One page in one viewport: load it in a fresh browser context, let it settle, and take
what the checks judge (DOM, console, requests, cookies, timings, probes) and the screenshot.

Every step runs within what is left of the page's time budget; a step that does not finish
in time (an infinite loop, a page that keeps navigating) is skipped and said, and the page is
judged as it stands. A fresh context per page keeps one site's cookies and storage from the
next; refused downloads, pop-ups and dialogs are counted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, CDPSession, Dialog, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from mgov.collect import render_probes as rp
from mgov.collect.render_proxy import REFUSED_HEADER, RenderProxy
from mgov.collect.render_settings import RenderSettings
from mgov.evidence.rendered import ConsoleMessage, PageRequest, Rendering, RenderStatus, Viewport

T = TypeVar("T")
CONSOLE_KEPT = 100


class _Late(Exception):
    """A step did not finish within the page's budget."""


@dataclass
class RenderResult:
    rendering: Rendering
    screenshot: bytes | None = None  # PNG, for the archive
    extra: dict[str, Any] = field(default_factory=dict)


class _Visit:
    def __init__(self, url: str, viewport: Viewport, settings: RenderSettings, proxy: RenderProxy | None) -> None:
        self.settings, self.proxy = settings, proxy
        self.r = Rendering(url=url, viewport=viewport, status=RenderStatus.ERROR)
        self.deadline = time.monotonic() + settings.page_budget
        self.requests: dict[Request, PageRequest] = {}
        self.crashed = False
        self.main_seen = False
        self.in_flight = 0
        self.last_activity = time.monotonic()
        self.tasks: set[asyncio.Future[None]] = set()  # dismissals and closings under way

    async def step(self, work: Awaitable[T], cap: float | None = None) -> T:
        left = self.deadline - time.monotonic()
        if cap is not None:
            left = min(left, cap)
        if left <= 0:
            if asyncio.iscoroutine(work):
                work.close()
            raise _Late
        try:
            return await asyncio.wait_for(work, left)
        except TimeoutError:
            raise _Late from None

    # --- events ---------------------------------------------------------------------------

    def _later(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def watch(self, context: BrowserContext, page: Page) -> None:
        self.handlers: list[tuple[Any, str, Any]] = [
            (context, "page", self._popup), (page, "dialog", self._dialog),
            (page, "console", lambda m: self._console(m.type, m.text, (m.location or {}).get("url"))),
            (page, "pageerror", lambda e: self._console("pageerror", str(e), None)),
            (page, "download", self._download), (page, "crash", lambda _p: setattr(self, "crashed", True)),
            (page, "framenavigated", lambda f: self._navigated(f.parent_frame is None)),
            (page, "request", self._request), (page, "response", self._response),
            (page, "requestfinished", lambda q: self._done(q, None)),
            (page, "requestfailed", lambda q: self._done(q, q.failure))]
        for emitter, event, handler in self.handlers:
            emitter.on(event, handler)

    def unwatch(self) -> None:
        for emitter, event, handler in getattr(self, "handlers", []):
            emitter.remove_listener(event, handler)

    def _popup(self, page: Page) -> None:
        if page is not None:
            self.r.popups += 1
            self._later(_quietly(page.close()))

    def _dialog(self, dialog: Dialog) -> None:
        self.r.dialogs += 1
        self._later(_quietly(dialog.dismiss()))

    def _download(self, download: Any) -> None:
        self.r.downloads += 1
        self._later(_quietly(download.cancel()))

    def _console(self, level: str, text: str, url: str | None) -> None:
        if level in ("error", "pageerror") and len(self.r.console) < CONSOLE_KEPT:
            self.r.console.append(ConsoleMessage(level, text[:2000], url))

    def _navigated(self, main: bool) -> None:
        if main:
            self.r.navigations += 1 if self.main_seen else 0
            self.main_seen = True

    def _request(self, q: Request) -> None:
        self.in_flight += 1
        self.last_activity = time.monotonic()
        if len(self.requests) < self.settings.max_requests:
            self.requests[q] = PageRequest(q.url, q.resource_type, q.method,
                                           third_party=rp.third_party(q.url, self.r.url))

    def _response(self, response: Response) -> None:
        kept = self.requests.get(response.request)
        if kept is not None:
            kept.status = response.status
            length = response.headers.get("content-length")
            kept.size = int(length) if length and length.isdigit() else None

    def _done(self, q: Request, failure: str | None) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last_activity = time.monotonic()
        kept = self.requests.get(q)
        if kept is None or failure is None:
            return
        parts = urlsplit(q.url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            kept.refused = f"scheme {parts.scheme}"
        elif self.proxy is not None and parts.hostname:
            port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
            kept.refused = self.proxy.refusal(parts.hostname, port)
        if kept.refused is None and "download" in failure.lower():
            kept.refused = "download"

    async def settle(self) -> None:
        """Until no request has been in flight for settle_idle seconds, at most settle_cap."""
        until = time.monotonic() + self.settings.settle_cap
        while time.monotonic() < until and time.monotonic() < self.deadline:
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= self.settings.settle_idle:
                return
            await asyncio.sleep(0.05)


async def _quietly(work: Awaitable[Any]) -> None:
    with contextlib.suppress(PlaywrightError, TimeoutError):
        await asyncio.wait_for(work, 5)


@dataclass
class Tab:
    """A context and its page in one viewport, recycled from page to page: a fresh context
    costs Chromium a renderer's start (five times the CPU of the page itself). Cookies are
    cleared before each page; a tab is let go after `tab_uses` pages or when its page misbehaved."""

    context: BrowserContext
    page: Page
    cdp: CDPSession | None = None  # the page's DevTools session (the screenshot), opened with the tab
    uses: int = 0


async def open_tab(browser: Browser, viewport: Viewport, settings: RenderSettings) -> Tab:
    context = await browser.new_context(
        viewport={"width": viewport.width, "height": viewport.height}, is_mobile=viewport.mobile,
        has_touch=viewport.touch, device_scale_factor=viewport.scale, user_agent=viewport.user_agent,
        accept_downloads=False, service_workers="block", ignore_https_errors=True, permissions=[],
        locale=settings.locale)
    try:
        await context.add_init_script(rp.TIMING_SCRIPT)
        page = await context.new_page()
        return Tab(context, page, await context.new_cdp_session(page))
    except PlaywrightError:
        await _quietly(context.close())
        raise


async def render_page(tab: Tab, url: str, viewport: Viewport, settings: RenderSettings, *,
                      probes: list[rp.Probe], proxy: RenderProxy | None = None) -> tuple[RenderResult, bool]:
    """Render url in viewport in tab; never raises for what the page does (see
    Rendering.status). Also whether the tab may render another page."""
    v = _Visit(url, viewport, settings, proxy)
    started = time.monotonic()
    if urlsplit(url).scheme not in ("http", "https"):  # file://, data:, chrome:// never reach the browser
        v.r.status, v.r.error = RenderStatus.REFUSED, f"scheme {urlsplit(url).scheme or '(none)'}"
        return RenderResult(v.r), True
    result = RenderResult(v.r)
    page, reusable = tab.page, False
    try:
        await tab.context.clear_cookies()
        v.watch(tab.context, page)
        await _load(v, page)
        if v.r.status is not RenderStatus.REFUSED and not v.crashed:
            await _take(v, page, probes, result, tab.cdp)
    except PlaywrightError as exc:
        v.r.status, v.r.error = (RenderStatus.CRASHED if v.crashed else RenderStatus.ERROR), str(exc)[:500]
    finally:
        v.unwatch()
        v.r.requests = list(v.requests.values())
        v.r.elapsed_ms = (time.monotonic() - started) * 1000
        if not v.crashed and v.r.status is not RenderStatus.TIMEOUT and not v.r.probe_errors.get("page"):
            reusable = await _blank(page)
    if v.crashed:
        v.r.status = RenderStatus.CRASHED
    return result, reusable


async def _blank(page: Page) -> bool:
    """Whether the page left for about:blank (its scripts stopped) and can serve again."""
    try:
        await asyncio.wait_for(page.goto("about:blank"), 5)
        return True
    except (PlaywrightError, TimeoutError):
        return False


async def _navigate(page: Page, url: str, timeout_ms: float) -> Response | None:
    """Load url in the tab as a link the page followed would: the navigation starts in the
    page (at about:blank between sites), so Chromium keeps the tab's renderer process instead
    of starting one per site (site isolation is off: every page is untrusted alike and
    reaches nothing but mgov's proxy). A warm renderer, with axe-core already compiled in
    it, costs about a quarter less CPU a page."""
    async with page.expect_navigation(wait_until="load", timeout=timeout_ms) as navigation:
        try:
            await page.evaluate("(u) => { window.location.href = u; }", url)
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc):  # the navigation began while we asked
                raise
    return await navigation.value


async def _load(v: _Visit, page: Page) -> None:
    try:
        response = await v.step(_navigate(page, v.r.url, v.settings.load_timeout * 1000))
    except (_Late, PlaywrightError) as exc:
        response = None
        text = str(exc) if isinstance(exc, PlaywrightError) else "late"
        parts = urlsplit(v.r.url)
        refused = v.proxy.refusal(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)) \
            if v.proxy else None
        if parts.scheme not in ("http", "https"):
            refused = f"scheme {parts.scheme}"
        if refused:
            v.r.status, v.r.error = RenderStatus.REFUSED, refused
            return
        v.r.error = text[:500]
        # Anything drawn by then is judged as it stands; nothing at all is a timeout.
        late = isinstance(exc, _Late) or "Timeout" in text
        v.r.status = (RenderStatus.NO_LOAD if v.main_seen else RenderStatus.TIMEOUT) if late else RenderStatus.ERROR
        if v.crashed:
            v.r.status = RenderStatus.CRASHED
    else:
        v.r.status = RenderStatus.OK
        if response is not None and response.headers.get(REFUSED_HEADER.lower()):
            parts = urlsplit(response.url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            v.r.status = RenderStatus.REFUSED
            v.r.error = (v.proxy.refusal(parts.hostname or "", port) if v.proxy else None) or "refused by mgov"
            return
        if response is not None:
            v.r.http_status = response.status
            if response.status >= 400:
                v.r.status = RenderStatus.HTTP_ERROR
    v.r.final_url = page.url
    try:
        html = await v.step(response.text(), 5) if response is not None else ""
    except (_Late, PlaywrightError):
        html = ""
    named = rp.html_urls(html, page.url) | {v.r.url, page.url}
    for q, kept in v.requests.items():
        kept.by_script = q.is_navigation_request() is False and rp.by_script(kept.url, kept.resource_type, named)


async def _take(v: _Visit, page: Page, probes: list[rp.Probe], result: RenderResult,
                cdp: CDPSession | None = None) -> None:
    s = v.settings
    await v.step(v.settle(), s.settle_cap + 1)
    try:
        v.r.title = await v.step(page.title(), 5)
        size, v.r.dom = await v.step(page.evaluate(rp.READ_DOM, s.dom_cap), 10)
        v.r.dom_truncated = size > s.dom_cap
        v.r.timings = rp.timings(await v.step(page.evaluate(rp.READ_TIMINGS), 5))
        v.r.cookies = [rp.cookie(c, v.r.url) for c in await v.step(page.context.cookies(), 5)]
    except (_Late, PlaywrightError) as exc:
        v.r.probe_errors["page"] = f"the page did not answer: {str(exc)[:300] or 'late'}"
        return  # a page that does not answer (an infinite loop) answers no probe either
    for probe in probes:
        if probe.viewports is not None and v.r.viewport.name not in probe.viewports:
            continue
        try:
            for source in probe.requires:
                # Evaluated through the DevTools protocol, not as an inline <script>: a page's
                # Content-Security-Policy refuses the latter (and logs a console error for it).
                await v.step(page.evaluate(source), s.probe_timeout)
            v.r.probes[probe.name] = await v.step(page.evaluate(probe.source), s.probe_timeout)
        except (_Late, PlaywrightError) as exc:
            v.r.probe_errors[probe.name] = str(exc)[:500] or "the probe did not finish in time"
    try:
        height = min(int(await v.step(page.evaluate(rp.PAGE_HEIGHT), 5) or 0), s.screenshot_height)
        height = max(height, v.r.viewport.height)
        if cdp is None:
            result.screenshot = await v.step(page.screenshot(
                full_page=True, type="png", scale="css", timeout=s.screenshot_timeout * 1000,
                clip={"x": 0, "y": 0, "width": v.r.viewport.width, "height": height}), s.screenshot_timeout + 1)
        else:
            result.screenshot = await v.step(_screenshot(cdp, v.r.viewport, height), s.screenshot_timeout + 1)
    except (_Late, PlaywrightError, ValueError, binascii.Error) as exc:
        v.r.probe_errors["screenshot"] = str(exc)[:300] or "the screenshot did not finish in time"


async def _screenshot(cdp: CDPSession, viewport: Viewport, height: int) -> bytes:
    """The full page as a PNG in CSS pixels, encoded for speed: Chromium's default PNG
    compression cost about as much CPU as laying the page out (0.2-0.3 s a screenshot); the
    fast encoding keeps every pixel and makes the file about 45 % larger."""
    shot = await cdp.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": viewport.width, "height": height, "scale": 1}})  # CSS pixels
    return base64.b64decode(shot["data"], validate=True)
