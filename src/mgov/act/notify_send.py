"""Delivery of notifications: e-mail through the configured SMTP server, and webhooks signed
with HMAC-SHA256. Every failure is a DeliveryError carrying the reason, so the caller can
record it and retry on the next run.

Webhook signature scheme (docs/notifications.md): the request carries
``X-Mgov-Timestamp: <unix seconds>`` and ``X-Mgov-Signature: sha256=<hex>``, where hex is
HMAC-SHA256 keyed with the target's secret over ``b"<timestamp>." + body``. A receiver
checks it with ``verify_signature`` and refuses stale timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from mgov import __version__, clock
from mgov.collect.routing import blocked_reason, parse_ip
from mgov.config import SmtpSettings

WEBHOOK_TIMEOUT = 10.0  # seconds for connecting and for each read of the receiver's answer
USER_AGENT = f"mgov-notify/{__version__}"


class DeliveryError(Exception):
    """A message could not be delivered; str() is the reason recorded with the attempt."""


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The X-Mgov-Signature value of body sent at timestamp."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(secret: str, timestamp: str | int | None, body: bytes, header: str | None,
                     tolerance: int = 300, now: float | None = None) -> bool:
    """Whether header (X-Mgov-Signature) signs body at timestamp (X-Mgov-Timestamp) with secret,
    and the timestamp is within tolerance seconds of now (default: the current time)."""
    if timestamp is None or header is None:
        return False
    try:
        at = int(str(timestamp))
    except ValueError:
        return False
    current = clock.now().timestamp() if now is None else now
    if abs(current - at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, str(timestamp), body), header)


# --- e-mail --------------------------------------------------------------------------------

def email_message(smtp: SmtpSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A text/plain UTF-8 message; the subject is RFC 2047-encoded when it is not ASCII."""
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or "mgov")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office robots do not answer it
    # base64 keeps Chinese intact through servers without 8BITMIME.
    msg.set_content(body, charset="utf-8", cte=None if body.isascii() else "base64")
    return msg


def send_email(smtp: SmtpSettings, msg: EmailMessage) -> str:
    """Hand msg to the SMTP server; what it said, or DeliveryError."""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.username:
                server.login(smtp.username, smtp.password.get_secret_value() if smtp.password else "")
            server.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {smtp.host}:{smtp.port}: {type(exc).__name__}: {exc}") from exc
    return f"accepted by {smtp.host}:{smtp.port}"


# --- webhooks ------------------------------------------------------------------------------

NOT_PUBLIC = "not a public address"


class NotPublic(DeliveryError):
    """The webhook's host is or resolves to a private, loopback or other non-public address."""


def destination(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to, vetted by the scanner's SSRF guard (collect.routing): a host
    that is, or resolves to, any private, loopback, link-local or otherwise non-public address
    is refused (unless allow_private), in whatever form it is written (0x7f000001, 2130706433,
    127.1, 0177.0.0.1 and ::ffff:127.0.0.1 are all read as the system reads them), and the
    connection goes to the vetted address, so a second lookup cannot swap it (DNS rebinding).
    The one rule for webhooks, at registration and at send time. A refusal says NOT_PUBLIC and
    never what a name resolved to (the log is no oracle for internal names)."""
    name = host.rstrip(".").lower()
    if not allow_private and (name == "localhost" or name.endswith(".localhost")):
        raise NotPublic(f"refused: {NOT_PUBLIC}")
    literal = parse_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(i[4][0]) for i in infos))
    if not allow_private and any(blocked_reason(ipaddress.ip_address(a.split("%", 1)[0])) for a in addresses):
        raise NotPublic(f"refused: {NOT_PUBLIC}")
    return addresses[0]


def refused_destination(url: str, allow_private: bool) -> str | None:
    """Why a webhook URL may not be registered (NOT_PUBLIC), else None: destination's rule, applied
    now. A name that does not resolve yet passes; every send checks it again."""
    if allow_private:
        return None
    parts = urlsplit(url)
    try:
        destination(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), False)
    except NotPublic:
        return NOT_PUBLIC
    except DeliveryError:
        return None
    return None


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a vetted address; Host stays the URL's."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a vetted address; SNI and the certificate check keep the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def webhook_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def post_webhook(url: str, secret: str, event: str, payload: dict[str, Any], *, allow_private: bool = False,
                 timeout: float = WEBHOOK_TIMEOUT) -> str:
    """POST payload as signed JSON; the receiver's status if it is 2xx, else DeliveryError.
    Redirects are not followed (they could lead past the address check)."""
    body = webhook_body(payload)
    timestamp = str(int(clock.now().timestamp()))
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    address = destination(host, port, allow_private)
    conn = (_PinnedHTTPS if https else _PinnedHTTP)(host, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               "X-Mgov-Event": event, "X-Mgov-Timestamp": timestamp,
               "X-Mgov-Signature": sign(secret, timestamp, body)}
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(65536)  # the receiver's answer is not used; read a little so it can finish
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"POST {url}: {type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise DeliveryError(f"POST {url}: HTTP {response.status} {response.reason}")
    return f"HTTP {response.status}"
