"""The demo farm's new-media platforms (issue 17): Weibo's mobile JSON and post pages, WeChat
article pages and exported article lists, RSS/Atom/JSON feeds and a Mastodon-like server,
reached over HTTPS under their real names through the farm's DNS and CA; the accounts'
defects in both epochs; the manifest's entries; posts over time (set_today)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser

from mgov.content.rules import ContentRules
from mgov.content.wording import expression_hits, visible_text
from mgov.demo.farm import CAPTURE_CHECKS, NEWMEDIA_DEFECTS, Account, Manifest, RunningFarm, generate, run_in_thread
from mgov.demo.farm import contract as c
from mgov.demo.farm.client import FarmResolver
from mgov.demo.farm.defects_newmedia import SUPPORTED
from mgov.demo.farm.platform_posts import Clock, item, timeline
from mgov.demo.farm.platform_weibo import bid, mid
from mgov.demo.verify import verify_capture
from mgov.formats.load import import_file
from mgov.registry.addresses import normalize_address, platform_of

SEED, COUNT = 17, 20
TODAY = dt.date(2026, 11, 20)
ROOT = Path(__file__).resolve().parents[1]
AD_WORDS = ("广告", "优惠", "购买", "折", "券", "红包", "抽奖", "扫码", "sponsored", "promo", "coupon", "buy ",
            "% off", "sale")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return generate(SEED, COUNT, today=TODAY)


@pytest.fixture(scope="module")
def farm(manifest: Manifest):
    with run_in_thread(manifest) as running:
        yield running


@pytest.fixture
def epoch2(farm: RunningFarm):
    farm.set_epoch(2)
    try:
        yield farm
    finally:
        farm.set_epoch(1)


@dataclass
class Got:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def tree(self) -> LexborHTMLParser:
        return LexborHTMLParser(self.text)


def fetch(farm: RunningFarm, *urls: str, redirects: bool = False,
          headers: dict[str, str] | None = None) -> list[Got]:
    """GET each URL over the farm's DNS, ports and CA (HTTPS verified against the farm CA)."""
    async def run() -> list[Got]:
        connector = aiohttp.TCPConnector(resolver=FarmResolver(farm.dns_port, farm.port_map),
                                         ssl=farm.ssl_context(), family=socket.AF_INET)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=20)) as s:
            async def one(url: str) -> Got:
                async with s.get(url, allow_redirects=redirects, headers=headers) as r:
                    return Got(r.status, dict(r.headers), await r.read())
            return list(await asyncio.gather(*(one(u) for u in urls)))
    return asyncio.run(run())


def get(farm: RunningFarm, url: str, **kw: Any) -> Got:
    return fetch(farm, url, **kw)[0]


def accounts(m: Manifest, platform: str, defect: str | None = None) -> list[Account]:
    """Registered accounts of a platform with the defect (healthy ones when None)."""
    out = [a for a in m.accounts if a.platform == platform and a.registered
           and (defect in a.defects if defect else not a.defects)]
    assert out, (platform, defect)
    return out


def with_defect(m: Manifest, platform: str, defect: str) -> list[Account]:
    """The accounts of a platform with the defect (perhaps none: not every placement fits a small farm)."""
    return [a for a in m.accounts if a.platform == platform and a.has(defect)]


def one(m: Manifest, platform: str, defect: str | None = None) -> Account:
    return accounts(m, platform, defect)[0]


def weibo_api(**params: str) -> str:
    return f"https://{c.WEIBO_HOST}/api/container/getIndex?" + "&".join(f"{k}={v}" for k, v in params.items())


