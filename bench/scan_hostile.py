"""Benchmark: `mgov scan` of the demo farm through a hostile network (issue 13), beside the
same scan of a clean farm, on a busy machine.

Goals: (1) the confirmation pass costs at most 10% of the scan's time when 5% of first
attempts fail transiently (farm sites down, 503, for a moment from their first request);
(2) scanning 1,000 hostile-network sites (30% of UDP DNS queries lost, 5% SERVFAIL, 0-150 ms
jitter, a fifth of the sites resetting first connections, a twentieth briefly down) while a
CPU hog keeps both cores busy gives
precision and recall 1.0 against the farm's manifest, 0 sites reported down that are up, and
0 "slow" warnings on healthy sites.

What runs, all on loopback, for each scenario: the farm as its own process (`python -m
mgov.demo.farm` with the scenario's faults), a fresh SQLite database, the farm's registry
imported (not timed), then the real `python -m mgov scan --json` with every check as a
subprocess (its wall time is its whole life; the re-check's share comes from the run's own
`passes` figures), and the findings compared with the manifest (mgov.demo.verify).

    .venv/bin/python bench/scan_hostile.py [--count 1000] [--seed 3] [--busy-cores 2]
        [--scenarios clean,transient,hostile]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _procs import run_measured, stop  # bench/_procs.py, beside this script
from mgov.demo.farm.cpuhog import busy_cores
from scan_farm import start_farm  # the farm as its own process, as the clean scan benchmark starts it

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # mgov from this checkout, for the comparison
GOAL_RECHECK_SHARE = 0.10
SCENARIOS = {
    "clean": [],
    "transient": ["--outage-share", "0.05"],  # 5% of sites fail a first attempt (503 for a moment)
    "hostile": ["--hostile-network"],  # DNS losses and SERVFAIL, jitter, 20% resetting sites
}


def scan(info: dict, env: dict[str, str], tmp: Path) -> dict:
    # Deferred: PyYAML and mgov's manifest model load for the registration only.
    import yaml

    from mgov.demo.farm.manifest import Manifest

    manifest = Manifest.from_json(Path(info["manifest"]).read_bytes())
    doc = tmp / "registry.yaml"
    doc.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mgov", "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "mgov", "import", str(doc)], env=env, check=True, capture_output=True)
    cmd = [sys.executable, "-m", "mgov", "scan", "--json", "--allow-private", "--dns", f"127.0.0.1:{info['dns_port']}",
           "--ca-bundle", info["ca_pem"], *(x for rule in info.get("connect_to", []) for x in ("--connect-to", rule))]
    if not info.get("connect_to"):
        cmd += ["--connect-to", f":80::{info['http_port']}", "--connect-to", f":443::{info['https_port']}"]
    m = run_measured(cmd, env)
    if m["rc"] != 0:
        raise SystemExit(f"scan failed ({m['rc']}): {m['stderr'][-3000:]}")
    result = json.loads(m["stdout"][m["stdout"].index("{"):])
    return {"elapsed": m["elapsed"], "cpu": m["cpu"], "rss": m["rss"], "result": result, "manifest": manifest}


def compare(manifest: object, db: Path, run_id: int) -> dict:
    """The scan's findings against the manifest; healthy sites warned slow."""
    # Deferred: SQLAlchemy and mgov's stores load for the comparison only.
    from mgov.db.engine import make_engine
    from mgov.demo.verify import verify
    from mgov.runs import store

    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    engine.dispose()
    by_host: dict[str, dict] = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1], {})[r["check_id"]] = r
    report = verify(manifest, by_host)  # type: ignore[arg-type]  # a Manifest
    slow = [h for h, found in by_host.items() if (found.get("availability") or {}).get("status") == "warn"
            and not any(s.host == h and s.has("availability.slow") for s in manifest.sites)]  # type: ignore[attr-defined]  # a Manifest
    return {"report": report, "slow_healthy": slow}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--busy-cores", type=int, default=2, help="the CPU hog of the hostile scenario")
    parser.add_argument("--scenarios", default="clean,transient,hostile")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {platform.node()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {args.count} sites, seed {args.seed}, {args.latency_ms:g} ms latency")
    rows = []
    for name in args.scenarios.split(","):
        tmp = Path(tempfile.mkdtemp(prefix=f"mgov-bench-hostile-{name}-"))
        busy = args.busy_cores if name == "hostile" else 0
        farm = None
        try:
            # The farm stands for remote servers, which a busy scanner machine does not slow: with
            # the CPU hog it runs at a higher priority (as root), the hog and the scanner at the usual one.
            prefix = ("nice", "-n", "-10") if busy and os.geteuid() == 0 else ()
            farm, info = start_farm(args, tmp, tuple(SCENARIOS[name]), prefix)
            env = {**os.environ, "MGOV_DATABASE_URL": f"sqlite:///{tmp}/scan.db", "MGOV_HOME": str(tmp / "home"),
                   "MGOV_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
            with busy_cores(busy):  # from before the scan to its end (registration included)
                s = scan(info, env, tmp)
            c = compare(s["manifest"], tmp / "scan.db", s["result"]["run"])
        finally:
            stop(farm)
        passes, report = s["result"]["passes"], c["report"]
        share = passes["recheck_seconds"] / s["elapsed"]
        rows.append((name, s, c))
        print(f"\n{name}{f' (CPU hog on {busy} cores)' if busy else ''}: {s['result']['channels']} sites in "
              f"{s['elapsed']:.1f} s ({s['result']['channels'] / s['elapsed']:.1f} sites/s), scanner CPU "
              f"{s['cpu']:.0f} s, peak RSS {s['rss'] / 2**20:.0f} MiB")
        print(f"  first pass {passes['first_seconds']:.1f} s; re-check {passes['recheck_seconds']:.1f} s "
              f"({share:.1%} of the scan; {passes['rechecked']} channels, {passes['findings_rechecked']} verdicts, "
              f"{passes['recovered']} recovered)")
        print(f"  against the manifest: {report.detected}/{report.defects} defects, precision {report.precision:.4f}, "
              f"recall {report.recall:.4f}, {len(report.false_alarms)} false alarms, "
              f"{len(report.down_but_up)} reported down that are up, "
              f"{len(c['slow_healthy'])} healthy sites warned slow")
        for alarm in report.false_alarms[:10]:
            print(f"    false alarm {alarm['check']} on {alarm['host']}: {alarm['message']}")
        for miss in report.missed[:10]:
            print(f"    missed {miss['defect']} on {miss['host']}: {miss['got']}")
        shutil.rmtree(tmp, ignore_errors=True)
    by = {name: s for name, s, _ in rows}
    if "clean" in by and "transient" in by:
        clean, transient = by["clean"], by["transient"]
        extra = transient["result"]["passes"]["recheck_seconds"]
        share = extra / transient["elapsed"]
        print(f"\nconfirmation with 5% transient first-attempt failures: re-check {extra:.1f} s = "
              f"{share:.1%} of the scan ({share / GOAL_RECHECK_SHARE:.2f} × "
              f"the 10% limit); scan {transient['elapsed']:.1f} s vs clean {clean['elapsed']:.1f} s "
              f"({transient['elapsed'] / clean['elapsed']:.2f} ×)")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    main()
