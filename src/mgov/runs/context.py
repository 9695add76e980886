"""Opening the collect layer for a run or a command: routing from options, the archive from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext
from mgov.config import Settings


@dataclass
class RoutingOptions:
    """The routing options every fetching command takes, as given (stored with a run)."""

    connect_to: list[str] = field(default_factory=list)
    dns: str | None = None
    ca_bundle: str | None = None
    allow_private: bool = False

    def routing(self) -> Routing:
        return Routing.from_options(connect_to=self.connect_to, dns=self.dns, ca_bundle=self.ca_bundle,
                                    allow_private=self.allow_private)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def given(cls, settings: Settings, connect_to: list[str] | None = None, dns: str | None = None,
              ca_bundle: str | None = None, allow_private: bool = False) -> RoutingOptions:
        """A command's flags over the installation's [routing] and allow_private."""
        return cls(connect_to=list(connect_to or settings.routing.connect_to), dns=dns or settings.routing.dns,
                   ca_bundle=ca_bundle or settings.routing.ca_bundle,
                   allow_private=allow_private or settings.allow_private)


@asynccontextmanager
async def open_context(settings: Settings, options: RoutingOptions,
                       collect: CollectSettings | None = None, *, warc_prefix: str = "mgov",
                       ) -> AsyncIterator[CollectContext]:
    archive = settings.resolved_archive_dir
    archive.mkdir(parents=True, exist_ok=True)
    # Pages behind a bad certificate are still collected (the TLS checks judge the certificate),
    # so one defect does not hide every other verdict on the site. With a cluster, the
    # politeness limits hold across its workers (collect.pace).
    collect = replace(collect or CollectSettings(), tls_fallback=True,
                      shared_limits=settings.cluster.limits_url if settings.cluster.configured else None)
    ctx = CollectContext.create(archive, routing=options.routing(), settings=collect, warc_prefix=warc_prefix)
    try:
        yield ctx
    finally:
        await ctx.aclose()

