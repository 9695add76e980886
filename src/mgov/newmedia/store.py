"""Storing captures and reading what the next one compares with.

The run's setup reads, once for all its channels and before anything is collected: each
account's newest profile version and when it was last seen, its recent posts (digest, time,
deleted or not), the registry's name and the `changed` events of its history, and its
siblings (other active accounts of its organization on its platform). The saver writes a
channel's profile version, posts, post versions and changes in the transaction of its
findings, against the rows it reads there: capturing again with nothing new adds no row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from mgov.db.tables import ACCOUNT_PROFILES, CHANNELS, EVENTS, ORGS, POST_CHANGES, POST_VERSIONS, POSTS
from mgov.evidence.newmedia import CaptureStatus, ChangeKind, NewMediaEvidence, Post
from mgov.newmedia.identity import FiledEvent, event_fields
from mgov.newmedia.versions import (
    StoredPost,
    digests_of,
    post_changes,
    post_from_version,
    profile_dict,
    profile_digest,
    profile_from_dict,
    utc,
    version_row,
)
from mgov.registry import vocab
from mgov.registry.addresses import platform_of

CHUNK = 500  # channel ids (or post ids) per IN (...)
STORED = (CaptureStatus.OK, CaptureStatus.PARTIAL)  # captures that read posts worth keeping
SIBLINGS_SHOWN = 50  # other accounts of a unit on a platform named in the evidence at most


@dataclass
class ChannelState:
    """What the capture of one account compares with (read by the run's setup)."""

    channel_id: int
    name: str | None = None
    previous: Any = None  # AccountProfile | None: the newest stored profile version
    previous_seen: dt.datetime | None = None  # when it was last seen (the previous capture)
    posts: dict[str, StoredPost] = field(default_factory=dict)
    events: list[FiledEvent] = field(default_factory=list)
    siblings: list[str] = field(default_factory=list)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def load_states(conn: Connection, channel_ids: Iterable[int], since: dt.datetime) -> dict[int, ChannelState]:
    """channel id -> its state; posts are those published or seen since `since` (the window
    the run reads, and a margin)."""
    ids = list(channel_ids)
    states = {cid: ChannelState(cid) for cid in ids}
    for part in _chunks(ids):
        for row in conn.execute(select(CHANNELS.c.id, CHANNELS.c.name).where(CHANNELS.c.id.in_(part))):
            states[row.id].name = row.name
        newest = (select(ACCOUNT_PROFILES.c.channel_id, ACCOUNT_PROFILES.c.id)
                  .where(ACCOUNT_PROFILES.c.channel_id.in_(part)).order_by(ACCOUNT_PROFILES.c.id))
        last = {r.channel_id: r.id for r in conn.execute(newest)}  # the highest id of each channel wins
        if last:
            for prof in conn.execute(select(ACCOUNT_PROFILES.c.channel_id, ACCOUNT_PROFILES.c.profile,
                                            ACCOUNT_PROFILES.c.last_seen)
                                     .where(ACCOUNT_PROFILES.c.id.in_(list(last.values())))):
                try:
                    states[prof.channel_id].previous = profile_from_dict(prof.profile)
                except (TypeError, ValueError):
                    continue  # an unreadable old profile costs the comparison, never the capture
                states[prof.channel_id].previous_seen = utc(prof.last_seen)
        for post in conn.execute(select(POSTS.c.id, POSTS.c.channel_id, POSTS.c.post_id, POSTS.c.digest,
                                        POSTS.c.published, POSTS.c.deleted_at)
                                 .where(POSTS.c.channel_id.in_(part),
                                        or_(POSTS.c.published >= since, POSTS.c.last_seen >= since))):
            states[post.channel_id].posts[post.post_id] = StoredPost(post.digest, utc(post.published),
                                                                     post.deleted_at is not None, post.id)
        for event in conn.execute(select(EVENTS.c.channel_id, EVENTS.c.recorded_at, EVENTS.c.date, EVENTS.c.details)
                                  .where(EVENTS.c.channel_id.in_(part), EVENTS.c.event == "changed")):
            states[event.channel_id].events.append(FiledEvent(utc(event.recorded_at) or since, event.date,
                                                              event_fields(event.details)))
    _siblings(conn, states)
    return states


def _siblings(conn: Connection, states: dict[int, ChannelState]) -> None:
    groups: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    query = (select(CHANNELS.c.id, CHANNELS.c.kind, CHANNELS.c.address, CHANNELS.c.owner_id)
             .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
             .where(CHANNELS.c.kind.in_(sorted(vocab.ACCOUNT_KINDS)), CHANNELS.c.status == "active"))
    for row in conn.execute(query):
        groups[(row.owner_id, platform_of(row.kind, row.address))].append((row.id, row.address))
    for members in groups.values():
        if len(members) < 2:
            continue
        shown = sorted(a for _, a in members)[:SIBLINGS_SHOWN + 1]
        for cid, address in members:
            if cid in states:
                states[cid].siblings = [a for a in shown if a != address][:SIBLINGS_SHOWN]


def stored_posts(conn: Connection, channel_id: int, post_ids: list[str]) -> list[Post]:
    """The newest stored version of each post, as the Post it was read as (its digest the
    stored one): what a capture that did not read a post again judges it by."""
    out: dict[str, Post] = {}
    for part in _chunks(post_ids):
        rows = conn.execute(select(POSTS.c.post_id, POST_VERSIONS)
                            .join(POST_VERSIONS, (POST_VERSIONS.c.post_row_id == POSTS.c.id)
                                  & (POST_VERSIONS.c.digest == POSTS.c.digest))
                            .where(POSTS.c.channel_id == channel_id, POSTS.c.post_id.in_(part))
                            .order_by(POST_VERSIONS.c.id))
        for row in rows:  # the newest version of a digest wins
            out[row.post_id] = post_from_version(row.post_id, dict(row._mapping))
    return list(out.values())


def newest_texts(conn: Connection, channel_id: int, post_ids: list[str]) -> dict[str, str]:
    """The text of each post's newest stored version (what an edit changed)."""
    out: dict[str, str] = {}
    for part in _chunks(post_ids):
        rows = conn.execute(select(POSTS.c.post_id, POST_VERSIONS.c.text)
                            .join(POST_VERSIONS, (POST_VERSIONS.c.post_row_id == POSTS.c.id)
                                  & (POST_VERSIONS.c.digest == POSTS.c.digest))
                            .where(POSTS.c.channel_id == channel_id, POSTS.c.post_id.in_(part))
                            .order_by(POST_VERSIONS.c.id))
        out.update((r.post_id, r.text) for r in rows)
    return out


class CaptureSaver:
    """The runner's ChannelSaver for capture runs: a channel's evidence is all it needs."""

    def keep(self, evidence: Any) -> NewMediaEvidence | None:
        ev = evidence.newmedia
        return ev if ev is not None and ev.status in STORED else None

    def save(self, conn: Connection, run_id: int, channel_id: int, kept: NewMediaEvidence | None) -> None:
        if kept is not None:
            save_capture(conn, run_id, channel_id, kept)

    def release(self, kept: NewMediaEvidence | None) -> None:
        return None


def save_capture(conn: Connection, run_id: int | None, channel_id: int, ev: NewMediaEvidence) -> dict[str, int]:
    """Write what is new in ev: a profile version, posts, versions, changes; refresh when the
    rest was last seen. Returns the rows added by table."""
    at = ev.captured_at
    added = {"profiles": 0, "posts": 0, "versions": 0, "changes": 0}
    if ev.profile is not None:
        digest = profile_digest(ev.profile)
        newest = conn.execute(select(ACCOUNT_PROFILES.c.id, ACCOUNT_PROFILES.c.digest)
                              .where(ACCOUNT_PROFILES.c.channel_id == channel_id)
                              .order_by(ACCOUNT_PROFILES.c.id.desc()).limit(1)).first()
        if newest is not None and newest.digest == digest:
            conn.execute(update(ACCOUNT_PROFILES).where(ACCOUNT_PROFILES.c.id == newest.id).values(last_seen=at))
        else:
            conn.execute(insert(ACCOUNT_PROFILES).values(
                channel_id=channel_id, run_id=run_id, platform=ev.profile.platform[:60], digest=digest,
                profile=profile_dict(ev.profile), first_seen=at, last_seen=at, warc=[r.as_dict() for r in ev.warc]))
            added["profiles"] = 1
    posts, ids = [], set()
    for post in ev.posts:  # the first of each id (newest first, as read)
        if post.post_id not in ids:
            ids.add(post.post_id)
            posts.append(post)
    gone = [c.post_id for c in ev.changes if c.kind is ChangeKind.DELETED]
    wanted = [p.post_id for p in posts] + gone
    rows: dict[str, Any] = {}
    for part in _chunks(wanted):
        for row in conn.execute(select(POSTS.c.id, POSTS.c.post_id, POSTS.c.digest, POSTS.c.published,
                                       POSTS.c.deleted_at)
                                .where(POSTS.c.channel_id == channel_id, POSTS.c.post_id.in_(part))):
            rows[row.post_id] = row
    stored = {pid: StoredPost(r.digest, utc(r.published), r.deleted_at is not None, r.id) for pid, r in rows.items()}
    digests = digests_of(posts)
    changes = post_changes(stored, posts, gone, None, at, digests)
    new = [p for p in posts if p.post_id not in rows]
    if new:
        conn.execute(insert(POSTS), [{"channel_id": channel_id, "post_id": p.post_id, "url": p.url,
                                      "published": p.published, "digest": digests[p.post_id], "first_seen": at,
                                      "last_seen": at, "deleted_at": None} for p in new])
        for part in _chunks([p.post_id for p in new]):
            for row in conn.execute(select(POSTS.c.id, POSTS.c.post_id, POSTS.c.digest, POSTS.c.published,
                                           POSTS.c.deleted_at)
                                    .where(POSTS.c.channel_id == channel_id, POSTS.c.post_id.in_(part))):
                rows[row.post_id] = row
        added["posts"] = len(new)
    by_id = {p.post_id: p for p in posts}
    fresh = [p for p in posts if (known := stored.get(p.post_id)) is None or known.digest != digests[p.post_id]]
    if fresh:
        conn.execute(insert(POST_VERSIONS), [{**version_row(p, digests[p.post_id]), "post_row_id": rows[p.post_id].id,
                                              "run_id": run_id, "seen_at": at} for p in fresh])
        added["versions"] = len(fresh)
    moved = [c for c in changes if c.kind is not ChangeKind.DELETED]
    if moved:
        conn.execute(update(POSTS).where(POSTS.c.id == bindparam("_id"))
                     .values(digest=bindparam("_digest"), url=bindparam("_url"), published=bindparam("_published"),
                             deleted_at=None), [
            {"_id": rows[c.post_id].id, "_digest": digests[c.post_id], "_url": by_id[c.post_id].url,
             "_published": by_id[c.post_id].published} for c in moved])
    deleted = [rows[c.post_id].id for c in changes if c.kind is ChangeKind.DELETED]
    for part in _chunks(deleted):
        conn.execute(update(POSTS).where(POSTS.c.id.in_(part)).values(deleted_at=at))
    kept = set(ev.kept_post_ids)  # judged as stored, not seen again: their last sighting stays
    seen = [rows[p.post_id].id for p in posts if p.post_id in stored and p.post_id not in kept]
    for part in _chunks(seen):
        conn.execute(update(POSTS).where(POSTS.c.id.in_(part)).values(last_seen=at))
    if changes:
        conn.execute(insert(POST_CHANGES), [
            {"post_row_id": rows[c.post_id].id, "channel_id": channel_id, "run_id": run_id, "kind": c.kind.value,
             "seen_at": at, "before_digest": c.before_digest, "after_digest": c.after_digest} for c in changes])
        added["changes"] = len(changes)
    return added