def weibo_timeline(farm: RunningFarm, a: Account) -> list[dict[str, Any]]:
    """Every post of the account, page by page until Weibo says there is no more."""
    posts, page = [], 1
    while True:
        doc = get(farm, weibo_api(type="uid", value=a.handle, containerid=f"107603{a.handle}", page=str(page))).json()
        if doc["ok"] != 1:
            assert doc == {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
            return posts
        cards = doc["data"]["cards"]
        assert len(cards) <= 10 and all(card["card_type"] == 9 for card in cards)
        posts += [card["mblog"] for card in cards]
        info = doc["data"]["cardlistInfo"]
        assert info["total"] >= len(posts)
        assert info["page"] == (page + 1 if len(posts) < info["total"] else None)
        page += 1


def weibo_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")


def outbox(farm: RunningFarm, a: Account) -> list[dict[str, Any]]:
    actor = get(farm, f"https://{c.SOCIAL_HOST}/users/{a.handle}",
                headers={"Accept": "application/activity+json"}).json()
    coll = get(farm, actor["outbox"]).json()
    assert coll["type"] == "OrderedCollection"
    items, url = [], coll["first"]
    while url:
        page = get(farm, url).json()
        assert page["type"] == "OrderedCollectionPage" and page["partOf"] == actor["outbox"]
        items += page["orderedItems"]
        url = page.get("next")
    assert coll["totalItems"] == sum(i["type"] == "Create" for i in items)
    return items


def wechat_export(farm: RunningFarm, m: Manifest, a: Account) -> dict[str, Any]:
    path = Path(m.account_attributes(a)["article_list"])
    assert path.parent == farm.exports_dir
    return json.loads(path.read_text(encoding="utf-8"))


def wechat_vars(page: str) -> dict[str, str]:
    return dict(re.findall(r'var (\w+) = "([^"]*)";', page))


# --- generation and the manifest ----------------------------------------------------------

def test_accounts_are_deterministic_and_cheap_by_default() -> None:
    assert generate(SEED, COUNT, today=TODAY).to_json() == generate(SEED, COUNT, today=TODAY).to_json()
    m = generate(SEED, COUNT, today=TODAY)
    registered = [a for a in m.accounts if a.registered]
    assert len(registered) == 36  # DEFAULT_ACCOUNTS: the farm's 20 units have more
    assert {a.organization.code for a in m.accounts} <= {s.organization.code for s in m.sites}
    assert generate(SEED, 3, today=TODAY).accounts  # a small farm has what its units have
    assert generate(SEED, COUNT, today=TODAY, accounts=0).accounts == []
    # Asked for more than the units have, the farm adds units without a site.
    big = generate(SEED, 4, today=TODAY, accounts=300)
    assert sum(a.registered for a in big.accounts) == 300
    assert len({a.address for a in big.accounts}) == len(big.accounts)
    assert len({a.organization.code for a in big.accounts}) > 100


@pytest.mark.parametrize("seed", [SEED, 3, 4])
def test_every_defect_once_and_each_account_at_most_one(seed: int) -> None:
    m = generate(seed, COUNT, today=TODAY)
    found = Counter(d for a in m.accounts for d in a.defects)
    assert set(found) == set(NEWMEDIA_DEFECTS)
    assert all(len(a.defects) <= 1 for a in m.accounts)
    for a in m.accounts:
        for d in a.defects:
            assert a.platform in SUPPORTED[d], (a.address, d)
    for platform in SUPPORTED["newmedia.wording"]:  # every platform keeps a healthy account
        assert accounts(m, platform)
    cn = {a.language for a in m.accounts if a.organization.jurisdiction == "cn"}
    us = {a.language for a in m.accounts if a.organization.jurisdiction == "us"}
    assert cn == {"zh"} and us == {"en"}


def test_manifest_entries_name_existing_accounts_and_checks(manifest: Manifest) -> None:
    entries = manifest.newmedia_defects()
    assert {e["defect"] for e in entries} == set(NEWMEDIA_DEFECTS)
    registered = {(a.kind, a.address) for a in manifest.accounts if a.registered}
    for e in entries:
        assert (e["kind"], e["address"]) in registered
        assert e["run_kind"] == "capture"
        assert e["checks"] and set(e["checks"]) <= CAPTURE_CHECKS and set(e["obscures"]) <= CAPTURE_CHECKS
        assert normalize_address(e["kind"], e["address"]) == e["address"]
    assert {e["defect"] for e in manifest.newmedia_defects(epoch=1)} == {
        d for d, spec in NEWMEDIA_DEFECTS.items() if spec.epoch == 1}
    # The discover entries: unregistered accounts that claim a registered unit.
    units = {o["code"] for o in manifest.registry_document()["organizations"]}
    found = manifest.discover_entries()
    assert len(found) >= 2 and {e["platform"] for e in found} == {"weibo", "activitypub"}
    for e in found:
        a = manifest.account(e["address"])
        assert not a.registered and e["claims"] in units and e["query"] in e["name"]
        assert (e["kind"], e["address"]) not in registered


def test_registry_document_registers_accounts_once_per_platform(farm: RunningFarm, manifest: Manifest,
                                                               engine: Any, tmp_path: Path) -> None:
    doc = manifest.registry_document()
    channels = [ch for ch in doc["channels"] if ch["kind"] != "website"]
    assert len(channels) == sum(a.registered for a in manifest.accounts)
    assert len([ch for ch in doc["channels"] if ch["kind"] == "website"]) == COUNT
    per_platform = Counter((ch["owner"], platform_of(ch["kind"], ch["address"])) for ch in channels)
    for ch in channels:
        a = manifest.account(ch["address"])
        assert ch["name"] == a.name
        # Two accounts of one unit on one platform: exactly the duplicates.
        assert (per_platform[(ch["owner"], platform_of(ch["kind"], ch["address"]))] > 1) == a.has(
            "newmedia.duplicate")
        if a.platform == "feed":
            assert ch["attributes"]["feed_url"].startswith(f"https://{c.FEEDS_HOST}/{a.handle}.")
        if a.platform == "wechat":
            assert Path(ch["attributes"]["article_list"]).is_file()
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path, "native").problems == []


