"""WARC files in the shapes other tools write, made here with warcio (no Browsertrix or
Heritrix runs on this machine): the record types, headers and order those tools produce, as
their documentation and sample files show them.

- Browsertrix-crawler (WARC/1.1, a gzip member per record): response then its request
  (WARC-Concurrent-To), a POST and its answer, a chunked response, an identical-payload
  revisit of a page seen before, `urn:pageinfo:` JSON and `urn:view:` screenshot resources.
- Heritrix 3 (WARC/1.0): warcinfo (application/warc-fields), a `dns:` response (text/dns),
  request, response, the crawl's metadata record (application/warc-fields, outlinks), a
  revisit with HTTP headers.
- An uncompressed WARC/1.0 file with a hand-written response carrying no WARC digests.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = "<html><head><title>政务公开</title></head><body>低保 公示</body></html>".encode()


def _http(status: str, headers: list[tuple[str, str]]) -> StatusAndHeaders:
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def _exchange(writer: WARCWriter, url: str, body: bytes, *, method: str = "GET", request_body: bytes = b"",
              content_type: str = "text/html; charset=utf-8", status: str = "200 OK", date: str,
              extra: list[tuple[str, str]] | None = None) -> str:
    response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                         http_headers=_http(status, [("Content-Type", content_type),
                                                                     ("Content-Length", str(len(body))),
                                                                     *(extra or [])]),
                                         warc_headers_dict={"WARC-Date": date})
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    request = writer.create_warc_record(url, "request", payload=io.BytesIO(request_body), length=len(request_body),
                                        http_headers=StatusAndHeaders(f"{method} {path} HTTP/1.1", [
                                            ("Host", url.split("/")[2]), ("User-Agent", "Mozilla/5.0 Browsertrix"),
                                            *([("Content-Type", "application/x-www-form-urlencoded")]
                                              if request_body else [])], is_http_request=True),
                                        warc_headers_dict={"WARC-Date": date})
    request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
    writer.write_record(response)
    writer.write_record(request)
    return str(response.rec_headers.get_header("WARC-Payload-Digest"))


def browsertrix(path: Path, host: str = "www.example.gov.cn") -> Path:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.1")
        w.write_record(w.create_warcinfo_record(path.name, {"software": "Browsertrix-Crawler 1.x (warcio.js)",
                                                            "format": "WARC File Format 1.1"}))
        digest = _exchange(w, f"https://{host}/", PAGE, date="2026-11-02T08:00:00.123Z")
        _exchange(w, f"https://{host}/api/search", b'{"hits": 2}', method="POST", request_body=b"q=%E4%BD%8E%E4%BF%9D",
                  content_type="application/json", date="2026-11-02T08:00:01Z")
        chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        _exchange(w, f"https://{host}/chunked", chunked, content_type="text/plain",
                  extra=[("Transfer-Encoding", "chunked")], date="2026-11-02T08:00:02Z")
        _exchange(w, f"https://{host}/missing", b"gone", status="404 Not Found", date="2026-11-02T08:00:03Z")
        revisit = w.create_revisit_record(f"https://{host}/", digest, f"https://{host}/", "2026-11-02T08:00:00Z",
                                          http_headers=_http("200 OK", [("Content-Type", "text/html; charset=utf-8")]))
        revisit.rec_headers.replace_header("WARC-Date", "2026-11-09T08:00:00Z")
        w.write_record(revisit)
        info = json.dumps({"url": f"https://{host}/", "urls": {}}).encode()
        w.write_record(w.create_warc_record(f"urn:pageinfo:https://{host}/", "resource", payload=io.BytesIO(info),
                                            length=len(info), warc_content_type="application/json",
                                            warc_headers_dict={"WARC-Date": "2026-11-02T08:00:04Z"}))
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
        w.write_record(w.create_warc_record(f"urn:view:https://{host}/", "resource", payload=io.BytesIO(png),
                                            length=len(png), warc_content_type="image/png",
                                            warc_headers_dict={"WARC-Date": "2026-11-02T08:00:05Z"}))
    return path


def heritrix(path: Path, host: str = "www.example.org.cn") -> Path:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.0")
        w.write_record(w.create_warcinfo_record(path.name, {"software": "Heritrix/3.4.0 http://crawler.archive.org",
                                                            "format": "WARC File Format 1.0",
                                                            "isPartOf": "gov-weekly"}))
        dns = b"20261102080000\nwww.example.org.cn.\t300\tIN\tA\t127.0.0.1\n"
        w.write_record(w.create_warc_record(f"dns:{host}", "response", payload=io.BytesIO(dns), length=len(dns),
                                            warc_content_type="text/dns",
                                            warc_headers_dict={"WARC-Date": "2026-11-02T08:00:00Z",
                                                               "WARC-IP-Address": "127.0.0.53"}))
        digest = _exchange(w, f"http://{host}/index.html", PAGE, date="2026-11-02T08:00:01Z")
        outlinks = f"outlink: http://{host}/a.html L a/@href\noutlink: http://{host}/b.css E link/@href\n".encode()
        w.write_record(w.create_warc_record(f"http://{host}/index.html", "metadata", payload=io.BytesIO(outlinks),
                                            length=len(outlinks), warc_content_type="application/warc-fields",
                                            warc_headers_dict={"WARC-Date": "2026-11-02T08:00:01Z"}))
        revisit = w.create_revisit_record(f"http://{host}/index.html", digest, f"http://{host}/index.html",
                                          "2026-11-02T08:00:01Z",
                                          http_headers=_http("200 OK", [("Content-Type", "text/html"),
                                                                        ("Content-Length", str(len(PAGE)))]))
        revisit.rec_headers.replace_header("WARC-Date", "2026-11-09T08:00:01Z")
        w.write_record(revisit)
    return path


def plain(path: Path, host: str = "www.example.org.cn") -> Path:
    """Uncompressed WARC/1.0; its last response has no WARC digests (written by hand)."""
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=False, warc_version="1.0")
        _exchange(w, f"http://{host}/plain.html", PAGE, date="2026-11-03T08:00:00Z")
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nno digests here"
        fh.write(b"WARC/1.0\r\nWARC-Type: response\r\n"
                 b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000019>\r\n"
                 b"WARC-Date: 2026-11-03T08:00:01Z\r\nWARC-Target-URI: http://" + host.encode() + b"/bare.txt\r\n"
                 b"Content-Type: application/http; msgtype=response\r\n"
                 b"Content-Length: " + str(len(block)).encode() + b"\r\n\r\n" + block + b"\r\n\r\n")
    return path


def wacz(path: Path, warc: Path, *, wrong_hash: bool = False) -> Path:
    """A WACZ (1.1.1's layout) holding one WARC file, stored as is."""
    data = warc.read_bytes()
    digest = "sha256:" + hashlib.sha256(b"x" if wrong_hash else data).hexdigest()
    package = {"profile": "data-package", "wacz_version": "1.1.1", "title": "browsertrix crawl",
               "resources": [{"name": warc.name, "path": f"archive/{warc.name}", "hash": digest, "bytes": len(data)}]}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo(f"archive/{warc.name}"), data, compress_type=zipfile.ZIP_STORED)
        z.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0"}\n')
        z.writestr("datapackage.json", json.dumps(package))
    return path


def gunzip_members(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())
