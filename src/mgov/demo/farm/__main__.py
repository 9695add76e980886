"""python -m mgov.demo.farm: run a farm in the foreground until interrupted.

Prints where it listens and writes the manifest (with the ports) to a file; the last line
printed before serving is `READY {json}` for scripts that start it as a separate process.
Another process switches its epoch with `mgov.demo.farm.client.set_epoch(http_port, 2)`.
`--hostile-network` adds transient faults (docs/demo-farm.md, Hostile network), and
`--busy-cores N` keeps N cores busy while it serves (cpuhog.busy_cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import signal
import sys
import time
from pathlib import Path

from mgov.demo.farm.contract import CONTROL_HOST
from mgov.demo.farm.cpuhog import busy_cores
from mgov.demo.farm.farm import Farm, has_ipv6_loopback, trim_tls_read_buffers
from mgov.demo.farm.generate import generate
from mgov.demo.farm.hostile import DEFAULTS, Hostility

try:
    import resource
except ImportError:  # not on this platform (Windows): the descriptor limit stays as it is
    HAVE_RESOURCE = False
else:
    HAVE_RESOURCE = True


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mgov.demo.farm",
                                description="Serve simulated government sites on loopback.")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--defect-rate", type=float, default=0.5)
    p.add_argument("--manifest-out", type=Path, help="where to write the manifest "
                   "(default: manifest.json in the state directory)")
    p.add_argument("--state-dir", type=Path, help="where the CA certificate goes "
                   "(default: a temporary directory, removed on exit)")
    p.add_argument("--http-port", type=int, default=0)
    p.add_argument("--https-port", type=int, default=0)
    p.add_argument("--dns-port", type=int, default=0)
    p.add_argument("--no-ipv6", action="store_true", help="listen on 127.0.0.1 only")
    p.add_argument("--today", type=dt.date.fromisoformat,
                   help="the content's today, YYYY-MM-DD (default: today)")
    p.add_argument("--epoch", type=int, default=1, choices=(1, 2),
                   help="the epoch served at start (switch later: POST /epoch?n=N to the HTTP "
                        "port with Host: control.farm.invalid)")
    p.add_argument("--traps", action="store_true",
                   help="add a calendar-trap site and a session-id-trap site")
    p.add_argument("--big-site-pages", type=int, default=0,
                   help="add one site with a tree of this many pages")
    p.add_argument("--big-site-dead", type=float, default=0.02,
                   help="share of the big site's link targets that are dead (default 0.02)")
    nm = p.add_argument_group("new-media platforms (docs/demo-farm.md, Platforms)")
    nm.add_argument("--accounts", type=int, default=None,
                    help="new-media accounts (default: up to 36, as many as the farm's units have)")
    nm.add_argument("--account-defect-rate", type=float, default=0.5,
                    help="share of the accounts with a new-media defect (default 0.5)")
    nm.add_argument("--posts-per-day", type=float, default=None,
                    help="every account posts this often (default: 0.5 to 3, varied)")
    nm.add_argument("--exports-dir", type=Path,
                    help="where the WeChat article lists go (default: exports in the state directory)")
    hostile = p.add_argument_group("hostile network (transient faults: a retry gets through)")
    hostile.add_argument("--hostile-network", action="store_true",
                         help="all of the faults below, at their defaults unless given")
    for name, what in (("dns_drop", "share of UDP DNS queries dropped"),
                       ("dns_servfail", "share of UDP DNS queries answered SERVFAIL"),
                       ("jitter_ms", "each response waits a further uniform 0..N ms"),
                       ("reset_share", "share of sites that reset a client's first connection"),
                       ("outage_share", "share of sites down (503) for a moment from their first request")):
        hostile.add_argument("--" + name.replace("_", "-"), type=float, default=None,
                             help=f"{what} (--hostile-network: {DEFAULTS[name]:g}; else 0)")
    hostile.add_argument("--outage-seconds", type=float, default=1.0,
                         help="how long such an outage lasts (default 1 s)")
    hostile.add_argument("--reset-memory", type=float, default=60.0,
                         help="seconds a site remembers a client it has reset (default 60)")
    p.add_argument("--busy-cores", type=int, default=0,
                   help="keep N cores busy (spinning processes, not niced) while serving")
    return p


def hostility(args: argparse.Namespace) -> Hostility:
    """The faults asked for: --hostile-network's defaults, each overridden when given."""
    given = {k: getattr(args, k) for k in DEFAULTS if getattr(args, k) is not None}
    base = dict(DEFAULTS) if args.hostile_network else dict.fromkeys(DEFAULTS, 0.0)
    return Hostility(**{**base, **given}, reset_memory=args.reset_memory, outage_seconds=args.outage_seconds)


