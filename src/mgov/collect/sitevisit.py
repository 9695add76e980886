"""One site's visit: one connection per host, nothing fetched twice, the TLS probe's handshake
taken from the HTTPS homepage's connection.

A scan used to open about nine TLS connections a site (the TLS probe's own verified
handshake, the HTTPS homepage, the http-to-https redirect hop fetching that same homepage
again, up to four connections for the second round's files) and the handshakes were most of
the scanner's and the farm's CPU. Within a visit (`visiting()`, set by collect_site):

- exchanges to one scheme, host, port and address family go one at a time, so they ride one
  pooled keep-alive connection instead of opening up to the per-host limit of them, as long
  as that host answers, and fast (FAST_MS): one that failed or answers slowly gets its
  exchanges in parallel again (the client's per-host limit), so a hanging or slow site costs
  no more time than before;
- an identical request (same URL, method, family, no cookie) is made once and its exchange
  shared: the http homepage's redirect hop to https://host/ is the HTTPS homepage's exchange;
- the first verified HTTPS connection to a wanted host leaves its TLS facts here (read while
  the connection is open), so the TLS probe need not shake hands again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from mgov.evidence.exchange import Exchange, TlsFacts

ExchangeKey = tuple[str, str, str, str | None, int | None]  # url, method, family, accept, cap
ConnectionKey = tuple[str, str, int, str]  # scheme, host, port, family
FAST_MS = 1000.0  # an answer slower than this costs more than a handshake saves


@dataclass
class SiteVisit:
    tls_hosts: frozenset[str] = frozenset()  # hosts whose first verified handshake is kept
    tls: dict[str, tuple[str, int, TlsFacts]] = field(default_factory=dict)  # host: (ip, port, facts)
    _locks: dict[ConnectionKey, asyncio.Lock] = field(default_factory=dict)
    _parallel: set[ConnectionKey] = field(default_factory=set)  # failed or slow: no waiting in turn
    _done: dict[ExchangeKey, asyncio.Future[Exchange]] = field(default_factory=dict)

    async def in_turn(self, key: ConnectionKey, make: Callable[[], Awaitable[Exchange]]) -> Exchange:
        """make()'s exchange, after the exchanges to key before it (unless key went parallel)."""
        if key in self._parallel:
            return await make()
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            if key in self._parallel:  # went parallel while this one waited
                ex = None
            else:
                ex = await make()
                if ex.status is None or ex.error is not None or (ex.elapsed_ms or 0.0) > FAST_MS:
                    self._parallel.add(key)
        return ex if ex is not None else await make()

    async def once(self, key: ExchangeKey, make: Callable[[], Awaitable[Exchange]]) -> Exchange:
        """The exchange for key: made by the first asker, awaited by the others."""
        found = self._done.get(key)
        if found is not None:
            try:
                return await asyncio.shield(found)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # this asker was cancelled itself
                return await self.once(key, make)  # the first asker was: this one makes it
        future: asyncio.Future[Exchange] = asyncio.get_running_loop().create_future()
        self._done[key] = future
        try:
            ex = await make()
        except BaseException as exc:
            del self._done[key]  # cancelled or failed: a later asker makes its own
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            elif not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        future.set_result(ex)
        return ex

    def keep_tls(self, host: str, ip: str, port: int, read: Callable[[TlsFacts], None]) -> None:
        """Record the TLS facts of host's first verified connection, made to ip:port (read:
        fills them in while the connection is open)."""
        if host in self.tls_hosts and host not in self.tls:
            facts = TlsFacts(host=host, port=443, peer=ip)
            read(facts)
            self.tls[host] = (ip, port, facts)

    def handshake(self, host: str, ip: str, port: int) -> TlsFacts | None:
        """The TLS facts kept for host if its connection went to ip:port (where the probe
        would shake hands), else None."""
        kept = self.tls.get(host.lower().rstrip("."))
        return kept[2] if kept is not None and kept[:2] == (ip, port) else None


SITE_VISIT: ContextVar[SiteVisit | None] = ContextVar("mgov_site_visit", default=None)


@contextlib.contextmanager
def visiting(visit: SiteVisit) -> Iterator[SiteVisit]:
    """Every exchange made inside (tasks started inside included) belongs to visit."""
    token = SITE_VISIT.set(visit)
    try:
        yield visit
    finally:
        SITE_VISIT.reset(token)
