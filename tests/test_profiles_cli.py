"""mgov profiles list/show/validate through the CLI, in English and Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_list(cli: Any) -> None:
    rows = cli.json("profiles", "list")
    assert [(r["id"], r["jurisdiction"], r["indicators"]) for r in rows] == [
        ("cn-2019-newmedia", "cn", 30), ("cn-2019-website", "cn", 48), ("cn-2021-aging", "cn", 13),
        ("cn-pipl-app", "cn", 12), ("us-federal", "us", 39), ("wcag21-aa", "us", 8)]
    out = cli("profiles", "list", MGOV_LANG="zh").stdout
    assert "政府网站检查指标" in out and "共 6 个指标体系" in out
    out = cli("profiles", "list").stdout
    assert "us-federal" in out and "6 profiles" in out


def test_show_resolved(cli: Any) -> None:
    tree = cli.json("profiles", "show", "cn-2019-website", "--kind", "website", "--tier", "township")
    assert (tree["kind"], tree["tier"]) == ("website", "township")
    assert tree["scoring"]["no_service_multiplier"] == 100 / 75
    cats = {c["id"]: c for c in tree["categories"]}
    assert len(cats["veto"]["indicators"]) == 14
    assert "d_ipv6" not in {i["id"] for i in cats["function"]["indicators"]}
    assert sum(i["cap"] for c in tree["categories"] for i in c["indicators"] if i["rule"] == "deduct") == 99
    full = cli.json("profiles", "show", "cn-2019-website")
    assert sum(len(c["indicators"]) for c in full["categories"]) == 48
    out = cli("profiles", "show", "us-federal", "--kind", "website", "--tier", "agency").stdout
    assert "Effective indicators for website, tier agency: 39" in out
    assert "Equal-weight percentage" in out
    out = cli("profiles", "show", "cn-2019-website", MGOV_LANG="zh").stdout
    assert "单项否决，扣分指标 100 分，低于 60 分为不合格" in out


def test_show_errors(cli: Any) -> None:
    result = cli("profiles", "show", "nope", code=1)
    assert "unknown profile 'nope'" in result.output
    result = cli("profiles", "show", "us-federal", "--kind", "sms", "--tier", "agency", code=1)
    assert "does not cover kind 'sms'" in result.output
    assert cli("profiles", "show", "us-federal", "--kind", "website", code=2).exit_code == 2


def test_validate(cli: Any, tmp_path: Path) -> None:
    out = cli("profiles", "validate").stdout
    assert "valid: cn-2019-website (48 indicators" in out
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "local.toml").write_text('id = "local"\nextends = "us-federal"\ntitle_en = "Local"\n', encoding="utf-8")
    out = cli("profiles", "validate", str(folder)).stdout
    assert "valid: local (39 indicators" in out
    assert [r["id"] for r in cli.json("profiles", "list", "--dir", str(folder))][-1] == "local"
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\nextends = "us-federal"\n[[indicator]]\nid = "hsts"\ncheck = "hsts2"\n',
                   encoding="utf-8")
    result = cli("profiles", "validate", str(bad), str(folder), code=1)
    assert f"{bad}: indicator[hsts].check: unknown check 'hsts2' (see `mgov checks list`)" in result.output
    assert "1 errors" in result.output
