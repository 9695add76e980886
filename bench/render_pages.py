"""Benchmark: the rendering collector over the demo farm's homepages (issue 16).

Goal: at least 60 pages a minute on this 2-core machine, each page rendered in both
viewports (desktop 1366×768, phone 390×844) with a full-page screenshot, its DOM, requests,
cookies, timings and every probe of src/mgov/collect/probes (named in the output), archived
as WARC; peak memory of mgov and its browser under 2 GiB.

What runs, all on loopback: the demo farm as its own process (`python -m mgov.demo.farm`,
not counted), and in this process the real collector (collect.browser.BrowserPool behind its
guarded proxy, with the farm's DNS server and connect-to rules as `mgov render` gets them).
Peak memory: this process plus its descendants (Playwright's driver, Chromium and its
renderers), proportional set size sampled every 0.2 s (collect.browser.tree_memory).

    .venv/bin/python bench/render_pages.py [--pages 60] [--latency-ms 20] [--slots 4] [--at-once 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _procs import stop  # bench/_procs.py, beside this script
from scan_farm import start_farm

GOAL_PAGES_MIN = 60.0
GOAL_MEMORY = 2 << 30


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process and its live descendants, their reaped
    children included: on a machine shared with other work, the cost of a page that wall
    time cannot show."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = sum(int(f) for f in fields[11:15]) / tick
    ours, todo = {os.getpid()}, [os.getpid()]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in ours:
                ours.add(child)
                todo.append(child)
    return sum(times.get(pid, 0.0) for pid in ours)


def _own_memory() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def render_all(urls: list[str], routing: Any, args: argparse.Namespace, archive: Path) -> dict:
    from mgov.collect.browser import BrowserPool, tree_memory
    from mgov.collect.render_settings import RenderSettings
    from mgov.collect.render_site import render_viewports
    from mgov.collect.warc import WarcWriter

    pool = BrowserPool(RenderSettings(slots=args.slots), routing).start()
    warc = WarcWriter(archive)
    peak = {"memory": 0, "done": False}

    def sample() -> None:
        while not peak["done"]:
            peak["memory"] = max(peak["memory"], tree_memory() + _own_memory())
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    gate = asyncio.Semaphore(args.at_once)
    statuses: Counter[str] = Counter()

    async def one(url: str) -> None:
        async with gate:
            for r in await render_viewports(pool, url, warc):
                statuses[f"{r.viewport.name}:{r.status.value}"] += 1
                statuses["screenshots"] += r.screenshot is not None
                walk = (r.probes.get("keyboard") or {}).get("walk")
                if walk:
                    statuses[f"keyboard walk:{walk}"] += 1

    started, cpu0 = time.monotonic(), tree_cpu()
    try:
        await asyncio.gather(*(one(u) for u in urls))
        elapsed, cpu = time.monotonic() - started, tree_cpu() - cpu0
    finally:
        peak["done"] = True
        sampler.join()
        await warc.aclose()
        pool.close()
    return {"elapsed": elapsed, "cpu": cpu, "peak_memory": peak["memory"], "statuses": dict(statuses),
            "probes": [p.name for p in pool.probes], "restarts": pool.restarts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slots", type=int, default=4, help="renders at once (the pool's slots)")
    parser.add_argument("--at-once", type=int, default=3, help="pages at once (each renders both viewports)")
    args = parser.parse_args()
    args.count = args.pages * 2  # about half the farm's sites are healthy
    from mgov.collect.routing import Routing
    from mgov.demo.farm.manifest import Manifest

    with tempfile.TemporaryDirectory(prefix="mgov-render-bench-") as tmp_name:
        tmp = Path(tmp_name)
        farm, info = start_farm(args, tmp)
        try:
            manifest = Manifest.from_json((tmp / "manifest.json").read_bytes())
            urls = [f"http://{s.host}/" for s in manifest.healthy_sites()][: args.pages]
            routing = Routing.from_options(connect_to=[f":80::{info['http_port']}", f":443::{info['https_port']}"],
                                           dns=f"127.0.0.1:{info['dns_port']}", allow_private=True)
            result = asyncio.run(render_all(urls, routing, args, tmp / "archive"))
        finally:
            stop(farm)
    per_minute = len(urls) / result["elapsed"] * 60
    out = {"date": dt.date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
           f"Python {platform.python_version()}", "pages": len(urls), "viewports": ["desktop", "phone"],
           "seconds": round(result["elapsed"], 1), "pages_per_minute": round(per_minute, 1),
           "cpu_seconds_per_page": round(result["cpu"] / len(urls), 2),
           # What the CPU a page cost allows on this machine's cores when nothing else runs.
           "pages_per_minute_cpu_bound": round(60 * (os.cpu_count() or 1) / (result["cpu"] / len(urls)), 1),
           "load_average": os.getloadavg()[0],
           "peak_memory_mib": round(result["peak_memory"] / (1 << 20)), "probes": result["probes"],
           "statuses": result["statuses"], "browser_restarts": result["restarts"],
           "slots": args.slots, "pages_at_once": args.at_once, "latency_ms": args.latency_ms}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    ok_rate, ok_mem = per_minute >= GOAL_PAGES_MIN, result["peak_memory"] < GOAL_MEMORY
    print(f"pages/minute {per_minute:.1f} (goal ≥ {GOAL_PAGES_MIN:.0f}: {'met' if ok_rate else 'NOT met'}); "
          f"peak memory {result['peak_memory'] / (1 << 30):.2f} GiB (goal < 2 GiB: {'met' if ok_mem else 'NOT met'})")
    sys.exit(0 if ok_rate and ok_mem else 1)


if __name__ == "__main__":
    main()
