"""What a real browser saw of a page: the contract between the rendering collector and the
checks that judge rendered pages (accessibility, phone layout, 适老化, page experience, what
JavaScript builds and loads).

One `Rendering` per page and viewport. The collector fills it; checks read it and nothing
else. In-page measurements are `probes`: each probe script (a file the collector runs in the
page after it settled) returns JSON stored under the probe's name, e.g. "axe" (axe-core's
results), "layout" (widths, tap targets, text sizes), "aging" (the 适老版 entry, floating
elements). Screenshots and DOM snapshots live in the WARC archive; `screenshot` and `dom_ref`
point at them. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mgov.evidence.exchange import WarcRef

RENDERED_KEY = "rendered"  # the evidence key the rendering pass produces (a run kind's own)
# Also asked of the rendering pass: the pages that collect personal data (forms) rendered beside
# the start page, and the privacy notice it links to (the consent and tracker checks).
RENDERED_PRIVACY_KEY = "rendered_privacy"


@dataclass(frozen=True)
class Viewport:
    name: str  # "desktop", "phone", or "phone320"
    width: int
    height: int
    mobile: bool = False
    touch: bool = False
    user_agent: str | None = None  # None: the browser's own
    scale: float = 1.0


PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36 mgov")
DESKTOP = Viewport("desktop", 1366, 768)
PHONE = Viewport("phone", 390, 844, mobile=True, touch=True, user_agent=PHONE_UA, scale=3.0)
NARROW = Viewport("phone320", 320, 640, mobile=True, touch=True, user_agent=PHONE_UA, scale=2.0)
VIEWPORTS = (DESKTOP, PHONE)


class RenderStatus(StrEnum):
    OK = "ok"  # loaded and settled
    NO_LOAD = "no_load"  # the load event never came within the budget; judged as it stood
    TIMEOUT = "timeout"  # nothing usable within the page's time budget
    CRASHED = "crashed"  # the renderer died (memory budget, a hostile page)
    REFUSED = "refused"  # the start URL itself is refused by the SSRF guard or routing
    HTTP_ERROR = "http_error"  # the document answered 4xx/5xx (still rendered and judged)
    ERROR = "error"  # anything else: see `error`


@dataclass
class ConsoleMessage:
    level: str  # "error", "warning", ... as the browser says; "pageerror" for uncaught exceptions
    text: str
    url: str | None = None


@dataclass
class PageRequest:
    """A request the page made (document, script, image, XHR...), as the browser made it."""

    url: str
    resource_type: str  # Playwright's: document, script, stylesheet, image, xhr, fetch, ...
    method: str = "GET"
    status: int | None = None
    size: int | None = None  # body bytes received
    third_party: bool = False  # another registrable domain than the page's
    refused: str | None = None  # why mgov refused it (private address, scheme, download...)
    by_script: bool = False  # started by a script (not in the HTML the server sent)


@dataclass
class PageCookie:
    name: str
    domain: str
    third_party: bool = False
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    expires: float | None = None  # seconds since the epoch; None: a session cookie


@dataclass
class PageTimings:
    load_ms: float | None = None
    lcp_ms: float | None = None  # largest contentful paint
    cls: float | None = None  # cumulative layout shift
    tbt_ms: float | None = None  # total blocking time (long tasks over 50 ms, after FCP)
    fcp_ms: float | None = None


@dataclass
class Rendering:
    """One page in one viewport."""

    url: str
    viewport: Viewport
    status: RenderStatus
    final_url: str | None = None
    http_status: int | None = None
    error: str | None = None
    title: str | None = None
    dom: str | None = None  # the serialized DOM after settling (capped; see dom_truncated)
    dom_truncated: bool = False
    console: list[ConsoleMessage] = field(default_factory=list)
    requests: list[PageRequest] = field(default_factory=list)
    cookies: list[PageCookie] = field(default_factory=list)
    timings: PageTimings = field(default_factory=PageTimings)
    probes: dict[str, Any] = field(default_factory=dict)  # probe name -> its JSON result
    probe_errors: dict[str, str] = field(default_factory=dict)  # probe name -> why it gave nothing
    screenshot: WarcRef | None = None  # full-page PNG
    dom_ref: WarcRef | None = None  # the DOM snapshot's record
    dialogs: int = 0  # alert/confirm/prompt dismissed
    popups: int = 0  # window.open and target=_blank pages refused
    downloads: int = 0  # downloads refused
    navigations: int = 0  # main-frame navigations after the first
    elapsed_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in (RenderStatus.OK, RenderStatus.NO_LOAD, RenderStatus.HTTP_ERROR)


@dataclass
class RenderedEvidence:
    """What the rendering pass saw of a channel: its start page in each viewport (and more
    pages when asked)."""

    pages: list[Rendering] = field(default_factory=list)
    # Pages rendered for the privacy checks (key "rendered_privacy"): those with a form asking
    # for personal data, found from the start page (desktop only). The other checks judge `pages`.
    form_pages: list[Rendering] = field(default_factory=list)

    def of(self, viewport: str, url: str | None = None) -> Rendering | None:
        """The first rendering in that viewport (of that URL when given)."""
        return next((p for p in self.pages if p.viewport.name == viewport and (url is None or p.url == url)), None)

    @property
    def home(self) -> Rendering | None:
        return self.of(DESKTOP.name) or (self.pages[0] if self.pages else None)
