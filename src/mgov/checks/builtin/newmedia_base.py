"""What every check of a new-media account shares: reading the capture (`SiteEvidence.newmedia`),
the error when there is none or the platform could not be read, and the plain values a
reviewer reads (post ids, dates, URLs).

The rule throughout: mgov's failure to observe is never the account's. A capture the platform
did not answer, an account no adapter reads, posts without dates, a window not read to its end:
each is an `error` finding (not assessed), never a `fail`. Engagement counts (followers, likes)
are never read: they are no indicator (spec §3.4)."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from mgov import zones
from mgov.checks.base import Check, Finding, Status
from mgov.evidence.exchange import ScanStatus, WarcRef
from mgov.evidence.newmedia import NEWMEDIA_KEY, CaptureStatus, NewMediaEvidence, Post
from mgov.evidence.site import SiteEvidence

# Accounts that publish posts; mini programs publish none (their identity and duplicates are judged).
ACCOUNT_KINDS = frozenset({"wechat_account", "weibo_account", "other_social"})
PLATFORM_KINDS = ACCOUNT_KINDS | {"mini_program"}
LISTED = 50  # entries listed in a finding's value
REFS = 20  # WARC records a finding points at, at most
READ = frozenset({CaptureStatus.OK, CaptureStatus.PARTIAL})  # the platform answered: judged as far as seen

_STATUS_WORDS = {
    CaptureStatus.NOT_FOUND: ("the platform says the account does not exist", "平台显示该账号不存在"),
    CaptureStatus.UNREACHABLE: ("the platform did not answer usably", "平台未正常响应"),
    CaptureStatus.UNSUPPORTED: ("no adapter reads this platform and no import was given",
                                "暂无读取该平台的适配器，也未导入数据"),
    CaptureStatus.ERROR: ("the capture failed", "采集出错"),
}


class NewMediaCheck(Check):
    """A check of one account's capture. Subclasses judge a capture the platform answered
    (status ok or partial); `judges_unread` lets one judge the others too (what the registry
    knows, such as sibling accounts, does not depend on the platform)."""

    needs = frozenset({NEWMEDIA_KEY})
    kinds = ACCOUNT_KINDS
    judges_unread: ClassVar[bool] = False

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        nm = ev.newmedia
        if not isinstance(nm, NewMediaEvidence):
            return self.finding(Status.ERROR, message="the account was not captured", message_zh="未采集该账号",
                                scan_status=ScanStatus.UNKNOWN_ERROR)
        if nm.status not in READ and not self.judges_unread:
            return self.unread(nm)
        return self.judge(nm, ev, params)

    @abstractmethod
    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        """The verdict on a capture (the platform answered, unless judges_unread)."""

    def unread(self, nm: NewMediaEvidence) -> Finding:
        """Not assessed: the platform was not read (a vanished account is newmedia.capture's verdict)."""
        en, zh = _STATUS_WORDS.get(nm.status, (nm.status.value, nm.status.value))
        detail = f" ({nm.error})" if nm.error else ""
        see = " (see newmedia.capture)" if nm.status is CaptureStatus.NOT_FOUND else ""
        transient = nm.status in (CaptureStatus.UNREACHABLE, CaptureStatus.ERROR)
        return self.finding(Status.ERROR, {"platform": nm.platform, "status": nm.status.value, "error": nm.error},
                            message=f"not assessed: {en}{detail}{see}", message_zh=f"未评估：{zh}",
                            evidence=nm.warc[:REFS], scan_status=ScanStatus.UNKNOWN_ERROR if transient else None)

    def incomplete(self, nm: NewMediaEvidence, value: Any, en: str, zh: str) -> Finding:
        """Not assessed: what the verdict rests on may be in the part of the window not read."""
        partial = nm.status is CaptureStatus.PARTIAL
        why = "a page of posts failed" if partial else "the capture did not read its whole window"
        why_zh = "部分文章页读取失败" if partial else "采集未读完其时间窗口"
        return self.finding(Status.ERROR, value, message=f"not assessed: {en}, but {why}",
                            message_zh=f"未评估：{zh}，但{why_zh}", evidence=nm.warc[:REFS],
                            scan_status=ScanStatus.INCOMPLETE)


def complete(nm: NewMediaEvidence) -> bool:
    """Every post of the capture's window read."""
    return nm.status is CaptureStatus.OK and nm.window_complete


def zone_of(ev: SiteEvidence) -> str:
    """The zone whose calendar days count (a Chinese office's days are Beijing time's)."""
    return zones.default_for(ev.channel.jurisdiction)


def local_day(when: dt.datetime, zone: str) -> dt.date:
    return zones.local(when, zone).date()


def post_row(post: Post, zone: str | None = None) -> dict[str, Any]:
    """A post as a reviewer reads it: id, date, title, URL."""
    row: dict[str, Any] = {"post_id": post.post_id, "url": post.url,
                           "published": post.published.isoformat() if post.published else None}
    if zone is not None and post.published is not None:
        row["day"] = local_day(post.published, zone).isoformat()
    if post.title:
        row["title"] = post.title[:100]
    return row


def refs(posts: Iterable[Post | None], nm: NewMediaEvidence) -> list[WarcRef]:
    """The records the posts were read from (else the capture's first ones), at most REFS."""
    out: list[WarcRef] = []
    for p in posts:
        if p is not None and p.warc is not None and p.warc not in out:
            out.append(p.warc)
            if len(out) >= REFS:
                break
    return out or nm.warc[:REFS]


def account(nm: NewMediaEvidence) -> dict[str, Any]:
    """Who the account is on its platform (no engagement counts)."""
    p = nm.profile
    if p is None:
        return {"platform": nm.platform}
    return {"platform": p.platform, "account_id": p.account_id, "name": p.name, "url": p.url,
            "certification": p.certification, "verified": p.verified}
