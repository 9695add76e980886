"""The HTTP side: one aiohttp handler for every virtual host, chosen by the Host header.

Per request it does a dict lookup, an optional sleep and a cached page (fixed pages) or a
page rendered from the site's cached content plan; the behaviour of a site (redirects,
headers, failures) is decided once at startup into a SiteState. The epoch (1 or 2) is the
farm's; the control host (contract.CONTROL_HOST) switches it over HTTP. The new-media
platforms' hosts (contract.PLATFORM_HOSTS) go to platforms.Platforms. On a hostile network
(hostile.Hostility) every response waits a further jitter, and a guarded site resets a
client's first connection (plain HTTP here, TLS in listeners.PeekingTlsListener).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import secrets
import socket
import struct

from aiohttp import web

from mgov.demo.farm import content, content_pages, content_privacy, content_special
from mgov.demo.farm import contract as c
from mgov.demo.farm.assets import heavy_image, service_asset, static_assets
from mgov.demo.farm.hostile import FirstContact, Hostility, Jitter, Outage
from mgov.demo.farm.manifest import Manifest, Site
from mgov.demo.farm.pages import html_page
from mgov.demo.farm.platforms import Platforms
from mgov.demo.farm.render_marks import csp
from mgov.demo.farm.sitefiles import (
    NOT_FOUND,
    UNAVAILABLE,
    Page,
    render_site,
    search_page,
)

EPOCHS = (1, 2)

_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST


class SiteState:
    """A site's behaviour, precomputed; `flips` counts homepage requests (flapping)."""

    __slots__ = (
        "absent",
        "delay",
        "failing",
        "flapping",
        "flips",
        "guarded",
        "heavy",
        "http_headers",
        "https_headers",
        "no_https",
        "serve_http",
        "site",
        "v6_drop",
    )

    def __init__(self, site: Site, latency: float, guarded: bool = False) -> None:
        self.site = site
        self.absent = site.has("https.absent")  # nothing listens on 443 (see Farm.start)
        self.no_https = self.absent or site.has("https.none")
        self.serve_http = self.no_https or site.has("https.no_redirect")
        self.v6_drop = site.has("ipv6.unreachable")
        self.guarded = guarded  # behind a hostile network's first-contact firewall
        self.delay = latency + (c.SLOW_SECONDS if site.has("availability.slow") else 0.0)
        self.failing = site.has("availability.failing")
        self.flapping = site.has("availability.flapping")
        self.heavy = site.has("page.heavy")
        self.flips = 0
        common = {} if site.has("security_headers.missing") else dict(c.SECURITY_HEADERS)
        if common:  # the contract's, or with the trackers the site embeds on purpose
            common["Content-Security-Policy"] = csp(site)
        self.http_headers = common
        https = dict(common)
        if site.has("hsts.weak"):
            https["Strict-Transport-Security"] = c.HSTS_WEAK
        elif not site.has("hsts.none"):
            https["Strict-Transport-Security"] = c.HSTS
        self.https_headers = https


