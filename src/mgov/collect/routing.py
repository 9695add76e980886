"""Where connections go: curl-style connect-to rules, the resolver, extra trust, the SSRF guard.

This is the one seam between mgov and the network it talks to. Production leaves it empty
(system resolver, public addresses only); the demo farm and the tests fill it, so that
they reach loopback servers through the same code paths as a real scan, never by a
switch that weakens the defaults silently.

connect-to follows curl's documented semantics (CURLOPT_CONNECT_TO): ``HOST1:PORT1:HOST2:PORT2``;
the first rule whose HOST1 and PORT1 match the request is used; an empty HOST1 or PORT1
matches any host or port; an empty HOST2 or PORT2 keeps the request's own host (so the
address still comes from DNS) or port; IPv6 literals are written in brackets. The rule
only changes where the TCP connection goes: Host, SNI and certificate checks keep the
URL's host.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mgov.collect.settings import Family
from mgov.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8192)  # asked of the same few names and addresses all scan long
def parse_ip(text: str) -> IPAddress | None:
    """The address if text is an IP literal (brackets and an IPv6 zone allowed), else None."""
    text = text.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _fields(text: str) -> list[str]:
    """Split on the colons that are outside [brackets]."""
    fields, current, bracketed = [], "", False
    for ch in text:
        bracketed = (bracketed or ch == "[") and ch != "]"
        if ch == ":" and not bracketed:
            fields.append(current)
            current = ""
        else:
            current += ch
    return [*fields, current]


def _host(text: str, what: str) -> str | None:
    """A host field: empty (None), a name, an IPv4 literal or a bracketed IPv6 literal."""
    if text == "":
        return None
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1]
        if isinstance(parse_ip(inner), ipaddress.IPv6Address):
            return inner
        raise ConfigError(f"{what}: {inner!r} in brackets is not an IPv6 address")
    if "[" in text or "]" in text or not (parse_ip(text) or _valid_name(text)):
        raise ConfigError(f"{what}: {text!r} is not a host name, IPv4 or [IPv6] address")
    return text


def _valid_name(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return all(0 < len(label) <= 63 and all(c.isalnum() or c in "-_*" for c in label)
               for label in labels)


def _port(text: str, what: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{what}: {text!r} is not a port (1-65535)")
    return int(text)


def _same_host(a: str, b: str) -> bool:
    ia, ib = parse_ip(a), parse_ip(b)
    if ia is not None and ib is not None:
        return ia == ib
    return a.lower().rstrip(".") == b.lower().rstrip(".")


@dataclass(frozen=True)
class ConnectTo:
    """One rule; None means "any" on the left side and "the request's own" on the right."""

    host: str | None
    port: int | None
    to_host: str | None
    to_port: int | None

    @classmethod
    def parse(cls, text: str) -> ConnectTo:
        what = f"--connect-to {text!r}"
        fields = _fields(text)
        if len(fields) != 4:
            raise ConfigError(f"{what}: expected HOST1:PORT1:HOST2:PORT2 "
                              "(IPv6 addresses in [brackets])")
        return cls(_host(fields[0], what), _port(fields[1], what),
                   _host(fields[2], what), _port(fields[3], what))

    def matches(self, host: str, port: int) -> bool:
        return ((self.host is None or _same_host(self.host, host))
                and (self.port is None or self.port == port))


def _parse_dns(text: str) -> tuple[str, int]:
    """ADDR[:PORT] with IPv6 as [ADDR][:PORT]; the port defaults to 53."""
    what = f"--dns {text!r}"
    fields = _fields(text)
    if len(fields) > 2:
        raise ConfigError(f"{what}: write an IPv6 resolver as [ADDR]:PORT")
    host = _host(fields[0], what)
    if host is None or parse_ip(host) is None:
        raise ConfigError(f"{what}: the resolver must be an IP address")
    port = _port(fields[1], what) if len(fields) == 2 else None
    return host, port or 53


@dataclass(frozen=True)
class Routing:
    connect_to: tuple[ConnectTo, ...] = ()
    dns: tuple[str, int] | None = None  # the resolver for every lookup; None: the system's
    ca_bundle: Path | None = None  # PEM trusted in addition to the system store
    allow_private: bool = False  # let the SSRF guard pass private and loopback targets
    family: Family = Family.ANY  # default address family of fetches (like curl -4/-6)

    @classmethod
    def from_options(cls, connect_to: Iterable[str] = (), dns: str | None = None,
                     ca_bundle: str | Path | None = None, allow_private: bool = False,
                     family: Family | str = Family.ANY) -> Routing:
        """Build from CLI-style strings; a malformed one raises ConfigError naming it."""
        bundle = Path(ca_bundle) if ca_bundle else None
        if bundle is not None and not bundle.is_file():
            raise ConfigError(f"--ca-bundle {str(bundle)!r}: no such file")
        try:
            fam = Family(family)
        except ValueError:
            raise ConfigError(f"address family {family!r}: expected any, ipv4 or ipv6") from None
        return cls(tuple(ConnectTo.parse(r) for r in connect_to),
                   _parse_dns(dns) if dns else None, bundle, allow_private, fam)

    def route(self, host: str, port: int) -> tuple[str, int, bool]:
        """(host to resolve or connect to, port, whether a rule replaced the host)."""
        for rule in self.connect_to:
            if rule.matches(host, port):
                return (rule.to_host or host, rule.to_port or port, rule.to_host is not None)
        return host, port, False


def blocked_reason(ip: IPAddress) -> str | None:
    """Why the SSRF guard refuses this destination, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, whatever its spelling
    for label, hit in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if hit:
            return label
    # Shared (100.64/10), documentation, benchmarking ranges: not routable on the Internet.
    return None if ip.is_global else "not globally routable"
