"""Loopback web servers for the rendering collector's tests: a site of pages (normal and
hostile) and bare services that count the requests they get (a stand-in for a database or
a dashboard a rendered page must not reach). Each runs in a thread of its own, so a test can
drive the browser pool from its own event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Any]


@dataclass
class Server:
    port: int = 0
    hits: list[str] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    def stop(self) -> None:
        assert self._loop is not None and self._runner is not None and self._thread is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def serve(routes: dict[str, Handler] | None = None) -> Server:
    """A server on 127.0.0.1 with these GET routes; every request is counted in `hits`,
    and a path without a route answers 200 "ok"."""
    server = Server()
    loop = asyncio.new_event_loop()

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> Any:
        server.hits.append(request.path_qs)
        return await handler(request)

    async def fallback(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def start() -> None:
        app = web.Application(middlewares=[count])
        for path, handler in (routes or {}).items():
            app.router.add_get(path, handler)
        app.router.add_route("*", "/{tail:.*}", fallback)
        server._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await server._runner.setup()
        site = web.TCPSite(server._runner, "127.0.0.1", 0)
        await site.start()
        server.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # started just above

    server._loop = loop
    server._thread = threading.Thread(target=loop.run_forever, daemon=True)
    server._thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    return server


def html(body: str, head: str = "") -> Handler:
    page = f"<!doctype html><html lang=en><head><title>t</title>{head}</head><body>{body}</body></html>"

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    return handler
