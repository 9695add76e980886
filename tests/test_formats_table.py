"""formats.table: a table as CSV (UTF-8 with a BOM) or XLSX, every cell by formats.cells' rule."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from mgov.formats import table

HEAD = ["名称", "说明"]
ROWS = [["=1+1", "@SUM(A1)"], ["-2", "第一行\r=cmd|' /C calc'!A0"], [3.5, None]]


def test_csv_has_a_bom_and_no_cell_a_spreadsheet_evaluates():
    data = b"".join(table.chunks("csv", HEAD, (list(r) for r in ROWS), "表"))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [HEAD, ["'=1+1", "'@SUM(A1)"], ["-2", "第一行\r=cmd|' /C calc'!A0"], ["3.5", ""]]


def test_xlsx_is_one_sheet_of_text_and_numbers_never_formulas():
    data = b"".join(table.chunks("xlsx", HEAD, ROWS, "渠道: [全部]/2026"))
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "渠道   全部  2026"  # characters Excel refuses in a sheet's name are gone
    values = [[c.value for c in row] for row in sheet.iter_rows()]  # (a line break is written as LF)
    values[2][1] = values[2][1].replace("\r", "\n")  # openpyxl keeps a CR with lxml, reads LF without
    assert values == [HEAD, ["'=1+1", "'@SUM(A1)"], ["-2", "第一行\n=cmd|' /C calc'!A0"], [3.5, None]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["A1"].font.bold


def test_cells_follow_the_columns():
    columns = [table.Column("甲", lambda r: r["a"]), table.Column("乙", lambda r: r.get("b"))]
    assert list(table.cells(columns, [{"a": 1}, {"a": "x", "b": 2}])) == [[1, ""], ["x", 2]]
    with pytest.raises(ValueError, match="csv, xlsx"):
        table.chunks("docx", [], [], "")
