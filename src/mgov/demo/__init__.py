"""`mgov demo`: the whole loop on the embedded default, on this machine alone.

Registers the bundled registries (the real US .gov snapshot and a Chinese sample), starts
the demo farm of simulated government sites on loopback, registers its sites, scans them
with every check, compares the findings with the farm's defects manifest, and prints the
accountability audit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mgov.cli.common import State
    from mgov.demo.farm import Manifest

DEMO_SEED = 2026
DEMO_SITES = 60  # enough for every defect of the manifest to occur at least once


def run_demo(st: State, *, seed: int = DEMO_SEED, count: int = DEMO_SITES) -> dict[str, Any]:
    from collections import Counter
    from importlib.resources import as_file, files

    import yaml

    from mgov.cli.common import console, print_table
    from mgov.db.engine import upgrade
    from mgov.demo.farm import generate, run_in_thread
    from mgov.i18n import t
    from mgov.io.load import import_file
    from mgov.registry.audit import RULES, load_inputs, run_audit

    st.settings.home.mkdir(parents=True, exist_ok=True)
    engine = st.engine(check_schema=False)
    upgrade(engine)
    data = files("mgov.demo") / "data"
    for fmt, name in (("dotgov", "current-full.csv"), ("native", "cn-sample.yaml")):
        with as_file(data / name) as path:
            result = import_file(engine, path, fmt)
        console.print(t(st.lang, "import_summary", read=result.rows_read, file=name,
                        bad=len(result.problems), changes=result.report.changes))

    manifest = generate(seed, count)
    farm_file = st.settings.home / "demo-farm.yaml"
    farm_file.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True, sort_keys=False),
                         encoding="utf-8")
    result = import_file(engine, farm_file, "native")
    console.print(t(st.lang, "import_summary", read=result.rows_read, file=farm_file.name,
                    bad=len(result.problems), changes=result.report.changes))
    with run_in_thread(manifest) as farm:
        (st.settings.home / "demo-farm-manifest.json").write_text(manifest.to_json(indent=1), encoding="utf-8")
        outcome = scan_farm(st, manifest, farm)
    from mgov.cli.scan import print_summary

    print_summary(st.lang, outcome["scan"])
    check = outcome["verification"]
    console.print(t(st.lang, "demo_verified", sites=len(manifest.sites), defects=check["defects"],
                    detected=check["detected"], false_alarms=len(check["false_alarms"])))
    for miss in check["missed"][:10]:
        console.print(f"  missed {miss['defect']} on {miss['host']}: {miss['got']}")
    for alarm in check["false_alarms"][:10]:
        console.print(f"  false alarm {alarm['check']} on {alarm['host']}: {alarm['message']}")

    with engine.connect() as conn:
        inputs = load_inputs(conn)
    findings = run_audit(inputs, st.settings.audit, dt.date.today())
    by_rule = Counter(f.rule for f in findings)
    print_table(st.lang, [{"rule": r, "severity": RULES[r]["severity"], "count": n}
                          for r, n in sorted(by_rule.items())], ["rule", "severity", "count"])
    console.print(t(st.lang, "audit_summary", n=len(findings), channels=len(inputs.channels)))
    return outcome


def scan_farm(st: State, manifest: Manifest, farm: Any) -> dict[str, Any]:
    """Scan every farm site through the farm's DNS and ports; verify against the manifest."""
    from mgov.demo.verify import verify
    from mgov.scan import store
    from mgov.scan.collector import RoutingOptions
    from mgov.scan.service import execute_run, scan_params, start_run

    engine = st.engine()
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    run_id = start_run(engine, scan_params(channels=[s.registry.address for s in manifest.sites], routing=routing))
    result = execute_run(engine, st.settings, run_id)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_host: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        host = r["address"].split("://", 1)[1].split("/", 1)[0]
        by_host.setdefault(host, {})[r["check_id"]] = {"status": r["status"], "message": r["message"]}
    return {"scan": result, "verification": verify(manifest, by_host).as_dict()}
