"""A small authoritative DNS server for the farm's names (UDP and TCP on 127.0.0.1).

It knows only the farm: A 127.0.0.1 and AAAA ::1 for every host it serves (the new-media
platforms' real names among them: m.weibo.cn, mp.weixin.qq.com, ...) (A 127.0.0.2 for
the HTTP-only sites, where nothing listens on the HTTPS port), CNAMEs for some twins,
NXDOMAIN for everything else. It forwards nothing, so a resolver pointed at it can never
reach a real name server. On a hostile network (hostile.DnsFaults) it drops some UDP queries
and answers others SERVFAIL; TCP queries are always answered, and answers never change.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from mgov.demo.farm.contract import PLATFORM_HOSTS
from mgov.demo.farm.hostile import DROP, DnsFaults
from mgov.demo.farm.manifest import Manifest

TTL = 300
V4, V6 = "127.0.0.1", "::1"
HTTP_ONLY_V4 = "127.0.0.2"  # https.absent sites: only the HTTP port listens there


@dataclass
class Record:
    a: bool = True
    aaaa: bool = True
    cname: str | None = None  # when set, the name is an alias and has nothing else
    v4: str = V4


def build_zone(manifest: Manifest, http_only_v4: str | None = None) -> dict[str, Record]:
    """The farm's names; https.absent sites get http_only_v4 as their A (None: 127.0.0.1)."""
    zone: dict[str, Record] = {}
    for site in manifest.sites:
        aaaa = not site.has("ipv6.no_aaaa")
        v4 = http_only_v4 if http_only_v4 and site.has("https.absent") else V4
        zone[site.host] = Record(aaaa=aaaa, v4=v4)
        if site.has("www.inconsistent"):
            continue  # the twin does not resolve
        zone[site.twin] = Record(cname=site.host) if site.twin_cname else Record(aaaa=aaaa, v4=v4)
    for host in (*manifest.services, *PLATFORM_HOSTS):
        zone[host] = Record()
    return zone


class Resolver:
    """Answers one query (wire format in, wire format out); faults: for UDP queries only."""

    def __init__(self, zone: dict[str, Record], faults: DnsFaults | None = None) -> None:
        self.zone = zone
        self.faults = faults or None

    def answer(self, wire: bytes, *, udp: bool = False) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None  # not parseable: nothing sensible to say
        response = dns.message.make_response(query)
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            response.flags |= dns.flags.AA
            response.set_rcode(dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY
                               else dns.rcode.FORMERR)
            return response.to_wire()
        q = query.question[0]
        name = q.name.to_text(omit_final_dot=True).lower()
        if udp and self.faults is not None:
            fault = self.faults.decide(name, q.rdtype)
            if fault == DROP:
                return None  # lost in the burst: the client's timeout decides
            if fault is not None:
                response.set_rcode(dns.rcode.SERVFAIL)  # not authoritative: no AA
                return response.to_wire()
        response.flags |= dns.flags.AA
        record = self.zone.get(name)
        if record is None or q.rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        owner = q.name
        if record.cname:
            target = dns.name.from_text(record.cname)
            response.answer.append(dns.rrset.from_text(owner, TTL, "IN", "CNAME", target.to_text()))
            if q.rdtype == dns.rdatatype.CNAME:
                return response.to_wire()
            owner, record = target, self.zone[record.cname]
        if q.rdtype in (dns.rdatatype.A, dns.rdatatype.ANY) and record.a:
            response.answer.append(dns.rrset.from_text(owner, TTL, "IN", "A", record.v4))
        if q.rdtype in (dns.rdatatype.AAAA, dns.rdatatype.ANY) and record.aaaa:
            response.answer.append(dns.rrset.from_text(owner, TTL, "IN", "AAAA", V6))
        return response.to_wire()  # other types: NOERROR with no answer (NODATA)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        reply = self.resolver.answer(data, udp=True)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


UDP_BUFFER = 8 << 20


def _enlarge_receive_buffer(sock: socket.socket) -> None:
    """A scan opens with hundreds of lookups at once; at the default buffer (~200 KB, about
    270 queries) the kernel drops the rest and the clients wait for their timeout."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER)  # capped by rmem_max
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None:
        with contextlib.suppress(OSError):  # beyond rmem_max: needs CAP_NET_ADMIN
            sock.setsockopt(socket.SOL_SOCKET, force, UDP_BUFFER)


class DnsServer:
    def __init__(self, zone: dict[str, Record], faults: DnsFaults | None = None) -> None:
        self.resolver = Resolver(zone, faults)
        self.port = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> int:
        loop = asyncio.get_running_loop()
        for _ in range(100):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            _enlarge_receive_buffer(udp)
            udp.bind((V4, port))
            chosen: int = udp.getsockname()[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((V4, chosen))
            except OSError:
                udp.close()
                tcp.close()
                if port:
                    raise
                continue  # the TCP port is taken: try another pair
            break
        else:
            raise OSError("no port free for DNS over both UDP and TCP")
        self._udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self.resolver), sock=udp)
        self._tcp = await asyncio.start_server(self._serve_tcp, sock=tcp)
        self.port = chosen
        return chosen

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
            while True:
                size = int.from_bytes(await asyncio.wait_for(reader.readexactly(2), 30), "big")
                reply = self.resolver.answer(await reader.readexactly(size))
                if reply is None:
                    break
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        self._writers.discard(writer)
        writer.close()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            for w in list(self._writers):
                w.close()  # open TCP clients would keep wait_closed() waiting (3.12+)
            await self._tcp.wait_closed()
