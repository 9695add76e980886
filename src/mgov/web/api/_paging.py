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


def next_link(request: Request, after: Any) -> str:
    """The next page's link: on the configured public_url, else relative (path and query). Never
    from the Host header, which whoever sends the request chooses."""
    url = request.url.include_query_params(after=after)
    relative = f"{url.path}?{url.query}"
    base: str | None = request.app.state.settings.public_url
    # A prefix in public_url (https://example.gov/mgov) is the one the reverse proxy strips.
    return base + relative if base else relative


def paged(request: Request, items: list[dict[str, Any]], after: Any) -> dict[str, Any]:
    return {"items": items, "next": None if after is None else next_link(request, after)}
