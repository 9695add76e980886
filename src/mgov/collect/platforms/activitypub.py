"""ActivityPub accounts (Mastodon and its peers): WebFinger, the actor, its outbox.

An `other_social` channel with the address `mastodon:@user@host` (also `activitypub:` or
`fediverse:`), or any account with the attribute `actor_url`. Read (collect client, paced):
- WebFinger `https://host/.well-known/webfinger?resource=acct:user@host` → the `self` link of
  type application/activity+json (or ld+json); 404 → NOT_FOUND;
- the actor (Accept: application/activity+json; Mastodon serves HTML without it): name
  (`name`, else `preferredUsername`), `summary`, `url`, `icon`, profile fields
  (`attachment` PropertyValue, read as the account's menu of links); 404/410 or a
  `Tombstone` actor → NOT_FOUND; `commentsEnabled: false` (mgov's farm) closes comments;
- the outbox: an OrderedCollection whose `first` (a URL or an embedded page) starts the pages,
  each `orderedItems` newest first, following `next` up to `max_pages`. A `Create` of a Note,
  Article, Page, Question, Video or Image is a post; an `Announce` (a boost) a repost; a
  `Delete` (a Tombstone or a bare id) goes to `deleted_ids`. A `next` that points back to a
  page already read ends the walk (PARTIAL, said in `error`). A post mgov holds published
  before `AccountRef.reread_since` ends it too (that page's later posts are not read again;
  its `Delete`s count): `known_reached`.
- the posts mgov held and did not see now (`known_post_ids`; newer than where the walk stopped,
  when it stopped at a known post): their id answering 404/410 or a Tombstone is a deletion.
Real variants accepted: `url` as a string, a list or a Link object; `icon` as a list;
`content` absent but `contentMap`; an outbox with its items inline; per-post reply policies
(`interactionPolicy.canReply`, GoToSocial and Mastodon 4.4), absent = open.
Search (`mgov discover`): `/api/v2/search?q=…&type=accounts&resolve=false` on each server of
`CollectSettings.activitypub_search`; Mastodon gives a local account's `acct` without its host.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from selectolax.lexbor import LexborNode

from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits, FoundAccount
from mgov.collect.platforms.fetching import PlatformFailure, Reader, guarded_capture, window_start
from mgov.collect.platforms.markup import plain_text, read_html
from mgov.collect.platforms.times import iso_time
from mgov.collect.site import CollectContext
from mgov.evidence.exchange import Exchange
from mgov.evidence.newmedia import AccountProfile, CaptureStatus, Interaction, MenuItem, Post

PLATFORM = "activitypub"
PREFIXES = ("mastodon", "activitypub", "fediverse")
ACTIVITY_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JRD_ACCEPT = "application/jrd+json, application/json;q=0.9"
_ACTOR_TYPES = ("application/activity+json", "application/ld+json")
POST_TYPES = frozenset({"Note", "Article", "Page", "Question", "Video", "Image", "Event", "Audio"})
PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
RECHECK_MAX = 20


def parse_handle(address: str) -> tuple[str, str] | None:
    """("user", "host") of `mastodon:@user@host`; None when the address is not such a handle."""
    prefix, sep, rest = address.strip().partition(":")
    if not sep or prefix.lower() not in PREFIXES:
        return None
    user, at, host = rest.strip().lstrip("@").partition("@")
    if not at or not user or not host or "/" in host or "@" in host or " " in rest.strip():
        return None
    return user, host.lower().rstrip(".")


def link_of(value: object) -> str | None:
    """A URL given as a string, a Link/Image object (href or url) or a list of them."""
    if isinstance(value, str):
        return value if value.startswith(("http://", "https://")) else None
    if isinstance(value, list):
        return next((u for u in (link_of(v) for v in value) if u), None)
    if isinstance(value, dict):
        return link_of(value.get("href")) or link_of(value.get("url"))
    return None


def _id(value: object) -> str | None:
    if isinstance(value, str):
        return value or None
    return str(value["id"]) if isinstance(value, dict) and value.get("id") else None


def _social_furniture(_url: str, a: LexborNode) -> bool:
    classes = (a.attributes.get("class") or "").split()
    return "mention" in classes or "hashtag" in classes or a.attributes.get("rel") == "tag"


class _Outbox:
    def __init__(self, reader: Reader, limits: CaptureLimits, now: dt.datetime, comments: bool,
                 account: AccountRef | None = None) -> None:
        self.reader, self.limits, self.comments = reader, limits, comments
        self.start = window_start(now, limits.window_days)
        self.known = frozenset(account.known_post_ids) if account is not None else frozenset()
        self.reread_since = account.reread_since if account is not None else None
        self.stopped_at: str | None = None  # the known post older than reread_since the walk stopped at
        self.posts: list[Post] = []
        self.deleted: list[str] = []
        self.seen: set[str] = set()
        self.problems: list[str] = []
        self.complete = False

    async def run(self, outbox: object) -> None:
        collection, ex = await self._object(outbox, "outbox")
        if collection is None:
            return
        if self._items(collection, ex):
            return
        page: object = collection.get("first")
        pages: set[str] = {u for u in (_id(outbox), _id(collection)) if u}
        for number in range(1, max(1, self.limits.max_pages) + 1):
            if page is None:
                self.complete = True
                return
            url = _id(page)
            if url is not None and url in pages:
                self.problems.append(f"outbox page {number} points back to a page already read ({url}): stopped")
                return
            if url is not None:
                pages.add(url)
            body, ex = await self._object(page, f"outbox page {number}")
            if body is None or self._items(body, ex):
                return
            page = body.get("next")
        # max_pages read: older posts not reached

    async def _object(self, value: object, what: str) -> tuple[dict[str, Any] | None, Exchange | None]:
        if isinstance(value, dict) and ("orderedItems" in value or "items" in value or "first" in value):
            return value, None  # embedded
        url = _id(value)
        if url is None:
            self.problems.append(f"{what}: neither a URL nor an embedded collection")
            return None, None
        try:
            data, ex = await self.reader.get_json(url, accept=ACTIVITY_ACCEPT)
        except PlatformFailure as failure:
            self.problems.append(f"{what}: {failure.detail}")
            return None, None
        if not isinstance(data, dict):
            self.problems.append(f"{what}: {url} is not a JSON object")
            return None, None
        return data, ex

    def _items(self, body: dict[str, Any], ex: Exchange | None) -> bool:
        """Read a page's items; True when the walk ends (left the window, or max_posts)."""
        items = body.get("orderedItems", body.get("items"))
        left = False
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            kind = item.get("type")
            if kind == "Delete":
                gone = _id(item.get("object"))
                if gone and gone not in self.deleted:
                    self.deleted.append(gone)
                continue
            if self.stopped_at is not None:
                continue  # older than a known post not read again; its page's deletions still count
            post = self._post(item, ex)
            if post is None or post.post_id in self.seen:
                continue
            self.seen.add(post.post_id)
            if post.published is not None and post.published < self.start:
                left = True
                continue
            if (self.reread_since is not None and post.post_id in self.known and post.published is not None
                    and post.published < self.reread_since):
                self.stopped_at = post.post_id  # kept as mgov holds it: not read again, nor what follows
                continue
            if len(self.posts) >= self.limits.max_posts:
                return True
            self.posts.append(post)
        if left:
            self.complete = True
        return left or self.stopped_at is not None

    def _post(self, item: dict[str, Any], ex: Exchange | None) -> Post | None:
        ref = ex.response_ref if ex is not None else None
        kind = item.get("type")
        if kind == "Announce":
            pid = _id(item)
            target = _id(item.get("object"))
            if pid is None:
                return None
            return Post(post_id=pid, published=iso_time(item.get("published")), text="", url=pid,
                        repost_of=target, original=False, raw={"type": "Announce"}, warc=ref)
        obj = item.get("object") if kind in ("Create", "Update") else item
        if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES or not _id(obj):
            return None
        content = obj.get("content")
        if not isinstance(content, str) and isinstance(obj.get("contentMap"), dict):
            content = next((v for v in obj["contentMap"].values() if isinstance(v, str)), "")
        body = read_html(str(content or ""), skip_link=_social_furniture)
        warning = plain_text(str(obj.get("summary") or ""))
        attached = (link_of(a) for a in _list(obj.get("attachment")))
        media = body.media + [u for u in attached if u and u not in body.media]
        raw = {k: obj[k] for k in ("type", "inReplyTo", "sensitive") if obj.get(k) is not None}
        return Post(post_id=str(_id(obj)), published=iso_time(obj.get("published") or item.get("published")),
                    text="\n".join(t for t in (warning, body.text) if t),
                    title=str(obj["name"]) if isinstance(obj.get("name"), str) else None,
                    url=link_of(obj.get("url")) or _id(obj), links=body.links, media=media,
                    comments_open=can_reply(obj) if self.comments else False,
                    updated=iso_time(obj.get("updated")), raw=raw, warc=ref)


