"""Posts against mgov's records: which are new, edited, restored or deleted. The same rule
serves the collector (the evidence's `changes`, against what the run's setup read) and the
saver (what to write, against the rows in the channel's transaction), so the two agree.

- edited: the post's digest differs from its newest stored version;
- restored: a post stored as deleted is there again;
- deleted: a stored post the platform reports deleted (`deleted_ids`), or one published within
  the window this capture read whole and not among its posts. The window read whole is the
  run's window when the adapter reached its end (`window_complete`), else from the oldest post
  read; a capture that was not `ok` (a page failed, rows were skipped) calls nothing deleted
  for being absent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import (
    AccountProfile,
    CaptureStatus,
    ChangeKind,
    Interaction,
    MenuItem,
    Post,
    PostChange,
)


@dataclass(frozen=True)
class StoredPost:
    """What mgov holds of a post: its newest version's digest, its time, whether it is deleted."""

    digest: str
    published: dt.datetime | None
    deleted: bool
    row_id: int | None = None


def utc(at: dt.datetime | None) -> dt.datetime | None:
    """An aware UTC time (SQLite gives naive ones back: they were stored as UTC)."""
    if at is None:
        return None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def read_whole_since(status: CaptureStatus, posts: list[Post], window_complete: bool, window_days: int,
                     now: dt.datetime) -> dt.datetime | None:
    """From when on this capture saw every post there is (None: it cannot say)."""
    if status is not CaptureStatus.OK:
        return None
    if window_complete:
        return now - dt.timedelta(days=window_days)
    dated = [p.published for p in posts if p.published is not None]
    return min(dated) if dated else None


def digests_of(posts: list[Post]) -> dict[str, str]:
    """Each post's digest, once (the first post of an id; a digest is a hash of its content)."""
    out: dict[str, str] = {}
    for post in posts:
        if post.post_id not in out:
            out[post.post_id] = post.digest
    return out


def post_changes(stored: Mapping[str, StoredPost], posts: list[Post], deleted_ids: list[str],
                 since: dt.datetime | None, now: dt.datetime,
                 digests: Mapping[str, str] | None = None) -> list[PostChange]:
    """Edits, restorations and deletions of this capture against stored (post id -> StoredPost);
    digests: the posts' digests when the caller has them already."""
    changes: list[PostChange] = []
    digests = digests if digests is not None else digests_of(posts)
    seen: set[str] = set()
    for post in posts:
        if post.post_id in seen:
            continue
        seen.add(post.post_id)
        known = stored.get(post.post_id)
        if known is None:
            continue
        digest = digests[post.post_id]
        if known.deleted:
            changes.append(PostChange(post.post_id, ChangeKind.RESTORED, now, known.digest, digest))
        elif known.digest != digest:
            changes.append(PostChange(post.post_id, ChangeKind.EDITED, now, known.digest, digest))
    gone = [pid for pid in dict.fromkeys(deleted_ids) if pid not in seen]
    if since is not None:
        gone += [pid for pid, known in stored.items()
                 if pid not in seen and (at := utc(known.published)) is not None and at >= since]
    for pid in dict.fromkeys(gone):
        known = stored.get(pid)
        if known is not None and not known.deleted:
            changes.append(PostChange(pid, ChangeKind.DELETED, now, known.digest, None))
    return changes


def profile_dict(profile: AccountProfile) -> dict[str, Any]:
    return dataclasses.asdict(profile)


def profile_digest(profile: AccountProfile) -> str:
    """The profile's fingerprint, its follower count and the words describing its interaction
    left out (they move with every post and are descriptions only): a new digest is a new
    version of the profile."""
    facts = profile_dict(profile)
    facts.pop("followers", None)
    facts["interaction"].pop("detail", None)
    body = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def profile_from_dict(data: Mapping[str, Any]) -> AccountProfile:
    """A stored profile back (fields a later mgov added take their defaults)."""
    known = {f.name for f in dataclasses.fields(AccountProfile)}
    facts = {k: v for k, v in data.items() if k in known}
    facts["menus"] = [MenuItem(**{k: v for k, v in m.items() if k in ("name", "url", "kind")})
                      for m in data.get("menus") or [] if isinstance(m, dict)]
    inter = data.get("interaction") or {}
    facts["interaction"] = Interaction(**{k: v for k, v in inter.items()
                                          if k in ("comments", "messages", "consult_menu", "detail")})
    return AccountProfile(**facts)


def post_from_version(post_id: str, row: Mapping[str, Any]) -> Post:
    """A stored version back as the Post it was read as (version_row's inverse)."""
    flags = row.get("flags") or {}
    warc = row.get("warc")
    updated = flags.get("updated")
    return Post(post_id=post_id, published=utc(row.get("published")), text=row.get("text") or "",
                title=row.get("title"), url=row.get("url"), links=list(row.get("links") or []),
                media=list(row.get("media") or []), comments_open=flags.get("comments_open"),
                original=flags.get("original"), repost_of=flags.get("repost_of"),
                updated=utc(dt.datetime.fromisoformat(updated)) if isinstance(updated, str) else None,
                raw=dict(flags.get("raw") or {}),
                warc=WarcRef(str(warc["file"]), int(warc["offset"]), int(warc["length"]))
                if isinstance(warc, dict) and {"file", "offset", "length"} <= set(warc) else None)


def version_row(post: Post, digest: str | None = None) -> dict[str, Any]:
    """A post version's columns (the post's own, without where and when it was seen)."""
    flags: dict[str, Any] = {"comments_open": post.comments_open, "original": post.original,
                             "repost_of": post.repost_of,
                             "updated": post.updated.isoformat() if post.updated else None}
    if post.raw:
        flags["raw"] = post.raw
    return {"digest": digest or post.digest, "title": post.title, "text": post.text, "url": post.url,
            "links": list(post.links), "media": list(post.media), "published": post.published,
            "flags": {k: v for k, v in flags.items() if v is not None},
            "warc": post.warc.as_dict() if post.warc else None}
