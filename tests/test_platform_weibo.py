"""The Weibo adapter against a simulated m.weibo.cn (its mobile JSON) on loopback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from mgov.collect.platforms.base import AccountRef, CaptureLimits, adapter_for
from mgov.collect.platforms.weibo import ADAPTER
from mgov.evidence.newmedia import CaptureStatus
from platform_world import NOW, WEIBO, World, answer, archived_uri, platform_lab, weibo_time
from test_collect_support import run

UID = "1234567890"


def mblog(n: int, age: dt.timedelta, text: str = "", **extra: Any) -> dict[str, Any]:
    return {"id": str(4987000000000000 + n), "mid": str(4987000000000000 + n), "bid": f"Nx{n}",
            "created_at": weibo_time(NOW - age), "text": text or f"第{n}条 政务公开",
            "isLongText": False, "source": "微博 weibo.com", "user": {"id": int(UID), "screen_name": "北京发布"},
            "comments_count": 3, "reposts_count": 0, "attitudes_count": 1,
            "comment_manage_info": {"comment_permission_type": -1, "approval_comment_type": 0}, **extra}


@dataclass
class FakeWeibo:
    posts: list[dict[str, Any]] = field(default_factory=list)  # newest first
    long: dict[str, str] = field(default_factory=dict)
    gone_posts: set[str] = field(default_factory=set)
    profile: dict[str, Any] | None = None
    page_override: dict[int, web.Response] = field(default_factory=dict)
    repeat_page: int | None = None
    per_page: int = 10
    since_ids: bool = False  # page by cardlistInfo.since_id, as Weibo's newer answers do

    def user(self) -> dict[str, Any]:
        return {"id": int(UID), "screen_name": "北京发布", "profile_image_url": "https://tvax1.sinaimg.cn/a.jpg",
                "description": "北京市人民政府新闻办公室官方微博", "verified": True, "verified_type": 1,
                "verified_reason": "北京市人民政府新闻办公室官方微博", "followers_count": "1.2万",
                "statuses_count": len(self.posts)}

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        if request.path == "/api/container/getIndex" and q.get("containerid", "").startswith("100103"):
            return answer({"ok": 1, "data": {"cards": [{"card_type": 11, "card_group": [
                {"card_type": 10, "user": {"id": 1234567890, "screen_name": "北京发布", "verified": True,
                                           "verified_reason": "北京市人民政府新闻办公室官方微博"}},
                {"card_type": 10, "user": {"id": 55555, "screen_name": "北京发布生活", "verified": False}},
                {"card_type": 10, "user": {"id": "not-a-uid", "screen_name": "junk"}}]}]}})
        if request.path == "/api/container/getIndex" and q.get("value") != UID:
            return answer({"ok": 0, "msg": "用户不存在"})
        if request.path == "/api/container/getIndex" and "containerid" not in q:
            return self.profile or answer({"ok": 1, "data": {"userInfo": self.user(), "tabsInfo": {"tabs": [
                {"tabKey": "profile", "containerid": f"230283{UID}"},
                {"tabKey": "weibo", "containerid": f"107603{UID}"}]}}})
        if request.path == "/api/container/getIndex":
            assert q["containerid"] == f"107603{UID}"
            page = int(q.get("page", "1"))
            if "since_id" in q:
                page = next(i for i, b in enumerate(self.posts) if b["id"] == q["since_id"]) // self.per_page + 1
            if page in self.page_override:
                return self.page_override[page]
            if self.repeat_page is not None and page >= self.repeat_page:
                page = self.repeat_page - 1
            chunk = self.posts[(page - 1) * self.per_page: page * self.per_page]
            if not chunk:
                return answer({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
            more = page * self.per_page < len(self.posts)
            info: dict[str, Any] = {"total": len(self.posts), "page": page + 1 if more else None}
            if self.since_ids:
                del info["page"]
                info["since_id"] = self.posts[page * self.per_page]["id"] if more else ""
            return answer({"ok": 1, "data": {"cardlistInfo": info,
                                             "cards": [{"card_type": 9, "mblog": b} for b in chunk]}})
        if request.path == "/statuses/extend":
            return answer({"ok": 1, "data": {"longTextContent": self.long[q["id"]]}})
        if request.path == "/statuses/show":
            if q["id"] in self.gone_posts:
                return answer({"ok": 0, "msg": "微博不存在或暂无查看权限!"})
            return answer({"ok": 1, "data": next(b for b in self.posts if b["id"] == q["id"])})
        raise web.HTTPNotFound()


def capture(tmp: Path, world: World, account: AccountRef, limits: CaptureLimits | None = None, **settings: Any):
    async def main() -> Any:
        async with platform_lab(tmp, world, **settings) as ctx:
            return await ADAPTER.capture(account, ctx, limits or CaptureLimits(), NOW)
    return run(main())


def rich_timeline() -> FakeWeibo:
    pinned = mblog(0, dt.timedelta(days=200), "置顶：办事指南", isTop=1)
    posts = [pinned]
    posts.append(mblog(1, dt.timedelta(hours=2), 'Read <a href="https://weibo.cn/sinaurl?u=https%3A%2F%2Fwww.beijing.gov.cn%2Fzwgk%2F">'
                       '网页链接</a> <a href="https://m.weibo.cn/search?containerid=231522type%3D1">#北京#</a>'
                       '<span class="url-icon"><img alt="[赞]" src="//h5.sinaimg.cn/m/emoticon/icon/zan.png"></span>',
                       pics=[{"url": "https://wx1.sinaimg.cn/orj360/a.jpg", "large": {"url": "https://wx1.sinaimg.cn/large/a.jpg"}}]))
    posts.append(mblog(2, dt.timedelta(days=1), "短文…全文", isLongText=True))
    posts.append(mblog(3, dt.timedelta(days=2), "评论已关闭",
                       comment_manage_info={"comment_permission_type": 2, "approval_comment_type": 0}))
    posts.append(mblog(4, dt.timedelta(days=3), "转发", retweeted_status=mblog(99, dt.timedelta(days=9), "原文")))
    posts.append(mblog(5, dt.timedelta(days=4), "改过", edit_count=1, edit_at=weibo_time(NOW - dt.timedelta(days=3))))
    posts += [mblog(n, dt.timedelta(days=n), f"日常 {n}") for n in range(6, 60)]
    return FakeWeibo(posts=posts, long={posts[2]["id"]: "长文全文 <a href=\"https://www.gov.cn/x\">链接</a>"},
                     gone_posts={"4987000000000777"})


def test_weibo_profile_timeline_long_text_and_deleted(tmp_path: Path) -> None:
    fake = rich_timeline()
    world = World().on(WEIBO, fake)
    account = AccountRef("weibo_account", UID, known_post_ids=("4987000000000777", "4987000000000045"))
    assert adapter_for(account) is ADAPTER
    got = capture(tmp_path, world, account, CaptureLimits(window_days=30, max_posts=100, max_pages=10))
    assert got.status is CaptureStatus.OK, got.error
    p = got.profile
    assert p is not None and p.name == "北京发布" and p.verified is True
    assert p.certification == "北京市人民政府新闻办公室官方微博" and p.followers == 12000
    assert p.account_id == UID and p.url == f"https://m.weibo.cn/u/{UID}"
    ids = [post.post_id for post in got.posts]
    # the pinned 200-day-old post neither counts nor ends the walk; 30 days: posts 1..30
    assert ids == [str(4987000000000000 + n) for n in range(1, 31)]
    assert got.window_complete
    first, long, closed, repost, edited = got.posts[:5]
    assert first.links == ["https://www.beijing.gov.cn/zwgk/"]  # unwrapped; the topic link is no post link
    assert "[赞]" in first.text and first.media == ["https://wx1.sinaimg.cn/large/a.jpg"]
    assert first.published == NOW - dt.timedelta(hours=2)
    assert long.text.startswith("长文全文") and long.links == ["https://www.gov.cn/x"]
    assert closed.comments_open is False and first.comments_open is True
    assert repost.repost_of == "https://m.weibo.cn/status/Nx99" and repost.original is False
    assert edited.updated == NOW - dt.timedelta(days=3)
    assert p.interaction.comments is True and p.interaction.messages is None
    # the post mgov held and Weibo says is gone; the other still exists (outside the window)
    assert got.deleted_ids == ["4987000000000777"]
    assert world.count(WEIBO, "/statuses/extend") == 1 and world.count(WEIBO, "/statuses/show") == 2
    # every exchange archived; each post points at the record of the page it was read from
    assert len(got.warc) >= 2 * 6
    assert "page=1" in (archived_uri(tmp_path, first.warc) or "")
    assert "page=4" in (archived_uri(tmp_path, got.posts[-1].warc) or "")


def test_weibo_budgets_and_the_end_of_the_timeline(tmp_path: Path) -> None:
    fake = FakeWeibo(posts=[mblog(n, dt.timedelta(hours=n)) for n in range(1, 26)])
    got = capture(tmp_path / "a", World().on(WEIBO, fake), AccountRef("weibo_account", UID),
                  CaptureLimits(window_days=30, max_posts=100, max_pages=2))
    assert got.status is CaptureStatus.OK and len(got.posts) == 20 and not got.window_complete
    got = capture(tmp_path / "b", World().on(WEIBO, fake), AccountRef("weibo_account", UID),
                  CaptureLimits(window_days=30, max_posts=12, max_pages=10))
    assert len(got.posts) == 12 and not got.window_complete
    got = capture(tmp_path / "c", World().on(WEIBO, fake), AccountRef("weibo_account", UID))
    assert len(got.posts) == 25 and got.window_complete  # the last page said page: null
    fake.since_ids = True
    world = World().on(WEIBO, fake)
    got = capture(tmp_path / "d", world, AccountRef("weibo_account", UID))
    assert [p.post_id for p in got.posts] == [b["id"] for b in fake.posts] and got.window_complete
    assert [p for h, p in world.hits if "since_id=" in p][-1].endswith(f"since_id={fake.posts[20]['id']}")


def test_weibo_unknown_account_is_not_found(tmp_path: Path) -> None:
    got = capture(tmp_path, World().on(WEIBO, FakeWeibo()), AccountRef("weibo_account", "999"))
    assert got.status is CaptureStatus.NOT_FOUND and "用户不存在" in (got.error or "")
    assert got.warc  # the answer that said so is archived


def test_weibo_login_wall_and_sign_in_answers_are_unreachable(tmp_path: Path) -> None:
    async def wall(request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            raise web.HTTPFound(f"https://{WEIBO}/signin/login?r=x")
        return web.Response(text="<html><body>登录 - 新浪微博</body></html>", content_type="text/html")
    got = capture(tmp_path / "a", World().on(WEIBO, wall), AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.UNREACHABLE and "HTML page instead of JSON" in (got.error or "")
    fake = FakeWeibo(profile=answer({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}))
    got = capture(tmp_path / "b", World().on(WEIBO, fake), AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.UNREACHABLE and "sign-in" in (got.error or "")
    got = capture(tmp_path / "c", World().on(WEIBO, FakeWeibo()), AccountRef("weibo_account", "beijingfabu"))
    assert got.status is CaptureStatus.ERROR and "numeric uid" in (got.error or "")


def test_weibo_refusals_are_unreachable_and_retry_after_is_honoured(tmp_path: Path) -> None:
    for status in (403, 418, 500):
        fake = FakeWeibo(profile=answer({"ok": 0}, status=status))
        got = capture(tmp_path / str(status), World().on(WEIBO, fake), AccountRef("weibo_account", UID))
        assert got.status is CaptureStatus.UNREACHABLE and f"HTTP {status}" in (got.error or "")

    fake = FakeWeibo(posts=[mblog(1, dt.timedelta(hours=1))])
    world = World().on(WEIBO, fake)
    answers = iter([answer({"ok": 0}, status=429, headers={"Retry-After": "3600"})])

    async def limited(request: web.Request) -> web.StreamResponse:
        return next(answers, None) or await fake(request)
    world.on(WEIBO, limited)

    async def main() -> tuple[Any, Any]:
        async with platform_lab(tmp_path / "held", world) as ctx:
            one = await ADAPTER.capture(AccountRef("weibo_account", UID), ctx, CaptureLimits(), NOW)
            two = await ADAPTER.capture(AccountRef("weibo_account", UID), ctx, CaptureLimits(), NOW)
            return one, two
    one, two = run(main())
    assert one.status is CaptureStatus.UNREACHABLE and "Retry-After" in (one.error or "")
    # the second account of the run is not asked for at all while the platform asked to wait
    assert two.status is CaptureStatus.UNREACHABLE and "not asked again before" in (two.error or "")
    assert world.count(WEIBO) == 1 and two.warc == []

    short = iter([answer({"ok": 0}, status=429, headers={"Retry-After": "1"})])

    async def briefly(request: web.Request) -> web.StreamResponse:
        return next(short, None) or await fake(request)
    world = World().on(WEIBO, briefly)
    got = capture(tmp_path / "short", world, AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.OK and len(got.posts) == 1  # waited a second, asked once more


def test_weibo_bad_pages_keep_what_was_read(tmp_path: Path) -> None:
    posts = [mblog(n, dt.timedelta(hours=n)) for n in range(1, 26)]
    fake = FakeWeibo(posts=posts, page_override={2: answer(b'{"ok":1,"data":{"cards":[{"card_type":9,"mblog":')})
    got = capture(tmp_path / "a", World().on(WEIBO, fake), AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.PARTIAL and "timeline page 2" in (got.error or "")
    assert "malformed JSON" in (got.error or "") and len(got.posts) == 10 and not got.window_complete

    fake = FakeWeibo(posts=posts, page_override={2: web.Response(text="<html>验证码</html>", content_type="text/html")})
    got = capture(tmp_path / "b", World().on(WEIBO, fake), AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.PARTIAL and "HTML page" in (got.error or "") and len(got.posts) == 10

    fake = FakeWeibo(posts=posts, repeat_page=2)
    got = capture(tmp_path / "c", World().on(WEIBO, fake), AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.PARTIAL and "repeats" in (got.error or "") and len(got.posts) == 10

    junk = [mblog(1, dt.timedelta(hours=1)), {"text": "no id"}, "not an object",
            mblog(2, dt.timedelta(hours=2), created_at="昨天 09:12")]
    fake = FakeWeibo(page_override={1: answer({"ok": 1, "data": {"cardlistInfo": {"page": None}, "cards": [
        {"card_type": 9, "mblog": b} if isinstance(b, dict) else b for b in junk]}})})
    got = capture(tmp_path / "d", World().on(WEIBO, fake), AccountRef("weibo_account", UID))
    assert got.status is CaptureStatus.PARTIAL and "without an id" in (got.error or "")
    assert [p.published for p in got.posts][1] == dt.datetime(2026, 12, 9, 1, 12, tzinfo=dt.UTC)


def test_weibo_search_finds_accounts(tmp_path: Path) -> None:
    world = World().on(WEIBO, FakeWeibo())

    async def main() -> Any:
        async with platform_lab(tmp_path, world) as ctx:
            return await ADAPTER.search("北京发布", ctx, limit=10)
    found = run(main())
    assert [(f.address, f.name, f.certification) for f in found] == [
        ("1234567890", "北京发布", "北京市人民政府新闻办公室官方微博"), ("55555", "北京发布生活", None)]
    assert all(f.kind == "weibo_account" and f.platform == "weibo" and f.warc for f in found)
    assert quote("100103type=3&q=北京发布", safe="") in world.hits[0][1]
