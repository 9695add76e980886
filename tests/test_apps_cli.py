"""mgov app analyze (table and json, and bad files), and the app pass over registered app
channels: findings stored with the package's digest, the package archived once per digest."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from apkfactory import make_ipa
from mgov.collect.warc import read_record
from test_apps import A2DP, APKS, DUPLICATE, EXPECTED, INSECURE_IPA, VERDICTS

pytestmark = pytest.mark.skipif(not APKS.is_dir(), reason="../shared/data/apk is not beside the checkout")


def test_analyze_prints_the_package_and_the_verdicts(cli: Any) -> None:
    out = cli("app", "analyze", str(A2DP)).stdout
    lines = out.splitlines()
    assert lines[0] == "a2dp.Vol_137.apk: the package"
    assert "package\ta2dp.Vol" in lines and "target_sdk\t25" in lines
    assert f"sha256\t{EXPECTED['a2dp.Vol_137.apk']['sha256']}" in lines
    rows = {line.split("\t")[0]: line.split("\t") for line in lines if line.startswith("app.")}
    assert {check: row[2] for check, row in rows.items()} == VERDICTS["a2dp.Vol_137.apk"]
    assert rows["app.debuggable"][1] == "Debuggable release"
    zh = cli("app", "analyze", str(A2DP), MGOV_LANG="zh").stdout
    assert "app.debuggable\t可调试的发布版本\t通过" in zh and "安装包信息" in zh


def test_analyze_as_json(cli: Any, tmp_path: Path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_bytes("本应用收集位置信息、通讯录、短信、存储、设备信息与账户信息。".encode("gb18030"))
    data = json.loads(cli("app", "analyze", str(A2DP), "--format", "json", "--policy", str(policy)).stdout)
    assert data["app"]["sha256"] == EXPECTED["a2dp.Vol_137.apk"]["sha256"]
    assert data["app"]["policy_given"] is True and data["app"]["warc"] == []
    assert [p["name"] for p in data["app"]["permissions"] if p["justified"] is False] == []
    statuses = {f["check"]: f["status"] for f in data["findings"]}
    assert statuses == {**VERDICTS["a2dp.Vol_137.apk"], "app.permissions": "pass"}
    assert all(f["value"]["sha256"] == data["app"]["sha256"] for f in data["findings"])
    one = json.loads(cli("app", "analyze", str(DUPLICATE), "--format", "json", "--checks", "app.debuggable").stdout)
    assert [(f["check"], f["status"]) for f in one["findings"]] == [("app.debuggable", "fail")]


def test_analyze_an_ipa(cli: Any, tmp_path: Path) -> None:
    data = json.loads(cli("app", "analyze", str(make_ipa(tmp_path / "gov.ipa", INSECURE_IPA)), "--format",
                          "json").stdout)
    assert data["app"]["platform"] == "ios"
    assert {f["check"]: f["status"] for f in data["findings"]} == {"app.ats": "fail", "app.ios_usage": "fail",
                                                                   "app.sdk": "warn"}


def test_analyze_refuses_bad_files_and_options(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "broken.apk"
    bad.write_bytes(A2DP.read_bytes()[:300_000])
    result = cli("app", "analyze", str(bad), code=1)
    assert "broken.apk is a truncated or corrupt ZIP archive" in result.output and "Traceback" not in result.output
    assert "No such file or directory" in cli("app", "analyze", str(tmp_path / "x.ipa"), code=1).output
    assert cli("app", "analyze", str(A2DP), "--format", "xml", code=2).exit_code == 2
    assert "not app checks: hsts" in cli("app", "analyze", str(A2DP), "--checks", "hsts", code=2).output


def _register(cli: Any, tmp_path: Path) -> dict[str, str]:
    ipa = make_ipa(tmp_path / "gov.ipa", INSECURE_IPA)
    cli("channel", "add", "app_android", "a2dp.Vol", "--attr", f"package_file={A2DP}")
    # A registry import gives a package file as well (the channel's attributes).
    rows = tmp_path / "channels.csv"
    rows.write_text("kind,address,name,attributes\n"
                    f'app_android,duplicate.permisssions,urzip,"{{""package_file"": ""{DUPLICATE}""}}"\n',
                    encoding="utf-8")
    cli("import", str(rows))
    cli("channel", "add", "app_android", "cn.gov.nopackage")
    broken = tmp_path / "broken.apk"
    broken.write_bytes(b"not a zip")
    cli("channel", "add", "app_android", "cn.gov.broken", "--attr", f"package_file={broken}")
    cli("channel", "add", "app_ios", "cn.gov.example.service", "--attr", f"package_file={ipa}")
    cli("channel", "add", "website", "https://www.example.gov.cn")
    return {"ipa": str(ipa)}


def test_an_app_run_stores_findings_with_the_package_digest(cli: Any, tmp_path: Path) -> None:
    _register(cli, tmp_path)
    result = cli.json("app", "scan")
    assert result["channels"] == 5  # the app channels, not the website
    rows = json.loads(cli("findings", "--run", str(result["run"]), "--format", "json").stdout)["findings"]
    by = {(r["address"], r["check"]): r for r in rows}
    a2dp = {check: by["a2dp.Vol", check] for check in VERDICTS["a2dp.Vol_137.apk"]}
    assert {check: r["status"] for check, r in a2dp.items()} == VERDICTS["a2dp.Vol_137.apk"]
    digest = EXPECTED["a2dp.Vol_137.apk"]["sha256"]
    archive = Path(cli.env["MGOV_HOME"]) / "archive"
    for row in a2dp.values():
        assert row["value"]["sha256"] == digest
        package_ref, analysis_ref = row["evidence"]
        assert package_ref == {"file": f"apps/{digest}.warc.gz", "offset": 0,
                               "length": (archive / "apps" / f"{digest}.warc.gz").stat().st_size}
    package = read_record(archive, package_ref)
    assert package.rec_type == "resource" and package.payload == A2DP.read_bytes()
    assert package.warc_header("WARC-Target-URI") == f"urn:sha256:{digest}"
    sha = base64.b32encode(hashlib.sha256(A2DP.read_bytes()).digest()).decode()
    assert package.warc_header("WARC-Payload-Digest") == f"sha256:{sha}"
    analysis = read_record(archive, analysis_ref)
    facts = json.loads(analysis.payload)
    assert analysis.rec_type == "metadata" and facts["sha256"] == digest and facts["package"] == "a2dp.Vol"
    assert facts["channel"] == {"kind": "app_android", "address": "a2dp.Vol"}
    assert by["duplicate.permisssions", "app.debuggable"]["status"] == "fail"
    assert by["cn.gov.example.service", "app.ats"]["status"] == "fail"
    assert ("cn.gov.example.service", "app.debuggable") not in by or \
        by["cn.gov.example.service", "app.debuggable"]["status"] == "not_applicable"
    none = by["cn.gov.nopackage", "app.trackers"]
    assert none["status"] == "error" and "channel attribute package_file" in none["message"] and none["evidence"] == []
    broken = by["cn.gov.broken", "app.trackers"]
    assert broken["status"] == "error" and "not an APK or IPA: not a ZIP archive" in broken["message"]
    assert broken["value"]["sha256"] == hashlib.sha256(b"not a zip").hexdigest() and len(broken["evidence"]) == 2

    # Again: the same packages are not archived twice; the findings point at the same record.
    again = cli.json("app", "scan", "--channel", "a2dp.Vol")
    assert again["channels"] == 1
    rows2 = json.loads(cli("findings", "--run", str(again["run"]), "--format", "json").stdout)["findings"]
    assert {json.dumps(r["evidence"][0]) for r in rows2 if r["status"] != "not_applicable"} == {json.dumps(package_ref)}
    assert sorted(p.name for p in (archive / "apps").iterdir()) == sorted(
        f"{h}.warc.gz" for h in (digest, EXPECTED["duplicate.permisssions_9999999.apk"]["sha256"],
                                 hashlib.sha256(b"not a zip").hexdigest(),
                                 hashlib.sha256(Path(tmp_path / "gov.ipa").read_bytes()).hexdigest()))


def test_an_app_run_refuses_what_it_cannot_judge(cli: Any) -> None:
    cli("channel", "add", "website", "https://www.example.gov.cn")
    assert "no registered channel of kind app_android, app_ios matches" in cli("app", "scan", code=1).output
    cli("channel", "add", "app_android", "a2dp.Vol", "--attr", f"package_file={A2DP}")
    assert "an app run cannot take channels of kind website" in cli("app", "scan", "--kind", "website", code=1).output
    assert "need(s) the app pass" in cli("scan", "--checks", "app.trackers", code=1).output


def test_app_channels_are_assessed_with_cn_pipl_app(cli: Any, tmp_path: Path) -> None:
    """The profile's checks run with `mgov app scan --profile`, and `mgov assess` scores them:
    a2dp loses cleartext (10), signing (5) and platform (5); given a policy that never mentions
    SMS, storage, phone or accounts, its permissions veto (认定方法 二.1)."""
    from mgov import clock

    policy = tmp_path / "policy.txt"
    policy.write_text("我们收集您的位置信息和通讯录。", encoding="utf-8")
    cli("org", "add", "cn-440300", "-j", "cn", "--tier", "prefecture", "--name-zh", "深圳市人民政府")
    cli("channel", "add", "app_android", "a2dp.Vol", "--owner", "cn-440300", "--attr", f"package_file={A2DP}")
    cli("channel", "add", "app_android", "duplicate.permisssions", "--owner", "cn-440300",
        "--attr", f"package_file={DUPLICATE}")
    run = cli.json("app", "scan", "--profile", "cn-pipl-app")
    assert set(run["summary"]) == {"app.permissions", "app.trackers", "app.cleartext", "app.secrets",
                                   "app.debuggable", "app.backup", "app.exported", "app.webview", "app.signing",
                                   "app.sdk", "app.ios_usage", "app.ats"}
    period = f"{clock.now():%Y-%m}"
    scores = {c["address"]: (c["verdict"], c["score"], c["vetoes"]) for c in
              cli.json("assess", "--profile", "cn-pipl-app", "--period", period)["channels"]}
    assert scores == {"a2dp.Vol": ("pass", 80.0, []), "duplicate.permisssions": ("pass", 70.0, [])}
    cli("channel", "edit", "a2dp.Vol", "--attr", f"privacy_policy_file={policy}")
    cli.json("app", "scan", "--profile", "cn-pipl-app", "--channel", "a2dp.Vol")
    scores = {c["address"]: (c["verdict"], c["vetoes"]) for c in
              cli.json("assess", "--profile", "cn-pipl-app", "--period", period)["channels"]}
    assert scores["a2dp.Vol"] == ("fail", ["n1_permissions"])
