"""Benchmark: `mgov scan` of the demo farm (issue 3) beside wrk's raw request rate on the same farm.

Goal: scan 10,000 farm sites, 100 ms latency per response, all checks, at >= 100 sites/s
with the scanner's peak RSS under 1 GiB, on this machine. In the same run, wrk measures
the requests per second the farm itself can serve, and the scan's request rate is printed
as a fraction of it.

What runs, all on loopback:
  1. the farm, as its own process (`python -m mgov.demo.farm`);
  2. a fresh SQLite database and archive in a temporary directory; the farm's registry
     document imported (in this process, before the clock starts);
  3. the real scan, `python -m mgov scan --json ...` with every check, as a subprocess: the
     wall time is its whole life (interpreter start-up included), its peak RSS is the one
     the kernel reports for that process alone (os.wait4), so the farm is not counted;
  4. wrk against the same farm: HTTPS with the sites' names as SNI-less Host headers over
     keep-alive connections (a Lua script cycles through many sites and through the paths
     a scan fetches), then plain HTTP homepages (301s).

Requests are counted exactly: the WARC response records of the archive (one per HTTP
exchange that got a response, redirect hops and subresources included). The TLS probe's
handshakes and the DNS lookups are counted apart (they are not HTTP requests).

    .venv/bin/python bench/scan_farm.py [--count 10000] [--latency-ms 100] [--concurrency N]
        [--wrk-connections 400] [--wrk-seconds 15] [--no-wrk]
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

from _procs import proc_cpu, run_measured, start_farm_process, stop  # bench/_procs.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
GOAL_SITES_S = 100.0
GOAL_RSS = 1 << 30
WRK_PATHS = ("/", "/robots.txt", "/sitemap.xml", "/.well-known/security.txt", "/css/site.css",
             "/js/site.js", "/images/logo.png", "/mgov-404-bench")


def start_farm(args: argparse.Namespace, tmp: Path, extra: tuple[str, ...] = (),
               prefix: tuple[str, ...] = ()) -> tuple[subprocess.Popen, dict]:
    """The farm as its own process (extra: more of its options, e.g. hostile-network faults;
    prefix: a command it runs under, e.g. nice)."""
    return start_farm_process(["--seed", str(args.seed), "--count", str(args.count),
                               "--latency-ms", str(args.latency_ms), *extra], tmp, prefix)






def register(manifest_path: Path, env: dict[str, str]) -> tuple[list[str], int]:
    """Import the farm's sites into the fresh database; (addresses, count)."""
    # Deferred: PyYAML and the farm's manifest model load for the registration step only.
    import yaml

    from mgov.demo.farm.manifest import Manifest

    manifest = Manifest.from_json(manifest_path.read_bytes())
    doc = manifest_path.with_name("registry.yaml")
    doc.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mgov", "db", "upgrade"], env=env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "mgov", "import", str(doc), "--json"], env=env,
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    healthy = [s.host for s in manifest.healthy_sites()]
    return healthy, len(manifest.sites) if result else 0


def run_scan(args: argparse.Namespace, info: dict, env: dict[str, str], farm_pid: int) -> dict:
    cmd = [sys.executable, "-m", "mgov", "scan", "--json", "--allow-private",
           "--dns", f"127.0.0.1:{info['dns_port']}", "--ca-bundle", info["ca_pem"],
           "--connect-to", f":80::{info['http_port']}", "--connect-to", f":443::{info['https_port']}"]
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    if args.profile:  # py-spy samples the scanner (its RSS is then py-spy's child's, not measured here)
        cmd = [shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")), "record", "-r", "100",
               "-f", "raw", "-o", args.profile, "--nonblocking", "--threads", "--gil", "--subprocesses", "--", *cmd]
    farm_cpu0 = proc_cpu(farm_pid)
    m = run_measured(cmd, env)  # the farm is not counted: it is not the scan's child
    farm_cpu = proc_cpu(farm_pid) - farm_cpu0
    if m["rc"] != 0:
        raise SystemExit(f"scan failed ({m['rc']}): {m['stderr'][-3000:]}")
    text = m["stdout"]
    result, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])  # py-spy prints around it
    return {"elapsed": m["elapsed"], "rss": m["rss"], "cpu": m["cpu"], "farm_cpu": farm_cpu, "result": result}




def count_archive(archive: Path) -> tuple[int, int, int]:
    """(response records, request records, bytes on disk) of the scan's WARC files."""
    # Deferred: warcio loads for counting the archive's records only.
    from warcio.archiveiterator import ArchiveIterator

    responses = requests = size = 0
    for path in sorted(archive.glob("*.warc.gz")):
        size += path.stat().st_size
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):
                if record.rec_type == "response":
                    responses += 1
                elif record.rec_type == "request":
                    requests += 1
    return responses, requests, size


LUA = """
local hosts = {%(hosts)s}
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  local h = hosts[(i %% #hosts) + 1]
  local p = paths[(math.floor(i / #hosts) %% #paths) + 1]
  return wrk.format("GET", p, {["Host"] = h, ["User-Agent"] = "wrk", ["Accept-Encoding"] = "gzip"})
end
"""


