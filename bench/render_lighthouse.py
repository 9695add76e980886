"""Benchmark (issue 16): Lighthouse's accessibility audit beside mgov's render pass, on the
same demo-farm pages in one run.

Goal: mgov at least 5x Lighthouse's pages per minute, and the rules both implement agree
(every disagreement is printed).

What runs, all on loopback:
  1. the farm, as its own process (`python -m mgov.demo.farm`, bench/scan_farm.py's start_farm);
  2. N pages of it (default 50): the homepages of the sites a browser can load (not the
     unreachable defects: certificates that do not verify, 503s, 3 s delays, HTTP only), then
     the 适老版 (/elder/) of cn sites until N;
  3. Lighthouse (npm `lighthouse`, installed into bench/out/lighthouse/ when missing), one
     page after another, accessibility category only, Debian's Chromium (CHROME_PATH), the
     isolation flags of DEVELOPERS.md with the farm's names mapped to its ports
     (--host-resolver-rules) and its certificates accepted (--ignore-certificate-errors);
  4. mgov: one `mgov inspect URL... --format jsonl --allow-private` with the farm's DNS, CA
     and connect-to rules, over the same pages (if this mgov has no `inspect`, that half
     fails, clearly, and the Lighthouse half still runs).

Each side's pages per minute is its wall time over the pages (process start-up included).
Lighthouse's accessibility audits are axe-core rules: per page and rule id, Lighthouse's
binary audits (score 1 passed, 0 failed, notApplicable inapplicable) are compared with the
outcome mgov's findings give the same axe rule (their value's `rules`: failed on any viewport
counts as failed). Rules both report on a page are compared; each disagreement is listed.

    .venv/bin/python bench/render_lighthouse.py [--pages 50] [--count 80] [--seed 1]
        [--lighthouse-only] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _procs import stop  # bench/_procs.py, beside this script
from scan_farm import start_farm  # the farm as its own process

ROOT = Path(__file__).resolve().parents[1]
LH_DIR = ROOT / "bench" / "out" / "lighthouse"
LH_VERSION = "13.5.0"
CHROMIUM = "/usr/bin/chromium"
GOAL_RATIO = 5.0
# The launch flags every Chromium of mgov's gets (DEVELOPERS.md); the resolver rules map the
# farm's names to its ports instead of refusing every name.
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run --ignore-certificate-errors")
UNLOADABLE = {"tls.expired", "tls.self_signed", "tls.wrong_host", "availability.failing",
              "availability.flapping", "availability.slow", "https.none", "https.absent", "ipv6.unreachable"}


def lighthouse_cli() -> Path:
    """Lighthouse's CLI, installed into bench/out/lighthouse/ on first use."""
    cli = LH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        if not shutil.which("npm"):
            raise SystemExit("npm is not installed: Lighthouse cannot be installed")
        LH_DIR.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse@{LH_VERSION} into {LH_DIR} ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(LH_DIR),
                        f"lighthouse@{LH_VERSION}"], check=True, capture_output=True)
    return cli


def pick_pages(manifest: dict[str, Any], n: int) -> list[str]:
    sites = [s for s in manifest["sites"] if not UNLOADABLE & set(s["defects"]) and s["role"] == "site"]
    urls = [f"https://{s['host']}/" for s in sites]
    urls += [f"https://{s['host']}/elder/" for s in sites if s["jurisdiction"] == "cn"]
    if len(urls) < n:
        raise SystemExit(f"the farm has {len(urls)} loadable pages, fewer than {n}: raise --count")
    return urls[:n]


def resolver_rules(info: dict[str, Any]) -> str:
    return (f"MAP *:443 127.0.0.1:{info['https_port']}, MAP *:80 127.0.0.1:{info['http_port']}, "
            "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")


def lighthouse_outcomes(report: dict[str, Any]) -> dict[str, str]:
    """axe rule id -> passed | failed | inapplicable, from one Lighthouse report."""
    refs = report.get("categories", {}).get("accessibility", {}).get("auditRefs", [])
    out = {}
    for ref in refs:
        audit = report.get("audits", {}).get(ref["id"], {})
        mode, score = audit.get("scoreDisplayMode"), audit.get("score")
        if mode == "notApplicable":
            out[ref["id"]] = "inapplicable"
        elif mode in ("binary", "numeric") and score is not None:
            out[ref["id"]] = "passed" if score >= 1 else "failed"
    return out


