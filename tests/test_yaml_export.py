"""The registry's YAML writer: what it writes loads back (yaml.safe_load) as what PyYAML's own
dumper writes, for the sample registry and for scalars YAML would misread if left plain."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import yaml
from sqlalchemy import Engine

from mgov.formats import yamlwrite
from mgov.formats.export import registry_document, registry_rows

TRICKY = ["", " lead", "trail ", "yes", "No", "off", "null", "~", "true", "1", "1.5", "0x1F", "1_000", "1:20",
          "2026-01-01", ".inf", "<<", "=", "-", "- x", "a: b", "a:", "# c", "a #b", "a#b", "'q", '"q', "O'Brien",
          "back\\slash", "line\nbreak", "tab\there", "nel\x85", "ls\u2028ps\u2029", "del\x7f", "bell\x07",
          "中文名称", "https://x.gov.cn/a?b=1#c", "[a]", "{a}", "*ref", "&anchor", "!tag", "%x", "@at", "`tick",
          "|", ">", "?", "emoji 🙂", "Sheriff’s Office", "e\u0301",
          "bom\ufeff", "\ufeffstart", "nbsp\xa0", "wide \U0001f600 \U00010000", "a\u3000b", "True", "NULL", "0o17",
          "+1", "-1", "1e3", "12:30:00", "2026-01-01 10:00:00", "y", "n", "Yes please"]


def _same(doc: dict) -> None:
    buf = io.StringIO()
    yamlwrite.dump(doc, buf)
    assert yaml.safe_load(buf.getvalue()) == doc, buf.getvalue()


def test_tricky_scalars_round_trip() -> None:
    _same({"values": TRICKY, "keys": {s or "k": s for s in TRICKY},
           "nested": [{"a": [], "b": {}, "c": {"d": [1, True, None, dt.date(2026, 1, 2)]}}, [["x"], "y"]],
           "odd": [1.5, -0.0, 3, dt.datetime(2026, 1, 2, 3, 4, 5)]})


def test_registry_export_round_trips(cli, engine: Engine, cn_sample: Path, tmp_path: Path) -> None:
    cli("import", str(cn_sample))
    out = tmp_path / "registry.yaml"
    cli("export", str(out))
    with engine.connect() as conn:
        doc = registry_document(registry_rows(conn))
    old = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)  # the way it was written before
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == yaml.safe_load(old)
    again = cli.json("import", str(out))
    assert again["changes"] == 0
