"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of any account (an agency's news feed, a
platform's RSS, an RSSHub route), read from the channel attribute `feed_url`.

One GET through the collect client (paced, archived, the body cap applying); the bytes are
parsed here (collect.platforms.feed_items), never fetched by feedparser. The profile is the
feed's title, link, description and image; the posts its items in the window, newest first,
up to `max_posts`. Outcomes: 404/410 NOT_FOUND (the feed is gone); a refusal, an HTML page or
bytes that are no feed UNREACHABLE; a feed cut at the body cap PARTIAL (its first items read);
a feed whose items carry no dates OK with `window_complete` False and the fact in `error`
(their age cannot be told, so the window cannot be known to be whole).
"""

from __future__ import annotations

import asyncio
import datetime as dt

from mgov.collect.client import OFF_LOOP_BYTES
from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits
from mgov.collect.platforms.feed_items import PLATFORM, NotAFeed, ParsedFeed, parse_json_feed, parse_xml
from mgov.collect.platforms.fetching import PlatformFailure, Reader, guarded_capture, read_json, window_start
from mgov.collect.site import CollectContext
from mgov.evidence.exchange import Exchange
from mgov.evidence.newmedia import CaptureStatus, Post

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
               "text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
_OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)


async def parse(ex: Exchange) -> ParsedFeed:
    """The feed an exchange carries (JSON Feed by its media type or first byte, else XML)."""
    content_type = ex.header("Content-Type")
    head = ex.body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    try:
        if "json" in (content_type or "").lower() or head == b"{":
            return parse_json_feed(await read_json(ex), ex.url, ex.response_ref)
        if "html" in (content_type or "").lower() and b"<rss" not in ex.body[:4096] and b"<feed" not in ex.body[:4096]:
            raise NotAFeed(f"an HTML page ({content_type}), not a feed")
        if len(ex.body) > OFF_LOOP_BYTES:  # parsing a large feed is CPU work: not on the shared loop
            return await asyncio.to_thread(parse_xml, ex.body, ex.url, content_type, ex.response_ref)
        return parse_xml(ex.body, ex.url, content_type, ex.response_ref)
    except NotAFeed as exc:
        raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{ex.url}: {exc}") from exc


def in_window(posts: list[Post], limits: CaptureLimits, now: dt.datetime) -> tuple[list[Post], bool]:
    """The posts of the window, newest first (undated ones after the dated, in the feed's
    order), at most max_posts; and whether the window is whole (a post older than it seen)."""
    start = window_start(now, limits.window_days)
    dated = sorted((p for p in posts if p.published is not None), key=lambda p: p.published or _OLDEST, reverse=True)
    undated = [p for p in posts if p.published is None]
    kept = [p for p in dated if p.published is not None and p.published >= start] + undated
    complete = (not posts or len(kept) < len(posts)) and not undated and len(kept) <= limits.max_posts
    return kept[:max(0, limits.max_posts)], complete


class FeedAdapter:
    name = PLATFORM

    def handles(self, account: AccountRef) -> bool:
        return bool(account.attributes.get("feed_url")) and not account.attributes.get("import_file")

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture:
        reader = Reader(ctx)
        return await guarded_capture(reader, lambda: self._capture(account, reader, limits, now))

    async def _capture(self, account: AccountRef, reader: Reader, limits: CaptureLimits,
                       now: dt.datetime) -> AccountCapture:
        url = str(account.attributes.get("feed_url") or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            return AccountCapture(status=CaptureStatus.ERROR, error=f"feed_url {url!r} is not an http(s) URL")
        ex = await reader.get(url, accept=FEED_ACCEPT)
        feed = await parse(ex)
        posts, complete = in_window(feed.posts, limits, now)
        notes: list[str] = []
        status = CaptureStatus.OK
        if ex.truncated:
            status, complete = CaptureStatus.PARTIAL, False
            notes.append(f"the feed was cut at the body cap ({len(ex.body)} bytes): its first items read")
        elif feed.problem:
            notes.append(f"the feed is not well-formed, read leniently: {feed.problem}")
        if feed.posts and all(p.published is None for p in feed.posts):
            notes.append("the feed's items carry no dates: their age cannot be told")
        return AccountCapture(status=status, profile=feed.profile, posts=posts, window_complete=complete,
                              error="; ".join(notes) or None)


ADAPTER = FeedAdapter()
