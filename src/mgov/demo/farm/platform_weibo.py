"""The farm's Weibo: the mobile web client's JSON (m.weibo.cn) and its post pages.

    /api/container/getIndex?type=uid&value=UID                       profile
    /api/container/getIndex?type=uid&value=UID&containerid=107603UID&page=N   timeline (10 a page)
    /api/container/getIndex?containerid=100103type%3D3%26q%3DQUERY&page_type=searchall   account search
    /statuses/show?id=ID, /statuses/extend?id=ID                     one post, its long text
    /detail/ID, /status/ID or BID                                    a post's page ($render_data)
    /u/UID, /search?..., /n/NAME                                     profile, topic and mention pages

Answers are HTTP 200 with {"ok": 0, "msg": ...} for what does not exist, as Weibo's are.
"""

from __future__ import annotations

import html as htmlmod
import json
from typing import Any
from urllib.parse import parse_qs, quote

from aiohttp import web

from mgov.demo.farm import contract as c
from mgov.demo.farm.manifest import Account
from mgov.demo.farm.platform_http import Reader, avatar_key, html, json_response, weibo_time
from mgov.demo.farm.platform_posts import PID_ACCOUNTS, Item, Stub, rng_for

PAGE = 10
TIMELINE = "107603"  # containerid prefix of an account's posts
SEARCH = "100103"  # containerid prefix of a search
LONG = 140  # characters shown before 全文
NO_USER = {"ok": 0, "msg": "用户不存在"}
NO_POST = {"ok": 0, "msg": "微博不存在或暂无查看权限!"}
NO_MORE = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
BAD = {"ok": 0, "msg": "参数错误"}
GOV_PORTAL = (3_000_000_001, "中国政府网")  # the reposted account (not a farm account)
_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def bid(mid: int) -> str:
    """Weibo's base62 form of a post id (mid -> bid, 7-digit groups from the right)."""
    digits, out = str(mid), []
    while digits:
        group, digits = int(digits[-7:]), digits[:-7]
        code = ""
        while group:
            group, rem = divmod(group, 62)
            code = _B62[rem] + code
        out.append(code.rjust(4, "0") if digits else code)
    return "".join(reversed(out))


def mid(bid_: str) -> int | None:
    """The post id of a bid (the inverse of bid), or None."""
    if not bid_ or any(ch not in _B62 for ch in bid_):
        return None
    digits = ""
    for i in range(len(bid_), 0, -4):
        n = 0
        for ch in bid_[max(0, i - 4):i]:
            n = n * 62 + _B62.index(ch)
        digits = (str(n).rjust(7, "0") if i > 4 else str(n)) + digits
    return int(digits)


def serve(p: Reader, request: web.BaseRequest) -> web.Response:
    path, q = request.path, request.query
    if path == "/api/container/getIndex":
        container = q.get("containerid", "")
        if container.startswith(SEARCH):
            return json_response(search(p, parse_qs(container[len(SEARCH):]).get("q", [""])[0]))
        uid = q.get("value", "") if q.get("type") == "uid" else container.removeprefix(TIMELINE)
        a = p.account("weibo", uid)
        if a is None:
            return json_response(NO_USER)
        if container.startswith(TIMELINE):
            return json_response(timeline(p, a, _int(q.get("page", "1"))))
        return json_response(profile(p, a))
    if path in ("/statuses/show", "/statuses/extend"):
        found = p.post(_int(q.get("id", "")))
        if found is None or found[1].deleted:
            return json_response(NO_POST)
        if path == "/statuses/show":
            return json_response({"ok": 1, "data": mblog(p, *found)})
        long_text = _html(p, found[0], p.item(*found), found[1].pid)
        return json_response({"ok": 1, "data": {"longTextContent": long_text}})
    if path.startswith(("/detail/", "/status/")):
        key = path.rsplit("/", 1)[-1]
        found = p.post(_int(key) if key.isdigit() else (mid(key) or 0))
        if found is None or found[1].deleted:
            return html('<div class="h5-4box"><p class="h5-4con">微博不存在或暂无查看权限!</p></div>',
                        title="微博")
        data = json.dumps([{"status": mblog(p, *found), "call": 1}], ensure_ascii=False)
        return html(f"<script>var $render_data = {data}[0] || {{}};</script>", title="微博正文")
    if path.startswith("/u/"):
        a = p.account("weibo", path[3:])
        if a is None:
            return html("<p>用户不存在</p>", status=404, title="微博")
        return html(f"<h1>{htmlmod.escape(p.name(a))}</h1>", title=f"{htmlmod.escape(p.name(a))}的微博")
    if path in ("/search", "/p/searchall") or path.startswith("/n/"):
        return html("<p>搜索</p>", title="微博搜索")
    return json_response(BAD, status=404)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def user(p: Reader, a: Account, full: bool = False) -> dict[str, Any]:
    cert = p.certification(a)
    u: dict[str, Any] = {
        "id": int(a.handle), "screen_name": p.name(a),
        "profile_image_url": f"https://{c.WEIBO_AVATAR_HOST}/crop.0.0.180.180.180/{avatar_key(p.seed, a)}.jpg",
        "profile_url": f"https://{c.WEIBO_HOST}/u/{a.handle}",
        "verified": cert is not None, "verified_type": -1 if cert is None else 2 if cert != a.certification else 1,
    }
    if cert is not None:
        u["verified_reason"] = cert
    if full:
        r = rng_for(p.seed, "weibo-user", a.no)
        u.update(description=a.description, gender="m", followers_count=r.randrange(2_000, 900_000),
                 follow_count=r.randrange(20, 300), statuses_count=len(_visible(p, a)))
    return u


