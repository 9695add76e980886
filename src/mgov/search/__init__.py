"""Full-text search of the records archive (issue 19, docs/archive.md "Search"): captured
pages and attachments indexed once, found by Chinese and English queries alike on SQLite
(FTS5) and PostgreSQL (tsvector), within the reader's scope."""
