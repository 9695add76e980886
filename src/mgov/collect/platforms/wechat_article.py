"""One WeChat official-account article page (mp.weixin.qq.com/s/…) read into a `Post`. Pure.

What the page carries (the farm's shape, and the real pages' variants that public parsers -
we-extract, wechat article savers - read):
- title: `<h1 id="activity-name" class="rich_media_title">`, else `<meta property="og:title">`,
  else the script's `var msg_title = '…'`;
- the account: `<a id="js_name">`, else `var nickname = htmlDecode("…")`; `var user_name = "gh_…"`,
  `var biz = "MzA…=="` (real pages write `var biz = ""||"MzA…=="`), `var round_head_img = "…"`;
- published: `var ct = "1733450000"` (unix seconds; also `var create_time = "…" * 1`, `d.ct = "…"`);
- the body: `<div id="js_content" class="rich_media_content">` (images lazy-loaded from data-src);
- comments: `var comment_id = "2938…"` ("0" or empty: closed; real pages append `* 1`);
- original: `<span id="copyright_logo">原创</span>`, or `var copyright_stat = "1"`.
A deleted article answers 200 with a message page (`<div class="weui-msg__title">`):
"该内容已被发布者删除" (by its publisher), "此内容因违规无法查看" or "此内容被投诉且经审核涉嫌侵权，
无法查看" (by the platform): a deletion. A verification page ("环境异常", "完成验证后即可继续访问")
is WeChat's wall against crawlers: UNREACHABLE, never a deletion.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser

from mgov.collect.platforms.fetching import PlatformFailure
from mgov.collect.platforms.markup import read_html
from mgov.collect.platforms.times import unix_time
from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import CaptureStatus, Post

DELETED = ("该内容已被发布者删除", "此内容因违规无法查看", "此内容被投诉且经审核涉嫌侵权", "此内容已被删除",
           "该内容已被删除")
WALLS = ("环境异常", "完成验证后即可继续访问", "请在微信客户端打开链接")


def _var(*names: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in names)
    # var NAME = ""||"value"   var NAME = htmlDecode("value")   d.NAME = 'value'
    return re.compile(r"(?:var\s+|\b\w\.)(?:" + alternatives + r")\s*=\s*(?:(?:\"[^\"]*\"|'[^']*')\s*\|\|\s*)*"
                      r"(?:htmlDecode\()?([\"'])(.*?)\1")


_CT = _var("ct", "create_time")
_USER_NAME = _var("user_name")
_BIZ = _var("biz")
_HEAD_IMG = _var("round_head_img")
_COMMENT_ID = _var("comment_id")
_NICKNAME = _var("nickname")
_MSG_TITLE = _var("msg_title")
_COPYRIGHT = _var("copyright_stat")


@dataclass
class Article:
    post: Post | None = None  # None when deleted
    deleted: str | None = None  # the platform's words when the article is gone
    account_name: str | None = None
    user_name: str | None = None  # gh_…
    biz: str | None = None
    avatar_url: str | None = None


def article_id(url: str) -> str:
    """The article's id: its `sn` (long links), else the token of /s/{token}, else the URL."""
    parts = urlsplit(url)
    sn = (parse_qs(parts.query).get("sn") or [""])[0]
    if sn:
        return sn
    token = parts.path.removeprefix("/s/").strip("/")
    return token if parts.path.startswith("/s/") and token else url


def _found(pattern: re.Pattern[str], script: str) -> str | None:
    m = pattern.search(script)
    return htmllib.unescape(m.group(2)).strip() if m and m.group(2).strip() else None


def parse_article(page: str, url: str, ref: WarcRef | None) -> Article:
    tree = LexborHTMLParser(page)
    content = tree.css_first("#js_content")
    message = " ".join(n.text(deep=True) for n in tree.css(".weui-msg__title, .weui-msg__desc, .global_error_msg"))
    if content is None:
        body_text = tree.body.text(deep=True) if tree.body is not None else page
        said = message or body_text
        gone = next((w for w in DELETED if w in said), None)
        if gone is not None:
            return Article(deleted=gone)
        wall = next((w for w in WALLS if w in said), None)
        detail = f"WeChat's verification wall ({wall})" if wall else "not an article page (no js_content)"
        raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{url}: {detail}")
    script = "\n".join(s.text(deep=True) for s in tree.css("script"))
    title_node = tree.css_first("#activity-name") or tree.css_first("h1.rich_media_title")
    og = tree.css_first('meta[property="og:title"]')
    title = ((title_node.text(deep=True).strip() if title_node is not None else "")
             or ((og.attributes.get("content") or "").strip() if og is not None else "")
             or _found(_MSG_TITLE, script))
    name_node = tree.css_first("#js_name")
    account = (name_node.text(deep=True).strip() if name_node is not None else "") or _found(_NICKNAME, script)
    body = read_html(content.html or "", url)
    comment_id = _found(_COMMENT_ID, script)
    comments = None if comment_id is None and "comment_id" not in script else comment_id not in (None, "0")
    original = tree.css_first("#copyright_logo") is not None or _found(_COPYRIGHT, script) == "1"
    user_name, biz = _found(_USER_NAME, script), _found(_BIZ, script)
    raw = {k: v for k, v in (("account_name", account), ("user_name", user_name), ("biz", biz)) if v}
    post = Post(post_id=article_id(url), published=unix_time(_found(_CT, script)), text=body.text,
                title=title or None, url=url, links=body.links, media=body.media, comments_open=comments,
                original=original, raw=raw, warc=ref)
    return Article(post=post, account_name=account or None, user_name=user_name, biz=biz,
                   avatar_url=_found(_HEAD_IMG, script))
