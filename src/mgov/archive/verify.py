"""Fixity: re-read WARC files and say where they changed.

Each file is read once (mapped into memory) and checked three ways:

- the whole file's SHA-256 against the manifest (`manifest-sha256.txt`), itself checked
  against `tagmanifest-sha256.txt`;
- each record's stored bytes against the SHA-256 its index line recorded when it was written
  or imported (`recordDigest`), in a file whose digest is not the manifest's: a changed bit
  is located to the record, whichever byte of it changed (gzip header, deflate data, gzip
  footer);
- each record decompressed and its WARC-Block-Digest and WARC-Payload-Digest recomputed
  (sha1, sha256, sha512 or md5; base32, hex or base64), as `warcio check` does: a revisit's
  payload digest names the original and is not checked, and records without digests are
  counted as such.

Records are inflated with ISA-L (PyPI isal) when it is installed, zlib otherwise. Files are
split into segments of records checked in parallel threads (zlib, ISA-L and hashlib let go
of the GIL), the whole-file hash being one more task. `fast` compares every record's stored
bytes with its recordDigest and skips the third check for those that still match: they are
the bytes whose digests were computed (mgov's writer) or checked (import) when they entered
the archive.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import mmap
import os
import types
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mgov.collect.warc_files import file_sha256
from mgov.collect.warc_index import IndexEntry, read_sidecar, sidecar_of
from mgov.collect.warc_scan import BadTail, Member, iter_members

inflate_lib: types.ModuleType = zlib  # ISA-L's inflate when installed: about twice zlib's speed, same API
with contextlib.suppress(ImportError):  # a platform without isal's wheel keeps zlib
    from isal import isal_zlib

    inflate_lib = isal_zlib
INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, inflate_lib.error)

SEGMENT = 64 << 20  # bytes of records per task
OUT = 4 << 20  # decompressed bytes at a time
HTTP_TYPES = ("request", "response", "revisit")
HEAD_MAX = 256 << 10  # an HTTP head longer than this is not searched for its end


@dataclass(frozen=True)
class Problem:
    file: str
    offset: int | None  # the record's, None for the file as a whole
    what: str
    url: str | None = None


@dataclass
class FileCheck:
    file: str
    size: int = 0
    records: int = 0
    without_digests: int = 0  # records with neither WARC digest
    not_checked: int = 0  # revisits' payload digests
    sha256: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _decode(value: str, size: int) -> bytes | None:
    for decode in (lambda v: base64.b32decode(v.upper() + "=" * (-len(v) % 8)), bytes.fromhex,
                   lambda v: base64.b64decode(v + "=" * (-len(v) % 4), validate=True)):
        try:
            raw = decode(value)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == size:
            return raw
    return None


class _Digest:
    """A declared WARC digest (`sha1:BASE32`...) and the hash to compare it with."""

    def __init__(self, declared: str) -> None:
        self.declared = declared
        algorithm, _, value = declared.partition(":")
        name = algorithm.strip().lower().replace("-", "")
        self.hasher = hashlib.new(name) if name in ("sha1", "sha256", "sha512", "md5") else None
        self.expected = _decode(value.strip(), self.hasher.digest_size) if self.hasher else None

    def update(self, data: memoryview) -> None:
        if self.hasher is not None:
            self.hasher.update(data)

    def problem(self, what: str) -> str | None:
        if self.hasher is None or self.expected is None:
            return f"{what} {self.declared!r} is not a digest mgov can check"
        if self.hasher.digest() != self.expected:
            return f"{what} does not match the record ({self.declared})"
        return None


class _Record:
    """One WARC record fed in pieces: its header parsed, its block and payload hashed."""

    def __init__(self) -> None:
        self.head = b""
        self.headers: dict[str, str] | None = None
        self.left = 0
        self.block: _Digest | None = None
        self.payload: _Digest | None = None
        self.http_head: bytes | None = None  # bytes of the HTTP head while it is being read
        self.trailer = b""
        self.counts = (0, 0)  # (without digests, payload not checked)

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        if self.headers is None:
            if self.head:
                data = self.head + data
                view = memoryview(data)
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.head = bytes(data)
                return
            self.head = bytes(view[:end])
            self._start()
            view = view[end + 4:]
        if self.left > 0:
            part, view = view[:self.left], view[self.left:]
            self.left -= len(part)
            if self.block is not None:
                self.block.update(part)
            self._payload(part)
        if len(self.trailer) < 4:
            self.trailer += bytes(view[:4])

    def _start(self) -> None:
        headers: dict[str, str] = {}
        for line in self.head.decode("utf-8", "replace").split("\r\n")[1:]:
            key, _, value = line.partition(":")
            headers.setdefault(key.strip().lower(), value.strip())
        self.headers = headers
        self.left = int(headers.get("content-length", "0") or 0)
        kind = headers.get("warc-type", "")
        block, payload = headers.get("warc-block-digest"), headers.get("warc-payload-digest")
        self.block = _Digest(block) if block else None
        http = (kind in HTTP_TYPES and headers.get("content-type", "").startswith("application/http")
                and headers.get("warc-target-uri", "").lower().startswith(("http:", "https:")))
        if payload and kind != "revisit":
            self.payload = _Digest(payload)
        self.counts = (int(not block and not payload), int(bool(payload) and kind == "revisit"))
        self.http_head = b"" if http else None

    def _payload(self, part: memoryview) -> None:
        if self.payload is None:
            return
        if self.http_head is None:
            self.payload.update(part)
            return
        seen = len(self.http_head)
        if seen >= HEAD_MAX:
            return  # no end of the HTTP head where one could be: reported
        self.http_head += bytes(part[:HEAD_MAX - seen])
        end = self.http_head.find(b"\r\n\r\n")
        if end >= 0:
            self.payload.update(part[end + 4 - seen:])
            self.http_head = None

    def problems(self, compressed: bool) -> Iterator[str]:
        if self.headers is None:
            yield "not a WARC record (no header end)"
            return
        if self.left > 0:
            yield f"the record ends {self.left} bytes before its Content-Length"
            return
        if compressed and not self.trailer.startswith(b"\r\n\r\n"):
            yield "the record does not end with the blank lines after its block"
        if self.block is not None and (p := self.block.problem("WARC-Block-Digest")):
            yield p
        if self.payload is not None:
            if self.http_head is not None:
                yield "WARC-Payload-Digest: the HTTP head has no end"
            elif p := self.payload.problem("WARC-Payload-Digest"):
                yield p


def _check_record(raw: memoryview, compressed: bool) -> tuple[list[str], tuple[int, int]]:
    record = _Record()
    if not compressed:
        record.feed(bytes(raw))
        return list(record.problems(compressed)), record.counts
    inflater = inflate_lib.decompressobj(16 + zlib.MAX_WBITS)
    data: bytes | memoryview = raw
    try:
        while True:
            out = inflater.decompress(data, OUT)
            record.feed(out)
            data = inflater.unconsumed_tail
            if not data and (inflater.eof or not out):
                break
    except INFLATE_ERRORS as exc:
        return [f"gzip member damaged: {exc}"], record.counts
    if not inflater.eof:
        return ["gzip member cut short"], record.counts
    if inflater.unused_data:
        return [f"{len(inflater.unused_data)} bytes after the gzip member, inside the record's span"], record.counts
    return list(record.problems(compressed)), record.counts


def _segment(name: str, view: memoryview, entries: list[IndexEntry], compressed: bool,
             mode: str) -> tuple[list[Problem], int, int]:
    """Check records: "full" their WARC digests; "fast" their stored bytes, and the digests
    of those that changed; "locate" their stored bytes only (in a file whose digest is off)."""
    problems = []
    without = unchecked_total = 0
    for entry in entries:
        raw = view[entry.offset:entry.offset + entry.length]
        url = entry.fields.get("url")
        if len(raw) < entry.length:
            problems.append(Problem(name, entry.offset, "the record runs past the end of the file", url))
            continue
        declared = entry.fields.get("recordDigest")
        same = None
        if declared and mode != "full":
            same = "sha256:" + hashlib.sha256(raw).hexdigest() == declared
            if not same:
                problems.append(Problem(name, entry.offset, "the record's stored bytes changed since it was "
                                        f"indexed (recordDigest {declared})", url))
        if mode == "locate" or (mode == "fast" and same):
            continue
        found, (bare, unchecked) = _check_record(raw, compressed)
        without += bare
        unchecked_total += unchecked
        problems.extend(Problem(name, entry.offset, what, url) for what in found)
    return problems, without, unchecked_total


def _entries(path: Path, name: str, view: memoryview) -> tuple[list[IndexEntry], list[Problem]]:
    """The file's records: from its sidecar; for a file without one, its gzip members."""
    sidecar = sidecar_of(path)
    if sidecar.exists():
        entries = sorted((e for e, _ in read_sidecar(sidecar)), key=lambda e: e.offset)
        return entries, []
    entries, problems = [], []
    with path.open("rb") as fh:
        for item in iter_members(fh):
            if isinstance(item, BadTail):
                problems.append(Problem(name, item.offset, f"{item.reason} (no index to go on past it)"))
                break
            member: Member = item
            entries.append(IndexEntry("-", "0", {"offset": member.offset, "length": member.length,
                                                 "filename": name}))
    return entries, problems


