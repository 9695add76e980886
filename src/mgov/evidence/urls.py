"""URL canonicalization for the site crawl: one spelling per resource.

The crawler's seen-set, the link graph and the link checker's cache are all keyed by the
canonical form, so two spellings of one URL (case, default port, dot segments, escapes,
session ids) must become one string, or a site is crawled and checked twice over and
session-id traps never end.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit

# Query parameter names that only carry a session: dropping them merges the URLs a
# session-id trap mints for every visit (aspsessionid is followed by a random suffix).
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sid", "sessionid", "session_id",
                            "cfid", "cftoken"})
SESSION_PREFIXES = ("aspsessionid",)
# Path parameters (Java servlet style: /a/b;jsessionid=XYZ) of the same kind.
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/;]*", re.IGNORECASE)

ATTACHMENTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar",
               ".wps", ".et", ".dps", ".ofd", ".7z")
# Not pages either: fetched through the link checker (HEAD), never parsed for links.
_STATIC = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".css", ".js",
           ".mp3", ".mp4", ".avi", ".flv", ".wmv", ".mov", ".swf", ".exe", ".apk", ".gz",
           ".tar", ".xml", ".json", ".txt", ".csv", ".woff", ".woff2", ".ttf")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEX = "0123456789ABCDEFabcdef"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What may stay literal in a path or query (RFC 3986 pchar plus "/" and "?"); the rest is
# percent-encoded as UTF-8, the way browsers send it.
_SAFE_PATH = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_SAFE_QUERY = _SAFE_PATH | frozenset("?")
_SAFE_USER = _SAFE_PATH - frozenset("@/")
_UNSAFE_PATH = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/]")
_UNSAFE_QUERY = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]")
_UNSAFE_USER = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:]")
_STRIP = re.compile(r"[\t\n\r]")  # WHATWG: removed anywhere in a URL
# RFC 3986 appendix B, fragment left out: scheme, authority, path, query.
_URI = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?")
_HOST_OK = re.compile(r"[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*|\[[0-9a-f:.]+\]")

_Parts = tuple[str | None, str | None, str, str | None]


def _normalize_escapes(text: str, unsafe: re.Pattern[str], safe: frozenset[str]) -> str:
    """Unreserved escapes decoded, the others upper-cased, unsafe characters escaped."""
    if unsafe.search(text) is None:
        return text  # the usual case: nothing to do
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            char = chr(int(text[i + 1:i + 3], 16))
            out.append(char if char in _UNRESERVED else "%" + text[i + 1:i + 3].upper())
            i += 3
            continue
        if c in safe:
            out.append(c)
        else:  # includes a "%" that starts no escape: it stands for itself
            out.append("".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass")))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: "/a/./b/../c" is "/a/c"; never climbs above the root."""
    if "/." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _is_session_param(pair: str) -> bool:
    name = pair.split("=", 1)[0].lower()
    return name in SESSION_PARAMS or name.startswith(SESSION_PREFIXES)


def _split(text: str) -> _Parts:
    m = _URI.match(text)
    if m is None:  # cannot happen: every group is optional, so the pattern matches any string
        raise ValueError(f"not a URI reference: {text!r}")
    return m.group(1), m.group(2), m.group(3), m.group(4)


@functools.lru_cache(maxsize=64)  # a page resolves all its links against one base
def _split_base(base: str) -> _Parts:
    return _split(_STRIP.sub("", base).strip())


def _join(ref: _Parts, base: _Parts) -> _Parts:
    """RFC 3986 section 5.2.2 (dot segments are removed later, on the result)."""
    scheme, authority, path, query = ref
    if scheme is not None:
        return ref
    b_scheme, b_authority, b_path, b_query = base
    if authority is not None:
        return b_scheme, authority, path, query
    if not path:
        return b_scheme, b_authority, b_path, query if query is not None else b_query
    if not path.startswith("/"):
        path = "/" + path if b_authority is not None and not b_path else b_path[:b_path.rfind("/") + 1] + path
    return b_scheme, b_authority, path, query


