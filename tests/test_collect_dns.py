"""DNS that survives the world (collect.dns), against a real DNS server on loopback that
loses UDP queries, answers SERVFAIL, truncates, and counts what it is asked."""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from mgov.collect.dns import DnsClient, DnsPolicy, NoSuchName, Unresolved
from mgov.collect.resolver import Resolver
from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings
from mgov.evidence.exchange import ScanStatus

FAST = DnsPolicy(lifetime=6.0, try_timeout=0.2, tcp_after=2, qps=10_000, backoff=0.02)


@dataclass
class Behaviour:
    drop: float = 0.0  # share of UDP queries not answered
    servfail: float = 0.0  # share of UDP queries answered SERVFAIL
    always_servfail: set[str] = field(default_factory=set)
    aaaa_servfail: set[str] = field(default_factory=set)  # names whose AAAA questions always get SERVFAIL
    truncate: set[str] = field(default_factory=set)  # UDP answers with TC set, no records
    udp_dead: bool = False  # UDP never answers (TCP does)
    seed: int = 7


class Server(asyncio.DatagramProtocol):
    """Authoritative for *.test: A 127.0.0.1 for every name but nx-*.test (NXDOMAIN)."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.b = behaviour
        self.random = random.Random(behaviour.seed)
        self.udp: list[tuple[float, str]] = []  # (received, name)
        self.tcp: list[str] = []
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        name = query.question[0].name.to_text(omit_final_dot=True)
        if name in self.b.always_servfail or (name in self.b.aaaa_servfail
                                               and query.question[0].rdtype == dns.rdatatype.AAAA):
            response.set_rcode(dns.rcode.SERVFAIL)
        elif name.startswith("nx-"):
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(dns.rrset.from_text("test.", 60, "IN", "SOA",
                                                          "ns.test. admin.test. 1 60 60 60 30"))
        elif query.question[0].rdtype == dns.rdatatype.A:
            response.answer.append(dns.rrset.from_text(query.question[0].name, 30, "IN", "A", "127.0.0.1"))
        return response

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        query = dns.message.from_wire(data)
        name = query.question[0].name.to_text(omit_final_dot=True)
        self.udp.append((time.monotonic(), name))
        roll = self.random.random()
        if self.b.udp_dead or roll < self.b.drop:
            return
        response = self.answer(query)
        if roll < self.b.drop + self.b.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
        if name in self.b.truncate:
            response.answer.clear()
            response.flags |= dns.flags.TC
        self.transport.sendto(response.to_wire(), addr)

    async def serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            query = dns.message.from_wire(await reader.readexactly(length))
            self.tcp.append(query.question[0].name.to_text(omit_final_dot=True))
            wire = self.answer(query).to_wire()
            writer.write(struct.pack("!H", len(wire)) + wire)
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def server(behaviour: Behaviour) -> AsyncIterator[tuple[Server, tuple[str, int]]]:
    loop = asyncio.get_running_loop()
    # The free UDP port's TCP twin may be taken by another test's socket: try pairs.
    for _ in range(100):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        stream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            stream.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            stream.close()
            continue
        break
    else:
        raise OSError("no port free over both UDP and TCP")
    proto = Server(behaviour)
    transport, _ = await loop.create_datagram_endpoint(lambda: proto, sock=sock)
    tcp = await asyncio.start_server(proto.serve_tcp, sock=stream)
    try:
        yield proto, ("127.0.0.1", port)
    finally:
        transport.close()
        tcp.close()
        await tcp.wait_closed()


def run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coro)


def test_a_third_of_udp_queries_lost_costs_no_answer() -> None:
    async def main() -> None:
        async with server(Behaviour(drop=0.3)) as (_srv, addr):
            client = DnsClient([addr], FAST)
            answers = await asyncio.gather(*(client.resolve(f"site{i}.test", "A") for i in range(300)))
            assert all(a.rrset is not None and a.rrset[0].to_text() == "127.0.0.1" for a in answers)
            assert client.stats["udp_lost"] > 30  # the losses happened, and were survived
    run(main())


def test_servfail_is_retried_and_a_persistent_one_is_unresolved_never_cached() -> None:
    async def main() -> None:
        async with server(Behaviour(servfail=0.3, always_servfail={"broken.test"})) as (srv, addr):
            client = DnsClient([addr], DnsPolicy(lifetime=3.0, try_timeout=0.2, backoff=0.02, qps=10_000))
            answers = await asyncio.gather(*(client.resolve(f"s{i}.test", "A") for i in range(100)))
            assert all(a.rrset is not None for a in answers)
            # A generous lifetime: on a loaded machine a late try may time out, but every SERVFAIL
            # answered is counted in the detail, not only the last try's outcome.
            client = DnsClient([addr], DnsPolicy(lifetime=1.5, try_timeout=0.5, backoff=0.02, qps=10_000))
            with pytest.raises(Unresolved) as failed:
                await client.resolve("broken.test", "A")
            assert failed.value.status is ScanStatus.DNS_UNRESOLVED and "SERVFAIL x" in failed.value.detail
            asked = sum(1 for _, n in srv.udp if n == "broken.test")
            with pytest.raises(Unresolved):
                await client.resolve("broken.test", "A")
            assert sum(1 for _, n in srv.udp if n == "broken.test") > asked  # asked again: not memoized
    run(main())


def test_nxdomain_is_the_sites_and_cached_as_the_soa_says() -> None:
    async def main() -> None:
        async with server(Behaviour()) as (srv, addr):
            client = DnsClient([addr], FAST)
            for _ in range(3):
                with pytest.raises(NoSuchName) as failed:
                    await client.resolve("nx-gone.test", "A")
                assert failed.value.status is ScanStatus.DNS_ERROR and failed.value.ttl == 30.0
            assert sum(1 for _, n in srv.udp if n == "nx-gone.test") == 1
            nodata = await client.resolve("site.test", "AAAA")  # the name exists, without AAAA
            assert nodata.rrset is None
    run(main())


def test_tcp_after_repeated_udp_loss_and_on_truncation() -> None:
    async def main() -> None:
        async with server(Behaviour(udp_dead=True)) as (srv, addr):
            answer = await DnsClient([addr], FAST).resolve("quiet.test", "A")
            assert answer.rrset is not None and srv.tcp == ["quiet.test"]
        async with server(Behaviour(truncate={"big.test"})) as (srv, addr):
            answer = await DnsClient([addr], FAST).resolve("big.test", "A")
            assert answer.rrset is not None and srv.tcp == ["big.test"]
            assert sum(1 for _, n in srv.udp if n == "big.test") == 1  # straight to TCP, no retry over UDP
    run(main())


def test_queries_per_second_to_one_server_are_limited() -> None:
    async def main() -> None:
        async with server(Behaviour()) as (srv, addr):
            client = DnsClient([addr], DnsPolicy(lifetime=10.0, try_timeout=1.0, qps=40))
            sent: list[float] = []
            wait = client.rate.wait

            async def timed_wait(server: tuple[str, int]) -> None:
                await wait(server)
                sent.append(time.monotonic())

            client.rate.wait = timed_wait  # type: ignore[method-assign]  # the test times the limiter's releases
            await asyncio.gather(*(client.resolve(f"r{i}.test", "A") for i in range(60)))
            assert len(srv.udp) == 60 and len(sent) == 60
            # Counted at the client's sends: a loaded machine delivers queued packets to the
            # server in bunches, which says nothing of the rate mgov sent them at. In any one
            # second at most the limit left (and one for the boundary), a stalled loop included.
            sent.sort()
            assert max(sum(1 for u in sent if t <= u < t + 1.0) for t in sent) <= 41
            assert sent[-1] - sent[0] >= 59 / 40
    run(main())


def test_resolver_tells_a_missing_name_from_one_it_could_not_resolve() -> None:
    async def main() -> None:
        async with server(Behaviour(always_servfail={"mute.test"})) as (_srv, addr):
            settings = CollectSettings(dns_timeout=1.0, dns_try_timeout=0.2)
            resolver = Resolver(Routing(dns=addr, allow_private=True), settings)
            gone, mute, fine = await asyncio.gather(resolver.lookup("nx-x.test"), resolver.lookup("mute.test"),
                                                    resolver.lookup("ok.test"))
            assert gone.error is ScanStatus.DNS_ERROR and "NXDOMAIN" in (gone.error_detail or "")
            assert mute.error is ScanStatus.DNS_UNRESOLVED
            assert fine.error is None and fine.a == ["127.0.0.1"]
    run(main())


def test_an_aaaa_question_nobody_answered_is_not_a_missing_record() -> None:
    """The A record resolves and the AAAA question is lost or refused (SERVFAIL): the answer
    says AAAA went unresolved, and the IPv6 check calls it mgov's error, not the site's fail."""
    import datetime as dt

    from mgov.checks.base import Status
    from mgov.checks.builtin.network import Ipv6
    from mgov.evidence.site import ChannelFacts, SiteEvidence

    async def main() -> None:
        async with server(Behaviour(aaaa_servfail={"half.test"})) as (_srv, addr):
            settings = CollectSettings(dns_timeout=1.0, dns_try_timeout=0.2)
            resolver = Resolver(Routing(dns=addr, allow_private=True), settings)
            half, whole = await asyncio.gather(resolver.lookup("half.test"), resolver.lookup("ok.test"))
        assert half.a == ["127.0.0.1"] and half.aaaa == [] and half.unresolved == ["AAAA"] and half.error is None
        assert whole.unresolved == [] and whole.aaaa == []  # NODATA: answered, no AAAA record
        facts = ChannelFacts("website", "https://half.test", "half.test")
        now = dt.datetime.now(dt.UTC)
        lost = Ipv6().evaluate(SiteEvidence(facts, now, dns=half), {})
        missing = Ipv6().evaluate(SiteEvidence(facts, now, dns=whole), {})
        assert lost.status is Status.ERROR and missing.status is Status.FAIL
    run(main())