def run_lighthouse(urls: list[str], info: dict[str, Any], tmp: Path) -> dict[str, Any]:
    cli = lighthouse_cli()
    flags = f'{CHROME_FLAGS} --host-resolver-rules="{resolver_rules(info)}"'
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    per_page: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    start = time.perf_counter()
    for n, url in enumerate(urls):
        out = tmp / f"lh-{n}.json"
        cmd = ["node", str(cli), url, "--only-categories=accessibility", "--output=json",
               f"--output-path={out}", f"--chrome-flags={flags}", "--quiet", "--preset=desktop",
               "--max-wait-for-load=30000"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not out.exists():
            errors[url] = (done.stderr or done.stdout).strip()[-500:]
            continue
        report = json.loads(out.read_text())
        if report.get("runtimeError"):
            errors[url] = str(report["runtimeError"])
        per_page[url] = lighthouse_outcomes(report)
    wall = time.perf_counter() - start
    return {"wall_s": wall, "pages": len(urls), "ok": len(per_page), "errors": errors,
            "pages_per_min": 60 * len(per_page) / wall if wall else 0.0, "outcomes": per_page,
            "version": LH_VERSION}


def mgov_outcomes(line: dict[str, Any]) -> dict[str, str]:
    """axe rule id -> outcome, from one jsonl object of `mgov inspect` (its findings' values)."""
    rank = {"failed": 3, "incomplete": 2, "passed": 1, "inapplicable": 0}
    out: dict[str, str] = {}
    for finding in line.get("findings", []):
        value = finding.get("value")
        for rule in value.get("rules", []) if isinstance(value, dict) else []:
            rid, outcome = rule.get("id"), rule.get("outcome")
            if rid and outcome in rank and rank[outcome] >= rank.get(out.get(rid, ""), -1):
                out[rid] = outcome
    return out


def run_mgov(urls: list[str], info: dict[str, Any], tmp: Path) -> dict[str, Any]:
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "MGOV_HOME": str(home), "MGOV_DATABASE_URL": f"sqlite:///{tmp}/inspect.db",
           "MGOV_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "mgov", "inspect", *urls, "--format", "jsonl", "--allow-private",
           "--dns", f"127.0.0.1:{info['dns_port']}", "--ca-bundle", info["ca_pem"],
           "--connect-to", f":80::{info['http_port']}", "--connect-to", f":443::{info['https_port']}"]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    per_page: dict[str, dict[str, str]] = {}
    for raw in done.stdout.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict) and line.get("url"):
            per_page[line["url"]] = mgov_outcomes(line)
    if done.returncode != 0 and not per_page:
        return {"failed": f"`mgov inspect` exited {done.returncode}: {done.stderr.strip()[-800:]}",
                "wall_s": wall, "pages": len(urls), "ok": 0, "pages_per_min": 0.0, "outcomes": {}}
    return {"wall_s": wall, "pages": len(urls), "ok": len(per_page), "exit": done.returncode,
            "pages_per_min": 60 * len(per_page) / wall if wall else 0.0, "outcomes": per_page}


def compare(lh: dict[str, dict[str, str]], mg: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Rules both sides judged on the same page; every page and rule where they differ."""
    both: set[str] = set()
    disagreements = []
    compared = 0
    for url in sorted(set(lh) & set(mg)):
        for rule in sorted(set(lh[url]) & set(mg[url])):
            a, b = lh[url][rule], mg[url][rule]
            if "incomplete" in (a, b):
                continue  # needs a person: neither side concludes
            both.add(rule)
            compared += 1
            if (a == "failed") != (b == "failed"):
                disagreements.append({"url": url, "rule": rule, "lighthouse": a, "mgov": b})
    return {"rules": sorted(both), "compared": compared, "disagreements": disagreements}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--count", type=int, default=80, help="farm sites (the pages come from them)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lighthouse-only", action="store_true", help="skip the mgov half")
    ap.add_argument("--json", help="write the figures and outcomes here")
    args = ap.parse_args()
    args.latency_ms = 0
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is not installed (scripts/system-deps)")
    with tempfile.TemporaryDirectory(prefix="mgov-bench-render-") as name:
        tmp = Path(name)
        farm, info = start_farm(args, tmp)
        try:
            manifest = json.loads((tmp / "manifest.json").read_text())
            urls = pick_pages(manifest, args.pages)
            print(f"{len(urls)} pages of a {args.count}-site farm (seed {args.seed})", flush=True)
            mg: dict[str, Any] = ({"failed": "skipped (--lighthouse-only)", "outcomes": {}, "pages_per_min": 0.0}
                                  if args.lighthouse_only else run_mgov(urls, info, tmp))
            lh = run_lighthouse(urls, info, tmp)
        finally:
            stop(farm)
    result: dict[str, Any] = {"pages": len(urls), "lighthouse": lh, "mgov": mg,
                              "comparison": compare(lh["outcomes"], mg["outcomes"])}
    print(f"Lighthouse {LH_VERSION}: {lh['ok']}/{lh['pages']} pages in {lh['wall_s']:.1f} s: "
          f"{lh['pages_per_min']:.1f} pages/min")
    for url, why in lh["errors"].items():
        print(f"  lighthouse error {url}: {why}")
    if mg.get("failed"):
        print(f"mgov: FAILED: {mg['failed']}")
    else:
        print(f"mgov inspect: {mg['ok']}/{mg['pages']} pages in {mg['wall_s']:.1f} s: "
              f"{mg['pages_per_min']:.1f} pages/min")
        ratio = mg["pages_per_min"] / lh["pages_per_min"] if lh["pages_per_min"] else float("nan")
        result["ratio"] = ratio
        print(f"ratio mgov/Lighthouse: {ratio:.1f}x (goal >= {GOAL_RATIO:.0f}x): "
              f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}")
    cmp = result["comparison"]
    print(f"rules both judged: {len(cmp['rules'])} ({cmp['compared']} page-rule pairs): {', '.join(cmp['rules'])}")
    print(f"disagreements: {len(cmp['disagreements'])}")
    for d in cmp["disagreements"]:
        print(f"  {d['url']} {d['rule']}: lighthouse {d['lighthouse']}, mgov {d['mgov']}")
    failing = sorted({r for page in lh["outcomes"].values() for r, o in page.items() if o == "failed"})
    print(f"rules Lighthouse failed on some page: {', '.join(failing) or 'none'}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
