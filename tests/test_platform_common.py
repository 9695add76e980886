"""What the platform adapters share: their registration, time forms, post markup, the pace."""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

from aiohttp import web

from mgov.collect.platforms.base import PlatformAdapter, SearchingAdapter, all_adapters
from mgov.collect.platforms.fetching import Reader, pace_of, retry_after
from mgov.collect.platforms.markup import read_html, unwrap
from mgov.collect.platforms.times import any_time, iso_time, unix_time, weibo_time
from mgov.collect.warc import read_record
from mgov.evidence.exchange import Exchange
from platform_world import FEEDS, NOW, World, answer, platform_lab
from test_collect_support import run


def test_adapters_are_registered_by_name() -> None:
    adapters = {a.name: a for a in all_adapters()}
    assert {"activitypub", "feed", "wechat", "weibo"} <= set(adapters)
    assert all(isinstance(a, PlatformAdapter) for a in adapters.values())
    assert isinstance(adapters["weibo"], SearchingAdapter) and isinstance(adapters["activitypub"], SearchingAdapter)
    assert not isinstance(adapters["feed"], SearchingAdapter) and not isinstance(adapters["wechat"], SearchingAdapter)


def test_platform_time_forms() -> None:
    now = dt.datetime(2027, 1, 2, 3, 0, tzinfo=dt.UTC)  # 11:00 in Beijing
    utc = dt.UTC
    cases = {"Sun Dec 06 09:12:00 +0800 2026": dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc),
             "刚刚": now, "30秒前": now - dt.timedelta(seconds=30), "5分钟前": now - dt.timedelta(minutes=5),
             "3小时前": now - dt.timedelta(hours=3), "2天前": now - dt.timedelta(days=2),
             "今天 09:12": dt.datetime(2027, 1, 2, 1, 12, tzinfo=utc),
             "昨天 23:50": dt.datetime(2027, 1, 1, 15, 50, tzinfo=utc),
             "前天 09:12": dt.datetime(2026, 12, 31, 1, 12, tzinfo=utc),
             "12-30": dt.datetime(2026, 12, 29, 16, 0, tzinfo=utc),  # a month-day after today is last year's
             "01-02 08:00": dt.datetime(2027, 1, 2, 0, 0, tzinfo=utc),
             "2026-12-06": dt.datetime(2026, 12, 5, 16, 0, tzinfo=utc),
             "2026年12月06日 09:12": dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc),
             "12月06日 09:12": dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc)}
    for text, expected in cases.items():
        assert weibo_time(text, now) == expected, text
    for junk in ("", "yesterday", "Sun Foo 06 09:12:00 +0800 2026", "13-45", None, 12):
        assert weibo_time(junk, now) is None
    assert iso_time("2026-12-06T01:12:00Z") == dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc)
    assert iso_time("2026-12-06T09:12:00.5+08:00") == dt.datetime(2026, 12, 6, 1, 12, 0, 500000, tzinfo=utc)
    assert iso_time("2026-12-06T01:12:00") == dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc) and iso_time("soon") is None
    assert unix_time("1733450000") == unix_time(1733450000000) == dt.datetime(2024, 12, 6, 1, 53, 20, tzinfo=utc)
    assert unix_time("0") is None and unix_time("x") is None
    assert any_time("2026-12-06 09:12", now) == dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc)
    assert any_time("2026-12-06T09:12:00+08:00", now) == dt.datetime(2026, 12, 6, 1, 12, tzinfo=utc)


def test_post_markup() -> None:
    assert unwrap("https://weibo.cn/sinaurl?u=https%3A%2F%2Fwww.gov.cn%2F") == "https://www.gov.cn/"
    assert unwrap("https://weibo.cn/sinaurl?toasturl=https%3A%2F%2Fa.gov.cn%2F&u=javascript:x") == "https://a.gov.cn/"
    assert unwrap("https://weibo.cn/sinaurl?u=javascript%3Aalert(1)") == "https://weibo.cn/sinaurl?u=javascript%3Aalert(1)"
    assert unwrap("https://www.gov.cn/sinaurl?u=https%3A%2F%2Fx.cn%2F").startswith("https://www.gov.cn/")
    body = read_html('<div><p>一<br>二</p><p>三&nbsp;&nbsp;四</p><script>alert(1)</script>'
                     '<a href="javascript:void(0)">x</a><a href="mailto:a@b.cn">m</a>'
                     '<a href="HTTPS://WWW.GOV.CN:443/a/../b#frag">b</a><a href="https://www.gov.cn/b">again</a>'
                     '<video src="https://v.gov.cn/1.mp4"></video></div>')
    assert body.text == "一\n二\n三 四\nxmbagain"
    assert body.links == ["https://www.gov.cn/b"] and body.media == ["https://v.gov.cn/1.mp4"]
    assert read_html("").text == "" and read_html("  ").links == []


def test_retry_after_forms() -> None:
    def ex(value: str) -> Exchange:
        return Exchange(url="https://x/", status=429, headers=[("Retry-After", value)])
    assert retry_after(ex("120")) == 120.0
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), usegmt=True)
    assert 3500 < (retry_after(ex(later)) or 0) <= 3600
    assert retry_after(ex("soon")) is None and retry_after(Exchange(url="https://x/")) is None


def test_one_pace_per_run_and_the_accept_header_is_archived(tmp_path: Path) -> None:
    async def json_feed(request: web.Request) -> web.StreamResponse:
        return answer({"ok": True})
    world = World().on(FEEDS, json_feed)

    async def main() -> Exchange:
        async with platform_lab(tmp_path, world) as ctx:
            assert pace_of(ctx) is pace_of(ctx)
            reader = Reader(ctx)
            data, ex = await reader.get_json(f"https://{FEEDS}/x.json", accept="application/activity+json")
            assert data == {"ok": True} and len(reader.refs) == 2
            return ex
    ex = run(main())
    request = read_record(tmp_path / "warc", ex.refs[0])
    assert request.rec_type == "request" and request.header("Accept") == "application/activity+json"
    assert world.accepts == ["application/activity+json"] and NOW.tzinfo is dt.UTC
