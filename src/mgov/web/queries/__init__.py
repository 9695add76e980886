"""What the API and the dashboard read, always within a user's scope: one function per
question, shared by both faces so a page and its API route cannot disagree."""

from __future__ import annotations

from typing import Any

MAX_LIMIT = 500


def page(rows: list[dict[str, Any]], limit: int, key: str = "id") -> tuple[list[dict[str, Any]], Any]:
    """Rows fetched with limit + 1: (the page, the key to continue after, or None at the end)."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1][key]
    return rows, None
