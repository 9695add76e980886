"""The ActivityPub adapter against a simulated Mastodon server on loopback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from mgov.collect.platforms.activitypub import ADAPTER, parse_handle
from mgov.collect.platforms.base import AccountRef, CaptureLimits, adapter_for
from mgov.collect.platforms.fetching import PlatformFailure
from mgov.evidence.newmedia import CaptureStatus
from platform_world import NOW, SOCIAL, World, answer, archived_uri, platform_lab
from test_collect_support import run

BASE = f"https://{SOCIAL}"
AP = "application/activity+json"


def iso(age: dt.timedelta) -> str:
    return (NOW - age).strftime("%Y-%m-%dT%H:%M:%SZ")


def note(user: str, n: int, age: dt.timedelta, content: str = "", **extra: Any) -> dict[str, Any]:
    oid = f"{BASE}/users/{user}/statuses/{n}"
    return {"type": "Create", "id": f"{oid}/activity", "published": iso(age),
            "object": {"type": "Note", "id": oid, "url": f"{BASE}/@{user}/{n}", "published": iso(age),
                       "content": content or f"<p>通知 {n}</p>", "attachment": [], **extra}}


class FakeMastodon:
    def __init__(self) -> None:
        self.actors: dict[str, dict[str, Any]] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        self.pages: dict[str, dict[int, Any]] = {}  # user -> page -> an answer instead
        self.loop: set[str] = set()
        self.gone = {"departed"}
        self.per_page = 5

    def actor(self, user: str, **extra: Any) -> None:
        self.actors[user] = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Service",
                             "id": f"{BASE}/users/{user}", "preferredUsername": user, "name": "北京市人民政府",
                             "summary": "<p>北京市人民政府<br>官方账号</p>", "url": f"{BASE}/@{user}",
                             "icon": {"type": "Image", "url": f"{BASE}/avatars/{user}.png"},
                             "outbox": f"{BASE}/users/{user}/outbox",
                             "attachment": [{"type": "PropertyValue", "name": "网站",
                                             "value": '<a href="https://www.beijing.gov.cn/" rel="me">'
                                                      'beijing.gov.cn</a>'},
                                            {"type": "PropertyValue", "name": "电话", "value": "12345"}], **extra}

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        path, q = request.path, request.query
        if path == "/.well-known/webfinger":
            user = q.get("resource", "").removeprefix("acct:").split("@")[0]
            if user not in self.actors:
                raise web.HTTPNotFound()
            return answer({"subject": q["resource"], "links": [
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": f"{BASE}/@{user}"},
                {"rel": "self", "type": AP, "href": f"{BASE}/users/{user}"}]}, content_type="application/jrd+json")
        if path == "/api/v2/search":
            return answer({"accounts": [
                {"id": "1", "username": "gov", "acct": "gov", "display_name": "北京市人民政府", "url": f"{BASE}/@gov",
                 "note": ""},
                {"id": "2", "username": "bj", "acct": "bj@other.example", "display_name": "北京发布", "url": "https://other.example/@bj"},
                "junk"], "statuses": [], "hashtags": []})
        parts = path.strip("/").split("/")
        if parts[0] != "users" or len(parts) < 2:
            raise web.HTTPNotFound()
        user = parts[1]
        if user in self.gone:
            raise web.HTTPGone()
        if user not in self.actors:
            raise web.HTTPNotFound()
        if AP not in request.headers.get("Accept", ""):
            raise web.HTTPFound(f"{BASE}/@{user}")  # Mastodon sends browsers to the HTML profile
        if len(parts) == 2:
            return answer(self.actors[user], content_type=AP)
        if parts[2] == "statuses":
            if parts[3] == "777":
                raise web.HTTPNotFound()
            if parts[3] == "778":
                return answer({"type": "Tombstone", "id": f"{BASE}{path}"}, content_type=AP)
            return answer(note(user, int(parts[3]), dt.timedelta(days=90))["object"], content_type=AP)
        if "page" not in q:
            return answer({"type": "OrderedCollection", "id": f"{BASE}/users/{user}/outbox",
                           "totalItems": len(self.items[user]), "first": f"{BASE}/users/{user}/outbox?page=1"},
                          content_type=AP)
        page = int(q["page"])
        if page in self.pages.get(user, {}):
            return self.pages[user][page]
        chunk = self.items[user][(page - 1) * self.per_page: page * self.per_page]
        more = page * self.per_page < len(self.items[user])
        nxt = (1 if user in self.loop and page == 2 else page + 1) if more else None
        body: dict[str, Any] = {"type": "OrderedCollectionPage", "id": f"{BASE}/users/{user}/outbox?page={page}",
                                "orderedItems": chunk}
        if nxt:
            body["next"] = f"{BASE}/users/{user}/outbox?page={nxt}"
        return answer(body, content_type=AP)


def mastodon() -> FakeMastodon:
    fake = FakeMastodon()
    fake.actor("gov")
    items = [note("gov", 1, dt.timedelta(hours=1),
                  '<p>详见 <a href="https://www.beijing.gov.cn/zwgk/a.html">通知</a> '
                  f'<span class="h-card"><a href="{BASE}/@bj" class="u-url mention">@<span>bj</span></a></span> '
                  f'<a href="{BASE}/tags/政务" class="mention hashtag" rel="tag">#<span>政务</span></a></p>',
                  attachment=[{"type": "Document", "mediaType": "image/png", "url": f"{BASE}/media/1.png"}],
                  summary="提示", updated=iso(dt.timedelta(minutes=30))),
             {"type": "Announce", "id": f"{BASE}/users/gov/statuses/2/activity",
              "published": iso(dt.timedelta(hours=2)),
              "object": "https://other.example/users/x/statuses/9"},
             {"type": "Delete", "id": f"{BASE}/users/gov#delete",
              "object": {"type": "Tombstone", "id": f"{BASE}/users/gov/statuses/3"}},
             note("gov", 4, dt.timedelta(days=1), interactionPolicy={"canReply": {"always": [f"{BASE}/users/gov"]}}),
             {"type": "Create", "id": "x", "object": f"{BASE}/users/gov/statuses/5"},  # only referenced: not read
             note("gov", 6, dt.timedelta(days=2), contentMap={"zh": "<p>只有 contentMap</p>"})]
    del items[-1]["object"]["content"]
    items += [note("gov", n, dt.timedelta(days=n)) for n in range(7, 40)]
    fake.items["gov"] = items
    return fake


def capture(tmp: Path, world: World, account: AccountRef, limits: CaptureLimits | None = None, **settings: Any) -> Any:
    async def main() -> Any:
        async with platform_lab(tmp, world, **settings) as ctx:
            return await ADAPTER.capture(account, ctx, limits or CaptureLimits(), NOW)
    return run(main())


def test_handles() -> None:
    assert parse_handle("mastodon:@gov@social.gov-farm.example") == ("gov", "social.gov-farm.example")
    assert parse_handle("mastodon:gov@Social.Example") == ("gov", "social.example")
    assert parse_handle("douyin:12345") is None and parse_handle("mastodon:@gov") is None
    assert adapter_for(AccountRef("other_social", "mastodon:@gov@x.example")) is ADAPTER
    assert not ADAPTER.handles(AccountRef("other_social", "mastodon:@gov@x.example", {"import_file": "a.csv"}))


def test_activitypub_actor_outbox_tombstones_and_rechecks(tmp_path: Path) -> None:
    world = World().on(SOCIAL, mastodon())
    known = (f"{BASE}/users/gov/statuses/777", f"{BASE}/users/gov/statuses/778", f"{BASE}/users/gov/statuses/300")
    got = capture(tmp_path, world, AccountRef("other_social", f"mastodon:@gov@{SOCIAL}", known_post_ids=known),
                  CaptureLimits(window_days=30, max_posts=100, max_pages=20))
    assert got.status is CaptureStatus.OK, got.error
    p = got.profile
    assert p.name == "北京市人民政府" and p.account_id == f"{BASE}/users/gov" and p.url == f"{BASE}/@gov"
    assert p.avatar_url == f"{BASE}/avatars/gov.png" and p.description == "北京市人民政府\n官方账号"
    assert [(m.name, m.url) for m in p.menus] == [("网站", "https://www.beijing.gov.cn/")]
    assert p.interaction.comments is True
    ids = [post.post_id for post in got.posts]
    assert ids[:4] == [f"{BASE}/users/gov/statuses/1", f"{BASE}/users/gov/statuses/2/activity",
                       f"{BASE}/users/gov/statuses/4", f"{BASE}/users/gov/statuses/6"]
    assert len(ids) == 4 + 24 and got.window_complete  # notes 7..30 are within 30 days
    first, boost, restricted, mapped = got.posts[:4]
    assert first.text == "提示\n详见 通知 @bj #政务" and first.links == ["https://www.beijing.gov.cn/zwgk/a.html"]
    assert first.media == [f"{BASE}/media/1.png"] and first.url == f"{BASE}/@gov/1"
    assert first.updated == NOW - dt.timedelta(minutes=30) and first.comments_open is True
    assert boost.repost_of == "https://other.example/users/x/statuses/9" and boost.original is False
    assert restricted.comments_open is False and mapped.text == "只有 contentMap"
    # a Delete in the outbox, a 404 and a Tombstone on recheck; 300 still exists
    assert got.deleted_ids == [f"{BASE}/users/gov/statuses/3", f"{BASE}/users/gov/statuses/777",
                               f"{BASE}/users/gov/statuses/778"]
    assert all(AP in a for a, (h, path) in zip(world.accepts, world.hits, strict=True) if path.startswith("/users"))
    assert "outbox?page=1" in (archived_uri(tmp_path, first.warc) or "")


def test_activitypub_closed_gone_and_unknown(tmp_path: Path) -> None:
    fake = mastodon()
    fake.actor("closed", commentsEnabled=False)
    fake.items["closed"] = [note("closed", 1, dt.timedelta(hours=1))]
    got = capture(tmp_path / "a", World().on(SOCIAL, fake), AccountRef("other_social", f"mastodon:@closed@{SOCIAL}"))
    assert got.status is CaptureStatus.OK and got.profile.interaction.comments is False
    assert got.posts[0].comments_open is False
    got = capture(tmp_path / "b", World().on(SOCIAL, fake), AccountRef("other_social", f"mastodon:@nobody@{SOCIAL}"))
    assert got.status is CaptureStatus.NOT_FOUND and "404" in (got.error or "")
    got = capture(tmp_path / "c", World().on(SOCIAL, fake),
                  AccountRef("other_social", "x:y", {"actor_url": f"{BASE}/users/departed"}))
    assert got.status is CaptureStatus.NOT_FOUND and "410" in (got.error or "")


def test_activitypub_hostile_outboxes(tmp_path: Path) -> None:
    fake = mastodon()
    fake.loop.add("gov")
    got = capture(tmp_path / "loop", World().on(SOCIAL, fake), AccountRef("other_social", f"mastodon:@gov@{SOCIAL}"),
                  CaptureLimits(window_days=365, max_posts=500, max_pages=50))
    assert got.status is CaptureStatus.PARTIAL and "points back" in (got.error or "")
    assert len(got.posts) == 8 and not got.window_complete  # two pages, read once each

    fake = mastodon()
    fake.pages["gov"] = {2: answer(b"{not json", content_type=AP)}
    got = capture(tmp_path / "bad", World().on(SOCIAL, fake), AccountRef("other_social", f"mastodon:@gov@{SOCIAL}"))
    assert got.status is CaptureStatus.PARTIAL and "outbox page 2" in (got.error or "")
    assert "malformed JSON" in (got.error or "") and len(got.posts) == 3  # page 1: two notes and a boost

    fake = mastodon()
    fake.pages["gov"] = {1: answer({"error": "slow down"}, status=429, headers={"Retry-After": "7200"})}
    got = capture(tmp_path / "limited", World().on(SOCIAL, fake), AccountRef("other_social", f"mastodon:@gov@{SOCIAL}"))
    assert got.status is CaptureStatus.PARTIAL and got.profile is not None and "Retry-After" in (got.error or "")


def test_activitypub_search(tmp_path: Path) -> None:
    world = World().on(SOCIAL, mastodon())

    async def main(**settings: Any) -> Any:
        async with platform_lab(tmp_path, world, **settings) as ctx:
            return await ADAPTER.search("北京", ctx, limit=10)
    found = run(main(activitypub_search=(SOCIAL,)))
    assert [(f.address, f.name, f.url) for f in found] == [
        (f"mastodon:@gov@{SOCIAL}", "北京市人民政府", f"{BASE}/@gov"),
        ("mastodon:@bj@other.example", "北京发布", "https://other.example/@bj")]
    assert all(f.kind == "other_social" and f.warc for f in found)
    assert run(main()) == []  # no server to ask
    with pytest.raises(PlatformFailure, match="404"):
        run(main(activitypub_search=("other.gov-farm.example",)))