def test_manifest_round_trip(farm: RunningFarm, manifest: Manifest) -> None:
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest and again.accounts and again.exports_dir == str(farm.exports_dir)


def test_verify_capture_counts_defects_and_false_alarms(manifest: Manifest) -> None:
    findings: dict[str, dict[str, dict[str, Any]]] = {}
    for e in manifest.newmedia_defects(epoch=1):
        for check in e["checks"]:
            findings.setdefault(e["address"], {})[check] = {"status": "fail"}
    ok = verify_capture(manifest, findings, epoch=1)
    assert ok.ok and ok.detected == ok.defects == len(manifest.newmedia_defects(epoch=1))
    second = verify_capture(manifest, findings, epoch=2)
    assert {m["defect"] for m in second.missed} == {d for d, s in NEWMEDIA_DEFECTS.items() if s.epoch == 2}
    healthy = one(manifest, "weibo")
    findings[healthy.address] = {"newmedia.wording": {"status": "warn"}}
    assert verify_capture(manifest, findings).false_alarms[0]["address"] == healthy.address


# --- the clean accounts ---------------------------------------------------------------------

def test_healthy_posts_are_clean_recent_and_regular(manifest: Manifest) -> None:
    rules = ContentRules()
    clock = Clock(TODAY, TODAY)
    for a in manifest.accounts:
        if not a.healthy:
            continue
        stubs = timeline(manifest.seed, a, clock)
        newest = stubs[0].time.date()
        assert 1 <= (TODAY - newest).days <= 3, (a.address, newest)
        last_two_weeks = [s for s in stubs if (TODAY - s.time.date()).days <= 14]
        assert len(last_two_weeks) >= 6, a.address  # at least three a week
        for s in stubs[:40]:
            it = item(manifest.seed, a, s, 1)
            text = visible_text(" ".join([it.title, *it.paragraphs, *(it.repost or ())]))
            assert expression_hits(text, rules)[1] == 0, (a.address, text)
            assert not any(w in text.lower() for w in AD_WORDS), (a.address, text)
            assert s.edited_at is None and not s.deleted


def test_links_of_posts_and_menus_answer(farm: RunningFarm, manifest: Manifest) -> None:
    """Every link a healthy account's posts or menus carry answers 200; the dead link 404."""
    links: set[str] = set()
    for a in manifest.accounts:
        if a.healthy:
            for s in timeline(manifest.seed, a, Clock(TODAY, TODAY))[:30]:
                links |= {url for url, _ in item(manifest.seed, a, s, 1).links}
    for a in accounts(manifest, "wechat"):
        links |= {m["url"] for m in wechat_export(farm, manifest, a)["account"]["menus"] if m["url"]}
    assert len(links) > 10
    got = dict(zip(sorted(links), fetch(farm, *sorted(links), redirects=True), strict=True))
    assert {u: g.status for u, g in got.items() if g.status != 200} == {}
    dead = [a.details["newmedia.dead_link"]["link"] for a in manifest.accounts if a.has("newmedia.dead_link")]
    assert [g.status for g in fetch(farm, *dead, redirects=True)] == [404] * len(dead)
    shop = [a.details["newmedia.commercial"]["link"] for a in manifest.accounts if a.has("newmedia.commercial")]
    assert {g.status for g in fetch(farm, *shop)} == {200}


# --- Weibo ----------------------------------------------------------------------------------

