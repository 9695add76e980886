"""Reading one archived record back by its WarcRef, reading only its bytes of the file: a
record of a file a disposition replaced where it was copied, a revisit with its original's
payload (collect.warc_revisit)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from mgov.collect.warc_revisit import LOCATION, RecordDisposed, find_in_indexes, forwarded, parse_location
from mgov.evidence.exchange import WarcRef

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


@dataclass(frozen=True)
class ArchivedRecord:
    rec_type: str
    warc_headers: list[tuple[str, str]]
    http_head: bytes  # start line and headers as archived, with the blank line
    payload: bytes  # the entity: chunked framing removed, content coding kept
    original: WarcRef | None = None  # a revisit's: the record its payload was read from

    def warc_header(self, name: str) -> str | None:
        return next((v for k, v in self.warc_headers if k.lower() == name.lower()), None)

    @property
    def start_line(self) -> str:
        return self.http_head.split(b"\r\n", 1)[0].decode("latin-1")

    @property
    def headers(self) -> list[tuple[str, str]]:
        lines = self.http_head.decode("latin-1").split("\r\n")[1:]
        return [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines) if k]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class _Window(io.RawIOBase):
    """A read-only view of length bytes from the current position of a file."""

    def __init__(self, fh: BinaryIO, length: int) -> None:
        self._fh, self._left = fh, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer)
        n = min(len(view), self._left)
        data = self._fh.read(n)
        view[:len(data)] = data
        self._left -= len(data)
        return len(data)


def dechunk(data: bytes) -> bytes:
    """Remove chunked framing; a cut stream yields what its complete part carried."""
    out, pos = bytearray(), 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return bytes(out)
        try:
            size = int(data[pos:end].split(b";", 1)[0].strip() or b"x", 16)
        except ValueError:
            return bytes(out)
        if size == 0:
            return bytes(out)
        out += data[end + 2:end + 2 + size]
        pos = end + 2 + size + 2


def read_record(archive_dir: str | Path, ref: WarcRef | Mapping[str, Any], *, follow: bool = True) -> ArchivedRecord:
    """Read the one record a WarcRef (or its as_dict() form, as stored) points to, reading
    only its bytes of the file. A record whose file a disposition replaced is read where it
    was copied (RecordDisposed if it was destroyed); a revisit comes with its original's
    payload (follow=False: as stored, without one)."""
    if not isinstance(ref, WarcRef):
        ref = WarcRef(str(ref["file"]), int(ref["offset"]), int(ref["length"]))
    root = Path(archive_dir).resolve()
    return _read(root, ref, follow=follow, hops=0)


def _read(root: Path, ref: WarcRef, *, follow: bool, hops: int) -> ArchivedRecord:
    path = (root / ref.file).resolve()
    if root not in path.parents:
        raise ValueError(f"WARC reference outside the archive: {ref.file!r}")
    if not path.is_file():
        ref = forwarded(root, ref)
        path = root / ref.file
    with path.open("rb") as fh:
        fh.seek(ref.offset)
        reader = io.BufferedReader(_Window(fh, ref.length))
        record = next(iter(ArchiveIterator(reader, no_record_parse=True)))
        block = record.raw_stream.read()
        rec_type = str(record.rec_type)
        warc_headers = [(str(k), str(v)) for k, v in record.rec_headers.headers]
    if rec_type in ("metadata", "resource", "warcinfo"):
        return ArchivedRecord(rec_type, warc_headers, b"", block)  # no HTTP head in these
    head, sep, payload = block.partition(b"\r\n\r\n")
    head += sep
    if rec_type == "revisit" and follow:
        return _revisit(root, ref, ArchivedRecord(rec_type, warc_headers, head, payload), hops)
    if rec_type == "response" and b"transfer-encoding: chunked" in head.lower():
        payload = dechunk(payload)
    return ArchivedRecord(rec_type, warc_headers, head, payload)


def _revisit(root: Path, ref: WarcRef, revisit: ArchivedRecord, hops: int) -> ArchivedRecord:
    """A revisit with the payload of the record it refers to: at the place its hint names
    when the record there is the one it names, else found in the archive's indexes."""
    refers_to = revisit.warc_header("WARC-Refers-To")
    digest = revisit.warc_header("WARC-Payload-Digest")
    hinted = parse_location(revisit.warc_header(LOCATION))
    original: ArchivedRecord | None = None
    where: WarcRef | None = None
    if hinted is not None:
        try:
            candidate = _read(root, hinted, follow=False, hops=hops)
        except RecordDisposed:
            raise
        except (OSError, ValueError, StopIteration):
            candidate = None
        if candidate is not None and (not refers_to or candidate.warc_header("WARC-Record-ID") == refers_to):
            original, where = candidate, hinted
    if original is None:
        where = find_in_indexes(root, refers_to, revisit.warc_header("WARC-Refers-To-Target-URI"),
                                revisit.warc_header("WARC-Refers-To-Date"), digest)
        if where is None:
            raise FileNotFoundError(f"{ref.file} @ {ref.offset}: the revisit's original ({refers_to or 'no id'}, "
                                    f"{revisit.warc_header('WARC-Refers-To-Target-URI')} at "
                                    f"{revisit.warc_header('WARC-Refers-To-Date')}) is not in the archive")
        if hops >= 3:
            raise FileNotFoundError(f"{ref.file} @ {ref.offset}: revisits refer to revisits too deep")
        original = _read(root, where, follow=True, hops=hops + 1)
    return ArchivedRecord(revisit.rec_type, revisit.warc_headers, revisit.http_head, original.payload, original=where)
