"""DNS queries that survive the world: retries with backoff, TCP when UDP is lossy or
truncated, a query-rate limit per server, and caching as the protocol says.

A lost UDP packet is normal (a resolver under load or rate-limiting drops some), so one
timeout is never final: each try has a short timeout inside the query's lifetime, tries
back off, and after repeated UDP losses (or a truncated answer) the query goes over TCP.
Answers are cached for their TTL and negative answers (NXDOMAIN, NODATA) for the SOA
minimum (RFC 2308); a failure (no answer within the lifetime, SERVFAIL) is never cached: the
next asker tries again. Concurrent askers of one name share one query.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver

from mgov.collect.failure import CollectFailure
from mgov.collect.pace import Pacer
from mgov.evidence.exchange import ScanStatus

MAX_CACHE_TTL = 300.0  # answers are kept no longer than this, whatever their TTL
NEGATIVE_TTL = 60.0  # a negative answer without an SOA minimum
CACHE_MAX = 50_000  # entries before the expired ones are dropped
MAX_CHAIN = 8  # CNAME hops followed across queries


@dataclass(frozen=True)
class DnsPolicy:
    """How hard to try (CollectSettings carries the values)."""

    lifetime: float = 8.0  # one name and type, every try included
    try_timeout: float = 1.0  # one try over UDP (TCP gets twice this)
    tcp_after: int = 2  # UDP losses in a row before a try over TCP
    qps: float = 200.0  # queries a second to one server at most
    backoff: float = 0.1  # before the second try; doubles, capped at 1 s, with jitter


class RateLimit:
    """Queries to one server spaced 1/qps apart: a national scan must not flood its resolver.

    The spacing is kept between actual sends (a lock per server, the last send's time taken
    after the sleep), so a loop that stalls does not release a burst of queries at once."""

    def __init__(self, qps: float, pacer: Pacer | None = None) -> None:
        self.qps = max(qps, 0.1)
        self.pacer = pacer  # the same spacing across a cluster's workers (collect.pace)
        self._last: dict[tuple[str, int], float] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}

    async def wait(self, server: tuple[str, int]) -> None:
        lock = self._locks.setdefault(server, asyncio.Lock())
        async with lock:  # FIFO: queries leave in the order they asked
            last = self._last.get(server)
            if last is not None:
                gap = last + 1.0 / self.qps - time.monotonic()
                if gap > 0:
                    await asyncio.sleep(gap)
            if self.pacer is not None:
                await self.pacer.space(f"dns:{server[0]}:{server[1]}", 1.0 / self.qps)
            self._last[server] = time.monotonic()


class Unresolved(CollectFailure):
    """No usable answer within the lifetime: mgov could not resolve the name."""

    def __init__(self, detail: str) -> None:
        super().__init__(ScanStatus.DNS_UNRESOLVED, detail)


class NoSuchName(CollectFailure):
    """NXDOMAIN: the name does not exist (the site's defect), for ttl seconds."""

    def __init__(self, detail: str, ttl: float) -> None:
        super().__init__(ScanStatus.DNS_ERROR, detail)
        self.ttl = ttl


class DnsClient:
    """Queries to the given servers, with the policy above. One per scan (per event loop)."""

    def __init__(self, servers: Sequence[tuple[str, int]], policy: DnsPolicy, *, pacer: Pacer | None = None) -> None:
        if not servers:
            raise ValueError("a DNS client needs at least one server")
        self.servers = list(servers)
        self.policy = policy
        self.rate = RateLimit(policy.qps, pacer)
        self._cache: dict[tuple[str, str], tuple[float, dns.resolver.Answer | NoSuchName]] = {}
        self._inflight: dict[tuple[str, str], asyncio.Future[dns.resolver.Answer]] = {}
        self.stats = {"queries": 0, "udp_lost": 0, "tcp": 0, "servfail": 0, "unresolved": 0}

    async def resolve(self, name: str, rdtype: str) -> dns.resolver.Answer:
        """The answer (its rrset None for NODATA); CollectFailure: dns_error for NXDOMAIN,
        dns_unresolved (Unresolved) when no server gave an answer within the lifetime."""
        key = (name.lower().rstrip("."), rdtype)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            if isinstance(hit[1], NoSuchName):
                raise hit[1]
            return hit[1]
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._resolve(key[0], rdtype))
            self._inflight[key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(pending)

    async def _resolve(self, name: str, rdtype: str) -> dns.resolver.Answer:
        key = (name, rdtype)
        try:
            answer, ttl = await self._follow(name, rdtype)
        except Unresolved:
            self.stats["unresolved"] += 1
            raise  # never cached: the next asker tries again
        except NoSuchName as exc:  # negative, cached as the SOA says
            self._remember(key, exc, exc.ttl)
            raise
        self._remember(key, answer, ttl)
        return answer

    def _remember(self, key: tuple[str, str], value: dns.resolver.Answer | NoSuchName, ttl: float) -> None:
        now = time.monotonic()
        if len(self._cache) >= CACHE_MAX:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        self._cache[key] = (now + min(max(ttl, 0.0), MAX_CACHE_TTL), value)

    async def _follow(self, name: str, rdtype: str) -> tuple[dns.resolver.Answer, float]:
        """The answer for name, following a CNAME chain the server left unfinished."""
        qname = dns.name.from_text(name)
        for _ in range(MAX_CHAIN):
            response = await self.query(qname, rdtype)
            answer = dns.resolver.Answer(qname, dns.rdatatype.from_text(rdtype), dns.rdataclass.IN, response)
            chain = answer.chaining_result
            negative_ttl = float(chain.minimum_ttl) if _has_soa(response) else NEGATIVE_TTL
            if response.rcode() == dns.rcode.NXDOMAIN:
                raise NoSuchName(f"{name}: NXDOMAIN (no such name)", negative_ttl)
            if chain.answer is not None:
                return answer, float(chain.minimum_ttl)
            if not chain.cnames or _has_soa(response):
                return answer, negative_ttl  # NODATA, for the name or the end of its chain
            # An alias whose target the server left out (outside its zone): ask for the target.
            qname = chain.canonical_name
        raise Unresolved(f"{name}: CNAME chain longer than {MAX_CHAIN}")

    async def query(self, qname: dns.name.Name, rdtype: str) -> dns.message.QueryMessage:
        """A NOERROR or NXDOMAIN response from some server, trying as the policy says."""
        policy = self.policy
        deadline = time.monotonic() + policy.lifetime
        request = dns.message.make_query(qname, rdtype)
        lost = 0  # UDP losses in a row
        tcp = False
        last = "no try"
        seen: Counter[str] = Counter()  # every try's outcome: a SERVFAIL is not hidden by a later timeout
        for attempt in range(64):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            server = self.servers[attempt % len(self.servers)]
            await self.rate.wait(server)
            self.stats["queries"] += 1
            use_tcp = tcp or (policy.tcp_after > 0 and lost >= policy.tcp_after)
            try:
                if use_tcp:
                    self.stats["tcp"] += 1
                    response = await dns.asyncquery.tcp(request, server[0], timeout=min(2 * policy.try_timeout,
                                                                                         remaining), port=server[1])
                    lost = 0
                else:
                    response = await dns.asyncquery.udp(request, server[0], timeout=min(policy.try_timeout, remaining),
                                                        port=server[1], ignore_unexpected=True)
                    if response.flags & dns.flags.TC:
                        tcp = True  # truncated: the whole answer comes over TCP, at once
                        seen["truncated"] += 1
                        continue
                    lost = 0
            except dns.exception.Timeout:
                lost += 0 if use_tcp else 1
                self.stats["udp_lost"] += 0 if use_tcp else 1
                last = f"timeout ({'TCP' if use_tcp else 'UDP'}, {server[0]})"
                seen["timeout"] += 1
            except (OSError, EOFError, dns.exception.DNSException) as exc:
                last = f"{type(exc).__name__} from {server[0]}: {exc}"
                seen[type(exc).__name__] += 1
                tcp = False  # a server without TCP: back to UDP
            else:
                rcode = response.rcode()
                if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) and isinstance(response, dns.message.QueryMessage):
                    return response
                self.stats["servfail"] += rcode == dns.rcode.SERVFAIL
                last = f"{dns.rcode.to_text(rcode)} from {server[0]}"
                seen[dns.rcode.to_text(rcode)] += 1
            pause = min(policy.backoff * (2 ** attempt), 1.0) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter
            await asyncio.sleep(max(0.0, min(pause, deadline - time.monotonic())))
        raise Unresolved(f"{qname.to_text(omit_final_dot=True)}: no answer within {policy.lifetime:g} s "
                         f"({rdtype}; {_tally(seen)}; last: {last})")


def _has_soa(response: dns.message.Message) -> bool:
    """An authoritative negative answer carries its zone's SOA (RFC 2308)."""
    return any(rrset.rdtype == dns.rdatatype.SOA for rrset in response.authority)


def _tally(seen: Counter[str]) -> str:
    """'3 tries: SERVFAIL x2, timeout x1', the most frequent outcome first."""
    tries = sum(seen.values())
    parts = ", ".join(f"{what} x{n}" for what, n in seen.most_common())
    return f"{tries} {'try' if tries == 1 else 'tries'}: {parts}" if tries else "no try"
