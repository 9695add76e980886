"""Reading an import file into rows with their line numbers: CSV (UTF-8, with or without a
BOM, or GBK/GB18030), JSON and XLSX. What cannot be read is reported where it is (a line, an
item, a sheet row) and the rest is kept: a bad row never costs the good ones.

The registry's own reader (`formats.textfile`) sits on a floor beside this one, so the same
rule is applied here to bytes already in memory (the file is archived whole anyway): a BOM
decides; else UTF-8 when most non-ASCII lines are UTF-8; else GB18030, the superset of GBK
and GB2312 that Chinese offices' spreadsheets save as.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mgov import file_charset

POST_COLUMNS = ("post_id", "published", "title", "text", "url", "links", "media", "comments_open", "original",
                "deleted")
ACCOUNT_COLUMNS = ("account_id", "name", "certification", "verified", "description", "avatar_url", "url",
                   "followers", "messages_open", "menus")
ACCOUNT_SHEETS = ("account", "账号", "帐号")
POST_SHEETS = ("posts", "帖子", "文章", "发布")
KINDS = {".csv": "csv", ".txt": "csv", ".json": "json", ".xlsx": "xlsx"}
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (no rows can be told apart)."""


@dataclass
class Row:
    where: str  # "line 4", "item 3", "row 5 of sheet posts": what the operator looks for
    cells: dict[str, Any]
    error: str | None = None