def can_reply(obj: dict[str, Any]) -> bool:
    """Replies to a post are open unless its interaction policy leaves the public out."""
    policy = obj.get("interactionPolicy")
    can = policy.get("canReply") if isinstance(policy, dict) else None
    if not isinstance(can, dict):
        return True
    allowed = [*_list(can.get("always")), *_list(can.get("automaticApproval")),
               *_list(can.get("approvalRequired")), *_list(can.get("manualApproval"))]
    return any(a in PUBLIC for a in allowed)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def profile_of(actor: dict[str, Any], actor_url: str) -> AccountProfile:
    menus = []
    for field in _list(actor.get("attachment")):
        if isinstance(field, dict) and field.get("type") == "PropertyValue":
            links = read_html(str(field.get("value") or "")).links
            if links:
                menus.append(MenuItem(name=str(field.get("name") or ""), url=links[0], kind="link"))
    comments = actor.get("commentsEnabled") is not False
    return AccountProfile(
        platform=PLATFORM, account_id=_id(actor) or actor_url,
        name=str(actor.get("name") or actor.get("preferredUsername") or "").strip(),
        url=link_of(actor.get("url")) or actor_url, avatar_url=link_of(actor.get("icon")),
        description=plain_text(str(actor.get("summary") or "")) or None, menus=menus,
        interaction=Interaction(comments=comments,
                                detail=None if comments else "the actor says commentsEnabled: false"))