def test_weibo_profile_timeline_and_posts(farm: RunningFarm, manifest: Manifest) -> None:
    a = one(manifest, "weibo")
    doc = get(farm, weibo_api(type="uid", value=a.handle)).json()
    info = doc["data"]["userInfo"]
    assert doc["ok"] == 1 and info["id"] == int(a.handle) and info["screen_name"] == a.name
    assert info["verified"] is True and info["verified_reason"] == a.certification
    assert {"tabKey": "weibo", "title": "微博", "containerid": f"107603{a.handle}"} in doc["data"]["tabsInfo"]["tabs"]
    assert get(farm, info["profile_image_url"]).headers["Content-Type"] == "image/png"
    posts = weibo_timeline(farm, a)
    assert len(posts) == info["statuses_count"] > 30
    times = [weibo_time(p["created_at"]) for p in posts]
    assert times == sorted(times, reverse=True) and times[0].utcoffset() == dt.timedelta(hours=8)
    for p in posts:
        assert p["user"]["id"] == int(a.handle) and bid(int(p["id"])) == p["bid"] and mid(p["bid"]) == int(p["id"])
        assert p["comment_manage_info"]["comment_permission_type"] in (-1, 0, 1)
        assert p["edit_count"] == 0
        for pic in p["pics"]:
            assert get(farm, pic["large"]["url"]).status == 200
    one_post = posts[3]
    shown = get(farm, f"https://{c.WEIBO_HOST}/statuses/show?id={one_post['id']}").json()
    assert shown == {"ok": 1, "data": one_post}
    page = get(farm, f"https://{c.WEIBO_HOST}/detail/{one_post['id']}").text
    found = re.search(r"var \$render_data = (\[.*\])\[0\]", page)
    assert found is not None
    data = json.loads(found[1])
    assert data[0]["status"] == one_post
    assert get(farm, f"https://{c.WEIBO_HOST}/status/{one_post['bid']}").text == page
    assert get(farm, weibo_api(type="uid", value="1234567890")).json() == {"ok": 0, "msg": "用户不存在"}
    assert get(farm, f"https://{c.WEIBO_HOST}/statuses/show?id=1").json()["ok"] == 0


def test_weibo_long_text_links_and_reposts(farm: RunningFarm, manifest: Manifest) -> None:
    seen = {"long": 0, "sinaurl": 0, "plain": 0, "topic": 0, "repost": 0}
    for a in accounts(manifest, "weibo"):
        for p in weibo_timeline(farm, a)[:30]:
            if p["isLongText"]:
                seen["long"] += 1
                assert f'<a href="/status/{p["id"]}">全文</a>' in p["text"]
                full = get(farm, f"https://{c.WEIBO_HOST}/statuses/extend?id={p['id']}").json()
                assert full["ok"] == 1 and len(full["data"]["longTextContent"]) > len(p["text"]) - 40
            for href in re.findall(r'href="([^"]+)"', p["text"]):
                href = href.replace("&amp;", "&")
                if href.startswith(f"https://{c.WEIBO_LINK_HOST}/sinaurl?u="):
                    seen["sinaurl"] += 1
                    target = get(farm, href)
                    assert target.status == 302 and target.headers["Location"].startswith("https://")
                elif href.startswith(f"https://{c.WEIBO_HOST}/search?containerid="):
                    seen["topic"] += 1
                elif href.startswith("https://"):
                    seen["plain"] += 1
            if "retweeted_status" in p:
                seen["repost"] += 1
                assert p["retweeted_status"]["user"]["screen_name"] == "中国政府网"
    assert all(seen.values()), seen


def test_weibo_search_finds_registered_and_unregistered(farm: RunningFarm, manifest: Manifest) -> None:
    for e in (e for e in manifest.discover_entries() if e["platform"] == "weibo"):
        container = quote(f"100103type=3&q={e['query']}", safe="")
        doc = get(farm, weibo_api(containerid=container, page_type="searchall")).json()
        users = [card["user"] for group in doc["data"]["cards"] for card in group["card_group"]]
        uids = {str(u["id"]) for u in users}
        assert e["address"] in uids
        unit = {a.handle for a in manifest.accounts if a.platform == "weibo" and a.registered
                and a.organization.code == e["claims"]}
        assert unit and unit <= uids
        stranger = next(u for u in users if str(u["id"]) == e["address"])
        assert stranger["verified"] is False and e["query"] in stranger["screen_name"]
    assert get(farm, weibo_api(containerid=quote("100103type=3&q=不存在的单位名称", safe=""),
                               page_type="searchall")).json() == {"ok": 1, "data": {"cards": []}}


