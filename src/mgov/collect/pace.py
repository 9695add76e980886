"""Politeness shared by every worker of a cluster: the one seam between the collect layer's
limits and where they are kept.

In one process the client's own limits are the whole story (a semaphore per host, the DNS
client's spacing per server, the platforms' spacing per host), and `LocalPacer` adds
nothing to them. With a cluster (`CollectSettings.shared_limits`, a Redis URL) the same
limits must hold across workers on several machines: `RedisPacer` keeps them in Redis.

- `lease(key, limit)`: at most `limit` holders of key at once (a host's exchanges in
  flight): a sorted set of holders scored by their expiry, taken and given back by a Lua
  script, so a worker killed while holding one frees it when it expires.
- `space(key, gap)`: sends to key at least `gap` seconds apart (a DNS server's queries, a
  platform's requests): a Lua script reserves the next free instant and says how long to
  wait for it, so workers queue in the order they asked.

When Redis does not answer (restarted, unreachable) the pacer steps aside for a few seconds
and the in-process limits alone apply: politeness degrades to per worker, the run goes on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Seconds a lease lives unless renewed; its holder renews it every third of that while it
# holds it, so a worker killed while holding one frees it within LEASE_TTL.
LEASE_TTL = 6.0
POLL = 0.01  # seconds between tries for a lease, doubled up to POLL_MAX, with jitter
POLL_MAX = 0.2
ASIDE = 3.0  # seconds Redis is left alone after it failed to answer
PREFIX = "mgov:pace:"

# KEYS[1] the holders; ARGV: limit, token, ttl in ms. 1 when taken, else 0.
_LEASE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0
"""

# KEYS[1] the holders; ARGV: token, ttl in ms. Pushes the holder's expiry on, if it still holds.
_RENEW = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""

# KEYS[1] the next free instant (ms); ARGV: gap in ms. The ms to wait for the reserved instant.
_SPACE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
local gap = tonumber(ARGV[1])
redis.call('SET', KEYS[1], at + gap, 'PX', gap + 60000)
return at - now
"""


class Pacer(Protocol):
    """Where limits shared beyond this process are kept."""

    def lease(self, key: str, limit: int) -> AbstractAsyncContextManager[None]: ...

    async def space(self, key: str, gap: float) -> None: ...

    async def aclose(self) -> None: ...


class LocalPacer:
    """One process: its own limits are all there is."""

    @asynccontextmanager
    async def lease(self, key: str, limit: int) -> AsyncIterator[None]:
        yield

    async def space(self, key: str, gap: float) -> None:
        return None

    async def aclose(self) -> None:
        return None


class RedisPacer:
    """Limits kept in Redis, for every worker of a cluster (see the module's docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._aside_until = 0.0
        self._scripts: dict[str, Any] = {}

    def _redis(self) -> Any:
        # Deferred: redis loads only where a cluster is configured. One client per event loop:
        # its connections belong to the loop that opened them.
        import redis.asyncio

        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = redis.asyncio.Redis.from_url(self.url, socket_timeout=2.0, socket_connect_timeout=2.0)
            self._scripts = {"lease": self._client.register_script(_LEASE),
                             "renew": self._client.register_script(_RENEW),
                             "space": self._client.register_script(_SPACE)}
            self._loop = loop
        return self._client

    def _usable(self) -> bool:
        return time.monotonic() >= self._aside_until

    def _failed(self, exc: Exception) -> None:
        if self._usable():
            log.warning("shared limits unavailable (%s: %s): per-worker limits for %.0f s",
                        type(exc).__name__, exc, ASIDE)
        self._aside_until = time.monotonic() + ASIDE

    async def _call(self, script: str, keys: list[str], args: list[Any]) -> int | None:
        """The script's answer; None when Redis did not answer (it is then left alone a moment)."""
        # Deferred: redis loads only where a cluster is configured.
        import redis.exceptions

        if not self._usable():
            return None
        self._redis()
        try:
            return int(await self._scripts[script](keys=keys, args=args))
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            self._failed(exc)
            return None

    @asynccontextmanager
    async def lease(self, key: str, limit: int) -> AsyncIterator[None]:
        name, token = PREFIX + "lease:" + key, uuid.uuid4().hex
        delay = POLL
        while True:
            got = await self._call("lease", [name], [limit, token, int(LEASE_TTL * 1000)])
            if got != 0:  # taken, or Redis is away: go on under the local limits
                break
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not security
            delay = min(delay * 2, POLL_MAX)
        renewing = asyncio.create_task(self._renew(name, token)) if got == 1 else None
        try:
            yield
        finally:
            if renewing is not None:
                renewing.cancel()
                await self._give_back(name, token)

    async def _renew(self, name: str, token: str) -> None:
        while True:
            await asyncio.sleep(LEASE_TTL / 3)
            await self._call("renew", [name], [token, int(LEASE_TTL * 1000)])

    async def _give_back(self, name: str, token: str) -> None:
        # Deferred: redis loads only where a cluster is configured.
        import redis.exceptions

        if not self._usable():
            return  # it expires by itself
        try:
            await self._redis().zrem(name, token)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            self._failed(exc)

    async def space(self, key: str, gap: float) -> None:
        wait_ms = await self._call("space", [PREFIX + "space:" + key], [max(1, round(gap * 1000))])
        if wait_ms:
            await asyncio.sleep(wait_ms / 1000)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()


def make_pacer(shared_limits: str | None) -> Pacer:
    """RedisPacer for a cluster's Redis URL, LocalPacer for none."""
    return RedisPacer(shared_limits) if shared_limits else LocalPacer()
