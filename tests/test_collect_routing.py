"""Routing: curl's connect-to semantics, the resolver option, address families, the SSRF guard."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from mgov.collect.client import HttpClient
from mgov.collect.routing import ConnectTo, Routing, blocked_reason
from mgov.collect.settings import Family
from mgov.errors import ConfigError
from mgov.evidence.exchange import ScanStatus
from test_collect_support import lab, run


@pytest.mark.parametrize(("text", "rule"), [
    ("a.gov:443:b.gov:8443", ConnectTo("a.gov", 443, "b.gov", 8443)),
    (":443::8443", ConnectTo(None, 443, None, 8443)),  # any host, port 443 -> same host, 8443
    ("a.gov:::", ConnectTo("a.gov", None, None, None)),
    ("::127.0.0.1:", ConnectTo(None, None, "127.0.0.1", None)),  # everything to 127.0.0.1
    ("[::1]:80:[2001:db8::1]:8080", ConnectTo("::1", 80, "2001:db8::1", 8080)),
    ("x.gov:80:[::1]:", ConnectTo("x.gov", 80, "::1", None)),
])
def test_connect_to_parsing(text: str, rule: ConnectTo) -> None:
    assert ConnectTo.parse(text) == rule


@pytest.mark.parametrize("text", ["a.gov:443:b.gov", "::1:80:x:1", "[a.gov]:80::", "a:0::", "a:x::",
                                  "a:443:b:65536", "a b:1::", "a:1:[::1:"])
def test_connect_to_rejects(text: str) -> None:
    with pytest.raises(ConfigError, match="connect-to"):
        ConnectTo.parse(text)


def test_connect_to_first_match_wins() -> None:
    routing = Routing.from_options(connect_to=["a.gov:443:one.test:1", ":443::8443", "::two.test:"])
    assert routing.route("A.GOV", 443) == ("one.test", 1, True)  # host names match case-insensitively
    assert routing.route("b.gov", 443) == ("b.gov", 8443, False)  # keeps the host: DNS decides
    assert routing.route("b.gov", 80) == ("two.test", 80, True)  # empty PORT1 and PORT2
    assert Routing().route("b.gov", 80) == ("b.gov", 80, False)
    v6 = Routing.from_options(connect_to=["[0:0::1]:80::81"])
    assert v6.route("::1", 80) == ("::1", 81, False)  # IPv6 literals compared as addresses


def test_dns_option() -> None:
    assert Routing.from_options(dns="127.0.0.1:5353").dns == ("127.0.0.1", 5353)
    assert Routing.from_options(dns="[::1]:53").dns == ("::1", 53)
    assert Routing.from_options(dns="10.0.0.2").dns == ("10.0.0.2", 53)
    for bad in ("::1:53", "resolver.test:53", "127.0.0.1:0", "[127.0.0.1]:53"):
        with pytest.raises(ConfigError, match="--dns"):
            Routing.from_options(dns=bad)
    with pytest.raises(ConfigError, match="ca-bundle"):
        Routing.from_options(ca_bundle="/nonexistent/ca.pem")
    with pytest.raises(ConfigError, match="family"):
        Routing.from_options(family="ipv5")


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fd00::1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"),  # noqa: S104 - classified, not bound
    ("::", "unspecified"), ("240.0.0.1", "reserved"), ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"), ("100.64.0.1", "not globally routable"),
    ("198.51.100.7", "private"),  # documentation range: Python counts it as private
    ("8.8.8.8", None), ("2001:4860:4860::8888", None), ("::ffff:8.8.8.8", None),
])
def test_ssrf_guard_classification(address: str, reason: str | None) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) == reason


def test_families_and_connect_to_keeping_dns_addresses(tmp_path: Path) -> None:
    """`:443::PORT` changes only the port: the address still comes from A or AAAA."""
    async def main() -> None:
        async with lab(tmp_path) as L:
            client = L.ctx.client
            v4, v6, anyf = [await client.fetch("https://good.test/", family=f)
                            for f in (Family.IPV4, Family.IPV6, Family.ANY)]
            assert v4.final is not None and v4.final.peer == "127.0.0.1" and v4.ok
            assert v6.final is not None and v6.final.peer == "::1" and v6.ok
            assert anyf.final is not None and anyf.final.peer == "127.0.0.1"  # IPv4 first
            only4 = await client.fetch("https://v4only.test/", family=Family.IPV6)
            assert only4.status is ScanStatus.DNS_ERROR
            # the rule's HOST2 replaces DNS entirely: this name is not in the zone
            rule = f"unlisted.test:80:127.0.0.1:{L.http_port}"
            routing = Routing.from_options(connect_to=[rule], dns=L.dns_addr, allow_private=True)
            other = HttpClient(L.ctx.settings, routing)
            try:
                fetch = await other.fetch("http://unlisted.test/static/x")
                assert fetch.ok and fetch.final is not None
                assert fetch.final.body == b"unlisted.test/static/x"  # Host header kept
                v6only = await other.fetch("http://unlisted.test/", family=Family.IPV6)
                assert v6only.status is ScanStatus.DNS_ERROR
            finally:
                await other.aclose()
            assert ("unlisted.test", "A") not in L.dns.queries
            assert ("good.test", "AAAA") in L.dns.queries
    run(main())
