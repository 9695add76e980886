"""The cells of an import row made into a post or an account profile: times (ISO 8601, unix
seconds, `2026/12/06 09:12`, `2026年12月6日 09:12`, a spreadsheet's own dates), yes/no in
English or Chinese, lists of links, menus. A value that cannot be read raises ValueProblem
naming the column, so the row is reported and skipped rather than guessed."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

from mgov.evidence.newmedia import AccountProfile, Interaction, MenuItem, Post

TRUE = frozenset({"true", "yes", "y", "1", "on", "open", "是", "开", "开启", "开放", "有"})
FALSE = frozenset({"false", "no", "n", "0", "off", "closed", "否", "关", "关闭", "无"})
MENU_KINDS = frozenset({"link", "reply", "consult", "mini_program", "other"})
_SPLIT = re.compile(r"[\s,;|，；、]+")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'，。；、！？）】》]+", re.IGNORECASE)
_CN_TIME = re.compile(r"^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?"
                      r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?\s*(?:[:：]?\s*(\d{1,2})\s*秒?)?)?$")
MAX_ID = 300


class ValueProblem(ValueError):
    """A cell that cannot be read: the message names the column and the value."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def parse_bool(column: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = (_text(value) or "").lower()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueProblem(f"{column}: {_shown(value)} is not yes or no (true/false, 1/0, 是/否)")


def parse_time(column: str, value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """An aware UTC time; a time without a zone is read in zone."""
    if value is None or value == "":
        return None
    when: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        when = _from_epoch(float(value))
    else:
        text = str(value).strip()
        when = _from_epoch(float(text)) if re.fullmatch(r"\d{9,13}(\.\d+)?", text) else _from_text(text)
    if when is None:
        raise ValueProblem(f"{column}: {_shown(value)} is not a date and time (e.g. 2026-12-06T09:12:00+08:00)")
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.UTC)


def _from_epoch(seconds: float) -> dt.datetime | None:
    if seconds > 1e11:  # milliseconds, as JavaScript and many exports write them
        seconds /= 1000
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_text(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    m = _CN_TIME.match(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)  # naive: the caller gives the zone
    except ValueError:
        return None


def _http_url(column: str, value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueProblem(f"{column}: {_shown(value)} is not an http(s) URL")
    return value


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [t for v in value if (t := _text(v))]
    text = str(value).strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, list):
            return [t for v in loaded if (t := _text(v))]
    return [t for t in _SPLIT.split(text) if t]


def post_of(cells: dict[str, Any], zone: dt.tzinfo) -> tuple[Post, bool]:
    """The post of a row, and whether the row marks it deleted."""
    post_id = _text(cells.get("post_id"))
    if not post_id:
        raise ValueProblem("post_id is empty")
    if len(post_id) > MAX_ID:
        raise ValueProblem(f"post_id is longer than {MAX_ID} characters")
    text = _text(cells.get("text")) or ""
    url = _text(cells.get("url"))
    links = [_http_url("links", u) for u in _items(cells.get("links"))]
    for found in _URL_IN_TEXT.findall(text):
        links.append(found.rstrip(".,)"))
    post = Post(post_id=post_id, published=parse_time("published", cells.get("published"), zone), text=text,
                title=_text(cells.get("title")), url=_http_url("url", url) if url else None,
                links=list(dict.fromkeys(links)), media=list(dict.fromkeys(_items(cells.get("media")))),
                comments_open=parse_bool("comments_open", cells.get("comments_open")),
                original=parse_bool("original", cells.get("original")))
    return post, bool(parse_bool("deleted", cells.get("deleted")))


def menus_of(value: Any) -> list[MenuItem]:
    """Menus as JSON ([{"name", "url", "kind"}]) or as text: `name|url|kind` items separated by
    `;` or new lines (url and kind may be left out)."""
    if value is None or value == "":
        return []
    items: Any = value
    if isinstance(value, str):
        text = value.strip()
        try:
            items = json.loads(text) if text.startswith("[") else None
        except json.JSONDecodeError as exc:
            raise ValueProblem(f"menus: not JSON ({exc.msg})") from None
        if items is None:
            items = [dict(zip(("name", "url", "kind"), (p.strip() for p in part.split("|")), strict=False))
                     for part in re.split(r"[;；\n]+", text) if part.strip()]
    if not isinstance(items, list):
        raise ValueProblem("menus: expected a list of {name, url, kind}")
    out = []
    for item in items:
        if not isinstance(item, dict) or not _text(item.get("name")):
            raise ValueProblem(f"menus: {_shown(item)} has no name")
        url = _text(item.get("url"))
        kind = (_text(item.get("kind")) or ("link" if url else "reply")).lower()
        if kind not in MENU_KINDS:
            raise ValueProblem(f"menus: kind {kind!r} is not one of {', '.join(sorted(MENU_KINDS))}")
        out.append(MenuItem(name=str(_text(item.get("name"))), url=_http_url("menus", url) if url else None,
                            kind=kind))
    return out


def account_profile(facts: dict[str, Any], platform: str, address: str,
                    posts: list[Post]) -> tuple[AccountProfile, list[str]]:
    """The profile an import's account facts give (a fact that cannot be read is left out and
    reported)."""
    problems: list[str] = []

    def read(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValueProblem as exc:
            problems.append(f"account: {exc}")
            return None

    facts = {str(k).strip().lower(): v for k, v in facts.items()}
    followers = _text(facts.get("followers"))
    if followers is not None and not followers.isdigit():
        problems.append(f"account: followers: {_shown(followers)} is not a number")
        followers = None
    certification = _text(facts.get("certification"))
    verified = read(parse_bool, "verified", facts.get("verified"))
    menus = read(menus_of, facts.get("menus")) or []
    avatar = _text(facts.get("avatar_url"))
    known = [p.comments_open for p in posts if p.comments_open is not None]
    interaction = Interaction(comments=any(known) if known else None,
                              messages=read(parse_bool, "messages_open", facts.get("messages_open")),
                              consult_menu=any(m.kind == "consult" for m in menus) if menus else None,
                              detail="from the import file")
    url = _text(facts.get("url"))
    profile = AccountProfile(
        platform=platform, account_id=_text(facts.get("account_id")) or address, name=_text(facts.get("name")) or "",
        url=read(_http_url, "url", url) if url else None,
        avatar_url=read(_http_url, "avatar_url", avatar) if avatar else None,
        certification=certification, verified=verified if verified is not None else (True if certification else None),
        description=_text(facts.get("description")), followers=int(followers) if followers else None,
        menus=menus, interaction=interaction)
    return profile, problems
