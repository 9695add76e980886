"""A run's channels collected, judged and committed in this process (one event loop)."""

from __future__ import annotations

import asyncio
import asyncio.sslproto
from collections.abc import Callable

from sqlalchemy import Engine

from mgov.config import Settings
from mgov.evidence.site import ChannelFacts
from mgov.runs import index_store, store
from mgov.runs.confirm import PassTimes, RecheckPolicy
from mgov.runs.context import RoutingOptions, open_context
from mgov.runs.judging import Judge
from mgov.runs.kinds import RunSetup, kind_of
from mgov.runs.runner import run_channels
from mgov.runs.select import checks_of

OnChannel = Callable[[ChannelFacts, dict[str, int]], None]
JUDGE_PROCESS_FROM = 20  # channels


def run_here(engine: Engine, settings: Settings, run_id: int, todo: list[tuple[int, ChannelFacts]], *,
             concurrency: int, on_channel: OnChannel | None, warc_prefix: str = "mgov") -> PassTimes:
    """Collect, judge and commit the given channels of run_id in this process; what its
    first pass and its re-check took."""
    with engine.connect() as conn:
        params = store.get_run(conn, run_id)["params"]
    run_kind = kind_of(params.get("kind", "scan"))
    options = RoutingOptions(**params["routing"])
    checks = checks_of(params)
    variants = params.get("variants") or {}
    collect_settings = run_kind.collect_settings(params) if run_kind.collect_settings is not None else None

    # Judging in a process of its own pays off past its start-up (about half a second).
    judge = Judge(checks, {}, variants, process=None if len(todo) >= JUDGE_PROCESS_FROM else False)

    async def go() -> PassTimes:
        async with open_context(settings, options, collect_settings, warc_prefix=warc_prefix) as ctx:
            if ctx.warc is not None:  # identical responses of these channels' recent captures become revisits
                with engine.connect() as conn:
                    ctx.warc.seed_originals(index_store.originals(conn, [cid for cid, _ in todo]))
            with run_kind.opener(RunSetup(engine, settings, params, ctx, todo)) as (collect, saver):
                return await run_channels(engine, run_id, todo, checks, collect, concurrency=concurrency,
                                   on_channel=on_channel, saver=saver, variants=variants, judge=judge,
                                   recheck=RecheckPolicy(**settings.recheck.model_dump()), archive=ctx.warc)

    try:
        _trim_tls_read_buffers()
        return asyncio.run(go())
    finally:
        judge.close()


def _trim_tls_read_buffers(size: int = 64 * 1024) -> None:
    """asyncio gives every TLS connection a 256 KiB read buffer, filled at once
    (SSLProtocol.max_size); a scan holds hundreds of connections, so this was most of its
    RSS. 64 KiB is four full TLS records. Process-wide: only ever lowered, never raised."""
    if getattr(asyncio.sslproto.SSLProtocol, "max_size", 0) > size:
        asyncio.sslproto.SSLProtocol.max_size = size
