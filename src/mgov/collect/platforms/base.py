"""The adapter contract: one account in, its profile and recent posts out (`AccountCapture`),
every exchange archived through the collect context's client and WARC writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from mgov.collect.site import CollectContext
from mgov.errors import MgovError
from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import AccountProfile, CaptureStatus, Post

GROUP = "mgov.platforms"


@dataclass(frozen=True)
class AccountRef:
    """The registered account to read: its channel kind and address, and the registry's
    attributes that tell an adapter where to look (e.g. `feed_url`, `platform_base`,
    `article_list` - a file of article URLs -, `import_file`)."""

    kind: str
    address: str
    attributes: dict[str, Any] = field(default_factory=dict)
    # Ids of the posts mgov holds from earlier captures of this account within the window (the
    # capture kind may fill it): an adapter that can ask the platform about one post (Weibo's
    # statuses/show, an ActivityPub object's id) asks about those it did not see this time
    # and reports in `AccountCapture.deleted_ids` the ones the platform says are gone.
    known_post_ids: tuple[str, ...] = ()  # newest first
    # Posts mgov holds (`known_post_ids`) that were published before this time need not be read
    # again: the capture kind completes the evidence with them as it last kept them. An adapter
    # that reads newest first may stop at the first such post it reaches (not a pinned one), or
    # leave such a post's page unfetched, and then says so (`AccountCapture.known_reached`);
    # it asks about unseen known posts only among those newer than where it stopped. None:
    # read the whole window (the account's first capture, or its known posts are due again).
    reread_since: dt.datetime | None = None


@dataclass(frozen=True)
class CaptureLimits:
    """How much of an account one capture reads."""

    window_days: int = 30  # posts newer than this (the 14-day veto needs at least 14)
    max_posts: int = 100
    max_pages: int = 10  # pages of a timeline or outbox


@dataclass
class AccountCapture:
    """What an adapter read: the profile, the posts newest first, and how it went."""

    status: CaptureStatus
    profile: AccountProfile | None = None
    posts: list[Post] = field(default_factory=list)
    window_complete: bool = True
    error: str | None = None
    warc: list[WarcRef] = field(default_factory=list)
    # Posts the platform itself reports as deleted (a tombstone, "此微博已被删除").
    deleted_ids: list[str] = field(default_factory=list)
    # The adapter stopped at posts mgov holds that were published before AccountRef.reread_since
    # (window_complete is then False: the capture kind completes the window from its records).
    known_reached: bool = False


@dataclass
class FoundAccount:
    """An account a platform's search returned (for `mgov discover`)."""

    platform: str
    kind: str  # the channel kind it would be registered as
    address: str  # normalized as the registry would (registry.addresses)
    name: str
    url: str | None = None
    certification: str | None = None
    warc: list[WarcRef] = field(default_factory=list)


@runtime_checkable
class PlatformAdapter(Protocol):
    """A platform reader. `handles` says whether it reads this account (by kind, address and
    attributes); `capture` reads it; `search` (None when the platform offers none) finds
    accounts by a name."""

    name: str

    def handles(self, account: AccountRef) -> bool: ...

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture: ...


@runtime_checkable
class SearchingAdapter(PlatformAdapter, Protocol):
    async def search(self, query: str, ctx: CollectContext, limit: int = 20) -> list[FoundAccount]: ...


class PlatformLoadError(MgovError):
    """An entry point of the mgov.platforms group is broken."""


@cache
def all_adapters() -> tuple[PlatformAdapter, ...]:
    """Every registered adapter, in entry-point name order (the first that handles an account reads it)."""
    found: list[tuple[str, PlatformAdapter]] = []
    for ep in entry_points(group=GROUP):
        try:
            adapter = ep.load()
        except Exception as exc:
            raise PlatformLoadError(f"cannot load platform adapter {ep.name!r} ({ep.value}): {exc}") from exc
        if not isinstance(adapter, PlatformAdapter) or adapter.name != ep.name:
            raise PlatformLoadError(f"entry point {ep.name!r} ({ep.value}) is not a platform adapter named {ep.name!r}")
        found.append((ep.name, adapter))
    return tuple(a for _, a in sorted(found, key=lambda item: item[0]))


def adapter_for(account: AccountRef) -> PlatformAdapter | None:
    return next((a for a in all_adapters() if a.handles(account)), None)
