"""`mgov demo`: the whole loop on the embedded default, on this machine alone.

Registers the bundled registries (the real US .gov snapshot and a Chinese sample), starts
the demo farm of simulated government sites on loopback, registers its sites, scans them
with every check, crawls them twice (the second time after the farm's sites changed),
compares the findings of each pass with the farm's defects manifest, and prints the
accountability audit; then assesses the Chinese sites (cn-2019-website, this quarter), opens
their rectification tasks, makes two demo logins and, when asked, serves the dashboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mgov import clock

if TYPE_CHECKING:
    from mgov.cli.common import State
    from mgov.demo.farm import Manifest

DEMO_SEED = 2026
DEMO_SITES = 60  # enough for every defect of the manifest to occur at least once


def run_demo(st: State, *, seed: int = DEMO_SEED, count: int = DEMO_SITES, serve: bool = False,
             host: str = "127.0.0.1", port: int = 8000) -> dict[str, Any]:
    from collections import Counter
    from importlib.resources import as_file, files

    import yaml

    from mgov.cli.common import console, print_table
    from mgov.db.engine import upgrade
    from mgov.demo.farm import generate, run_in_thread
    from mgov.i18n import t
    from mgov.formats.load import import_file
    from mgov.registry.accountability import RULES, load_inputs, run_audit

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
    from mgov.cli.scan import print_summary

    with run_in_thread(manifest) as farm:
        (st.settings.home / "demo-farm-manifest.json").write_text(manifest.to_json(indent=1), encoding="utf-8")
        outcome = run_on_farm(st, manifest, farm, "scan")
        print_summary(st.lang, outcome["scan"])
        _print_verification(st, manifest, "demo_verified", outcome["verification"])
        # Two crawls: the second, after the farm's sites moved on (epoch 2), is what shows
        # backdated items and tampered homepages against the first one's history.
        outcome["crawls"] = []
        for epoch in (1, 2):
            farm.set_epoch(epoch)
            crawl = run_on_farm(st, manifest, farm, "crawl", epoch=epoch)
            outcome["crawls"].append(crawl)
            print_summary(st.lang, crawl["scan"])
            _print_verification(st, manifest, "demo_crawl_verified", crawl["verification"], epoch=epoch,
                                pages=crawl["pages"])

    with engine.connect() as conn:
        inputs = load_inputs(conn)
    findings = run_audit(inputs, st.settings.audit, clock.today())
    by_rule = Counter(f.rule for f in findings)
    print_table(st.lang, [{"rule": r, "severity": RULES[r]["severity"], "count": n}
                          for r, n in sorted(by_rule.items())], ["rule", "severity", "count"])
    console.print(t(st.lang, "audit_summary", n=len(findings), channels=len(inputs.channels)))

    from mgov.demo import dashboard

    outcome["assessment"] = dashboard.assess_demo(st)
    a = outcome["assessment"]
    console.print(t(st.lang, "demo_assessed", profile=dashboard.DEMO_PROFILE, tasks=a["tasks"], assessment=a["assessment"],
                    period=a["period"], verdicts=", ".join(f"{k} {v}" for k, v in sorted(a["verdicts"].items()))))
    outcome["logins"] = dashboard.demo_logins(st, manifest)
    if serve and all(c["ok"] for c in [outcome["verification"], *(c["verification"] for c in outcome["crawls"])]):
        dashboard.serve(st, outcome["logins"], host, port)
    else:
        dashboard.print_logins(st, outcome["logins"])
    return outcome


def _print_verification(st: State, manifest: Manifest, message: str, check: dict[str, Any], **extra: Any) -> None:
    from mgov.cli.common import console
    from mgov.i18n import t

    console.print(t(st.lang, message, sites=len(manifest.sites), defects=check["defects"],
                    detected=check["detected"], false_alarms=len(check["false_alarms"]), **extra))
    for miss in check["missed"][:10]:
        console.print(f"  missed {miss['defect']} on {miss['host']}: {miss['got']}")
    for alarm in check["false_alarms"][:10]:
        console.print(f"  false alarm {alarm['check']} on {alarm['host']}: {alarm['message']}")


# A farm site answers in milliseconds, but a slow one (availability.slow) takes 3 s a
# response: the crawl's time budget keeps the demo within its two minutes. Eight sites at a
# time in each of the two worker processes keep every other site's crawl (a few seconds)
# well inside that budget, even on a busy machine.
DEMO_CRAWL_LIMITS = {"max_seconds": 15.0}
DEMO_CRAWL_CONCURRENCY = 16
DEMO_WORKERS = 2


def run_on_farm(st: State, manifest: Manifest, farm: Any, kind: str, *, epoch: int = 1) -> dict[str, Any]:
    """Scan or crawl every farm site through the farm's DNS and ports; verify against the
    manifest (the defects of that pass and of the farm's epoch)."""
    from mgov.crawl.store import crawl_counts
    from mgov.demo.verify import verify
    from mgov.scan import store
    from mgov.scan.collector import RoutingOptions
    from mgov.scan.service import execute_run, scan_params, start_run

    engine = st.engine()
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    run_id = start_run(engine, scan_params(kind=kind, channels=[s.registry.address for s in manifest.sites],
                                           routing=routing, limits=DEMO_CRAWL_LIMITS if kind == "crawl" else None))
    # Worker processes leave this process's GIL to the farm's thread: two cores, not one.
    result = execute_run(engine, st.settings, run_id, workers=DEMO_WORKERS,
                         concurrency=DEMO_CRAWL_CONCURRENCY if kind == "crawl" else None)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
        pages = crawl_counts(conn, run_id)["pages"] if kind == "crawl" else 0
    by_host: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        host = r["address"].split("://", 1)[1].split("/", 1)[0]
        by_host.setdefault(host, {})[r["check_id"]] = {"status": r["status"], "message": r["message"]}
    return {"scan": result, "pages": pages,
            "verification": verify(manifest, by_host, run_kind=kind, epoch=epoch).as_dict()}
