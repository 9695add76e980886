"""Bodies: content decoding within caps, the bomb guard, charset detection."""

from __future__ import annotations

import codecs
import gzip
import random
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mgov.collect.body import BodyDecoder, decode_text, detect_charset, is_text

MIB = 1 << 20
# Compresses about as well as real pages do (3-10x), not like a run of one byte.
PAGE = "<html><title>政府网站</title>" + "".join(
    random.Random(7).choices("政务公开通知公告abcdefghijklmnopqrstuvwxyz0123456789 <>/=\"", k=800000))


def decode(encoding: str | None, data: bytes, cap: int = 5 * MIB, step: int = 7919) -> BodyDecoder:
    decoder = BodyDecoder(encoding, cap, 100, MIB)
    for i in range(0, len(data), step):
        decoder.feed(data[i:i + step])
    return decoder


@pytest.mark.parametrize(("encoding", "data"), [
    ("gzip", gzip.compress(PAGE.encode())),
    ("x-gzip", gzip.compress(PAGE.encode())),
    ("deflate", zlib.compress(PAGE.encode())),
    ("deflate", zlib.compress(PAGE.encode())[2:-4]),  # raw deflate, as some servers send it
    ("gzip, deflate", zlib.compress(gzip.compress(PAGE.encode()))),
])
def test_decodes(encoding: str | None, data: bytes) -> None:
    decoder = decode(encoding, data)
    assert bytes(decoder.out) == PAGE.encode() and not decoder.truncated and decoder.bomb is None


@pytest.mark.parametrize("encoding", [None, "identity", "", " IDENTITY "])
def test_identity_is_not_copied(encoding: str | None) -> None:
    decoder = decode(encoding, PAGE.encode())
    assert not decoder.decodes and decoder.supported and bytes(decoder.out) == b""
    assert decoder.raw_total == len(PAGE.encode()) and not decoder.done


def test_multi_member_gzip_and_garbage() -> None:
    assert bytes(decode("gzip", gzip.compress(b"ab") + gzip.compress(b"cd"), step=3).out) == b"abcd"
    broken = decode("gzip", b"this is not gzip")
    assert broken.error and broken.done
    unknown = decode("br", b"\x1b\x00")
    assert not unknown.supported and not unknown.decodes  # the client keeps the raw bytes


def test_cap_truncates_without_calling_it_a_bomb() -> None:
    data = gzip.compress(PAGE.encode())  # ~4x: an ordinary page
    decoder = decode("gzip", data, cap=MIB)
    assert decoder.truncated and decoder.bomb is None and len(decoder.out) == MIB


def test_bomb_ratio() -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(comp.compress(bytes(MIB)) for _ in range(64)) + comp.flush()  # 64 MiB of zeros
    decoder = decode("gzip", data, step=65536)
    assert decoder.bomb and "ratio" in decoder.bomb and len(decoder.out) <= 5 * MIB
    assert decoder.raw_total == len(data)  # counted, though not decoded past the verdict


@pytest.mark.parametrize(("body", "content_type", "truncated", "expected"), [
    (codecs.BOM_UTF8 + "中".encode(), "text/html; charset=gbk", False, "utf-8"),  # BOM wins
    ("中文".encode("gbk"), "text/html; charset=GB2312", False, "gb18030"),
    ("中文".encode(), 'text/html; charset="UTF-8"', False, "utf-8"),
    ("中文".encode("gbk"), "text/html; charset=nonsense", False, "gb18030"),  # unknown label ignored
    (b'<meta charset="gbk">' + "中文".encode("gbk"), "text/html", False, "gb18030"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=big5">', None, False, "big5hkscs"),
    (b"<meta charset=utf-16>", None, False, "utf-8"),
    (b"plain ascii", None, False, "utf-8"),
    ("中文".encode()[:-1], None, True, "utf-8"),  # cut mid-character at the cap
    ("中文".encode()[:-1], None, False, "gb18030"),
    ("政务公开".encode("gb18030"), "text/html", False, "gb18030"),
    ("café".encode("latin-1"), "text/html; charset=iso-8859-1", False, "cp1252"),
])
def test_charset(body: bytes, content_type: str | None, truncated: bool, expected: str) -> None:
    assert detect_charset(body, content_type, truncated) == expected


def test_text_types() -> None:
    assert is_text("text/html; charset=utf-8", b"")
    assert is_text("application/xml", b"") and is_text("application/rss+xml", b"")
    assert is_text("application/json", b"") and is_text("application/javascript", b"")
    assert not is_text("image/png", b"") and not is_text(None, b"\x89PNG\x00")
    assert is_text(None, b"User-agent: *")


@given(st.binary(max_size=2000), st.sampled_from([None, "gzip", "deflate", "gzip, deflate"]))
def test_never_raises(data: bytes, encoding: str | None) -> None:
    decoder = decode(encoding, data, cap=500, step=13)
    assert len(decoder.out) <= 500
    text, charset = decode_text(bytes(decoder.out), "text/html", decoder.truncated)
    assert isinstance(text, str) and charset
