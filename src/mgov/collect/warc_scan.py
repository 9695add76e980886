"""Reading WARC files back to index them: mgov's own (one gzip member per record, member by
member, so that a record cut by a crash is told from a whole one) and other tools' (any WARC
warcio reads, record by record, streamed)."""

from __future__ import annotations

import base64
import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from mgov.collect.warc_index import IndexEntry, make_entry, pywb_mime

CHUNK = 1 << 20
NO_PAYLOAD_DIGEST = ("warcinfo", "revisit")  # warcio computes none for these


@dataclass(frozen=True)
class Member:
    """One gzip member read from a file: where it is, its stored bytes' SHA-256, the record."""

    offset: int
    length: int
    sha256: str
    record: bytes  # decompressed: the WARC record


@dataclass(frozen=True)
class BadTail:
    """Where the members stop being whole records, and why."""

    offset: int
    reason: str


def iter_members(fh: BinaryIO, start: int = 0) -> Iterator[Member | BadTail]:
    """The whole gzip members of fh from `start`, each a whole WARC record; at the first one
    that is cut, corrupt or not a whole record, a BadTail (nothing after it)."""
    fh.seek(start)
    offset = start
    pending = b""
    while True:
        if not pending:
            pending = fh.read(CHUNK)
            if not pending:
                return
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        digest = hashlib.sha256()
        parts: list[bytes] = []
        consumed = 0
        try:
            while not inflater.eof:
                if not pending:
                    pending = fh.read(CHUNK)
                    if not pending:
                        yield BadTail(offset, "the last gzip member is cut (the file ends inside it)")
                        return
                parts.append(inflater.decompress(pending))
                used = len(pending) - len(inflater.unused_data)
                digest.update(pending[:used])
                consumed += used
                pending = inflater.unused_data
        except zlib.error as exc:
            yield BadTail(offset, f"gzip member not readable: {exc}")
            return
        record = b"".join(parts)
        problem = _incomplete(record)
        if problem:
            yield BadTail(offset, problem)
            return
        yield Member(offset, consumed, "sha256:" + digest.hexdigest(), record)
        offset += consumed


def _incomplete(record: bytes) -> str | None:
    head, sep, rest = record.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        return "a gzip member that is not a WARC record"
    length = next((line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), None)
    if length is None or not length.isdigit():
        return "a WARC record without Content-Length"
    if len(rest) < int(length) + 4 or rest[int(length):int(length) + 4] != b"\r\n\r\n":
        return "a WARC record shorter than its Content-Length"
    return None


def member_entry(filename: str, member: Member) -> IndexEntry:
    """The index entry of one of mgov's records, read back from its member."""
    record = next(iter(ArchiveIterator(io.BytesIO(member.record), arc2warc=True)))
    return _entry(record, filename, member.offset, member.length, member.sha256)


def index_file(path: Path, filename: str) -> Iterator[IndexEntry]:
    """Every record of a WARC file (gzip per record, or not compressed) as warcio reads it,
    with the SHA-256 of its stored bytes; raises what warcio raises on a broken file."""
    with path.open("rb") as fh, path.open("rb") as again:
        records = ArchiveIterator(fh, arc2warc=True)
        for record in records:
            held = _Payload(record)
            offset, length = records.get_record_offset(), records.get_record_length()
            again.seek(offset)
            digest = hashlib.sha256()
            left = length
            while left > 0:
                block = again.read(min(CHUNK, left))
                if not block:
                    break
                digest.update(block)
                left -= len(block)
            yield _entry(record, filename, offset, length, "sha256:" + digest.hexdigest(), held)


class _Payload:
    """Reads a record's payload once (as stored, and without chunked framing) for its digests."""

    def __init__(self, record: Any) -> None:
        self.sha1 = hashlib.sha1()  # noqa: S324 - the WARC payload digest pywb writes, not a security use
        self.sha256 = hashlib.sha256()
        chunked = bool(record.http_headers and "chunked" in
                       (record.http_headers.get_header("Transfer-Encoding") or "").lower())
        dechunk = _Dechunker() if chunked else None
        while True:
            block = record.raw_stream.read(CHUNK)
            if not block:
                break
            self.sha1.update(block)
            self.sha256.update(dechunk.feed(block) if dechunk else block)

    def payload_digest(self) -> str:
        return "sha1:" + base64.b32encode(self.sha1.digest()).decode("ascii")

    def content_digest(self) -> str:
        return "sha256:" + self.sha256.hexdigest()


class _Dechunker:
    """Chunked transfer framing removed from a stream fed in pieces."""

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # bytes of the current chunk still to come (then its CRLF)
        self._done = False

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        self._buffer += data
        while not self._done:
            if self._left > 0:
                take = self._buffer[:self._left]
                out += take
                self._left -= len(take)
                self._buffer = self._buffer[len(take):]
                if self._left > 0:
                    break
                self._buffer = self._buffer[2:] if len(self._buffer) >= 2 else self._buffer
                continue
            end = self._buffer.find(b"\r\n")
            if end < 0:
                break
            try:
                size = int(self._buffer[:end].split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                self._done = True
                break
            self._buffer = self._buffer[end + 2:]
            if size == 0:
                self._done = True
            self._left = size
        return bytes(out)


def _entry(record: Any, filename: str, offset: int, length: int, record_digest: str,
           held: _Payload | None = None) -> IndexEntry:
    held = held or _Payload(record)
    headers: dict[str, str] = {}
    for key, value in record.rec_headers.headers:
        headers.setdefault(key.lower(), value)  # the first of a repeated header, as warcio reads it
    rec_type = str(record.rec_type)
    http = record.http_headers
    status = http.get_statuscode() if http is not None and rec_type in ("response", "revisit") else None
    http_type = http.get_header("Content-Type") if http is not None else None
    computed = held.payload_digest() if rec_type not in NO_PAYLOAD_DIGEST else None
    entry = make_entry(filename=filename, offset=offset, length=length, rec_type=rec_type, headers=headers,
                       record_digest=record_digest, content_digest=held.content_digest(), payload_digest=computed)
    fields = dict(entry.fields)
    # The HTTP facts as warcio parsed them in this pass (make_entry had no head to parse).
    if status:
        fields["status"] = status
    mime = pywb_mime(rec_type, headers.get("content-type"), http_type)
    fields.pop("mime", None)
    if mime:
        fields["mime"] = mime
    ordered: dict[str, Any] = {k: fields[k] for k in ("url", "mime", "status", "digest") if k in fields}
    ordered.update((k, v) for k, v in fields.items() if k not in ordered)
    return IndexEntry(entry.urlkey, entry.timestamp, ordered)
