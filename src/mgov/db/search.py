"""The archive's search index (issue 19, mgov.search): one row per captured document (a page
or an attachment) with its extracted text and the token string both databases index. The
full-text index itself is not a model: an FTS5 table on SQLite, a tsvector column with a GIN
index on PostgreSQL (migration 0027; FULLTEXT_OBJECTS names them for the model check)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mgov.db.base import Base, table_of

# What migration 0027 makes outside the models: the FTS5 table (and the shadow tables SQLite
# keeps for it) and PostgreSQL's tsvector column with its index.
FULLTEXT_OBJECTS = frozenset({"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize",
                              "search_fts_config", "search_fts_content", "tsv", "ix_search_documents_tsv"})


class SearchDocument(Base):
    """A captured page or attachment as search reads it: where and when it was captured, its
    title and text (extracted once, capped), and its tokens (mgov.search.tokens)."""

    __tablename__ = "search_documents"
    __table_args__ = (Index("ix_search_documents_org", "org_id", "captured_at"),
                      Index("ix_search_documents_channel", "channel_id", "captured_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("archive_records.id", ondelete="CASCADE"), unique=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"), nullable=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True)
    url: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[str] = mapped_column(String(14))
    captured_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20))  # page | attachment
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)  # text or tokens cut at their caps
    tokens: Mapped[str] = mapped_column(Text)


SEARCH_DOCUMENTS = table_of(SearchDocument)
