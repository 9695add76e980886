"""Replay through mgov (docs/archive.md, "Replay"): pywb listens on loopback only and answers
only requests carrying mgov's key; mgov's web app forwards a reader's replay requests to it
after checking the collection is in the reader's scope.

A capture is replayed in a document of its own, under a sandbox (Content-Security-Policy
`sandbox allow-scripts`: an origin of its own, so the archived page's scripts cannot read
mgov's cookies or pages nor act as the reader), and loads nothing from the live web
(`default-src 'self'`). A sandboxed document's requests carry no cookies, so replay URLs carry
a short-lived capability instead: `/replay/~<token>/<collection>/...`, the token an HMAC (with
the replay key) of the reader's user id, the collection and an expiry. pywb rewrites every
link of the capture under that prefix, so the page's own resources come back through here,
and each is checked again: the token, the user still active, the collection still in scope.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import time
from collections.abc import Iterator
from dataclasses import dataclass

from mgov.archive.replay_server import HOST

TOKEN_SECONDS = 3600
# What a replayed capture may do: run its scripts in an origin of its own, load what pywb serves.
REPLAY_CSP = ("sandbox allow-scripts; default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
              "form-action 'none'; frame-ancestors 'self'; base-uri 'self'")
FORWARDED = ("accept", "accept-language", "range", "user-agent", "if-none-match", "if-modified-since")
# Content-Length too: pywb repeats the archived one, which a capture made with HEAD (no body
# archived) does not honour; the answer is streamed as it comes instead.
DROPPED = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "set-cookie",
                     "content-security-policy",
                     "content-security-policy-report-only", "x-frame-options", "proxy-authenticate", "upgrade",
                     "trailer", "te"})
CHUNK = 64 * 1024
STATIC = "static"  # pywb's own scripts and styles (no archive data)


def make_token(key: str, user_id: int, collection: str, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + TOKEN_SECONDS)
    claim = base64.urlsafe_b64encode(f"{user_id}.{expires}".encode()).decode().rstrip("=")
    return f"{claim}.{_mac(key, claim, collection)}"


def check_token(key: str, token: str, collection: str, now: float | None = None) -> int | None:
    """The user id a valid, unexpired token for this collection names; None otherwise."""
    claim, _, mac = token.partition(".")
    if not claim or not hmac.compare_digest(mac.encode(), _mac(key, claim, collection).encode()):
        return None
    try:
        user, expires = base64.urlsafe_b64decode(claim + "=" * (-len(claim) % 4)).decode().split(".")
        if int(expires) < (now if now is not None else time.time()):
            return None
        return int(user)
    except (ValueError, UnicodeDecodeError):
        return None


def _mac(key: str, claim: str, collection: str) -> str:
    return hmac.new(key.encode(), f"replay|{claim}|{collection}".encode(), hashlib.sha256).hexdigest()[:40]


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: Iterator[bytes]


def forward(port: int, key: str, target: str, *, host: str, scheme: str, prefix: str,
            headers: dict[str, str]) -> Answer:
    """GET target (`/<collection>/<rest>`, raw, with its query) from pywb on loopback: pywb
    writes its links under prefix on host (as the reader's browser reaches mgov)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    sent = {k: v for k, v in headers.items() if k.lower() in FORWARDED}
    sent |= {"Host": host, "X-Forwarded-Proto": scheme, "X-Replay-Key": key, "X-Replay-Prefix": prefix,
             "Accept-Encoding": "identity", "Connection": "close"}
    try:
        conn.request("GET", target, headers=sent)
        response = conn.getresponse()
    except OSError:
        conn.close()
        raise
    kept = [(k, v) for k, v in response.getheaders() if k.lower() not in DROPPED]
    kept.append(("Content-Security-Policy", REPLAY_CSP))

    def body() -> Iterator[bytes]:
        try:
            while chunk := response.read1(CHUNK):
                yield chunk
        except http.client.IncompleteRead as exc:  # fewer bytes than pywb announced: what came
            yield exc.partial
        finally:
            conn.close()

    return Answer(response.status, kept, body())
