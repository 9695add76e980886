"""The demo's app channels: the four bundled APKs registered under the farm's Chinese units,
analysed by the app pass with cn-pipl-app, each verdict the package calls for given and no
other, then assessed (the demo's own verification, mgov.demo.apps)."""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from mgov.assess.service import run_assessment
from mgov.config import Settings
from mgov.db.tables import CHANNELS, ORGS
from mgov.demo.apps import APP_PROFILE, APPS, register_apps, scan_apps, verify_apps
from mgov.demo.farm import generate
from mgov.formats.load import import_file

# The bundled copies are the shared test data's bytes (data/apk/README.md).
DIGESTS = {"com.teleca.jamendo_35.apk": "44e880a1e6c64a5a273fcdb568054bc298669377e60302f0b97ccd13ffb33b6d",
           "a2dp.Vol_137.apk": "fb913cccb0957c5b52caea48c3ef7a3ce1d616219b47eed65482097920fe8cc5",
           "duplicate.permisssions_9999999.apk": "9ffc7e9b2740ce664059194805b2fbfc08b7970c8448a22b8bd828dfd6ad161c",
           "com.test.intent_filter.apk": "25b6c02aa3f12268094164aa2588fafe7853c03fe1e6ac70215d8bf75d54539e"}


def test_the_bundled_packages_are_the_shared_ones() -> None:
    for name, digest in DIGESTS.items():
        assert hashlib.sha256((files("mgov.demo") / "data" / "apk" / name).read_bytes()).hexdigest() == digest


def test_the_demo_apps_are_registered_analysed_verified_and_assessed(engine: Engine, tmp_path: Path) -> None:
    import yaml

    manifest = generate(7, 6)
    document = tmp_path / "farm.yaml"
    document.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    import_file(engine, document, "native")
    settings = Settings(home=tmp_path, database_url=str(engine.url), archive_dir=tmp_path / "archive")
    addresses = register_apps(engine, tmp_path, manifest)
    assert addresses == [package for _, package, _, _ in APPS]
    with engine.connect() as conn:
        rows = conn.execute(select(CHANNELS.c.address, CHANNELS.c.kind, CHANNELS.c.attributes, ORGS.c.jurisdiction)
                            .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                            .where(CHANNELS.c.kind == "app_android")).all()
    assert sorted(r.address for r in rows) == sorted(addresses) and {r.jurisdiction for r in rows} == {"cn"}

    done = scan_apps(engine, settings, addresses)
    v = done["verification"]
    assert v["ok"], v
    assert v["defects"] == v["detected"] == sum(1 for *_, e in APPS for s in e.values() if s != "pass")

    summary: dict[str, Any] = run_assessment(engine, APP_PROFILE, "2026Q4", profile_dirs=settings.profile_dirs,
                                             detail=False)
    assessed = {c["address"] for c in summary["channels"]}
    assert assessed == set(addresses)


def test_a_wrong_verdict_is_missed_and_an_unexpected_one_a_false_alarm() -> None:
    got = {package: {check: {"status": status, "message": ""} for check, status in expected.items()}
           for _, package, _, expected in APPS}
    assert verify_apps(got)["ok"]
    got["a2dp.Vol"]["app.cleartext"]["status"] = "pass"  # expected fail
    got["com.test.intent_filter"]["app.signing"]["status"] = "fail"  # expected pass
    v = verify_apps(got)
    assert [m["defect"] for m in v["missed"]] == ["app.cleartext=fail"]
    assert [(a["address"], a["check"]) for a in v["false_alarms"]] == [("com.test.intent_filter", "app.signing")]


def test_an_unreadable_privacy_policy_leaves_the_package_judged_without_it(tmp_path: Path) -> None:
    from mgov.checks.plugins import all_checks
    from mgov.evidence.app import AppStatus
    from mgov.evidence.site import ChannelFacts, SiteEvidence
    from mgov.scan.app_kind import analyse_channel

    apk = tmp_path / "a2dp.apk"
    apk.write_bytes((files("mgov.demo") / "data" / "apk" / "a2dp.Vol_137.apk").read_bytes())
    facts = ChannelFacts("app_android", "a2dp.Vol", "", "cn", attributes={
        "package_file": str(apk), "privacy_policy_file": str(tmp_path / "missing-policy.txt")})
    app, data = analyse_channel(facts)
    assert app.status is AppStatus.OK and data is not None and not app.policy_given
    assert app.error is not None and "missing-policy.txt" in app.error
    finding = all_checks()["app.permissions"].run(SiteEvidence(facts, app.analysed_at, app=app))
    assert finding.status.value == "warn" and "missing-policy.txt" in finding.message
