"""The personal-data detector (mgov.privacy): precision and recall on 10,000 generated values
with realistic decoys, the edge cases of each kind, masking, severity and text extraction."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter

import pytest

from mgov.demo.farm.pii_corpus import card, cn_id, corpus, luhn_complete, mobile, table
from mgov.privacy import validate
from mgov.privacy.detect import find
from mgov.privacy.extract import Unsupported, extract, html_text, sniff
from mgov.privacy.kinds import Kind
from mgov.privacy.mask import mask
from mgov.privacy.summary import scan_text, severity

TODAY = dt.date(2026, 11, 26)


def hits(text: str) -> list[tuple[str, str]]:
    return [(h.kind.value, h.value) for h in find(text, today=TODAY).hits]


def test_precision_and_recall_on_10000_values_with_decoys():
    lines = corpus(seed=18, n=10_000)
    assert sum(1 for x in lines if x.expected) > 4000 and sum(1 for x in lines if not x.expected) > 4000
    tp = fp = fn = 0
    misses: list[str] = []
    alarms: list[str] = []
    per_kind: Counter[str] = Counter()
    for start in range(0, len(lines), 100):  # documents of 100 lines
        doc = lines[start:start + 100]
        got = Counter(hits("\n".join(x.text for x in doc)))
        want = Counter(v for x in doc for v in x.expected)
        tp += sum((got & want).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
        alarms += [f"{k}={v}" for k, v in (got - want)]
        misses += [f"{k}={v}" for k, v in (want - got)]
        per_kind.update(k for k, _ in want.elements())
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert set(per_kind) == {"cn_id", "cn_mobile", "cn_landline", "bank_card", "us_ssn", "passport", "email"}
    assert precision >= 0.99, (precision, alarms[:10])
    assert recall >= 0.99, (recall, misses[:10])


def test_a_table_names_the_people_beside_their_numbers():
    text, want = table(seed=3, rows=40)
    got = find(text, today=TODAY)
    assert Counter((h.kind.value, h.value) for h in got.hits) == Counter(want)
    assert got.rows == 40


# --- edge cases, kind by kind ------------------------------------------------------------------

def test_resident_id_numbers():
    assert validate.cn_id("11010519491231002X", TODAY)
    assert hits("身份证号 11010519491231002x") == [("cn_id", "11010519491231002X")]  # lower-case x
    assert hits("110105 19491231 002X") == [("cn_id", "11010519491231002X")]  # grouped
    assert hits("110105194912310021") == []  # wrong check character
    assert hits("110105194913310028") == []  # month 13
    assert not validate.cn_id("11010530001231002X", TODAY)  # born in the future
    bad_region = "999999194912310020"
    assert hits(bad_region[:17] + validate.gb11643_check(bad_region[:17])) == []  # no such county
    assert hits("0011010519491231002X99") == []  # inside a longer run
    assert hits("A11010519491231002X") == []  # joined to a letter
    assert hits("1101**********002X 110105********002X") == []  # masked
    # A district made in 1983 still gives its code to a person born in 1950 (registered later).
    body = "440303195003070" + "12"
    assert hits(body + validate.gb11643_check(body)) == [("cn_id", body + validate.gb11643_check(body))]


def test_legacy_15_digit_ids_need_their_label():
    assert hits("身份证号码：110105491231002") == [("cn_id", "110105491231002")]
    assert hits("110105491231002") == []


def test_mobile_numbers():
    assert hits("13800138000") == [("cn_mobile", "13800138000")]
    assert hits("138-0013-8000、+86 139 1234 5678") == [("cn_mobile", "13800138000"), ("cn_mobile", "13912345678")]
    for decoy in ("14012345678", "15412345678", "12345678901", "138****8000", "138-****-8000", "213800138000",
                  "ORD13800138000", "ORD-2024-13800138000", "订单号：13800138000", "编号 13800138000",
                  "file_13800138000.pdf", "https://x.gov.cn/a/13800138000.html", "1380013800", "138001380001"):
        assert hits(decoy) == [], decoy


def test_landlines():
    assert hits("电话：0591-87654321") == [("cn_landline", "0591-87654321")]
    assert hits("(010)62345678 （0755）88889999") == [("cn_landline", "010-62345678"), ("cn_landline", "0755-88889999")]
    assert hits("(010)12345678") == []  # no local number starts with 1
    assert hits("0591-8765432-801") == [("cn_landline", "0591-8765432")]
    assert hits("电话：87654321") == [("cn_landline", "87654321")]
    assert hits("87654321") == []  # a local number without its label
    assert hits("0001-2345678") == [] and hits("京政发〔2024〕3号") == []
    assert hits("2024-05-12 13:30:45") == []


def test_bank_cards():
    number = luhn_complete("622202123456789012")
    assert hits(f"银行卡号：{number}") == [("bank_card", number)]
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    assert hits(grouped) == [("bank_card", number)]  # grouped by four: a card, label or not
    assert hits(number) == []  # 19 bare digits: an order number as likely as a card
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert hits(f"卡号：{bad}") == []  # Luhn
    assert hits(f"卡号：{luhn_complete('999912345678901')}") == []  # no issuer with that prefix
    assert hits(f"订单号：{grouped}") == []
    assert validate.card_issuer("4111111111111111") == "visa" and validate.card_issuer("378282246310005") == "amex"


def test_ssns():
    assert hits("SSN: 234-56-7890") == [("us_ssn", "234567890")]
    assert hits("234-56-7890") == [("us_ssn", "234567890")]
    assert hits("Social Security No. 234 56 7890") == [("us_ssn", "234567890")]
    assert hits("234567890") == [] and hits("123-45-6789") == []  # bare digits; the SSA's sample
    for bad in ("000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "078-05-1120",
                "219-09-9999", "987-65-4321", "***-**-6789", "Case No. 123-45-6789"):
        assert hits(bad) == [], bad


def test_passports():
    assert hits("护照号码：E12345678") == [("passport", "E12345678")]
    assert hits("G12345678") == [("passport", "G12345678")]
    assert hits("Passport No. 123456789") == [("passport", "123456789")]
    assert hits("EA1234567 护照") == [("passport", "EA1234567")]
    assert hits("型号 E12345678") == [] and hits("P1234567") == [] and hits("E123456789") == []


def test_emails():
    assert hits("zhang.san@163.com") == [("email", "zhang.san@163.com")]
    assert hits("Mail: J.Smith@Agency.GOV") == [("email", "J.Smith@agency.gov")]
    assert hits("a***@example.com") == [] and hits("logo@2x.png") == []
    assert hits("QQ邮箱 13812345678@qq.com") == [("email", "13812345678@qq.com")]  # an address, not a phone


def test_names_only_beside_values_in_table_rows():
    row = "姓名\t身份证号\n欧阳娜娜\t11010519491231002X\n高新区\t-"
    assert ("name", "欧阳娜娜") in hits(row) and ("name", "高新区") not in hits(row)
    assert hits("张三\t李四") == []  # names beside nothing
    assert hits("联系人张三，手机 13800138000。") == [("cn_mobile", "13800138000")]  # prose, not a row
    pdf_line = "1 王伟 11010519491231002X 13800138000 城关镇 3 1200"
    assert sorted(k for k, _ in hits(pdf_line)) == ["cn_id", "cn_mobile", "name"]
    assert ("name", "John Smith") in hits("1 John Smith 123-45-6789 j@x.example")
    assert ("name", "金额") not in hits("金额\t11010519491231002X")


# --- masking and severity -------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "value", "shown"), [
    (Kind.CN_ID, "11010519491231002X", "1101**********002X"),
    (Kind.CN_MOBILE, "13812345678", "138****5678"),
    (Kind.CN_LANDLINE, "0591-87654321", "0591-******21"),
    (Kind.BANK_CARD, "6222021234567890128", "6222***********0128"),
    (Kind.US_SSN, "123456789", "***-**-6789"),
    (Kind.PASSPORT, "E12345678", "E*****678"),
    (Kind.EMAIL, "alice@example.com", "a***@example.com"),
    (Kind.NAME, "王小明", "王**"),
    (Kind.NAME, "欧阳娜娜", "欧阳**"),
    (Kind.NAME, "John Smith", "J*** S****"),
])
def test_mask_hides_the_value(kind, value, shown):
    assert mask(kind, value) == shown
    assert value not in mask(kind, value)


def test_masked_samples_are_found_no_more():
    for make, kind in ((cn_id, Kind.CN_ID), (mobile, Kind.CN_MOBILE), (card, Kind.BANK_CARD)):
        import random

        value = make(random.Random(7))
        assert hits(f"卡号 身份证 手机 {mask(kind, value)}") == []


def test_severity_grows_with_counts_and_kinds():
    assert severity({"cn_id": 50, "name": 50}, 50) == "critical"
    assert severity({"cn_id": 1}, 0) == "high"
    assert severity({"cn_mobile": 5, "name": 5}, 5) == "medium"
    assert severity({"email": 1}, 0) == "low"
    text, _ = table(seed=1, rows=50)
    doc = scan_text("https://x.gov.cn/a.xlsx", "xlsx", text, today=TODAY)
    assert doc is not None and doc.severity == "critical" and doc.counts["cn_id"] == 50
    one = scan_text("https://x.gov.cn/c.html", "html", "联系邮箱：office@x.gov.cn", today=TODAY)
    assert one is not None and one.severity == "low" and doc.score > one.score
    assert all("*" in s for samples in doc.samples.values() for s in samples)


# --- extraction ----------------------------------------------------------------------------------

def _docx(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    body += "<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in r)
                                + "</w:tr>" for r in rows) + "</w:tbl>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {w}><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def test_docx_tables_come_out_as_rows():
    data = _docx(["低保名单"], [["姓名", "身份证号"], ["王伟", "11010519491231002X"]])
    got = extract(data, "docx")
    assert got.format == "docx" and "王伟\t11010519491231002X" in got.text
    assert ("name", "王伟") in hits(got.text)


def test_xlsx_and_csv_in_gbk():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "手机"])
    book.active.append(["李娜", 13800138000])  # a number cell
    out = io.BytesIO()
    book.save(out)
    assert "李娜\t13800138000" in extract(out.getvalue(), "xlsx").text
    csv_bytes = "姓名,手机\n李娜,13800138000\n".encode("gbk")
    got = extract(csv_bytes, "csv")
    assert got.format == "csv" and "李娜\t13800138000" in got.text


def test_xlsx_character_references_read_as_the_characters_and_markup_stays_text():
    """openpyxl's write-only sheets carry every non-ASCII character as a numeric reference;
    references to markup characters and control characters stay references until the cell's own
    unescaping (a NUL reads as U+FFFD, as html.unescape has it)."""
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&#29579;&#20255;</t></is></c>'
             '<c r="B1" t="inlineStr"><is><t>a&#60;b&#x26;c&#38;amp;&#10;d&#0;</t></is></c>'
             '<c r="C1" t="n"><v>13800138000</v></c></row></sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    assert extract(out.getvalue(), "xlsx").text.splitlines()[0] == "王伟\ta<b&c&amp; d\ufffd\t13800138000"


def test_pdf_text_and_the_farm_writer():
    from mgov.demo.farm.pdfwrite import write_pdf

    data = write_pdf(["序号  姓名  身份证号码", "1  王伟  11010519491231002X"])
    got = extract(data, "pdf")
    assert got.format == "pdf" and "11010519491231002X" in got.text


def test_html_text_drops_scripts_and_keeps_rows():
    text = html_text("<table><tr><th>姓名</th><th>手机</th></tr><tr><td>王伟</td><td>13800138000</td></tr></table>"
                     "<script>var t='13900139000'</script><!-- 13700137000 --><p>a&amp;b</p>")
    assert text.splitlines() == ["姓名\t手机", "王伟\t13800138000", "a&b"]


def test_unreadable_formats_are_said_so():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert sniff(ole, "doc") == "doc" and sniff(ole, "wps") == "wps"
    with pytest.raises(Unsupported, match="no reader for doc"):
        extract(ole, "doc")
    with pytest.raises(Unsupported):
        extract(b"PK\x03\x04" + bytes(100), "zip")


def test_a_zip_bomb_stops_at_the_inflation_cap(monkeypatch):
    from mgov.privacy import extract as ex

    monkeypatch.setattr(ex, "MAX_INFLATED", 1 << 20)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document>" + " " * (4 << 20) + "</document>")
    with pytest.raises(ValueError, match="inflates past"):
        extract(out.getvalue(), "docx")
