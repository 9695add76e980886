"""The charset of a file an office hands mgov (a registry table, an account export, a JSON
file): UTF-8 when most of its non-ASCII parts decode as UTF-8, else GB18030 (a superset of
GBK and GB2312, what Chinese government files are written in). A vote per part, so one bad
byte does not turn a UTF-8 file into GB18030 mojibake. (Fetched pages are sniffed as
browsers do: mgov.collect.charset.)"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

UTF8, GB18030 = "utf-8-sig", "gb18030"


def guess(parts: Iterable[bytes]) -> str:
    """UTF8 (utf-8-sig: a BOM is skipped) when at least half the non-ASCII parts decode as
    UTF-8, else GB18030."""
    utf8 = other = 0
    for part in parts:
        if part.isascii():
            continue
        try:
            part.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other += 1
    return UTF8 if utf8 >= other else GB18030


def guess_lines(sample: bytes, *, cut: bool = False) -> str:
    """The charset of text lines (a BOM decides); cut: the sample may end mid-character, so
    its last line does not vote."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8
    lines = sample.splitlines()
    if cut and len(lines) > 1:
        lines = lines[:-1]
    return guess(lines)


def label(name: str) -> str:
    """How a charset is named to people: UTF-8, GB18030, GBK."""
    return "UTF-8" if name.replace("_", "-").lower().startswith("utf-8") else name.upper()
