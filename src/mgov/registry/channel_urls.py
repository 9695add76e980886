"""What a URL someone holds (a link to an account, an app's store page, a site's page) could be
in the registry: the channel keys to look for, most specific first. Pure: no I/O.

- Weibo (weibo.com, www.weibo.com, m.weibo.cn, weibo.cn): `/u/UID`, `/UID`, `/profile/UID`,
  `?uid=UID`, or a custom name (`weibo.com/usembassy`) -> `weibo_account` UID, and
  `other_social` `weibo:UID` (an account a non-Chinese registry lists).
- WeChat (mp.weixin.qq.com): the `__biz` of an article or profile URL -> a `wechat_account`
  whose address, or whose `biz` attribute, is it. An article URL without `__biz`
  (`/s/TOKEN`) names no account by itself.
- App stores: apps.apple.com / itunes.apple.com `.../id123` -> `app_ios` `id123`;
  play.google.com `?id=PACKAGE` -> `app_android` PACKAGE.
- Social platforms by host (twitter.com, x.com, facebook.com, youtube.com, instagram.com...)
  -> `other_social` `platform:account` (the URL's last path segment, `@` dropped).
- Mastodon-style profiles (`https://HOST/@user`) -> `other_social` `mastodon:@user@HOST`.
- Any URL: a channel whose `url` attribute is the URL (as registered by the U.S. Digital
  Registry import), and a website or mobile site registered at the URL or any of its parent
  paths, on either scheme and on the host or its www twin (the longest registered wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit, urlunsplit

from mgov.errors import InvalidValue
from mgov.registry.addresses import normalize_address, normalize_url

WEIBO_HOSTS = frozenset({"weibo.com", "www.weibo.com", "m.weibo.cn", "weibo.cn", "www.weibo.cn"})
WECHAT_HOSTS = frozenset({"mp.weixin.qq.com"})
SOCIAL_HOSTS = {"twitter.com": "twitter", "x.com": "twitter", "facebook.com": "facebook", "youtube.com": "youtube",
                "instagram.com": "instagram", "flickr.com": "flickr", "linkedin.com": "linkedin",
                "github.com": "github", "medium.com": "medium", "pinterest.com": "pinterest", "tumblr.com": "tumblr",
                "vimeo.com": "vimeo", "threads.net": "threads", "tiktok.com": "tiktok", "douyin.com": "douyin",
                "toutiao.com": "toutiao", "kuaishou.com": "kuaishou", "bilibili.com": "bilibili"}
# Path segments that are a platform's own pages, not an account (weibo.com/u/…, youtube.com/user/…).
NOT_ACCOUNTS = frozenset({"u", "profile", "user", "c", "channel", "people", "pages", "n", "home", "status",
                          "statuses", "detail", "p", "in", "company", "watch", "share"})
MAX_PARENTS = 12  # path levels tried for a site registered below its host's root
WEIBO_UID = re.compile(r"^\d{5,12}$")


@dataclass
class Lookup:
    """The channel keys a URL could be, most specific first, and the other ways to find it."""

    url: str  # the URL, normalized
    keys: list[tuple[str, str]] = field(default_factory=list)  # (kind, address)
    wechat_biz: str | None = None  # a wechat_account whose address or `biz` attribute is this
    site_addresses: list[str] = field(default_factory=list)  # web addresses, longest first


def lookup_of(raw: str) -> Lookup:
    """The channels raw (a URL, with or without its scheme) could be. Raises InvalidValue for
    text that is not an http(s) URL with a host."""
    url = normalize_url(raw)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    bare = host.removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    found = Lookup(url)
    if host in WEIBO_HOSTS:
        account = _weibo_account(segments, query)
        if account:
            found.keys += [("weibo_account", account), ("other_social", f"weibo:{account}")]
    elif host in WECHAT_HOSTS:
        biz = (query.get("__biz") or [""])[0].strip()
        found.wechat_biz = biz or None
        if biz:
            found.keys.append(("wechat_account", biz))
    elif host in ("apps.apple.com", "itunes.apple.com"):
        app = re.search(r"/id(\d{6,12})(?:/|$)", parts.path + "/")
        if app:
            found.keys.append(("app_ios", f"id{app.group(1)}"))
    elif host == "play.google.com":
        found.keys.append(("app_android", (query.get("id") or [""])[0]))
    elif bare in SOCIAL_HOSTS:
        account = next((s for s in reversed(segments) if s.lower() not in NOT_ACCOUNTS), None)
        if account:
            found.keys.append(("other_social", f"{SOCIAL_HOSTS[bare]}:{account.lstrip('@')}"))
    if len(segments) == 1 and segments[0].startswith("@") and len(segments[0]) > 1:
        found.keys.append(("other_social", f"mastodon:{segments[0]}@{host}"))
    found.keys = _valid(found.keys)
    found.site_addresses = _site_addresses(parts.scheme, host, segments, parts.query)
    return found


def _weibo_account(segments: list[str], query: dict[str, list[str]]) -> str | None:
    uid = (query.get("uid") or query.get("value") or [""])[0]
    if WEIBO_UID.match(uid):
        return uid
    for n, segment in enumerate(segments):
        if segment in ("u", "profile") and n + 1 < len(segments):
            return segments[n + 1]
    if segments and segments[0].lower() not in NOT_ACCOUNTS:
        return segments[0]  # weibo.com/1234567890 or a custom name; later segments are a post's id
    return None


def _valid(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for kind, address in keys:
        try:
            key = (kind, normalize_address(kind, address))
        except InvalidValue:
            continue
        if key not in out:
            out.append(key)
    return out


def _site_addresses(scheme: str, host: str, segments: list[str], query: str) -> list[str]:
    """Registered web addresses the URL is at or under: the URL itself, then each parent path,
    for both schemes and the www twin; the longest first."""
    twin = host[4:] if host.startswith("www.") else f"www.{host}"
    paths = ["/" + "/".join(segments[:n]) for n in range(min(len(segments), MAX_PARENTS), 0, -1)]
    out: list[str] = []
    if query:
        out += [urlunsplit((s, h, "/" + "/".join(segments), query, "")) for h in (host, twin)
                for s in (scheme, "https" if scheme == "http" else "http")]
    for path in [form for p in paths for form in (p, p + "/")] + [""]:
        for h in (host, twin):
            for s in (scheme, "https" if scheme == "http" else "http"):
                out.append(urlunsplit((s, h, path, "", "")))
    return list(dict.fromkeys(out))
