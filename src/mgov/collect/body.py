"""Response bodies: undo Content-Encoding within caps, and decode text with the right charset
(collect.charset: what the body declares and what its bytes are).

Decoding is incremental and bounded, so a decompression bomb (10 MB of gzip that expands
to 10 GB) costs a few megabytes and a few milliseconds: output stops at the body cap, and a
body whose decoded/encoded ratio passes max_ratio is called a bomb once it has decoded to
ratio_floor bytes (small pages legitimately compress very well).
"""

from __future__ import annotations

import zlib
from typing import Protocol

from mgov.collect.charset import CharsetFacts, decode_body, detect_charset, header_label, known, sniff

STEP = 1 << 16  # decoded bytes produced per decompress call
SLICE = 1 << 12  # encoded bytes fed per step

__all__ = ["BodyDecoder", "CharsetFacts", "content_type_charset", "decode_body", "decode_text", "detect_charset",
           "is_text", "sniff", "supported_encodings"]


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


# --- charset: collect.charset decides; these names stay for the callers of this module ----------

def content_type_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type value names, when browsers know the label."""
    return known(header_label(content_type))


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
    text, facts = decode_body(body, content_type, truncated)
    return text, facts.charset
