"""Availability probes: stored one by one, judged over a week.

China's veto (国办秘函〔2019〕19号 单项否决, 站点无法访问): a site fails when at least 5% of its
probes over a week fail, with at least 20 probes a day. Each probe counts (no re-check:
the week's ratio is the measure), but a probe mgov could not make (no DNS answer, its own
loop stalled past the timeout) is not stored: it says nothing of the site. A probe reads
the site where it is served (the start-URL rule, collect.homepage), starting from the URL
that served it last time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, case, func, insert, select

from mgov import clock
from mgov.checks.base import LAG_UNTRUSTED_MS
from mgov.collect.client import HttpClient
from mgov.collect.homepage import serves, working_homepage
from mgov.db import partitions, rollups
from mgov.db.tables import CHANNELS, PROBES
from mgov.evidence.exchange import Fetch, ScanStatus

VETO_RATIO = 0.05
MIN_PER_DAY = 20


def unverifiable(fetch: Fetch) -> bool:
    """mgov's own failure to make the probe: no DNS answer, or a timeout while its loop stalled."""
    if fetch.status is ScanStatus.DNS_UNRESOLVED:
        return True
    lag = max((ex.lag_ms or 0.0 for ex in fetch.exchanges), default=0.0)
    return fetch.status is ScanStatus.TIMEOUT and lag > LAG_UNTRUSTED_MS


def save_probe(conn: Connection, channel_id: int, fetch: Fetch, at: dt.datetime) -> bool:
    final = fetch.final
    ok = fetch.ok and final is not None and final.status is not None and final.status < 400
    partitions.ensure(conn, "probes", [at])
    conn.execute(insert(PROBES).values(
        channel_id=channel_id, at=at, ok=ok, http_status=final.status if final else None,
        elapsed_ms=sum(ex.elapsed_ms or 0 for ex in fetch.exchanges) or None,
        scan_status=fetch.status.value if fetch.status else None,
        evidence=[r.as_dict() for r in fetch.refs], rolled=True))
    rollups.add_probes(conn, [(channel_id, at, ok)])  # the assessment's rollup, in the same transaction
    return ok


async def probe_round(client: HttpClient, engine: Engine, channels: list[tuple[int, Any]],
                      served: dict[int, str] | None = None) -> tuple[dt.datetime, int]:
    """Fetch every channel's homepage at once and store each outcome as one probe, stamped with
    the round's start; (that time, how many answered). channels: (id, facts with .address);
    served: where each channel's homepage answered last (kept up to date across rounds)."""
    started = clock.now()
    served = {} if served is None else served
    results = await asyncio.gather(*(working_homepage(client, f.address, served.get(cid)) for cid, f in channels))
    ok = 0
    with engine.begin() as conn:
        for (cid, _), fetch in zip(channels, results, strict=True):
            if serves(fetch) and fetch.final_url:
                served[cid] = fetch.final_url  # where it answered: the next probe goes straight there
            if not unverifiable(fetch):
                ok += save_probe(conn, cid, fetch, started)
    return started, ok


@dataclass
class ProbeStats:
    address: str
    probes: int
    failed: int
    days: int

    @property
    def ratio(self) -> float:
        return self.failed / self.probes if self.probes else 0.0

    @property
    def enough(self) -> bool:
        """At least MIN_PER_DAY probes a day on average over the window."""
        return self.probes >= MIN_PER_DAY * self.days

    @property
    def veto(self) -> bool:
        return self.enough and self.ratio >= VETO_RATIO

    def as_dict(self) -> dict[str, Any]:
        return {"address": self.address, "probes": self.probes, "failed": self.failed,
                "failure_ratio": round(self.ratio, 4), "enough_probes": self.enough, "veto": self.veto}


def probe_stats(conn: Connection, until: dt.datetime, days: int = 7) -> list[ProbeStats]:
    since = until - dt.timedelta(days=days)
    query = (select(CHANNELS.c.address, func.count(), func.sum(case((PROBES.c.ok.is_(False), 1), else_=0)))
             .join(CHANNELS, CHANNELS.c.id == PROBES.c.channel_id)
             .where(PROBES.c.at > since, PROBES.c.at <= until)
             .group_by(CHANNELS.c.address).order_by(CHANNELS.c.address))
    return [ProbeStats(addr, int(n), int(failed or 0), days) for addr, n, failed in conn.execute(query)]
