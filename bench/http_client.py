"""Benchmark: aiohttp against httpx as mgov's one HTTP client (and mgov's client on the winner).

A local aiohttp server in a separate process (so that the CPU time measured here is the
client's alone) serves many virtual hosts, told apart by the Host header, over HTTP and
HTTPS (a throwaway trustme CA) on loopback, with a fixed latency per response. Each client
fetches the same N pages with the same concurrency, streaming every body, and the script
prints requests per second, the client process's CPU time and the ratios.

    .venv/bin/python bench/http_client.py [--pages 2000] [--hosts 200] [--concurrency 100]
                                          [--latency-ms 10] [--size 65536] [--rounds 3]

Talks only to 127.0.0.1, to the server it starts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx
import trustme
from aiohttp import web

Fetcher = Callable[[list[tuple[str, str]]], Awaitable[int]]


# --- server (child process) -------------------------------------------------------------

def serve(cert_dir: Path, latency: float, size: int) -> None:
    async def page(request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        host = request.headers.get("Host", "")
        head = f"<!doctype html><title>{host}</title><p>{request.path}</p>".encode()
        return web.Response(body=head + b"x" * max(0, size - len(head)), content_type="text/html")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert_dir / "server.pem")
        plain = web.TCPSite(runner, "127.0.0.1", 0)
        tls = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
        await plain.start()
        await tls.start()
        ports = [s.getsockname()[1] for site in (plain, tls)
                 for s in site._server.sockets]  # type: ignore[union-attr]  # a started site has its server
        print(ports[0], ports[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# --- clients ----------------------------------------------------------------------------

async def _drain(jobs: list[tuple[str, str]], concurrency: int,
                 stream: Callable[[str, str], AsyncIterator[bytes]]) -> int:
    """Fetch every (url, Host) job, at most concurrency at once; the bytes received."""
    sem = asyncio.Semaphore(concurrency)
    total = 0

    async def one(url: str, host: str) -> None:
        nonlocal total
        async with sem:
            async for chunk in stream(url, host):
                total += len(chunk)

    await asyncio.gather(*(one(u, h) for u, h in jobs))
    return total


def make_aiohttp(ctx: ssl.SSLContext, concurrency: int) -> Callable[[], Awaitable[Fetcher]]:
    async def factory() -> Fetcher:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency, ssl=ctx), auto_decompress=False)

        async def stream(url: str, host: str) -> AsyncIterator[bytes]:
            async with session.get(url, headers={"Host": host}) as resp:
                async for chunk in resp.content.iter_chunked(65536):
                    yield chunk

        async def run(jobs: list[tuple[str, str]]) -> int:
            try:
                return await _drain(jobs, concurrency, stream)
            finally:
                await session.close()
        return run
    return factory


def make_httpx(ctx: ssl.SSLContext, concurrency: int) -> Callable[[], Awaitable[Fetcher]]:
    async def factory() -> Fetcher:
        client = httpx.AsyncClient(verify=ctx, limits=httpx.Limits(
            max_connections=concurrency, max_keepalive_connections=concurrency), timeout=60)

        async def stream(url: str, host: str) -> AsyncIterator[bytes]:
            async with client.stream("GET", url, headers={"Host": host}) as resp:
                async for chunk in resp.aiter_raw(65536):
                    yield chunk

        async def run(jobs: list[tuple[str, str]]) -> int:
            try:
                return await _drain(jobs, concurrency, stream)
            finally:
                await client.aclose()
        return run
    return factory


def make_mgov(ca_pem: Path, concurrency: int, port_map: dict[str, int]
              ) -> Callable[[], Awaitable[Fetcher]]:
    """mgov's own client (routing, guard, caps, charset; no archive) on the chosen library."""
    # Deferred: mgov's collect layer loads only when its client is benchmarked.
    from mgov.collect.client import HttpClient
    from mgov.collect.routing import Routing
    from mgov.collect.settings import CollectSettings

    async def factory() -> Fetcher:
        rules = [f":{p}:127.0.0.1:{p}" for p in port_map.values()]
        routing = Routing.from_options(connect_to=rules, ca_bundle=str(ca_pem), allow_private=True)
        settings = CollectSettings(global_limit=concurrency)  # and the default per-host limit
        client = HttpClient(settings, routing)

        async def run(jobs: list[tuple[str, str]]) -> int:
            total = 0

            async def one(url: str, host: str) -> None:
                nonlocal total
                scheme, rest = url.split("://", 1)
                port = rest.split("/", 1)[0].split(":")[1]
                ex = await client.exchange(f"{scheme}://{host}:{port}/{rest.split('/', 1)[1]}")
                assert ex.error is None, (ex.error, ex.error_detail)
                total += len(ex.body)

            try:
                await asyncio.gather(*(one(u, h) for u, h in jobs))
            finally:
                await client.aclose()
            return total
        return run
    return factory


