"""The knobs of the rendering collector: the browser, its budgets and caps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mgov.evidence.rendered import VIEWPORTS, Viewport

MIB = 1 << 20
CHROMIUM = "/usr/bin/chromium"  # Debian's (scripts/system-deps); never a downloaded browser
# Always: no sandbox needs (root in containers), nothing of Google's services, and no name
# resolves but 127.0.0.1 (the render proxy's): every request goes through mgov's own rules.
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 "--disable-quic", "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
                 "--disable-dev-shm-usage", "--mute-audio", "--disable-extensions",
                 # Site isolation off: a renderer serves a tab from site to site (collect.render_page
                 # ._navigate). What it isolates is one site's data from another's in a user's
                 # browser; these contexts hold none (no sign-in, cookies cleared per page), every
                 # page is untrusted alike, and the proxy's guard is what keeps pages in.
                 "--disable-site-isolation-trials",
                 "--disable-features=Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,"
                 "IsolateOrigins,site-per-process")
# Ports of mgov's own services no rendered page may reach on a non-public address, even
# with allow_private: PostgreSQL, MySQL, Redis and the dashboard's default.
DENY_PORTS = frozenset({5432, 3306, 6379, 8000})


@dataclass(frozen=True)
class RenderSettings:
    executable: str = CHROMIUM
    viewports: tuple[Viewport, ...] = VIEWPORTS
    slots: int = 4  # pages rendered at once (one context each)
    page_budget: float = 30.0  # seconds one page in one viewport may take, everything included
    load_timeout: float = 15.0  # the load event; past it the page is judged as it stands (no_load)
    settle_idle: float = 0.5  # seconds without a request in flight that count as settled ...
    settle_cap: float = 3.0  # ... waited for at most this long after load
    dom_cap: int = 2 * MIB  # characters of the DOM kept
    screenshot_height: int = 8000  # CSS pixels of a full-page screenshot at most
    screenshot_timeout: float = 10.0
    probe_timeout: float = 15.0  # one probe
    max_requests: int = 500  # requests of a page recorded
    js_heap_mb: int = 512  # V8's heap per renderer: past it the page crashes, not the machine
    memory_budget: int = 1536 * MIB  # the browser's processes together; past it the browser restarts
    tab_uses: int = 50  # pages one context renders before a fresh one (what sites left in its storage)
    pages_per_browser: int = 500  # renders before a fresh browser (leaks of a long run)
    locale: str = "zh-CN"
    probes_dir: Path | None = None  # None: the package's (collect/probes)
    deny_ports: frozenset[int] = DENY_PORTS
    args: tuple[str, ...] = field(default=CHROMIUM_ARGS)
