"""Pagination: `limit` and an opaque-enough `after` cursor; answers carry the next page's URL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from mgov.web.deps import MAX_ID
from mgov.web.queries import MAX_LIMIT

# A route's paging parameters, with their defaults at the route:
# `after: After = None, limit: Limit = DEFAULT_LIMIT`.
DEFAULT_LIMIT = 50
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
After = Annotated[int | None, Query(ge=0, le=MAX_ID, description="The `after` of the previous page's `next` link.")]


def paged(request: Request, items: list[dict[str, Any]], after: Any) -> dict[str, Any]:
    next_url = None
    if after is not None:
        next_url = str(request.url.include_query_params(after=after))
    return {"items": items, "next": next_url}
