"""Behind a reverse proxy: the client's address and scheme from X-Forwarded-For and
X-Forwarded-Proto, believed only when the request comes from a configured trusted proxy.

Anyone can send these headers; a request straight from a client that carries them is
answered as if they were absent. The client is the right-most address in X-Forwarded-For
that is not itself a trusted proxy (each proxy appends the address it saw; what a client put
to the left of that is its own claim).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from mgov.errors import InvalidValue

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    out: list[Network] = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise InvalidValue(f"[web] trusted_proxies: {value!r} is not an address or network: {exc}") from None
    return tuple(out)


def _host(hop: str) -> str:
    """A hop's address without the port some proxies add (Azure, IIS ARR: `1.2.3.4:5678`,
    `[2001:db8::1]:5678`): a port differs per connection, so kept it would make every attempt a
    new client to the sign-in throttle."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1:hop.index("]")] if "]" in hop else hop[1:]
    if hop.count(":") == 1:  # IPv4 with a port (a bare IPv6 address has several colons)
        return hop.partition(":")[0]
    return hop


def _trusted(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(_host(host))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    values = [v.decode("latin-1") for k, v in headers if k.lower() == name]
    return ",".join(values) if values else None


def forwarded_client(peer: str, forwarded_for: str | None, networks: tuple[Network, ...]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy that says whom it
    forwards for."""
    if not forwarded_for or not _trusted(peer, networks):
        return peer
    hops = [_host(h) for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


def client_address(request: Any) -> str:
    """A request's client address (a trusted proxy's X-Forwarded-For already applied)."""
    return request.client.host if request.client else "unknown"


class ProxyHeaders:
    """Pure ASGI middleware: rewrites scope's client and scheme for requests from trusted proxies."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.networks and scope.get("client"):
            peer, port = scope["client"]
            if _trusted(peer, self.networks):
                headers = scope.get("headers", [])
                client = forwarded_client(peer, _header(headers, b"x-forwarded-for"), self.networks)
                proto = (_header(headers, b"x-forwarded-proto") or "").split(",")[-1].strip().lower()
                scope = dict(scope, client=(client, port))
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)
