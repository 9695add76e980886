"""A document's text from its bytes, bounded: what the detector reads.

Rows of tables come out as tab-separated cells, one row a line, so names can be matched to
the values beside them. Formats: HTML (tags stripped by patterns, no tree: a page is read at
C speed), PDF (PDFium through pypdfium2: pypdf took 30 ms a page, ten times too slow for a
crawl's attachments), DOCX (its XML read as a stream) and XLSX (its XML read with patterns;
no office library: openpyxl and python-docx build every cell and paragraph as an object),
XLS and WPS's ET (xlrd), CSV and plain text (UTF-8 with or without BOM, UTF-16 with BOM,
else GB18030, the superset of GBK).
DOC and WPS's own word format: no library reads them here; they are reported, not guessed.

Bounds: the text kept (MAX_CHARS), the bytes a zip member may inflate to (MAX_INFLATED: a
zip bomb stops there), the pages and rows read. Time is bounded by the caller (the crawl
runs this in a process of its own with a CPU-time limit; crawl.documents).
"""

from __future__ import annotations

import csv
import functools
import html
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree as ET

MAX_CHARS = 4_000_000  # text kept of one document
MAX_INFLATED = 64 << 20  # bytes one zip member may inflate to
MAX_PAGES = 2000
MAX_ROWS = 200_000
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMATS = ("html", "pdf", "docx", "xlsx", "xls", "et", "csv", "text", "doc", "wps", "zip")


class Unsupported(Exception):
    """No reader for this format here (the reason is the message)."""


@dataclass
class Extracted:
    format: str
    text: str
    partial: str | None = None  # "chars", "pages", "rows": where reading stopped


class _Text:
    """Lines collected up to MAX_CHARS."""

    def __init__(self, limit: int = MAX_CHARS) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.full = False

    def add(self, line: str) -> bool:
        """False once the cap is reached (the caller stops reading)."""
        if self.full:
            return False
        if self.size + len(line) + 1 > self.limit:
            self.parts.append(line[: max(0, self.limit - self.size)])
            self.full = True
            return False
        self.parts.append(line)
        self.size += len(line) + 1
        return True

    def text(self) -> str:
        return "\n".join(self.parts)


