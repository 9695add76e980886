"""Weibo's mobile JSON read into mgov's terms: a user object into an `AccountProfile`, an
`mblog` into a `Post`. Pure: no requests here (collect.platforms.weibo asks).

Real variants accepted beside the farm's shape (platform-shapes.md), as public crawlers
(weiboSpider, weibo-search, stablog) and captured answers show them:
- ids as numbers or strings (`id`, `idstr`, `mid`), the short id as `bid` or `mblogid`;
- `followers_count` as a number or a text such as "1.2万" / "3亿";
- `created_at` in the API's form or the short forms older answers carry (collect.platforms.times);
- `pics` as a list or as a dict keyed by position, each with `large.url` or `url`;
  a video as `page_info` (`type` "video") with `media_info.stream_url[_hd]` or `urls`;
- a pinned post (`isTop`, `mblogtype` 2, or `title.text` "置顶") may be older than the window
  and come first: it neither ends the walk nor counts as in the window when old.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from mgov.collect.platforms.markup import plain_text, read_html
from mgov.collect.platforms.times import weibo_time
from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import AccountProfile, Post

PLATFORM = "weibo"
_OWN_HOSTS = frozenset({"m.weibo.cn", "weibo.cn", "weibo.com", "www.weibo.com", "s.weibo.com", "huati.weibo.cn"})
# Links of the platform's own furniture in a post's text: topics, super topics, mentions.
_FURNITURE = ("/search", "/p/index", "/n/", "/k/", "/u/", "/weibo", "/p/10080")
_CLOSED_COMMENTS = 2  # comment_manage_info.comment_permission_type: -1/0 all, 1 followers, 2 closed
_RAW_KEYS = ("bid", "mblogid", "mid", "source", "edit_count", "comments_count", "reposts_count",
             "attitudes_count", "isLongText")


def profile_of(user: dict[str, Any], uid: str, base: str) -> AccountProfile:
    verified = bool(user["verified"]) if "verified" in user else None
    reason = str(user.get("verified_reason") or "").strip()
    return AccountProfile(
        platform=PLATFORM, account_id=str(user.get("id") or uid),
        name=str(user.get("screen_name") or "").strip(), url=f"{base}/u/{uid}",
        avatar_url=_text(user.get("profile_image_url") or user.get("avatar_hd")),
        certification=reason if verified and reason else None, verified=verified,
        description=_text(user.get("description")),
        followers=count(user.get("followers_count", user.get("followers_count_str"))))


def count(value: object) -> int | None:
    """A count as Weibo writes it: 123, "123", "1.2万", "3亿"; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().rstrip("+")
    factor = 1
    for unit, times in (("万", 10_000), ("亿", 100_000_000)):
        if text.endswith(unit):
            text, factor = text[:-1], times
    try:
        return int(float(text) * factor)
    except ValueError:
        return None


def pinned(mblog: dict[str, Any]) -> bool:
    title = mblog.get("title")
    return (mblog.get("isTop") in (1, True) or mblog.get("mblogtype") == 2
            or (isinstance(title, dict) and title.get("text") == "置顶"))


def post_id(mblog: dict[str, Any]) -> str:
    return str(mblog.get("id") or mblog.get("idstr") or mblog.get("mid") or "").strip()


def post_of(mblog: dict[str, Any], ref: WarcRef | None, now: dt.datetime, base: str,
            long_html: str | None = None) -> Post | None:
    """The post an mblog describes (long_html: the full text when it was read apart); None
    for an entry without an id."""
    pid = post_id(mblog)
    if not pid:
        return None
    body = read_html(long_html or str(mblog.get("text") or ""), skip_link=_furniture, emoticons=True)
    media = body.media + [m for m in _pictures(mblog.get("pics")) + _video(mblog.get("page_info"))
                          if m not in body.media]
    short = str(mblog.get("bid") or mblog.get("mblogid") or pid)
    raw: dict[str, Any] = {k: mblog[k] for k in _RAW_KEYS if k in mblog}
    if pinned(mblog):
        raw["pinned"] = True
    repost_of = None
    retweet = mblog.get("retweeted_status")
    if isinstance(retweet, dict):
        repost_of = f"{base}/status/{retweet.get('bid') or retweet.get('mblogid') or post_id(retweet)}"
        raw["repost_text"] = plain_text(str(retweet.get("text") or ""))[:500]
    return Post(post_id=pid, published=weibo_time(mblog.get("created_at"), now), text=body.text,
                url=f"{base}/status/{short}", links=body.links, media=media,
                comments_open=comments_open(mblog), original=False if repost_of else None,
                repost_of=repost_of, updated=weibo_time(mblog.get("edit_at"), now) if mblog.get("edit_at") else None,
                raw=raw, warc=ref)


def comments_open(mblog: dict[str, Any]) -> bool | None:
    manage = mblog.get("comment_manage_info")
    if not isinstance(manage, dict) or "comment_permission_type" not in manage:
        return None
    try:
        kind = int(manage["comment_permission_type"])
    except (TypeError, ValueError):
        return None
    if kind == _CLOSED_COMMENTS:
        return False
    return True if kind in (-1, 0, 1) else None


def _furniture(url: str, _a: LexborNode) -> bool:
    parts = urlsplit(url)
    return (parts.hostname or "") in _OWN_HOSTS and parts.path.startswith(_FURNITURE)


def _pictures(pics: object) -> list[str]:
    items = list(pics.values()) if isinstance(pics, dict) else pics if isinstance(pics, list) else []
    found: list[str] = []
    for pic in items:
        if not isinstance(pic, dict):
            continue
        large = pic.get("large")
        url = (large.get("url") if isinstance(large, dict) else None) or pic.get("url")
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            found.append(url)
    return found


def _video(info: object) -> list[str]:
    if not isinstance(info, dict) or info.get("type") != "video":
        return []
    media_info, url_map = info.get("media_info"), info.get("urls")
    media: dict[str, Any] = media_info if isinstance(media_info, dict) else {}
    urls: dict[str, Any] = url_map if isinstance(url_map, dict) else {}
    for candidate in (*(media.get(k) for k in ("stream_url_hd", "stream_url", "mp4_hd_url", "mp4_sd_url")),
                      *urls.values()):
        if isinstance(candidate, str) and candidate.startswith(("http://", "https://")):
            return [candidate]
    return []


def _text(value: object) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None
