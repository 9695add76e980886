"""Politeness across a cluster's workers (collect.pace) on a real Redis: leases of a host
shared by several pacers (as by several worker processes), spacing reserved in order, a
dead holder's lease freed, and the pacer stepping aside while Redis does not answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from mgov.collect import pace
from mgov.collect.pace import LocalPacer, RedisPacer, make_pacer
from redis_server import RedisServer, free_port, own_redis


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from own_redis(tmp_path_factory)


def test_a_host_lease_holds_across_pacers(redis_server: RedisServer) -> None:
    async def go() -> int:
        pacers = [RedisPacer(redis_server.url) for _ in range(3)]  # three "workers"
        held, most = 0, 0

        async def exchange(p: RedisPacer) -> None:
            nonlocal held, most
            async with p.lease("host:a.example.gov", 2):
                held += 1
                most = max(most, held)
                await asyncio.sleep(0.02)
                held -= 1

        await asyncio.gather(*(exchange(pacers[i % 3]) for i in range(12)))
        for p in pacers:
            await p.aclose()
        return most

    assert asyncio.run(go()) == 2


def test_spacing_is_reserved_in_order(redis_server: RedisServer) -> None:
    async def go() -> list[int]:
        a, b = RedisPacer(redis_server.url), RedisPacer(redis_server.url)
        waits = []
        for p in (a, b, a, b):  # a gap of 60 s: each asker gets the next instant, a gap later
            waits.append(await p._call("space", [pace.PREFIX + "space:dns:10.0.0.53:53"], [60_000]))
        await a.aclose()
        await b.aclose()
        return [w or 0 for w in waits]

    waits = asyncio.run(go())
    assert waits[0] == 0
    assert [round(w / 60_000) for w in waits] == [0, 1, 2, 3]


def test_a_dead_holders_lease_expires(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pace, "LEASE_TTL", 0.3)

    async def go() -> bool:
        dead, alive = RedisPacer(redis_server.url), RedisPacer(redis_server.url)
        token = "killed-worker"
        assert await dead._call("lease", [pace.PREFIX + "lease:host:b.example.gov"], [1, token, 300]) == 1
        # No renewal and no give-back: the holder is gone. The other waits for the expiry only.
        async with asyncio.timeout(10):
            async with alive.lease("host:b.example.gov", 1):
                pass
        await dead.aclose()
        await alive.aclose()
        return True

    assert asyncio.run(go())


def test_without_redis_the_local_limits_alone_apply() -> None:
    async def go() -> None:
        p = RedisPacer(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
        # The second lease of a limit of one is not refused, nor the spacing waited for: Redis is away.
        async with p.lease("host:c.example.gov", 1), p.lease("host:c.example.gov", 1):
            await p.space("platform:m.weibo.cn", 30.0)
        assert not p._usable()
        await p.aclose()

    asyncio.run(asyncio.wait_for(go(), 15))
    assert isinstance(make_pacer(None), LocalPacer) and isinstance(make_pacer("redis://x"), RedisPacer)
