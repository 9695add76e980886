"""Benchmark: `mgov crawl` of the demo farm's big site beside LinkChecker on the same site (issue 4).

Goal: crawl and link-check a 20,000-page site with 2% dead links at >= 5x LinkChecker's pages
per second, finding the same set of dead links, with mgov's peak RSS under 500 MiB.

What runs, all on loopback:
  1. the farm, as its own process (`python -m mgov.demo.farm --big-site-pages N`): a few
     ordinary sites plus the big site (the Site of role "big"), whose manifest lists its dead
     link targets (details["links.dead_internal"]);
  2. a fresh SQLite database and archive in a temporary directory; the farm's registry
     document imported (before the clock starts);
  3. `python -m mgov crawl --channel https://BIG/ --json` as a subprocess (wall time is its
     whole life, peak RSS and CPU from os.wait4 of that process and its children), then
     `mgov links --format json` for its dead links;
  4. LinkChecker (`pip install linkchecker`, not a project dependency) on the same start URL,
     https://BIG/, as a subprocess measured the same way. LinkChecker cannot use a custom DNS
     server or port map, so it goes through a tiny CONNECT proxy run by this script on
     127.0.0.1 (https_proxy/http_proxy): CONNECT host:443 -> the farm's HTTPS port, plain
     requests -> the farm's HTTP port. TLS stays end to end (verified against the farm's CA).
     The proxy's CPU is in this process and is printed apart, not charged to LinkChecker.

Same limits for both: the same start URL, depth (mgov --max-depth = LinkChecker
--recursion-level), no page cap below the site's size, robots.txt honoured by both, no delay
between requests (mgov --delay 0; LinkChecker's own per-host throttle, 0.1-0.6 s between two
requests to one host unless the server sends a `LinkChecker` header, is switched off by a
launcher that zeroes Aggregate.wait_time_*_default and sets maxrequestspersecond high),
external links checked but not crawled (LinkChecker --check-extern).

Pages per second: mgov's crawled pages (`mgov links` "pages", the crawl_pages rows) and
LinkChecker's distinct valid HTML URLs of the site (it does not report parsed pages apart),
each over its own wall time.

    .venv/bin/python bench/crawl_links.py [--pages 20000] [--dead 0.02] [--seed 1]
        [--threads 10] [--depth 12] [--quick] [--no-linkchecker] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _procs import proc_cpu, run_measured, start_farm_process, stop  # bench/_procs.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
GOAL_RATIO = 5.0
GOAL_RSS = 500 << 20
MIB = 1 << 20
PAGE_RE = re.compile(r"(/|\.html?|/[^./]*)$")

LAUNCHER = """
import sys
import linkcheck.director.aggregator as agg
agg.Aggregate.wait_time_min_default = 0.0  # no per-host politeness delay (mgov: --delay 0)
agg.Aggregate.wait_time_max_default = 0.0
from linkcheck.command.linkchecker import linkchecker
sys.argv[0] = "linkchecker"
sys.exit(linkchecker())
"""


def start_farm(args: argparse.Namespace, tmp: Path) -> tuple[subprocess.Popen, dict]:
    return start_farm_process(["--seed", str(args.seed), "--count", str(args.count), "--big-site-pages",
                               str(args.pages), "--big-site-dead", str(args.dead)], tmp)






def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def register(manifest_path: Path, env: dict[str, str]):
    # Deferred: PyYAML and the farm's manifest model load for the registration step only.
    import yaml

    from mgov.demo.farm.manifest import Manifest

    manifest = Manifest.from_json(manifest_path.read_bytes())
    doc = manifest_path.with_name("registry.yaml")
    doc.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mgov", "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "mgov", "import", str(doc), "--json"], env=env, check=True,
                   capture_output=True, text=True)
    return manifest




def measure(cmd: list[str], env: dict[str, str], farm_pid: int, name: str) -> dict:
    farm_cpu0, own_cpu0 = proc_cpu(farm_pid), self_cpu()
    m = run_measured(cmd, env)
    return {**m, "name": name, "farm_cpu": proc_cpu(farm_pid) - farm_cpu0, "bench_cpu": self_cpu() - own_cpu0}


# --- the forwarding proxy LinkChecker goes through ----------------------------------------

class Proxy:
    """CONNECT host:443 -> 127.0.0.1:https_port; anything else (absolute-form plain HTTP) is
    piped as is to 127.0.0.1:http_port (the farm picks the site by Host)."""

    def __init__(self, http_port: int, https_port: int) -> None:
        self.http_port, self.https_port = http_port, https_port
        self.port = 0
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connections = 0

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target = head.split(b" ", 2)[:2]
            if method == b"CONNECT":
                port = int(target.rsplit(b":", 1)[1])
                up_port = self.https_port if port == 443 else self.http_port
                up_r, up_w = await asyncio.open_connection("127.0.0.1", up_port)
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
            else:
                up_r, up_w = await asyncio.open_connection("127.0.0.1", self.http_port)
                up_w.write(head)
            await asyncio.gather(self._pipe(reader, up_w), self._pipe(up_r, writer))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                dst.write_eof()

    def stop(self) -> None:
        if self.loop is None:
            return

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            asyncio.get_running_loop().stop()

        with contextlib.suppress(TimeoutError, RuntimeError, asyncio.CancelledError):
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)


# --- comparing ---------------------------------------------------------------------------

def norm(url: str) -> str:
    """scheme and host lower-case, default port and fragment dropped, empty path '/'."""
    s = urlsplit(url.strip())
    host = (s.hostname or "").lower()
    port = s.port
    netloc = host if port is None or (s.scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urlunsplit((s.scheme.lower(), netloc, s.path or "/", s.query, ""))


def linkchecker_results(text: str, host: str) -> tuple[set[str], set[str], int]:
    """(dead URLs, valid HTML pages of the site, rows) from LinkChecker's csv output."""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    dead: set[str] = set()
    pages: set[str] = set()
    rows = 0
    for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=";"):
        if not row or row[0] == "urlname" or len(row) < 6:
            continue
        rows += 1
        urlname, _parent, _result, valid, url, _level = row[:6]
        u = norm(url or urlname)
        if valid.strip().lower() in ("false", "0"):
            dead.add(u)
        elif urlsplit(u).hostname == host and PAGE_RE.search(urlsplit(u).path):
            pages.add(u)
    return dead, pages, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000, help="the big site's pages")
    parser.add_argument("--dead", type=float, default=0.02, help="share of dead link targets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10, help="ordinary farm sites beside the big one")
    parser.add_argument("--threads", type=int, default=10, help="LinkChecker's --threads")
    parser.add_argument("--depth", type=int, default=12, help="mgov --max-depth = LinkChecker --recursion-level")
    parser.add_argument("--concurrency", type=int, default=0, help="mgov crawl --concurrency (default: its own)")
    parser.add_argument("--quick", action="store_true", help="2,000 pages")
    parser.add_argument("--no-linkchecker", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (printed)")
    args = parser.parse_args()
    if args.quick:
        args.pages = 2000
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {platform.node()} · {platform.platform()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()}")
    tmp = Path(tempfile.mkdtemp(prefix="mgov-bench-crawl-"))
    tmp.chmod(0o755)  # LinkChecker run as root drops to nobody: it must read the CA and rc file
    farm = None
    proxy = None
    try:
        t0 = time.perf_counter()
        farm, info = start_farm(args, tmp)
        Path(info["ca_pem"]).parent.chmod(0o755)
        Path(info["ca_pem"]).chmod(0o644)
        print(f"farm: big site of {args.pages} pages, {args.dead:.0%} dead targets, + {args.count} sites, "
              f"pid {farm.pid}, ready in {time.perf_counter() - t0:.1f} s")
        env = {**os.environ, "MGOV_DATABASE_URL": f"sqlite:///{tmp}/crawl.db", "MGOV_HOME": str(tmp / "home"),
               "MGOV_LANG": "en", "PYTHONPATH": str(ROOT / "src")}
        manifest = register(Path(info["manifest"]), env)
        big = manifest.role("big")
        start_url = f"https://{big.host}/"
        truth = {norm(d["url"]) for d in big.details["links.dead_internal"]["links"]}
        print(f"big site {start_url}: {big.details['big_site']['pages']} tree pages, {len(truth)} dead targets "
              f"(manifest); start URL for both tools: {start_url}")

        # --- mgov ---
        max_pages = args.pages * 2 + 1000
        cmd = [sys.executable, "-m", "mgov", "crawl", "--json", "--channel", big.registry.address,
               "--max-pages", str(max_pages), "--max-depth", str(args.depth), "--delay", "0",
               "--per-host", str(min(args.threads, 16)),  # as many requests in flight as LinkChecker's threads
               "--max-seconds", "7200", "--allow-private", "--dns", f"127.0.0.1:{info['dns_port']}",
               "--ca-bundle", info["ca_pem"], "--connect-to", f":80::{info['http_port']}",
               "--connect-to", f":443::{info['https_port']}"]
        if args.concurrency:
            cmd += ["--concurrency", str(args.concurrency)]
        m = measure(cmd, env, farm.pid, "mgov")
        if m["rc"] != 0:
            raise SystemExit(f"mgov crawl failed ({m['rc']}): {m['stderr'][-3000:]}")
        out = subprocess.run([sys.executable, "-m", "mgov", "links", "--format", "json", "--limit", "1000000"],
                             env=env, check=True, capture_output=True, text=True)
        links = json.loads(out.stdout)
        m_pages = links["pages"]
        m_dead = {norm(d["url"]) for d in links["dead_links"]}
        outcomes = {norm(d["url"]): f"{d['outcome']} {d['status']} {d.get('detail') or ''}".strip()
                    for d in links["dead_links"]}
        m_rate = m_pages / m["elapsed"]
        print(f"\nmgov crawl: {m_pages} pages, {links['links']} links, {len(m_dead)} dead in {m['elapsed']:.1f} s "
              f"= {m_rate:.1f} pages/s; CPU {m['cpu']:.1f} s ({m['cpu'] / m['elapsed']:.0%} of a core), "
              f"peak RSS {m['rss'] / MIB:.0f} MiB; farm CPU {m['farm_cpu']:.1f} s")
        report("mgov vs manifest", m_dead, truth, outcomes)

        if args.no_linkchecker:
            return
        # --- LinkChecker ---
        if shutil.which("linkchecker", path=str(Path(sys.executable).parent)) is None:
            raise SystemExit("LinkChecker is not installed: .venv/bin/pip install linkchecker")
        rc = tmp / "linkcheckerrc"
        rc.write_text(f"[checking]\nsslverify={info['ca_pem']}\nmaxrequestspersecond=100000\nthreads={args.threads}\n"
                      f"recursionlevel={args.depth}\nrobotstxt=1\ntimeout=60\n"
                      "[filtering]\ncheckextern=1\n"
                      "[output]\nlog=csv\nverbose=1\nwarnings=0\n"
                      "[csv]\nparts=urlname,parentname,result,valid,url,level\nseparator=;\n", encoding="utf-8")
        rc.chmod(0o644)
        proxy = Proxy(info["http_port"], info["https_port"])
        proxy.start()
        lenv = {**env, "https_proxy": f"http://127.0.0.1:{proxy.port}", "http_proxy": f"http://127.0.0.1:{proxy.port}",
                "HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}", "HTTP_PROXY": f"http://127.0.0.1:{proxy.port}",
                "no_proxy": "", "NO_PROXY": "", "HOME": str(tmp)}
        lcmd = [sys.executable, "-c", LAUNCHER, "-f", str(rc), "--no-status", "--threads", str(args.threads),
                "--recursion-level", str(args.depth), "--check-extern", "-o", "csv", "--verbose", start_url]
        lc = measure(lcmd, lenv, farm.pid, "linkchecker")
        if lc["rc"] not in (0, 1):  # 1: invalid links were found
            raise SystemExit(f"LinkChecker failed ({lc['rc']}): {lc['stderr'][-3000:]}")
        (tmp / "linkchecker.csv").write_text(lc["stdout"], encoding="utf-8")
        l_dead, l_pages, l_rows = linkchecker_results(lc["stdout"], big.host)
        l_rate = len(l_pages) / lc["elapsed"]
        print(f"\nLinkChecker {args.threads} threads: {len(l_pages)} pages ({l_rows} URLs checked), {len(l_dead)} dead "
              f"in {lc['elapsed']:.1f} s = {l_rate:.1f} pages/s; CPU {lc['cpu']:.1f} s "
              f"({lc['cpu'] / lc['elapsed']:.0%} of a core), peak RSS {lc['rss'] / MIB:.0f} MiB; "
              f"farm CPU {lc['farm_cpu']:.1f} s; proxy (this process) CPU {lc['bench_cpu']:.1f} s, "
              f"{proxy.connections} connections")
        report("LinkChecker vs manifest", l_dead, truth)
        report("mgov vs LinkChecker", m_dead, l_dead, outcomes)

        ratio = m_rate / l_rate if l_rate else float("inf")
        print(f"\nmgov pages/s ÷ LinkChecker pages/s = {ratio:.1f}x (goal >= {GOAL_RATIO:g}x: "
              f"{'met' if ratio >= GOAL_RATIO else 'NOT met'})")
        print(f"mgov peak RSS {m['rss'] / MIB:.0f} MiB of {GOAL_RSS // MIB} MiB "
              f"({'met' if m['rss'] < GOAL_RSS else 'NOT met'}); LinkChecker {lc['rss'] / MIB:.0f} MiB")
        print(f"dead links: {'the same set' if m_dead == l_dead else 'DIFFERENT'} ({len(m_dead)} mgov, "
              f"{len(l_dead)} LinkChecker, {len(truth)} manifest)")
    finally:
        if proxy is not None:
            proxy.stop()
        stop(farm)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def report(label: str, a: set[str], b: set[str], why: dict[str, str] | None = None) -> None:
    only_a, only_b = sorted(a - b), sorted(b - a)
    left, right = label.split(" vs ")
    if not only_a and not only_b:
        print(f"  {label}: same {len(a)} dead URLs")
        return
    print(f"  {label}: {len(a & b)} in both, {len(only_a)} only in {left}, {len(only_b)} only in {right}")
    for tag, urls in ((f"only {left}", only_a), (f"only {right}", only_b)):
        for u in urls[:20]:
            print(f"    {tag}: {u}" + (f"  [{why[u]}]" if why and u in why else ""))
        if len(urls) > 20:
            print(f"    {tag}: ... {len(urls) - 20} more")


if __name__ == "__main__":
    main()