def reset(request: web.BaseRequest) -> None:
    """Drop the connection with a TCP RST, sending nothing."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    transport.abort()


def is_v6(request: web.BaseRequest) -> bool:
    sock = request.transport.get_extra_info("socket") if request.transport else None
    return sock is not None and sock.family == socket.AF_INET6


class VirtualHosts:
    def __init__(self, manifest: Manifest, *, today: dt.date, cache_size: int = 4096,
                 plan_cache_size: int = 256, epoch: int = 1,
                 hostility: Hostility | None = None) -> None:
        self.seed = manifest.seed
        self.today = today  # the real date: security.txt, sitemap lastmod
        self.content_today = manifest.today_date  # the content's dates
        self.anchor = manifest.today_date  # published items keep their dates past it (set_today)
        self.epoch, self.epoch_day = 1, self.content_today
        self.platforms = Platforms(manifest, today=self.content_today)
        self.set_epoch(epoch)
        latency = manifest.latency_ms / 1000.0
        self.latency = latency
        hostility = hostility or Hostility()
        fault_seed = hostility.seed_or(manifest.seed)
        self.jitter = Jitter(fault_seed, hostility.jitter_ms) or None
        self.gate = FirstContact(fault_seed, hostility.reset_share, hostility.reset_memory) or None
        self.outage = Outage(fault_seed, hostility.outage_share, hostility.outage_seconds) or None
        # host -> (state, is_twin); services are kept apart.
        self.routes: dict[str, tuple[SiteState, bool]] = {}
        self.bigs: dict[str, content_special.BigSite] = {}
        for site in manifest.sites:
            st = SiteState(site, latency, self.gate is not None and self.gate.guards(site.host))
            self.routes[site.host] = (st, False)
            self.routes[site.twin] = (st, True)
            if site.role == "big":
                self.bigs[site.host] = content_special.big_site(site, self.content_today)
        self.services = frozenset(manifest.services)
        self.platform_hosts = frozenset(c.PLATFORM_HOSTS)
        self.pages = functools.lru_cache(maxsize=cache_size)(self._render)
        self.plans = functools.lru_cache(maxsize=plan_cache_size)(self._plan)

    def set_epoch(self, n: int) -> None:
        """Serve epoch n (1 or 2) from the next request on; what it adds is dated the day it
        began, and keeps that date as set_today moves on."""
        if n not in EPOCHS:
            raise ValueError(f"epoch must be one of {EPOCHS}")
        if n != self.epoch:
            self.epoch_day = self.content_today
        self.epoch = n
        self.platforms.set_epoch(n)

    def set_today(self, day: dt.date) -> None:
        """Serve the sites as on day from the next request on (a simulation walks a quarter
        this way): after the manifest's day, published items keep their dates and the columns
        kept up publish more (content.column_items); the defects stay."""
        self.today = self.content_today = day
        for host in self.bigs:
            self.bigs[host] = content_special.big_site(self.routes[host][0].site, day)
        self.pages.cache_clear()
        self.plans.cache_clear()
        self.platforms.set_today(day)

    def v6_blocked(self, host: str | None) -> bool:
        """Whether a TLS connection to host over ::1 is reset before its handshake."""
        return self.tls_refused(host, v6=True)

    def tls_refused(self, host: str | None, *, v6: bool) -> bool:
        """Whether a TLS connection naming host (SNI) is reset before its handshake: over ::1
        for ipv6.unreachable and https.absent; on a hostile network, a first contact."""
        route = self.routes.get(host or "")
        if route is None:
            return False
        st = route[0]
        if v6 and (st.v6_drop or st.absent):
            return True
        return st.guarded and self.gate is not None and self.gate.refuse(st.site.host)

    def _plan(self, st: SiteState, epoch: int) -> content.Plan:
        return content.plan(st.site, self.seed, self.content_today, epoch, anchor=self.anchor,
                            epoch_day=self.epoch_day)

    def _render(self, st: SiteState, epoch: int) -> dict[str, Page]:
        site = st.site
        return render_site(site, self.seed, self.today, self.plans(st, epoch),
                           tampered=epoch >= 2 and site.has("redflag.tampered"),
                           nav_extra=content_special.nav_extra(site),
                           links_extra=content_special.home_links_extra(site, self.content_today))

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        name = (request.headers.get("Host") or "").lower()
        if not name.startswith("["):
            name = name.partition(":")[0]
        name = name.rstrip(".")
        if name == c.CONTROL_HOST:
            return self._control(request)
        route = self.routes.get(name)
        jitter = self.jitter() if self.jitter is not None else 0.0
        if route is None:
            if self.latency or jitter:
                await asyncio.sleep(self.latency + jitter)
            if name in self.platform_hosts:
                return self.platforms.handle(request, name)
            if name in self.services:
                return self._service(request, name)
            return web.Response(status=421, text=f"unknown host {name!r}\n")
        st, twin = route
        secure = request.secure
        if st.guarded and self.gate is not None:
            # TLS connections met the firewall at their ClientHello; each request keeps the
            # client known.
            if secure:
                self.gate.touch(st.site.host)
            elif self.gate.refuse(st.site.host):
                reset(request)
                return web.Response(status=204)  # never sent: the transport is gone
        if st.delay or jitter:
            await asyncio.sleep(st.delay + jitter)
        if self.outage is not None and self.outage.hits(st.site.host) and self.outage.down(st.site.host):
            return web.Response(status=503, text="Service Unavailable\n")  # a passing outage
        if st.v6_drop and is_v6(request):
            reset(request)
            return web.Response(status=204)  # never sent: the transport is gone
        site = st.site
        if twin or (not secure and not st.serve_http):
            scheme = "http" if st.no_https else "https"
            headers = dict(st.https_headers if secure else st.http_headers)
            headers["Location"] = f"{scheme}://{site.host}{request.raw_path}"
            return web.Response(status=301, headers=headers)
        return self._serve(request, st, secure)

    def _serve(self, request: web.BaseRequest, st: SiteState, secure: bool) -> web.Response:
        site = st.site
        path = request.path
        session = site.role == "session_trap"
        if session:
            path = path.split(";", 1)[0]  # ;jsessionid=...
        epoch = self.epoch
        pages = self.pages(st, epoch)
        page = pages.get(path)
        if path == "/" and session:  # a fresh session id in every link, on every request
            plan = self.plans(st, epoch)
            page = html_page(site, content_pages.home_page(
                plan, links=content_special.session_links(site),
                links_extra=content_special.home_links_extra(site, self.content_today)))
        if path == "/" and (st.failing or st.flapping):
            st.flips += 1
            if st.failing or st.flips % 2 == 0:
                page = pages[UNAVAILABLE]
        if page is None:
            if path == "/search":
                page = search_page(site, request.query.get("q", ""), self.plans(st, epoch))
            else:
                asset = static_assets().get(path)
                if asset is None and st.heavy and path == c.HEAVY_IMG:
                    asset = heavy_image()
                page = Page(200, *asset) if asset else self._content(request, st, path, epoch)
        headers = dict(st.https_headers if secure else st.http_headers)
        headers["Content-Type"] = page.content_type
        if page.status == 503:
            headers["Retry-After"] = "120"
        return web.Response(status=page.status, body=page.body, headers=headers)

    def _content(self, request: web.BaseRequest, st: SiteState, path: str, epoch: int) -> Page:
        """A content page (columns, articles, messages, special sites), or the 404 page."""
        site = st.site
        plan = self.plans(st, epoch)
        page = content_pages.serve(plan, path, content_special.session_links(site),
                                   content_special.nav_extra(site))
        if page is None:
            page = content_privacy.serve(site, self.seed, path)
        if page is None and site.role != "site":
            page = content_special.serve(plan, path, request.query_string, self.bigs.get(site.host))
        return page if page is not None else self.pages(st, epoch)[NOT_FOUND]

    def _control(self, request: web.BaseRequest) -> web.Response:
        """The farm's control endpoint: GET /epoch, POST /epoch?n=N."""
        if request.path != "/epoch":
            return web.json_response({"error": "unknown path; use /epoch"}, status=404)
        if request.method == "POST":
            try:
                self.set_epoch(int(request.query.get("n", "")))
            except ValueError:
                return web.json_response({"error": f"n must be one of {EPOCHS}"}, status=400)
        elif request.method not in ("GET", "HEAD"):
            return web.json_response({"error": "use GET or POST"}, status=405)
        return web.json_response({"epoch": self.epoch})

    def _service(self, request: web.BaseRequest, host: str) -> web.Response:
        if host == c.DEAD_LINK_HOST and request.path.startswith(("/gone/", "/error/")):
            status = 404 if request.path.startswith("/gone/") else 500
            return web.Response(status=status, text=f"{status}\n")
        asset = service_asset(host, request.path)
        if asset is None:
            return web.Response(status=404, text="not found\n")
        headers = {"Content-Type": asset.content_type}
        if host == c.TRACKER_HOST:
            headers["Set-Cookie"] = (f"uid={secrets.token_hex(8)}; Domain={c.TRACKER_HOST}; Path=/; "
                                     "Max-Age=31536000; SameSite=None; Secure")
        return web.Response(body=asset.body, headers=headers)
