"""The farm's Mastodon-like server (social.gov-farm.example): WebFinger, actors, outboxes,
statuses and the account search, as ActivityPub and Mastodon's API publish them.

    /.well-known/webfinger?resource=acct:USER@HOST     JRD
    /users/USER                                         actor (application/activity+json)
    /users/USER/outbox[?page=true[&max_id=ID]]          OrderedCollection / pages of 20
    /users/USER/statuses/ID                             a Note (410 once deleted)
    /@USER, /@USER/ID, /tags/TAG                        HTML pages
    /api/v2/search?q=QUERY&type=accounts                accounts; /api/v1/accounts/lookup?acct=USER

A deleted post shows in the outbox as a Delete of a Tombstone; an edited one carries
"updated"; a closed account says "commentsEnabled": false on its actor.
"""

from __future__ import annotations

import html as htmlmod
from typing import Any

from aiohttp import web

from mgov.demo.farm import contract as c
from mgov.demo.farm.manifest import Account
from mgov.demo.farm.platform_http import Reader, avatar_key, html, image, json_response, utc_iso
from mgov.demo.farm.platform_posts import Stub, post_url

AP_TYPE = "application/activity+json; charset=utf-8"
JRD_TYPE = "application/jrd+json; charset=utf-8"
PAGE = 20
BASE = f"https://{c.SOCIAL_HOST}"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = ["https://www.w3.org/ns/activitystreams",
           {"PropertyValue": "schema:PropertyValue", "value": "schema:value", "schema": "http://schema.org#",
            "commentsEnabled": "https://gov-farm.example/ns#commentsEnabled"}]


def serve(p: Reader, request: web.BaseRequest) -> web.Response:
    path, q = request.path, request.query
    if path == "/.well-known/webfinger":
        user = q.get("resource", "").removeprefix("acct:").lstrip("@").partition("@")
        a = p.account("activitypub", user[0]) if user[2] in ("", c.SOCIAL_HOST) else None
        if a is None:
            return json_response({"error": "Record not found"}, 404)
        return json_response({"subject": f"acct:{a.handle}@{c.SOCIAL_HOST}", "aliases": [actor_id(a), page_url(a)],
                              "links": [{"rel": "self", "type": "application/activity+json", "href": actor_id(a)},
                                        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
                                         "href": page_url(a)}]}, content_type=JRD_TYPE)
    if path == "/api/v2/search":
        if q.get("type", "accounts") != "accounts":
            return json_response({"accounts": [], "statuses": [], "hashtags": []})
        return json_response({"accounts": search(p, q.get("q", ""), _int(q.get("limit", "20"), 20)),
                              "statuses": [], "hashtags": []})
    if path == "/api/v1/accounts/lookup":
        a = p.account("activitypub", q.get("acct", "").lstrip("@").partition("@")[0])
        return json_response(api_account(p, a)) if a else json_response({"error": "Record not found"}, 404)
    if path.startswith("/system/"):
        return web.Response(body=image(path), content_type="image/png")
    if path.startswith("/tags/"):
        return html(f"<h1>#{htmlmod.escape(path[6:])}</h1>", title="Mastodon", lang="en")
    parts = path.strip("/").split("/")
    if parts[0].startswith("@"):
        return _pages(p, parts)
    if len(parts) < 2 or parts[0] != "users":
        return json_response({"error": "Not found"}, 404)
    a = p.account("activitypub", parts[1])
    if a is None:
        return json_response({"error": "Record not found"}, 404)
    if len(parts) == 2:
        return json_response(actor(p, a), content_type=AP_TYPE)
    if parts[2:] == ["outbox"]:
        if q.get("page") != "true":
            return json_response(collection(p, a), content_type=AP_TYPE)
        return json_response(outbox_page(p, a, _int(q.get("max_id", "0"), 0)), content_type=AP_TYPE)
    if len(parts) == 4 and parts[2] == "statuses":
        found = p.post(_int(parts[3], 0))
        if found is None or found[0] is not a:
            return json_response({"error": "Record not found"}, 404)
        if found[1].deleted:
            return json_response({"id": status_id(a, found[1].pid), "type": "Tombstone"}, 410, AP_TYPE)
        return json_response({"@context": CONTEXT, **note(p, a, found[1])}, content_type=AP_TYPE)
    return json_response({"error": "Not found"}, 404)


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def _pages(p: Reader, parts: list[str]) -> web.Response:
    a = p.account("activitypub", parts[0][1:])
    if a is None:
        return html("<p>The page you are looking for isn't here.</p>", 404, "Mastodon", "en")
    if len(parts) == 1:
        return html(f"<h1>{htmlmod.escape(p.name(a))}</h1><p>{htmlmod.escape(a.description)}</p>",
                    title=htmlmod.escape(p.name(a)), lang="en")
    found = p.post(_int(parts[1], 0))
    if found is None or found[0] is not a or found[1].deleted:
        return html("<p>The page you are looking for isn't here.</p>", 404, "Mastodon", "en")
    return html(f"<article>{content(p, a, found[1])}</article>", title=htmlmod.escape(p.name(a)), lang="en")


def actor_id(a: Account) -> str:
    return f"{BASE}/users/{a.handle}"


def page_url(a: Account) -> str:
    return f"{BASE}/@{a.handle}"


def status_id(a: Account, pid: int) -> str:
    return f"{actor_id(a)}/statuses/{pid}"


