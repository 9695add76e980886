"""The index line of each WARC record, kept beside its file as the record is written.

Every WARC file of the archive has a sidecar, `<file>.cdxj`, with one CDXJ line per record in
file order: `<SURT key> <14-digit timestamp> <JSON>`. The JSON has the fields pywb's indexer
(cdxj-indexer) writes for the record, computed the way it computes them (url, mime, status,
digest, length, offset, filename; `recordDigest` as its `-d` option: the SHA-256 of the
record's bytes as stored), then mgov's own: the record type and id, the WARC-Date in full,
`contentDigest` (SHA-256 of the payload without transfer framing), the run and channel it was
captured for, and, for revisits, what they refer to.

A line is appended only after its record's bytes are in the file, and a reader takes only
whole lines: so a sidecar never names a record that is not (yet) there. The database's index
(`archive_records`) is folded in from these lines (runs.index_store) in the transaction of a
channel's findings, and from the sidecars themselves by `mgov archive` after a crash.
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecordLoader
from warcio.timeutils import iso_date_to_timestamp

from mgov.collect.surt import surt

SIDECAR = ".cdxj"
# What pywb indexes unless asked for every record (cdxj-indexer's DEFAULT_RECORDS).
PYWB_RECORDS = ("response", "revisit", "resource", "metadata")
_MIME_END = re.compile(r"[;\s]")
_LOADER = ArcWarcRecordLoader(verify_http=False)

# Which run and channel the records written in this context are captured for: the runner
# sets it in each channel's task; tasks the channel starts inherit it.
CAPTURE: contextvars.ContextVar[tuple[int | None, int | None]] = contextvars.ContextVar(
    "mgov_capture", default=(None, None))


@dataclass(frozen=True)
class IndexEntry:
    """One record's index line: the SURT key, the timestamp and the JSON fields."""

    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    @property
    def filename(self) -> str:
        return str(self.fields["filename"])

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])

    @property
    def record_type(self) -> str:
        return str(self.fields.get("recordType", ""))

    @property
    def pywb_default(self) -> bool:
        """Whether cdxj-indexer indexes this record without `--records all`."""
        return self.record_type in PYWB_RECORDS and not self.fields.get("warcFields")

    def line(self) -> str:
        return f"{self.urlkey} {self.timestamp} {json.dumps(self.fields)}\n"

    @classmethod
    def parse(cls, line: str) -> IndexEntry:
        key, stamp, data = line.rstrip("\n").split(" ", 2)
        return cls(key, stamp, json.loads(data))


def pywb_mime(rec_type: str, warc_content_type: str | None, http_content_type: str | None) -> str | None:
    """cdxj-indexer's mime: warc/revisit for revisits, the HTTP Content-Type of requests and
    responses, the WARC Content-Type of the others; the type alone, without parameters."""
    if rec_type == "revisit":
        return "warc/revisit"
    value = http_content_type if rec_type in ("response", "request") else warc_content_type
    return _MIME_END.split(value, 1)[0].strip() if value else None


def http_facts(rec_type: str, uri: str, head: bytes) -> tuple[str | None, str | None]:
    """(status, Content-Type) of a record's HTTP head, parsed as warcio parses it for pywb."""
    if not head:
        return None, None
    try:
        parsed = _LOADER.load_http_headers(rec_type, uri, io.BytesIO(head), len(head))
    except (EOFError, ValueError, UnicodeError):
        return None, None
    if parsed is None:
        return None, None
    status = parsed.get_statuscode() if rec_type in ("response", "revisit") else None
    return status, parsed.get_header("Content-Type")


def make_entry(*, filename: str, offset: int, length: int, rec_type: str, headers: dict[str, str],
               http_head: bytes = b"", record_digest: str | None = None, content_digest: str | None = None,
               payload_digest: str | None = None, capture: tuple[int | None, int | None] = (None, None)) -> IndexEntry:
    """The index entry of one record, from its WARC headers (as written) and HTTP head."""
    h = {k.lower(): v for k, v in headers.items()}
    url = h.get("warc-target-uri")
    status, http_type = http_facts(rec_type, url or "", http_head) if url else (None, None)
    fields: dict[str, Any] = {}
    if url:
        fields["url"] = url
    mime = pywb_mime(rec_type, h.get("content-type"), http_type)
    if mime:
        fields["mime"] = mime
    if status:
        fields["status"] = status
    digest = h.get("warc-payload-digest") or payload_digest
    if digest:
        fields["digest"] = digest
    fields.update(length=str(length), offset=str(offset), filename=filename)
    if record_digest:
        fields["recordDigest"] = record_digest
    fields["recordType"] = rec_type
    if h.get("warc-record-id"):
        fields["recordId"] = h["warc-record-id"]
    if h.get("warc-date"):
        fields["date"] = h["warc-date"]
    if content_digest:
        fields["contentDigest"] = content_digest
    run, channel = capture
    if run is not None:
        fields["run"] = run
    if channel is not None:
        fields["channel"] = channel
    for name, key in (("warc-refers-to", "refersTo"), ("warc-refers-to-target-uri", "refersToUri"),
                      ("warc-refers-to-date", "refersToDate"), ("warc-truncated", "truncated")):
        if h.get(name):
            fields[key] = h[name]
    if rec_type in ("resource", "metadata") and h.get("content-type") == "application/warc-fields":
        fields["warcFields"] = True
    stamp = iso_date_to_timestamp(h["warc-date"]) if h.get("warc-date") else "0" * 14
    return IndexEntry(surt(url), stamp, fields)


def sha256_of(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return "sha256:" + digest.hexdigest()


def sidecar_of(warc: Path) -> Path:
    return warc.with_name(warc.name + SIDECAR)


class Sidecar:
    """Appends the index lines of one WARC file (written by its writer's thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.size = os.fstat(self._fd).st_size

    def append(self, entry: IndexEntry) -> int:
        """Write the entry's line; the sidecar's size after it. A line cut by a full disk is
        taken back, so the sidecar holds whole lines only."""
        data = entry.line().encode("utf-8")
        try:
            written = os.write(self._fd, data)
            if written != len(data):
                raise OSError(28, "No space left on device (short write of the index)")
        except OSError:
            os.ftruncate(self._fd, self.size)
            raise
        self.size += len(data)
        return self.size

    def sync(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def read_sidecar(path: Path, start: int = 0) -> Iterator[tuple[IndexEntry, int]]:
    """The whole lines of a sidecar from byte `start`, each with the byte offset after it (a
    cut last line, from a crash while it was written, is left out)."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        fh.seek(start)
        position = start
        for raw in fh:
            if not raw.endswith(b"\n"):
                return
            position += len(raw)
            text = raw.decode("utf-8", "replace").strip()
            if text:
                yield IndexEntry.parse(text), position
