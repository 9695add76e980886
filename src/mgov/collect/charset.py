"""What charset a text body declares, what browsers will decode it with, and what its bytes are.

Browsers follow the declaration (WHATWG Encoding and HTML's "determining the character
encoding"): a BOM; else the Content-Type charset, when it is a label they know (an unknown
one, `gbk2312` or `x-unknown`, is ignored); else the first `<meta charset>` or http-equiv
Content-Type with a known label near the top of the page; else a guess. mgov reads the bytes
as they are, so that every check judges the text a careful reader would see: the declared
charset when the bytes decode with it, else the one among UTF-8, GB18030 (a superset of GBK
and GB2312) and Big5 that decodes them, and it records the disagreement for `page.encoding`.

Bounded: the decision is taken on one window of SAMPLE bytes starting at the first non-ASCII
byte (all the charsets considered read ASCII alike), so a 5 MB page, or 5 MB of hostile
bytes, costs a few decodes of 64 KiB; the body is then decoded once.

The rules, in order (`sniff`):
1. A BOM decides (browsers let it override everything).
2. Only ASCII bytes: the declaration, else UTF-8; nothing can be garbled.
3. Bytes that are valid UTF-8 with at least MIN_MULTIBYTE multi-byte characters are UTF-8,
   whatever a legacy declaration says (GBK or Latin text is practically never valid UTF-8).
4. The declared charset when it decodes the window (a few stray bytes tolerated), unless
   GB18030 or Big5 decodes it too and looks like its script while the declaration does not (GB
   and Big5 read each other's bytes; single-byte charsets such as a server's default
   ISO-8859-1 read any bytes at all).
5. Else the first candidate that decodes the window and looks like its script: UTF-8,
   GB18030, Big5. If one is found and the page declared something else: a mismatch.
6. Else (nothing decodes cleanly): the declaration, else the candidate with fewest errors
   (GB18030 first: the legacy default of Chinese government sites).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

SAMPLE = 1 << 16  # bytes of the window the decision is taken on
META_SCAN = 8192  # browsers pre-scan 1 KiB; long comments and scripts push real pages' metas later
MIN_MULTIBYTE = 3  # valid UTF-8 with this many multi-byte characters is UTF-8
PLAUSIBLE = 0.8  # share of a GB (Big5) text's double bytes in the zone of common characters

_META = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_HIGH = bytes(range(0x80, 0x100))
_UTF8_LEADS = bytes(range(0xC2, 0xF5))
# GB2312's rows (symbols A1-A9, hanzi B0-F7) and Big5's common characters (symbols A1-A3,
# frequent hanzi A4-C6): a real GB (Big5) page has almost all its double bytes there.
_GB_COMMON = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]")
_BIG5_COMMON = re.compile(rb"[\xa1-\xc6][\x40-\x7e\xa1-\xfe]")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# What browsers actually decode these labels as (WHATWG Encoding); GB18030 is a superset
# of GBK and GB2312, which Chinese government sites still declare.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
            "utf8": "utf-8", "big5": "big5hkscs", "shift_jis": "cp932", "x-sjis": "cp932"}
_NEVER = frozenset({"utf-7"})  # browsers refuse it (a script-injection vector)
CANDIDATES = ("utf-8", "gb18030", "big5hkscs")


@dataclass(frozen=True)
class CharsetFacts:
    charset: str  # what the bytes are decoded with
    declared: str | None = None  # what browsers follow, normalized
    declared_in: str | None = None  # "bom", "header", "meta"
    labels: dict[str, str] = field(default_factory=dict)  # where -> the label as written
    mismatch: bool = False  # the declaration does not decode the bytes; `charset` does
    errors: int = 0  # undecodable sequences in the window, with the declared (else chosen) charset


def known(label: str | None) -> str | None:
    """The Python codec browsers would use for a charset label, or None if they ignore it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    name = _ALIASES.get(info.name, info.name)
    if name in _NEVER or not getattr(info, "_is_text_encoding", True):
        return None
    return name


