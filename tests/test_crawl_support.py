"""Loopback sites for the crawl tests: one aiohttp server answering for every test host
name (routed there by connect-to rules), a DNS server that knows no name (so unrouted
hosts fail DNS), a request log, and a client built as a scan builds it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from mgov.collect.client import HttpClient
from mgov.collect.crawler import CrawledPage, CrawlLimits, CrawlStats, crawl_site
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext
from mgov.collect.workspace import CrawlWorkspace
from test_collect_support import dns_server, web_server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def html(body: str, *, title: str = "page", status: int = 200) -> web.Response:
    return web.Response(text=f"<!doctype html><html><head><title>{title}</title></head>"
                             f"<body>{body}</body></html>", status=status, content_type="text/html")


def host_of(request: web.Request) -> str:
    return (request.host or "").split(":")[0].lower()


def closed_port() -> int:
    """A loopback port nobody listens on (just released by us)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Farm:
    client: HttpClient
    ctx: CollectContext
    port: int
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, host, path_qs)

    def requests(self, host: str, method: str | None = None) -> list[str]:
        return [p for m, h, p in self.log if h == host and (method is None or m == method)]


@asynccontextmanager
async def farm(tmp: Path, handler: Handler, hosts: Sequence[str], *, closed: Sequence[str] = (),
               **settings: Any) -> AsyncIterator[Farm]:
    """handler serves every name in hosts; names in closed go to a port nobody listens on."""
    log: list[tuple[str, str, str]] = []

    async def logged(request: web.Request) -> web.StreamResponse:
        log.append((request.method, host_of(request), request.path_qs))
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", logged)
    async with web_server(app) as port, dns_server({}) as (_, dns_addr):
        dead = closed_port()
        rules = [f"{h}::127.0.0.1:{port}" for h in hosts] + [f"{h}::127.0.0.1:{dead}" for h in closed]
        routing = Routing.from_options(connect_to=rules, dns=dns_addr, allow_private=True)
        ctx = CollectContext.create(tmp / "warc", settings=CollectSettings(**settings), routing=routing)
        try:
            yield Farm(ctx.client, ctx, port, log)
        finally:
            await ctx.aclose()


class Pages:
    """A sink keeping what the tests look at (the sink contract: analyse, let go)."""

    def __init__(self) -> None:
        self.pages: list[CrawledPage] = []

    def on_page(self, page: CrawledPage) -> None:
        self.pages.append(page)

    def urls(self) -> list[str]:
        return sorted(p.final_url for p in self.pages)


async def crawl(f: Farm, start: str, tmp: Path, *, checker: LinkChecker | None = None,
                workspace: CrawlWorkspace | None = None, **limits: Any
                ) -> tuple[CrawlStats, CrawlWorkspace, Pages]:
    """Crawl start with a fresh workspace (the caller closes it) and a checker."""
    ws = workspace or CrawlWorkspace(tmp)
    sink = Pages()
    stats = await crawl_site(start, f.client, limits=CrawlLimits(**limits), workspace=ws,
                             sink=sink, link_checker=checker or LinkChecker(f.client))
    return stats, ws, sink
