"""Hostile servers on loopback: each gets a clear status, bounded memory, and does not disturb
the other fetches of the same run."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import tracemalloc
import zlib
from pathlib import Path

from mgov.collect.site import CollectContext, collect_site
from mgov.collect.tls import probe_tls
from mgov.collect.warc import read_record
from mgov.evidence.exchange import Fetch, ScanStatus
from mgov.evidence.site import ChannelFacts
from test_collect_support import GBK_PAGE, lab, read_request, reset, run

MIB = 1 << 20


async def with_good(ctx: CollectContext, url: str) -> Fetch:
    """Fetch url while a good page is fetched beside it; the good one must still succeed."""
    hostile, good = await asyncio.gather(ctx.client.fetch(url), ctx.client.fetch("https://good.test/"))
    assert good.ok and good.final is not None and good.final.status == 200, good.status
    assert good.final.text and "<title>Good</title>" in good.final.text
    return hostile


def only(fetch: Fetch) -> tuple[ScanStatus | None, str]:
    assert fetch.final is not None
    return fetch.status, fetch.final.error_detail or fetch.error_detail or ""


# --- redirects ----------------------------------------------------------------------------

def test_redirect_loop(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            fetch = await with_good(L.ctx, "http://good.test/loop/a")
            assert fetch.error is ScanStatus.REDIRECT_LOOP and fetch.status is ScanStatus.REDIRECT_LOOP
            assert [ex.url for ex in fetch.exchanges] == ["http://good.test/loop/a", "http://good.test/loop/b"]
            assert all(ex.status == 302 and ex.response_ref for ex in fetch.exchanges)
            assert "loop" in (fetch.error_detail or "")
    run(main())


def test_fifty_redirects(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            fetch = await with_good(L.ctx, "http://good.test/hop/0")
            assert fetch.status is ScanStatus.TOO_MANY_REDIRECTS
            assert len(fetch.exchanges) == 11  # the start and 10 redirects followed (the cap)
            assert fetch.exchanges[-1].url == "http://good.test/hop/10"
    run(main())


# --- sizes --------------------------------------------------------------------------------

async def gigabyte(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 b"Content-Length: 1073741824\r\n\r\n")
    block = bytes(range(256)) * 256  # 64 KiB, reused: the server allocates nothing per chunk
    for _ in range(1 << 14):  # 16384 x 64 KiB = 1 GiB, unless the client hangs up first
        writer.write(block)
        await writer.drain()


def test_gigabyte_body_stops_at_the_cap(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"huge.test": gigabyte}) as L:
            tracemalloc.start()
            try:
                fetch = await with_good(L.ctx, "http://huge.test/")
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            ex = fetch.final
            assert ex is not None and ex.status == 200 and ex.error is None
            assert ex.truncated and len(ex.body) == 5 * MIB
            assert ex.body[:256] == bytes(range(256))
            assert peak < 40 * MIB, f"peak {peak / MIB:.1f} MiB"
            assert ex.response_ref is not None
            record = read_record(L.archive, ex.response_ref)
            assert record.warc_header("WARC-Truncated") == "length"
            assert len(record.payload) == 5 * MIB
    run(main())


async def gzip_bomb(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """10 MB of gzip that would expand to 10 GB of zeros, compressed as it is sent."""
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                 b"Content-Length: 10000000\r\n\r\n")
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    for _ in range(10 * 1024):  # 10 GiB of input, unless the client hangs up first
        writer.write(comp.compress(zeros))
        await writer.drain()
        await asyncio.sleep(0)  # ~1 KB per MiB never fills the buffer: let the client run


def test_gzip_bomb(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"bomb.test": gzip_bomb}) as L:
            tracemalloc.start()
            try:
                started = time.perf_counter()
                fetch = await with_good(L.ctx, "http://bomb.test/")
                elapsed = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            status, detail = only(fetch)
            assert status is ScanStatus.TOO_LARGE and "bomb" in detail
            assert fetch.final is not None and fetch.final.truncated
            assert len(fetch.final.body) <= 5 * MIB
            assert peak < 40 * MIB, f"peak {peak / MIB:.1f} MiB"
            assert elapsed < 10
    run(main())


async def huge_header(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nX-Huge: ")
    for _ in range(16):
        writer.write(b"a" * 65536)
        await writer.drain()
    writer.write(b"\r\nContent-Length: 2\r\n\r\nok")
    await writer.drain()


def test_huge_header(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"header.test": huge_header}) as L:
            status, detail = only(await with_good(L.ctx, "http://header.test/"))
            assert status in (ScanStatus.TOO_LARGE, ScanStatus.HTTP_ERROR), (status, detail)
    run(main())


# --- broken connections and protocols ----------------------------------------------------

async def slowloris(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(1)


def test_slowloris_hits_the_total_timeout(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"slow.test": slowloris}, total_timeout=1.5) as L:
            started = time.perf_counter()
            status, detail = only(await with_good(L.ctx, "http://slow.test/"))
            assert status is ScanStatus.TIMEOUT and "1.5 s" in detail
            assert time.perf_counter() - started < 4
    run(main())


async def resetter(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    reset(writer)


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe garbage \x01\x02\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(0.2)


def test_connection_reset_and_garbage(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"reset.test": resetter, "garbage.test": garbage}) as L:
            status, detail = only(await with_good(L.ctx, "http://reset.test/"))
            assert status is ScanStatus.CONNECTION_RESET, (status, detail)
            status, detail = only(await with_good(L.ctx, "http://garbage.test/"))
            assert status is ScanStatus.HTTP_ERROR, (status, detail)
            assert "not a valid HTTP response" in detail
    run(main())


def test_connection_refused(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            status, _ = only(await with_good(L.ctx, "http://127.0.0.1:1/"))
            assert status is ScanStatus.CONNECTION_REFUSED
    run(main())


# --- certificates -------------------------------------------------------------------------

def test_bad_certificates(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            fetches = await asyncio.gather(*(with_good(L.ctx, f"https://{h}/") for h in
                                             ("expired.test", "selfsigned.test", "wronghost.test")))
            for fetch in fetches:
                status, detail = only(fetch)
                assert status is ScanStatus.TLS_INVALID, (fetch.start_url, status, detail)
                assert "certificate verify failed" in detail
            expired, selfsigned, wronghost = await asyncio.gather(*(
                probe_tls(h, 443, resolver=L.ctx.resolver, settings=L.ctx.settings,
                          context=L.ctx.client.ssl_context)
                for h in ("expired.test", "selfsigned.test", "wronghost.test")))
            now = dt.datetime.now(dt.UTC)
            assert not expired.verified and "expired" in (expired.verify_error or "")
            assert expired.not_after is not None and expired.not_after < now
            assert expired.hostname_match is True and expired.self_signed is False
            assert not selfsigned.verified and selfsigned.self_signed is True
            assert "self-signed" in (selfsigned.verify_error or "") or "self signed" in (
                selfsigned.verify_error or "")
            assert not wronghost.verified and wronghost.hostname_match is False
            assert wronghost.san == ["somebody-else.test"]
            for facts in (expired, selfsigned, wronghost):
                assert facts.error is None and facts.chain_pem and facts.protocol
                assert facts.chain_pem[0].startswith("-----BEGIN CERTIFICATE-----")
    run(main())


# --- content ------------------------------------------------------------------------------

def test_malformed_html_and_gbk_without_charset(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            facts = ChannelFacts(kind="website", address="https://malformed.test/", host="malformed.test")
            evidence, gbk = await asyncio.gather(
                collect_site(facts, {"https_home", "resources"}, L.ctx),
                with_good(L.ctx, "https://good.test/gbk"))
            assert evidence.https_home is not None and evidence.https_home.ok
            urls = {ex.url for ex in evidence.resources}
            assert urls == {"https://malformed.test/static/b.png", "https://malformed.test/static/c.html",
                            "https://malformed.test/static/a.js"}
            assert all(ex.status == 200 for ex in evidence.resources)
            assert gbk.final is not None and gbk.final.charset == "gb18030"
            assert gbk.final.text == GBK_PAGE
    run(main())


# --- names and addresses ------------------------------------------------------------------

def test_dns_failure(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, silent={"mute.test"}, dns_timeout=0.5) as L:
            status, detail = only(await with_good(L.ctx, "http://nowhere.test/"))
            assert status is ScanStatus.DNS_ERROR and "NXDOMAIN" in detail
            answer = await L.ctx.resolver.lookup("nowhere.test")
            assert answer.error is ScanStatus.DNS_ERROR and not answer.a
            muted = await L.ctx.resolver.lookup("mute.test")
            # No answer is mgov's failure to observe, not the site's: unresolved, not dns_error.
            assert muted.error is ScanStatus.DNS_UNRESOLVED and "timeout" in (muted.error_detail or "")
    run(main())


def test_ssrf_guard_blocks_loopback(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, allow_private=False) as L:
            for url in ("http://good.test/", f"http://127.0.0.1:{L.http_port}/", "http://[::1]/",
                        "http://[::ffff:127.0.0.1]/"):
                fetch = await L.ctx.client.fetch(url)
                status, detail = only(fetch)
                assert status is ScanStatus.BLOCKED_ADDRESS, (url, status, detail)
                assert "loopback" in detail and "allow_private" in detail
                assert fetch.final is not None and fetch.final.peer is None
            facts = await probe_tls("good.test", 443, resolver=L.ctx.resolver,
                                    settings=L.ctx.settings, context=L.ctx.client.ssl_context)
            assert facts.error is ScanStatus.BLOCKED_ADDRESS
    run(main())




# --- from hostile servers to findings -------------------------------------------------------

def test_hostile_sites_become_findings_and_the_scan_goes_on(tmp_path: Path) -> None:
    from mgov.checks.base import Status
    from mgov.checks.plugins import all_checks
    from mgov.runs.judging import judge
    from mgov.runs.kinds import kind_of
    from mgov.runs.runner import needs_of

    checks = [c for c in all_checks().values() if kind_of("scan").owns(c)]  # what a scan collects

    async def main() -> None:
        async with lab(tmp_path, raw={"reset.test": resetter, "garbage.test": garbage},
                       total_timeout=5) as L:
            hosts = ["reset.test", "garbage.test", "nowhere.test", "good.test"]
            evidence = await asyncio.gather(*(collect_site(
                ChannelFacts("website", f"https://{h}", h, "us"), needs_of(checks), L.ctx) for h in hosts))
            verdicts = {h: {f.check: f for f in judge(ev, checks, {})} for h, ev in zip(hosts, evidence, strict=True)}
            for host in ("reset.test", "garbage.test", "nowhere.test"):
                avail = verdicts[host]["availability"]
                assert avail.status is Status.FAIL and avail.scan_status is not None, (host, avail)
                page = verdicts[host]["mobile.viewport"]
                assert page.status is Status.ERROR and page.scan_status is not None, (host, page)
            assert verdicts["nowhere.test"]["availability"].scan_status is ScanStatus.DNS_ERROR
            assert verdicts["good.test"]["availability"].status is Status.PASS
    run(main())


DEEP = 200_000


async def deep_page(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A homepage of 200,000 nested <div>s, a link and an ICP number at the bottom (HTTP only:
    a TLS handshake is refused at once, as a site without HTTPS refuses port 443)."""
    if await reader.read(1) == b"\x16":
        writer.close()
        return
    await read_request(reader)
    body = ("<!doctype html><html lang=zh><head><meta charset=utf-8><title>深</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
            + "<div>" * DEEP + '正文 <a href="/about">关于</a>' + "</div>" * DEEP
            + "<footer>京ICP备12345678号</footer></body></html>").encode()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    await writer.drain()
    writer.close()


