"""The running farm: HTTP and HTTPS on 127.0.0.1 and ::1, DNS on 127.0.0.1, one event loop
(and HTTP alone on 127.0.0.2 for the HTTP-only sites); a hostile network on request.

`Farm` is the asyncio API; `run_in_thread` runs one in a background thread for synchronous
callers (pytest, benchmarks, the demo).
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import contextlib
import datetime as dt
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from aiohttp import web

from mgov.demo.farm import client
from mgov.demo.farm.certs import Certificates
from mgov.demo.farm.contract import PLATFORM_HOSTS
from mgov.demo.farm.hostile import DnsFaults, Hostility
from mgov.demo.farm.listeners import PeekingTlsListener, bind_one, bind_pair
from mgov.demo.farm.manifest import Manifest, Runtime
from mgov.demo.farm.nameserver import HTTP_ONLY_V4, DnsServer, build_zone
from mgov.demo.farm.vhosts import VirtualHosts

SHUTDOWN_TIMEOUT = 1.0  # seconds in-flight requests get on stop (slow sites sleep 3 s)


class Farm:
    """Serves every site of a manifest; `start` fills `manifest.runtime`."""

    def __init__(self, manifest: Manifest, *, http_port: int = 0, https_port: int = 0,
                 dns_port: int = 0, ipv6: bool | None = None, state_dir: Path | None = None,
                 cache_size: int = 4096, epoch: int = 1, hostile: Hostility | None = None) -> None:
        self.manifest = manifest
        self.hostile = hostile or Hostility()  # the zero value: no transient faults
        self.ports = {"http": http_port, "https": https_port, "dns": dns_port}
        # None: listen on ::1 when this host has IPv6 loopback at all.
        self.ipv6 = has_ipv6_loopback() if ipv6 is None else ipv6
        self.state_dir = state_dir
        self.cache_size = cache_size
        self._epoch = epoch
        self.ca_pem: Path | None = None
        self._own_dir: Path | None = None
        self._runner: web.ServerRunner | None = None
        self._peekers: list[PeekingTlsListener] = []
        self._dns: DnsServer | None = None
        self.http_only_address: str | None = None  # where https.absent sites resolve (A)
        self.vhosts: VirtualHosts | None = None

    @property
    def http_port(self) -> int:
        return self.ports["http"]

    @property
    def epoch(self) -> int:
        return self.vhosts.epoch if self.vhosts is not None else self._epoch

    def set_epoch(self, n: int) -> None:
        """Serve epoch n (1 or 2) from the next request on: in epoch 2 every site has one
        more news item dated today, and redflag.backdated and redflag.tampered show."""
        if self.vhosts is not None:
            self.vhosts.set_epoch(n)
        elif n not in (1, 2):
            raise ValueError("epoch must be 1 or 2")
        self._epoch = n

    def set_today(self, day: dt.date) -> None:
        """Serve the sites as on day (content dates, sitemap and security.txt dates)."""
        if self.vhosts is None:
            raise RuntimeError("the farm is not serving yet")
        self.vhosts.set_today(day)

    @property
    def https_port(self) -> int:
        return self.ports["https"]

    @property
    def dns_port(self) -> int:
        return self.ports["dns"]

    async def start(self) -> None:
        t0 = time.perf_counter()
        now = dt.datetime.now(dt.UTC)
        state_dir = self.state_dir
        if state_dir is None:
            state_dir = self._own_dir = Path(tempfile.mkdtemp(prefix="mgov-farm-"))
        state_dir.mkdir(parents=True, exist_ok=True)
        certs = Certificates(now)
        absent = [s for s in self.manifest.sites if s.has("https.absent")]
        certs.add_sites([s for s in self.manifest.sites if not s.has("https.absent")])
        # Reached on 127.0.0.1 anyway (not through the farm's DNS), an HTTP-only site aborts
        # the handshake as https.none does: it has no certificate.
        certs.refused.update(n for s in absent for n in (s.host, s.twin))
        certs.add_names([*self.manifest.services, *PLATFORM_HOSTS])
        self.ca_pem = certs.write_ca(state_dir / "ca.pem")
        self.vhosts = VirtualHosts(self.manifest, today=now.date(), cache_size=self.cache_size,
                                   epoch=self._epoch, hostility=self.hostile)
        # The WeChat article lists an operator would supply, rewritten when the epoch or the day changes.
        if self.manifest.exports_dir is None:
            self.manifest.exports_dir = str(state_dir / "exports")
        self.vhosts.platforms.exports_dir = Path(self.manifest.exports_dir)
        self.vhosts.platforms.write_exports()
        server = web.Server(self.vhosts.handle, access_log=None)
        self._runner = web.ServerRunner(server, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        http4, http6 = bind_pair(self.ports["http"], self.ipv6)
        https4, https6 = bind_pair(self.ports["https"], self.ipv6)
        self.ports["http"] = http4.getsockname()[1]
        self.ports["https"] = https4.getsockname()[1]
        sites = [web.SockSite(self._runner, http4)]
        if http6 is not None:
            sites.append(web.SockSite(self._runner, http6))
        if absent:
            http_only = _bind_http_only(self.http_port)
            if http_only is not None:
                self.http_only_address = HTTP_ONLY_V4
                sites.append(web.SockSite(self._runner, http_only))
        vhosts = self.vhosts
        if vhosts.gate is None:
            sites.append(web.SockSite(self._runner, https4, ssl_context=certs.listener))
        else:  # the first-contact firewall sees the SNI before the handshake
            self._peekers.append(PeekingTlsListener(
                https4, certs.listener, server, lambda name: vhosts.tls_refused(name, v6=False)))
        for s in sites:
            await s.start()
        if https6 is not None:
            self._peekers.append(PeekingTlsListener(https6, certs.listener, server,
                                                    self.vhosts.v6_blocked))
        for peeker in self._peekers:
            peeker.start()
        seed = self.hostile.seed_or(self.manifest.seed)
        faults = DnsFaults(seed, self.hostile.dns_drop, self.hostile.dns_servfail)
        self._dns = DnsServer(build_zone(self.manifest, self.http_only_address), faults)
        self.ports["dns"] = await self._dns.start(self.ports["dns"])
        addresses = ["127.0.0.1"] + (["::1"] if self.ipv6 else [])
        options = {**self.hostile.options(self.manifest.seed),
                   "http_only_address": self.http_only_address}
        self.manifest.runtime = Runtime(
            http_port=self.http_port, https_port=self.https_port, dns_port=self.dns_port,
            ca_pem=str(self.ca_pem), addresses=addresses,
            started_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            startup_seconds=round(time.perf_counter() - t0, 3), options=options)

    async def stop(self) -> None:
        for peeker in self._peekers:
            peeker.close()
        self._peekers = []
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._dns is not None:
            await self._dns.stop()
            self._dns = None
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@dataclass
class RunningFarm:
    """A farm running in a background thread: where it listens, and client helpers."""

    manifest: Manifest
    http_port: int
    https_port: int
    dns_port: int
    ca_pem: Path
    addresses: tuple[str, ...]
    _farm: Farm | None = field(default=None, repr=False, compare=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False, compare=False)

    def _serving(self) -> Farm:
        if self._farm is None:
            raise RuntimeError("no farm behind this RunningFarm (run_in_thread makes them)")
        return self._farm

    def _farm_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("no farm loop behind this RunningFarm (run_in_thread makes them)")
        return self._loop

    @property
    def epoch(self) -> int:
        return self._serving().epoch

    def set_epoch(self, n: int) -> None:
        """Switch the farm to epoch n (1 or 2), on its own loop; returns once it serves it.
        Another process uses the control endpoint instead (client.set_epoch)."""
        farm, loop = self._serving(), self._farm_loop()

        async def switch() -> None:
            farm.set_epoch(n)

        asyncio.run_coroutine_threadsafe(switch(), loop).result(timeout=10)

    def set_today(self, day: dt.date) -> None:
        """Serve the sites as on day, on the farm's own loop; returns once it does."""
        farm, loop = self._serving(), self._farm_loop()

        async def switch() -> None:
            farm.set_today(day)

        asyncio.run_coroutine_threadsafe(switch(), loop).result(timeout=10)

    @property
    def exports_dir(self) -> Path:
        """Where the farm writes the WeChat article lists (the accounts' article_list files)."""
        return Path(self._serving().manifest.exports_dir or "")

    @property
    def port_map(self) -> dict[int, int]:
        """Standard port -> farm port, for clients that follow redirects to https://HOST/."""
        return {80: self.http_port, 443: self.https_port}

    @property
    def connect_to(self) -> list[str]:
        """The same as curl-style connect-to rules (HOST1:PORT1:HOST2:PORT2): any host,
        addresses from DNS, standard ports to the farm's."""
        return [f":80::{self.http_port}", f":443::{self.https_port}"]

    def ssl_context(self) -> Any:
        return client.ssl_context(self.ca_pem)

    def dns_resolver(self) -> Any:
        return client.dns_resolver(self.dns_port)