def test_weibo_defects(farm: RunningFarm, manifest: Manifest) -> None:
    stale = one(manifest, "weibo", "newmedia.stale")
    newest = weibo_time(weibo_timeline(farm, stale)[0]["created_at"]).date()
    assert (TODAY - newest).days >= 16 and newest.isoformat() == stale.details["newmedia.stale"]["newest"]
    for a in with_defect(manifest, "weibo", "newmedia.interaction_closed"):
        assert {p["comment_manage_info"]["comment_permission_type"] for p in weibo_timeline(farm, a)} == {2}
    wording = one(manifest, "weibo", "newmedia.wording")
    facts = wording.details["newmedia.wording"]
    full = get(farm, f"https://{c.WEIBO_HOST}/statuses/extend?id={facts['post_id']}").json()
    assert facts["wrong"] in full["data"]["longTextContent"]
    ad = one(manifest, "weibo", "newmedia.commercial").details["newmedia.commercial"]
    post = get(farm, f"https://{c.WEIBO_HOST}/statuses/show?id={ad['post_id']}").json()["data"]
    assert "【广告】" in post["text"] and quote(ad["link"], safe="") in post["text"] + quote(post["text"], safe="")


def test_weibo_epoch_two(farm: RunningFarm, manifest: Manifest, epoch2: RunningFarm) -> None:
    renamed = one(manifest, "weibo", "newmedia.renamed")
    info = get(farm, weibo_api(type="uid", value=renamed.handle)).json()["data"]["userInfo"]
    assert info["screen_name"] == renamed.details["newmedia.renamed"]["after"] != renamed.name
    deleted = one(manifest, "weibo", "newmedia.post_deleted")
    gone = deleted.details["newmedia.post_deleted"]["post_id"]
    assert gone not in {p["id"] for p in weibo_timeline(farm, deleted)}
    assert get(farm, f"https://{c.WEIBO_HOST}/statuses/show?id={gone}").json() == {
        "ok": 0, "msg": "微博不存在或暂无查看权限!"}
    edited = one(manifest, "weibo", "newmedia.post_edited")
    facts = edited.details["newmedia.post_edited"]
    post = get(farm, f"https://{c.WEIBO_HOST}/statuses/show?id={facts['post_id']}").json()["data"]
    assert post["edit_count"] == 1 and weibo_time(post["edit_at"]) > weibo_time(post["created_at"])
    text = post["text"] if not post["isLongText"] else get(
        farm, f"https://{c.WEIBO_HOST}/statuses/extend?id={facts['post_id']}").json()["data"]["longTextContent"]
    assert facts["added"] in text
    farm.set_epoch(1)
    assert gone in {p["id"] for p in weibo_timeline(farm, deleted)}
    info = get(farm, weibo_api(type="uid", value=renamed.handle)).json()["data"]["userInfo"]
    assert info["screen_name"] == renamed.name


# --- WeChat ---------------------------------------------------------------------------------

