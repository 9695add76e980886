"""The capture pass as a run kind: registered accounts (wechat_account, weibo_account,
other_social, mini_program) read by their platform adapters, the checks that need the
`newmedia` evidence, its limits (the window of posts read), one link checker per run, and
its saver (profile versions, posts, post versions, changes)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from mgov import clock
from mgov.collect.linkcheck import LinkChecker
from mgov.collect.platforms.base import CaptureLimits
from mgov.collect.settings import CollectSettings
from mgov.errors import MgovError
from mgov.evidence.newmedia import NEWMEDIA_KEY, Post
from mgov.newmedia import store
from mgov.newmedia.collector import CaptureCollector
from mgov.registry import vocab
from mgov.runs.kinds import RunKind, RunSetup
from mgov.runs.saver import ChannelSaver, Collector

MARGIN_DAYS = 7  # stored posts a little older than the window are read too (a late edit of one)


@dataclasses.dataclass(frozen=True)
class CaptureRunLimits:
    """What a capture run is given (stored with the run, so --resume reads the same)."""

    window_days: int = 30  # posts newer than this (the 14-day veto needs at least 14)
    max_posts: int = 100
    max_pages: int = 10
    import_file: str | None = None  # `mgov capture --import FILE`: the one channel's posts from this file
    platform_rate: float = 2.0  # requests a second to one platform host, the whole run together
    # Posts held from an earlier capture and older than this many days are not read again (an
    # account's timeline is read down to them, its known articles' pages left unfetched); they
    # are judged as mgov last kept them. 0: every post of the window is read every time.
    reread_days: int = 7

    def capture_limits(self) -> CaptureLimits:
        return CaptureLimits(window_days=self.window_days, max_posts=self.max_posts, max_pages=self.max_pages)


def limits_of(given: dict[str, Any]) -> CaptureRunLimits:
    try:
        limits = CaptureRunLimits(**given)
    except TypeError as exc:
        raise MgovError(f"capture limits: {exc}") from exc
    if limits.reread_days < 0:
        raise MgovError("capture limits: reread_days is a number of days, 0 or more")
    if min(limits.window_days, limits.max_posts, limits.max_pages) < 1:
        raise MgovError("capture limits: window_days, max_posts and max_pages are at least 1")
    if not limits.platform_rate > 0:
        raise MgovError("capture limits: platform_rate is a positive number of requests a second")
    return limits


def _limits(given: dict[str, Any]) -> dict[str, Any]:
    return dataclasses.asdict(limits_of(given))


@contextlib.contextmanager
def _open(setup: RunSetup) -> Iterator[tuple[Collector, ChannelSaver | None]]:
    limits = limits_of(setup.params.get("limits") or {})
    since = clock.now() - dt.timedelta(days=limits.window_days + MARGIN_DAYS)
    with setup.engine.connect() as conn:
        by_id = store.load_states(conn, (cid for cid, _ in setup.todo), since)
    states = {(facts.kind, facts.address): by_id[cid] for cid, facts in setup.todo}

    def texts(channel_id: int, post_ids: list[str]) -> dict[str, str]:
        with setup.engine.connect() as conn:
            return store.newest_texts(conn, channel_id, post_ids)

    def stored(channel_id: int, post_ids: list[str]) -> list[Post]:
        with setup.engine.connect() as conn:
            return store.stored_posts(conn, channel_id, post_ids)

    yield (CaptureCollector(setup.context, LinkChecker(setup.context.client), limits.capture_limits(), states,
                            import_file=limits.import_file, texts=texts, stored=stored,
                            reread_days=limits.reread_days),
           store.CaptureSaver())


def _collect_settings(params: dict[str, Any]) -> CollectSettings:
    return CollectSettings(platform_rate=limits_of(params.get("limits") or {}).platform_rate)


CAPTURE = RunKind(name="capture", opener=_open, concurrency=50, evidence=frozenset({NEWMEDIA_KEY}), limits=_limits,
                  collect_settings=_collect_settings, channel_kinds=vocab.ACCOUNT_KINDS)
