"""What new-media captures keep (issue 17): an account's profile versions, its posts, every
distinct version of each post, and the changes (edits, deletions, restorations) found
between captures. Nothing here is overwritten: a post's record keeps growing, as Social Feed
Manager keeps every version (NARA treats agency posts as records)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mgov.db.base import Base, table_of


class AccountProfileRow(Base):
    """One distinct version of what a platform showed of an account (name, avatar,
    certification, description, menus, interaction), from its first to its last capture."""

    __tablename__ = "account_profiles"
    __table_args__ = (Index("ix_account_profiles_channel", "channel_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id", ondelete="SET NULL"))  # first seen in
    platform: Mapped[str] = mapped_column(String(60))
    digest: Mapped[str] = mapped_column(String(80))  # of the profile without its follower count
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    warc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # the records it was read from


class PostRow(Base):
    """A post of an account, by the platform's id: when mgov first and last saw it, and when
    it was found deleted (None while it is there). `digest` is its newest version's."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("channel_id", "post_id", name="uq_posts_channel_post"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    digest: Mapped[str] = mapped_column(String(80))
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PostVersionRow(Base):
    """One version of a post as captured: kept whenever its content (title, text, links,
    media) differs from the version before it."""

    __tablename__ = "post_versions"
    __table_args__ = (Index("ix_post_versions_post", "post_row_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_row_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id", ondelete="SET NULL"))
    digest: Mapped[str] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    media: Mapped[list[str]] = mapped_column(JSON, default=list)
    published: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # comments_open, original, repost_of, updated (the platform's edit time), raw extras
    flags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    warc: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # the record it was read from


class PostChangeRow(Base):
    """An edit, deletion or restoration a capture found, with the digests before and after."""

    __tablename__ = "post_changes"
    __table_args__ = (Index("ix_post_changes_channel", "channel_id", "seen_at"),
                      Index("ix_post_changes_post", "post_row_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_row_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # edited | deleted | restored
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    before_digest: Mapped[str | None] = mapped_column(String(80))
    after_digest: Mapped[str | None] = mapped_column(String(80))


ACCOUNT_PROFILES = table_of(AccountProfileRow)
POSTS = table_of(PostRow)
POST_VERSIONS = table_of(PostVersionRow)
POST_CHANGES = table_of(PostChangeRow)
