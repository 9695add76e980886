"""The feed adapter (RSS 2.0, Atom 1.0, JSON Feed 1.1) against feeds served on loopback."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from mgov.collect.platforms.base import AccountRef, CaptureLimits, adapter_for
from mgov.collect.platforms.feed import ADAPTER
from mgov.evidence.newmedia import CaptureStatus
from platform_world import FEEDS, NOW, World, answer, archived_uri, platform_lab
from test_collect_support import run

BASE = f"https://{FEEDS}"


def rfc822(age: dt.timedelta) -> str:
    return email.utils.format_datetime(NOW - age)


Item = tuple[str, str, dt.timedelta | None, str]  # guid, title, age (None: undated), HTML


def rss(items: list[Item], encoding: str = "utf-8", title: str = "北京市政府 通知公告") -> bytes:
    parts = []
    for guid, item_title, age, html in items:
        date = f"<pubDate>{rfc822(age)}</pubDate>" if age is not None else ""
        parts.append(f"<item><guid>{guid}</guid><title>{item_title}</title><link>https://www.beijing.gov.cn/n/{guid}.html</link>"
                     f"{date}<description><![CDATA[{html}]]></description>"
                     f'<enclosure url="https://www.beijing.gov.cn/f/{guid}.pdf" type="application/pdf" length="1"/>'
                     "</item>")
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    doc = (f'{prolog}<rss version="2.0"><channel><title>{title}</title><link>https://www.beijing.gov.cn/</link>'
           f"<description>政府信息公开</description><image><url>https://www.beijing.gov.cn/logo.png</url></image>"
           f"{''.join(parts)}</channel></rss>")
    return doc.encode(encoding or "utf-8")


ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency news</title><id>urn:agency</id>
<link href="https://www.agency.gov/"/><subtitle>What we do</subtitle><icon>https://www.agency.gov/i.png</icon>
<entry><id>urn:1</id><title>First</title><link href="https://www.agency.gov/1"/>
<published>{(NOW - dt.timedelta(days=1)).isoformat()}</published>
<updated>{(NOW - dt.timedelta(hours=3)).isoformat()}</updated>
<content type="html">&lt;p&gt;See &lt;a href="/forms/a"&gt;the form&lt;/a&gt;&lt;/p&gt;</content></entry>
<entry><id>urn:2</id><title>Old</title><link href="https://www.agency.gov/2"/>
<updated>{(NOW - dt.timedelta(days=90)).isoformat()}</updated><summary>Old news</summary></entry>
</feed>""".encode()

JSON_FEED = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON agency", "home_page_url": "https://www.agency.gov/",
             "feed_url": f"{BASE}/gov.json", "icon": "https://www.agency.gov/icon.png", "description": "Notices",
             "items": [{"id": "a", "url": "https://www.agency.gov/a", "title": "A",
                        "content_html": '<p>Apply <a href="https://apply.agency.gov/">here</a></p>',
                        "date_published": (NOW - dt.timedelta(days=2)).isoformat(),
                        "attachments": [{"url": "https://www.agency.gov/a.pdf", "mime_type": "application/pdf"}]},
                       {"id": 7, "content_text": "plain text only", "date_published": "2026-12-09T10:00:00+08:00"},
                       "junk"]}


def feeds(**routes: Any) -> World:
    async def handler(request: web.Request) -> web.StreamResponse:
        name = request.path.lstrip("/")
        if name not in routes:
            raise web.HTTPNotFound()
        value = routes[name]
        return value if isinstance(value, web.StreamResponse) else value()
    return World().on(FEEDS, handler)


def capture(tmp: Path, world: World, name: str, limits: CaptureLimits | None = None, **settings: Any) -> Any:
    async def main() -> Any:
        async with platform_lab(tmp, world, **settings) as ctx:
            account = AccountRef("other_social", f"rss:{name}", {"feed_url": f"{BASE}/{name}"})
            return await ADAPTER.capture(account, ctx, limits or CaptureLimits(), NOW)
    return run(main())


