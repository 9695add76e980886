"""The capture pass's collector: one account read by its platform adapter, then completed with
what only mgov's records know (read by the run's setup): the previous profile, edits and
deletions against the stored versions, identity changes against the previous capture and
the registry, the siblings, and every link of its posts and menus checked (one link checker
per run, cached)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from mgov import clock
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits, PlatformAdapter, adapter_for
from mgov.collect.platforms.import_file import ADAPTER as IMPORT_ADAPTER
from mgov.collect.platforms.import_file import platform_name
from mgov.collect.site import CollectContext
from mgov.collect.warc import ArchiveError
from mgov.evidence.newmedia import (
    AccountProfile,
    CaptureStatus,
    ChangeKind,
    LinkOutcome,
    NewMediaEvidence,
    Post,
)
from mgov.evidence.site import ChannelFacts, SiteEvidence
from mgov.newmedia.identity import profile_changes, registry_identity
from mgov.newmedia.store import ChannelState
from mgov.newmedia.versions import post_changes, read_whole_since
from mgov.registry.addresses import platform_of

LINKS_PER_ACCOUNT = 500  # links of one account's posts and menus checked at most
KNOWN_IDS_PER_ACCOUNT = 300  # post ids an adapter is told mgov holds (it may ask about the unseen ones)
LINK_SLOTS = 8  # of one account at once (the client's per-host limit stays in force)
OK_OUTCOMES = frozenset({"ok", "redirect"})
# Outcomes that may be a passing fault (or mgov's failure to tell): a check confirms before failing.
TRANSIENT = frozenset({"5xx", "timeout", "connection", "error"})
Texts = Callable[[int, list[str]], dict[str, str]]  # channel id, post ids -> newest stored texts
Stored = Callable[[int, list[str]], list[Post]]  # channel id, post ids -> their newest stored versions


class CaptureCollector:
    def __init__(self, ctx: CollectContext, checker: LinkChecker, limits: CaptureLimits,
                 states: dict[tuple[str, str], ChannelState], *, import_file: str | None = None,
                 texts: Texts | None = None, stored: Stored | None = None, reread_days: int = 0) -> None:
        self.ctx, self.checker, self.limits, self.states = ctx, checker, limits, states
        self.import_file = import_file  # `mgov capture --import FILE`: this file, for the run's one channel
        self.texts = texts
        self.stored = stored
        # Posts mgov holds that are older than this many days are not read again when the account
        # was captured before (0: every post of the window is read each time).
        self.reread_days = reread_days

    async def __call__(self, facts: ChannelFacts, needs: set[str]) -> SiteEvidence:
        now = clock.now()
        state = self.states.get((facts.kind, facts.address)) or ChannelState(0)
        return SiteEvidence(channel=facts, collected_at=now, newmedia=await self.capture(facts, state, now))

    def adapter(self, account: AccountRef) -> PlatformAdapter | None:
        return IMPORT_ADAPTER if self.import_file else adapter_for(account)

    async def capture(self, facts: ChannelFacts, state: ChannelState, now: dt.datetime) -> NewMediaEvidence:
        attributes = dict(facts.attributes)
        if self.import_file:
            attributes["import_file"] = self.import_file
        # The posts mgov holds of the window, newest first: an adapter that can ask about one post
        # asks about those it does not see this time (a deletion the platform confirms).
        window_start = now - dt.timedelta(days=self.limits.window_days)
        held = sorted(((pid, p.published) for pid, p in state.posts.items()
                       if not p.deleted and (p.published is None or p.published >= window_start)),
                      key=lambda item: item[1] or now, reverse=True)
        held = held[:KNOWN_IDS_PER_ACCOUNT]
        reread_since = (now - dt.timedelta(days=self.reread_days)
                        if held and state.previous_seen is not None and self.stored is not None
                        and 0 < self.reread_days < self.limits.window_days else None)
        account = AccountRef(facts.kind, facts.address, attributes, known_post_ids=tuple(pid for pid, _ in held),
                             reread_since=reread_since)
        adapter = self.adapter(account)
        if adapter is None:
            return NewMediaEvidence(platform=platform_of(facts.kind, facts.address), status=CaptureStatus.UNSUPPORTED,
                                    captured_at=now, previous_profile=state.previous, siblings=list(state.siblings),
                                    error=f"no platform adapter reads {facts.kind} {facts.address}: give it an "
                                          "import file (channel attribute import_file, or mgov capture --import)")
        try:
            cap = await adapter.capture(account, self.ctx, self.limits, now)
        except ArchiveError:
            raise  # the run's failure (the archive cannot be written): stop, resumable
        except Exception as exc:  # noqa: BLE001 - one account's broken capture must not stop the run
            cap = AccountCapture(CaptureStatus.ERROR, error=f"{adapter.name}: {type(exc).__name__}: {exc}")
        kept = await self._complete(cap, state, window_start, reread_since)
        platform = (cap.profile.platform if cap.profile else
                    f"import:{platform_name(account)}" if adapter is IMPORT_ADAPTER else adapter.name)
        ev = NewMediaEvidence(platform=platform, status=cap.status,
                              captured_at=now, source="import" if adapter is IMPORT_ADAPTER else "live",
                              profile=cap.profile, posts=list(cap.posts), window_complete=cap.window_complete,
                              previous_profile=state.previous, siblings=list(state.siblings), error=cap.error,
                              warc=list(cap.warc), window_days=self.limits.window_days, kept_post_ids=kept)
        since = read_whole_since(cap.status, cap.posts, cap.window_complete, self.limits.window_days, now)
        ev.changes = post_changes(state.posts, cap.posts, cap.deleted_ids, since, now)
        await self._before_texts(ev, state)
        ev.profile_changes = profile_changes(cap.profile, state.previous, state.previous_seen,
                                             registry_identity(state.name, facts.attributes), state.events, now)
        ev.links = await self.links(cap.profile, cap.posts)
        return ev

    async def _complete(self, cap: AccountCapture, state: ChannelState, window_start: dt.datetime,
                        reread_since: dt.datetime | None) -> list[str]:
        """An adapter that stopped at the known posts older than reread_since: the window's
        posts it did not read again, as mgov last kept them (the window then read whole). A
        capture that was not `ok` is left as it is (it judges absence nothing)."""
        if not cap.known_reached or reread_since is None or cap.status is not CaptureStatus.OK or not self.stored:
            return []
        read = {p.post_id for p in cap.posts} | set(cap.deleted_ids)
        ids = [pid for pid, p in state.posts.items()
               if pid not in read and not p.deleted and p.published is not None
               and window_start <= p.published < reread_since]
        kept = await asyncio.to_thread(self.stored, state.channel_id, ids) if ids else []
        cap.posts = sorted([*cap.posts, *kept], key=lambda p: p.published or window_start, reverse=True)
        cap.window_complete = True
        return [p.post_id for p in kept]

    async def _before_texts(self, ev: NewMediaEvidence, state: ChannelState) -> None:
        """The previous version's text of each edited or deleted post, for the finding."""
        ids = [c.post_id for c in ev.changes if c.kind in (ChangeKind.EDITED, ChangeKind.DELETED)]
        if not ids or self.texts is None or not state.channel_id:
            return
        texts = await asyncio.to_thread(self.texts, state.channel_id, ids)
        for change in ev.changes:
            change.before_text = texts.get(change.post_id) if change.post_id in ids else change.before_text

    async def links(self, profile: AccountProfile | None, posts: list[Post]) -> list[LinkOutcome]:
        wanted: list[tuple[str, str, str | None]] = [(url, "post", p.post_id) for p in posts for url in p.links]
        if profile is not None:
            wanted += [(m.url, "menu", None) for m in profile.menus if m.url]
        wanted = [w for w in dict.fromkeys(wanted) if w[0].lower().startswith(("http://", "https://"))]
        gate = asyncio.Semaphore(LINK_SLOTS)

        async def one(url: str, where: str, post_id: str | None) -> LinkOutcome:
            async with gate:
                got = await self.checker.check(url)
            ok = got.outcome in OK_OUTCOMES
            return LinkOutcome(url=url, status=got.status, ok=ok, error=None if ok else got.outcome,
                               transient=got.outcome in TRANSIENT, where=where, post_id=post_id)

        return list(await asyncio.gather(*(one(*w) for w in wanted[:LINKS_PER_ACCOUNT])))
