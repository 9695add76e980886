"""Storage of a year of daily homepage captures with and without revisit dedup (issue 19).

A faithful sample scaled up: the demo farm's real homepages (`VirtualHosts`, the pages the
farm serves, rendered as on each day of the year) of `--sites` sites (default 100), each
captured once a day for `--days` days (365) through mgov's real WarcWriter, once with
revisit records for identical payloads (the default writer) and once without
(`WarcWriter(dedup=False)`); bytes on disk (WARC files and their sidecar indexes) are scaled
to `--target` sites (1,000). Two scenarios:

- `farm`: the homepages as the farm serves them: its columns publish news, so a homepage
  changes whenever a featured column does (the change rate is measured and printed);
- `rare`: homepages that change rarely, as most government homepages between news items:
  the farm's page of the day is captured, but a site's homepage only changes on a day with
  probability 1/`--change-days` (30), the page staying byte for byte the same otherwise.

    .venv/bin/python bench/archive_storage.py [--sites 100] [--days 365] [--target 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import tempfile
import time
from pathlib import Path

from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.demo.farm import generate
from mgov.demo.farm.vhosts import VirtualHosts

START = dt.date(2026, 1, 1)


def homepages(sites: int, days: int) -> list[list[bytes]]:
    """The farm's homepage of each site on each day, as served: [day][site]."""
    manifest = generate(19, sites, today=START)
    hosts = VirtualHosts(manifest, today=START)
    out = []
    for day in range(days):
        hosts.set_today(START + dt.timedelta(days=day))
        row = []
        for site in manifest.sites[:sites]:
            page = hosts.pages(hosts.routes[site.host][0], hosts.epoch)["/"]
            row.append(page.body if isinstance(page.body, bytes) else str(page.body).encode())
        out.append(row)
    return out


def rarely(pages: list[list[bytes]], change_days: int) -> list[list[bytes]]:
    """The same sites whose homepage changes on a day with probability 1/change_days."""
    rng = random.Random(19)
    current = list(pages[0])
    out = []
    for row in pages:
        for n, body in enumerate(row):
            if rng.random() < 1 / change_days:
                current[n] = body
        out.append(list(current))
    return out


def write(directory: Path, pages: list[list[bytes]], *, dedup: bool) -> tuple[int, int, int, float]:
    """Every day's captures through the real writer: (WARC bytes, sidecar index bytes,
    revisits, seconds)."""
    started = time.perf_counter()
    writer = WarcWriter(directory, dedup=dedup)
    for day, row in enumerate(pages):
        when = dt.datetime.combine(START + dt.timedelta(days=day), dt.time(2), tzinfo=dt.UTC)
        for n, body in enumerate(row):
            host = f"www.site{n:04d}.example.gov.cn"
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                    f"Date: {when:%a, %d %b %Y %H:%M:%S GMT}\r\nServer: nginx\r\nX-Frame-Options: SAMEORIGIN\r\n\r\n")
            writer.write_sync(HttpCapture(f"https://{host}/", f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mgov\r\n"
                                          "\r\n".encode(), head.encode(), body, ip="127.0.0.1",
                                          date=when + dt.timedelta(seconds=n)))
    writer.close()
    warc = sum(p.stat().st_size for p in directory.iterdir() if p.name.endswith(".warc.gz"))
    index = sum(p.stat().st_size for p in directory.iterdir() if p.name.endswith(".cdxj"))
    return warc, index, writer.revisits, time.perf_counter() - started


def changes(pages: list[list[bytes]]) -> float:
    changed = sum(pages[d][n] != pages[d - 1][n] for d in range(1, len(pages)) for n in range(len(pages[0])))
    return changed / max(1, (len(pages) - 1) * len(pages[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--target", type=int, default=1000)
    parser.add_argument("--change-days", type=int, default=30)
    args = parser.parse_args()
    t0 = time.perf_counter()
    farm = homepages(args.sites, args.days)
    rendered = time.perf_counter() - t0
    scale = args.target / args.sites
    print(f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"{dt.date.today()}; {args.sites} farm sites x {args.days} days rendered in {rendered:.0f} s, "
          f"scaled x{scale:g} to {args.target} sites")
    for name, pages in (("farm", farm), ("rare", rarely(farm, args.change_days))):
        sizes, warcs = {}, {}
        for dedup in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                warc, index, revisits, seconds = write(Path(tmp), pages, dedup=dedup)
                shutil.rmtree(tmp, ignore_errors=True)
            sizes[dedup], warcs[dedup] = warc + index, warc
            print(f"  {name:4} dedup={'on ' if dedup else 'off'}: {(warc + index) * scale / 1e9:6.3f} GB for "
                  f"{args.target} sites x {args.days} days (WARC {warc * scale / 1e9:.3f} GB, sidecar index "
                  f"{index * scale / 1e9:.3f} GB; {revisits} revisits of {args.sites * args.days} captures; "
                  f"{seconds:.0f} s)")
        print(f"  {name:4} homepages changed on {changes(pages):.0%} of days: with dedup "
              f"{sizes[True] / sizes[False]:.2f} of the bytes on disk (WARC alone {warcs[True] / warcs[False]:.2f})")


if __name__ == "__main__":
    main()
