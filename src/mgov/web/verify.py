"""The public verification's shared part (the API route and the page): the question checked,
the per-client rate limit, and answers a cache may keep (Cache-Control, ETag, 304)."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from mgov.errors import InvalidValue
from mgov.web.proxy import client_address
from mgov.web.queries import verify as q
from mgov.web.rate_limit import RateLimiter

CACHE_SECONDS = 300  # the registry changes by the day: five minutes old is fresh enough
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"


def _limiter(request: Request) -> RateLimiter:
    state = request.app.state
    limiter = getattr(state, "verify_limiter", None)
    if limiter is None:  # made on first use, once per application (a race makes two: harmless)
        limiter = state.verify_limiter = RateLimiter(state.settings.web.verify_per_minute)
    return limiter


def asked(url: str | None, kind: str | None, address: str | None) -> bool:
    return bool((url or "").strip() or (kind or "").strip() or (address or "").strip())


def ask(request: Request, conn: Connection, url: str | None, kind: str | None, address: str | None,
        lang: str | None) -> dict[str, Any]:
    """The public answer to one question (a URL, or a kind and an address), counted against the
    asking client's limit (RateLimited past it); InvalidValue for a question that is none."""
    url, kind, address = (url or "").strip(), (kind or "").strip(), (address or "").strip()
    if bool(url) == bool(kind or address) or (not url and not (kind and address)):
        raise InvalidValue("ask about a url, or a kind and an address")
    _limiter(request).hit(client_address(request))
    found = q.by_url(conn, url, lang) if url else q.by_key(conn, kind, address, lang)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in found.items()}


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def fresh(request: Request, tag: str) -> bool:
    """The client's copy (If-None-Match) is this one: answer 304."""
    given = request.headers.get("if-none-match", "")
    return any(t.strip().removeprefix("W/") == tag for t in given.split(",")) or given.strip() == "*"
