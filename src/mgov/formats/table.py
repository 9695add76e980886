"""A table as a file: rows and column definitions written as CSV or XLSX, a row at a time.

Every list the dashboard and the API export goes through here, so each file follows the same
rules: every cell through `formats.cells` (no text a spreadsheet would evaluate), CSV in UTF-8
with a byte-order mark (Excel otherwise reads Chinese as GBK), XLSX in openpyxl's write-only
mode (rows go to a temporary file as they come; memory does not grow with the list).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from mgov.formats.cells import csv_writer, xlsx_row

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BOM = "\ufeff"
CHUNK_ROWS = 500  # CSV rows per piece handed to the caller
SPOOL_BYTES = 8 * 1024 * 1024  # an XLSX larger than this waits on disk, not in memory
READ_BYTES = 256 * 1024


@dataclass(frozen=True)
class Column:
    """A column: its header (already in the reader's words) and how a row gives its cell."""

    header: str
    value: Callable[[dict[str, Any]], Any]


def cells(columns: Iterable[Column], rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """Each row as its cells, in the columns' order (None as an empty cell)."""
    columns = list(columns)
    for row in rows:
        yield ["" if (v := c.value(row)) is None else v for c in columns]


def csv_chunks(head: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """A CSV file in pieces: the BOM and the header row, then CHUNK_ROWS rows at a time."""
    buf = io.StringIO()
    writer = csv_writer(buf)
    buf.write(BOM)
    writer.writerow(head)
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % CHUNK_ROWS == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def write_xlsx(head: list[str], rows: Iterable[list[Any]], out: IO[bytes], title: str) -> None:
    """One sheet named title: the header row in bold, then the rows; text is never a formula."""
    # Deferred: openpyxl loads only when an XLSX is written.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    bold = Font(bold=True)
    header = []
    for text in xlsx_row(head):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(xlsx_row(row))
    book.save(out)


def xlsx_chunks(head: list[str], rows: Iterable[list[Any]], title: str) -> Iterator[bytes]:
    """An XLSX file in pieces: written whole first (a zip's directory comes last), into a file
    that stays in memory while small and moves to disk past SPOOL_BYTES."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        write_xlsx(head, rows, out, title)
        out.seek(0)
        while piece := out.read(READ_BYTES):
            yield piece


def _sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip() or "Sheet"
    return cleaned[:31]


def chunks(fmt: str, head: list[str], rows: Iterable[list[Any]], title: str) -> Iterator[bytes]:
    """The file in fmt (csv or xlsx), in pieces."""
    if fmt == "csv":
        return csv_chunks(head, rows)
    if fmt == "xlsx":
        return xlsx_chunks(head, rows, title)
    raise ValueError(f"no table format {fmt!r}: one of {', '.join(FORMATS)}")
