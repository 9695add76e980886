"""The one HTTP client of a scan (aiohttp, chosen by bench/http_client.py; docs/benchmarks.md).

Every request goes to an address mgov chose itself: the URL's host is routed (connect-to),
resolved through dnspython, filtered by address family and passed through the SSRF guard,
and aiohttp is handed that IP literal with the original Host header and TLS server name.
So nothing connects anywhere mgov did not check, and pooled TLS connections are keyed by
server name as well as address (aiohttp's ConnectionKey), never shared across sites.

Redirects are followed here, not by aiohttp, so that every hop is an Exchange with its own
WARC records, loops are told from long chains, and each hop passes the guard again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import functools
import os
import ssl
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Literal, TypeVar, overload

import aiohttp
from yarl import URL

from mgov.collect.body import BodyDecoder, decode_body, is_text, supported_encodings
from mgov.collect.failure import CollectFailure, classify
from mgov.collect.lag import LoopLag
from mgov.collect.pace import make_pacer
from mgov.collect.resolver import Resolver
from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings, Family
from mgov.collect.siteclock import SITE_CLOCK
from mgov.collect.sitevisit import SITE_VISIT, SiteVisit
from mgov.collect.tls import read_certificate
from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.evidence.budget import within_budget
from mgov.evidence.exchange import Exchange, Fetch, ScanStatus

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Set (fresh_connections()) while a verdict is re-checked: it must not ride on a pooled
# connection of the attempt that failed.
FRESH: contextvars.ContextVar[bool] = contextvars.ContextVar("mgov_fresh_connections", default=False)
OFF_LOOP_BYTES = 256 * 1024  # bodies larger than this are decoded in a thread
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# A decoded certificate's values (typeshed's ssl._PeerCertRetDictType, private there).
_CertValue = str | tuple[tuple[str, str], ...] | tuple[tuple[tuple[str, str], ...], ...]
_T = TypeVar("_T")


class _PeerCert(dict[str, _CertValue]):
    """SSLObject.getpeercert()'s dict, decoded when first read.

    asyncio decodes every new connection's certificate into this dict (transport extra
    "peercert") whether or not anyone reads it; neither aiohttp nor mgov does (they read the
    DER form). That decoding was the largest single cost on a scan's event loop (about an
    eighth of its Python time), so it waits here until something asks."""

    def __init__(self, sslobj: ssl.SSLObject) -> None:
        super().__init__()
        self._sslobj: ssl.SSLObject | None = sslobj

    def _fill(self) -> None:
        if self._sslobj is not None:
            sslobj, self._sslobj = self._sslobj, None
            self.update(ssl.SSLObject.getpeercert(sslobj) or {})

    def __getitem__(self, key: str) -> _CertValue:
        self._fill()
        return super().__getitem__(key)

    @overload
    def get(self, key: str, default: None = None, /) -> _CertValue | None: ...
    @overload
    def get(self, key: str, default: _CertValue, /) -> _CertValue: ...
    @overload
    def get(self, key: str, default: _T, /) -> _CertValue | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        self._fill()
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        self._fill()
        return super().__eq__(other)

    __hash__ = None

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()

    def keys(self) -> dict_keys[str, _CertValue]:
        self._fill()
        return super().keys()

    def values(self) -> dict_values[str, _CertValue]:
        self._fill()
        return super().values()

    def items(self) -> dict_items[str, _CertValue]:
        self._fill()
        return super().items()

    def copy(self) -> dict[str, _CertValue]:
        self._fill()
        return dict(self.items())


class _SSLObject(ssl.SSLObject):
    @overload
    def getpeercert(self, binary_form: Literal[False] = False) -> dict[str, _CertValue] | None: ...
    @overload
    def getpeercert(self, binary_form: Literal[True]) -> bytes | None: ...
    @overload
    def getpeercert(self, binary_form: bool) -> dict[str, _CertValue] | bytes | None: ...
    def getpeercert(self, binary_form: bool = False) -> dict[str, _CertValue] | bytes | None:
        if binary_form:
            return super().getpeercert(True)
        if super().getpeercert(True) is None:  # no certificate (yet): as the base class says
            return super().getpeercert()
        return _PeerCert(self)


def make_ssl_context(routing: Routing) -> ssl.SSLContext:
    """The system trust store, plus the routing's CA bundle (the demo farm's throwaway CA).
    Shared by the clients that trust the same (loading the system store costs about 20 ms
    of CPU, paid by every run, probe round and crawl otherwise); a bundle changed on disk
    makes a new one. Client contexts keep no sessions: sharing one changes nothing on the wire."""
    if routing.ca_bundle is None:
        return _trusting(None, None)
    try:
        seen = os.stat(routing.ca_bundle)
    except OSError:
        seen = None  # load_verify_locations says what is wrong with it
    stamp = (seen.st_mtime_ns, seen.st_size, seen.st_ino) if seen is not None else None
    return _trusting(str(routing.ca_bundle), stamp)


@functools.lru_cache(maxsize=16)
def _trusting(ca_bundle: str | None, _stamp: tuple[int, int, int] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.sslobject_class = _SSLObject  # the certificate dict is decoded only when read
    if ca_bundle is not None:
        ctx.load_verify_locations(cafile=ca_bundle)
    return ctx


@dataclass
class _Wire:
    """What went over the wire, kept as it arrives so a failure half-way is still archived."""

    ip: str | None = None
    port: int | None = None
    request_head: bytes = b""
    response_head: bytes = b""
    raw: bytearray = field(default_factory=bytearray)
    chunked: bool = False
    truncated: str | None = None
    decoder: BodyDecoder | None = None
    date: dt.datetime | None = None  # when the request started: the records' WARC-Date
    # perf_counter() when name resolution began, the connection began, the response head
    # came, and the body's last byte (decoding it off the loop is mgov's time, not the site's).
    resolving: float | None = None
    connecting: float | None = None
    head: float | None = None
    received: float | None = None
    _frozen: bytes | None = None

    def body(self) -> bytes:
        """The raw body as bytes, copied once and shared by the evidence and the archive."""
        if self._frozen is None or len(self._frozen) != len(self.raw):
            self._frozen = bytes(self.raw)
        return self._frozen


def _header_text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")  # RFC 9110's historical charset for field values


def _host_header(url: URL) -> str:
    host = url.raw_host or ""
    host = f"[{host}]" if ":" in host else host
    return host if url.is_default_port() else f"{host}:{url.port}"


class HttpClient:
    """Shared by all collectors of a scan: global and per-host limits, caps, archive."""

    def __init__(self, settings: CollectSettings, routing: Routing, *,
                 resolver: Resolver | None = None, warc: WarcWriter | None = None) -> None:
        self.settings = settings
        self.routing = routing
        self.resolver = resolver or Resolver(routing, settings)
        self.warc = warc
        self.ssl_context = make_ssl_context(routing)
        self._insecure: ssl.SSLContext | None = None  # for tls_fallback only
        self._session: aiohttp.ClientSession | None = None
        self._fresh: aiohttp.ClientSession | None = None  # no pool: every request on a new connection
        self._global = asyncio.Semaphore(settings.global_limit)
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_limit))
        self.pacer = make_pacer(settings.shared_limits)  # the same limits across a cluster's workers
        self.lag = LoopLag()  # timings leave out the time mgov's own loop ran late

    def _get_session(self) -> aiohttp.ClientSession:
        # Made on first use: aiohttp sessions belong to the running event loop. Inside
        # fresh_connections() the requests go through a session that keeps no connection.
        fresh = FRESH.get()
        session = self._fresh if fresh else self._session
        if session is None:
            session = self._new_session(fresh)
            if fresh:
                self._fresh = session
            else:
                self._session = session
        return session

    def _new_session(self, fresh: bool) -> aiohttp.ClientSession:
        s = self.settings
        return aiohttp.ClientSession(
            # mgov's semaphores are the only queue; the pool only keeps connections.
            connector=aiohttp.TCPConnector(limit=0, ssl=self.ssl_context, use_dns_cache=False,
                                           keepalive_timeout=None if fresh else s.keepalive_timeout,
                                           force_close=fresh),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=s.connect_timeout, sock_read=s.read_timeout),
            cookie_jar=aiohttp.DummyCookieJar(),  # cookies live per Fetch, not per scan
            auto_decompress=False, trust_env=False, max_line_size=s.max_header_line,
            max_field_size=s.max_header_line)

    async def aclose(self) -> None:
        await self.lag.stop()
        await self.pacer.aclose()
        for session in (self._session, self._fresh):
            if session is not None:
                await session.close()
        self._session = self._fresh = None

    async def fetch(self, url: str, *, family: Family | None = None, follow: bool = True,
                    method: str = "GET", accept: str | None = None, cap: int | None = None) -> Fetch:
        """GET url and follow its redirects (each hop an Exchange); never raises. accept: the
        Accept header instead of a browser's (an API's JSON, ActivityPub's media type); cap:
        bytes of the body kept (default: the settings' body_cap)."""
        result = Fetch(start_url=url)
        jar = aiohttp.CookieJar(unsafe=True)
        seen: set[tuple[str, str]] = set()
        current = url
        while True:
            cookie = _cookie_header(jar, current)
            key = (_loop_key(current), cookie)
            if key in seen:  # same URL with the same cookies: it will answer the same
                result.error = ScanStatus.REDIRECT_LOOP
                result.error_detail = f"redirect loop: back to {current}"
                return result
            seen.add(key)
            if len(result.exchanges) > self.settings.redirect_cap:
                result.error = ScanStatus.TOO_MANY_REDIRECTS
                result.error_detail = f"more than {self.settings.redirect_cap} redirects"
                return result
            ex = await self.exchange(current, family=family, method=method, cookie=cookie, accept=accept, cap=cap)
            result.exchanges.append(ex)
            _store_cookies(jar, ex)
            location = ex.header("Location")
            if not follow or ex.error or ex.status not in REDIRECTS or not location:
                return result
            try:
                nxt = URL(current).join(URL(location.strip()))
            except ValueError as exc:
                result.error, result.error_detail = ScanStatus.HTTP_ERROR, f"bad Location {location!r}: {exc}"
                return result
            if nxt.scheme not in ("http", "https") or not nxt.raw_host:
                result.error = ScanStatus.HTTP_ERROR
                result.error_detail = f"redirect to a non-HTTP URL: {location[:200]}"
                return result
            current = str(nxt.with_fragment(None))
            if ex.status == 303:
                method = "GET"

    async def exchange(self, url: str, *, family: Family | None = None, method: str = "GET",
                       cookie: str = "", accept: str | None = None, cap: int | None = None) -> Exchange:
        """One request and its response (no redirects followed); never raises. Within a site's
        visit (collect.sitevisit) an identical request is made once, and a host's exchanges
        go one at a time over one connection."""
        visit = SITE_VISIT.get()
        if visit is None:
            return await self._one(url, family, method, cookie, accept, cap)
        fam = family or self.routing.family
        if cookie:
            return await self._in_turn(visit, url, fam, method, cookie, accept, cap)
        return await visit.once((url, method, fam.value, accept, cap),
                                lambda: self._in_turn(visit, url, fam, method, cookie, accept, cap))

    async def _in_turn(self, visit: SiteVisit, url: str, family: Family, method: str, cookie: str,
                       accept: str | None, cap: int | None) -> Exchange:
        try:
            target = URL(url)
            key = (target.scheme, (target.raw_host or "").lower(), target.port or 0, family.value)
        except ValueError:
            return await self._one(url, family, method, cookie, accept, cap)  # it records the error
        return await visit.in_turn(key, lambda: self._one(url, family, method, cookie, accept, cap))

    async def _one(self, url: str, family: Family | None, method: str, cookie: str,
                   accept: str | None, cap: int | None) -> Exchange:
        ex = Exchange(url=url, method=method)
        try:
            target = URL(url)
            if target.scheme not in ("http", "https") or not target.raw_host:
                raise ValueError("not an http(s) URL with a host")
        except ValueError as exc:
            ex.error, ex.error_detail = ScanStatus.UNKNOWN_ERROR, f"invalid URL {url!r}: {exc}"
            return ex
        wire = _Wire(date=dt.datetime.now(dt.UTC))
        host = target.raw_host.lower()
        self.lag.start()
        clock = SITE_CLOCK.get()  # a crawl's budget: charged from here, the slots held, not before
        # The host's slot first: a task queued behind a busy host must not hold a global slot.
        async with self._per_host[host], self.pacer.lease(f"host:{host}", self.settings.per_host_limit), \
                self._global:
            if clock is not None:
                clock.start()
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    try:
                        await self._exchange(ex, target, family or self.routing.family, cookie, wire, accept, cap)
                    except Exception as exc:
                        if ex.status is not None or classify(exc)[0] is not ScanStatus.CONNECTION_RESET:
                            raise
                        # Reset before any answer: tried once more at once, over a new connection,
                        # as a visitor would (some firewalls drop a first connection); never on
                        # another pooled one, which the server may have closed as well.
                        wire = _Wire(date=dt.datetime.now(dt.UTC))
                        with fresh_connections():
                            await self._exchange(ex, target, family or self.routing.family, cookie, wire,
                                                 accept, cap)
            except Exception as exc:  # noqa: BLE001 -- record, report, continue (CancelledError propagates)
                ex.error, ex.error_detail = classify(exc)
                if ex.error is ScanStatus.TIMEOUT:
                    if not isinstance(exc, aiohttp.ServerTimeoutError):  # ours, not a read/connect one
                        ex.error_detail = f"no complete response within {self.settings.total_timeout:g} s"
                    wire.truncated = wire.truncated or "time"
                elif ex.status is not None:
                    wire.truncated = wire.truncated or "disconnect"
                if ex.status is not None:
                    _finish_body(ex, wire)  # keep what arrived: checks may still use it
            finally:
                self._timings(ex, wire, time.perf_counter())
                if clock is not None:
                    clock.stop(wire.received)
            # Archived while the slots are held: the writer's queue can then never hold more
            # than global_limit bodies, whatever the number of sites in flight.
            if self.warc is not None and ex.status is not None:
                ex.request_ref, ex.response_ref = await self.warc.write(HttpCapture(
                    url=str(target), request_head=wire.request_head,
                    response_head=wire.response_head, body=wire.body(), ip=wire.ip,
                    chunked=wire.chunked, truncated=wire.truncated,
                    date=wire.date or dt.datetime.now(dt.UTC)))
        return ex

    def _timings(self, ex: Exchange, wire: _Wire, end: float) -> None:
        """The exchange's times from its own stopwatch marks, less the stall the loop was in
        when each awaited answer came (see collect.lag); lag_ms: its whole lateness."""
        def span(start: float | None, stop: float | None) -> float | None:
            if start is None or stop is None:
                return None
            return round(max(0.0, stop - start - self.lag.stall_before(stop)) * 1000, 1)

        begun = wire.connecting if wire.connecting is not None else wire.resolving
        ex.elapsed_ms = span(begun, end)
        ex.ttfb_ms = span(wire.connecting, wire.head)
        ex.dns_ms = span(wire.resolving, wire.connecting)
        if begun is not None:
            ex.lag_ms = round(self.lag.late_between(begun, end) * 1000, 1)

    async def _connect(self, ex: Exchange, target: URL, family: Family, headers: dict[str, str],
                       wire: _Wire) -> aiohttp.ClientResponse:
        port = target.port or (443 if target.scheme == "https" else 80)
        host = target.raw_host or ""
        wire.resolving = time.perf_counter()
        addresses = await self.resolver.targets(host, port, family)  # never empty: it raises instead
        wire.connecting = time.perf_counter()
        failure = CollectFailure(ScanStatus.DNS_ERROR, f"{host}: no address to connect to")
        for ip, to_port in addresses[:max(1, self.settings.max_addresses)]:
            wire.ip, wire.port = ip, to_port
            where = f"{ip}:{to_port}" if ":" not in ip else f"[{ip}]:{to_port}"
            try:
                return await self._send(ex.method, target, ip, to_port, headers, self.ssl_context)
            except aiohttp.ClientConnectorCertificateError as exc:
                _, detail = classify(exc)
                if not self.settings.tls_fallback:
                    raise CollectFailure(ScanStatus.TLS_INVALID, f"{detail} ({where})") from exc
                ex.tls_error = detail  # the site's certificate: the same at every address
                return await self._send(ex.method, target, ip, to_port, headers,
                                        self._unverified_context())
            except aiohttp.ClientSSLError as exc:
                status, detail = classify(exc)
                raise CollectFailure(status, f"{detail} ({where})") from exc
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                status, detail = classify(exc)  # this address does not answer: try the next
                failure = CollectFailure(status, f"{detail} ({where})")
        raise failure

    async def _send(self, method: str, target: URL, ip: str, port: int, headers: dict[str, str],
                    context: ssl.SSLContext) -> aiohttp.ClientResponse:
        tls = target.scheme == "https"
        return await self._get_session().request(
            method, target.with_host(ip).with_port(port), headers=headers, allow_redirects=False,
            ssl=context, server_hostname=(target.raw_host or "").rstrip(".") if tls else None)

    def _unverified_context(self) -> ssl.SSLContext:
        if self._insecure is None:
            self._insecure = ssl.create_default_context()
            self._insecure.check_hostname = False
            self._insecure.verify_mode = ssl.CERT_NONE
        return self._insecure

    async def _exchange(self, ex: Exchange, target: URL, family: Family, cookie: str,
                        wire: _Wire, accept: str | None = None, cap: int | None = None) -> None:
        s = self.settings
        body_cap = cap or s.body_cap
        headers = {"Host": _host_header(target), "User-Agent": s.user_agent, "Accept": accept or ACCEPT,
                   "Accept-Encoding": ", ".join(supported_encodings())}
        if s.accept_language:
            headers["Accept-Language"] = s.accept_language
        if cookie:
            headers["Cookie"] = cookie
        resp = await self._connect(ex, target, family, headers, wire)
        wire.head = time.perf_counter()
        complete = False
        try:
            visit = SITE_VISIT.get()
            if visit is not None and visit.tls_hosts and target.scheme == "https" and ex.tls_error is None:
                _keep_tls(visit, target, resp, wire)
            ex.peer = wire.ip
            ex.status, ex.reason = resp.status, resp.reason
            ex.http_version = f"HTTP/{resp.version.major}.{resp.version.minor}" if resp.version else None
            ex.headers = [(_header_text(k), _header_text(v)) for k, v in resp.raw_headers]
            wire.request_head = _request_head(ex.method, target, resp)
            wire.response_head = (f"{ex.http_version or 'HTTP/1.1'} {resp.status} {resp.reason or ''}"
                                  .encode("latin-1", "replace") + b"\r\n"
                                  + b"".join(k + b": " + v + b"\r\n" for k, v in resp.raw_headers)
                                  + b"\r\n")
            wire.chunked = "chunked" in (ex.header("Transfer-Encoding") or "").lower()
            wire.decoder = BodyDecoder(ex.header("Content-Encoding"), body_cap, s.max_ratio,
                                       s.ratio_floor)
            complete = await _read_body(resp, wire.decoder, wire, body_cap)
            wire.received = time.perf_counter()
            if len(wire.raw) > OFF_LOOP_BYTES:
                # Decoding and bounding a large page is CPU work: not on the loop other sites share.
                await asyncio.to_thread(_finish_body, ex, wire)
            else:
                _finish_body(ex, wire)
        finally:
            if complete:
                resp.release()  # the connection goes back to the pool
            else:
                resp.close()  # unread bytes left: the connection cannot be reused


def _keep_tls(visit: SiteVisit, target: URL, resp: aiohttp.ClientResponse, wire: _Wire) -> None:
    """Leave this verified connection's TLS facts to the visit's TLS probe (see sitevisit)."""
    host = (target.raw_host or "").lower().rstrip(".")
    if host not in visit.tls_hosts or host in visit.tls or wire.ip is None or wire.port is None:
        return
    # The response's protocol, not resp.connection: aiohttp hands a short response's
    # connection back to the pool before the head is returned. Without it (another aiohttp,
    # a connection already closed) the probe simply shakes hands itself.
    protocol = getattr(resp, "_protocol", None)
    transport = getattr(protocol, "transport", None)
    sslobj = transport.get_extra_info("ssl_object") if isinstance(transport, asyncio.Transport) else None
    if isinstance(sslobj, ssl.SSLObject):
        visit.keep_tls(host, wire.ip, wire.port, lambda facts: read_certificate(facts, sslobj))


@contextlib.contextmanager
def fresh_connections() -> Iterator[None]:
    """Every request made inside (tasks started inside included) goes over a new connection."""
    token = FRESH.set(True)
    try:
        yield
    finally:
        FRESH.reset(token)


def _finish_body(ex: Exchange, wire: _Wire) -> None:
    """Fill the Exchange's body, text and verdict from what was read (all or part)."""
    decoder = wire.decoder
    usable = decoder is not None and decoder.supported and decoder.error is None
    ex.body = bytes(decoder.out) if decoder is not None and usable and decoder.decodes else wire.body()
    ex.truncated = wire.truncated is not None or (decoder is not None and (
        decoder.truncated or decoder.bomb is not None))
    if decoder is not None and ex.error is None:
        if decoder.bomb:
            ex.error, ex.error_detail = ScanStatus.TOO_LARGE, decoder.bomb
        elif decoder.error:
            ex.error, ex.error_detail = ScanStatus.HTTP_ERROR, decoder.error
    content_type = ex.header("Content-Type")
    if usable and is_text(content_type, ex.body):
        # The text as the bytes really are; what the page declares, and whether browsers
        # following it show garbled text, go to the evidence (page.encoding judges them).
        ex.text, facts = decode_body(ex.body, content_type, ex.truncated)
        ex.charset, ex.declared_charset, ex.charset_declared_in = facts.charset, facts.declared, facts.declared_in
        ex.charset_labels, ex.charset_mismatch, ex.charset_errors = dict(facts.labels), facts.mismatch, facts.errors
        if "html" in (content_type or "text/html").lower():
            # Markup deeper than browsers build is flattened for every parser after this one.
            ex.text, ex.flattened = within_budget(ex.text)


async def _read_body(resp: aiohttp.ClientResponse, decoder: BodyDecoder, wire: _Wire,
                     cap: int) -> bool:
    """Read up to the cap, decoding as it comes; True when the body was read to its end."""
    if resp.method == "HEAD" or resp.status in (204, 304) or resp.status < 200:
        return True
    while True:
        chunk = await resp.content.readany()
        if not chunk:
            return True
        room = cap - len(wire.raw)
        wire.raw += chunk[:room]
        decoder.feed(chunk[:room])
        if len(chunk) > room:
            wire.truncated = "length"
            return False
        if decoder.done:
            wire.truncated = "length" if decoder.truncated or decoder.bomb else None
            return False


def _request_head(method: str, target: URL, resp: aiohttp.ClientResponse) -> bytes:
    lines = [f"{method} {target.raw_path_qs or '/'} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in resp.request_info.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _loop_key(url: str) -> str:
    try:
        return str(URL(url).with_fragment(None))
    except ValueError:
        return url


def _cookie_header(jar: aiohttp.CookieJar, url: str) -> str:
    try:
        found = jar.filter_cookies(URL(url))
    except ValueError:
        return ""
    return "; ".join(f"{m.key}={m.coded_value}" for m in found.values())


def _store_cookies(jar: aiohttp.CookieJar, ex: Exchange) -> None:
    for value in ex.header_all("Set-Cookie"):
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(value)
            jar.update_cookies(cookie, response_url=URL(ex.url))
        except (CookieError, ValueError):
            continue  # a malformed cookie is the site's problem, not the fetch's

