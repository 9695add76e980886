"""What the farm's platform modules share: the view of the platforms they serve from
(`Reader`), JSON and HTML responses, the images of avatars and posts, time formats."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from typing import Any, Protocol

from aiohttp import web

from mgov.demo.farm.assets import png
from mgov.demo.farm.manifest import Account
from mgov.demo.farm.platform_posts import Clock, Item, Stub


class Reader(Protocol):
    """What a platform module asks of the farm's platforms (platforms.Platforms)."""

    seed: int
    accounts: list[Account]
    clock: Clock

    def account(self, platform: str, handle: str) -> Account | None: ...

    def posts(self, a: Account) -> list[Stub]: ...

    def post(self, pid: int) -> tuple[Account, Stub] | None: ...

    def item(self, a: Account, stub: Stub) -> Item: ...

    def name(self, a: Account) -> str: ...

    def certification(self, a: Account) -> str | None: ...

    def closed(self, a: Account) -> bool: ...

    def searchable(self, platform: str) -> list[tuple[Account, str]]: ...


JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def json_response(doc: Any, status: int = 200, content_type: str = JSON_TYPE) -> web.Response:
    return web.Response(status=status, body=json.dumps(doc, ensure_ascii=False).encode(),
                        headers={"Content-Type": content_type})


def html(body: str, status: int = 200, title: str = "", lang: str = "zh-CN", head: str = "") -> web.Response:
    page = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{head}<title>{title}</title>'
            f"</head><body>{body}</body></html>")
    return web.Response(status=status, body=page.encode(), headers={"Content-Type": HTML_TYPE})


@functools.lru_cache(maxsize=1024)
def image(path: str) -> bytes:
    """A small PNG whose colour depends on the path: an avatar's bytes are the account's own."""
    rgb = hashlib.blake2b(path.encode(), digest_size=3).digest()
    return png(48, 48, (rgb[0], rgb[1], rgb[2]))


def avatar_key(seed: int, a: Account) -> str:
    """The stable part of an account's avatar URL (same in both epochs)."""
    return hashlib.blake2b(f"{seed}/avatar/{a.platform}/{a.handle}".encode(), digest_size=12).hexdigest()


def utc_iso(when: dt.datetime) -> str:
    """2026-12-06T01:12:00Z (ActivityPub, JSON Feed's UTC form)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def weibo_time(when: dt.datetime) -> str:
    """Sun Dec 06 09:12:00 +0800 2026 (Weibo's created_at), whatever the locale."""
    return (f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when:%d %H:%M:%S} "
            f"{when:%z} {when.year}")


def rfc822(when: dt.datetime) -> str:
    """Sun, 06 Dec 2026 09:12:00 +0800 (RSS 2.0's pubDate)."""
    return f"{_DAYS[when.weekday()]}, {when:%d} {_MONTHS[when.month - 1]} {when:%Y %H:%M:%S %z}"
