"""Benchmark: `mgov capture` of the demo farm's new-media accounts (issue 17).

Goal: capture 20,000 farm accounts with 30 new posts each in under 10 minutes on this
machine, peak RSS of mgov's process tree under 1 GiB; a second pass that finds nothing new
costs under a third of the first.

What runs, all on loopback:
  1. the farm, as its own process (`python -m mgov.demo.farm --accounts N --posts-per-day 1
     --account-defect-rate 0`: every account posts once a day, so a 30-day window holds 30
     posts; Weibo, WeChat (article list and pages), feeds and a Mastodon-like server under
     their real host names, through the farm's DNS and CA);
  2. a fresh SQLite database and archive in a temporary directory; the farm's registry
     document imported (`mgov import`, before the clock starts);
  3. the capture run kind through runs.service (start_run, execute_run: what `mgov capture`
     does, with its default workers and concurrency), as a child process of this script: the
     wall time is its whole life (interpreter start-up included), the peak RSS the summed RSS
     of its process tree (its worker processes), sampled every 0.1 s; the farm is not counted;
  4. the same again: the farm has not moved, so the second pass finds nothing new (no post,
     no version, no profile version), and its time is compared with the first's.

The run's `platform_rate` (requests a second to one platform host) is set high enough for
loopback (`--platform-rate`, 5000): the real platforms are asked at 2 a second.

    .venv/bin/python bench/capture_accounts.py [--accounts 20000] [--sites 100] [--workers N]
        [--concurrency N] [--cprofile FILE] [--py-spy FILE] [--keep]
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
from typing import Any

from _procs import proc_cpu, run_measured, start_farm_process, stop  # bench/_procs.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 600.0
GOAL_RSS = 1 << 30
GOAL_SECOND_PASS = 1 / 3


def start_farm(args: argparse.Namespace, tmp: Path) -> tuple[subprocess.Popen, dict[str, Any]]:
    """The farm as its own process; its READY line's facts."""
    return start_farm_process(["--seed", str(args.seed), "--count", str(args.sites), "--accounts", str(args.accounts),
                               "--posts-per-day", str(args.posts_per_day),
                               "--account-defect-rate", str(args.account_defect_rate),
                               "--exports-dir", str(tmp / "exports")], tmp)


def register(manifest_path: Path, env: dict[str, str]) -> list[str]:
    """Import the farm's sites and registered accounts into the fresh database; the accounts'
    addresses."""
    # Deferred: PyYAML and the farm's manifest model load for the registration step only.
    import yaml

    from mgov.demo.farm.manifest import Manifest

    manifest = Manifest.from_json(manifest_path.read_bytes())
    doc = manifest_path.with_name("registry.yaml")
    doc.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mgov", "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "mgov", "import", str(doc), "--json"], env=env, check=True,
                   capture_output=True, text=True)
    return [a.address for a in manifest.accounts if a.registered]


def child(args: argparse.Namespace) -> None:
    """One capture pass of every registered account, as `mgov capture` runs it; prints JSON."""
    # Deferred: mgov's run stack loads in the measured child only.
    from mgov.config import load_settings
    from mgov.db.engine import make_engine
    from mgov.newmedia.service import capture_counts
    from mgov.runs.context import RoutingOptions
    from mgov.runs.select import run_params
    from mgov.runs.service import execute_run, start_run

    info = json.loads(Path(args.child).read_text(encoding="utf-8"))
    settings = load_settings()
    engine = make_engine(settings.resolved_database_url)
    routing = RoutingOptions(connect_to=[f":80::{info['http_port']}", f":443::{info['https_port']}"],
                             dns=f"127.0.0.1:{info['dns_port']}", ca_bundle=info["ca_pem"], allow_private=True)
    run_id = start_run(engine, run_params(kind="capture", kinds=["wechat_account", "weibo_account", "other_social"],
                                          routing=routing, limits={"platform_rate": args.platform_rate}))

    def run() -> dict[str, Any]:
        return execute_run(engine, settings, run_id, workers=args.workers or None,
                           concurrency=args.concurrency or None)

    if args.cprofile:
        # Deferred: the profiler loads when asked for.
        import cProfile

        with cProfile.Profile() as prof:
            result = run()
        prof.dump_stats(args.cprofile)
    else:
        result = run()
    with engine.connect() as conn:
        result["captured"] = capture_counts(conn, run_id)
    print(json.dumps(result, default=str))


def capture_pass(args: argparse.Namespace, info_file: Path, env: dict[str, str], farm_pid: int,
                 label: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(info_file),
           "--platform-rate", str(args.platform_rate), "--workers", str(args.workers),
           "--concurrency", str(args.concurrency)]
    if args.cprofile:
        cmd += ["--cprofile", f"{args.cprofile}.{label}"]
    if args.py_spy:  # py-spy samples the capture (and its workers); its RSS is then py-spy's tree
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        cmd = [spy, "record", "-r", "50", "-f", "raw", "-o", f"{args.py_spy}.{label}", "--subprocesses",
               "--nonblocking", "--", *cmd]
    farm_cpu0 = proc_cpu(farm_pid)
    m = run_measured(cmd, env)
    m["farm_cpu"] = proc_cpu(farm_pid) - farm_cpu0
    if m["rc"] != 0:
        raise SystemExit(f"the {label} capture failed ({m['rc']}): {m['stderr'][-4000:]}")
    text = m["stdout"]
    m["result"], _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    return m


