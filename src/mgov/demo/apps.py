"""The demo's app channels: the four APKs bundled in demo/data/apk (androguard's test data)
registered as Android apps of four Chinese units of the farm, analysed by the app pass under
the `cn-pipl-app` profile, and verified against what their packages are known to hold
(data/apk/README.md: androguard's reading of each file and the bundled tracker list).

An app's package needs no network: the pass reads the file the channel's `package_file`
attribute names (copied into the demo's home, so the registry points at a stable path)."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from mgov.config import Settings
from mgov.demo.farm import Manifest
from mgov.registry import service
from mgov.registry.records import Batch, ChannelRecord, Origin
from mgov.runs import store
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

APP_PROFILE = "cn-pipl-app"
# (file, package name = the channel's address, the app's name). The verdicts each package
# earns, from its facts: cleartext allowed by a target SDK <= 27 (jamendo, a2dp, duplicate),
# a debuggable release (duplicate), v1-only signatures with SHA-1 (jamendo, a2dp) or v1 only
# (duplicate), target SDKs far below the platform's floor (all four), backup not disabled
# (all four), components exported by intent filters (all but duplicate), dangerous
# permissions no policy was given to justify (all but intent_filter). No tracker SDK, no
# hard-coded secret, no WebView JavaScript interface in any of them.
_PASS = {"app.trackers": "pass", "app.secrets": "pass", "app.webview": "pass", "app.debuggable": "pass"}
APPS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("com.teleca.jamendo_35.apk", "com.teleca.jamendo", "Jamendo",
     {**_PASS, "app.permissions": "warn", "app.cleartext": "fail", "app.backup": "warn", "app.exported": "warn",
      "app.sdk": "fail", "app.signing": "fail"}),
    ("a2dp.Vol_137.apk", "a2dp.Vol", "A2DP Volume",
     {**_PASS, "app.permissions": "warn", "app.cleartext": "fail", "app.backup": "warn", "app.exported": "warn",
      "app.sdk": "fail", "app.signing": "fail"}),
    ("duplicate.permisssions_9999999.apk", "duplicate.permisssions", "urzip",
     {**_PASS, "app.permissions": "warn", "app.cleartext": "fail", "app.debuggable": "fail", "app.backup": "warn",
      "app.exported": "pass", "app.sdk": "fail", "app.signing": "fail"}),
    ("com.test.intent_filter.apk", "com.test.intent_filter", "Intent filter test",
     {**_PASS, "app.permissions": "pass", "app.cleartext": "pass", "app.backup": "warn", "app.exported": "warn",
      "app.sdk": "fail", "app.signing": "pass"}),
)
_FOUND = ("fail", "warn")  # a verdict that reports something


def register_apps(engine: Engine, home: Path, manifest: Manifest) -> list[str]:
    """The APKs copied to <home>/demo-apps and registered as app channels of the farm's first
    Chinese units; their addresses."""
    units = sorted({s.organization.code for s in manifest.sites if s.jurisdiction == "cn"})
    if not units:
        return []
    folder = home / "demo-apps"
    folder.mkdir(parents=True, exist_ok=True)
    channels = []
    for n, (name, package, title, _) in enumerate(APPS):
        target = folder / name
        with as_file(files("mgov.demo") / "data" / "apk" / name) as bundled:
            shutil.copyfile(bundled, target)
        channels.append(ChannelRecord("app_android", package, Origin("mgov demo"), name=title,
                                      owner=units[n % len(units)], attributes={"package_file": str(target)}))
    with engine.begin() as conn:
        service.write(conn, Batch(channels=channels))
    return [c.address for c in channels]


def scan_apps(engine: Engine, settings: Settings, addresses: list[str]) -> dict[str, Any]:
    """The app pass over the demo's apps with the profile's checks, verified package by package."""
    run_id = start_run(engine, run_params(kind="app", channels=addresses, profile=APP_PROFILE,
                                          profile_dirs=settings.profile_dirs))
    result = execute_run(engine, settings, run_id, workers=1)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    got: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        got.setdefault(r["address"], {})[r["check_id"]] = {"status": r["status"], "message": r["message"]}
    return {"scan": result, "apps": len(addresses), "verification": verify_apps(got)}


def verify_apps(got: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Each package's expected verdicts against the findings (the farm verification's shape:
    a defect is an expected fail or warn; a false alarm a fail or warn where a pass is due)."""
    missed: list[dict[str, Any]] = []
    alarms: list[dict[str, Any]] = []
    defects = detected = 0
    for _, package, _, expected in APPS:
        findings = got.get(package, {})
        for check, verdict in expected.items():
            status = findings.get(check, {}).get("status")
            if verdict in _FOUND:
                defects += 1
                if status == verdict:
                    detected += 1
                else:
                    missed.append({"address": package, "defect": f"{check}={verdict}", "got": {check: status}})
            elif status in _FOUND:
                alarms.append({"address": package, "check": check, "message": findings[check]["message"]})
    return {"defects": defects, "detected": detected, "missed": missed, "false_alarms": alarms,
            "ok": not missed and not alarms}
