"""One-time messages after a form: the redirect sets a signed cookie, the next page shows it
once and clears it. Nothing a page shows comes from its URL, so a crafted link cannot make
the dashboard say anything.

The cookie is signed with a key derived from the request's credential (its session cookie, or
its API token): a secret the browser's own session holds and an attacker does not, checked by
the server against the database on every request. A flash therefore only ever shows in the
session whose form caused it, and one tossed in from elsewhere is dropped unread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from mgov.web.deps import SESSION_COOKIE

FLASH_COOKIE = "mgov_flash"
MAX_TEXT = 500  # characters of an error kept (a cookie holds about 4 KB)
SECONDS = 120  # a flash not shown by then (the redirect was not followed) is gone
# What `done` may say: keys the page maps to its own translated notices.
NOTICES = frozenset({"saved", "closed", "filed", "decided", "revoked", "created", "password_changed", "unlocked",
                     "job_started", "job_running", "submitted"})


def _key(request: Request) -> bytes | None:
    token = request.cookies.get(SESSION_COOKIE)
    auth = request.headers.get("authorization", "")
    if not token and auth[:7].lower() == "bearer ":
        token = auth[7:].strip()
    return hashlib.sha256(b"mgov flash\x00" + token.encode()).digest() if token else None


def _mac(key: bytes, data: str) -> str:
    return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()


def set_flash(request: Request, response: Response, page: str, *, error: str | None = None,
              done: str | None = None) -> None:
    """Have page (a path), when the session shows it next, say error (refused, in words) or done
    (a NOTICES key)."""
    key = _key(request)
    if key is None or (error is None and done not in NOTICES):
        return
    said = {"error": error[:MAX_TEXT]} if error is not None else {"done": done}
    payload = {"page": page.partition("?")[0], **said}
    data = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    response.set_cookie(FLASH_COOKIE, f"{data}.{_mac(key, data)}", max_age=SECONDS, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


def take_flash(request: Request) -> dict[str, Any] | None:
    """The flash this session was sent for this page, if its signature holds ({"error": text} or
    {"done": key}). The caller clears the cookie (clear_flash) whether or not it held: a flash
    is for the page the form went back to, not for whichever page comes next."""
    raw = request.cookies.get(FLASH_COOKIE)
    key = _key(request)
    if not raw or key is None:
        return None
    data, _, mac = raw.rpartition(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, data).encode()):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(payload, dict) or payload.get("page") != request.url.path:
        return None
    if isinstance(payload.get("error"), str):
        return {"error": payload["error"][:MAX_TEXT]}
    if payload.get("done") in NOTICES:
        return {"done": payload["done"]}
    return None


def clear_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https")