def avatar(p: Reader, a: Account) -> str:
    return f"{BASE}/system/accounts/avatars/{avatar_key(p.seed, a)}.png"


def actor(p: Reader, a: Account) -> dict[str, Any]:
    site = a.site or "https://www.usa.gov/"
    doc: dict[str, Any] = {
        "@context": CONTEXT, "id": actor_id(a), "type": "Person", "preferredUsername": a.handle,
        "name": p.name(a), "summary": f"<p>{htmlmod.escape(a.description)}</p>", "url": page_url(a),
        "icon": {"type": "Image", "mediaType": "image/png", "url": avatar(p, a)},
        "inbox": f"{actor_id(a)}/inbox", "outbox": f"{actor_id(a)}/outbox",
        "followers": f"{actor_id(a)}/followers", "following": f"{actor_id(a)}/following",
        "published": "2022-11-07T00:00:00Z", "manuallyApprovesFollowers": False, "discoverable": True,
        "attachment": [{"type": "PropertyValue", "name": "Website",
                        "value": f'<a href="{htmlmod.escape(site)}" rel="me nofollow noopener" target="_blank">'
                                 f"{htmlmod.escape(site)}</a>"}],
    }
    if p.closed(a):
        doc["commentsEnabled"] = False
    return doc


def api_account(p: Reader, a: Account) -> dict[str, Any]:
    return {"id": str(100_000 + a.no), "username": a.handle, "acct": a.handle, "display_name": p.name(a),
            "url": page_url(a), "uri": actor_id(a), "note": f"<p>{htmlmod.escape(a.description)}</p>",
            "avatar": avatar(p, a), "bot": False, "statuses_count": len([s for s in p.posts(a) if not s.deleted])}


def search(p: Reader, query: str, limit: int) -> list[dict[str, Any]]:
    """Accounts whose user name, display name or note contains the query (case-insensitive)."""
    query = query.strip().lstrip("@").lower()
    if not query:
        return []
    found = [api_account(p, a) for a, hay in p.searchable("activitypub") if query in hay]
    return found[: max(1, min(limit, 40))]


def content(p: Reader, a: Account, s: Stub) -> str:
    it = p.item(a, s)
    text = htmlmod.escape(f"{it.title}: {it.text(False)}" if it.title else it.text(False))
    links = "".join(f' <a href="{htmlmod.escape(url)}" rel="nofollow noopener noreferrer" target="_blank">'
                    f"{htmlmod.escape(url.split('://', 1)[-1])}</a>" for url, _ in it.links)
    tag = (f' <a href="{BASE}/tags/{it.tag}" class="mention hashtag" rel="tag">#<span>{it.tag}</span></a>'
           if it.tag else "")
    return f"<p>{text}{links}{tag}</p>"


def note(p: Reader, a: Account, s: Stub) -> dict[str, Any]:
    it = p.item(a, s)
    obj: dict[str, Any] = {
        "id": status_id(a, s.pid), "type": "Note", "url": post_url(p.seed, a, s.pid),
        "attributedTo": actor_id(a), "published": utc_iso(s.time), "to": [PUBLIC],
        "cc": [f"{actor_id(a)}/followers"], "sensitive": False, "content": content(p, a, s),
        "attachment": ([{"type": "Document", "mediaType": "image/png", "url": f"{BASE}/system/media/{s.pid}.png"}]
                       if it.image else []),
        "tag": [{"type": "Hashtag", "href": f"{BASE}/tags/{it.tag}", "name": f"#{it.tag}"}] if it.tag else [],
    }
    if s.edited_at is not None:
        obj["updated"] = utc_iso(s.edited_at)
    return obj


def activity(p: Reader, a: Account, s: Stub) -> dict[str, Any]:
    if s.deleted:
        return {"id": f"{status_id(a, s.pid)}#delete", "type": "Delete", "actor": actor_id(a), "to": [PUBLIC],
                "object": {"id": status_id(a, s.pid), "type": "Tombstone"}}
    return {"id": f"{status_id(a, s.pid)}/activity", "type": "Create", "actor": actor_id(a),
            "published": utc_iso(s.time), "to": [PUBLIC], "object": note(p, a, s)}


def collection(p: Reader, a: Account) -> dict[str, Any]:
    return {"@context": CONTEXT, "id": f"{actor_id(a)}/outbox", "type": "OrderedCollection",
            "totalItems": len([s for s in p.posts(a) if not s.deleted]),
            "first": f"{actor_id(a)}/outbox?page=true", "last": f"{actor_id(a)}/outbox?min_id=0&page=true"}


def outbox_page(p: Reader, a: Account, max_id: int) -> dict[str, Any]:
    """PAGE activities older than max_id (0: the newest), newest first."""
    posts = [s for s in p.posts(a) if not max_id or s.pid < max_id]
    chunk = posts[:PAGE]
    base = f"{actor_id(a)}/outbox"
    page: dict[str, Any] = {"@context": CONTEXT, "id": f"{base}?page=true" + (f"&max_id={max_id}" if max_id else ""),
                            "type": "OrderedCollectionPage", "partOf": base,
                            "orderedItems": [activity(p, a, s) for s in chunk]}
    if len(posts) > PAGE:
        page["next"] = f"{base}?max_id={chunk[-1].pid}&page=true"
    if chunk:
        page["prev"] = f"{base}?min_id={chunk[0].pid}&page=true"
    return page
