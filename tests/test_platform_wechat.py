"""The WeChat adapter: article pages on a simulated mp.weixin.qq.com, listed by export files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from mgov.collect.platforms.base import AccountRef, CaptureLimits, adapter_for
from mgov.collect.platforms.wechat import ADAPTER
from mgov.collect.warc import read_record
from mgov.evidence.newmedia import CaptureStatus
from platform_world import NOW, WECHAT, World, archived_uri, platform_lab
from test_collect_support import run

GH = "gh_0123456789ab"
A = f"https://{WECHAT}/s"


def article(title: str, age: dt.timedelta, body: str, *, comment_id: str = "2938001", original: bool = True,
            user_name: str = GH, real_style: bool = False) -> str:
    ct = int((NOW - age).timestamp())
    logo = '<span id="copyright_logo" class="rich_media_meta_original">原创</span>' if original else ""
    biz = 'var biz = ""||"MzA5NjA0MDAwMA==";' if real_style else 'var biz = "MzA5NjA0MDAwMA==";'
    comment = f'var comment_id = "{comment_id}" * 1;' if real_style else f'var comment_id = "{comment_id}";'
    return f"""<!DOCTYPE html><html><head><meta property="og:title" content="{title}"></head><body>
<h1 class="rich_media_title" id="activity-name">
  {title}