@dataclass
class ImportTable:
    """What a file holds: its posts' rows, its account facts (None: none given), and what was
    said about it as a whole (unknown columns, a second account row)."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    account: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    charset: str | None = None


def kind_of(name: str) -> str:
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    if suffix not in KINDS:
        raise UnreadableFile(f"unknown file type {suffix or '(none)'!r}: name it .csv, .json or .xlsx")
    return KINDS[suffix]


def read_table(name: str, data: bytes) -> ImportTable:
    """The rows of a posts file named name (its suffix says the format)."""
    kind = kind_of(name)
    if kind == "xlsx":
        return _read_xlsx(data)
    charset = file_charset.guess_lines(data)
    if kind == "json":
        return _read_json(data, charset)
    table = ImportTable("csv", charset=charset)
    header, rows = _csv_rows(data, charset)
    table.notes += _unknown_columns(header, POST_COLUMNS)
    if "post_id" not in header:
        raise UnreadableFile(f"line 1: no post_id column (the columns are {', '.join(POST_COLUMNS)})")
    table.rows = list(rows)
    return table


def read_account_csv(data: bytes) -> tuple[dict[str, Any] | None, list[str]]:
    """The account facts of a companion file (`NAME.account.csv`: a header and one row)."""
    header, rows = _csv_rows(data, file_charset.guess_lines(data))
    notes = _unknown_columns(header, ACCOUNT_COLUMNS)
    found = list(rows)
    if not found:
        return None, [*notes, "the account file has no row"]
    first = found[0]
    if first.error:
        return None, [*notes, f"account {first.where}: {first.error}"]
    if len(found) > 1:
        notes.append(f"the account file has {len(found)} rows: {found[0].where} was read, the others ignored")
    return first.cells, notes


def _unknown_columns(header: list[str], known: tuple[str, ...]) -> list[str]:
    unknown = [h for h in header if h and h not in known]
    return [f"column(s) {', '.join(unknown)} ignored (known: {', '.join(known)})"] if unknown else []


def _decoded_lines(data: bytes, charset: str, bad: set[int]) -> Iterator[str]:
    codec = "utf-8" if charset == "utf-8-sig" else charset
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            yield raw.decode(codec)
        except UnicodeDecodeError:
            bad.add(number)
            yield raw.decode(codec, errors="replace")


def _csv_rows(data: bytes, charset: str) -> tuple[list[str], Iterator[Row]]:
    bad: set[int] = set()
    reader = csv.reader(_decoded_lines(data, charset, bad))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise UnreadableFile("the file is empty") from None
    except csv.Error as exc:
        raise UnreadableFile(f"line 1: unreadable header: {exc}") from None
    if 1 in bad:
        raise UnreadableFile(f"line 1: the header has bytes that are not {file_charset.label(charset)}")
    return header, _rows(reader, header, bad, charset)


def _rows(reader: Any, header: list[str], bad: set[int], charset: str) -> Iterator[Row]:
    last = reader.line_num
    while True:
        start = last + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last = reader.line_num
            yield Row(f"line {start}", {}, f"unreadable CSV: {exc}")
            continue
        last = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        undecodable = sorted(n for n in bad if start <= n <= last)
        error = None
        if undecodable:
            error = f"bytes that are not {file_charset.label(charset)} at line {undecodable[0]}"
        elif len(values) != len(header):
            error = f"expected {len(header)} fields, found {len(values)}"
        yield Row(f"line {start}", dict(zip(header, (v.strip() for v in values), strict=False)), error)


def _read_json(data: bytes, charset: str) -> ImportTable:
    codec = "utf-8-sig" if charset == "utf-8-sig" else charset
    try:
        doc = json.loads(data.decode(codec))
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"bytes that are neither UTF-8 nor GB18030 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"line {exc.lineno}: not JSON: {exc.msg}") from None
    table = ImportTable("json", charset=charset)
    if isinstance(doc, list):
        posts: Any = doc
    elif isinstance(doc, dict):
        posts = doc.get("posts", [])
        account = doc.get("account")
        if isinstance(account, dict):
            table.account = account
        elif account is not None:
            table.notes.append("\"account\" is not an object: ignored")
        table.notes += [f"key {k!r} ignored" for k in doc if k not in ("account", "posts")]
    else:
        raise UnreadableFile('expected {"account": {...}, "posts": [...]} or a list of posts')
    if not isinstance(posts, list):
        raise UnreadableFile('"posts" is not a list')
    for n, item in enumerate(posts, start=1):
        if isinstance(item, dict):
            table.rows.append(Row(f"item {n}", {str(k).strip().lower(): v for k, v in item.items()}))
        else:
            table.rows.append(Row(f"item {n}", {}, "not an object"))
    return table


def _read_xlsx(data: bytes) -> ImportTable:
    # Deferred: openpyxl loads only when a spreadsheet is imported.
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl's own errors all mean "not a workbook"
        raise UnreadableFile(f"not an XLSX workbook: {type(exc).__name__}: {exc}") from None
    try:
        names = list(book.sheetnames)
        account_sheet = next((n for n in names if n.strip().lower() in ACCOUNT_SHEETS), None)
        posts_sheet = (next((n for n in names if n.strip().lower() in POST_SHEETS), None)
                       or next((n for n in names if n != account_sheet), None))
        if posts_sheet is None:
            raise UnreadableFile("the workbook has no sheet of posts")
        table = ImportTable("xlsx")
        header, rows = _sheet_rows(book[posts_sheet], posts_sheet)
        if "post_id" not in header:
            raise UnreadableFile(f"sheet {posts_sheet}: no post_id column (the columns are {', '.join(POST_COLUMNS)})")
        table.notes += _unknown_columns(header, POST_COLUMNS)
        table.rows = rows
        if account_sheet is not None:
            header, found = _sheet_rows(book[account_sheet], account_sheet)
            table.notes += _unknown_columns(header, ACCOUNT_COLUMNS)
            if found:
                table.account = found[0].cells
            if len(found) > 1:
                table.notes.append(f"sheet {account_sheet} has {len(found)} rows: the first was read")
        return table
    finally:
        book.close()


def _sheet_rows(sheet: Any, name: str) -> tuple[list[str], list[Row]]:
    header: list[str] | None = None
    rows: list[Row] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if header is None:
            header = [str(v).strip().lower() if v is not None else "" for v in values]
            continue
        cells = {h: (v.strip() if isinstance(v, str) else v) for h, v in zip(header, values, strict=False) if h}
        rows.append(Row(f"row {number} of sheet {name}", cells))
    return header or [], rows