def _coverage(name: str, view: memoryview, entries: list[IndexEntry]) -> list[Problem]:
    """Bytes that belong to no record (an uncompressed WARC's blank lines between records
    excepted: warcio leaves them out of the records' lengths)."""
    problems, at = [], 0
    for entry in [*entries, None]:
        end = entry.offset if entry is not None else len(view)
        if end > at and bytes(view[at:end]).strip(b"\r\n"):
            what = "between records belong to no record" if entry is not None else "after the last indexed record"
            problems.append(Problem(name, at, f"{end - at} bytes {what}"))
        if entry is not None:
            at = max(at, entry.offset + entry.length)
    return problems


def verify_files(directory: Path, names: list[str], manifest: dict[str, str], *, fast: bool = False,
                 threads: int | None = None) -> list[FileCheck]:
    """Check the named files (relative to the directory) against the manifest and their index."""
    threads = threads or max(1, min(8, os.cpu_count() or 1))
    results = [FileCheck(name) for name in names]
    maps: list[tuple[mmap.mmap, memoryview]] = []
    spans: dict[str, memoryview] = {}
    records: dict[str, list[IndexEntry]] = {}
    tasks: list[tuple[FileCheck, Future[tuple[list[Problem], int, int]]]] = []
    hashes: list[tuple[FileCheck, Future[str]]] = []
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mgov-verify") as pool:
        for result in results:
            path = directory / result.file
            if not path.is_file():
                result.problems.append(Problem(result.file, None, "the file is missing"))
                continue
            result.size = path.stat().st_size
            hashes.append((result, pool.submit(file_sha256, path)))
            if result.size == 0:
                continue
            with path.open("rb") as fh:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            view = memoryview(mapped)
            maps.append((mapped, view))
            spans[result.file] = view
            entries, early = _entries(path, result.file, view)
            result.records = len(entries)
            records[result.file] = entries
            result.problems.extend(early)
            result.problems.extend(_coverage(result.file, view, entries))
            compressed = result.file.endswith(".gz")
            for segment in _split(entries):
                tasks.append((result, pool.submit(_segment, result.file, view, segment, compressed,
                                                  "fast" if fast else "full")))
        for result, done in tasks:
            found, without, unchecked = done.result()
            result.problems.extend(found)
            result.without_digests += without
            result.not_checked += unchecked
        for result, digest in hashes:
            result.sha256 = digest.result()
            recorded = manifest.get(result.file)
            if recorded is None:
                result.problems.append(Problem(result.file, None, "not in the manifest (never sealed)"))
            elif recorded != result.sha256:
                result.problems.append(Problem(result.file, None, f"SHA-256 {result.sha256} differs from the "
                                               f"manifest's {recorded}"))
                if not fast and result.file in spans:  # which records changed: their stored bytes' digests
                    located = [pool.submit(_segment, result.file, spans[result.file], segment,
                                           result.file.endswith(".gz"), "locate")
                               for segment in _split(records[result.file])]
                    for done in located:
                        result.problems.extend(done.result()[0])
    for mapped, view in maps:
        view.release()
        mapped.close()
    for result in results:
        result.problems.sort(key=lambda p: (p.offset is None, p.offset or 0))
    return results


def _split(entries: list[IndexEntry]) -> Iterator[list[IndexEntry]]:
    segment: list[IndexEntry] = []
    size = 0
    for entry in entries:
        segment.append(entry)
        size += entry.length
        if size >= SEGMENT:
            yield segment
            segment, size = [], 0
    if segment:
        yield segment
