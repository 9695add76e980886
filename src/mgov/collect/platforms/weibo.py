"""Weibo accounts through the JSON the mobile web client (m.weibo.cn) receives, no sign-in.

A `weibo_account` channel's address is its numeric uid. Read, in order (every request through
the collect client, paced per host; collect.platforms.fetching):
- the profile: `/api/container/getIndex?type=uid&value={uid}` (`userInfo`, and the timeline's
  containerid from `tabsInfo`, `107603{uid}` when absent);
- timeline pages 1.. `max_pages` (`…&containerid={cid}&page={n}`, 10 posts each, newest first;
  when `cardlistInfo` carries a `since_id` and no `page`, as Weibo's newer answers do, the next
  page is `…&since_id={since_id}`),
  until a post older than the window (a pinned one excepted), the end (`ok` 0 "这里还没有内容",
  no cards, `cardlistInfo.page` null), `max_posts`, or a page that repeats the posts already seen,
  or a post mgov holds published before `AccountRef.reread_since` (not pinned): that page is the
  last, the known posts on it are not read again (`known_reached`);
- the full text of a long post: `/statuses/extend?id={id}` (`longTextContent`);
- one post: `/statuses/show?id={id}`, for the posts mgov held (`AccountRef.known_post_ids`) and
  did not see now (newer than where the walk stopped, when it stopped at a known post):
  "微博不存在或暂无查看权限" puts it in `deleted_ids`.
Search (`mgov discover`): `/api/container/getIndex?containerid=100103type%3D3%26q%3D{q}&page_type=searchall`,
the users of its cards (`card_type` 10 in the `card_group` of a `card_type` 11, at any depth).

`ok` 0 with "用户不存在" (or 注销, 无法查看, "这里还没有内容" for the profile) is NOT_FOUND; any other
`ok` (-100: sign in), an HTML page (the passport redirect), a refusal (403, 418, 429) is
UNREACHABLE. The attribute `platform_base` (an https origin) reads a mirror of m.weibo.cn instead.
Private messages are not visible without signing in: `Interaction.messages` stays None.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits, FoundAccount
from mgov.collect.platforms.fetching import PlatformFailure, Reader, guarded_capture, window_start
from mgov.collect.platforms.times import weibo_time
from mgov.collect.platforms.weibo_posts import PLATFORM, comments_open, pinned, post_id, post_of, profile_of
from mgov.collect.site import CollectContext
from mgov.evidence.exchange import Exchange
from mgov.evidence.newmedia import CaptureStatus, Interaction, Post

BASE = "https://m.weibo.cn"
RECHECK_MAX = 20  # known posts asked about one by one, at most, per capture
_ACCOUNT_GONE = ("不存在", "注销", "无法查看", "封禁", "这里还没有内容")
_POST_GONE = ("不存在", "删除", "暂无查看权限", "无法查看")
_TIMELINE_END = "还没有内容"


def _base(account: AccountRef) -> str:
    base = str(account.attributes.get("platform_base") or BASE).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise PlatformFailure(CaptureStatus.ERROR, f"platform_base {base!r} is not an http(s) origin")
    return base


def answer_data(data: Any, where: str, gone: tuple[str, ...]) -> dict[str, Any]:
    """The `data` of an `ok` 1 answer; NOT_FOUND when Weibo says the thing is gone, else UNREACHABLE."""
    if not isinstance(data, dict):
        raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{where}: not a JSON object")
    ok, msg = data.get("ok"), str(data.get("msg") or "")
    if ok == 1:
        inner = data.get("data")
        if not isinstance(inner, dict):
            raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{where}: ok 1 without a data object")
        return inner
    if ok == 0 and any(word in msg for word in gone):
        raise PlatformFailure(CaptureStatus.NOT_FOUND, f"Weibo says: {msg}")
    hint = " (sign-in required)" if ok == -100 else ""
    raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{where}: Weibo answered ok={ok!r} {msg!r}{hint}")


def mblogs(cards: object) -> list[dict[str, Any]]:
    """The mblogs of a card list, card groups included, in order."""
    found: list[dict[str, Any]] = []
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            found.append(card["mblog"])
        found.extend(mblogs(card.get("card_group")))
    return found


def users(cards: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for card in cards if isinstance(cards, list) else []:
        if isinstance(card, dict):
            if isinstance(card.get("user"), dict):
                found.append(card["user"])
            found.extend(users(card.get("card_group")))
    return found


class _Walk:
    """One account's timeline walk."""

    def __init__(self, reader: Reader, base: str, uid: str, limits: CaptureLimits, now: dt.datetime,
                 account: AccountRef | None = None) -> None:
        self.reader, self.base, self.uid, self.limits, self.now = reader, base, uid, limits, now
        self.start = window_start(now, limits.window_days)
        self.known = frozenset(account.known_post_ids) if account is not None else frozenset()
        self.reread_since = account.reread_since if account is not None else None
        self.stopped_at: str | None = None  # the known post older than reread_since the walk stopped at
        self.comments: list[bool | None] = []  # each post's comment state, the posts not read again included
        self.posts: list[Post] = []
        self.seen: set[str] = set()
        self.problems: list[str] = []
        self.complete = False
        self.since: str | None = None  # the next page's cursor, when Weibo pages by since_id

    async def run(self, containerid: str) -> None:
        for page in range(1, max(1, self.limits.max_pages) + 1):
            where = f"since_id={quote(self.since, safe='')}" if self.since else f"page={page}"
            url = (f"{self.base}/api/container/getIndex?type=uid&value={self.uid}"
                   f"&containerid={containerid}&{where}")
            try:
                data, ex = await self.reader.get_json(url)
            except PlatformFailure as failure:
                self.problems.append(f"timeline page {page}: {failure.detail}")
                return
            if isinstance(data, dict) and data.get("ok") == 0 and _TIMELINE_END in str(data.get("msg") or ""):
                self.complete = True  # past the last page
                return
            try:
                inner = answer_data(data, url, ())
            except PlatformFailure as failure:
                self.problems.append(f"timeline page {page}: {failure.detail}")
                return
            if await self._page(page, inner, ex):
                return
        # max_pages read and the window not left: what lies beyond was not reached

    async def _page(self, page: int, inner: dict[str, Any], ex: Exchange) -> bool:
        """Read one page; True when the walk ends here."""
        entries = mblogs(inner.get("cards"))
        fresh = [b for b in entries if post_id(b) not in self.seen]
        if not entries:
            self.complete = True
            return True
        if not fresh:
            self.problems.append(f"timeline page {page} repeats the posts already read: stopped")
            return True
        left_window = False
        for mblog in fresh:
            self.seen.add(post_id(mblog))
            if self._known_before_horizon(mblog):
                self.stopped_at = self.stopped_at or post_id(mblog)  # kept as mgov holds it: not read again
                continue
            post = await self._post(mblog, ex)
            if post is None:
                self.problems.append(f"timeline page {page}: an entry without an id skipped")
                continue
            if post.published is not None and post.published < self.start:
                left_window = left_window or not pinned(mblog)
                continue
            if len(self.posts) >= self.limits.max_posts:
                return True  # the budget is spent inside the window: not complete
            self.posts.append(post)
            self.comments.append(comments_open(mblog))
        if self.stopped_at is not None:
            return True  # what lies beyond is known and older than the re-read horizon
        info = inner.get("cardlistInfo")
        info = info if isinstance(info, dict) else {}
        self.since = str(info["since_id"]) if info.get("since_id") and "page" not in info else None
        last = ("page" in info and info["page"] is None) or ("since_id" in info and not info["since_id"]
                                                              and "page" not in info)
        if left_window or last:
            self.complete = True
            return True
        return False

    def _known_before_horizon(self, mblog: dict[str, Any]) -> bool:
        """A post mgov holds, published before AccountRef.reread_since (a pinned one is not
        where the timeline's order reaches the known posts)."""
        if self.reread_since is None or post_id(mblog) not in self.known or pinned(mblog):
            return False
        published = weibo_time(mblog.get("created_at"), self.now)
        if published is None or published >= self.reread_since:
            return False
        if published >= self.start:
            self.comments.append(comments_open(mblog))
        return True

    async def _post(self, mblog: dict[str, Any], ex: Exchange) -> Post | None:
        long_html = None
        if mblog.get("isLongText") and post_id(mblog):
            url = f"{self.base}/statuses/extend?id={post_id(mblog)}"
            try:
                data, _ = await self.reader.get_json(url)
                long_html = str(answer_data(data, url, ()).get("longTextContent") or "") or None
            except PlatformFailure as failure:
                self.problems.append(f"long text of {post_id(mblog)} not read: {failure.detail}")
        return post_of(mblog, ex.response_ref, self.now, self.base, long_html)


