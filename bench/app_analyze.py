"""Benchmark (issue 18): `mgov app analyze` on each of the four test APKs beside androguard's
own CLI analysis of the same file, in one run.

Goal: `mgov app analyze FILE` under 20 s for each APK (process start-up included).

What runs, per APK, `--rounds` times (the median is reported):
  1. `mgov app analyze FILE --format json` (this checkout's .venv): the package read,
     analysed (manifest, permissions, components, network security config, signing, every
     DEX's classes, strings and method references, the tracker list) and judged by the app
     checks;
  2. `androguard analyze FILE`: androguard's own analysis command, which loads the APK, its
     DEX and the cross-referencing `Analysis` of all classes and methods, then opens an
     IPython shell; the shell is given `exit` on standard input (its shutdown prompt reads
     end of file). The time is the whole process; the run counts only when androguard printed
     its loaded objects (`>>> dx`);
  3. `androguard axml FILE` and `androguard sign FILE` (the decoded manifest and the signing
     certificates), the lighter commands closest to what mgov reads, timed together;
  4. mgov's analysis alone, in this interpreter (`mgov.apps.package.analyze_file`), and
     mgov's start-up alone (`mgov checks list`), which together make up most of 1.

androguard writes androguard.log (and a session database) into its working folder: every
command runs in a temporary folder. The machine is shared: the load average is printed.

    .venv/bin/python bench/app_analyze.py [--apks DIR] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GOAL_SECONDS = 20.0
APKS = ("com.teleca.jamendo_35.apk", "a2dp.Vol_137.apk", "duplicate.permisssions_9999999.apk",
        "com.test.intent_filter.apk")


def timed(cmd: list[str], cwd: Path, stdin: str = "") -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=600, check=False)
    return time.perf_counter() - started, done


def mgov_round(apk: Path, cwd: Path) -> tuple[float, dict[str, Any]]:
    seconds, done = timed([str(BIN / "mgov"), "app", "analyze", str(apk), "--format", "json"], cwd)
    if done.returncode != 0:
        raise SystemExit(f"mgov app analyze {apk.name} failed:\n{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def androguard_round(apk: Path, cwd: Path) -> tuple[float, str]:
    seconds, done = timed([str(BIN / "androguard"), "analyze", str(apk)], cwd, stdin="exit\n")
    loaded = re.search(r">>> dx\n(<analysis\.Analysis[^>]*>)", done.stdout)
    if loaded is None:
        raise SystemExit(f"androguard analyze {apk.name} did not load the APK:\n{done.stdout[-2000:]}")
    return seconds, loaded.group(1)


def light_round(apk: Path, cwd: Path) -> float:
    total = 0.0
    for command in ("axml", "sign"):
        seconds, done = timed([str(BIN / "androguard"), command, str(apk)], cwd)
        if done.returncode != 0:
            raise SystemExit(f"androguard {command} {apk.name} failed:\n{done.stderr[-2000:]}")
        total += seconds
    return total


def in_process(apk: Path) -> float:
    """The analysis alone (no process start-up): mgov.apps in this interpreter."""
    from mgov.apps.package import analyze_file

    started = time.perf_counter()
    analyze_file(apk)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apks", type=Path, default=ROOT.parent / "shared" / "data" / "apk")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="mgov-bench-apps-") as tmp:
        cwd = Path(tmp)
        # The floor: mgov's start-up with its checks loaded and nothing analysed.
        floor = statistics.median(timed([str(BIN / "mgov"), "checks", "list", "--format", "json"], cwd)[0]
                                  for _ in range(args.rounds))
        print(f"mgov start-up (mgov checks list): {floor:.2f} s")
        for name in APKS:
            apk = args.apks / name
            mgov, theirs, light, inside = [], [], [], []
            facts: dict[str, Any] = {}
            loaded = ""
            for _ in range(args.rounds):  # interleaved, so a busy moment hits both sides alike
                seconds, facts = mgov_round(apk, cwd)
                mgov.append(seconds)
                seconds, loaded = androguard_round(apk, cwd)
                theirs.append(seconds)
                light.append(light_round(apk, cwd))
                inside.append(in_process(apk))
            row = {"apk": name, "bytes": apk.stat().st_size, "mgov_s": statistics.median(mgov),
                   "androguard_analyze_s": statistics.median(theirs),
                   "androguard_axml_sign_s": statistics.median(light), "analysis_s": statistics.median(inside),
                   "classes": facts["app"]["dex_classes"], "androguard": loaded,
                   "findings": {f["check"]: f["status"] for f in facts["findings"]}}
            row["goal_ratio"] = row["mgov_s"] / GOAL_SECONDS
            row["vs_androguard"] = row["mgov_s"] / row["androguard_analyze_s"]
            rows.append(row)
            print(f"{name:38} {row['bytes']:>9,} B  mgov {row['mgov_s']:6.2f} s "
                  f"({row['goal_ratio']:.2f} × the 20 s goal; analysis {row['analysis_s']:.2f} s)"
                  f"  androguard analyze {row['androguard_analyze_s']:6.2f} s (mgov {row['vs_androguard']:.2f} ×)"
                  f"  axml+sign {row['androguard_axml_sign_s']:5.2f} s  {row['classes']} classes; {loaded}")
    worst = max(r["mgov_s"] for r in rows)
    print(f"slowest mgov app analyze: {worst:.2f} s = {worst / GOAL_SECONDS:.2f} × the {GOAL_SECONDS:.0f} s goal "
          f"({'met' if worst < GOAL_SECONDS else 'NOT met'})")
    if args.json:
        args.json.write_text(json.dumps({"load": load, "startup_s": floor, "rows": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
