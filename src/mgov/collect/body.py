"""Response bodies: undo Content-Encoding within caps, and decode text with the right charset.

Decoding is incremental and bounded, so a decompression bomb (10 MB of gzip that expands
to 10 GB) costs a few megabytes and a few milliseconds: output stops at the body cap, and a
body whose decoded/encoded ratio passes max_ratio is called a bomb once it has decoded to
ratio_floor bytes (small pages legitimately compress very well).
"""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Protocol

STEP = 1 << 16  # decoded bytes produced per decompress call
SLICE = 1 << 12  # encoded bytes fed per step


class _Stage(Protocol):
    def decompress(self, data: bytes, limit: int) -> bytes: ...
    @property
    def pending(self) -> bool: ...


class _Zlib:
    """gzip (possibly several members) or deflate (zlib-wrapped, or raw as some servers send)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._d: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
        self._head = b""  # deflate's first byte, until the second tells the format
        self._tail = b""
        self._full = False  # the last call filled its limit: zlib may hold more output

    def decompress(self, data: bytes, limit: int) -> bytes:
        data = self._head + self._tail + data
        self._head, self._tail, self._full = b"", b"", False
        if self._d is None:  # deflate: the first two bytes tell a zlib header from raw deflate
            if len(data) < 2:
                self._head = data  # wait for more input; not "pending" output
                return b""
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._d = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._d.eof:
            if not (self._gzip and data.startswith(b"\x1f\x8b")):
                return b""  # trailing garbage after the stream: ignored, as browsers do
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = self._d.decompress(data, limit)
        self._tail = self._d.unconsumed_tail or (self._d.unused_data if self._d.eof else b"")
        self._full = len(out) == limit
        return out

    @property
    def pending(self) -> bool:
        return bool(self._tail) or self._full


def supported_encodings() -> tuple[str, ...]:
    """What mgov sends in Accept-Encoding: only what it can decode within its caps."""
    return ("gzip", "deflate")


class BodyDecoder:
    """Feed raw (still encoded) chunks; read .out, .truncated, .bomb and .supported."""

    def __init__(self, content_encoding: str | None, cap: int, max_ratio: float,
                 ratio_floor: int) -> None:
        names = [e.strip().lower() for e in (content_encoding or "").split(",")]
        names = [n for n in names if n and n != "identity"]
        self.supported = all(n in ("gzip", "x-gzip", "deflate") for n in names)
        # Encodings were applied in the order listed: undo them from the last.
        self._stages: list[_Stage] = ([_Zlib(n != "deflate") for n in reversed(names)]
                                      if self.supported else [])
        self._cap, self._max_ratio, self._floor = cap, max_ratio, ratio_floor
        self.out = bytearray()
        self.raw_total = 0
        self.truncated = False
        self.bomb: str | None = None
        self.error: str | None = None

    @property
    def done(self) -> bool:
        """Nothing more is wanted: the cap is reached or the body is a bomb."""
        return self.truncated or self.bomb is not None or self.error is not None

    @property
    def decodes(self) -> bool:
        """Whether there is an encoding to undo; else the raw bytes are the body (not copied)."""
        return bool(self._stages)

    def feed(self, raw: bytes) -> None:
        if not self._stages:
            self.raw_total += len(raw)  # the caller keeps the raw bytes: no second copy here
            return
        # Small slices, so that the ratio is measured against the input actually consumed.
        for start in range(0, len(raw), SLICE):
            if self.done:
                self.raw_total += len(raw) - start
                return
            piece = raw[start:start + SLICE]
            self.raw_total += len(piece)
            try:
                self._run(0, piece)
            except zlib.error as exc:
                self.error = f"content-encoding does not decode: {exc}"

    def _run(self, index: int, data: bytes) -> None:
        stage = self._stages[index]
        last = index == len(self._stages) - 1
        while not self.done:
            piece = stage.decompress(data, STEP)
            data = b""
            if piece:
                if last:
                    self._append(piece)
                else:
                    self._run(index + 1, piece)
            if not stage.pending:
                return

    def _append(self, piece: bytes) -> None:
        room = self._cap - len(self.out)
        self.out += piece[:room]
        if len(piece) > room:
            self.truncated = True
        decoded = len(self.out)
        if (self._stages and decoded >= self._floor
                and decoded > self._max_ratio * max(self.raw_total, 1)):
            self.bomb = (f"decompression bomb: {decoded} bytes decoded from {self.raw_total} "
                         f"(ratio over {self._max_ratio:g})")


# --- charset ---------------------------------------------------------------------------------

_META = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# What browsers actually decode these labels as (WHATWG Encoding); GB18030 is a superset
# of GBK and GB2312, which Chinese government sites still declare.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
            "utf8": "utf-8", "big5": "big5hkscs", "shift_jis": "cp932", "x-sjis": "cp932"}


def _known(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def content_type_charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return _known(value)
    return None


def detect_charset(body: bytes, content_type: str | None, truncated: bool = False) -> str:
    """BOM, Content-Type charset, <meta charset>/http-equiv, UTF-8 if valid, else GB18030."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = content_type_charset(content_type)
    if declared:
        return declared
    match = _META.search(body[:8192])  # browsers look at 1 KiB; long comments push it later
    if match and (meta := _known(match.group(1).decode("ascii", "replace"))):
        # A page that says UTF-16 in ASCII bytes cannot be UTF-16 (WHATWG rule).
        return "utf-8" if meta.startswith("utf-16") else meta
    try:
        # A body cut at the cap may end inside a character: that alone does not disprove UTF-8.
        codecs.getincrementaldecoder("utf-8")().decode(body, final=not truncated)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def is_text(content_type: str | None, body: bytes) -> bool:
    """Whether a body is worth decoding as text (HTML, XML, JSON, scripts, text/*)."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if not mime:
        return b"\0" not in body[:1024]
    return (mime.startswith("text/") or mime.endswith(("+xml", "/xml", "/json", "+json"))
            or mime in ("application/javascript", "application/x-javascript",
                        "application/ecmascript"))


def decode_text(body: bytes, content_type: str | None, truncated: bool = False
                ) -> tuple[str, str]:
    """(text, charset used); undecodable bytes become U+FFFD rather than failing."""
    charset = detect_charset(body, content_type, truncated)
    return body.decode(charset, errors="replace"), charset
