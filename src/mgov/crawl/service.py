"""What a crawl run adds to the scan machinery: its collector and its saver."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from mgov.collect.crawler import CrawlLimits
from mgov.collect.evidence import ChannelFacts
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.site import CollectContext
from mgov.config import Settings
from mgov.content.rules import ContentRules
from mgov.errors import MgovError
from mgov.crawl import store
from mgov.crawl.analysis import AnalysisPool
from mgov.crawl.collector import crawl_collector
from mgov.scan.runner import Collector


@contextlib.contextmanager
def crawl_setup(engine: Engine, settings: Settings, params: dict[str, Any], ctx: CollectContext,
                todo: list[tuple[int, ChannelFacts]]) -> Iterator[tuple[Collector, store.CrawlSaver]]:
    """The collector (one link checker and one analysis process for the whole run) and the
    saver of a crawl run."""
    with engine.connect() as conn:
        known = store.histories(conn, (cid for cid, _ in todo))
    by_address = {facts.address: known.get(cid) for cid, facts in todo}
    try:
        rules = ContentRules.from_mapping(settings.content)
    except ValueError as exc:
        raise MgovError(f"the [content] rules of the configuration: {exc}") from exc
    # A second process parses pages while this one fetches: worth it with a core to spare,
    # and only in a run of one process (a worker process of --workers is one of several
    # already, and as a daemon it may not start processes of its own).
    alone = not mp.current_process().daemon
    pool = AnalysisPool(dict(settings.content), rules) if alone and (os.cpu_count() or 1) > 1 else None
    try:
        yield crawl_collector(ctx, LinkChecker(ctx.client), limits=CrawlLimits(**params.get("limits", {})),
                              rules=rules, overrides=dict(settings.content), history=lambda facts: by_address.get(facts.address),
                              pool=pool), store.CrawlSaver()
    finally:
        if pool is not None:
            pool.close()
