"""A scan run from start to finish: the one path the CLI, the demo and tests all take."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from mgov.checks.base import Check
from mgov.checks.plugins import select
from mgov.collect.evidence import CRAWL_KEY, ChannelFacts
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.registry.addresses import normalize_url
from mgov.scan import store
from mgov.scan.collector import RoutingOptions, open_context, site_collector
from mgov.scan.runner import run_scan

AUTO_WORKERS_FROM = 500  # below this, starting processes costs more than it brings


def scan_params(*, org: str | None = None, kinds: list[str] | None = None, channels: list[str] | None = None,
                checks: list[str] | None = None, routing: RoutingOptions | None = None, kind: str = "scan",
                limits: dict[str, Any] | None = None, profile: str | None = None,
                profile_dirs: list[Any] | None = None) -> dict[str, Any]:
    """What a run is asked, validated, in the form stored with the run. kind "crawl" runs
    the checks that need the crawl (and takes crawl limits); "scan" the others. With a
    profile, the checks it binds (and those named) run with each of its indicators'
    parameters: `variants` (check id -> the parameter sets; {} the check's own)."""
    named = list(dict.fromkeys(c.strip() for c in checks or [] if c.strip()))
    variants: dict[str, list[dict[str, Any]]] = {}
    if profile:
        bound, variants = profile_checks(profile, kind, profile_dirs)
        if not bound:
            raise MgovError(f"profile {profile} binds no {kind} check")
        named = list(dict.fromkeys([*bound, *named]))
    params = {"kind": kind, "org": org, "kinds": kinds or [], "channels": [normalize_url(c) for c in channels or []],
              "checks": named, "routing": (routing or RoutingOptions()).as_dict(), "profile": profile,
              "variants": variants}
    if kind == "crawl":
        from mgov.collect.crawler import CrawlLimits

        params["limits"] = dataclasses.asdict(CrawlLimits(**(limits or {})))
    checks_of(params)  # unknown or misplaced check ids are refused before anything starts
    RoutingOptions(**params["routing"]).routing()  # so are malformed routing options
    return params


def profile_checks(profile_id: str, kind: str = "scan",
                   dirs: list[Any] | None = None) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
    """The checks a guideline profile binds that a run of kind ("scan" or "crawl") runs, and
    for those its indicators bind with parameters, every parameter set ({}: the check's own),
    so the daily monitoring judges what an assessment with that profile reads."""
    from mgov.profiles import load

    indicators = [i for i in load(profile_id, dirs=dirs or []).indicators if i.check]
    wanted = {c.id for c in select(list(dict.fromkeys(i.check for i in indicators)))
              if (CRAWL_KEY in c.needs) == (kind == "crawl")}
    checks = [c for c in dict.fromkeys(i.check for i in indicators) if c in wanted]
    sets: dict[str, dict[str | None, dict[str, Any]]] = {}
    for ind in indicators:
        if ind.check in wanted:
            sets.setdefault(ind.check, {})[ind.variant] = dict(ind.params)
    variants = {check: list(by_key.values()) for check, by_key in sets.items() if set(by_key) != {None}}
    return checks, variants


def checks_of(params: dict[str, Any]) -> list[Check]:
    """The checks a run runs: those named, else every check of its kind."""
    kind = params.get("kind", "scan")
    chosen = select(params["checks"])
    if not params["checks"]:
        return [c for c in chosen if (CRAWL_KEY in c.needs) == (kind == "crawl")]
    misplaced = [c.id for c in chosen if kind == "scan" and CRAWL_KEY in c.needs]
    if misplaced:
        raise MgovError(f"{', '.join(misplaced)} judge(s) a site crawl: run them with `mgov crawl`")
    return chosen


def start_run(engine: Engine, params: dict[str, Any]) -> int:
    """A new run, once its selection is known to match channels (no stuck empty runs)."""
    with engine.begin() as conn:
        if not store.select_channels(conn, org=params["org"], kinds=params["kinds"], addresses=params["channels"]):
            raise MgovError(f"no registered web channel matches this selection: nothing to {params.get('kind', 'scan')}")
        return store.create_run(conn, params, kind=params.get("kind", "scan"))


def resumable_run(engine: Engine, run_id: int | None, kind: str = "scan") -> int:
    with engine.connect() as conn:
        row = store.get_run(conn, run_id, unfinished=True, kind=kind)
    if row["kind"] != kind:
        raise MgovError(f"run {row['id']} is a {row['kind']} run: resume it with `mgov {row['kind']} --resume`")
    if row["status"] == "finished":
        raise MgovError(f"{kind} run {row['id']} is finished already: nothing to resume")
    return int(row["id"])


DEFAULT_CONCURRENCY = {"scan": 150, "crawl": 20}  # channels at once: a crawl is many fetches long


def execute_run(engine: Engine, settings: Settings, run_id: int, *, concurrency: int | None = None,
                workers: int | None = 1,
                on_start: Callable[[int, int], None] | None = None,
                on_channel: Callable[[ChannelFacts, dict[str, int]], None] | None = None) -> dict[str, Any]:
    """Scan what run_id still lacks, mark it finished, and return its summary.

    workers > 1 shares the channels among that many processes (see scan.workers); None
    means one per core when at least AUTO_WORKERS_FROM channels are left, else one."""
    with engine.connect() as conn:
        params = store.get_run(conn, run_id)["params"]
        channels = store.select_channels(conn, org=params["org"], kinds=params["kinds"],
                                         addresses=params["channels"])
        done = store.done_channels(conn, run_id)
    todo = [(cid, facts) for cid, facts in channels if cid not in done]
    concurrency = concurrency or DEFAULT_CONCURRENCY.get(params.get("kind", "scan"), 150)
    if on_start is not None:
        on_start(len(channels), len(channels) - len(todo))
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(todo) >= AUTO_WORKERS_FROM else 1
    if workers > 1 and len(todo) > 1:
        from mgov.scan.workers import run_workers

        run_workers(engine.url.render_as_string(hide_password=False), settings, run_id, todo, workers=workers, concurrency=concurrency, on_channel=on_channel)
    else:
        scan_channels(engine, settings, run_id, todo, concurrency=concurrency, on_channel=on_channel)
    with engine.begin() as conn:
        store.finish_run(conn, run_id)
        summary = store.run_summary(conn, run_id)
    return {"run": run_id, "channels": len(channels), "resumed_from": len(channels) - len(todo),
            "summary": summary}


def scan_channels(engine: Engine, settings: Settings, run_id: int, todo: list[tuple[int, ChannelFacts]], *,
                  concurrency: int, on_channel: Callable[[ChannelFacts, dict[str, int]], None] | None) -> None:
    """Collect, judge and commit the given channels of run_id in this process."""
    with engine.connect() as conn:
        params = store.get_run(conn, run_id)["params"]
    options = RoutingOptions(**params["routing"])
    checks = checks_of(params)
    variants = params.get("variants") or {}

    collect_settings = None
    if params.get("kind") == "crawl":
        from mgov.collect.settings import CollectSettings

        collect_settings = CollectSettings(per_host_limit=int(params.get("limits", {}).get("per_host", 4)))

    async def go() -> None:
        async with open_context(settings, options, collect_settings) as ctx:
            if params.get("kind") == "crawl":
                from mgov.crawl.service import crawl_setup

                with crawl_setup(engine, settings, params, ctx, todo) as (collect, saver):
                    await run_scan(engine, run_id, todo, checks, collect, concurrency=concurrency,
                                   on_channel=on_channel, saver=saver, variants=variants)
            else:
                await run_scan(engine, run_id, todo, checks, site_collector(ctx),
                               concurrency=concurrency, on_channel=on_channel, variants=variants)

    _trim_tls_read_buffers()
    asyncio.run(go())


def _trim_tls_read_buffers(size: int = 64 * 1024) -> None:
    """asyncio gives every TLS connection a 256 KiB read buffer, filled at once
    (SSLProtocol.max_size); a scan holds hundreds of connections, so this was most of its
    RSS. 64 KiB is four full TLS records. Process-wide: only ever lowered, never raised."""
    import asyncio.sslproto

    if getattr(asyncio.sslproto.SSLProtocol, "max_size", 0) > size:
        asyncio.sslproto.SSLProtocol.max_size = size
