"""Records of a JSON export, each with the line it starts on.

A registry export in JSON (the U.S. Digital Registry's) is an object of sections, each a
list of records (or an API page `{"metadata": ..., "results": [...]}`), or one such page, or
a bare list. The document is decoded once whole (a syntax error refuses the file, naming its
line and column: nothing in it can be trusted to be where it seems); then the lists are
walked element by element with the decoder's `raw_decode`, so every record keeps the line it
starts on for the problems reported about it.

Encodings: UTF-8 (a BOM is allowed), else GB18030 (a superset of GBK and GB2312). Bytes that
are neither stay in the text as lone surrogates (`surrogateescape`): the record holding them
is reported with its line and skipped, every other record survives.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgov import file_charset
from mgov.errors import ImportFailed
from mgov.formats.textfile import check_encoding, encoding_label

MAX_BYTES = 256 << 20  # a registry export is a few MB; a file past this is not one
_WS = re.compile(r"[ \t\n\r]*")
_UNDECODABLE = re.compile("[\udc80-\udcff]")
# Top-level keys of an export that carry no records (an API page's paging, a file's own facts).
META_KEYS = frozenset({"metadata", "format", "source", "exported_at", "generated_at", "version"})


@dataclass
class JsonRecord:
    section: str  # the key of the list it is in ("" for a bare list or one page of results)
    index: int  # 0-based position in that list
    line: int  # 1-based line of the record's first character
    value: Any
    error: str | None = None  # why it cannot be read as it stands (undecodable bytes)

    @property
    def where(self) -> str:
        return f"{self.section or 'results'}[{self.index}]"


@dataclass
class JsonDocument:
    encoding: str
    records: list[JsonRecord]
    ignored: list[tuple[str, int]]  # (key, line) of top-level keys that are no known section


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was read with: the one given, else UTF-8 when most of the
    strings holding non-ASCII bytes are UTF-8 (a vote per string, so one bad byte does not
    turn a UTF-8 file into GB18030 mojibake, and a minified one-line file still votes), else
    GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8):], encoding or "utf-8"
    if encoding:
        name = check_encoding(encoding)
        return data.decode(name, errors="surrogateescape"), name
    name = "utf-8" if file_charset.guess(data.split(b'"')) == file_charset.UTF8 else file_charset.GB18030
    return data.decode(name, errors="surrogateescape"), name


def read_json_records(path: Path, sections: tuple[str, ...], encoding: str | None = None,
                      on_bytes: Callable[[int], None] | None = None) -> JsonDocument:
    """The records of path's sections (or of its one list), in file order."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed(f"{path}: {size} bytes is more than an export holds ({MAX_BYTES} at most)")
    data = path.read_bytes()
    if on_bytes:
        on_bytes(len(data))
    if not data.strip():
        raise ImportFailed(f"{path}: the file is empty")
    text, used = decode(data, encoding)
    decoder = json.JSONDecoder()
    start = _skip(text, 0)
    try:
        top, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        hint = f" (read as {encoding_label(used)})" if _UNDECODABLE.search(text, 0, exc.pos + 1) else ""
        raise ImportFailed(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON{hint}: {exc.msg}") from None
    if _skip(text, end) != len(text):
        line = text.count("\n", 0, end) + 1
        raise ImportFailed(f"{path}:{line}: not valid JSON: more after the end of the document")
    lines = _Lines(text)
    records: list[JsonRecord] = []
    ignored: list[tuple[str, int]] = []
    if isinstance(top, list):
        records += _elements(text, start, "", decoder, lines)
    elif isinstance(top, dict) and any(k in top for k in sections):
        for key, at in _members(text, start, decoder):
            if key in sections:
                records += _section(text, at, key, decoder, lines, path)
            elif key not in META_KEYS:
                ignored.append((key, lines.at(at)))
    elif isinstance(top, dict) and isinstance(top.get("results"), list):
        records += _section(text, start, "", decoder, lines, path)
    else:
        raise ImportFailed(f"{path}: not an export of {', '.join(sections)}: expected an object with those "
                           "lists, an API page with `results`, or a list of records")
    return JsonDocument(used, records, ignored)


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


class _Lines:
    """Line numbers of increasing offsets, counted once."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self.pos:
            return self.text.count("\n", 0, pos) + 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _members(text: str, pos: int, decoder: json.JSONDecoder) -> Iterator[tuple[str, int]]:
    """(key, offset of its value) of the object at pos (a document already known to be valid)."""
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        yield key, pos
        _value, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)


def _section(text: str, pos: int, key: str, decoder: json.JSONDecoder, lines: _Lines,
             path: Path) -> list[JsonRecord]:
    """The records of a section's value: a list, or an API page whose `results` is one."""
    if text[pos] == "[":
        return list(_elements(text, pos, key, decoder, lines))
    if text[pos] == "{":
        for member, at in _members(text, pos, decoder):
            if member == "results" and text[at] == "[":
                return list(_elements(text, at, key, decoder, lines))
    if text.startswith("null", pos):
        return []
    where = f"`{key}`" if key else "the document"
    raise ImportFailed(f"{path}:{lines.at(pos)}: {where} is neither a list of records nor a page with `results`")


def _elements(text: str, pos: int, section: str, decoder: json.JSONDecoder,
              lines: _Lines) -> Iterator[JsonRecord]:
    pos = _skip(text, pos + 1)
    index = 0
    while text[pos] != "]":
        value, end = decoder.raw_decode(text, pos)
        line = lines.at(pos)
        bad = _UNDECODABLE.search(text, pos, end)
        error = None
        if bad:
            error = f"undecodable bytes at line {lines.at(bad.start())} (the file is neither UTF-8 nor GB18030 there)"
        yield JsonRecord(section, index, line, value, error)
        index += 1
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
