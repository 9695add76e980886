"""The archive: what the server sent is what a WarcRef reads back; rotation; concurrency."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import re
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from mgov.collect.warc import HttpCapture, WarcWriter, dechunk, read_record
from mgov.evidence.exchange import WarcRef
from test_collect_support import lab, read_request, run

BINARY = bytes(range(256)) * 40
GZ_TEXT = "<html><title>压缩</title>" + "政务公开 " * 500
HEADS = {
    "/binary": b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
               + f"Content-Length: {len(BINARY)}\r\n".encode() + b"X-Latin: caf\xe9\r\n\r\n",
    "/gzip": b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
             b"Content-Length: %d\r\n\r\n",
    "/chunked": b"HTTP/1.1 200 Fine\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                b"X-Utf8: \xe4\xb8\xad\xe6\x96\x87\r\n\r\n",
}
GZ_BODY = gzip.compress(GZ_TEXT.encode())
CHUNKS = [b"first chunk;", b"second, longer chunk" * 50, b"end"]


async def exact(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Sends byte-exact responses, so the archive can be compared with them."""
    path = (await read_request(reader)).split(b" ", 2)[1].decode().split("?")[0]
    if path == "/binary":
        writer.write(HEADS[path] + BINARY)
    elif path == "/gzip":
        writer.write(HEADS[path] % len(GZ_BODY) + GZ_BODY)
    elif path == "/chunked":
        writer.write(HEADS[path])
        for chunk in CHUNKS:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            await asyncio.sleep(0.01)
        writer.write(b"0\r\n\r\n")
    elif path == "/big":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"b" * 100000)
    await writer.drain()


def test_round_trip_matches_what_the_server_sent(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"exact.test": exact}, body_cap=50000) as L:
            client = L.ctx.client
            binary, gz, chunked, big = await asyncio.gather(*(
                client.fetch(f"http://exact.test{p}?q=1") for p in ("/binary", "/gzip", "/chunked", "/big")))
            # plain body, a non-ASCII header byte kept as sent
            assert binary.final is not None and binary.final.request_ref and binary.final.response_ref
            record = read_record(L.archive, binary.final.response_ref)
            assert record.http_head == HEADS["/binary"] and record.payload == BINARY
            assert record.warc_header("WARC-Target-URI") == "http://exact.test/binary?q=1"
            assert record.warc_header("WARC-IP-Address") == "127.0.0.1"
            assert record.warc_header("WARC-Truncated") is None
            assert binary.final.header("X-Latin") == "café"
            request = read_record(L.archive, binary.final.request_ref)
            assert request.rec_type == "request" and request.start_line == "GET /binary?q=1 HTTP/1.1"
            assert request.header("Host") == "exact.test"
            assert (request.header("User-Agent") or "").startswith("mgov/")
            assert request.warc_header("WARC-Concurrent-To") == record.warc_header("WARC-Record-ID")
            # content-encoded: archived as sent, decoded in the evidence
            assert gz.final is not None and gz.final.response_ref
            record = read_record(L.archive, gz.final.response_ref)
            assert record.payload == GZ_BODY and gz.final.text == GZ_TEXT
            # chunked: the payload is what the chunks carried; headers byte-exact
            assert chunked.final is not None and chunked.final.response_ref
            record = read_record(L.archive, chunked.final.response_ref)
            assert record.http_head == HEADS["/chunked"] and record.payload == b"".join(CHUNKS)
            assert record.start_line == "HTTP/1.1 200 Fine"
            assert chunked.final.body == b"".join(CHUNKS)
            # truncated at the cap
            assert big.final is not None and big.final.truncated and big.final.response_ref
            record = read_record(L.archive, big.final.response_ref)
            assert record.warc_header("WARC-Truncated") == "length" and record.payload == b"b" * 50000
    run(main())


def test_archive_files_are_valid_warc(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, raw={"exact.test": exact}) as L:
            await asyncio.gather(*(L.ctx.client.fetch(f"http://exact.test/{p}")
                                   for p in ("binary", "gzip", "chunked")))
            await L.ctx.client.fetch("https://good.test/")
    run(main())
    kinds = []
    for path in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                record.content_stream().read()
                kinds.append(record.rec_type)
                assert record.digest_checker.passed is not False, record.digest_checker.problems
    assert kinds[0] == "warcinfo" and kinds.count("response") == 4 and kinds.count("request") == 4


def test_concurrent_writes_and_rotation(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, per_host_limit=16) as L:
            L.ctx.warc.max_size = 16 * 1024
            fetches = await asyncio.gather(*(L.ctx.client.fetch(f"https://good.test/static/{i}")
                                             for i in range(60)))
            files = list(L.ctx.warc.files)
            assert len(files) > 2
            assert all(re.fullmatch(r"mgov-\d{14}-\d{5}\.warc\.gz", f) for f in files)
            spans: dict[str, list[tuple[int, int]]] = {}
            for i, fetch in enumerate(fetches):
                ex = fetch.final
                assert ex is not None and ex.request_ref and ex.response_ref
                assert ex.request_ref.file == ex.response_ref.file  # a pair never straddles files
                record = read_record(L.archive, ex.response_ref)
                assert record.warc_header("WARC-Target-URI") == f"https://good.test/static/{i}"
                assert record.payload == f"good.test/static/{i}".encode()
                for ref in ex.refs:
                    spans.setdefault(ref.file, []).append((ref.offset, ref.offset + ref.length))
            for file, ranges in spans.items():
                ranges.sort()
                assert all(a[1] <= b[0] for a, b in itertools.pairwise(ranges)), file
                assert ranges[-1][1] == (L.archive / file).stat().st_size
    run(main())


def test_writer_without_a_server(tmp_path: Path) -> None:
    async def main() -> tuple[WarcRef, WarcRef]:
        writer = WarcWriter(tmp_path)
        try:
            return await writer.write(HttpCapture(
                url="https://x.gov.cn/", request_head=b"GET / HTTP/1.1\r\nHost: x.gov.cn\r\n\r\n",
                response_head=b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                body=b"partial", chunked=True, truncated="time"))
        finally:
            await writer.aclose()
    _, response = run(main())
    record = read_record(tmp_path, response)
    assert record.payload == b"partial" and record.warc_header("WARC-Truncated") == "time"
    assert "WARC-IP-Address" not in dict(record.warc_headers)
    assert read_record(tmp_path, response.as_dict()) == record  # as stored in the database
    with pytest.raises(ValueError, match="outside the archive"):
        read_record(tmp_path / "sub", WarcRef("../" + response.file, response.offset, response.length))
    assert dechunk(b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n") == b"abcde"
    assert dechunk(b"5\r\nab") == b"ab"


def test_an_unwritable_archive_stops_the_scan(tmp_path: Path) -> None:
    from mgov.collect.site import collect_site
    from mgov.collect.warc import ArchiveError
    from mgov.evidence.site import ChannelFacts

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")

    async def main() -> None:
        async with lab(tmp_path) as L:
            L.ctx.warc.directory = blocker / "warc"
            with pytest.raises(ArchiveError, match="cannot write the WARC archive"):
                await collect_site(ChannelFacts("website", "https://good.test/", "good.test"),
                                   {"https_home"}, L.ctx)
    run(main())
