"""DNS through dnspython, and the address every connection goes to (routing + SSRF guard).

All lookups of a scan go through one DNS client (collect.dns: retries, TCP, rate limit,
caching as the protocol says) asking the system's servers, or the one Routing names. The
operating system's resolver is never used, so that connect-to rules, the address-family
choice and the SSRF guard see every address before anything connects to it.
"""

from __future__ import annotations

import asyncio
import ipaddress

import dns.exception
import dns.name
import dns.resolver

from mgov.collect.dns import DnsClient, DnsPolicy
from mgov.collect.failure import CollectFailure
from mgov.collect.pace import make_pacer
from mgov.collect.routing import Routing, blocked_reason, parse_ip
from mgov.collect.settings import CollectSettings, Family
from mgov.evidence.exchange import DnsAnswer, ScanStatus


class Resolver:
    def __init__(self, routing: Routing, settings: CollectSettings) -> None:
        self.routing = routing
        self._settings = settings
        self._client: DnsClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def dns_client(self) -> DnsClient:
        """The scan's DNS client: the routed server, else the system's (resolv.conf)."""
        # Built on first use (reading resolv.conf is I/O), and once per event loop: its shared
        # in-flight queries belong to one loop.
        loop = asyncio.get_running_loop()
        if self._client is None or loop is not self._loop:
            if self.routing.dns is not None:
                servers = [self.routing.dns]
            else:
                try:
                    system = dns.resolver.Resolver()
                except dns.resolver.NoResolverConfiguration as exc:
                    raise CollectFailure(ScanStatus.DNS_UNRESOLVED, f"no resolver configured: {exc}") from exc
                servers = [(ns, system.port) for ns in system.nameservers if isinstance(ns, str)]
            s = self._settings
            self._client = DnsClient(servers, DnsPolicy(lifetime=s.dns_timeout, try_timeout=s.dns_try_timeout,
                                                        tcp_after=s.dns_tcp_after, qps=s.dns_qps),
                                     pacer=make_pacer(s.shared_limits))
            self._loop = loop
        return self._client

    async def _query(self, name: str, rdtype: str) -> dns.resolver.Answer:
        """The answer (possibly empty); CollectFailure when the name cannot be resolved:
        dns_error when it does not exist, dns_unresolved when no server answered."""
        try:
            return await self.dns_client().resolve(name, rdtype)
        except CollectFailure:
            raise
        except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel) as exc:
            raise CollectFailure(ScanStatus.DNS_ERROR, f"{name!r} is not a valid DNS name: {exc}") from None
        except dns.exception.DNSException as exc:
            raise CollectFailure(ScanStatus.DNS_UNRESOLVED, f"{name}: {type(exc).__name__}: {exc}") from None

    async def _addresses(self, name: str, rdtype: str) -> list[str]:
        answer = await self._query(name, rdtype)
        return [rd.to_text() for rd in answer.rrset] if answer.rrset is not None else []

    async def lookup(self, name: str) -> DnsAnswer:
        """A, AAAA and the CNAME chain of a name; failures are recorded, never raised."""
        result = DnsAnswer(name=name)
        ip = parse_ip(name)
        if ip is not None:
            (result.a if ip.version == 4 else result.aaaa).append(str(ip))
            return result
        a, aaaa = await asyncio.gather(self._query(name, "A"), self._query(name, "AAAA"),
                                       return_exceptions=True)
        for answer, into in ((a, result.a), (aaaa, result.aaaa)):
            if isinstance(answer, dns.resolver.Answer):
                into.extend(rd.to_text() for rd in answer.rrset or ())
                if not result.cname:
                    result.cname = [rd.to_text() for rrset in answer.chaining_result.cnames
                                    for rd in rrset]
        failure = next((x for x in (a, aaaa) if isinstance(x, BaseException)), None)
        result.unresolved = [rdtype for rdtype, answer in (("A", a), ("AAAA", aaaa))
                             if isinstance(answer, CollectFailure) and answer.status is ScanStatus.DNS_UNRESOLVED]
        if not result.a and not result.aaaa:
            if isinstance(failure, CollectFailure):
                result.error, result.error_detail = failure.status, failure.detail
            elif failure is not None:
                result.error, result.error_detail = ScanStatus.DNS_ERROR, repr(failure)
            else:
                result.error, result.error_detail = ScanStatus.DNS_ERROR, f"{name}: no A or AAAA record"
        return result

    async def targets(self, host: str, port: int, family: Family) -> list[tuple[str, int]]:
        """The (address, port) pairs to try for host:port, routed, filtered and guarded.

        Raises CollectFailure: dns_error when no address of the family exists,
        blocked_address when the guard refuses every address there is.
        """
        to_host, to_port, _ = self.routing.route(host, port)
        literal = parse_ip(to_host)
        if literal is not None:
            addresses = [str(literal)]
            if family is not Family.ANY and (literal.version == 6) != (family is Family.IPV6):
                raise CollectFailure(ScanStatus.DNS_ERROR,
                                     f"{to_host} is not an {family.value} address")
        else:
            want = {"any": ("A", "AAAA"), "ipv4": ("A",), "ipv6": ("AAAA",)}[family.value]
            found = await asyncio.gather(*(self._addresses(to_host, t) for t in want),
                                         return_exceptions=True)
            lists = [x for x in found if isinstance(x, list)]
            # IPv4 first, interleaved: a broken IPv6 path must not cost every fetch a connect
            # timeout; IPv6 on its own is measured by the ipv6 fetch.
            addresses = [a for pair in _zip_longest(lists) for a in pair]
            if not addresses:
                failure = next((x for x in found if isinstance(x, CollectFailure)), None)
                if failure is not None:
                    raise failure
                raise CollectFailure(ScanStatus.DNS_ERROR,
                                     f"{to_host}: no {' or '.join(want)} record")
        if self.routing.allow_private:
            return [(a, to_port) for a in addresses]
        allowed = [a for a in addresses if blocked_reason(ipaddress.ip_address(a)) is None]
        if not allowed:
            first = addresses[0]
            raise CollectFailure(
                ScanStatus.BLOCKED_ADDRESS,
                f"refused to connect to {first} ({blocked_reason(ipaddress.ip_address(first))}) "
                f"for {host}: private, loopback, link-local, multicast and reserved addresses "
                "need allow_private")
        return [(a, to_port) for a in allowed]


def _zip_longest(lists: list[list[str]]) -> list[list[str]]:
    longest = max((len(x) for x in lists), default=0)
    return [[x[i] for x in lists if i < len(x)] for i in range(longest)]
