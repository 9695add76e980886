"""A feed's bytes read into a profile and posts: RSS 0.9x-2.0 and Atom through feedparser,
JSON Feed 1.0/1.1 through json. Pure apart from the parsing (no requests here).

feedparser is given a byte stream, never a string: a string that looks like a URL or a file
name makes it fetch or open that itself, outside the collect client. It reads the charset
the HTTP header or the XML declaration gives (GBK and GB18030 feeds included), refuses
external entities, and reads a malformed or cut feed leniently (`bozo`). JSON Feed: `items`
with `id`, `url`, `title`, `content_html`/`content_text`/`summary`, `date_published`,
`date_modified`, `image`, `attachments`; the feed's `title`, `home_page_url`, `description`,
`icon`/`favicon`; 1.0's `author` and 1.1's `authors` are both ignored (the feed is the account).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

# feedparser: RSS and Atom, as every peer reads them (Social Feed Manager included).
import feedparser

from mgov.collect.platforms.markup import plain_text, read_html
from mgov.collect.platforms.times import iso_time, struct_time
from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import AccountProfile, Post

PLATFORM = "feed"


@dataclass
class ParsedFeed:
    profile: AccountProfile
    posts: list[Post] = field(default_factory=list)  # in the feed's order
    well_formed: bool = True
    problem: str | None = None  # feedparser's complaint about a malformed feed


class NotAFeed(ValueError):
    """The bytes are no feed mgov can read."""


def parse_xml(body: bytes, url: str, content_type: str | None, ref: WarcRef | None) -> ParsedFeed:
    headers = {"content-type": content_type or "application/xml"}  # no base: ids stay as the feed writes them
    # Neither sanitized nor relative links resolved by feedparser (an HTML pass of each content
    # value, half its time): read_html drops scripts and styles, keeps http(s) links only and
    # resolves them against the item's link itself.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    info = parsed.get("feed", {})
    if not parsed.get("entries") and not info.get("title") and not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        raise NotAFeed(f"not an RSS, Atom or JSON feed{f' ({problem})' if problem else ''}")
    image = info.get("image") if isinstance(info.get("image"), dict) else {}
    profile = AccountProfile(platform=PLATFORM, account_id=str(info.get("id") or url),
                             name=plain_text(str(info.get("title") or "")) or url, url=info.get("link") or None,
                             avatar_url=image.get("href") or info.get("icon") or info.get("logo") or None,
                             description=plain_text(str(info.get("subtitle") or info.get("description") or "")) or None)
    base = info.get("link") or url
    posts = [p for p in (_entry(e, base, ref) for e in parsed.get("entries", [])) if p is not None]
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    return ParsedFeed(profile, posts, well_formed=problem is None, problem=str(problem) if problem else None)


def _entry(entry: Any, base: str, ref: WarcRef | None) -> Post | None:
    html, is_html = "", True
    contents = entry.get("content") or []
    chosen = next((c for c in contents if "html" in str(c.get("type") or "")), contents[0] if contents else None)
    if chosen is not None:
        html, is_html = str(chosen.get("value") or ""), "plain" not in str(chosen.get("type") or "")
    elif entry.get("summary"):
        html = str(entry.get("summary"))
    link = entry.get("link") or None
    body = read_html(html, link or base) if is_html else None
    title = plain_text(str(entry.get("title") or "")) or None
    text = body.text if body is not None else html.strip()
    pid = str(entry.get("id") or link or _digest(title, text))
    # dict.get: feedparser's own get maps a missing updated_parsed to published_parsed (with a warning)
    published = struct_time(dict.get(entry, "published_parsed")) or struct_time(dict.get(entry, "updated_parsed"))
    updated = struct_time(dict.get(entry, "updated_parsed")) if dict.get(entry, "published_parsed") else None
    media = list(body.media) if body is not None else []
    for extra in [*entry.get("enclosures", []), *entry.get("media_content", [])]:
        target = extra.get("href") or extra.get("url")
        if isinstance(target, str) and target.startswith(("http://", "https://")) and target not in media:
            media.append(target)
    raw = {"comments": entry["comments"]} if entry.get("comments") else {}
    return Post(post_id=pid, published=published, text=text, title=title, url=link,
                links=body.links if body is not None else [], media=media,
                updated=updated if updated != published else None, raw=raw, warc=ref)


def parse_json_feed(data: Any, url: str, ref: WarcRef | None) -> ParsedFeed:
    if not isinstance(data, dict) or not str(data.get("version") or "").startswith("https://jsonfeed.org/version/"):
        raise NotAFeed("JSON, but not a JSON Feed (no https://jsonfeed.org/version/ version)")
    profile = AccountProfile(platform=PLATFORM, account_id=str(data.get("feed_url") or url),
                             name=str(data.get("title") or "").strip() or url,
                             url=_http(data.get("home_page_url")),
                             avatar_url=_http(data.get("icon") or data.get("favicon")),
                             description=plain_text(str(data.get("description") or "")) or None)
    items = data.get("items")
    posts = [p for p in (_item(i, url, ref) for i in (items if isinstance(items, list) else [])) if p is not None]
    return ParsedFeed(profile, posts)


def _item(item: object, base: str, ref: WarcRef | None) -> Post | None:
    if not isinstance(item, dict):
        return None
    link = _http(item.get("url")) or _http(item.get("external_url"))
    html = item.get("content_html") or item.get("summary")
    body = read_html(str(html), link or base) if isinstance(html, str) else None
    text = body.text if body is not None else str(item.get("content_text") or "").strip()
    title = str(item.get("title") or "").strip() or None
    pid = str(item.get("id") or link or _digest(title, text))
    media = list(body.media) if body is not None else []
    extras = [item.get("image"), item.get("banner_image")]
    extras += [a.get("url") for a in item.get("attachments") or [] if isinstance(a, dict)]
    media += [m for m in (_http(x) for x in extras) if m and m not in media]
    published = iso_time(item.get("date_published"))
    updated = iso_time(item.get("date_modified"))
    return Post(post_id=pid, published=published or updated, text=text, title=title, url=link,
                links=body.links if body is not None else [], media=media,
                updated=updated if published and updated != published else None, warc=ref)


def _http(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def _digest(title: str | None, text: str) -> str:
    """An id for an item that has none (no guid, id or link): its content's."""
    return "sha256:" + hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()[:32]