def sniff(data: bytes, hint: str = "") -> str:
    """The format of data, from its first bytes, the URL's extension (hint) as a tie-breaker."""
    hint = hint.lower().lstrip(".")
    head = data[:1024]
    if head.startswith(b"%PDF") or (b"%PDF-" in head and hint == "pdf"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if head.startswith(OLE):
        return hint if hint in ("xls", "et", "doc", "wps") else "xls" if hint == "xlsx" else "doc"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or hint in ("html", "htm"):
        return "html"
    return "csv" if hint == "csv" else "text"


def decode(data: bytes) -> str:
    """Text of unknown encoding: a BOM's, else UTF-8, else GB18030 (GBK's superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


# --- HTML -----------------------------------------------------------------------------------

_DROP = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_BLOCK = re.compile(r"<(?:/?(?:p|div|li|ul|ol|tr|table|thead|tbody|h[1-6]|section|article|header|footer|nav|dd|dt|dl|"
                    r"blockquote|pre|form|caption)|br)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \r\f\v]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def html_text(markup: str) -> str:
    """Visible text of a page with rows as tab-separated cells (comments, scripts and styles
    are no text; what CSS hides still is published)."""
    text = _DROP.sub(" ", markup)
    text = _CELL_END.sub("\t", text)
    text = _BLOCK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    text = _BLANKS.sub(" ", text.replace("\xa0", " ").replace("\u3000", " "))
    text = re.sub(r" ?\t ?", "\t", text)
    lines = (line.strip(" \t") for line in _NEWLINES.split(text))
    return "\n".join(line for line in lines if line)


# --- zip members, bounded ------------------------------------------------------------------

class _Capped(io.RawIOBase):
    """A zip member's stream that refuses to inflate past MAX_INFLATED."""

    def __init__(self, raw: IO[bytes], cap: int | None = None) -> None:
        self.raw, self.left = raw, MAX_INFLATED if cap is None else cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.raw.read(min(len(buffer), 1 << 16))
        self.left -= len(chunk)
        if self.left < 0:
            raise ValueError(f"a part of the file inflates past {MAX_INFLATED >> 20} MiB")
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _events(zf: zipfile.ZipFile, name: str) -> Iterator[tuple[str, ET.Element]]:
    with zf.open(name) as raw:
        # Expat (2.4.1+) refuses billion-laughs expansion and ElementTree fetches no external
        # entity; the inflated size is capped above.
        yield from ET.iterparse(io.BufferedReader(_Capped(raw)), events=("start", "end"))  # noqa: S314 - see above


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def docx_text(data: bytes, out: _Text) -> str | None:
    """Paragraphs a line each, table rows as tab-separated cells."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        para: list[str] = []
        cell: list[str] = []
        row: list[str] = []
        depth = 0  # inside a table cell
        for event, el in _events(zf, "word/document.xml"):
            tag = _local(el.tag)
            if event == "start":
                if tag == "tc":
                    depth += 1
                continue
            if tag == "t" and el.text:
                para.append(el.text)
            elif tag == "tab":
                para.append(" ")
            elif tag == "p":
                line = "".join(para).strip()
                para.clear()
                if depth:
                    if line:
                        cell.append(line)
                elif line and not out.add(line):
                    return "chars"
                el.clear()
            elif tag == "tc":
                depth -= 1
                row.append(" ".join(cell))
                cell.clear()
            elif tag == "tr":
                if any(row) and not out.add("\t".join(row)):
                    return "chars"
                row.clear()
                el.clear()
    return None


def _number(value: str) -> str:
    """A numeric cell as people read it: 13800138000, not 1.3800138E10."""
    if "E" in value or "e" in value:
        try:
            f = float(value)
        except ValueError:
            return value
        if f.is_integer() and abs(f) < 1e16:
            return str(int(f))
    return value[:-2] if value.endswith(".0") else value


_XROW = re.compile(r"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
# A cell: its column letters and type (attributes in any order), and its content.
_XC = re.compile(r"<(?:\w+:)?c\b(?=[^>]*?\br\s*=\s*[\"']([A-Z]+))?(?=[^>]*?\bt\s*=\s*[\"'](\w+))?[^>]*?"
                 r"(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_XV = re.compile(r"<(?:\w+:)?v\b[^>]*>(.*?)</", re.S)
_XT = re.compile(r"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_XSI = re.compile(r"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)


# A numeric character reference (openpyxl writes every non-ASCII character as one: 低 is
# &#20302;). Decoded once for the whole part, each distinct one computed once: html.unescape
# cell by cell took 40 % of a sheet's reading. The ones that would change how the XML reads
# (& < > " ') and those that name no character are left for the cell's own unescaping.
_NUMREF = re.compile(r"&#(?:(\d{1,7})|[xX]([0-9a-fA-F]{1,6}));")
_MARKUP = frozenset({34, 38, 39, 60, 62})


@functools.lru_cache(maxsize=8192)
def _char(ref: str) -> str:
    m = _NUMREF.fullmatch(ref)
    if m is None:
        return ref
    cp = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    if cp in _MARKUP or cp < 32 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return ref
    return chr(cp)


def _char_refs(xml: str) -> str:
    return _NUMREF.sub(lambda m: _char(m.group(0)), xml) if "&#" in xml else xml


def _member_text(zf: zipfile.ZipFile, name: str) -> str:
    with zf.open(name) as raw:
        return _char_refs(io.BufferedReader(_Capped(raw)).read().decode("utf-8", "replace"))


def _cell_text(value: str) -> str:
    return html.unescape(value) if "&" in value else value


def xlsx_text(data: bytes, out: _Text) -> str | None:
    """Every worksheet's rows, cells tab-separated at their columns. The parts are read with
    patterns, not a parser: spreadsheets are machine-written XML, and a tree (or even a
    stream of elements) cost four times the detector's own time on a 5,000-row sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for m in _XSI.finditer(_member_text(zf, "xl/sharedStrings.xml")):
                inner = m.group(1) or ""
                shared.append(_cell_text("".join(_XT.findall(inner))))
        sheets = sorted((n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")),
                        key=lambda n: (len(n), n))
        rows = 0
        for sheet in sheets:
            for row_xml in _XROW.findall(_member_text(zf, sheet)):
                rows += 1
                if rows >= MAX_ROWS:
                    return "rows"
                row: dict[int, str] = {}
                for letters, kind, inner in _XC.findall(row_xml):
                    if not inner:
                        continue
                    if kind == "inlineStr":
                        text = _cell_text("".join(_XT.findall(inner)))
                    else:
                        v = _XV.search(inner)
                        value = v.group(1) if v else ""
                        if kind == "s":
                            text = shared[int(value)] if value.isdigit() and int(value) < len(shared) else ""
                        elif kind in ("n", ""):
                            text = _number(value)
                        else:
                            text = _cell_text(value)
                    if text:
                        at = _letters(letters) if letters else len(row)
                        row[at] = text.replace("\t", " ").replace("\n", " ") if "\t" in text or "\n" in text else text
                if row and not _flush(row, out):
                    return "chars"
            out.add("")
    return None


@functools.lru_cache(maxsize=4096)
def _letters(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _flush(row: dict[int, str], out: _Text) -> bool:
    width = max(row) + 1
    return width > 1024 or out.add("\t".join(row.get(i, "") for i in range(width)))


def xls_text(data: bytes, out: _Text) -> str | None:
    # xlrd (BIFF, and WPS's ET, which writes BIFF8) is only needed for these files.
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    rows = 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            for r in range(sheet.nrows):
                values = []
                for cell in sheet.row(r):
                    v = cell.value
                    values.append(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                if any(values) and not out.add("\t".join(values)):
                    return "chars"
                rows += 1
                if rows >= MAX_ROWS:
                    return "rows"
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return None


# PDFium is not thread-safe: two threads in it at once crash the process (two indexers, a
# worker's pool of threads). One PDF at a time a process.
_PDFIUM = threading.Lock()


def pdf_text(data: bytes, out: _Text) -> str | None:
    with _PDFIUM:
        return _pdf_text(data, out)


def _pdf_text(data: bytes, out: _Text) -> str | None:
    # PDFium (pypdfium2) is loaded only for PDFs.
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(doc)):
            if index >= MAX_PAGES:
                return "pages"
            page = doc[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
            finally:
                page.close()
            if not out.add(text.replace("\r\n", "\n").replace("\r", "\n")):
                return "chars"
    finally:
        doc.close()
    return None


def csv_text(data: bytes, out: _Text) -> str | None:
    text = decode(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    for rows, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        if any(row) and not out.add("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row)):
            return "chars"
        if rows >= MAX_ROWS:
            return "rows"
    return None


def extract(data: bytes, hint: str = "", *, max_chars: int = MAX_CHARS) -> Extracted:
    """The text of a document (format sniffed, hint the URL's extension). Raises Unsupported
    for a format no reader here takes, and the readers' own errors for broken files."""
    fmt = sniff(data, hint)
    out = _Text(max_chars)
    partial: str | None = None
    if fmt == "html":
        text = html_text(decode(data))
        out.add(text)
        partial = "chars" if out.full else None
    elif fmt == "pdf":
        partial = pdf_text(data, out)
    elif fmt == "docx":
        partial = docx_text(data, out)
    elif fmt == "xlsx":
        partial = xlsx_text(data, out)
    elif fmt in ("xls", "et"):
        partial = xls_text(data, out)
    elif fmt == "csv":
        partial = csv_text(data, out)
    elif fmt == "text":
        out.add(decode(data))
        partial = "chars" if out.full else None
    else:
        raise Unsupported(f"no reader for {fmt} files here" if fmt != "zip"
                          else "a zip archive that is no DOCX or XLSX")
    return Extracted(fmt, out.text(), partial)
