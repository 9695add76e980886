"""docs/registry-format.md: its examples import cleanly and it names every column and term.

Each fenced block preceded by `<!-- example: NAME -->` is written to tmp_path/NAME, so
`per-type/*.csv` become one directory, and imported with `mgov import`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import yaml

from mgov.formats.export import COMBINED_HEADER
from mgov.formats.native import COLUMNS, FILES, YAML_SECTIONS
from mgov.registry import vocab

DOC = Path(__file__).resolve().parents[1] / "docs" / "registry-format.md"
MARKER = re.compile(r"^<!-- example: (?P<name>\S+) -->$", re.MULTILINE)
EXAMPLE = re.compile(r"<!-- example: (?P<name>\S+) -->\n```[^\n]*\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)

# What any one of the three layouts of the registry creates in an empty registry: the
# file's records, and 3 filed events plus the 'opened' event of the channel without history.
CREATED = {"organizations": 3, "people": 2, "roles": 3, "channels": 3, "events": 4}
LAYOUTS = ("registry.yaml", "registry.csv", "per-type")


def examples() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    found = {m["name"]: m["body"] for m in EXAMPLE.finditer(text)}
    markers = MARKER.findall(text)
    # A marker not directly followed by a fenced block would silently drop an example.
    assert sorted(markers) == sorted(found), "every example marker must precede a fenced block"
    assert len(markers) == len(set(markers)), "example names must be unique"
    return found


@pytest.fixture
def written(tmp_path: Path) -> Path:
    root = tmp_path / "examples"
    for name, body in examples().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


def created(report: dict) -> dict[str, int]:
    return {kind: c["created"] for kind, c in report["counts"].items()}


def test_the_doc_has_every_layout_example():
    names = set(examples())
    assert {"registry.yaml", "registry.csv"} <= names
    assert {f"per-type/{f}" for f in FILES.values()} <= names
    assert any(n.startswith("updates/") for n in names)


def test_examples_show_every_column():
    """The CSV examples carry exactly the columns of the code, in the order export writes."""
    ex = examples()
    header = next(csv.reader(io.StringIO(ex["registry.csv"])))
    assert header == COMBINED_HEADER
    for record_type, name in FILES.items():
        header = next(csv.reader(io.StringIO(ex[f"per-type/{name}"])))
        assert header == list(COLUMNS[record_type]), name


@pytest.mark.parametrize("layout", LAYOUTS)
def test_example_imports_cleanly_and_reimports_unchanged(cli, written, layout):
    path = str(written / layout)
    out = cli.json("import", path)
    assert out["bad_rows"] == 0, out["problems"]
    assert created(out) == CREATED
    assert out["changes"] == sum(CREATED.values())
    again = cli.json("import", path)
    assert again["bad_rows"] == 0, again["problems"]
    assert again["changes"] == 0
    assert created(again) == dict.fromkeys(CREATED, 0)


def test_the_three_layouts_hold_the_same_registry(cli, written, tmp_path):
    cli("import", str(written / "registry.yaml"))
    for layout in LAYOUTS[1:]:
        out = cli.json("import", str(written / layout))
        assert out["bad_rows"] == 0, (layout, out["problems"])
        assert out["changes"] == 0, layout
    # And the export of it round-trips, in every layout.
    for name in ("export.yaml", "export.csv", "export-dir"):
        cli("export", str(tmp_path / name))
        out = cli.json("import", str(tmp_path / name))
        assert (out["bad_rows"], out["changes"]) == (0, 0), name


def test_the_update_example_changes_what_the_doc_says(cli, written, tmp_path):
    cli("import", str(written / "registry.yaml"))
    out = cli.json("import", str(written / "updates"))
    assert out["bad_rows"] == 0, out["problems"]
    assert {k: (c["created"], c["updated"]) for k, c in out["counts"].items()} == {
        "organizations": (0, 0), "people": (0, 1), "roles": (0, 1), "channels": (0, 1), "events": (2, 0)}
    cli("export", str(tmp_path / "after.yaml"))
    doc = yaml.safe_load((tmp_path / "after.yaml").read_text(encoding="utf-8"))
    li_na = next(p for p in doc["people"] if p["key"] == "li.na")
    assert li_na == {"key": "li.na", "name": "李娜", "email": "li.na@lh.example", "phone": "0755-25550000"}
    role = next(r for r in doc["roles"] if r["person"] == "li.na" and r["role"] == "new_media_operator")
    assert str(role["until"]) == "2026-01-31"
    ch = next(c for c in doc["channels"] if c["address"] == "gh_luohu_fabu")
    assert (ch["name"], ch["owner"], ch["status"], ch["tags"]) == ("罗湖发布", "cn-440303", "suspended", [])
    assert ch["responsible"] == {"content_manager": ["zhang.wei"], "new_media_operator": ["li.na"]}
    events = [(e["event"], e.get("details")) for e in ch["history"]]
    assert events == [("opened", None),
                      ("suspended", {"from": "active", "to": "suspended"}),
                      ("changed", {"fields": {"tags": [["发布", "新媒体"], []]}})]
    assert cli.json("import", str(written / "updates"))["changes"] == 0


def _section(text: str, record_type: str) -> str:
    """The doc's section on one record type: from its heading to the next heading."""
    match = re.search(rf"^###[^\n]*`{record_type}`[^\n]*\n(.*?)(?=^#)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no section heading naming `{record_type}`"
    return match[1]


def test_the_doc_names_every_column_of_the_code():
    text = DOC.read_text(encoding="utf-8")
    for record_type, columns in COLUMNS.items():
        section = _section(text, record_type)
        for column in columns:
            assert f"| `{column}` |" in section, f"{record_type}.{column} is not documented"
    for name in (*FILES.values(), *YAML_SECTIONS, "record"):
        assert f"`{name}`" in text, name


def test_the_doc_lists_every_vocabulary_term():
    text = DOC.read_text(encoding="utf-8")
    tiers = [t for terms in vocab.TIERS.values() for t in terms.values()]
    for terms in (vocab.CHANNEL_KINDS.values(), vocab.CHANNEL_STATUSES.values(), vocab.CHANNEL_EVENTS.values(),
                  vocab.ROLES.values(), vocab.JURISDICTIONS.values(), tiers):
        for term in terms:
            assert f"| `{term.code}` | {term.zh} | {term.en} |" in text, term
