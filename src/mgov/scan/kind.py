"""The scan: each channel's homepage, transport, DNS and files, collected by collect_site
and judged by every check that needs no other pass (the default run kind)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mgov.collect.site import CollectContext, collect_site
from mgov.evidence.site import ChannelFacts, SiteEvidence
from mgov.runs.kinds import RunKind, RunSetup
from mgov.runs.saver import ChannelSaver, Collector


def site_collector(ctx: CollectContext) -> Collector:
    async def collect(facts: ChannelFacts, needs: set[str]) -> SiteEvidence:
        return await collect_site(facts, needs, ctx)

    return collect


@contextmanager
def _open(setup: RunSetup) -> Iterator[tuple[Collector, ChannelSaver | None]]:
    yield site_collector(setup.context), None


SCAN = RunKind(name="scan", opener=_open, concurrency=150)