@contextlib.contextmanager
def run_in_thread(manifest: Manifest, **farm_options: Any) -> Iterator[RunningFarm]:
    """Run a Farm on its own event loop in a daemon thread; stop it on exit."""
    loop = asyncio.new_event_loop()
    farm = Farm(manifest, **farm_options)
    ready = threading.Event()
    failure: list[BaseException] = []

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(farm.start())
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(e)
            ready.set()
            loop.run_until_complete(farm.stop())
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(farm.stop())
        # Handlers of connections a client left open (a killed crawl) are still pending:
        # cancelled here, they end quietly instead of "Task was destroyed but it is pending".
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    thread = threading.Thread(target=main, name="mgov-demo-farm", daemon=True)
    thread.start()
    ready.wait()
    if failure:
        thread.join()
        raise failure[0]
    ca_pem = farm.ca_pem
    if ca_pem is None:  # start() writes it before it returns
        raise RuntimeError("the farm started without its CA certificate")
    try:
        yield RunningFarm(manifest, farm.http_port, farm.https_port, farm.dns_port, ca_pem,
                          ("127.0.0.1", "::1") if farm.ipv6 else ("127.0.0.1",), farm, loop)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)


def trim_tls_read_buffers(size: int = 32 * 1024) -> None:
    """Shrink asyncio's per-connection TLS read buffer, for a process that is the farm.

    asyncio gives every TLS connection a 256 KB buffer, zero-filled at once (SSLProtocol.
    max_size), so 3,000 open connections cost about 1 GB; with 32 KB (two full TLS records)
    they cost about 300 MB. It is process-wide, so only the standalone farm calls it.
    """
    if hasattr(asyncio.sslproto.SSLProtocol, "max_size"):
        asyncio.sslproto.SSLProtocol.max_size = size


def _bind_http_only(port: int) -> socket.socket | None:
    """HTTP on 127.0.0.2 at the farm's HTTP port, where nothing listens on the HTTPS port; None
    where that address cannot be bound (not every system routes all of 127/8 to loopback):
    the HTTP-only sites then resolve to 127.0.0.1 and abort the handshake like https.none."""
    try:
        return bind_one(HTTP_ONLY_V4, port)
    except OSError:
        return None


def has_ipv6_loopback() -> bool:
    """Whether ::1 can be bound here (some containers have no IPv6 at all)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False