def test_wechat_export_and_article_pages(farm: RunningFarm, manifest: Manifest) -> None:
    for a in accounts(manifest, "wechat")[:2]:
        doc = wechat_export(farm, manifest, a)
        facts = doc["account"]
        assert facts["name"] == a.name and facts["certification"] == a.certification
        assert facts["messages_open"] is True
        assert {m["kind"] for m in facts["menus"]} == {"link", "consult", "mini_program"}
        articles = doc["articles"]
        assert len(articles) >= 25
        published = [dt.datetime.fromisoformat(x["published"]) for x in articles]
        assert published == sorted(published, reverse=True) and (TODAY - published[0].date()).days <= 3
        url = articles[1]["url"]
        assert url.startswith(f"https://{c.WECHAT_HOST}/s")
        page = get(farm, url)
        assert page.status == 200
        tree = page.tree()
        assert tree.css_first("h1#activity-name").text() == articles[1]["title"]
        assert tree.css_first('meta[property="og:title"]').attributes["content"] == articles[1]["title"]
        assert tree.css_first("a#js_name").text() == a.name
        assert tree.css_first("div#js_content").text().strip()
        v = wechat_vars(page.text)
        assert v["user_name"] == a.handle and v["biz"].startswith("MzA") and v["comment_id"] != "0"
        assert dt.datetime.fromtimestamp(int(v["ct"]), dt.UTC) == published[1]
        assert get(farm, v["round_head_img"]).status == 200 and v["round_head_img"] == facts["avatar_url"]
    forms = {urlsplit(wechat_export(farm, manifest, a)["articles"][0]["url"]).path
             for a in accounts(manifest, "wechat")}
    assert "/s" in forms and any(f.startswith("/s/") for f in forms)  # both URL forms are in use
    missing = get(farm, f"https://{c.WECHAT_HOST}/s/AAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status == 200 and "参数错误" in missing.tree().css_first(".weui-msg__title").text()


def test_wechat_defects(farm: RunningFarm, manifest: Manifest) -> None:
    closed = one(manifest, "wechat", "newmedia.interaction_closed")
    doc = wechat_export(farm, manifest, closed)
    assert doc["account"]["messages_open"] is False
    assert "consult" not in {m["kind"] for m in doc["account"]["menus"]}
    pages = fetch(farm, *[x["url"] for x in doc["articles"][:5]])
    assert {wechat_vars(p.text)["comment_id"] for p in pages} == {"0"}
    for a in with_defect(manifest, "wechat", "newmedia.wording"):
        facts = a.details["newmedia.wording"]
        assert facts["wrong"] in get(farm, facts["url"]).tree().css_first("#js_content").text()
    dead = one(manifest, "wechat", "newmedia.dead_link").details["newmedia.dead_link"]
    assert f'href="{dead["link"]}"' in get(farm, dead["url"]).text


def test_wechat_epoch_two(farm: RunningFarm, manifest: Manifest, epoch2: RunningFarm) -> None:
    recert = one(manifest, "wechat", "newmedia.recertified")
    facts = recert.details["newmedia.recertified"]
    assert wechat_export(farm, manifest, recert)["account"]["certification"] == facts["after"] != facts["before"]
    for a in with_defect(manifest, "wechat", "newmedia.post_deleted"):
        gone = a.details["newmedia.post_deleted"]["url"]
        assert gone in {x["url"] for x in wechat_export(farm, manifest, a)["articles"]}
        page = get(farm, gone)
        assert page.status == 200 and page.tree().css_first(".weui-msg__title").text() == "该内容已被发布者删除"
    for a in with_defect(manifest, "wechat", "newmedia.post_edited"):
        facts = a.details["newmedia.post_edited"]
        assert facts["added"] in get(farm, facts["url"]).tree().css_first("#js_content").text()
    farm.set_epoch(1)
    assert wechat_export(farm, manifest, recert)["account"]["certification"] == recert.certification


# --- feeds ----------------------------------------------------------------------------------

def parse_feed(farm: RunningFarm, a: Account, ext: str) -> tuple[str, list[dict[str, Any]]]:
    """(title, items {id, url, published, updated, html}) of one of the account's feeds."""
    got = get(farm, f"https://{c.FEEDS_HOST}/{a.handle}.{ext}")
    assert got.status == 200
    if ext == "json":
        doc = got.json()
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        return doc["title"], [{"id": i["id"], "url": i["url"], "updated": i.get("date_modified"),
                               "published": dt.datetime.fromisoformat(i["date_published"]),
                               "html": i["content_html"]} for i in doc["items"]]
    root = ET.fromstring(got.body)  # noqa: S314 - the demo farm's own feed
    if ext == "rss":
        ch = root.find("channel")
        assert ch is not None
        return ch.findtext("title") or "", [
            {"id": i.findtext("guid"), "url": i.findtext("link"), "updated": None, "html": i.findtext("description"),
             "published": dt.datetime.strptime(i.findtext("pubDate") or "", "%a, %d %b %Y %H:%M:%S %z")}
            for i in ch.findall("item")]
    return root.findtext(f"{ATOM}title") or "", [
        {"id": e.findtext(f"{ATOM}id"), "url": next(iter(e.iterfind(f"{ATOM}link"))).attrib["href"],
         "published": dt.datetime.fromisoformat(e.findtext(f"{ATOM}published") or ""),
         "updated": e.findtext(f"{ATOM}updated"), "html": e.findtext(f"{ATOM}content")}
        for e in root.findall(f"{ATOM}entry")]


def test_feeds_in_three_formats_agree(farm: RunningFarm, manifest: Manifest) -> None:
    a = one(manifest, "feed")
    feeds = {ext: parse_feed(farm, a, ext) for ext in ("rss", "atom", "json")}
    assert {title for title, _ in feeds.values()} == {a.name}
    ids = [[i["id"] for i in items] for _, items in feeds.values()]
    assert ids[0] == ids[1] == ids[2] and len(ids[0]) >= 20
    items = feeds["json"][1]
    assert [i["published"] for i in items] == sorted((i["published"] for i in items), reverse=True)
    assert (TODAY - items[0]["published"].date()).days <= 3
    assert get(farm, items[0]["url"]).status == 200
    assert get(farm, a.attributes["feed_url"]).status == 200
    assert get(farm, f"https://{c.FEEDS_HOST}/nobody.rss").status == 404


def test_feed_defects_and_epoch_two(farm: RunningFarm, manifest: Manifest) -> None:
    stale = one(manifest, "feed", "newmedia.stale")
    newest = parse_feed(farm, stale, "rss")[1][0]["published"].date()
    assert (TODAY - newest).days >= 16
    for a in with_defect(manifest, "feed", "newmedia.wording"):
        facts = a.details["newmedia.wording"]
        assert any(facts["wrong"] in i["html"] for i in parse_feed(farm, a, "atom")[1] if i["url"] == facts["url"])
    deleted = with_defect(manifest, "feed", "newmedia.post_deleted")
    edited = with_defect(manifest, "feed", "newmedia.post_edited")
    assert deleted or edited
    before = {a.address: parse_feed(farm, a, "json")[1] for a in deleted + edited}
    farm.set_epoch(2)
    try:
        for a in deleted:
            gone = a.details["newmedia.post_deleted"]["url"]
            assert gone in {i["url"] for i in before[a.address]}
            assert gone not in {i["url"] for i in parse_feed(farm, a, "rss")[1]}
            assert get(farm, gone).status == 404
        for a in edited:
            facts = a.details["newmedia.post_edited"]
            after = {i["url"]: i for i in parse_feed(farm, a, "json")[1]}[facts["url"]]
            assert facts["added"].strip() in after["html"] and after["updated"]
            entry = {i["url"]: i for i in parse_feed(farm, a, "atom")[1]}[facts["url"]]
            assert dt.datetime.fromisoformat(entry["updated"]) > entry["published"]
        for a in with_defect(manifest, "feed", "newmedia.renamed"):
            assert parse_feed(farm, a, "atom")[0] == a.details["newmedia.renamed"]["after"]
    finally:
        farm.set_epoch(1)


# --- Mastodon -------------------------------------------------------------------------------

def test_webfinger_actor_outbox_and_search(farm: RunningFarm, manifest: Manifest) -> None:
    a = one(manifest, "activitypub")
    user, host = a.address.removeprefix("mastodon:@").split("@")
    assert host == c.SOCIAL_HOST
    wf = get(farm, f"https://{host}/.well-known/webfinger?resource=acct:{user}@{host}")
    assert wf.headers["Content-Type"].startswith("application/jrd+json")
    self_link = next(x for x in wf.json()["links"] if x["rel"] == "self")
    assert self_link["type"] == "application/activity+json"
    actor = get(farm, self_link["href"], headers={"Accept": "application/activity+json"})
    assert actor.headers["Content-Type"].startswith("application/activity+json")
    doc = actor.json()
    assert doc["type"] == "Person" and doc["preferredUsername"] == user and doc["name"] == a.name
    assert "commentsEnabled" not in doc and get(farm, doc["icon"]["url"]).status == 200
    items = outbox(farm, a)
    assert len(items) > 25 and {i["type"] for i in items} == {"Create"}
    notes = [i["object"] for i in items]
    published = [dt.datetime.fromisoformat(n["published"].replace("Z", "+00:00")) for n in notes]
    assert published == sorted(published, reverse=True) and (TODAY - published[0].date()).days <= 3
    note = get(farm, notes[2]["id"]).json()
    assert note["content"] == notes[2]["content"] and note["type"] == "Note"
    assert get(farm, notes[2]["url"]).status == 200
    assert get(farm, f"https://{host}/users/nobody").status == 404
    assert get(farm, f"https://{host}/.well-known/webfinger?resource=acct:nobody@{host}").status == 404
    for e in (e for e in manifest.discover_entries() if e["platform"] == "activitypub"):
        found = get(farm, f"https://{host}/api/v2/search?q={quote(e['query'])}&type=accounts&resolve=false").json()
        accts = {x["acct"] for x in found["accounts"]}
        assert e["address"].removeprefix("mastodon:@").split("@")[0] in accts
        assert all({"id", "username", "acct", "display_name", "url", "note"} <= set(x) for x in found["accounts"])


def test_mastodon_defects_and_epoch_two(farm: RunningFarm, manifest: Manifest) -> None:
    closed = with_defect(manifest, "activitypub", "newmedia.interaction_closed")
    for a in closed:
        assert get(farm, f"https://{c.SOCIAL_HOST}/users/{a.handle}").json()["commentsEnabled"] is False
    stale = one(manifest, "activitypub", "newmedia.stale")
    newest = outbox(farm, stale)[0]["object"]["published"]
    assert (TODAY - dt.date.fromisoformat(newest[:10])).days >= 15  # UTC
    deleted = one(manifest, "activitypub", "newmedia.post_deleted")
    gone = deleted.details["newmedia.post_deleted"]["post_id"]
    assert gone in {i["object"]["id"].rsplit("/", 1)[-1] for i in outbox(farm, deleted)}
    farm.set_epoch(2)
    try:
        after = outbox(farm, deleted)
        tomb = next(i for i in after if i["type"] == "Delete")
        assert tomb["object"]["type"] == "Tombstone" and tomb["object"]["id"].endswith(f"/statuses/{gone}")
        assert get(farm, tomb["object"]["id"]).status == 410
        for a in with_defect(manifest, "activitypub", "newmedia.post_edited"):
            facts = a.details["newmedia.post_edited"]
            note = next(i["object"] for i in outbox(farm, a) if i["object"]["url"] == facts["url"])
            assert note["updated"] > note["published"] and facts["added"].strip() in note["content"]
        for a in with_defect(manifest, "activitypub", "newmedia.renamed"):
            assert get(farm, f"https://{c.SOCIAL_HOST}/users/{a.handle}").json()["name"] == \
                a.details["newmedia.renamed"]["after"]
    finally:
        farm.set_epoch(1)


# --- over time, DNS and TLS, the command line, the docs --------------------------------------

def test_posts_move_on_with_the_day() -> None:
    m = generate(SEED, 8, today=TODAY)
    later = TODAY + dt.timedelta(days=5)
    with run_in_thread(m) as farm:
        active = one(m, "weibo")
        stale = one(m, "weibo", "newmedia.stale")
        before = {p["id"]: p["created_at"] for p in weibo_timeline(farm, active)}
        stale_before = weibo_timeline(farm, stale)
        farm.set_today(later)
        after = weibo_timeline(farm, active)
        new = [p for p in after if p["id"] not in before]
        assert new and all(weibo_time(p["created_at"]).date() < later for p in new)
        assert all(before[p["id"]] == p["created_at"] for p in after if p["id"] in before)  # dates kept
        assert weibo_timeline(farm, stale) == stale_before  # a stale account posts nothing more
        wechat = one(m, "wechat")
        newest = wechat_export(farm, m, wechat)["articles"][0]["published"]
        assert (later - dt.datetime.fromisoformat(newest).date()).days <= 3  # the export follows the day


def test_platform_hosts_resolve_and_verify_through_the_farm(farm: RunningFarm) -> None:
    res = farm.dns_resolver()
    for host in c.PLATFORM_HOSTS:
        assert res.resolve(host, "A")[0].address == "127.0.0.1"
        assert res.resolve(host, "AAAA")[0].address == "::1"
    plain = get(farm, f"http://{c.WEIBO_HOST}/api/container/getIndex?type=uid&value=1")
    assert plain.status == 301 and plain.headers["Location"].startswith(f"https://{c.WEIBO_HOST}/")
    assert get(farm, f"https://{c.FEEDS_HOST}/").status == 404  # TLS verified against the farm CA


def test_command_line_writes_the_article_lists_where_asked(tmp_path: Path) -> None:
    exports, out = tmp_path / "exports", tmp_path / "manifest.json"
    args = ["--seed", "2", "--count", "6", "--accounts", "12", "--exports-dir", str(exports),
            "--manifest-out", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "mgov.demo.farm", *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(next(line for line in proc.stdout if line.startswith("READY "))[6:])
        assert info["exports_dir"] == str(exports)
        m = Manifest.from_json(out.read_text(encoding="utf-8"))
        assert sum(a.registered for a in m.accounts) == 12 and m.exports_dir == str(exports)
        wechat = [a for a in m.accounts if a.platform == "wechat"]
        assert wechat and all((exports / f"{a.handle}.json").is_file() for a in wechat)
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_docs_list_every_newmedia_defect_with_its_checks() -> None:
    text = (ROOT / "docs" / "demo-farm.md").read_text(encoding="utf-8")
    for d in NEWMEDIA_DEFECTS.values():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{d.id}` ")), None)
        assert row is not None, d.id
        for check in d.checks:
            assert f"`{check}`" in row, (d.id, check)
