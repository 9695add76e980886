"""The archive: every HTTP exchange as WARC request/response records, and reading one back.

One writer per scan. Records are built with warcio and gzip-compressed one member per
record, so a WarcRef (file, offset, length of the member) addresses a record directly and a
reader never scans a file. All writes run, in submission order, on one thread of their own:
compression stays off the event loop, and the order of submission is the order in the file,
so offsets are computed where the bytes are written and never race.

The response block is the status line and headers as received (aiohttp gives them as
received, minus line folding and whitespace around values) and the body as received
(still content-encoded) up to the cap. aiohttp removes chunked framing before mgov sees the
body, so a chunked body is re-framed as one chunk (and a terminating zero chunk when it was
complete): the record stays valid HTTP, only chunk boundaries are lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import hashlib
import io
import os
import socket
import threading
import uuid
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from mgov import __version__
from mgov.collect.warc_files import Recovered, append_manifest, directory_lock, recover_directory
from mgov.collect.warc_index import CAPTURE, IndexEntry, Sidecar, make_entry, sha256_of, sidecar_of
from mgov.collect.warc_read import ArchivedRecord as ArchivedRecord  # re-exported: the reader's home was here
from mgov.collect.warc_read import dechunk as dechunk
from mgov.collect.warc_read import read_record as read_record
from mgov.collect.warc_revisit import (
    LOCATION,
    MIN_PAYLOAD,
    REVISIT_PROFILE,
    Original,
    Originals,
    location,
)
from mgov.errors import MgovError
from mgov.evidence.exchange import WarcRef

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

GIB = 1 << 30
_T = TypeVar("_T")


class ArchiveError(MgovError):
    """The archive cannot be written (disk full, permissions): the scan must stop."""

GZIP_LEVEL = 6


@dataclass(frozen=True)
class HttpCapture:
    """What one exchange puts in the archive."""

    url: str
    request_head: bytes  # request line, headers, blank line
    response_head: bytes  # status line, headers, blank line
    body: bytes  # as received (content-encoded), de-chunked, at most the cap
    ip: str | None = None
    chunked: bool = False  # the response used Transfer-Encoding: chunked
    truncated: str | None = None  # WARC-Truncated reason: length, time, disconnect
    date: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _warc_date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(parts: list[bytes]) -> str:
    digester = Digester("sha1")
    for part in parts:
        digester.update(part)
    return str(digester)


class _Parts(io.RawIOBase):
    """A read-only stream over several byte strings, without joining them."""

    def __init__(self, parts: list[bytes]) -> None:
        self._parts = [memoryview(p) for p in parts if p]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if not self._parts:
            return 0
        view = memoryview(buffer)
        part = self._parts[0]
        n = min(len(view), len(part))
        view[:n] = part[:n]
        if n == len(part):
            self._parts.pop(0)
        else:
            self._parts[0] = part[n:]
        return n


class _GzipMember:
    """What warcio writes one record to: a gzip member, compressed as it comes, kept in
    memory until the record is whole. warcio's own gzip (level 9) is kept off: several times
    the CPU for a few %."""

    def __init__(self) -> None:
        self._zip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(self._zip.compress(data))
        return len(data)

    def flush(self) -> None:
        pass  # warcio flushes at the end of a record; the member ends in finish()

    def finish(self) -> bytes:
        self._parts.append(self._zip.flush())
        return b"".join(self._parts)


class WarcWriter:
    """Rotating writer of gzipped WARC files named mgov-<timestamp>-<serial>.warc.gz.

    Each record goes to the end of the file whole or not at all: its gzip member is built in
    memory and written in one go, and a write that fails (a full disk) is cut back to where
    the member began before ArchiveError is raised. After the member, its index line goes to
    the file's sidecar (collect.warc_index), and the entry waits in `take_index()` for the
    run to fold it into the database with the findings. Closing or rotating a file seals it
    (collect.warc_files: fsync, SHA-256 in the manifest); the first file a writer opens
    first seals what a dead writer left in the directory.

    With `dedup` (the default), a response whose URL and payload digest match one the writer
    wrote or was seeded with (`seed_originals`, from the index) is written as a `revisit`
    record referring to it (collect.warc_revisit).
    """

    def __init__(self, directory: str | Path, *, max_size: int = GIB, prefix: str = "mgov",
                 dedup: bool = True) -> None:
        self.directory = Path(directory)
        self.originals: Originals | None = Originals() if dedup else None
        self.revisits = 0  # responses written as revisits
        self.revisit_bytes = 0  # payload bytes they did not store again
        self.max_size = max_size
        self.prefix = prefix
        self.files: list[str] = []  # names of the files written, oldest first
        self.recovered: list[Recovered] = []  # what this writer found left by dead ones
        self._serial = 0
        self._fd = -1
        self._size = 0
        self._sha = hashlib.sha256()
        self._sidecar: Sidecar | None = None
        self._name = ""
        self._pending: list[tuple[IndexEntry, int]] = []
        self._pending_lock = threading.Lock()
        self._swept = False
        self._executor: ThreadPoolExecutor | None = None
        self._builder = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")

    async def _run(self, work: Callable[[], _T]) -> _T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mgov-warc")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, work)
        except OSError as exc:
            # Not the channel's failure but the scan's: findings without their bytes are void.
            raise ArchiveError(f"cannot write the WARC archive in {self.directory}: {exc}") from exc

    async def write(self, capture: HttpCapture) -> tuple[WarcRef, WarcRef]:
        """Archive one exchange; returns the refs of its (request, response) records."""
        tag = CAPTURE.get()
        return await self._run(lambda: self.write_sync(capture, tag=tag))

    async def write_metadata(self, uri: str, payload: bytes, date: dt.datetime) -> WarcRef:
        """Archive facts that are not an HTTP exchange (DNS answers, TLS handshakes) as a
        WARC metadata record of JSON, so findings judged on them point at bytes too."""
        tag = CAPTURE.get()
        return await self._run(lambda: self.write_metadata_sync(uri, payload, date, tag=tag))

    def write_metadata_sync(self, uri: str, payload: bytes, date: dt.datetime, *,
                            tag: tuple[int | None, int | None] = (None, None)) -> WarcRef:
        headers = {"WARC-Target-URI": uri, "WARC-Date": _warc_date(date),
                   "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
                   "WARC-Payload-Digest": _digest([payload]), "WARC-Block-Digest": _digest([payload])}
        record = self._builder.create_warc_record("", "metadata", payload=_Parts([payload]), length=len(payload),
                                                  warc_content_type="application/json",
                                                  warc_headers_dict=headers)
        self._file()
        return self._append(record, b"", [payload], tag)

    async def write_resource(self, uri: str, payload: bytes, content_type: str, date: dt.datetime, *,
                             record_type: str = "resource", refers_to: str | None = None,
                             concurrent_to: str | None = None) -> tuple[WarcRef, str]:
        """Archive what mgov made of a page rather than fetched (a rendering's screenshot as a
        `resource`, its DOM as a `conversion`), pointing at the page by WARC-Refers-To-Target-URI
        (and at a sibling record by WARC-Concurrent-To); (its ref, its record id)."""
        record_id = f"<urn:uuid:{uuid.uuid4()}>"
        headers = {"WARC-Target-URI": uri, "WARC-Date": _warc_date(date), "WARC-Record-ID": record_id,
                   "WARC-Payload-Digest": _digest([payload]), "WARC-Block-Digest": _digest([payload])}
        if refers_to:
            headers["WARC-Refers-To-Target-URI"] = refers_to
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        tag = CAPTURE.get()

        def write() -> WarcRef:
            record = self._builder.create_warc_record("", record_type, payload=_Parts([payload]),
                                                      length=len(payload), warc_content_type=content_type,
                                                      warc_headers_dict=headers)
            self._file()
            return self._append(record, b"", [payload], tag)

        return await self._run(write), record_id

    async def aclose(self) -> None:
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self.close)
            self._executor.shutdown(wait=True)
            self._executor = None
        self.close()

    def close(self) -> None:
        """Seal the open file: on disk, its digest in the manifest, its lock let go."""
        if self._fd < 0:
            return
        fd, name, sha = self._fd, self._name, self._sha.hexdigest()
        self._fd = -1
        try:
            os.fsync(fd)
            if self._sidecar is not None:
                self._sidecar.sync()
            append_manifest(self.directory, name, sha)
        finally:
            os.close(fd)
            if self._sidecar is not None:
                self._sidecar.close()
                self._sidecar = None

    def seed_originals(self, entries: list[tuple[str, str, Original]]) -> None:
        """Responses already in the archive (URL, payload digest, where), oldest first, that
        identical responses may refer to."""
        if self.originals is not None:
            self.originals.seed(entries)

    def take_index(self) -> list[tuple[IndexEntry, int]]:
        """The index entries written since the last call (each with its sidecar's size after
        its line), for the run to store with the findings."""
        with self._pending_lock:
            taken, self._pending = self._pending, []
        return taken

    def give_back_index(self, entries: list[tuple[IndexEntry, int]]) -> None:
        """Entries a failed commit did not store, to go with the next one."""
        with self._pending_lock:
            self._pending[:0] = entries

    # --- on the writer thread -----------------------------------------------------------

    def write_sync(self, capture: HttpCapture, *,
                   tag: tuple[int | None, int | None] = (None, None)) -> tuple[WarcRef, WarcRef]:
        body: list[bytes] = [capture.body]
        if capture.chunked:
            body = ([f"{len(capture.body):x}\r\n".encode(), capture.body, b"\r\n"] if capture.body
                    else []) + ([] if capture.truncated else [b"0\r\n\r\n"])
        request_id, response_id = (f"<urn:uuid:{uuid.uuid4()}>" for _ in range(2))
        self._file()  # once: a request and its response never straddle two files
        common = {"WARC-Target-URI": capture.url, "WARC-Date": _warc_date(capture.date)}
        if capture.ip:
            common["WARC-IP-Address"] = capture.ip
        request = self._write_record("request", capture.request_head, [], [], {
            **common, "WARC-Record-ID": request_id, "WARC-Concurrent-To": response_id}, tag)
        extra = {"WARC-Truncated": capture.truncated} if capture.truncated else {}
        digest = _digest(body)
        headers = {**common, "WARC-Record-ID": response_id, "WARC-Concurrent-To": request_id, **extra}
        original = None
        if self.originals is not None and not capture.truncated and len(capture.body) >= MIN_PAYLOAD:
            original = self.originals.find(capture.url, digest, capture.date)
        if original is not None:
            response = self._write_revisit(capture.response_head, [capture.body], digest, original, headers, tag)
            self.revisits += 1
            self.revisit_bytes += len(capture.body)
            return request, response
        response = self._write_record("response", capture.response_head, body, [capture.body], headers, tag,
                                      payload_digest=digest)
        if self.originals is not None and not capture.truncated:
            self.originals.remember(capture.url, digest, Original(response_id, headers["WARC-Date"], response))
        return request, response

    def _write_revisit(self, head: bytes, content: list[bytes], digest: str, original: Original,
                       headers: dict[str, str], tag: tuple[int | None, int | None]) -> WarcRef:
        """A revisit record of the identical-payload-digest profile: the response's own HTTP
        head, no payload, the original named by record id, URI and date (and its place)."""
        headers.update({"WARC-Profile": REVISIT_PROFILE, "WARC-Refers-To": original.record_id,
                        "WARC-Refers-To-Target-URI": headers["WARC-Target-URI"],
                        "WARC-Refers-To-Date": original.date, LOCATION: location(original.ref),
                        "WARC-Payload-Digest": digest, "WARC-Block-Digest": _digest([head])})
        # Built as a response and typed revisit after: warcio writes a revisit's HTTP head only
        # from the headers it parsed, and mgov keeps the head as received, unparsed.
        record = self._builder.create_warc_record(
            "", "response", payload=_Parts([head]), length=len(head),
            warc_content_type="application/http; msgtype=response", warc_headers_dict=headers)
        record.rec_headers.replace_header("WARC-Type", "revisit")
        return self._append(record, head, content, tag, rec_type="revisit")

    def _write_record(self, kind: str, head: bytes, body: list[bytes], content: list[bytes],
                      headers: dict[str, str], tag: tuple[int | None, int | None], *,
                      payload_digest: str | None = None) -> WarcRef:
        """Build one record with warcio and stream it, compressed, to the end of the file.

        Digests are computed here, over the parts, so that warcio never needs to buffer or
        re-read the block; the head and a body of up to the cap are never joined in memory.
        The payload digest covers the body as stored, framing included: what warcio and pywb
        compute.
        """
        headers["WARC-Payload-Digest"] = payload_digest or _digest(body)
        headers["WARC-Block-Digest"] = _digest([head, *body])
        length = len(head) + sum(len(part) for part in body)
        # An empty URI keeps warcio from parsing and re-serializing the HTTP head (it would
        # normalize and %-encode headers); the target URI is set as a plain WARC header.
        record = self._builder.create_warc_record(
            "", kind, payload=_Parts([head, *body]), length=length,
            warc_content_type=f"application/http; msgtype={kind}", warc_headers_dict=headers)
        return self._append(record, head, content, tag)

    def _append(self, record: Any, http_head: bytes, content: list[bytes],
                tag: tuple[int | None, int | None], *, rec_type: str | None = None) -> WarcRef:
        """Write the record's member at the end of the open file, then its index line; on a
        failure, cut the file back to where the member began. The caller has called _file()."""
        member = _GzipMember()
        WARCWriter(member, gzip=False, warc_version="1.1").write_record(record)
        data = member.finish()
        offset, before = self._size, self._sha.copy()
        try:
            _write_all(self._fd, data)
            self._size += len(data)
            self._sha.update(data)
            ref = WarcRef(self._name, offset, len(data))
            if self._sidecar is not None:
                entry = make_entry(filename=self._name, offset=offset, length=len(data),
                                   rec_type=rec_type or record.rec_type, headers=dict(record.rec_headers.headers),
                                   http_head=http_head,
                                   record_digest=sha256_of([data]), content_digest=sha256_of(content), capture=tag)
                end = self._sidecar.append(entry)
                with self._pending_lock:
                    self._pending.append((entry, end))
        except OSError:
            os.ftruncate(self._fd, offset)
            os.lseek(self._fd, offset, os.SEEK_SET)
            self._size, self._sha = offset, before
            raise
        return ref

    def _file(self) -> None:
        """A file to append to: a new one when none is open or the open one is full."""
        if self._fd < 0 or self._size >= self.max_size:
            self._rotate()

    def _rotate(self) -> None:
        self.close()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        with directory_lock(self.directory):
            if not self._swept:  # what dead writers left, sealed before this writer adds its own
                self.recovered = recover_directory(self.directory, locked=True)
                self._swept = True
            while True:
                self._serial += 1
                name = f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
                try:  # never clobber another writer's
                    fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                    break
                except FileExistsError:
                    continue
            fcntl.flock(fd, fcntl.LOCK_EX)  # made under the directory's lock: at most a probe has it a moment
        self._fd, self._size, self._sha, self._name = fd, 0, hashlib.sha256(), name
        self._sidecar = Sidecar(sidecar_of(self.directory / name))
        self.files.append(name)
        warcinfo = self._builder.create_warcinfo_record(name, {
            "software": f"mgov/{__version__} (warcio)", "format": "WARC File Format 1.1",
            "hostname": socket.gethostname(), "description": "mgov scan archive"})
        self._append(warcinfo, b"", [], (None, None))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(28, "No space left on device")
        view = view[written:]