async def _serve(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    manifest = generate(args.seed, args.count, latency_ms=args.latency_ms,
                        defect_rate=args.defect_rate, today=args.today, traps=args.traps,
                        big_site_pages=args.big_site_pages, big_site_dead=args.big_site_dead,
                        accounts=args.accounts, account_defect_rate=args.account_defect_rate,
                        posts_per_day=args.posts_per_day, exports_dir=args.exports_dir)
    farm = Farm(manifest, http_port=args.http_port, https_port=args.https_port,
                dns_port=args.dns_port, ipv6=not args.no_ipv6 and has_ipv6_loopback(),
                state_dir=args.state_dir, epoch=args.epoch, hostile=hostility(args))
    await farm.start()
    # Before READY: a script may send SIGTERM as soon as it reads it.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if farm.ca_pem is None or manifest.runtime is None:  # start() sets both before it returns
            raise RuntimeError("the farm started without its CA certificate or runtime")
        out = args.manifest_out or farm.ca_pem.parent / "manifest.json"
        # Indented for people; large farms compact (json's C encoder: 10x faster).
        out.write_text(manifest.to_json(indent=1 if len(manifest.sites) <= 1000 else None),
                       encoding="utf-8")
        addrs = manifest.runtime.addresses
        healthy = len(manifest.healthy_sites())
        print(f"mgov demo farm: {len(manifest.sites)} sites ({healthy} healthy), seed {args.seed}, "
              f"ready in {time.perf_counter() - t0:.2f} s")
        for proto, port in (("http", farm.http_port), ("https", farm.https_port)):
            print(f"{proto:<6}" + " ".join(f"{a if ':' not in a else f'[{a}]'}:{port}" for a in addrs))
        if farm.http_only_address:
            print(f"http  {farm.http_only_address}:{farm.http_port} (the HTTP-only sites; no https)")
        print(f"dns   127.0.0.1:{farm.dns_port} (udp, tcp)")
        print(f"new media: {len(manifest.accounts)} accounts on m.weibo.cn, mp.weixin.qq.com, "
              f"feeds.gov-farm.example, social.gov-farm.example; WeChat article lists in {manifest.exports_dir}")
        if farm.hostile.active:
            h = farm.hostile
            print(f"hostile network: dns drop {h.dns_drop:g}, servfail {h.dns_servfail:g}, "
                  f"jitter 0-{h.jitter_ms:g} ms, first-connection resets on {h.reset_share:g} of the sites, "
                  f"{h.outage_seconds:g} s outages on {h.outage_share:g}")
        print(f"ca    {farm.ca_pem}")
        print(f"manifest {out}")
        print(f"control http://127.0.0.1:{farm.http_port}/epoch (Host: {CONTROL_HOST}), "
              f"epoch {farm.epoch}")
        print("READY " + json.dumps({"http_port": farm.http_port, "https_port": farm.https_port,
                                     "dns_port": farm.dns_port, "ca_pem": str(farm.ca_pem),
                                     "manifest": str(out), "control_host": CONTROL_HOST,
                                     "epoch": farm.epoch, "options": manifest.runtime.options,
                                     "exports_dir": manifest.exports_dir}),
              flush=True)
        await stop.wait()
    finally:
        await farm.stop()


def _raise_file_limit() -> None:
    """Thousands of concurrent connections need thousands of descriptors: take the hard limit."""
    if not HAVE_RESOURCE:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        hostility(args)
    except ValueError as e:
        parser.error(str(e))
    _raise_file_limit()
    trim_tls_read_buffers()
    with busy_cores(args.busy_cores):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