class ActivityPubAdapter:
    name = PLATFORM

    def handles(self, account: AccountRef) -> bool:
        if account.attributes.get("import_file"):
            return False
        return bool(account.attributes.get("actor_url")) or (
            account.kind == "other_social" and parse_handle(account.address) is not None)

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture:
        reader = Reader(ctx)
        return await guarded_capture(reader, lambda: self._capture(account, reader, limits, now))

    async def _capture(self, account: AccountRef, reader: Reader, limits: CaptureLimits,
                       now: dt.datetime) -> AccountCapture:
        actor_url = str(account.attributes.get("actor_url") or "") or await self._webfinger(account, reader)
        actor, _ = await reader.get_json(actor_url, accept=ACTIVITY_ACCEPT)
        if not isinstance(actor, dict):
            raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{actor_url}: the actor is not a JSON object")
        if actor.get("type") == "Tombstone":
            raise PlatformFailure(CaptureStatus.NOT_FOUND, f"{actor_url}: the actor is a Tombstone (deleted)")
        profile = profile_of(actor, actor_url)
        outbox = _Outbox(reader, limits, now, comments=profile.interaction.comments is not False, account=account)
        if actor.get("outbox"):
            await outbox.run(actor["outbox"])
        else:
            outbox.problems.append("the actor names no outbox")
        known = account.known_post_ids
        if outbox.stopped_at is not None:  # only the known posts newer than where the walk stopped
            known = known[:known.index(outbox.stopped_at)] if outbox.stopped_at in known else ()
        await self._recheck(reader, known, outbox)
        outbox.posts.sort(key=lambda p: p.published or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
        stopped = outbox.stopped_at is not None
        return AccountCapture(status=CaptureStatus.PARTIAL if outbox.problems else CaptureStatus.OK,
                              profile=profile, posts=outbox.posts,
                              window_complete=outbox.complete and not outbox.problems and not stopped,
                              error="; ".join(outbox.problems) or None, deleted_ids=outbox.deleted,
                              known_reached=stopped)

    async def _webfinger(self, account: AccountRef, reader: Reader) -> str:
        handle = parse_handle(account.address)
        if handle is None:
            raise PlatformFailure(CaptureStatus.ERROR, f"{account.address!r} is not a handle like mastodon:@user@host")
        user, host = handle
        url = f"https://{host}/.well-known/webfinger?resource={quote(f'acct:{user}@{host}', safe=':@')}"
        data, _ = await reader.get_json(url, accept=JRD_ACCEPT)
        links = data.get("links") if isinstance(data, dict) else None
        for link in links if isinstance(links, list) else []:
            if (isinstance(link, dict) and link.get("rel") == "self" and isinstance(link.get("href"), str)
                    and str(link.get("type") or "").split(";")[0].strip() in _ACTOR_TYPES):
                return str(link["href"])
        raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{url}: no ActivityPub actor link (rel self)")

    async def _recheck(self, reader: Reader, known: tuple[str, ...], outbox: _Outbox) -> None:
        for pid in [k for k in known if k not in outbox.seen and k not in outbox.deleted][:RECHECK_MAX]:
            if not pid.startswith(("https://", "http://")):
                continue
            try:
                data, _ = await reader.get_json(pid, accept=ACTIVITY_ACCEPT)
            except PlatformFailure as failure:
                if failure.status is CaptureStatus.NOT_FOUND:
                    outbox.deleted.append(pid)
                else:
                    outbox.problems.append(f"post {pid} not rechecked: {failure.detail}")
                continue
            if isinstance(data, dict) and data.get("type") == "Tombstone":
                outbox.deleted.append(pid)

    async def search(self, query: str, ctx: CollectContext, limit: int = 20) -> list[FoundAccount]:
        """Accounts the servers of `activitypub_search` return for query. Raises PlatformFailure
        when every server failed (one failing server does not hide the others' answers)."""
        reader = Reader(ctx)
        found: dict[str, FoundAccount] = {}
        failures: list[str] = []
        hosts = ctx.settings.activitypub_search
        for host in hosts:
            url = f"https://{host}/api/v2/search?q={quote(query, safe='')}&type=accounts&resolve=false&limit={limit}"
            try:
                data, _ = await reader.get_json(url)
            except PlatformFailure as failure:
                failures.append(failure.detail)
                continue
            accounts = data.get("accounts") if isinstance(data, dict) else None
            for acc in accounts if isinstance(accounts, list) else []:
                hit = _found(acc, host, reader)
                if hit is not None and hit.address not in found and len(found) < limit:
                    found[hit.address] = hit
        if hosts and len(failures) == len(hosts):
            raise PlatformFailure(CaptureStatus.UNREACHABLE, "; ".join(failures))
        return list(found.values())


def _found(acc: object, host: str, reader: Reader) -> FoundAccount | None:
    if not isinstance(acc, dict):
        return None
    acct = str(acc.get("acct") or acc.get("username") or "").strip().lstrip("@")
    if not acct:
        return None
    user, _, domain = acct.partition("@")
    domain = (domain or host).lower()
    return FoundAccount(platform=PLATFORM, kind="other_social", address=f"mastodon:@{user}@{domain}",
                        name=str(acc.get("display_name") or acc.get("username") or user).strip(),
                        url=link_of(acc.get("url")), warc=list(reader.refs))


ADAPTER = ActivityPubAdapter()
