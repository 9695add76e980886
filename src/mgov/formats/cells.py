"""Spreadsheet cells that show what they say: the one rule every CSV and XLSX mgov writes follows.

A spreadsheet evaluates a cell whose text begins with `=`, `+`, `-` or `@` (a formula, or a DDE
call such as `=cmd|' /C calc'!A0`), and some also after a leading tab or carriage return.
Organization, channel and person names are typed by agencies and findings quote what scanned
sites say, so any of them may begin that way. OWASP's rule (CSV injection): such text is
written with a single quote in front. Excel and LibreOffice then show it as text; the quote
stays in the text, so a CSV the user saves again from the spreadsheet stays safe too.

Numbers are left alone: ints and floats are written as numbers, and text that is nothing but a
decimal number (`-2`, `+86`, `-1.5e3`) is written as it is, since a spreadsheet reads it as
that number and no formula can be spelled in it; quoting it would turn numbers and telephone
numbers into text for no gain.

A CSV row is written by `csv_writer`, which also quotes every cell holding a carriage return or
a line feed whatever the file's line ending: Python's csv module quotes only the characters of
its own line terminator, and a bare carriage return inside a cell of a file ending its lines
with "\n" ends the row for Excel, LibreOffice and Python alike, so the rest of the cell (say
`=cmd|...`) would begin a row of its own, out of reach of the quote.

The quote is undone for mgov's own files (`unquote`, used when the native CSV is imported):
text that begins with one or more quotes followed by a character above gets one quote more on
the way out and one fewer on the way in, so every text comes back exactly as it was written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any, Protocol

QUOTE = "'"
# OWASP: "=", "+", "-", "@", tab (0x09) and carriage return (0x0D).
TRIGGERS = frozenset("=+-@\t\r")
_FIRST = TRIGGERS | {QUOTE}  # the first characters worth a closer look
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _quoted_on_write(text: str) -> bool:
    """Text that gets a quote in front: it begins (after any quotes already there) with a
    character a spreadsheet evaluates, and is not a plain number."""
    body = text.lstrip(QUOTE)
    return body[:1] in TRIGGERS and _NUMBER.fullmatch(body) is None


def safe_cell(value: Any) -> Any:
    """The value as a CSV or XLSX cell no spreadsheet evaluates; non-text values unchanged."""
    if isinstance(value, str) and value[:1] in _FIRST and _quoted_on_write(value):
        return QUOTE + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class _Text(Protocol):
    def write(self, text: str, /) -> int: ...


class CsvWriter:
    """csv.writer's writerow and writerows, with every row made safe (safe_row) and every cell
    holding a CR or LF quoted, whatever the line ending."""

    def __init__(self, out: _Text, lineterminator: str = "\r\n") -> None:
        self._out, self._end = out, lineterminator
        self._direct = csv.writer(out, lineterminator=lineterminator)
        # Unless the ending holds both CR and LF, a row with a cell holding either is written
        # with "\r\n", so that both make a cell quoted, and given the file's own ending instead.
        self._check = not ("\r" in lineterminator and "\n" in lineterminator)
        self._buf = io.StringIO()
        self._quoting = csv.writer(self._buf, lineterminator="\r\n")

    def writerow(self, values: Iterable[Any]) -> None:
        row = safe_row(values)
        if not (self._check and any(isinstance(v, str) and ("\r" in v or "\n" in v) for v in row)):
            self._direct.writerow(row)
            return
        self._buf.seek(0)
        self._buf.truncate()
        self._quoting.writerow(row)
        self._out.write(self._buf.getvalue()[:-2] + self._end)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Text, lineterminator: str = "\r\n") -> CsvWriter:
    """The writer every CSV mgov writes goes through."""
    return CsvWriter(out, lineterminator)


def unquote(text: str) -> str:
    """The text safe_cell was given, from the cell it wrote (for reading mgov's own files)."""
    if text.startswith(QUOTE) and _quoted_on_write(text[1:]):
        return text[1:]
    return text


# Characters XML 1.0 cannot carry (openpyxl refuses them): C0 controls but tab, LF and CR.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value: Any) -> Any:
    """safe_cell for an XLSX cell; also shows control characters an XLSX cannot hold as U+FFFD,
    so one odd name does not stop a whole report from being written."""
    value = safe_cell(value)
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def xlsx_row(values: Iterable[Any]) -> list[Any]:
    return [xlsx_cell(v) for v in values]
