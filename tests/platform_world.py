"""Simulated new-media platforms for the adapter tests (tests/test_platform_*.py).

One aiohttp application on loopback answers for the platforms' real host names (m.weibo.cn,
mp.weixin.qq.com, social.gov-farm.example, feeds.gov-farm.example) over HTTPS, with
certificates of a test CA; mgov reaches it through the collect layer's routing (connect-to
and a CA bundle, allow_private), the seam `mgov capture` uses for the demo farm. Each test
gives a handler per host and reads what was asked in `World.hits`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext
from mgov.collect.warc import read_record
from mgov.evidence.exchange import WarcRef
from test_collect_support import make_certs, web_server

WEIBO, WECHAT, SOCIAL, FEEDS = "m.weibo.cn", "mp.weixin.qq.com", "social.gov-farm.example", "feeds.gov-farm.example"
HOSTS = (WEIBO, WECHAT, SOCIAL, FEEDS, "other.gov-farm.example")
NOW = dt.datetime(2026, 12, 10, 4, 0, tzinfo=dt.UTC)
BEIJING = dt.timezone(dt.timedelta(hours=8))

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class World:
    def __init__(self, **hosts: Handler) -> None:
        self.hosts: dict[str, Handler] = {}
        self.hits: list[tuple[str, str]] = []
        self.accepts: list[str] = []

    def on(self, host: str, handler: Handler) -> World:
        self.hosts[host] = handler
        return self

    async def handle(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").split(":")[0].lower()
        self.hits.append((host, request.path_qs))
        self.accepts.append(request.headers.get("Accept", ""))
        handler = self.hosts.get(host)
        if handler is None:
            raise web.HTTPNotFound()
        return await handler(request)

    def count(self, host: str, prefix: str = "") -> int:
        return sum(1 for h, p in self.hits if h == host and p.startswith(prefix))


def answer(data: Any, status: int = 200, headers: dict[str, str] | None = None,
           content_type: str = "application/json") -> web.Response:
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": content_type, **(headers or {})})


@asynccontextmanager
async def platform_lab(tmp: Path, world: World, **settings: Any) -> AsyncIterator[CollectContext]:
    """A collect context archiving to tmp/warc whose requests to HOSTS reach the world."""
    tmp.mkdir(parents=True, exist_ok=True)
    certs = make_certs(tmp, list(HOSTS))
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", world.handle)
    async with web_server(app, certs.server_context()) as port:
        routing = Routing.from_options(connect_to=[f"{h}:443:127.0.0.1:{port}" for h in HOSTS],
                                       ca_bundle=certs.ca_pem, allow_private=True)
        ctx = CollectContext.create(tmp / "warc", routing=routing,
                                    settings=CollectSettings(**{"platform_rate": 1000.0, **settings}))
        try:
            yield ctx
        finally:
            await ctx.aclose()


def archived_uri(tmp: Path, ref: WarcRef | None) -> str | None:
    """The target URI of the WARC record a ref points at (after the context closed)."""
    assert ref is not None
    return read_record(tmp / "warc", ref).warc_header("WARC-Target-URI")


def weibo_time(when: dt.datetime) -> str:
    """A time as Weibo's API writes it (Beijing time)."""
    return when.astimezone(BEIJING).strftime("%a %b %d %H:%M:%S +0800 %Y")
