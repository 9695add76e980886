"""A run from start to finish: the one path the CLI, the demo and tests all take, for every
run kind (scan, crawl, or a plugin's)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from mgov.config import Settings
from mgov.errors import MgovError
from mgov.evidence.site import ChannelFacts
from mgov.runs import store
from mgov.runs.kinds import WEB_CHANNEL_KINDS, RunKind, kind_of
from mgov.runs.local import run_here
from mgov.runs.workers import run_workers

AUTO_WORKERS_FROM = 500  # below this, starting processes costs more than it brings


def start_run(engine: Engine, params: dict[str, Any]) -> int:
    """A new run, once its selection is known to match channels (no stuck empty runs)."""
    kind = params.get("kind", "scan")
    run_kind = kind_of(kind)
    with engine.begin() as conn:
        if not store.select_channels(conn, org=params["org"], kinds=params["kinds"], addresses=params["channels"],
                                     allowed=run_kind.channel_kinds, verb=kind):
            what = ("web channel" if run_kind.channel_kinds == WEB_CHANNEL_KINDS
                    else f"channel of kind {', '.join(sorted(run_kind.channel_kinds))}")
            raise MgovError(f"no registered {what} matches this selection: nothing to {kind}")
        return store.create_run(conn, params, kind=kind)


def resumable_run(engine: Engine, run_id: int | None, kind: str = "scan") -> int:
    with engine.connect() as conn:
        row = store.get_run(conn, run_id, unfinished=True, kind=kind)
    if row["kind"] != kind:
        raise MgovError(f"run {row['id']} is a {row['kind']} run: resume it with `mgov {row['kind']} --resume`")
    if row["status"] == "finished":
        raise MgovError(f"{kind} run {row['id']} is finished already: nothing to resume")
    return int(row["id"])


def execute_run(engine: Engine, settings: Settings, run_id: int, *, concurrency: int | None = None,
                workers: int | None = 1,
                on_start: Callable[[int, int], None] | None = None,
                on_channel: Callable[[ChannelFacts, dict[str, int]], None] | None = None,
                warc_prefix: str = "mgov") -> dict[str, Any]:
    """Run what run_id still lacks, mark it finished, and return its summary. warc_prefix
    names the WARC files this process writes (a cluster's worker: its own).

    workers > 1 shares the channels among that many processes (see runs.workers); None
    means one per core when at least AUTO_WORKERS_FROM channels are left, else one."""
    with engine.connect() as conn:
        params = store.get_run(conn, run_id)["params"]
        run_kind: RunKind = kind_of(params.get("kind", "scan"))
        channels = store.select_channels(conn, org=params["org"], kinds=params["kinds"],
                                         addresses=params["channels"], allowed=run_kind.channel_kinds,
                                         verb=run_kind.name)
        done = store.done_channels(conn, run_id)
    todo = [(cid, facts) for cid, facts in channels if cid not in done]
    concurrency = concurrency or run_kind.concurrency
    if on_start is not None:
        on_start(len(channels), len(channels) - len(todo))
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(todo) >= AUTO_WORKERS_FROM else 1
    if workers > 1 and len(todo) > 1:
        times = run_workers(engine.url.render_as_string(hide_password=False), settings, run_id, todo,
                            workers=workers, concurrency=concurrency, on_channel=on_channel)
    else:
        times = run_here(engine, settings, run_id, todo, concurrency=concurrency, on_channel=on_channel,
                         warc_prefix=warc_prefix)
    with engine.begin() as conn:
        store.finish_run(conn, run_id)
        summary = store.run_summary(conn, run_id)
    return {"run": run_id, "channels": len(channels), "resumed_from": len(channels) - len(todo),
            "summary": summary, "passes": times.as_dict()}