def test_rss_atom_and_json_feed(tmp_path: Path) -> None:
    items = [("n1", "通知一", dt.timedelta(hours=5), '<p>详见<a href="/zwgk/1.html">附件</a><img src="/i/1.png"></p>'),
             ("n2", "通知二", dt.timedelta(days=3), "<p>第二条</p>"),
             ("n0", "旧闻", dt.timedelta(days=60), "<p>old</p>")]
    world = feeds(**{"gov.rss": lambda: answer(rss(items), content_type="application/rss+xml"),
                     "gov.atom": lambda: answer(ATOM, content_type="application/atom+xml"),
                     "gov.json": lambda: answer(JSON_FEED, content_type="application/feed+json")})
    account = AccountRef("weibo_account", "1234", {"feed_url": f"{BASE}/gov.rss"})
    assert adapter_for(account) is ADAPTER  # a feed_url is read as a feed, whatever the kind
    got = capture(tmp_path / "rss", world, "gov.rss")
    assert got.status is CaptureStatus.OK and got.error is None and got.window_complete
    p = got.profile
    assert (p.name, p.url, p.avatar_url, p.description) == (
        "北京市政府 通知公告", "https://www.beijing.gov.cn/", "https://www.beijing.gov.cn/logo.png", "政府信息公开")
    assert [x.post_id for x in got.posts] == ["n1", "n2"]
    first = got.posts[0]
    assert first.title == "通知一" and first.text == "详见附件" and first.published == NOW - dt.timedelta(hours=5)
    assert first.links == ["https://www.beijing.gov.cn/zwgk/1.html"]  # relative to the item's link
    assert first.media == ["https://www.beijing.gov.cn/i/1.png", "https://www.beijing.gov.cn/f/n1.pdf"]
    assert first.url == "https://www.beijing.gov.cn/n/n1.html"
    assert archived_uri(tmp_path / "rss", first.warc) == f"{BASE}/gov.rss" and got.warc

    got = capture(tmp_path / "atom", world, "gov.atom")
    assert got.status is CaptureStatus.OK and [x.post_id for x in got.posts] == ["urn:1"] and got.window_complete
    assert got.profile.name == "Agency news" and got.profile.description == "What we do"
    assert got.posts[0].links == ["https://www.agency.gov/forms/a"]
    assert got.posts[0].updated == NOW - dt.timedelta(hours=3)

    got = capture(tmp_path / "json", world, "gov.json")
    assert got.status is CaptureStatus.OK and [x.post_id for x in got.posts] == ["7", "a"]
    a = got.posts[1]
    assert a.links == ["https://apply.agency.gov/"] and a.media == ["https://www.agency.gov/a.pdf"]
    assert got.posts[0].text == "plain text only"
    assert got.posts[0].published == dt.datetime(2026, 12, 9, 2, tzinfo=dt.UTC)
    assert got.profile.name == "JSON agency" and not got.window_complete  # nothing older than the window seen


def test_gbk_feeds(tmp_path: Path) -> None:
    items = [("g1", "关于开展政务公开工作的通知", dt.timedelta(days=1), "<p>各区人民政府</p>")]
    declared = rss(items, encoding="gbk")
    header_only = rss(items, encoding="")
    header_only = header_only.decode().encode("gbk")
    world = feeds(**{"prolog.rss": lambda: answer(declared, content_type="application/rss+xml"),
                     "header.rss": lambda: answer(header_only, content_type="application/rss+xml; charset=GBK")})
    for name in ("prolog.rss", "header.rss"):
        got = capture(tmp_path / name, world, name)
        assert got.status is CaptureStatus.OK, got.error
        assert got.posts[0].title == "关于开展政务公开工作的通知" and got.posts[0].text == "各区人民政府"
        assert got.profile.name == "北京市政府 通知公告"


def test_hostile_feeds(tmp_path: Path) -> None:
    many = [(f"h{n}", f"条目{n}", dt.timedelta(minutes=n), "<p>" + "正文" * 400 + "</p>") for n in range(400)]
    undated = [("u1", "无日期", None, "<p>a</p>"), ("u2", "也无日期", None, "<p>b</p>")]
    world = feeds(**{
        "huge.rss": lambda: answer(rss(many), content_type="application/rss+xml"),
        "undated.rss": lambda: answer(rss(undated), content_type="application/rss+xml"),
        "page.html": lambda: web.Response(text="<html><body><h1>首页</h1></body></html>", content_type="text/html"),
        "bad.json": lambda: answer(b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
                                   content_type="application/json"),
        "other.json": lambda: answer({"hello": "world"}),
        "blocked.rss": lambda: answer(b"no", status=403, content_type="text/plain"),
        "broken.rss": lambda: answer(rss(many[:3])[:-40] + b"<item><title>unclosed",
                                     content_type="application/rss+xml")})

    got = capture(tmp_path / "huge", world, "huge.rss", CaptureLimits(max_posts=1000), body_cap=256 * 1024)
    assert got.status is CaptureStatus.PARTIAL and "body cap" in (got.error or "") and not got.window_complete
    assert 10 < len(got.posts) < 400 and got.posts[0].post_id == "h0"

    got = capture(tmp_path / "undated", world, "undated.rss")
    assert got.status is CaptureStatus.OK and [x.post_id for x in got.posts] == ["u1", "u2"]
    assert got.posts[0].published is None and not got.window_complete and "no dates" in (got.error or "")

    for name, words in (("page.html", "HTML page"), ("bad.json", "malformed JSON"), ("other.json", "not a JSON Feed"),
                        ("blocked.rss", "HTTP 403")):
        got = capture(tmp_path / name, world, name)
        assert got.status is CaptureStatus.UNREACHABLE and words in (got.error or ""), (name, got.error)
        assert got.warc  # what answered is archived
    got = capture(tmp_path / "gone", world, "gone.rss")
    assert got.status is CaptureStatus.NOT_FOUND

    got = capture(tmp_path / "broken", world, "broken.rss")
    assert got.status is CaptureStatus.OK and len(got.posts) >= 2 and "not well-formed" in (got.error or "")


def test_feed_url_must_be_http(tmp_path: Path) -> None:
    async def main() -> Any:
        async with platform_lab(tmp_path, World()) as ctx:
            account = AccountRef("other_social", "rss:x", {"feed_url": "file:///etc/passwd"})
            return await ADAPTER.capture(account, ctx, CaptureLimits(), NOW)
    got = run(main())
    assert got.status is CaptureStatus.ERROR and "not an http(s) URL" in (got.error or "")
    assert json.dumps(got.error)  # a plain message
