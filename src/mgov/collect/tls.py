"""TLS facts through the ssl module: one verifying handshake, and a non-verifying one to read
the certificate when verification fails, plus one handshake per old protocol version.

The handshakes go to the address routing and the SSRF guard chose, with the site's name as
SNI, exactly as an HTTPS fetch would.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import ssl
import warnings
from collections.abc import Callable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from mgov.collect.failure import CollectFailure, classify
from mgov.collect.resolver import Resolver
from mgov.collect.routing import parse_ip
from mgov.collect.settings import CollectSettings
from mgov.evidence.exchange import ScanStatus, TlsFacts

PROTOCOLS: dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}
DEFAULT_PROBES = ("TLSv1", "TLSv1.1")


@functools.cache
def _unverified_context(version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """Made once per version: building a context (and its cipher list) cost more CPU than
    the refused handshake it is used for. Client contexts keep no sessions, so sharing one
    changes nothing on the wire."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if version is not None:
        # Old versions need security level 0, or OpenSSL 3 refuses them before asking.
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():  # deprecated on purpose: finding them is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ctx.maximum_version = version
    return ctx


def hostname_matches(host: str, dns_names: Sequence[str], ip_names: Sequence[str]) -> bool:
    """RFC 6125 matching: exact names, or a wildcard for the left-most label only."""
    ip = parse_ip(host)
    if ip is not None:
        return any(parse_ip(x) == ip for x in ip_names)
    host = host.lower().rstrip(".")
    for pattern in (p.lower().rstrip(".") for p in dns_names):
        if pattern == host:
            return True
        if pattern.startswith("*.") and "." in host and host.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def _chain_pem(sslobj: ssl.SSLObject) -> list[str]:
    # Python 3.13 made get_unverified_chain public; 3.10-3.12 have it on the C object.
    getter = getattr(sslobj, "get_unverified_chain", None) or getattr(
        getattr(sslobj, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        with contextlib.suppress(Exception):
            chain = getter() or []
            return [x if isinstance(x, str) else x.public_bytes() for x in chain]
    der = sslobj.getpeercert(binary_form=True)
    return [ssl.DER_cert_to_PEM_cert(der)] if der else []


def read_certificate(facts: TlsFacts, sslobj: ssl.SSLObject) -> None:
    facts.protocol = sslobj.version()
    cipher = sslobj.cipher()
    facts.cipher = cipher[0] if cipher else None
    facts.chain_pem = _chain_pem(sslobj)
    der = sslobj.getpeercert(binary_form=True)
    if not der:
        return
    cert = x509.load_der_x509_certificate(der)
    facts.not_before, facts.not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    facts.subject, facts.issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    dns_names: list[str] = []
    ip_names: list[str] = []
    with contextlib.suppress(x509.ExtensionNotFound):
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = san.get_values_for_type(x509.DNSName)
        ip_names = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)
                    if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address)]
    facts.san = dns_names + ip_names
    facts.hostname_match = hostname_matches(facts.host, dns_names, ip_names)
    facts.self_signed = cert.subject == cert.issuer and _signs_itself(cert)
    if not facts.chain_pem:
        facts.chain_pem = [cert.public_bytes(Encoding.PEM).decode("ascii")]


def _copy_certificate(source: TlsFacts, facts: TlsFacts) -> None:
    """What read_certificate read from another connection to the same address."""
    for name in ("protocol", "cipher", "not_before", "not_after", "subject", "issuer",
                 "hostname_match", "self_signed"):
        setattr(facts, name, getattr(source, name))
    facts.san, facts.chain_pem = list(source.san), list(source.chain_pem)


def _signs_itself(cert: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # noqa: BLE001 -- whatever the reason, it does not sign itself
        return False
    return True


async def _handshake(ip: str, port: int, host: str, ctx: ssl.SSLContext, timeout: float,
                     facts: TlsFacts | None = None) -> None:
    """Connect and shake hands; read the certificate into facts when given."""
    async with asyncio.timeout(timeout):
        _, writer = await asyncio.open_connection(
            ip, port, ssl=ctx, server_hostname=host.rstrip(".") if parse_ip(host) is None else None,
            ssl_handshake_timeout=timeout)
    try:
        if facts is not None:
            sslobj = writer.get_extra_info("ssl_object")
            if isinstance(sslobj, ssl.SSLObject):
                read_certificate(facts, sslobj)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1)


async def _handshake_again_if_reset(ip: str, port: int, host: str, ctx: ssl.SSLContext, timeout: float,
                                    facts: TlsFacts) -> None:
    """A connection reset before the handshake is through is tried once more, at once, as a
    browser's user would: some firewalls drop a first connection (a retry is what a visitor
    makes; a reset seen twice is the site's)."""
    try:
        await _handshake(ip, port, host, ctx, timeout, facts)
    except (OSError, ssl.SSLError) as exc:
        if classify(exc)[0] is not ScanStatus.CONNECTION_RESET:
            raise
        await _handshake(ip, port, host, ctx, timeout, facts)


async def probe_tls(host: str, port: int, *, resolver: Resolver, settings: CollectSettings,
                    context: ssl.SSLContext, probes: Sequence[str] = DEFAULT_PROBES,
                    seen: Callable[[str, int], TlsFacts | None] | None = None) -> TlsFacts:
    """Certificate and protocol facts of host:port; failures recorded, never raised.

    context is the verifying context fetches use (system store plus the routing's CA).
    seen(ip, port): the facts of a verified handshake a fetch already made with context to
    that address (collect.sitevisit), or None; given, no handshake is repeated for them.
    """
    facts = TlsFacts(host=host, port=port)
    try:
        targets = await resolver.targets(host, port, resolver.routing.family)
    except CollectFailure as exc:
        facts.error, facts.error_detail = exc.status, exc.detail
        return facts
    ip, to_port = targets[0]
    facts.peer = ip
    timeout = settings.tls_timeout
    known = seen(ip, to_port) if seen is not None else None
    try:
        if known is not None:
            _copy_certificate(known, facts)
        else:
            await _handshake_again_if_reset(ip, to_port, host, context, timeout, facts)
        facts.verified = True
    except ssl.SSLCertVerificationError as exc:
        facts.verify_error = exc.verify_message or str(exc)
        try:
            await _handshake(ip, to_port, host, _unverified_context(), timeout, facts)
        except Exception as exc2:  # noqa: BLE001 -- record, report, continue
            facts.error, facts.error_detail = classify(exc2)
    except Exception as exc:  # noqa: BLE001 -- record, report, continue
        facts.error, facts.error_detail = classify(exc)
        if facts.error is ScanStatus.UNKNOWN_ERROR and isinstance(exc, ssl.SSLError):
            facts.error = ScanStatus.TLS_INVALID
    if facts.error is None:
        results = await asyncio.gather(*(_accepts(ip, to_port, host, name, timeout)
                                         for name in probes))
        facts.accepted_protocols = {n: ok for n, ok in zip(probes, results, strict=True)
                                    if ok is not None}
    return facts


async def _accepts(ip: str, port: int, host: str, name: str, timeout: float) -> bool | None:
    """Whether the server completes a handshake offered this version alone (None: cannot tell)."""
    try:
        ctx = _unverified_context(PROTOCOLS[name])
    except (ValueError, ssl.SSLError, KeyError):
        return None  # this OpenSSL cannot offer the version at all
    try:
        await _handshake(ip, port, host, ctx, timeout)
    except (ssl.SSLError, ConnectionError, OSError, TimeoutError):
        return False
    return True
