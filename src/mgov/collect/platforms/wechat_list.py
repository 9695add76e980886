"""The export file that lists a WeChat account's articles (channel attribute `article_list`).

WeChat publishes no account API, so the article URLs come from a file the operator (or a data
provider) supplies: CSV with a header `url[,title,published]`, or JSON
`{"account": {…facts…}, "articles": [{"url": …, "title": …, "published": …}, …]}` (a bare
list of articles, or of URL strings, is read too); UTF-8 (a BOM is fine) or GBK/GB18030.
`published`: unix seconds, RFC 3339, or a Beijing date (2026-12-06 [09:12]).
Account facts (all optional): `name`, `certification`, `description`, `avatar_url`,
`messages_open`, `menus` `[{"name", "url" | null, "kind": link|reply|consult|mini_program}]`.
A line whose URL is not a WeChat article link (https://mp.weixin.qq.com/s/… or /s?__biz=…)
is reported with its line (or item) number and skipped; the others are read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mgov.collect.platforms.fetching import PlatformFailure
from mgov.collect.platforms.times import any_time
from mgov.evidence.newmedia import CaptureStatus, MenuItem

ARTICLE_HOST = "mp.weixin.qq.com"
MAX_LIST_BYTES = 20 << 20
MENU_KINDS = frozenset({"link", "reply", "consult", "mini_program", "other"})


@dataclass
class Listed:
    url: str
    title: str | None = None
    published: dt.datetime | None = None


@dataclass
class ArticleList:
    path: Path
    data: bytes
    content_type: str
    account: dict[str, Any] = field(default_factory=dict)
    articles: list[Listed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def menus(self) -> list[MenuItem]:
        found = []
        for item in self.account.get("menus") or []:
            if isinstance(item, dict) and item.get("name"):
                kind = str(item.get("kind") or "link")
                url = item.get("url")
                found.append(MenuItem(name=str(item["name"]), url=str(url) if url else None,
                                      kind=kind if kind in MENU_KINDS else "other"))
        return found


def article_url(raw: object, hosts: frozenset[str]) -> str:
    """The article URL in https form; raises ValueError saying why it is not one."""
    text = str(raw or "").strip()
    if not text:
        raise ValueError("empty")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    if parts.hostname.lower() not in hosts:
        raise ValueError(f"not a WeChat article host ({parts.hostname})")
    if not (parts.path.startswith("/s/") or parts.path in ("/s", "/s/")) or (parts.path in ("/s", "/s/")
                                                                            and "__biz=" not in parts.query):
        raise ValueError("not an article path (/s/… or /s?__biz=…)")
    return urlunsplit(("https", parts.netloc.lower(), parts.path, parts.query, ""))


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise PlatformFailure(CaptureStatus.ERROR,
                              f"article_list {path}: neither UTF-8 nor GBK/GB18030 ({exc})") from exc


def read_article_list(path_text: str, now: dt.datetime, hosts: frozenset[str] = frozenset({ARTICLE_HOST})
                      ) -> ArticleList:
    path = Path(path_text).expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise PlatformFailure(CaptureStatus.ERROR, f"article_list {path}: {size} bytes, more than {MAX_LIST_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise PlatformFailure(CaptureStatus.ERROR,
                              f"article_list {path}: cannot read it ({exc.strerror or exc})") from exc
    text = _decode(data, path)
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "["):
        listing = ArticleList(path, data, "application/json")
        _read_json(listing, text, now, hosts)
    else:
        listing = ArticleList(path, data, "text/csv")
        _read_csv(listing, text, now, hosts)
    return listing


def _add(listing: ArticleList, where: str, url: object, title: object, published: object, now: dt.datetime,
         hosts: frozenset[str], seen: set[str]) -> None:
    try:
        target = article_url(url, hosts)
    except ValueError as exc:
        listing.problems.append(f"{where}: bad article URL {str(url)[:200]!r} ({exc}): skipped")
        return
    if target in seen:
        return
    seen.add(target)
    when = any_time(published, now)
    if published not in (None, "") and when is None:
        listing.problems.append(f"{where}: unreadable date {str(published)[:50]!r} (the page's own time is used)")
    listing.articles.append(Listed(target, str(title).strip() or None if title else None, when))


def _read_json(listing: ArticleList, text: str, now: dt.datetime, hosts: frozenset[str]) -> None:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PlatformFailure(CaptureStatus.ERROR, f"article_list {listing.path}: malformed JSON ({exc})") from exc
    if isinstance(doc, dict):
        facts = doc.get("account")
        listing.account = facts if isinstance(facts, dict) else {}
        items = doc.get("articles")
    else:
        items = doc
    if not isinstance(items, list):
        raise PlatformFailure(CaptureStatus.ERROR, f"article_list {listing.path}: no list of articles")
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"{listing.path.name} item {number}"
        if isinstance(item, dict):
            _add(listing, where, item.get("url"), item.get("title"), item.get("published"), now, hosts, seen)
        else:
            _add(listing, where, item, None, None, now, hosts, seen)


def _read_csv(listing: ArticleList, text: str, now: dt.datetime, hosts: frozenset[str]) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        return  # an empty file lists no article
    if "url" not in header:
        raise PlatformFailure(CaptureStatus.ERROR,
                              f"article_list {listing.path}: the CSV header has no url column "
                              f"({','.join(header)[:200]})")
    col: dict[str, int] = {name: header.index(name) for name in ("url", "title", "published") if name in header}
    seen: set[str] = set()
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"{listing.path.name} line {reader.line_num}"

            def cell(name: str, row: list[str] = row) -> str | None:
                index = col.get(name)
                return row[index] if index is not None and index < len(row) else None
            _add(listing, where, cell("url"), cell("title"), cell("published"), now, hosts, seen)
    except csv.Error as exc:
        listing.problems.append(f"{listing.path.name} line {reader.line_num}: {exc}: the rest not read")