def profile(p: Reader, a: Account) -> dict[str, Any]:
    return {"ok": 1, "data": {
        "userInfo": user(p, a, full=True),
        "tabsInfo": {"selectedTab": 1, "tabs": [
            {"tabKey": "profile", "title": "主页", "containerid": f"230283{a.handle}"},
            {"tabKey": "weibo", "title": "微博", "containerid": f"{TIMELINE}{a.handle}"}]}}}


def _visible(p: Reader, a: Account) -> list[Stub]:
    return [s for s in p.posts(a) if not s.deleted]


def timeline(p: Reader, a: Account, page: int) -> dict[str, Any]:
    posts = _visible(p, a)
    chunk = posts[(page - 1) * PAGE: page * PAGE] if page >= 1 else []
    if not chunk:
        return NO_MORE
    more = page * PAGE < len(posts)
    return {"ok": 1, "data": {
        "cardlistInfo": {"containerid": f"{TIMELINE}{a.handle}", "total": len(posts),
                         "page": page + 1 if more else None},
        "cards": [{"card_type": 9, "itemid": f"{TIMELINE}{a.handle}_-_{s.pid}", "mblog": mblog(p, a, s)}
                  for s in chunk]}}


def _head(it: Item) -> str:
    """【title】, or a title's own 【label】 (【便民提示】): what a post's text starts with."""
    if it.title.startswith("【"):
        return it.title[: it.title.index("】") + 1]
    return f"【{it.title}】" if it.title else ""


def _html(p: Reader, a: Account, it: Item, pid: int) -> str:
    """The post's full text as Weibo's HTML: a topic link, 【title】, the text, its links (every
    third one plain, the others through Weibo's link wrapper)."""
    head = _head(it)
    parts = []
    if it.tag:
        container = quote(f"231522type=1&t=10&q=#{it.tag}#", safe="")
        parts.append(f'<a href="https://{c.WEIBO_HOST}/search?containerid={container}">#{it.tag}#</a>')
    parts.append(htmlmod.escape(head + it.text(True)))
    for n, (url, text) in enumerate(it.links):
        wrapped = f"https://{c.WEIBO_LINK_HOST}/sinaurl?u={quote(url, safe='')}"
        href = url if (pid // PID_ACCOUNTS + n) % 3 == 0 else wrapped
        parts.append(f'<a href="{htmlmod.escape(href)}">{htmlmod.escape(text)}</a>')
    return " ".join(parts)


def mblog(p: Reader, a: Account, s: Stub) -> dict[str, Any]:
    it = p.item(a, s)
    full = _html(p, a, it, s.pid)
    plain = _head(it) + it.text(True)
    long = len(plain) > LONG
    r = rng_for(p.seed, "weibo-counts", s.pid)
    text = full if not long else (htmlmod.escape(plain[:LONG - 20]) + f'...<a href="/status/{s.pid}">全文</a>')
    m: dict[str, Any] = {
        "id": str(s.pid), "mid": str(s.pid), "bid": bid(s.pid), "created_at": weibo_time(s.time),
        "text": text, "textLength": len(plain.encode("gbk", "replace")), "isLongText": long,
        "source": "微博 weibo.com", "user": user(p, a), "favorited": False,
        "comments_count": r.randrange(0, 40), "reposts_count": r.randrange(0, 30),
        "attitudes_count": r.randrange(0, 200), "pic_num": 0, "pics": [],
        "edit_count": 0, "edit_config": {"edited": False},
        "comment_manage_info": {"comment_permission_type": 2 if p.closed(a) else (-1, 0, 1)[s.pid % 3],
                                "approval_comment_type": 0},
    }
    if it.image:
        key = f"{s.pid:x}"
        m["pic_num"] = 1
        m["pics"] = [{"pid": key, "url": f"https://{c.WEIBO_IMAGE_HOST}/orj360/{key}.jpg",
                      "large": {"url": f"https://{c.WEIBO_IMAGE_HOST}/large/{key}.jpg"}}]
    if s.edited_at is not None:
        m.update(edit_count=1, edit_at=weibo_time(s.edited_at), edit_config={"edited": True})
    if it.repost is not None:
        author, said = it.repost
        # The portal's post, an hour earlier (its serial is none of the farm's accounts').
        rid = s.pid - 3600 * PID_ACCOUNTS - s.pid % PID_ACCOUNTS + PID_ACCOUNTS - 1
        m["retweeted_status"] = {
            "id": str(rid), "mid": str(rid), "bid": bid(rid), "created_at": weibo_time(s.time.replace(minute=0)),
            "text": htmlmod.escape(said), "isLongText": False, "source": "微博 weibo.com",
            "user": {"id": GOV_PORTAL[0], "screen_name": author, "verified": True, "verified_type": 1,
                     "verified_reason": "中华人民共和国国务院办公厅政府网站官方微博"},
            "comments_count": 0, "reposts_count": 0, "attitudes_count": 0, "pics": []}
    return m


def search(p: Reader, query: str) -> dict[str, Any]:
    """Accounts whose name, description or certification contains the query (Weibo's users
    tab): the registered ones and the ones nobody registered alike."""
    query = query.strip().lower()
    found = [{"card_type": 10, "user": user(p, a, full=True), "desc1": p.certification(a) or a.description}
             for a, hay in p.searchable("weibo") if query and query in hay.split("\n", 1)[1]]
    if not found:
        return {"ok": 1, "data": {"cards": []}}
    return {"ok": 1, "data": {"cardlistInfo": {"total": len(found)},
                              "cards": [{"card_type": 11, "card_group": found[:20]}]}}
