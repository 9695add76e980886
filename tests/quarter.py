"""A simulated period of daily monitoring: the real pipeline driven day by day against the farm.

For each day of the period the farm serves its sites as on that day (their content's dates
move with it; from `epoch2_on`, epoch 2: redflag.backdated and redflag.tampered appear) and
mgov's clock (mgov.clock, the product's one time seam) reads that day. Then, in this order:

- `probes_per_day` availability probe rounds (the round `mgov probe` runs) of the probed
  channels, spread over the day;
- at 10:00 a scan run of the channels with the checks the profile binds (`mgov scan --profile P`);
- on crawl days (every fourth Monday from the first) at 11:00 a crawl run of them with the
  profile's crawl checks (`mgov crawl --profile P`).

Every row the assessment reads is written by the product's own code: nothing is faked. The
deeper crawl pass runs every four weeks, as such a pass is scheduled in practice (it reads
every page of a site); the indicators it feeds take the latest finding of the period.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from mgov import clock
from mgov.collect.settings import CollectSettings
from mgov.config import Settings
from mgov.runs import store
from mgov.runs.context import RoutingOptions, open_context
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run
from mgov.scan import probes

# Small sites: a crawl of one takes a second or two; the cap only guards against a runaway.
CRAWL_LIMITS = {"max_pages": 200, "max_seconds": 30.0}


@dataclass
class Simulated:
    """What the simulation ran, for the test's own bookkeeping."""

    days: int = 0
    scans: list[int] = field(default_factory=list)
    crawls: list[int] = field(default_factory=list)
    crawl_days: list[dt.date] = field(default_factory=list)
    probe_rounds: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: {"probe": 0.0, "scan": 0.0, "crawl": 0.0})


def days_of(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def every_weeks(start: dt.date, weeks: int) -> Callable[[dt.date], bool]:
    """Every weeks-th Monday, counting from the first Monday on or after start."""
    first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    return lambda d: d >= first and (d - first).days % (7 * weeks) == 0


def simulate(engine: Engine, settings: Settings, farm: Any, addresses: list[str], start: dt.date, end: dt.date, *,
             profile: str, routing: RoutingOptions, epoch2_on: dt.date | None = None, probes_per_day: int = 20,
             probed: list[str] | None = None, crawl_day: Callable[[dt.date], bool] | None = None) -> Simulated:
    """Run the period [start, end] through the pipeline; farm is a RunningFarm. probed: the
    addresses probed for availability (default: all)."""
    crawl_day = crawl_day or every_weeks(start, 4)
    with engine.connect() as conn:
        channels = store.select_channels(conn, addresses=addresses)
    if len(channels) != len(addresses):
        raise ValueError(f"{len(addresses) - len(channels)} of the addresses are not registered channels")
    if probed is not None:
        channels = [(cid, facts) for cid, facts in channels if facts.address in set(probed)]
    out = Simulated()
    farm.set_epoch(1)
    for day in days_of(start, end):
        farm.set_today(day)
        if epoch2_on is not None and day == epoch2_on:
            farm.set_epoch(2)
        at = dt.datetime.combine(day, dt.time(), dt.UTC)
        t0 = time.perf_counter()
        out.probe_rounds += asyncio.run(_probe_day(engine, settings, routing, channels, at, probes_per_day))
        t1 = time.perf_counter()
        with clock.fixed(at + dt.timedelta(hours=10)):
            run = start_run(engine, run_params(kind="scan", channels=addresses, profile=profile, routing=routing))
            execute_run(engine, settings, run)
            out.scans.append(run)
        t2 = time.perf_counter()
        if crawl_day(day):
            with clock.fixed(at + dt.timedelta(hours=11)):
                run = start_run(engine, run_params(kind="crawl", channels=addresses, profile=profile,
                                                    routing=routing, limits=CRAWL_LIMITS))
                execute_run(engine, settings, run, concurrency=len(addresses))
                out.crawls.append(run)
                out.crawl_days.append(day)
        t3 = time.perf_counter()
        for key, secs in (("probe", t1 - t0), ("scan", t2 - t1), ("crawl", t3 - t2)):
            out.seconds[key] += secs
        out.days += 1
    farm.set_today(dt.date.today())
    farm.set_epoch(1)
    return out


async def _probe_day(engine: Engine, settings: Settings, routing: RoutingOptions, channels: list[tuple[int, Any]],
                     midnight: dt.datetime, rounds: int) -> int:
    if rounds <= 0:
        return 0
    step = dt.timedelta(days=1) / rounds
    async with open_context(settings, routing, CollectSettings(total_timeout=15.0)) as ctx:
        for k in range(rounds):
            with clock.fixed(midnight + k * step):
                await probes.probe_round(ctx.client, engine, channels)
    return rounds
