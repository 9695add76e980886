"""The farm's feeds host (feeds.gov-farm.example): every feed account in three formats.

    /NAME.rss   RSS 2.0        /NAME.atom   Atom 1.0        /NAME.json   JSON Feed 1.1
    /NAME/      the account's page          /NAME/ID.html  a post's page (404 once deleted)
    /media/ID.png                           a post's image

A feed holds the posts of the last FEED_DAYS days (at most FEED_MAX); a deleted post is
simply gone from it; an edited one carries its new text (Atom and JSON Feed also the edit time).
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from mgov.demo.farm import contract as c
from mgov.demo.farm.manifest import Account
from mgov.demo.farm.platform_http import Reader, avatar_key, html, image, json_response, rfc822
from mgov.demo.farm.platform_posts import Item, Stub, post_url

FEED_DAYS = 45
FEED_MAX = 100
TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8",
         "json": "application/feed+json; charset=utf-8"}


def serve(p: Reader, request: web.BaseRequest) -> web.Response:
    path = request.path.lstrip("/")
    if path.startswith("media/") and path.endswith(".png"):
        return web.Response(body=image(path), content_type="image/png")
    name, dot, ext = path.rpartition(".")
    if dot and "/" not in name and ext in TYPES:
        a = p.account("feed", name)
        if a is None:
            return web.Response(status=404, text="no such feed\n")
        if ext == "json":
            return json_response(json_feed(p, a), content_type=TYPES["json"])
        body = (rss if ext == "rss" else atom)(p, a)
        return web.Response(body=body.encode(), headers={"Content-Type": TYPES[ext]})
    handle, _, rest = path.partition("/")
    a = p.account("feed", handle)
    if a is None:
        return web.Response(status=404, text="not found\n")
    lang = "zh-CN" if a.language == "zh" else "en"
    if rest == "":
        items = "".join(f'<li><a href="{post_url(p.seed, a, s.pid)}">{htmlmod.escape(p.item(a, s).title)}</a></li>'
                        for s in _items(p, a))
        return html(f"<h1>{htmlmod.escape(p.name(a))}</h1><ul>{items}</ul>", title=p.name(a), lang=lang)
    found = p.post(int(rest[:-5])) if rest.endswith(".html") and rest[:-5].isdigit() else None
    if found is None or found[0] is not a or found[1].deleted:
        return html("<p>Not found</p>", status=404, title="404", lang=lang)
    it = p.item(a, found[1])
    return html(f"<article><h1>{htmlmod.escape(it.title)}</h1>{content(p, a, found[1], it)}</article>",
                title=htmlmod.escape(it.title), lang=lang)


def _items(p: Reader, a: Account) -> list[Stub]:
    since = p.clock.today - dt.timedelta(days=FEED_DAYS)
    return [s for s in p.posts(a) if not s.deleted and s.time.date() >= since][:FEED_MAX]


def feed_url(a: Account, ext: str) -> str:
    return f"https://{c.FEEDS_HOST}/{a.handle}.{ext}"


def home(a: Account) -> str:
    return a.site or f"https://{c.FEEDS_HOST}/{a.handle}/"


def icon(p: Reader, a: Account) -> str:
    return f"https://{c.FEEDS_HOST}/media/avatar-{avatar_key(p.seed, a)}.png"


def content(p: Reader, a: Account, s: Stub, it: Item) -> str:
    """The post's body as HTML: paragraphs, its image, its links."""
    out = [f"<p>{htmlmod.escape(para)}</p>" for para in it.paragraphs]
    if it.image:
        out.append(f'<p><img src="https://{c.FEEDS_HOST}/media/{s.pid}.png" alt=""></p>')
    out += [f'<p><a href="{htmlmod.escape(url)}">{htmlmod.escape(text)}</a></p>' for url, text in it.links]
    return "".join(out)


def _updated(s: Stub) -> dt.datetime:
    return s.edited_at or s.time


def rss(p: Reader, a: Account) -> str:
    items = []
    for s in _items(p, a):
        it = p.item(a, s)
        url = post_url(p.seed, a, s.pid)
        tag = f"<category>{escape(it.tag)}</category>" if it.tag else ""
        items.append(f"<item><title>{escape(it.title)}</title><link>{escape(url)}</link>"
                     f'<guid isPermaLink="true">{escape(url)}</guid><pubDate>{rfc822(s.time)}</pubDate>'
                     f"{tag}<description>{escape(content(p, a, s, it))}</description></item>")
    posts = p.posts(a)
    built = rfc822(_updated(posts[0])) if posts else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>{escape(p.name(a))}</title><link>{escape(home(a))}</link>"
            f"<description>{escape(a.description)}</description>"
            f"<language>{'zh-cn' if a.language == 'zh' else 'en-us'}</language>"
            f'<atom:link href={quoteattr(feed_url(a, "rss"))} rel="self" type="application/rss+xml"/>'
            f"<image><url>{escape(icon(p, a))}</url><title>{escape(p.name(a))}</title>"
            f"<link>{escape(home(a))}</link></image>"
            f"<lastBuildDate>{built}</lastBuildDate>{''.join(items)}</channel></rss>\n")


def atom(p: Reader, a: Account) -> str:
    entries = []
    for s in _items(p, a):
        it = p.item(a, s)
        url = post_url(p.seed, a, s.pid)
        tag = f"<category term={quoteattr(it.tag)}/>" if it.tag else ""
        entries.append(f"<entry><id>{escape(url)}</id><title>{escape(it.title)}</title>"
                       f'<link rel="alternate" href={quoteattr(url)}/><published>{s.time.isoformat()}</published>'
                       f"<updated>{_updated(s).isoformat()}</updated>{tag}"
                       f'<content type="html">{escape(content(p, a, s, it))}</content></entry>')
    posts = p.posts(a)
    updated = _updated(posts[0]).isoformat() if posts else p.clock.today.isoformat() + "T00:00:00Z"
    org = a.organization.name_zh if a.language == "zh" else a.organization.name_en
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{"zh-CN" if a.language == "zh" else "en"}">'
            f"<title>{escape(p.name(a))}</title><subtitle>{escape(a.description)}</subtitle>"
            f"<id>tag:{c.FEEDS_HOST},2020:{escape(a.handle)}</id>"
            f'<link rel="self" href={quoteattr(feed_url(a, "atom"))}/><link rel="alternate" href={quoteattr(home(a))}/>'
            f"<icon>{escape(icon(p, a))}</icon><updated>{updated}</updated><author><name>{escape(org)}</name></author>"
            f"{''.join(entries)}</feed>\n")


def json_feed(p: Reader, a: Account) -> dict[str, Any]:
    items = []
    for s in _items(p, a):
        it = p.item(a, s)
        url = post_url(p.seed, a, s.pid)
        entry: dict[str, Any] = {"id": url, "url": url, "title": it.title,
                                 "content_html": content(p, a, s, it), "date_published": s.time.isoformat()}
        if s.edited_at is not None:
            entry["date_modified"] = s.edited_at.isoformat()
        if it.tag:
            entry["tags"] = [it.tag]
        items.append(entry)
    org = a.organization.name_zh if a.language == "zh" else a.organization.name_en
    return {"version": "https://jsonfeed.org/version/1.1", "title": p.name(a), "home_page_url": home(a),
            "feed_url": feed_url(a, "json"), "description": a.description, "icon": icon(p, a),
            "language": "zh-CN" if a.language == "zh" else "en", "authors": [{"name": org}], "items": items}