def _netloc(authority: str, scheme: str) -> str | None:
    """user@host:port with the host lower-case (IDNA for non-ASCII) and the default port
    dropped; None when the host or port is malformed."""
    userinfo, _, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[:end + 1], hostport[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:]
    else:
        host, _, port = hostport.partition(":")
    if port and not (port.isdigit() and port.isascii() and 0 < int(port) < 65536):
        return None
    host = host.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.lower()
    if not _HOST_OK.fullmatch(host):
        return None
    netloc = host if not port or int(port) == _DEFAULT_PORTS[scheme] else f"{host}:{int(port)}"
    if userinfo:  # kept: it is part of what the link asks for
        netloc = f"{_normalize_escapes(userinfo, _UNSAFE_USER, _SAFE_USER)}@{netloc}"
    return netloc


def canonical(url: str, *, base: str | None = None) -> str | None:
    """The canonical form of url (resolved against base when given), or None when it is not
    an http(s) link: javascript:, mailto:, tel:, data:, other schemes, malformed hosts and
    ports. Query parameters keep their order; only session ids are dropped."""
    text = url.strip()
    if "\t" in text or "\n" in text or "\r" in text:
        text = _STRIP.sub("", text)
    if "\\" in text:  # browsers read "\\" as "/" before the query of an http(s) URL
        head, mark, tail = text.partition("?")
        text = head.replace("\\", "/") + mark + tail
    if not text:
        return None
    parts = _split(text)
    if base is not None:
        parts = _join(parts, _split_base(base))
    scheme, authority, path, query = parts
    if scheme is None or authority is None:
        return None
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    netloc = _netloc(authority, scheme)
    if netloc is None:
        return None
    if ";" in path:
        path = _PATH_SESSION.sub("", path)
    path = _remove_dot_segments(_normalize_escapes(path or "/", _UNSAFE_PATH, _SAFE_PATH))
    if query:
        if "=" in query:
            query = "&".join(p for p in query.split("&") if p and not _is_session_param(p))
        query = _normalize_escapes(query, _UNSAFE_QUERY, _SAFE_QUERY)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def normalize_escapes(text: str) -> str:
    """Percent-encoding normalised as canonical() does it for a path and query (for
    comparing robots.txt patterns with canonical URLs)."""
    return _normalize_escapes(text, _UNSAFE_QUERY, _SAFE_QUERY)


def host_of(url: str) -> str:
    """The host of a canonical URL (lower-case, IPv6 without brackets); "" if it has none."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def same_site(url: str, root_host: str, subdomains: bool) -> bool:
    """Whether url belongs to the site at root_host: the same host whatever the scheme and
    port; with subdomains, any host under it as well."""
    host = host_of(url)
    root = root_host.lower().strip("[]").rstrip(".")
    return host == root or (subdomains and host.endswith("." + root))


def _path_lower(url: str) -> str:
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""


def is_attachment(url: str) -> bool:
    """A document download (.pdf, .doc(x), .xls(x), .ppt(x), .zip, .rar, .wps, ...)."""
    return _path_lower(url).endswith(ATTACHMENTS)


def is_static(url: str) -> bool:
    """An attachment, image, script, style sheet, media or data file: not an HTML page."""
    path = _path_lower(url)
    return path.endswith(ATTACHMENTS) or path.endswith(_STATIC)


def variant_key(url: str) -> str | None:
    """host and path of a URL with a query string (None without one): the URLs sharing a key
    are the "query variants" a calendar trap mints without end."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.query:
        return None
    return f"{(parts.hostname or '').lower()}{parts.path}"


def join_url(base: str, ref: str) -> str | None:
    """ref resolved against base, or None for a malformed URL (skipped, not fatal)."""
    try:
        url = urljoin(base, ref)
        urlsplit(url).port  # noqa: B018 - raises ValueError on a malformed host or port
    except ValueError:
        return None
    return url