async def measure(factory: Callable[[], Awaitable[Fetcher]], jobs: list[tuple[str, str]]
                  ) -> tuple[float, float, int]:
    fetch = await factory()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    nbytes = await fetch(jobs)
    return time.perf_counter() - wall0, time.process_time() - cpu0, nbytes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=100)
    ap.add_argument("--latency-ms", type=float, default=10.0)
    ap.add_argument("--size", type=int, default=65536)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--libs-only", action="store_true", help="skip mgov's own client")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(Path(args.serve), args.latency_ms / 1000, args.size)
        return

    with tempfile.TemporaryDirectory() as tmp:
        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1", "*.bench.example")
        leaf.private_key_and_cert_chain_pem.write_to_path(str(Path(tmp) / "server.pem"))
        ca.cert_pem.write_to_path(str(Path(tmp) / "ca.pem"))
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", tmp, "--latency-ms", str(args.latency_ms),
             "--size", str(args.size)], stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            http_port, https_port = (int(p) for p in server.stdout.readline().split())
            ctx = ssl.create_default_context(cafile=str(Path(tmp) / "ca.pem"))
            report(args, ctx, Path(tmp) / "ca.pem", {"http": http_port, "https": https_port})
        finally:
            server.terminate()
            server.wait()


def report(args: argparse.Namespace, ctx: ssl.SSLContext, ca_pem: Path,
           ports: dict[str, int]) -> None:
    print(f"{platform.node()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, aiohttp {aiohttp.__version__}, httpx {httpx.__version__}")
    print(f"{args.pages} pages of {args.size} B from {args.hosts} hosts, concurrency {args.concurrency}, "
          f"latency {args.latency_ms:g} ms, median of {args.rounds} rounds")
    clients = {"aiohttp": make_aiohttp(ctx, args.concurrency), "httpx": make_httpx(ctx, args.concurrency)}
    if not args.libs_only:
        clients["mgov"] = make_mgov(ca_pem, args.concurrency, ports)
    for scheme, port in ports.items():
        jobs = [(f"{scheme}://127.0.0.1:{port}/page/{i}", f"h{i % args.hosts}.bench.example")
                for i in range(args.pages)]
        results: dict[str, tuple[float, float]] = {}
        for name, factory in clients.items():
            runs = [asyncio.run(measure(factory, jobs)) for _ in range(args.rounds)]
            assert all(r[2] == args.pages * args.size for r in runs), (name, runs)
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            results[name] = (args.pages / wall, cpu)
        a_rps, a_cpu = results["aiohttp"]
        x_rps, x_cpu = results["httpx"]
        line = (f"{scheme:5}  aiohttp {a_rps:6.0f} req/s CPU {a_cpu:5.2f} s | "
                f"httpx {x_rps:6.0f} req/s CPU {x_cpu:5.2f} s | "
                f"aiohttp/httpx {a_rps / x_rps:.2f} × req/s, {a_cpu / x_cpu:.2f} × CPU")
        if "mgov" in results:
            m_rps, m_cpu = results["mgov"]
            line += (f" | mgov {m_rps:6.0f} req/s CPU {m_cpu:5.2f} s "
                     f"({m_rps / a_rps:.2f} × req/s, {m_cpu / a_cpu:.2f} × CPU of raw aiohttp)")
        print(line)


if __name__ == "__main__":
    main()
