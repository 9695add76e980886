"""Channel addresses: validated and normalized per kind, so one channel has one key."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from mgov.errors import InvalidValue

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ANDROID_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
_IOS_ID = re.compile(r"^(id\d{6,12}|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")
_MINI_PROGRAM = re.compile(r"^(wechat|alipay|baidu|douyin|qq):[A-Za-z0-9_-]{4,64}$")
_ACCOUNT = re.compile(r"^[^\s:]{2,100}$")
_PLATFORM = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_SMS = re.compile(r"^\+?\d{3,20}$")


def normalize_url(raw: str) -> str:
    """Lower-case scheme and host, IDNA host, default ports and fragment dropped.

    The root path is written without a trailing slash: https://example.gov
    """
    text = raw.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidValue(f"malformed URL {raw!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidValue(f"malformed URL {raw!r}: scheme must be http or https")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidValue(f"malformed URL {raw!r}: no host")
    if parts.username or parts.password:
        raise InvalidValue(f"malformed URL {raw!r}: credentials are not allowed")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidValue(f"malformed URL {raw!r}: host is not a valid domain name") from None
    if not _valid_host(host):
        raise InvalidValue(f"malformed URL {raw!r}: host {host!r} is not a valid domain name")
    netloc = host if port in (None, {"http": 80, "https": 443}[scheme]) else f"{host}:{port}"
    path = parts.path if parts.path not in ("", "/") else ""
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _valid_host(host: str) -> bool:
    if host.startswith("[") or re.fullmatch(r"[\d.]+", host):
        return re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host) is not None or ":" in host
    labels = host.split(".")
    return len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def normalize_address(kind: str, raw: str) -> str:
    """Return the canonical address of a channel of this kind, or raise InvalidValue."""
    text = (raw or "").strip()
    if not text:
        raise InvalidValue("address is empty")
    if kind in ("website", "mobile_site"):
        return normalize_url(text)
    if kind == "app_android":
        if not _ANDROID_PACKAGE.match(text):
            raise InvalidValue(f"malformed Android package id {raw!r} (e.g. gov.example.app)")
        return text
    if kind == "app_ios":
        if not _IOS_ID.match(text):
            raise InvalidValue(f"malformed iOS app id {raw!r} (id123456789 or a bundle id)")
        return text
    if kind == "mini_program":
        if ":" not in text:
            text = "wechat:" + text
        platform, _, appid = text.partition(":")
        text = f"{platform.lower()}:{appid}"
        if not _MINI_PROGRAM.match(text):
            raise InvalidValue(f"malformed mini program id {raw!r} (e.g. wechat:wx1234567890abcdef)")
        return text
    if kind in ("wechat_account", "weibo_account"):
        if not _ACCOUNT.match(text):
            raise InvalidValue(f"malformed account id {raw!r}")
        return text
    if kind == "other_social":
        platform, sep, account = text.partition(":")
        platform = platform.lower()
        if not sep or not _PLATFORM.match(platform) or not _ACCOUNT.match(account):
            raise InvalidValue(f"malformed social account {raw!r} (write platform:account, e.g. douyin:12345)")
        return f"{platform}:{account}"
    if kind == "sms":
        digits = re.sub(r"[\s-]", "", text)
        if not _SMS.match(digits):
            raise InvalidValue(f"malformed SMS number {raw!r}")
        return digits
    raise InvalidValue(f"unknown channel kind {kind!r}")


def platform_of(kind: str, address: str) -> str:
    """The platform an account lives on: one account per platform per unit."""
    if kind in ("other_social", "mini_program"):
        return f"{kind}:{address.partition(':')[0]}"
    return kind


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(raw: str) -> str:
    text = raw.strip()
    if not _EMAIL.match(text):
        raise InvalidValue(f"malformed e-mail address {raw!r}")
    # Compared case-insensitively in practice everywhere: one person, one key.
    return text.lower()