def report(label: str, m: dict[str, Any]) -> None:
    r, c, el = m["result"], m["result"]["captured"], m["elapsed"]
    print(f"{label}: {r['channels']} accounts in {el:.1f} s ({r['channels'] / el:.1f} accounts/s; "
          f"interpreter start-up included)")
    print(f"  added       {c['posts']} posts ({c['posts'] / max(r['channels'], 1):.1f} an account), "
          f"{c['versions']} post versions, {c['profiles']} profile versions, {c['edited']} edited, "
          f"{c['deleted']} deleted")
    print("  findings    " + ", ".join(f"{status} {sum(v.get(status, 0) for v in r['summary'].values())}"
                                         for status in ("pass", "warn", "fail", "error", "not_applicable")))
    print(f"  peak RSS    {m['rss'] / 2**20:.0f} MiB ({m['rss'] / GOAL_RSS:.2f} × the 1 GiB limit; the capture "
          f"and its worker processes)")
    print(f"  CPU         mgov {m['cpu']:.1f} s ({m['cpu'] / el:.2f} cores), farm {m['farm_cpu']:.1f} s "
          f"({m['farm_cpu'] / el:.2f} cores); on {os.cpu_count()} idle cores that CPU takes at least "
          f"{idle_seconds(m):.0f} s")


def idle_seconds(m: dict[str, Any]) -> float:
    """The wall time the pass's CPU (mgov's and the farm's) needs at least on this machine's
    cores when nothing else runs: the steadier figure on a machine shared with other work."""
    return (m["cpu"] + m["farm_cpu"]) / (os.cpu_count() or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--sites", type=int, default=100, help="the farm's sites (their units own accounts too)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--posts-per-day", type=float, default=1.0, help="every account's pace (1: 30 posts "
                                                                         "in the 30-day window)")
    parser.add_argument("--account-defect-rate", type=float, default=0.0)
    parser.add_argument("--platform-rate", type=float, default=5000.0)
    parser.add_argument("--workers", type=int, default=0, help="execute_run's workers (0: its default)")
    parser.add_argument("--concurrency", type=int, default=0, help="accounts at once (0: the run kind's)")
    parser.add_argument("--cprofile", help="profile each pass's main process with cProfile into FILE.first/.second "
                                           "(use with --workers 1 to see the capture itself)")
    parser.add_argument("--py-spy", help="sample each pass with py-spy (raw, collapsed stacks) into FILE.first/.second")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (printed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {platform.node()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    tmp = Path(tempfile.mkdtemp(prefix="mgov-bench-capture-"))
    farm = None
    try:
        t0 = time.perf_counter()
        farm, info = start_farm(args, tmp)
        print(f"farm: {args.sites} sites, {args.accounts} accounts posting {args.posts_per_day:g} a day, pid "
              f"{farm.pid}, ready in {time.perf_counter() - t0:.1f} s")
        env = {**os.environ, "MGOV_DATABASE_URL": f"sqlite:///{tmp}/capture.db", "MGOV_HOME": str(tmp / "home"),
               "MGOV_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
        t0 = time.perf_counter()
        addresses = register(Path(info["manifest"]), env)
        print(f"registered {len(addresses)} accounts in {time.perf_counter() - t0:.1f} s (not timed below)")
        info_file = tmp / "farm.json"
        info_file.write_text(json.dumps(info), encoding="utf-8")

        first = capture_pass(args, info_file, env, farm.pid, "first")
        report("first pass", first)
        second = capture_pass(args, info_file, env, farm.pid, "second")
        report("second pass (nothing new)", second)
        el1, el2 = first["elapsed"], second["elapsed"]
        scaled = el1 * 20_000 / max(args.accounts, 1)
        rss = max(first["rss"], second["rss"])
        print(f"goal: first pass {el1:.1f} s = {el1 / GOAL_SECONDS:.2f} × the 10-minute goal"
              + (f" (scaled to 20,000 accounts: {scaled:.0f} s, {scaled / GOAL_SECONDS:.2f} ×)"
                 if args.accounts != 20_000 else ""))
        print(f"goal: peak RSS {rss / 2**20:.0f} MiB = {rss / GOAL_RSS:.2f} × 1 GiB")
        print(f"goal: second pass / first = {el2 / el1:.2f} ({el2 / el1 / GOAL_SECOND_PASS:.2f} × the goal of 1/3)")
        idle1, idle2 = idle_seconds(first), idle_seconds(second)
        print(f"CPU-bound: first pass ≥ {idle1:.0f} s on idle cores ({idle1 / GOAL_SECONDS:.2f} × the goal), second / "
              f"first in CPU {idle2 / idle1:.2f}")
        figures = {
            "date": time.strftime("%Y-%m-%d"), "machine": platform.node(), "cores": os.cpu_count(),
            "load_average": load, "accounts": args.accounts, "sites": args.sites,
            "posts_per_day": args.posts_per_day, "platform_rate": args.platform_rate,
            "passes": [{"label": label, "seconds": round(m["elapsed"], 1), "rss_mib": round(m["rss"] / 2**20),
                        "idle_cores_seconds": round(idle_seconds(m), 1),
                        "cpu": round(m["cpu"], 1), "farm_cpu": round(m["farm_cpu"], 1),
                        "channels": m["result"]["channels"], "captured": m["result"]["captured"],
                        "summary": m["result"]["summary"]}
                       for label, m in (("first", first), ("second", second))],
            "ratios": {"first_vs_10min": round(el1 / GOAL_SECONDS, 3), "rss_vs_1gib": round(rss / GOAL_RSS, 3),
                       "second_vs_first": round(el2 / el1, 3),
                       "second_vs_goal": round(el2 / el1 / GOAL_SECOND_PASS, 3),
                       "first_cpu_bound_vs_10min": round(idle1 / GOAL_SECONDS, 3),
                       "second_vs_first_cpu": round(idle2 / idle1, 3)},
        }
        print(json.dumps(figures))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    finally:
        stop(farm)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    main()
