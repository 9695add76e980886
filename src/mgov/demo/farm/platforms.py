"""The farm's new-media platforms (issue 17): one object that knows every account, the farm's
clock and epoch, and routes a request for a platform host to its module (platform_weibo,
platform_wechat, platform_feeds, platform_social). Images, Weibo's link wrapper and the
commercial defect's shop are served here. The shapes are /work/briefs/platform-shapes.md's,
described in docs/demo-farm.md (Platforms).

Timelines are computed on demand and kept in an LRU cache per account and clock (1,024: a
capture reads an account's pages in a row; about 20 KB each), so a farm
with 20,000 accounts starts as fast as one without; only the WeChat article lists (files an
operator would supply) are written ahead, at start and whenever the epoch or the day changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from aiohttp import web

from mgov.demo.farm import contract as c
from mgov.demo.farm import platform_feeds, platform_social, platform_wechat, platform_weibo
from mgov.demo.farm.defects_newmedia import NEWMEDIA_DEFECTS
from mgov.demo.farm.manifest import Account, Manifest
from mgov.demo.farm.platform_facts import shown_certification, shown_name
from mgov.demo.farm.platform_http import html, image
from mgov.demo.farm.platform_posts import Clock, Item, Stub, account_no, item, timeline


class Platforms:
    """Every platform host's requests, answered from the manifest's accounts and the clock."""

    def __init__(self, manifest: Manifest, *, today: dt.date, epoch: int = 1,
                 cache_size: int = 1024) -> None:
        self.seed = manifest.seed
        self.manifest = manifest
        self.accounts = manifest.accounts
        self.anchor = manifest.today_date
        self.clock = Clock(today, self.anchor, epoch, today)
        self.by_handle: dict[tuple[str, str], Account] = {(a.platform, a.handle): a for a in self.accounts}
        self.exports_dir: Path | None = None
        self._timelines = functools.lru_cache(maxsize=cache_size)(self._timeline)
        self._items = functools.lru_cache(maxsize=8 * cache_size)(self._item)
        self._search_index: dict[tuple[str, int], list[tuple[Account, str]]] = {}

    # --- the clock ------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        return self.clock.epoch

    def set_epoch(self, n: int) -> None:
        if n != self.clock.epoch:
            self.clock = Clock(self.clock.today, self.anchor, n, self.clock.today)
            # Only the accounts of epoch-2 defects differ between the epochs.
            self.write_exports([a for a in self.accounts if any(NEWMEDIA_DEFECTS[d].epoch > 1 for d in a.defects)])

    def set_today(self, day: dt.date) -> None:
        self.clock = Clock(day, self.anchor, self.clock.epoch, self.clock.epoch_day)
        self.write_exports()

    # --- accounts and posts ---------------------------------------------------------------

    def account(self, platform: str, handle: str) -> Account | None:
        return self.by_handle.get((platform, handle))

    def _timeline(self, no: int, clock: Clock) -> tuple[list[Stub], dict[int, Stub]]:
        stubs = timeline(self.seed, self.accounts[no], clock)
        return stubs, {s.pid: s for s in stubs}

    def posts(self, a: Account) -> list[Stub]:
        """The account's posts on the current day, newest first (deleted ones flagged)."""
        return self._timelines(a.no, self.clock)[0]

    def post(self, pid: int) -> tuple[Account, Stub] | None:
        """The account and post of a post id, or None."""
        no = account_no(pid)
        if no >= len(self.accounts):
            return None
        a = self.accounts[no]
        stub = self._timelines(no, self.clock)[1].get(pid)
        return (a, stub) if stub is not None else None

    def _item(self, no: int, stub: Stub, epoch: int) -> Item:
        return item(self.seed, self.accounts[no], stub, epoch)

    def item(self, a: Account, stub: Stub) -> Item:
        """What a post says (cached: a feed, an export and a page render the same post)."""
        return self._items(a.no, stub, self.clock.epoch)

    def name(self, a: Account) -> str:
        return shown_name(a, self.clock.epoch)

    def certification(self, a: Account) -> str | None:
        return shown_certification(a, self.clock.epoch)

    def closed(self, a: Account) -> bool:
        return a.has("newmedia.interaction_closed")

    def searchable(self, platform: str) -> list[tuple[Account, str]]:
        """The platform's accounts with what its search matches (name, description,
        certification; lower case), as the current epoch shows them."""
        key = (platform, self.clock.epoch)
        if key not in self._search_index:
            epoch = self.clock.epoch
            self._search_index[key] = [
                (a, "\n".join((a.handle, shown_name(a, epoch), a.description,
                               shown_certification(a, epoch) or "")).lower())
                for a in self.accounts if a.platform == platform]
        return self._search_index[key]

    # --- WeChat's article lists -------------------------------------------------------------

    def write_exports(self, accounts: list[Account] | None = None) -> None:
        """One JSON file per WeChat account: what an operator exports from the account's
        back office (platform_wechat.export), for the current epoch and day (accounts: only
        these). About 1.5 ms an account; each file replaced whole (written aside, renamed)."""
        if self.exports_dir is None:
            return
        self.exports_dir.mkdir(parents=True, exist_ok=True)
        for a in self.accounts if accounts is None else accounts:
            if a.platform == "wechat" and a.registered:
                doc = platform_wechat.export(self, a)
                tmp = self.exports_dir / f".{a.handle}.json.tmp"
                tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")  # compact: json's C encoder
                tmp.replace(self.exports_dir / f"{a.handle}.json")

    # --- HTTP -----------------------------------------------------------------------------

    def handle(self, request: web.BaseRequest, host: str) -> web.Response:
        """A request for a platform host; plain HTTP is redirected to HTTPS, as the real ones do."""
        if not request.secure:
            return web.Response(status=301, headers={"Location": f"https://{host}{request.raw_path}"})
        if host == c.WEIBO_HOST:
            return platform_weibo.serve(self, request)
        if host == c.WECHAT_HOST:
            return platform_wechat.serve(self, request)
        if host == c.FEEDS_HOST:
            return platform_feeds.serve(self, request)
        if host == c.SOCIAL_HOST:
            return platform_social.serve(self, request)
        if host == c.WEIBO_LINK_HOST and request.path == "/sinaurl":
            target = request.query.get("u", "")
            if target.startswith(("https://", "http://")):
                return web.Response(status=302, headers={"Location": target})
            return web.Response(status=400, text="bad link\n")
        if host == c.SHOP_HOST:
            return html(f"<h1>{c.SHOP_HOST}</h1><p>年终大促 · Year-end sale</p>")
        if host in (c.WEIBO_AVATAR_HOST, c.WEIBO_IMAGE_HOST, c.WECHAT_AVATAR_HOST, c.WECHAT_IMAGE_HOST):
            return web.Response(body=image(request.path), content_type="image/png")
        return web.Response(status=404, text="not found\n")
