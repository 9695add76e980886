"""The crawl as a run kind: the checks that need the crawl evidence, its limits, its
collector (one link checker and one analysis process for the whole run) and its saver."""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
from collections.abc import Iterator
from typing import Any

from mgov.collect.crawler import CrawlLimits
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.settings import CollectSettings
from mgov.content.rules import ContentRules
from mgov.crawl import store
from mgov.crawl.analysis import AnalysisPool
from mgov.crawl.collector import CrawlCollector
from mgov.crawl.documents import DocumentReader
from mgov.errors import MgovError
from mgov.evidence.site import CRAWL_KEY
from mgov.runs.kinds import RunKind, RunSetup
from mgov.runs.saver import ChannelSaver, Collector


def _limits(given: dict[str, Any]) -> dict[str, Any]:
    try:
        return dataclasses.asdict(CrawlLimits(**given))
    except TypeError as exc:
        raise MgovError(f"crawl limits: {exc}") from exc


def _collect_settings(params: dict[str, Any]) -> CollectSettings:
    return CollectSettings(per_host_limit=int(params.get("limits", {}).get("per_host", 4)))


@contextlib.contextmanager
def _open(setup: RunSetup) -> Iterator[tuple[Collector, ChannelSaver | None]]:
    with setup.engine.connect() as conn:
        known = store.histories(conn, (cid for cid, _ in setup.todo))
    by_address = {facts.address: known.get(cid) for cid, facts in setup.todo}
    content = setup.settings.content
    try:
        rules = ContentRules.from_mapping(content)
    except ValueError as exc:
        raise MgovError(f"the [content] rules of the configuration: {exc}") from exc
    # A second process parses pages while this one fetches: worth it with a core to spare,
    # and only in a run of one process (a worker process of --workers is one of several
    # already, and as a daemon it may not start processes of its own).
    alone = not mp.current_process().daemon
    pool = AnalysisPool(dict(content), rules) if alone and (os.cpu_count() or 1) > 1 else None
    reader = DocumentReader()  # its process starts with the run's first attachment
    collector = CrawlCollector(setup.context, LinkChecker(setup.context.client),
                               limits=CrawlLimits(**setup.params.get("limits", {})), rules=rules,
                               overrides=dict(content), history=lambda facts: by_address.get(facts.address),
                               pool=pool, reader=reader)
    try:
        yield collector, store.CrawlSaver(collector)
    finally:
        collector.close()
        reader.close()
        if pool is not None:
            pool.close()


CRAWL = RunKind(name="crawl", opener=_open, concurrency=20, evidence=frozenset({CRAWL_KEY}),
                limits=_limits, collect_settings=_collect_settings)