</h1>{logo}<a id="js_name">北京发布</a>
<div class="rich_media_content" id="js_content" style="visibility: hidden;">{body}</div>
<script>{biz} var user_name = "{user_name}"; var ct = "{ct}";
var round_head_img = "https://wx.qlogo.cn/mmhead/abc/0"; {comment}</script></body></html>"""


def message_page(words: str) -> str:
    return f'<html><body><div class="weui-msg"><div class="weui-msg__title warn">{words}</div></div></body></html>'


PAGES = {
    "/s/fresh": article("关于开展政务公开工作的通知", dt.timedelta(hours=3),
                        '<p>各区：详见<a href="https://www.beijing.gov.cn/zwgk/1.html">附件</a></p>'
                        '<img data-src="https://mmbiz.qpic.cn/mmbiz_png/1/640">'),
    "/s/closed": article("留言已关闭的文章", dt.timedelta(days=2), "<p>正文</p>", comment_id="0", original=False,
                         real_style=True),
    "/s": article("长链接文章", dt.timedelta(days=4), "<p>长链接</p>"),
    "/s/deleted": message_page("该内容已被发布者删除"),
    "/s/banned": message_page("此内容因违规无法查看"),
    "/s/wall": "<html><body><p>环境异常</p><p>当前环境异常，完成验证后即可继续访问。</p></body></html>",
    "/s/foreign": article("别人的文章", dt.timedelta(days=1), "<p>x</p>", user_name="gh_someoneelse"),
    "/s/old": article("旧文", dt.timedelta(days=100), "<p>旧</p>"),
}


def wechat(pages: dict[str, str] | None = None) -> World:
    pages = PAGES if pages is None else pages

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/s/broken":
            raise web.HTTPInternalServerError()
        page = pages.get(request.path)
        if page is None:
            raise web.HTTPNotFound()
        return web.Response(text=page, content_type="text/html")
    return World().on(WECHAT, handler)


def capture(tmp: Path, world: World, listing: Path, limits: CaptureLimits | None = None,
            address: str = GH) -> Any:
    async def main() -> Any:
        async with platform_lab(tmp, world) as ctx:
            account = AccountRef("wechat_account", address, {"article_list": str(listing)})
            return await ADAPTER.capture(account, ctx, limits or CaptureLimits(), NOW)
    return run(main())


def test_csv_list_pages_deletions_and_bad_lines(tmp_path: Path) -> None:
    listing = tmp_path / "articles.csv"
    listing.write_text(
        "\ufeffurl,title,published\n"
        f"{A}/fresh,通知,\n"
        f"http://{WECHAT}/s/closed,,2026-12-08 09:00\n"
        f"{A}?__biz=MzA5NjA0MDAwMA==&mid=2650000001&idx=1&sn=abcdef0123,,\n"
        f"{A}/deleted,,\n"
        f"{A}/banned,,\n"
        f"{A}/old,旧文,2026-09-01\n"  # outside the window by its listed date: not fetched
        "not a url,,\n"
        "https://evil.example/s/x,,\n"
        f"{A}/fresh,duplicate,\n"
        f"https://{WECHAT}/mp/profile_ext?action=home,,\n"
        f"{A}/foreign,,\n", encoding="utf-8")
    world = wechat()
    got = capture(tmp_path, world, listing)
    assert got.status is CaptureStatus.PARTIAL
    error = got.error or ""
    assert "articles.csv line 8: bad article URL 'not a url'" in error
    assert "line 9" in error and "not a WeChat article host" in error and "line 11" in error
    assert "belongs to gh_someoneelse" in error
    assert [p.post_id for p in got.posts] == ["fresh", "closed", "abcdef0123"]
    assert got.deleted_ids == ["deleted", "banned"]
    assert world.count(WECHAT, "/s/old") == 0 and world.count(WECHAT, "/s/fresh") == 1
    fresh, closed, long = got.posts
    assert fresh.title == "关于开展政务公开工作的通知" and fresh.published == NOW - dt.timedelta(hours=3)
    assert fresh.text == "各区：详见附件" and fresh.links == ["https://www.beijing.gov.cn/zwgk/1.html"]
    assert fresh.media == ["https://mmbiz.qpic.cn/mmbiz_png/1/640"]
    assert fresh.comments_open is True and fresh.original is True and fresh.url == f"{A}/fresh"
    assert closed.comments_open is False and closed.original is False and closed.raw["biz"] == "MzA5NjA0MDAwMA=="
    assert long.title == "长链接文章"
    p = got.profile
    assert p.name == "北京发布" and p.account_id == GH and p.avatar_url == "https://wx.qlogo.cn/mmhead/abc/0"
    assert p.url == f"https://{WECHAT}/mp/profile_ext?action=home&__biz=MzA5NjA0MDAwMA=="
    assert p.interaction.comments is True and p.interaction.messages is None and p.certification is None
    assert got.window_complete is False  # the lines it could not read may have been in the window
    # the list itself is archived as a resource record, the pages as responses
    record = read_record(tmp_path / "warc", got.warc[0])
    assert record.rec_type == "resource" and record.warc_header("WARC-Target-URI") == listing.resolve().as_uri()
    assert record.payload == listing.read_bytes()
    assert archived_uri(tmp_path, fresh.warc) == f"{A}/fresh"


def test_json_list_in_gbk_with_account_facts(tmp_path: Path) -> None:
    listing = tmp_path / "bjfb.json"
    doc = {"account": {"name": "北京发布", "certification": "北京市人民政府新闻办公室", "description": "权威发布",
                       "avatar_url": "https://wx.qlogo.cn/mmhead/facts/0", "messages_open": False,
                       "menus": [{"name": "办事", "url": "https://banshi.beijing.gov.cn/", "kind": "link"},
                                 {"name": "咨询", "url": None, "kind": "consult"},
                                 {"name": "小程序", "url": None, "kind": "weird"}]},
           "articles": [{"url": f"{A}/fresh", "published": int((NOW - dt.timedelta(hours=3)).timestamp())},
                        f"{A}/closed", {"url": 42}]}
    listing.write_bytes(json.dumps(doc, ensure_ascii=False).encode("gbk"))
    got = capture(tmp_path, wechat(), listing)
    assert got.status is CaptureStatus.PARTIAL and "bjfb.json item 3: bad article URL '42'" in (got.error or "")
    p = got.profile
    assert (p.name, p.certification, p.verified, p.description) == (
        "北京发布", "北京市人民政府新闻办公室", True, "权威发布")
    assert p.avatar_url == "https://wx.qlogo.cn/mmhead/facts/0"
    assert [(m.name, m.url, m.kind) for m in p.menus] == [
        ("办事", "https://banshi.beijing.gov.cn/", "link"), ("咨询", None, "consult"), ("小程序", None, "other")]
    assert p.interaction.messages is False and p.interaction.consult_menu is True and p.interaction.effective
    assert [x.post_id for x in got.posts] == ["fresh", "closed"]


def test_unreadable_lists_and_unreachable_pages(tmp_path: Path) -> None:
    got = capture(tmp_path / "a", wechat(), tmp_path / "missing.csv")
    assert got.status is CaptureStatus.ERROR and "cannot read it" in (got.error or "")
    bad = tmp_path / "nourl.csv"
    bad.write_text("link,title\nhttps://x,y\n")
    got = capture(tmp_path / "b", wechat(), bad)
    assert got.status is CaptureStatus.ERROR and "no url column" in (got.error or "")
    junk = tmp_path / "junk.json"
    junk.write_text('{"articles": [')
    got = capture(tmp_path / "c", wechat(), junk)
    assert got.status is CaptureStatus.ERROR and "malformed JSON" in (got.error or "")
    down = tmp_path / "down.csv"
    down.write_text(f"url\n{A}/broken\n{A}/wall\n")
    got = capture(tmp_path / "d", wechat(), down)
    assert got.status is CaptureStatus.UNREACHABLE
    assert "HTTP 500" in (got.error or "") and "verification wall" in (got.error or "")
    assert got.warc  # the list and both answers
    empty = tmp_path / "empty.csv"
    empty.write_text("url,title\n")
    got = capture(tmp_path / "e", wechat(), empty)
    assert got.status is CaptureStatus.OK and got.posts == [] and got.profile.name == GH


def test_budget_and_handling(tmp_path: Path) -> None:
    listing = tmp_path / "many.csv"
    listing.write_text("url\n" + "".join(f"{A}/p{n}\n" for n in range(8)))
    pages = {f"/s/p{n}": article(f"第{n}篇", dt.timedelta(days=n), "<p>x</p>") for n in range(8)}
    world = wechat(pages)
    got = capture(tmp_path, world, listing, CaptureLimits(window_days=30, max_posts=5))
    assert got.status is CaptureStatus.OK and len(got.posts) == 5 and not got.window_complete
    assert world.count(WECHAT) == 5
    assert adapter_for(AccountRef("wechat_account", GH, {"article_list": "x.csv"})) is ADAPTER
    assert adapter_for(AccountRef("wechat_account", GH)) is None  # nothing to read without a list
