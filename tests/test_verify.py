"""The public verification (GET /api/v1/verify and /verify): answered anonymously for a
registered, a closed and an unknown account; its JSON has exactly the public keys; the URLs
people hold resolve to the registered channel; rate-limited per client; cacheable."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mgov.formats.load import import_file
from mgov.registry import service
from mgov.registry.records import Batch, ChannelRecord, EventRecord, Origin
from mgov.web import create_app
from mgov.web.queries.verify import PUBLIC_KEYS
from mgov.web.rate_limit import RateLimiter
from webworld import build_world

SAMPLE = Path(__file__).parent / "data" / "usdr-sample.json"
T = Origin("test")


@pytest.fixture
def world(engine, tmp_path):
    w = build_world(engine, tmp_path)
    assert import_file(engine, SAMPLE, "usdr").report.accepted
    with engine.begin() as conn:
        service.write(conn, Batch(
            channels=[
                ChannelRecord("weibo_account", "1234567890", T, name="深圳发布", owner="cn-440300"),
                ChannelRecord("wechat_account", "gh_0123456789ab", T, name="深圳发布", owner="cn-440300",
                              attributes={"biz": "MzA5NzQ0MjQ0MQ=="}),
                ChannelRecord("weibo_account", "2233445566", T, name="深圳旧账号", owner="cn-440300"),
                ChannelRecord("website", "https://www.sz.gov.cn/cn/hdjl", T, name="深圳互动交流", owner="cn-440300"),
            ],
            events=[EventRecord("weibo_account", "1234567890", "opened", T, date=dt.date(2013, 5, 2)),
                    EventRecord("weibo_account", "2233445566", "opened", T, date=dt.date(2012, 1, 9))]))
        service.write(conn, Batch(channels=[ChannelRecord("weibo_account", "2233445566", T, status="closed",
                                                          event_on=dt.date(2020, 3, 31), event_note="注销")]))
    return w


def _ask(client: TestClient, **params: str) -> dict:
    answer = client.get("/api/v1/verify", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_registered_closed_and_unknown_accounts_anonymously_with_the_public_keys_only(world):
    anonymous = TestClient(world.app())
    found = _ask(anonymous, url="https://m.weibo.cn/u/1234567890")
    assert found == {"registered": True, "official": True, "kind": "weibo_account", "address": "1234567890",
                     "name": "深圳发布", "organization": "深圳市人民政府", "status": "active", "since": "2013-05-02",
                     "closed_on": None}
    closed = _ask(anonymous, url="weibo.com/2233445566")
    assert (closed["registered"], closed["official"], closed["status"], closed["since"], closed["closed_on"]) == (
        True, False, "closed", "2012-01-09", "2020-03-31")
    unknown = _ask(anonymous, url="https://weibo.com/u/9999999999")
    assert unknown == dict.fromkeys(PUBLIC_KEYS) | {"registered": False, "official": False}
    for answer in (found, closed, unknown):
        assert tuple(answer) == PUBLIC_KEYS
    # Nothing of people, contacts, ids or findings: the registered answer's text has only its facts.
    text = json.dumps([found, closed, _ask(anonymous, url="https://twitter.com/usgsa")], ensure_ascii=False)
    for leak in ("zhao.lei", "赵磊", "sz.example", "social.media@gsa.gov", "GSA Social Media Team", "usdr_id",
                 "3145", "cn-440300", "owner", "responsible", "attributes", "tags"):
        assert leak not in text
    # By kind and address; the organization's name in the language asked.
    by_key = _ask(anonymous, kind="app_ios", address="id474807486", lang="zh")
    assert (by_key["name"], by_key["organization"], by_key["since"]) == (
        "FEMA", "Federal Emergency Management Agency", "2016-03-01")  # no Chinese name: the English one
    assert _ask(anonymous, url="https://m.weibo.cn/u/1234567890", lang="en")["organization"] == "Shenzhen"
    # A signed-in user gets the same answer; the sign-in changes nothing and needs no CSRF token.
    assert _ask(world.client("b_staff").http, url="https://m.weibo.cn/u/1234567890") == found
    assert anonymous.post("/api/v1/verify", params={"url": "weibo.com/1234567890"}).status_code == 405


@pytest.mark.parametrize(("url", "key"), [
    ("https://m.weibo.cn/u/1234567890", ("weibo_account", "1234567890")),
    ("weibo.com/1234567890", ("weibo_account", "1234567890")),
    ("https://www.weibo.com/u/1234567890?refer_flag=1005055013_", ("weibo_account", "1234567890")),
    ("https://m.weibo.cn/profile/1234567890", ("weibo_account", "1234567890")),
    ("https://weibo.com/1234567890/Nx8bYc1a", ("weibo_account", "1234567890")),  # a post of the account
    ("https://mp.weixin.qq.com/s?__biz=MzA5NzQ0MjQ0MQ==&mid=2650&idx=1&sn=9f0e#rd", ("wechat_account",
                                                                                    "gh_0123456789ab")),
    ("https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA5NzQ0MjQ0MQ==", ("wechat_account",
                                                                                   "gh_0123456789ab")),
    ("https://www.sz.gov.cn/cn/xxgk/zfxxgj/index.html", ("website", "https://www.sz.gov.cn")),
    ("http://sz.gov.cn/", ("website", "https://www.sz.gov.cn")),  # the other scheme, the bare twin
    ("https://www.sz.gov.cn/cn/hdjl/zxts/", ("website", "https://www.sz.gov.cn/cn/hdjl")),  # the longest wins
    ("https://twitter.com/USGSA", ("other_social", "twitter:usgsa")),  # handles ignore case
    ("https://x.com/usgsa", ("other_social", "twitter:usgsa")),
    ("https://www.facebook.com/GSA/", ("other_social", "facebook:GSA")),
    ("https://www.youtube.com/user/fema", ("other_social", "youtube:fema")),
    ("https://apps.apple.com/us/app/fema/id474807486", ("app_ios", "id474807486")),
    ("https://play.google.com/store/apps/details?id=gov.nasa&hl=en", ("app_android", "gov.nasa")),
])
def test_url_spellings_resolve_to_the_registered_channel(world, url, key):
    found = _ask(TestClient(world.app()), url=url)
    assert (found["kind"], found["address"]) == key, found


@pytest.mark.parametrize("url", ["https://mp.weixin.qq.com/s/AbCdEfGh123",  # an article URL names no account
                                 "https://mp.weixin.qq.com/s?__biz=MzOTHER==&mid=1", "https://www.sz-gov.cn/",
                                 "https://evil.example/www.sz.gov.cn", "https://twitter.com/usgsa_fake"])
def test_lookalikes_are_not_registered(world, url):
    assert _ask(TestClient(world.app()), url=url)["registered"] is False


def test_bad_questions_are_refused_plainly(world):
    client = TestClient(world.app())
    for params in ({}, {"kind": "website"}, {"url": "weibo.com/1", "kind": "website", "address": "x"},
                   {"url": "ftp://example.gov"}, {"kind": "nonsense", "address": "x"}):
        answer = client.get("/api/v1/verify", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["error"]["type"] in ("InvalidValue", "InvalidRequest")


def test_answers_are_cacheable_and_revalidate_with_their_etag(world):
    client = TestClient(world.app())
    first = client.get("/api/v1/verify", params={"url": "https://m.weibo.cn/u/1234567890"})
    assert first.headers["cache-control"] == "public, max-age=300"
    tag = first.headers["etag"]
    again = client.get("/api/v1/verify", params={"url": "https://m.weibo.cn/u/1234567890"},
                       headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    other = client.get("/api/v1/verify", params={"url": "weibo.com/2233445566"}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    page = client.get("/verify", params={"url": "weibo.com/1234567890"})
    assert page.headers["cache-control"] == "public, max-age=300" and "Accept-Language" in page.headers["vary"]
    assert client.get("/verify", params={"url": "weibo.com/1234567890"},
                      headers={"If-None-Match": page.headers["etag"]}).status_code == 304


def test_the_rate_limit_per_client(world):
    world.settings.web.verify_per_minute = 3
    client = TestClient(world.app())
    for _ in range(3):
        assert client.get("/api/v1/verify", params={"url": "weibo.com/1234567890"}).status_code == 200
    refused = client.get("/api/v1/verify", params={"url": "weibo.com/1234567890"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["type"] == "RateLimited"
    page = client.get("/verify", params={"url": "weibo.com/1234567890"})  # the page counts against the same limit
    assert page.status_code == 429 and page.headers["retry-after"]
    assert client.get("/verify").status_code == 200  # the empty form asks nothing


def test_the_limiter_counts_each_client_in_its_own_window():
    now = [1000.0]
    limiter = RateLimiter(2, window=60, max_clients=3, now=lambda: now[0])
    limiter.hit("10.0.0.1")
    limiter.hit("10.0.0.1")
    with pytest.raises(Exception) as refused:
        limiter.hit("10.0.0.1")
    assert refused.value.retry_after == 60
    limiter.hit("10.0.0.2")  # another client is not held back
    now[0] += 30
    with pytest.raises(Exception) as still:
        limiter.hit("10.0.0.1")
    assert still.value.retry_after == 30  # the refused attempts were not counted
    now[0] += 30
    limiter.hit("10.0.0.1")  # the window moved on
    for n in range(3, 10):  # many new addresses: the oldest are forgotten, memory stays bounded
        limiter.hit(f"10.0.0.{n}")
    assert len(limiter._hits) == 3


def test_the_page_answers_in_chinese_and_english(world):
    client = TestClient(create_app(world.settings, engine=world.engine))
    client.cookies.set("mgov_lang", "zh")
    page = client.get("/verify", params={"url": "https://m.weibo.cn/u/1234567890"})
    assert page.status_code == 200
    assert "已登记备案的官方渠道" in page.text and "深圳市人民政府" in page.text and "微博账号" in page.text
    closed = client.get("/verify", params={"url": "weibo.com/2233445566"}).text
    assert "已登记，但已停止运营" in closed and "注销日期" in closed
    assert "未登记备案的渠道" in client.get("/verify", params={"url": "weibo.com/u/9999999999"}).text
    bad = client.get("/verify", params={"url": "ftp://nowhere"})
    assert bad.status_code == 422 and "无法识别该链接" in bad.text
    client.cookies.set("mgov_lang", "en")
    english = client.get("/verify", params={"url": "https://twitter.com/usgsa"}).text
    assert "Registered official channel" in english and "General Services Administration" in english
    for text in (page.text, english):
        assert "zhao.lei" not in text and "social.media@gsa.gov" not in text and "Sign out" not in text
