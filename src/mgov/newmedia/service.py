"""Reading what captures kept: posts with their version count and deletion (`mgov posts`),
every version of one post, and what a capture run added."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from mgov.db.tables import ACCOUNT_PROFILES, CHANNELS, POST_CHANGES, POST_VERSIONS, POSTS
from mgov.errors import NotFound
from mgov.newmedia.versions import utc


def list_posts(conn: Connection, *, address: str | None = None, deleted: bool | None = None,
               changed: bool = False, limit: int | None = 1000) -> list[dict[str, Any]]:
    """Posts newest first per account: their newest title (else the start of the text), how
    many versions were kept, the edits found, and whether (and when) the post was found deleted."""
    versions = (select(POST_VERSIONS.c.post_row_id, func.count().label("versions"),
                       func.max(POST_VERSIONS.c.id).label("newest"))
                .group_by(POST_VERSIONS.c.post_row_id).subquery())
    edits = (select(POST_CHANGES.c.post_row_id, func.count().label("edits"))
             .where(POST_CHANGES.c.kind == "edited").group_by(POST_CHANGES.c.post_row_id).subquery())
    query = (select(CHANNELS.c.kind, CHANNELS.c.address, POSTS.c.post_id, POSTS.c.published, POSTS.c.url,
                    POST_VERSIONS.c.title, POST_VERSIONS.c.text, versions.c.versions,
                    func.coalesce(edits.c.edits, 0).label("edits"), POSTS.c.first_seen, POSTS.c.last_seen,
                    POSTS.c.deleted_at)
             .join(CHANNELS, CHANNELS.c.id == POSTS.c.channel_id)
             .join(versions, versions.c.post_row_id == POSTS.c.id)
             .join(POST_VERSIONS, POST_VERSIONS.c.id == versions.c.newest)
             .outerjoin(edits, edits.c.post_row_id == POSTS.c.id)
             .order_by(CHANNELS.c.address, POSTS.c.published.is_(None), POSTS.c.published.desc(), POSTS.c.post_id))
    if address is not None:
        query = query.where(CHANNELS.c.address == address)
    if deleted is not None:
        query = query.where(POSTS.c.deleted_at.is_not(None) if deleted else POSTS.c.deleted_at.is_(None))
    if changed:
        query = query.where((versions.c.versions > 1) | POSTS.c.deleted_at.is_not(None))
    if limit is not None:
        query = query.limit(limit)
    out = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        text = item.pop("text") or ""
        item["title"] = item["title"] or (text[:60] + ("…" if len(text) > 60 else ""))
        for key in ("published", "first_seen", "last_seen", "deleted_at"):
            item[key] = utc(item[key])
        item["deleted"] = item["deleted_at"] is not None
        out.append(item)
    return out


def post_versions(conn: Connection, address: str, post_id: str) -> list[dict[str, Any]]:
    """Every kept version of one post, oldest first, with the change that led to it."""
    rows = conn.execute(select(POSTS.c.id, POSTS.c.deleted_at).join(CHANNELS, CHANNELS.c.id == POSTS.c.channel_id)
                        .where(CHANNELS.c.address == address, POSTS.c.post_id == post_id)).all()
    if not rows:
        raise NotFound(f"no post {post_id!r} of {address} was captured")
    out = []
    for post in rows:
        kinds = {(c.after_digest, c.seen_at): c.kind for c in conn.execute(
            select(POST_CHANGES.c.kind, POST_CHANGES.c.after_digest, POST_CHANGES.c.seen_at)
            .where(POST_CHANGES.c.post_row_id == post.id))}
        versions = conn.execute(select(POST_VERSIONS).where(POST_VERSIONS.c.post_row_id == post.id)
                                .order_by(POST_VERSIONS.c.id)).all()
        for n, v in enumerate(versions, start=1):
            item = {k: v._mapping[k] for k in ("digest", "title", "text", "url", "links", "media", "published",
                                                "flags", "seen_at", "warc")}
            item.update(address=address, post_id=post_id, version=n, published=utc(item["published"]),
                        seen_at=utc(item["seen_at"]),
                        change="first seen" if n == 1 else kinds.get((v.digest, v.seen_at), "edited"))
            out.append(item)
        if post.deleted_at is not None:
            out.append({"address": address, "post_id": post_id, "version": None, "change": "deleted",
                        "seen_at": utc(post.deleted_at), "digest": None, "title": None, "text": None})
    return out


def capture_counts(conn: Connection, run_id: int) -> dict[str, int]:
    """What a capture run added: profile versions, posts first seen, post versions, changes by kind."""
    counts = {
        "profiles": conn.execute(select(func.count()).select_from(ACCOUNT_PROFILES)
                                 .where(ACCOUNT_PROFILES.c.run_id == run_id)).scalar_one(),
        "versions": conn.execute(select(func.count()).select_from(POST_VERSIONS)
                                 .where(POST_VERSIONS.c.run_id == run_id)).scalar_one(),
    }
    first = (select(func.min(POST_VERSIONS.c.id)).group_by(POST_VERSIONS.c.post_row_id)).subquery()
    counts["posts"] = conn.execute(select(func.count()).select_from(POST_VERSIONS)
                                   .where(POST_VERSIONS.c.id.in_(select(first)),
                                          POST_VERSIONS.c.run_id == run_id)).scalar_one()
    for kind in ("edited", "deleted", "restored"):
        counts[kind] = conn.execute(select(func.count()).select_from(POST_CHANGES)
                                    .where(POST_CHANGES.c.run_id == run_id, POST_CHANGES.c.kind == kind)).scalar_one()
    return counts
