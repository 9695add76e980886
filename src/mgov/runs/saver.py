"""What a run kind hands the runner besides its checks: the collector and the saver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import Connection

from mgov.evidence.site import ChannelFacts, SiteEvidence

Collector = Callable[[ChannelFacts, set[str]], Awaitable[SiteEvidence]]


class ChannelSaver(Protocol):
    """More of a channel to store in the transaction of its findings (a crawl's link graph)."""

    def keep(self, evidence: SiteEvidence) -> Any:
        """What to hold until the commit, taken when the channel's evidence arrives (the
        evidence itself is let go once judged)."""

    def save(self, conn: Connection, run_id: int, channel_id: int, kept: Any) -> None: ...

    def release(self, kept: Any) -> None:
        """After the commit, or when it failed: free what keep() held (temporary files)."""