class WeiboAdapter:
    name = PLATFORM

    def handles(self, account: AccountRef) -> bool:
        return account.kind == "weibo_account" and not account.attributes.get("import_file")

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture:
        reader = Reader(ctx)
        return await guarded_capture(reader, lambda: self._capture(account, reader, limits, now))

    async def _capture(self, account: AccountRef, reader: Reader, limits: CaptureLimits,
                       now: dt.datetime) -> AccountCapture:
        uid, base = account.address.strip(), _base(account)
        if not uid.isdigit():
            return AccountCapture(status=CaptureStatus.ERROR,
                                  error=f"a Weibo account's address is its numeric uid, not {uid!r}")
        url = f"{base}/api/container/getIndex?type=uid&value={uid}"
        data, _ = await reader.get_json(url)
        inner = answer_data(data, url, _ACCOUNT_GONE)
        user = inner.get("userInfo")
        if not isinstance(user, dict):
            raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{url}: no userInfo in the answer")
        profile = profile_of(user, uid, base)
        walk = _Walk(reader, base, uid, limits, now, account)
        await walk.run(_containerid(inner, uid))
        known = account.known_post_ids
        if walk.stopped_at is not None:  # only the known posts newer than where the walk stopped
            known = known[:known.index(walk.stopped_at)] if walk.stopped_at in known else ()
        deleted = await self._recheck(reader, base, known, walk)
        walk.posts.sort(key=lambda p: p.published or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
        profile.interaction = _interaction(walk.comments)
        return AccountCapture(status=CaptureStatus.PARTIAL if walk.problems else CaptureStatus.OK,
                              profile=profile, posts=walk.posts,
                              window_complete=walk.complete and not walk.problems and walk.stopped_at is None,
                              error="; ".join(walk.problems) or None, deleted_ids=deleted,
                              known_reached=walk.stopped_at is not None)

    async def _recheck(self, reader: Reader, base: str, known: tuple[str, ...], walk: _Walk) -> list[str]:
        deleted: list[str] = []
        for pid in [k for k in known if k not in walk.seen][:RECHECK_MAX]:
            url = f"{base}/statuses/show?id={quote(pid, safe='')}"
            try:
                data, _ = await reader.get_json(url)
                answer_data(data, url, _POST_GONE)
            except PlatformFailure as failure:
                if failure.status is CaptureStatus.NOT_FOUND:
                    deleted.append(pid)
                else:
                    walk.problems.append(f"post {pid} not rechecked: {failure.detail}")
        return deleted

    async def search(self, query: str, ctx: CollectContext, limit: int = 20) -> list[FoundAccount]:
        """Accounts Weibo's user search returns for query. Raises PlatformFailure when Weibo
        did not answer usably (an empty list means it found none)."""
        reader = Reader(ctx)
        container = quote(f"100103type=3&q={query}", safe="")
        url = f"{BASE}/api/container/getIndex?containerid={container}&page_type=searchall"
        data, _ = await reader.get_json(url)
        inner = answer_data(data, url, ())
        found: dict[str, FoundAccount] = {}
        for user in users(inner.get("cards")):
            uid = str(user.get("id") or "").strip()
            if not uid.isdigit() or uid in found:
                continue
            reason = str(user.get("verified_reason") or "").strip()
            found[uid] = FoundAccount(platform=PLATFORM, kind="weibo_account", address=uid,
                                      name=str(user.get("screen_name") or "").strip(), url=f"{BASE}/u/{uid}",
                                      certification=reason if user.get("verified") and reason else None,
                                      warc=list(reader.refs))
            if len(found) >= limit:
                break
        return list(found.values())


def _containerid(inner: dict[str, Any], uid: str) -> str:
    tabs = inner.get("tabsInfo")
    for tab in tabs.get("tabs", []) if isinstance(tabs, dict) and isinstance(tabs.get("tabs"), list) else []:
        if isinstance(tab, dict) and "weibo" in (tab.get("tabKey"), tab.get("tab_type")) and tab.get("containerid"):
            return quote(str(tab["containerid"]), safe="")
    return f"107603{uid}"


def _interaction(states: list[bool | None]) -> Interaction:
    said = [s for s in states if s is not None]
    if not said:
        return Interaction()
    open_ = sum(1 for s in said if s)
    return Interaction(comments=open_ > 0, detail=f"comments open on {open_} of {len(said)} recent posts")


ADAPTER = WeiboAdapter()
