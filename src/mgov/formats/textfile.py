"""Tolerant text input: encoding detection (UTF-8, else GB18030) and CSV rows with line numbers.

Files are read line by line. A line whose bytes do not decode is kept (with replacement
characters) and flagged, so the row it belongs to is reported and every other row survives.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mgov import file_charset
from mgov.errors import ImportFailed
from mgov.formats.cells import unquote

if TYPE_CHECKING:
    from _csv import Reader as CsvReader  # what csv.reader() returns (line_num included)

SAMPLE_BYTES = 1 << 16


def detect_encoding(path: Path) -> str:
    """utf-8-sig when most non-ASCII lines of the first 64 KiB are UTF-8, else gb18030
    (mgov.file_charset)."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    return file_charset.guess_lines(sample, cut=len(sample) == SAMPLE_BYTES)


def check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ImportFailed(f"unknown encoding {name!r} (e.g. utf-8, gb18030, gbk)") from None


def encoding_label(name: str) -> str:
    return file_charset.label(name)


@dataclass
class DecodedLines:
    """Iterates the decoded lines of a file; remembers which could not be decoded."""

    path: Path
    encoding: str
    on_bytes: Callable[[int], None] | None = None  # told how many bytes each line took

    def __post_init__(self) -> None:
        self.undecodable: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if self.on_bytes:
                    self.on_bytes(len(raw))
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                try:
                    yield raw.decode(codec)
                except UnicodeDecodeError:
                    self.undecodable.add(number)
                    yield raw.decode(codec, errors="replace")


@dataclass
class CsvRow:
    line: int  # first physical line of the record, 1-based
    cells: dict[str, str]
    error: str | None = None  # why this row cannot be read as it stands


def read_csv(path: Path, encoding: str | None = None, on_bytes: Callable[[int], None] | None = None, *,
             unquote_cells: bool = False) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and an iterator of rows. Blank lines are skipped. unquote_cells: the file is one
    mgov writes, so each value loses the quote `cells.safe_cell` put in front of it."""
    lines = DecodedLines(path, check_encoding(encoding) if encoding else detect_encoding(path), on_bytes)
    reader = csv.reader(iter(lines))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFailed(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise ImportFailed(f"{path}:1: unreadable header: {exc}") from None
    if 1 in lines.undecodable:
        raise ImportFailed(f"{path}:1: the header line has bytes that are not {encoding_label(lines.encoding)}")
    return header, _rows(reader, header, lines, unquote if unquote_cells else None)


def _rows(reader: CsvReader, header: list[str], lines: DecodedLines,
          unquote_cell: Callable[[str], str] | None) -> Iterator[CsvRow]:
    last = reader.line_num
    while True:
        start = last + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last = reader.line_num
            yield CsvRow(start, {}, f"unreadable CSV: {exc}")
            continue
        last = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        bad = sorted(n for n in lines.undecodable if start <= n <= last)
        error = None
        if bad:
            error = f"undecodable bytes (not {encoding_label(lines.encoding)}) at line {bad[0]}"
        elif len(values) != len(header):
            error = f"expected {len(header)} fields, found {len(values)}"
        if unquote_cell:  # before trimming, so that only the quote written in front is taken off
            values = [unquote_cell(v) for v in values]
        yield CsvRow(start, dict(zip(header, (v.strip() for v in values), strict=False)), error)
