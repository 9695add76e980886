"""Client-side helpers for talking to a farm: trust its CA, ask its DNS, reach its ports.

Farm redirects point at https://HOST/ (port 443) like the real sites; FarmResolver maps the
standard ports to the farm's, so an ordinary aiohttp session follows them unchanged.
The resolvers retry as a hostile network needs: a lost query after TRY_SECONDS, SERVFAIL at
once (the farm never faults the attempt after a faulted one).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from pathlib import Path
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.resolver
from aiohttp.abc import AbstractResolver

from mgov.demo.farm.contract import CONTROL_HOST

TRY_SECONDS = 0.5  # a loopback answer takes microseconds: a query without one was dropped
LIFETIME = 5.0


def _tolerant(r: dns.resolver.BaseResolver) -> None:
    r.timeout, r.lifetime, r.retry_servfail = TRY_SECONDS, LIFETIME, True


def ssl_context(ca_pem: str | Path) -> ssl.SSLContext:
    """A client context that trusts the farm CA (and nothing else)."""
    return ssl.create_default_context(cafile=str(ca_pem))


def dns_resolver(port: int, host: str = "127.0.0.1") -> dns.resolver.Resolver:
    """A dnspython resolver that asks the farm's DNS server only."""
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [host]
    r.port = port
    _tolerant(r)
    return r


class FarmResolver(AbstractResolver):
    """aiohttp resolver: names through the farm DNS, ports 80/443 to the farm's ports."""

    def __init__(self, dns_port: int, port_map: dict[int, int]) -> None:
        self.port_map = port_map
        self._dns = dns.asyncresolver.Resolver(configure=False)
        self._dns.nameservers = ["127.0.0.1"]
        self._dns.port = dns_port
        _tolerant(self._dns)

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        wanted = [(socket.AF_INET, "A"), (socket.AF_INET6, "AAAA")]
        if family != socket.AF_UNSPEC:
            wanted = [w for w in wanted if w[0] == family]
        out = []
        for fam, rdtype in wanted:
            try:
                answer = await self._dns.resolve(host, rdtype)
            except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN, dns.exception.Timeout):
                continue
            for rr in answer:
                out.append({"hostname": host, "host": rr.address,
                            "port": self.port_map.get(port, port), "family": fam,
                            "proto": 0, "flags": socket.AI_NUMERICHOST})
        if not out:
            raise OSError(socket.EAI_NONAME, f"{host} does not resolve in the farm")
        return out

    async def close(self) -> None:
        return None


def set_epoch(http_port: int, n: int, host: str = "127.0.0.1", timeout: float = 10.0) -> int:
    """Switch a running farm (any process) to epoch n through its control endpoint:
    POST /epoch?n=N to its HTTP port with Host: control.farm.invalid. Returns the epoch."""
    return _control(http_port, "POST", f"/epoch?n={int(n)}", host, timeout)


def get_epoch(http_port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> int:
    return _control(http_port, "GET", "/epoch", host, timeout)


def _control(http_port: int, method: str, path: str, host: str, timeout: float) -> int:
    conn = http.client.HTTPConnection(host, http_port, timeout=timeout)
    try:
        conn.request(method, path, headers={"Host": CONTROL_HOST})
        resp = conn.getresponse()
        body = json.loads(resp.read() or b"{}")
        if resp.status != 200:
            raise ValueError(f"farm control: {resp.status} {body.get('error')}")
        return int(body["epoch"])
    finally:
        conn.close()
