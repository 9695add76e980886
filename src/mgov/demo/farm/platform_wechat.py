"""The farm's WeChat official accounts: article pages on mp.weixin.qq.com and the article
list an operator exports from an account's back office (WeChat has no public account API).

    /s/TOKEN, /s?__biz=BIZ&mid=MID&idx=1&sn=SN    an article (200; a deleted one says so)
    {exports_dir}/gh_....json                      {"account": {facts}, "articles": [{url, title, published}]}

The token and the sn carry the post id with a keyed check (platform_posts.article_key), so a
page is found without an index.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
from typing import Any

from aiohttp import web

from mgov.demo.farm import contract as c
from mgov.demo.farm.manifest import Account
from mgov.demo.farm.platform_http import Reader, avatar_key, html
from mgov.demo.farm.platform_posts import Stub, article_pid, biz_of, post_url, rng_for

EXPORT_DAYS = 45  # the export lists the articles of this many days
EXPORT_MAX = 90
DELETED = "该内容已被发布者删除"
MISSING = "参数错误"


def serve(p: Reader, request: web.BaseRequest) -> web.Response:
    path, q = request.path, request.query
    if path.startswith("/s/"):
        pid = article_pid(p.seed, token=path[3:])
    elif path == "/s":
        pid = article_pid(p.seed, sn=q.get("sn", ""))
    else:
        return _message(MISSING, 404)
    found = p.post(pid) if pid is not None else None
    if found is None or found[0].platform != "wechat":
        return _message(MISSING)
    a, stub = found
    if stub.deleted:
        return _message(DELETED)
    return article(p, a, stub)


def _message(text: str, status: int = 200) -> web.Response:
    """WeChat's message page (deleted, missing): HTTP 200 with the reason in weui-msg__title."""
    return html(f'<div class="weui-msg"><div class="weui-msg__text-area"><div class="weui-msg__title">{text}'
                "</div></div></div>", status=status, title="微信公众平台")


def avatar(p: Reader, a: Account) -> str:
    return f"https://{c.WECHAT_AVATAR_HOST}/mmhead/{avatar_key(p.seed, a)}/0"


def comment_id(a: Account, stub: Stub, closed: bool) -> str:
    return "0" if closed else str(2_900_000_000 + stub.pid % 100_000_000)


def article(p: Reader, a: Account, stub: Stub) -> web.Response:
    it = p.item(a, stub)
    title = htmlmod.escape(it.title)
    name = htmlmod.escape(p.name(a))
    original = rng_for(p.seed, "original", stub.pid).random() < 0.6 and it.kind != "commercial"
    body = [f"<p>{htmlmod.escape(para)}</p>" for para in it.paragraphs]
    if it.image:
        body.append(f'<p><img class="rich_pages wxw-img" data-src="https://{c.WECHAT_IMAGE_HOST}/mmbiz_png/'
                    f'{stub.pid:x}/640?wx_fmt=png" alt=""></p>')
    body += [f'<p><a href="{htmlmod.escape(url)}">{htmlmod.escape(text)}</a></p>' for url, text in it.links]
    copyright_ = '<span id="copyright_logo" class="rich_media_meta_original">原创</span>' if original else ""
    script = (f'var biz = "{biz_of(a)}";\nvar user_name = "{a.handle}";\n'
              f'var ct = "{int(stub.time.timestamp())}";\nvar round_head_img = "{avatar(p, a)}";\n'
              f'var comment_id = "{comment_id(a, stub, p.closed(a))}";\n'
              f'var msg_link = "{post_url(p.seed, a, stub.pid)}";')
    page = (f'<div class="rich_media_area_primary"><h1 class="rich_media_title" id="activity-name">{title}</h1>'
            f'<div id="meta_content" class="rich_media_meta_list">{copyright_}'
            f'<span class="rich_media_meta rich_media_meta_nickname" id="profileBt">'
            f'<a href="javascript:void(0);" id="js_name">{name}</a></span>'
            f'<em id="publish_time" class="rich_media_meta rich_media_meta_text">{stub.time:%Y-%m-%d %H:%M}</em></div>'
            f'<div class="rich_media_content" id="js_content">{"".join(body)}</div></div>'
            f"<script>{script}</script>")
    head = (f'<meta property="og:title" content="{title}"><meta property="og:image" content="{avatar(p, a)}">'
            f'<meta property="og:url" content="{htmlmod.escape(post_url(p.seed, a, stub.pid))}">')
    return html(page, title=title, head=head)


def export(p: Reader, a: Account) -> dict[str, Any]:
    """The account's facts and its articles of the last EXPORT_DAYS days, newest first, as an
    operator exports them (a deleted article stays listed: its page says it was deleted)."""
    closed = p.closed(a)
    site = a.site or "https://www.gov.cn/"
    menus: list[dict[str, Any]] = [{"name": "政务服务", "url": site, "kind": "link"}]
    if not closed:
        menus.append({"name": "互动交流", "url": f"{a.site}hdjl/" if a.site else "https://www.gov.cn/hudong/",
                      "kind": "consult"})
    menus.append({"name": "办事小程序", "url": None, "kind": "mini_program"})
    since = p.clock.today - dt.timedelta(days=EXPORT_DAYS)
    articles = [{"url": post_url(p.seed, a, s.pid), "title": p.item(a, s).title,
                 "published": s.time.isoformat()} for s in p.posts(a) if s.time.date() >= since][:EXPORT_MAX]
    return {"account": {"name": p.name(a), "original_id": a.handle, "certification": p.certification(a),
                        "description": a.description, "avatar_url": avatar(p, a), "messages_open": not closed,
                        "menus": menus},
            "articles": articles}
