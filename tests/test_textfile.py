"""Encodings and malformed CSV: record, report, continue."""

import csv

import pytest

from mgov.errors import ImportFailed
from mgov.formats.textfile import detect_encoding, read_csv


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_with_bom(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbfcode,name_zh\nx,\xe6\xb7\xb1\xe5\x9c\xb3\n")
    header, rows = read_csv(p)
    assert header == ["code", "name_zh"]
    assert [r.cells for r in rows] == [{"code": "x", "name_zh": "深圳"}]


def test_gbk_detected_and_decoded(tmp_path):
    p = write(tmp_path / "g.csv", "code,name_zh\ncn-1,深圳市人民政府\ncn-2,罗湖区\n", "gbk")
    assert detect_encoding(p) == "gb18030"
    _, rows = read_csv(p)
    assert [r.cells["name_zh"] for r in rows] == ["深圳市人民政府", "罗湖区"]


def test_gb18030_only_characters(tmp_path):
    # 𠀀 is outside GBK; GB18030 encodes it in four bytes.
    p = write(tmp_path / "g.csv", "code,name_zh\ncn-1,𠀀字\n", "gb18030")
    _, rows = read_csv(p)
    assert next(rows).cells["name_zh"] == "𠀀字"


def test_undecodable_line_is_reported_others_survive(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes("code,name_zh\na,深圳\n".encode() + b"b,\xff\xfe\xfd\n" + "c,罗湖\n".encode())
    _, rows = read_csv(p)
    got = [(r.line, r.cells.get("code"), r.error) for r in rows]
    assert got[0] == (2, "a", None)
    assert got[1][0] == 3 and "undecodable" in got[1][2] and "line 3" in got[1][2]
    assert got[2] == (4, "c", None)


def test_field_count_and_multiline_records(tmp_path):
    p = write(tmp_path / "m.csv", 'a,b\n1,2\n"multi\nline",3\n4\n5,6,7\n\n8,9\n')
    _, rows = read_csv(p)
    got = [(r.line, r.error) for r in rows]
    assert got == [(2, None), (3, None), (5, "expected 2 fields, found 1"),
                   (6, "expected 2 fields, found 3"), (8, None)]


def test_huge_field_is_a_bad_row_not_a_crash(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("a,b\n1,2\n3," + "x" * (csv.field_size_limit() + 10) + "\n5,6\n")
    _, rows = read_csv(p)
    got = list(rows)
    assert got[0].cells == {"a": "1", "b": "2"}
    assert got[1].error and "unreadable CSV" in got[1].error
    assert got[-1].cells == {"a": "5", "b": "6"}


def test_empty_file_and_bad_header(tmp_path):
    with pytest.raises(ImportFailed, match="empty"):
        read_csv(write(tmp_path / "e.csv", ""))
    p = tmp_path / "h.csv"
    p.write_bytes(b"co\xffde,x\n1,2\n")
    with pytest.raises(ImportFailed, match="header"):
        read_csv(p, "utf-8")