def header_label(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type value, as written."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def meta_label(body: bytes) -> tuple[str | None, str | None]:
    """(the first meta charset label as written, the first one browsers know, normalized).
    Several declarations: the first known one wins (HTML's pre-scan skips unknown labels)."""
    first = None
    for match in _META.finditer(body[:META_SCAN]):
        label = match.group(1).decode("ascii", "replace")
        first = first or label
        if (name := known(label)) is not None:
            # A page that says UTF-16 in ASCII bytes cannot be UTF-16 (WHATWG rule).
            return label, "utf-8" if name.startswith("utf-16") else name
    return first, None


def declaration(body: bytes, content_type: str | None) -> tuple[str | None, str | None, dict[str, str]]:
    """(declared charset, where, every label as written), as browsers read them."""
    labels: dict[str, str] = {}
    declared: str | None = None
    where: str | None = None
    for bom, bom_name in _BOMS:
        if body.startswith(bom):
            labels["bom"], declared, where = bom_name, bom_name, "bom"
            break
    if (label := header_label(content_type)) is not None:
        labels["header"] = label
        if declared is None and (name := known(label)) is not None:
            declared, where = name, "header"
    raw, meta = meta_label(body)
    if raw is not None:
        labels["meta"] = raw
        if declared is None and meta is not None:
            declared, where = meta, "meta"
    return declared, where, labels


@dataclass(frozen=True)
class _Fit:
    errors: int  # U+FFFD produced
    good: int  # non-ASCII characters decoded


def _fit(window: bytes, charset: str, final: bool) -> _Fit:
    try:
        text = codecs.getincrementaldecoder(charset)("replace").decode(window, final=final)
    except LookupError:
        return _Fit(len(window), 0)
    errors = text.count("\ufffd")
    return _Fit(errors, len(text) - len(text.encode("ascii", "ignore")) - errors)


def _fits(fit: _Fit, nonascii: int) -> bool:
    """Decodes the window: no error, or a few stray bytes among much good text."""
    if fit.errors == 0:
        return True
    return fit.errors <= max(2, nonascii // 400) and fit.good >= 10 * fit.errors


def _looks_like(window: bytes, charset: str, nonascii: int) -> bool:
    """Whether double-byte text is in the zone of its script's common characters."""
    if charset == "gb18030":
        zone = _GB_COMMON
    elif charset == "big5hkscs":
        zone = _BIG5_COMMON
    else:
        return True
    return 2 * len(zone.findall(window)) >= PLAUSIBLE * nonascii


def sniff(body: bytes, content_type: str | None, truncated: bool = False) -> CharsetFacts:
    """The charset facts of a text body (see the module's rules)."""
    declared, where, labels = declaration(body, content_type)
    if where == "bom" and declared is not None:
        return CharsetFacts(declared, declared, where, labels)
    start = _NON_ASCII.search(body)
    if start is None or (declared or "").startswith(("utf-16", "utf-32")):
        return CharsetFacts(declared or "utf-8", declared, where, labels)
    window = body[start.start():start.start() + SAMPLE]
    final = not truncated and start.start() + SAMPLE >= len(body)
    nonascii = len(window) - len(window.translate(None, _HIGH))
    utf8 = _fit(window, "utf-8", final)
    multibyte = len(window) - len(window.translate(None, _UTF8_LEADS))
    if utf8.errors == 0 and (declared == "utf-8" or multibyte >= MIN_MULTIBYTE):
        return _facts("utf-8", declared, where, labels, window, final, utf8)
    fits = {"utf-8": utf8}
    if declared is not None:
        fits[declared] = _fit(window, declared, final) if declared != "utf-8" else utf8
        # A declaration that decodes the bytes stands, unless (GB and Big5 read each other's
        # bytes, and single-byte charsets read anything) it does not look like its script and
        # another candidate does: a Tomcat's default ISO-8859-1 header on a GBK page.
        keep = declared == "utf-8" or (declared in CANDIDATES and _looks_like(window, declared, nonascii))
        if _fits(fits[declared], nonascii) and (keep or not _better(window, declared, final, nonascii)):
            return CharsetFacts(declared, declared, where, labels, errors=fits[declared].errors)
    for name in CANDIDATES:
        fit = fits.get(name) or _fit(window, name, final)
        fits[name] = fit
        if name != declared and _fits(fit, nonascii) and fit.good and _looks_like(window, name, nonascii):
            return _facts(name, declared, where, labels, window, final, fit, fits)
    if declared is not None:
        return CharsetFacts(declared, declared, where, labels, errors=fits[declared].errors)
    best = min(("gb18030", "utf-8", "big5hkscs"), key=lambda n: fits[n].errors)
    return CharsetFacts(best, None, None, labels, errors=fits[best].errors)


def _better(window: bytes, declared: str, final: bool, nonascii: int) -> bool:
    """Whether another legacy candidate decodes the window and looks like its script."""
    return any(_fits(_fit(window, n, final), nonascii) and _looks_like(window, n, nonascii)
               for n in CANDIDATES[1:] if n != declared)


def _facts(charset: str, declared: str | None, where: str | None, labels: dict[str, str], window: bytes,
           final: bool, fit: _Fit, fits: dict[str, _Fit] | None = None) -> CharsetFacts:
    """The bytes are `charset`; a declaration of another charset is a mismatch."""
    if declared is None or declared == charset:
        return CharsetFacts(charset, declared, where, labels, errors=fit.errors)
    errors = (fits or {}).get(declared) or _fit(window, declared, final)
    return CharsetFacts(charset, declared, where, labels, mismatch=True, errors=errors.errors)


def detect_charset(body: bytes, content_type: str | None, truncated: bool = False) -> str:
    """The charset the body's bytes are in (sniff(...).charset)."""
    return sniff(body, content_type, truncated).charset


def decode_body(body: bytes, content_type: str | None, truncated: bool = False) -> tuple[str, CharsetFacts]:
    """(text, facts); undecodable bytes become U+FFFD rather than failing."""
    facts = sniff(body, content_type, truncated)
    return body.decode(facts.charset, errors="replace"), facts
