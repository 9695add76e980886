"""What a new-media capture saw of one account: the contract between the platform adapters
(collect layer), the capture run kind that stores posts with their versions, and the
`newmedia.*` checks.

An adapter reads an account's profile and its recent posts from what the platform publishes
(a feed, an ActivityPub outbox, Weibo's mobile JSON, WeChat article pages) or from a file an
office supplies (the generic import). The capture kind adds what only mgov's records know:
the account's previous profile, the posts' earlier versions (edits and deletions), and the
outcome of every link the posts and menus carry. Checks read `NewMediaEvidence` and nothing
else. Engagement counts (followers, likes) are descriptions, never indicators.
Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mgov.evidence.exchange import WarcRef

NEWMEDIA_KEY = "newmedia"  # the evidence key the capture pass produces (a run kind's own)


class CaptureStatus(StrEnum):
    OK = "ok"  # profile and posts read
    PARTIAL = "partial"  # some of it read (a page of posts failed, a budget ran out): judged as far as seen
    NOT_FOUND = "not_found"  # the platform says the account does not exist (or was closed): the account's fact
    UNREACHABLE = "unreachable"  # the platform did not answer usably: mgov's failure to observe
    UNSUPPORTED = "unsupported"  # no adapter reads this platform and no import was given
    ERROR = "error"  # anything else: see `error`


@dataclass
class MenuItem:
    """An account menu entry (WeChat custom menu, a profile's links): where a reader is sent."""

    name: str
    url: str | None = None  # None for a menu that opens a reply or a mini program
    kind: str = "link"  # link | reply | consult | mini_program | other


@dataclass
class Interaction:
    """Ways a citizen can reach the account; None where the platform did not say."""

    comments: bool | None = None  # comments open on recent posts
    messages: bool | None = None  # private or backstage messages (私信/留言) accepted
    consult_menu: bool | None = None  # a menu entry to 咨询/留言/互动 that works
    detail: str | None = None  # what was seen, in words (for the finding)

    @property
    def effective(self) -> bool | None:
        """True when any channel is open; False when all the platform states are closed; None: not known."""
        known = [v for v in (self.comments, self.messages, self.consult_menu) if v is not None]
        if any(known):
            return True
        return False if known else None


@dataclass
class AccountProfile:
    """What the platform shows of the account at capture time."""

    platform: str  # adapter name: weibo, wechat, feed, activitypub, or import:<platform>
    account_id: str  # the platform's own id (uid, biz, actor URL, ...)
    name: str
    url: str | None = None  # the account's public page
    avatar_url: str | None = None
    avatar_digest: str | None = None  # "sha256:..." of the avatar bytes, when fetched
    certification: str | None = None  # 认证 text (e.g. "北京市人民政府官方微博"), None: not certified
    verified: bool | None = None
    description: str | None = None
    followers: int | None = None  # a description only: never an indicator
    menus: list[MenuItem] = field(default_factory=list)
    interaction: Interaction = field(default_factory=Interaction)

    def identity(self) -> dict[str, str | None]:
        """The facts whose change must be filed with the registry (名称、头像、认证)."""
        return {"name": self.name, "avatar": self.avatar_digest or self.avatar_url,
                "certification": self.certification}


@dataclass
class Post:
    """One post (微博, 文章, toot, feed item) as captured this time."""

    post_id: str  # the platform's id, stable across edits
    published: dt.datetime | None  # UTC, aware; None when the platform gives no date
    text: str  # plain text (markup stripped), the body the checks read
    title: str | None = None
    url: str | None = None
    links: list[str] = field(default_factory=list)  # absolute URLs in the body
    media: list[str] = field(default_factory=list)  # image/video URLs
    comments_open: bool | None = None
    original: bool | None = None  # 原创 (WeChat's copyright flag); None: not said
    repost_of: str | None = None  # the reposted post's URL or id
    updated: dt.datetime | None = None  # the platform's own edit time, when it gives one
    raw: dict[str, Any] = field(default_factory=dict)  # small platform extras kept for the record
    warc: WarcRef | None = None  # the record the post was read from (response or import resource)

    @property
    def digest(self) -> str:
        """The content's fingerprint: a change of it is an edit (SFM keeps every version)."""
        body = json.dumps([self.title or "", self.text, sorted(self.links), sorted(self.media)],
                          ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


class ChangeKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"  # seen before, within the window read now, and gone (or the platform says deleted)
    RESTORED = "restored"


@dataclass
class PostChange:
    """A change between the stored versions of a post and this capture (kept, never overwritten)."""

    post_id: str
    kind: ChangeKind
    seen_at: dt.datetime  # this capture's time (UTC)
    before_digest: str | None
    after_digest: str | None
    before_text: str | None = None  # the previous version's text, for the finding


@dataclass
class ProfileChange:
    """An identity fact that differs from the previous capture (or the registry) and whether the
    registry has a filed change event covering it (备案)."""

    field: str  # name | avatar | certification
    before: str | None
    after: str | None
    filed: bool  # a registry history event (changed/renamed) records it
    seen_at: dt.datetime | None = None


@dataclass
class LinkOutcome:
    """What a link in a post or menu answered (the crawl's link checker, one per run)."""

    url: str
    status: int | None  # HTTP status; None when nothing answered
    ok: bool
    error: str | None = None  # dns_error, timeout, refused, ...
    transient: bool = False  # an outcome that may be a passing fault (5xx, timeout): recheck
    where: str = "post"  # post | menu
    post_id: str | None = None


@dataclass
class NewMediaEvidence:
    """Everything captured of one account in one pass (key "newmedia")."""

    platform: str
    status: CaptureStatus
    captured_at: dt.datetime  # UTC
    source: str = "live"  # live | import (an operator's or data provider's file)
    profile: AccountProfile | None = None
    posts: list[Post] = field(default_factory=list)  # newest first; the window read this time
    window_complete: bool = True  # False when posts older than the profile's window were not reached
    # The days back the capture read (CaptureLimits.window_days): posts older are not looked for,
    # so their absence says nothing. None: not said (the checks assume their own periods are read).
    window_days: int | None = None
    changes: list[PostChange] = field(default_factory=list)  # edits and deletions found by this capture
    profile_changes: list[ProfileChange] = field(default_factory=list)
    previous_profile: AccountProfile | None = None  # the last capture's, from mgov's records
    links: list[LinkOutcome] = field(default_factory=list)  # every link of posts and menus checked
    # Other registered channels of the same organization on the same platform (duplicates).
    siblings: list[str] = field(default_factory=list)
    error: str | None = None
    warc: list[WarcRef] = field(default_factory=list)  # every record this capture wrote
    # Posts of `posts` not read again this time (published before the capture's re-read horizon,
    # AccountRef.reread_since) but taken as mgov last kept them: judged, not seen again.
    kept_post_ids: list[str] = field(default_factory=list)

    def newest_post(self) -> Post | None:
        dated = [p for p in self.posts if p.published is not None]
        return max(dated, key=lambda p: p.published or dt.datetime.min) if dated else None
