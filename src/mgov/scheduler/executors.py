"""The job kinds the act floor cannot run itself, as executors of its JobRunner: a round of
availability probes (mgov.scan.probes, as `mgov probe --once`) and an archive audit
(mgov.archive.service.verify, as `mgov archive verify`); a crawl's captures indexed for
search after it (mgov.search, as `mgov crawl` does); and the runner that has them."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import Engine

from mgov.act.job_runner import AfterRun, Executor, HandOff, JobRunner
from mgov.archive import service as archive_service
from mgov.collect.settings import CollectSettings
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.runs import store
from mgov.runs.context import RoutingOptions, open_context
from mgov.scan import probes
from mgov.search.service import index_pending

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 15.0  # seconds before a probe counts as failed (`mgov probe`'s default)


def probe(engine: Engine, settings: Settings, routing: RoutingOptions, job: dict[str, Any]) -> dict[str, Any]:
    """One probe round over the job's target; each probe stored."""
    one = job["channel_id"] is not None
    with engine.connect() as conn:
        channels = store.select_channels(conn, org=None if one else job["organization"],
                                         addresses=[job["address"]] if one else ())

    async def go() -> int:
        async with open_context(settings, routing, CollectSettings(total_timeout=PROBE_TIMEOUT),
                                warc_prefix=job.get("warc_prefix", "mgov")) as cctx:
            _, ok = await probes.probe_round(cctx.client, engine, channels)
            return ok

    answered = asyncio.run(go())
    return {"probes": len(channels), "answered": answered, "done": len(channels), "total": len(channels)}


def archive_audit(engine: Engine, settings: Settings, routing: RoutingOptions, job: dict[str, Any]) -> dict[str, Any]:
    """Verify the archive's files (a sample when the entry says so); a damaged archive fails the job."""
    result = archive_service.verify(engine, settings.resolved_archive_dir, None, sample=job["params"].get("sample"))
    problems = len(result.problems) + (1 if result.manifest else 0)
    if not result.ok:
        raise MgovError(f"the archive is damaged: {problems} problem(s); see `mgov archive verify`")
    files = len(result.files)
    return {"files": files, "records": sum(f.records for f in result.files), "bytes": result.bytes,
            "done": files, "total": files}


EXECUTORS: dict[str, Executor] = {"probe": probe, "archive_audit": archive_audit}


def searchable(engine: Engine, settings: Settings) -> AfterRun:
    """After a crawl, its captures indexed for search (as `mgov crawl` does)."""

    def after(kind: str, run_id: int) -> None:
        if kind == "crawl":
            counts = index_pending(engine, settings.resolved_archive_dir)
            log.info("run %s: %d capture(s) indexed for search", run_id, counts.indexed)

    return after


def job_runner(engine: Engine, settings: Settings, *, routing: RoutingOptions | None = None,
               warc_prefix: str = "mgov", processes: int | None = None,
               hand_off: HandOff | None = None) -> JobRunner:
    """A jobs runner that runs every job kind (a run's channels handed off, when given one), a
    crawl's captures indexed for search after it."""
    return JobRunner(engine, settings, routing=routing, executors=EXECUTORS, warc_prefix=warc_prefix,
                     processes=processes, hand_off=hand_off, after_run=searchable(engine, settings))