def test_a_200000_deep_page_is_judged_in_seconds_and_stalls_no_other_channel(tmp_path: Path) -> None:
    """Flattened past browsers' depth before any parser reads it (evidence.budget), judged off the
    loop; the other channels of the same scan keep their verdicts, and their times leave out
    whatever the loop lost meanwhile."""
    from mgov.checks.base import Finding, Status
    from mgov.checks.plugins import all_checks
    from mgov.runs.judging import Judge
    from mgov.runs.kinds import kind_of
    from mgov.runs.runner import needs_of

    checks = [c for c in all_checks().values() if kind_of("scan").owns(c)]  # what a scan collects
    judge = Judge(checks, {}, None, process=False)

    async def channel(ctx: CollectContext, host: str) -> tuple[float, dict[str, Finding]]:
        started = time.perf_counter()
        evidence = await collect_site(ChannelFacts("website", f"http://{host}", host, "cn"), needs_of(checks), ctx)
        findings = await judge(evidence)
        return time.perf_counter() - started, {f.check: f for f in findings}

    async def main() -> None:
        hosts = ("good.test", "www.good.test", "v4only.test")
        async with lab(tmp_path, raw={"deep.test": deep_page}) as L:
            alone = [(await channel(L.ctx, h))[1] for h in hosts]
            results = await asyncio.gather(channel(L.ctx, "deep.test"), *(channel(L.ctx, h) for h in hosts))
        (seconds, deep), others = results[0], results[1:]
        assert seconds < 10, seconds
        structure = deep["page.structure"]
        assert structure.status is Status.WARN and structure.value["depth"] == DEEP
        assert deep["cn.icp"].status is Status.PASS  # what follows the deep part is still read
        assert deep["mobile.viewport"].status is Status.PASS
        for (_, found), before in zip(others, alone, strict=True):
            assert {k: f.status for k, f in found.items()} == {k: f.status for k, f in before.items()}
            avail = found["availability"]
            assert avail.value["elapsed_ms"] < 1000, avail.value
    run(main(), timeout=60)
