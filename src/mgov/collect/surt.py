"""The SURT key of a URL, as pywb's index (cdxj-indexer) writes it.

The key is the "Sort-friendly URI Reordering Transform" of the Wayback Machine's URL key
maker: the URL canonicalized (Google's rules, then the Internet Archive's: lower case, no
`www`, default port, fragment, session ids and trailing slash dropped, query arguments
sorted), the host's labels reversed and joined by commas, a `)` before the path, no scheme.
`http://www.Example.com/a/?b=2&a=1` keys as `com,example)/a?a=1&b=2`.

Written here from the documented algorithm (the `surt` package is AGPL and pulls a public
suffix list fetcher); the tests hold it equal to the package's output. A URL the algorithm
cannot key is its own key, as cdxj-indexer does.
"""

from __future__ import annotations

import contextlib
import re
import socket
from urllib.parse import SplitResultBytes, quote_from_bytes, unquote_to_bytes

_HAS_SCHEME = re.compile(rb"^([a-zA-Z][a-zA-Z0-9+\-.]*):")
_REPEATED_SCHEMES = re.compile(rb"^(https?://)+")
_CONTROL = re.compile(rb"[\n\r\t]")
_URI = re.compile(rb"^(([a-zA-Z][a-zA-Z0-9+.-]*):)?((//([^/?#]*))?([^?#]*)(\?([^#]*))?)?(#(.*))?$")
_OCTAL_IP = re.compile(rb"^(0[0-7]*)(\.[0-7]+)?(\.[0-7]+)?(\.[0-7]+)?$")
_DECIMAL_IP = re.compile(rb"^([1-9][0-9]*)(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?$")
_WWW = re.compile(rb"www\d*\.")
_SAFE = b"!\"$&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PATH_SESSION = [re.compile(rb"^(.*/)(\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^?]+\.aspx.*)$", re.I),
                 re.compile(rb"^(.*/)(\([0-9a-z]{24}\)/)([^?]+\.aspx.*)$", re.I)]
_QUERY_SESSION = [re.compile(p, re.I) for p in (
    rb"^(.*)(?:jsessionid=[0-9a-zA-Z]{32})(?:&(.*))?$", rb"^(.*)(?:phpsessid=[0-9a-zA-Z]{32})(?:&(.*))?$",
    rb"^(.*)(?:sid=[0-9a-zA-Z]{32})(?:&(.*))?$", rb"^(.*)(?:ASPSESSIONID[a-zA-Z]{8}=[a-zA-Z]{24})(?:&(.*))?$",
    rb"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$")]
_DEFAULT_PORTS = {b"http": 80, b"https": 443}


def surt(url: str | None) -> str:
    """The SURT key of url ("-" for none)."""
    if not url:
        return "-"
    try:
        return _key(url.encode("utf-8")).decode("utf-8")
    except (ValueError, UnicodeError, AttributeError, OverflowError):
        return url


def _unescape(value: bytes) -> bytes:
    while True:
        once = unquote_to_bytes(value)
        if once == value:
            return value
        value = once


def _escape(value: bytes | None) -> bytes | None:
    return quote_from_bytes(value, safe=_SAFE).encode("ascii") if value else value


def _ip(host: bytes) -> bytes | None:
    """A host written as an IPv4 address in any of inet_aton's forms, as dotted quads."""
    if host.isdigit():
        return socket.inet_ntoa((int(host) & 0xFFFFFFFF).to_bytes(4, "big")).encode("ascii")
    if _DECIMAL_IP.match(host) or _OCTAL_IP.match(host):
        try:
            return socket.inet_ntoa(socket.inet_aton(host.decode("ascii"))).encode("ascii")
        except OSError:
            return None
    return None


def _path(path: bytes | None) -> bytes:
    """Dot segments resolved and empty segments dropped; the trailing slash kept."""
    if not path:
        return b"/"
    kept: list[bytes] = []
    for segment in path.split(b"/")[1:]:
        if segment == b".":
            continue
        if segment == b"..":
            if kept:
                kept.pop()
            else:
                kept.append(segment)
        else:
            kept.append(segment)
    if not kept:
        return b"/"
    return b"/" + b"".join(p + b"/" for p in kept[:-1] if p) + kept[-1]


def _sorted_query(query: bytes) -> bytes:
    if len(query) <= 1:
        return query
    pairs = sorted(tuple(arg.split(b"=", 1)) for arg in query.split(b"&"))
    return b"&".join(b"=".join(pair) for pair in pairs)


def _key(url: bytes) -> bytes:
    if url.startswith(b"filedesc"):
        return url
    url = _CONTROL.sub(b"", url.strip())
    if not url:
        raise ValueError("a URL of white space")
    if not _HAS_SCHEME.match(url):
        url = b"http://" + url
    url = _REPEATED_SCHEMES.sub(lambda m: m.group(1), url)
    m = _URI.match(url)
    if m is None:
        raise ValueError(f"not a URI: {url!r}")
    netloc = (m.group(5) or b"").rstrip(b":")
    parts = SplitResultBytes(m.group(2) or b"", netloc, m.group(6) or b"", m.group(8) or b"", b"")
    scheme = parts.scheme
    port = parts.port or None
    host: bytes | None = parts.hostname or None
    path: bytes | None = parts.path or None
    query: bytes | None = parts.query or None
    if scheme.startswith(b"http") and host is None and path is not None:
        first, _, rest = path.lstrip(b"/").partition(b"/")
        host, path = first, b"/" + rest

    # Google's canonicalization
    if query:
        query = _escape(_unescape(query))
    if host:
        host = _unescape(host)
        if not host.isascii():
            with contextlib.suppress(ValueError):  # a name IDNA refuses stays as it is
                host = host.decode("utf-8", "ignore").encode("idna")
        host = host.replace(b"..", b".").strip(b".")
        host = _ip(host) or _escape(host.lower())
    path = _unescape(path) if path is not None else None
    if host:
        path = _path(path)
    path = _escape(path)

    # The Internet Archive's
    if host:
        host = host.lower()
        if scheme != b"dns":
            www = _WWW.match(host)
            if www:
                host = host[len(www.group(0)):]
    if port == _DEFAULT_PORTS.get(scheme.lower(), 0):
        port = None
    if path:
        path = path.lower()
        for pattern in _PATH_SESSION:
            found = pattern.match(path)
            if found:
                path = found.group(1) + found.group(3)
        if path.endswith(b"/") and len(path) > 1:
            path = path[:-1]
    if query:
        for pattern in _QUERY_SESSION:
            found = pattern.match(query)
            if found:
                query = found.group(1) + (found.group(2) or b"")
        query = _sorted_query(query.lower()) or None

    if host:
        out = b",".join(reversed(host.split(b"."))) + (b":%d" % port if port is not None else b"") + b")"
    else:
        out = scheme + b":"
    if path:
        out += path
    elif query is not None:
        out += b"/"
    if query is not None:
        out += b"?" + query
    return out