def run_wrk(url: str, hosts: list[str], paths: tuple[str, ...], tmp: Path, args: argparse.Namespace,
            farm_pid: int) -> dict:
    script = tmp / f"wrk-{len(paths)}.lua"
    script.write_text(LUA % {"hosts": ", ".join(json.dumps(h) for h in hosts),
                             "paths": ", ".join(json.dumps(p) for p in paths)})
    cmd = ["wrk", f"-t{args.wrk_threads}", f"-c{args.wrk_connections}", f"-d{args.wrk_seconds}s",
           "--latency", "-s", str(script), url]
    cpu0 = proc_cpu(farm_pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.wrk_seconds + 60, check=False)
    farm_cpu = proc_cpu(farm_pid) - cpu0
    rate = errors = 0.0
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
        if line.startswith("Socket errors:"):  # non-2xx are expected: the 404 probe path
            errors = 1
    return {"rate": rate, "farm_cpu": farm_cpu, "output": out.stdout + out.stderr, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="the scan's --workers (default: its own)")
    parser.add_argument("--concurrency", type=int, default=0, help="the scan's --concurrency (default: its own)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--wrk-connections", type=int, default=400)
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--wrk-hosts", type=int, default=1000, help="healthy sites the wrk script cycles through")
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--profile", help="run the scan under py-spy, raw samples to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (printed)")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {platform.node()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()}")
    tmp = Path(tempfile.mkdtemp(prefix="mgov-bench-scan-"))
    farm = None
    try:
        t0 = time.perf_counter()
        farm, info = start_farm(args, tmp)
        print(f"farm: {args.count} sites, {args.latency_ms:g} ms latency, pid {farm.pid}, ready in "
              f"{time.perf_counter() - t0:.1f} s (http {info['http_port']}, https {info['https_port']}, "
              f"dns {info['dns_port']})")
        home = tmp / "home"
        env = {**os.environ, "MGOV_DATABASE_URL": f"sqlite:///{tmp}/scan.db", "MGOV_HOME": str(home),
               "MGOV_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
        t0 = time.perf_counter()
        healthy, sites = register(Path(info["manifest"]), env)
        print(f"registered {sites} channels in {time.perf_counter() - t0:.1f} s (not timed below)")

        scan = run_scan(args, info, env, farm.pid)
        channels = scan["result"]["channels"]
        findings = sum(sum(v.values()) for v in scan["result"]["summary"].values())
        responses, requests, size = count_archive(home / "archive")
        el = scan["elapsed"]
        sites_s, req_s = channels / el, responses / el
        print(f"scan: {channels} channels, {findings} findings, in {el:.1f} s (interpreter start-up included)")
        print(f"  sites/s     {sites_s:8.1f}   ({sites_s / GOAL_SITES_S:.2f} × the goal of {GOAL_SITES_S:.0f})")
        print(f"  requests/s  {req_s:8.1f}   ({responses} HTTP exchanges = WARC response records, "
              f"{responses / max(channels, 1):.1f} per site; {requests} request records; "
              f"archive {size / 2**20:.0f} MiB)")
        print(f"  peak RSS    {scan['rss'] / 2**20:8.0f} MiB ({scan['rss'] / GOAL_RSS:.2f} × the 1 GiB limit; "
              f"the scanner and its worker processes)")
        print(f"  CPU         scanner {scan['cpu']:.1f} s ({scan['cpu'] / el:.2f} cores), "
              f"farm {scan['farm_cpu']:.1f} s ({scan['farm_cpu'] / el:.2f} cores)")

        if args.no_wrk:
            return
        if shutil.which("wrk") is None:
            print("wrk: not installed, skipped (install: apt-get update && apt-get install -y wrk)")
            return
        hosts = healthy[:args.wrk_hosts]
        rows = []
        for label, url, paths in (
                ("https, scan's paths", f"https://127.0.0.1:{info['https_port']}/", WRK_PATHS),
                ("https, homepages", f"https://127.0.0.1:{info['https_port']}/", ("/",)),
                ("http, homepages (301)", f"http://127.0.0.1:{info['http_port']}/", ("/",))):
            w = run_wrk(url, hosts, paths, tmp, args, farm.pid)
            if not w["rate"]:
                print(f"wrk {label}: no rate parsed:\n{w['output']}")
                continue
            rows.append((label, w))
            print(f"wrk {label:24} {w['rate']:8.1f} req/s  (-t{args.wrk_threads} -c{args.wrk_connections} "
                  f"-d{args.wrk_seconds}s, {len(hosts)} hosts; farm CPU {w['farm_cpu'] / args.wrk_seconds:.2f} "
                  f"cores{'; errors, see below' if w['errors'] else ''})")
            if w["errors"]:
                print("    " + "\n    ".join(w["output"].splitlines()))
        for label, w in rows:
            print(f"scan / wrk ({label}): {req_s / w['rate']:.2f}")
    finally:
        stop(farm)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    main()
