"""Loopback servers for the collect tests: a DNS server, HTTP/HTTPS virtual hosts, raw sockets.

Nothing here talks to anything but 127.0.0.1 and ::1. Names resolve only through the DNS
server started here; mgov reaches the servers through Routing, the same seam a scan uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
import tempfile
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import trustme
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext

T = TypeVar("T")
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def run(coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(timeout):
            return await coro
    return asyncio.run(bounded())


# --- DNS ----------------------------------------------------------------------------------

class DnsServer(asyncio.DatagramProtocol):
    """Answers from a zone {name: {"A": [...], "AAAA": [...], "CNAME": [target]}}; else NXDOMAIN.

    Names in `silent` get no answer at all (a resolver timeout).
    """

    def __init__(self, zone: dict[str, dict[str, list[str]]], silent: set[str] | None = None) -> None:
        self.zone = {k.lower(): v for k, v in zone.items()}
        self.silent = silent or set()
        self.transport: Any = None
        self.queries: list[tuple[str, str]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        query = dns.message.from_wire(data)
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        if name in self.silent:
            return
        response = dns.message.make_response(query)
        owner = question.name
        entry = self.zone.get(name)
        if entry is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        while entry is not None:
            if "CNAME" in entry and rdtype != "CNAME":
                target = entry["CNAME"][0]
                response.answer.append(dns.rrset.from_text(owner, 60, "IN", "CNAME", target + "."))
                owner = dns.name.from_text(target)
                entry = self.zone.get(target.lower())
                continue
            values = entry.get(rdtype, [])
            if values:
                response.answer.append(dns.rrset.from_text(owner, 60, "IN", rdtype, *values))
            break
        self.transport.sendto(response.to_wire(), addr)


@asynccontextmanager
async def dns_server(zone: dict[str, dict[str, list[str]]], silent: set[str] | None = None
                     ) -> AsyncIterator[tuple[DnsServer, str]]:
    """Yields the server and its "127.0.0.1:port" for Routing(dns=...)."""
    loop = asyncio.get_running_loop()
    proto = DnsServer(zone, silent)
    transport, _ = await loop.create_datagram_endpoint(lambda: proto, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    try:
        yield proto, f"127.0.0.1:{port}"
    finally:
        transport.close()


# --- certificates -------------------------------------------------------------------------

@dataclass
class Certs:
    ca: trustme.CA
    ca_pem: Path
    contexts: dict[str, ssl.SSLContext] = field(default_factory=dict)  # by SNI name
    default: ssl.SSLContext | None = None

    def server_context(self) -> ssl.SSLContext:
        """One server context that picks the certificate by SNI, like a shared host."""
        assert self.default is not None
        base = self.default

        def pick(sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
            if name and name.lower() in self.contexts:
                sock.context = self.contexts[name.lower()]
        base.sni_callback = pick
        return base


def leaf_context(pem: bytes, min_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if min_version is not None:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = min_version
    with tempfile.NamedTemporaryFile(suffix=".pem") as fh:
        fh.write(pem)
        fh.flush()
        ctx.load_cert_chain(fh.name)
    return ctx


def self_signed_pem(name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))


def make_certs(tmp: Path, names: list[str]) -> Certs:
    """Valid certificates for names, plus expired.test, selfsigned.test and wronghost.test."""
    ca = trustme.CA()
    ca_pem = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    certs = Certs(ca, ca_pem)
    for name in names:
        pem = ca.issue_cert(name).private_key_and_cert_chain_pem.bytes()
        certs.contexts[name] = leaf_context(pem)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    expired = ca.issue_cert("expired.test", not_before=past, not_after=past + dt.timedelta(days=90))
    certs.contexts["expired.test"] = leaf_context(expired.private_key_and_cert_chain_pem.bytes())
    certs.contexts["selfsigned.test"] = leaf_context(self_signed_pem("selfsigned.test"))
    certs.contexts["wronghost.test"] = leaf_context(
        ca.issue_cert("somebody-else.test").private_key_and_cert_chain_pem.bytes())
    certs.default = leaf_context(ca.issue_cert("default.test").private_key_and_cert_chain_pem.bytes())
    return certs


# --- servers ------------------------------------------------------------------------------

async def _start_dual(runner: web.AppRunner, ssl_context: ssl.SSLContext | None) -> int:
    """Serve on 127.0.0.1 and ::1 on one port, so `:80::PORT` rules work for both families."""
    for _ in range(20):
        v4 = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await v4.start()
        port = int(v4._server.sockets[0].getsockname()[1])
        try:
            await web.TCPSite(runner, "::1", port, ssl_context=ssl_context).start()
            return port
        except OSError:
            await v4.stop()
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


@asynccontextmanager
async def web_server(app: web.Application, ssl_context: ssl.SSLContext | None = None
                     ) -> AsyncIterator[int]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    try:
        yield await _start_dual(runner, ssl_context)
    finally:
        await runner.cleanup()


@asynccontextmanager
async def raw_server(handler: RawHandler, ssl_context: ssl.SSLContext | None = None
                     ) -> AsyncIterator[int]:
    """A bare asyncio server on 127.0.0.1 that can misbehave in ways aiohttp cannot."""
    tasks: set[asyncio.Task[None]] = set()

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()
            tasks.discard(task)

    server = await asyncio.start_server(guarded, "127.0.0.1", 0, ssl=ssl_context)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST instead of a FIN (SO_LINGER 0)."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()


def context(tmp: Path | None, dns: str | None, rules: list[str], *, allow_private: bool = True,
            ca: Path | None = None, **settings: Any) -> CollectContext:
    routing = Routing.from_options(connect_to=rules, dns=dns, ca_bundle=ca, allow_private=allow_private)
    return CollectContext.create(tmp, settings=CollectSettings(**settings), routing=routing)


async def enter(stack: AsyncExitStack, cm: Any) -> Any:
    return await stack.enter_async_context(cm)


# --- a small farm of virtual hosts ---------------------------------------------------------

GOOD = ["good.test", "www.good.test", "v4only.test", "cdn.test", "malformed.test"]
BAD_TLS = ["expired.test", "selfsigned.test", "wronghost.test"]
GBK_PAGE = "<html><head><title>中华人民共和国政府网站</title></head><body>政务公开</body></html>"
HOME = """<!doctype html><html><head><meta charset="utf-8"><title>Good</title>
<link rel="stylesheet" href="/static/site.css"><link rel="icon" href="/favicon.ico">
<script src="https://cdn.test/static/lib.js"></script></head>
<body><img src="http://good.test/static/logo.png"><img src="data:image/png;base64,AAAA">
<iframe src="//cdn.test/static/frame.html"></iframe><script src="/static/site.css"></script>
<a href="/not-a-resource">x</a></body></html>"""
MALFORMED = ("<html><head><title>broken</title><body><div <<<p>>> <img src=/static/b.png>"
             "<table><tr><td>unclosed<iframe src=\"/static/c.html\"></iframe><p><b><i>misnested"
             "</b></i><img src='/static/b.png'><script src='/static/a.js'>\x00\xff</html></html></div>")


async def farm_handler(request: web.Request) -> web.StreamResponse:
    host = (request.host or "").split(":")[0].strip("[]").lower()
    path = request.path
    tls = request.secure
    if path.startswith("/loop/"):
        raise web.HTTPFound("/loop/b" if path.endswith("a") else "/loop/a")
    if path.startswith("/hop/"):
        raise web.HTTPFound(f"/hop/{int(path.rsplit('/', 1)[1]) + 1}")
    if path == "/gbk":
        return web.Response(body=GBK_PAGE.encode("gbk"), headers={"Content-Type": "text/html"})
    if path.startswith("/static/"):
        headers = {"Content-Type": "text/css" if path.endswith(".css") else "application/octet-stream"}
        if host == "cdn.test":
            headers["Set-Cookie"] = "track=1; Path=/; SameSite=None; Secure"
        return web.Response(body=f"{host}{path}".encode(), headers=headers)
    if path == "/robots.txt" and host in ("good.test", "www.good.test"):
        return web.Response(text="User-agent: *\nDisallow:\n")
    if path != "/":
        raise web.HTTPNotFound()
    if host == "good.test" and not tls:
        raise web.HTTPMovedPermanently("https://good.test/")
    if host == "malformed.test":
        return web.Response(body=MALFORMED.encode("latin-1"), headers={"Content-Type": "text/html"})
    return web.Response(text=HOME, content_type="text/html")


def farm_app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", farm_handler)
    return app


@dataclass
class Lab:
    ctx: CollectContext
    dns: DnsServer
    dns_addr: str
    http_port: int
    https_port: int
    certs: Certs
    archive: Path
    raw_ports: dict[str, int]
    rules: list[str] = field(default_factory=list)

    def routing(self, *, allow_private: bool = True, **options: Any) -> Routing:
        rules = list(self.rules) + [f"{h}::127.0.0.1:{p}" for h, p in self.raw_ports.items()]
        rules += [f":80::{self.http_port}", f":443::{self.https_port}"]
        return Routing.from_options(connect_to=rules, dns=self.dns_addr, ca_bundle=self.certs.ca_pem,
                                    allow_private=allow_private, **options)


@asynccontextmanager
async def lab(tmp: Path, *, raw: dict[str, RawHandler] | None = None,
              zone: dict[str, dict[str, list[str]]] | None = None, silent: set[str] | None = None,
              allow_private: bool = True, rules: list[str] | None = None,
              **settings: Any) -> AsyncIterator[Lab]:
    """The farm on loopback, hostile raw servers for the names in raw, and a CollectContext."""
    async with AsyncExitStack() as stack:
        certs = make_certs(tmp, GOOD)
        http_port = await enter(stack, web_server(farm_app()))
        https_port = await enter(stack, web_server(farm_app(), certs.server_context()))
        raw_ports = {h: await enter(stack, raw_server(handler)) for h, handler in (raw or {}).items()}
        records = {n: {"A": ["127.0.0.1"], "AAAA": ["::1"]} for n in GOOD + BAD_TLS}
        records["v4only.test"] = {"A": ["127.0.0.1"]}
        records["alias.test"] = {"CNAME": ["good.test"]}
        records["plain.test"] = records["www.plain.test"] = {"A": ["127.0.0.1"], "AAAA": ["::1"]}
        records.update({h: {"A": ["127.0.0.1"]} for h in raw_ports})
        records.update(zone or {})
        proto, dns_addr = await enter(stack, dns_server(records, silent))
        probe = Lab(None, proto, dns_addr, http_port, https_port, certs, tmp / "warc",
                    raw_ports, list(rules or []))
        routing = probe.routing(allow_private=allow_private)
        probe.ctx = CollectContext.create(tmp / "warc", settings=CollectSettings(**settings),
                                          routing=routing)
        stack.push_async_callback(probe.ctx.aclose)
        yield probe
