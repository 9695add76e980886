"""The rendering browser's only way out: a forwarding proxy of mgov's own on 127.0.0.1.

A rendered page is untrusted code running on the monitoring server. Chromium is launched
with every name unresolvable except 127.0.0.1 and with this proxy as its proxy for every
URL, loopback included (`<-loopback>`), so each request it makes (plain HTTP, CONNECT
tunnels for HTTPS and WebSockets) comes here and passes the collect layer's rules: the
routing (--connect-to, --dns) and the SSRF guard of `Resolver.targets` (private and loopback
addresses only with allow_private). A destination a --connect-to rule names as an IP literal
is the operator's own routing and passes. The proxy's own port and the `deny_ports`
(the dashboard's, the database's) on a non-public address are refused always.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections import OrderedDict
from dataclasses import dataclass

from yarl import URL

from mgov.collect.failure import CollectFailure
from mgov.collect.resolver import Resolver
from mgov.collect.routing import Routing, blocked_reason, parse_ip
from mgov.collect.settings import CollectSettings

HEAD_CAP = 64 * 1024  # a request head longer than this is refused
REFUSALS_KEPT = 2048
REFUSED_HEADER = "X-Mgov-Refused"  # on the proxy's own answers (the browser shows them as the page's)


class Refused(Exception):
    """The guard refuses a destination; the reason is what a PageRequest's `refused` says."""


@dataclass(frozen=True)
class ProxyLimits:
    connect_timeout: float = 10.0
    idle_timeout: float = 30.0  # longest silence on a connection
    bytes_cap: int = 64 << 20  # bytes relayed to the browser per connection (a download bomb ends here)


class RenderProxy:
    def __init__(self, routing: Routing, *, deny_ports: frozenset[int] = frozenset(),
                 limits: ProxyLimits | None = None) -> None:
        self.routing = routing
        self.deny_ports = deny_ports
        self.limits = limits or ProxyLimits()
        self.port = 0
        self.refusals: OrderedDict[str, str] = OrderedDict()  # "host:port" -> why it was refused
        self.connections = 0  # destinations connected to (for tests and the benchmark)
        self._resolver = Resolver(routing, CollectSettings())
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, limit=HEAD_CAP)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    def refusal(self, host: str, port: int) -> str | None:
        return self.refusals.get(f"{host.lower()}:{port}")

    async def destinations(self, host: str, port: int) -> list[tuple[str, int]]:
        """Where a request for host:port may connect, or Refused."""
        to_host, to_port, replaced = self.routing.route(host, port)
        if replaced and parse_ip(to_host) is not None:
            found = [(str(parse_ip(to_host)), to_port)]
        else:
            try:
                found = await self._resolver.targets(host, port, self.routing.family)
            except CollectFailure as exc:
                raise Refused(f"{exc.status.value}: {exc.detail}") from None
        allowed = [(a, p) for a, p in found if not self._denied(a, p)]
        if not allowed:
            raise Refused(f"{found[0][0]}:{found[0][1]} is mgov's own service (the render proxy, the dashboard "
                          "or the database): never reachable from a rendered page")
        return allowed

    def _denied(self, address: str, port: int) -> bool:
        if blocked_reason(ipaddress.ip_address(address)) is None:
            return False
        return port == self.port or port in self.deny_ports

    def _refuse(self, host: str, port: int, reason: str) -> None:
        self.refusals[f"{host.lower()}:{port}"] = reason
        while len(self.refusals) > REFUSALS_KEPT:
            self.refusals.popitem(last=False)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # the browser or the site went away; nothing to report on the proxy's side
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.limits.idle_timeout)
        line, _, rest = head.partition(b"\r\n")
        method, target, _version = line.decode("latin-1").split(" ", 2)
        if method == "CONNECT":
            host, _, port_text = target.rpartition(":")
            host, port = host.strip("[]"), int(port_text)
            forward = b""
        else:
            url = URL(target)
            if url.scheme != "http" or not url.host:
                await _answer(writer, 400, "only http:// and CONNECT tunnels")
                return
            host, port = url.host, url.port or 80
            forward = _origin_form(method, url, rest)
        try:
            upstream = await self._connect(host, port)
        except Refused as exc:
            self._refuse(host, port, str(exc))
            await _answer(writer, 403, str(exc))
            return
        except (TimeoutError, OSError) as exc:
            await _answer(writer, 502, f"cannot connect to {host}:{port}: {exc}")
            return
        up_reader, up_writer = upstream
        try:
            if forward:
                up_writer.write(forward)
            else:
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            # Either side ending ends the exchange (a closed tunnel, a response read to its end).
            pipes = {asyncio.ensure_future(self._pipe(reader, up_writer, None)),
                     asyncio.ensure_future(self._pipe(up_reader, writer, self.limits.bytes_cap))}
            try:
                await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pipe in pipes:
                    pipe.cancel()
                await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            up_writer.close()

    async def _connect(self, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        last: BaseException | None = None
        for address, to_port in (await self.destinations(host, port))[:2]:
            try:
                opened = await asyncio.wait_for(asyncio.open_connection(address, to_port),
                                                self.limits.connect_timeout)
                self.connections += 1
                return opened
            except (TimeoutError, OSError) as exc:
                last = exc
        raise last or OSError("no address")

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, cap: int | None) -> None:
        sent = 0
        try:
            while True:
                data = await asyncio.wait_for(src.read(65536), self.limits.idle_timeout)
                if not data:
                    break
                sent += len(data)
                dst.write(data)
                await dst.drain()
                if cap is not None and sent > cap:
                    break
        except (TimeoutError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                dst.close()


def _origin_form(method: str, url: URL, rest: bytes) -> bytes:
    """The request as the origin expects it: origin-form target, no proxy headers, one
    request per connection (the next may be for another host)."""
    lines = [h for h in rest.split(b"\r\n") if h and not h.lower().startswith((b"proxy-", b"connection:",
                                                                                 b"keep-alive:"))]
    target = url.raw_path_qs or "/"
    return b"\r\n".join([f"{method} {target} HTTP/1.1".encode("latin-1"), *lines, b"Connection: close", b"", b""])


async def _answer(writer: asyncio.StreamWriter, status: int, reason: str) -> None:
    body = reason.encode("utf-8", "replace")[:1000]
    mark = f"{REFUSED_HEADER}: 1\r\n" if status == 403 else ""
    writer.write(f"HTTP/1.1 {status} mgov\r\n{mark}Content-Type: text/plain; charset=utf-8\r\n"
                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    with contextlib.suppress(OSError):
        await writer.drain()
