"""Identical payloads stored once, and every reference still readable.

- **Writing.** The writer keeps a bounded cache of the responses it may refer back to
  (`Originals`: URL and WARC-Payload-Digest -> the original's record id, date and place),
  seeded by the run from the archive's index and fed by every response it writes. A response
  whose URL and payload digest are in the cache, with an original not older than
  `max_age`, is written as a WARC `revisit` record of the identical-payload-digest profile:
  its own HTTP head, no payload, WARC-Refers-To (the original's record id),
  WARC-Refers-To-Target-URI and WARC-Refers-To-Date; the original's place in the archive
  goes in the record as `Mgov-Refers-To-Location` (file, offset, length), a hint checked
  against the original's record id whenever it is followed. Originals older than `max_age`
  are not referred to (the next identical response is stored whole and becomes the
  original): a revisit keeps its original from disposition (mgov.archive.disposition), so
  an original is never kept more than `max_age` past the schedule's date.
- **Reading.** A revisit is read with its original's payload (`original_of`: the hint, else
  the sidecar indexes of the archive, by record id or by URL, date and digest, which also
  serves revisits other tools wrote). A record of a file a disposition replaced or
  destroyed is found through the file's tombstone (`forwarded`): records kept were copied
  byte for byte into a new file, whose place the tombstone gives; destroyed ones raise
  `RecordDisposed`, naming when and under which approval.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from mgov.evidence.exchange import WarcRef

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
LOCATION = "Mgov-Refers-To-Location"  # the original's place: "<file> <offset> <length>"
TOMBSTONES = "tombstones"  # <archive>/tombstones/<file>.json, written by a disposition
MIN_PAYLOAD = 1024  # bytes: a smaller payload saves less than a revisit record's headers weigh
CACHE_SIZE = 50_000  # responses remembered (a few hundred bytes each)
MAX_AGE = dt.timedelta(days=30)
MAX_HOPS = 8  # tombstones followed, one file replacing another


class RecordDisposed(FileNotFoundError):
    """The record was destroyed by an approved disposition (its tombstone says when)."""


@dataclass(frozen=True)
class Original:
    """A response a later identical one may refer to."""

    record_id: str
    date: str  # its WARC-Date, as written
    ref: WarcRef

    def when(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.date.replace("Z", "+00:00"))
        except ValueError:
            return None


class Originals:
    """The bounded cache of (URL, payload digest) -> Original, least recently used out first."""

    def __init__(self, size: int = CACHE_SIZE, max_age: dt.timedelta = MAX_AGE) -> None:
        self.size, self.max_age = size, max_age
        self._items: OrderedDict[tuple[str, str], Original] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def remember(self, url: str, digest: str, original: Original) -> None:
        key = (url, digest)
        self._items[key] = original
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def seed(self, entries: list[tuple[str, str, Original]]) -> None:
        """Originals from the index (oldest first, so the newest stay when they overflow);
        an entry already known from this writer is not replaced."""
        for url, digest, original in entries:
            if (url, digest) not in self._items:
                self.remember(url, digest, original)

    def find(self, url: str, digest: str, at: dt.datetime) -> Original | None:
        """The original an identical response captured at `at` may refer to."""
        found = self._items.get((url, digest))
        if found is None:
            return None
        when = found.when()
        if when is None or at - when > self.max_age or when > at:
            return None
        self._items.move_to_end((url, digest))
        return found


def location(ref: WarcRef) -> str:
    return f"{ref.file} {ref.offset} {ref.length}"


def parse_location(value: str | None) -> WarcRef | None:
    if not value:
        return None
    parts = value.rsplit(" ", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return WarcRef(parts[0], int(parts[1]), int(parts[2]))


# --- tombstones ---------------------------------------------------------------------------

def tombstone_path(root: Path, file: str) -> Path:
    return root / TOMBSTONES / f"{file}.json"


def forwarded(root: Path, ref: WarcRef) -> WarcRef:
    """Where a record of a file that is gone is now; RecordDisposed if it was destroyed,
    FileNotFoundError if its file is gone without a tombstone."""
    for _ in range(MAX_HOPS):
        if (root / ref.file).is_file():
            return ref
        stone = tombstone_path(root, ref.file)
        if not stone.is_file():
            raise FileNotFoundError(f"{ref.file}: no such WARC file in the archive, and no tombstone for it")
        data = json.loads(stone.read_text("utf-8"))
        moved = {int(old): (int(new), int(length)) for old, new, length in data.get("moved", [])}
        if ref.offset in moved and data.get("replaced_by"):
            new, length = moved[ref.offset]
            ref = WarcRef(str(data["replaced_by"]), new, length)
            continue
        raise RecordDisposed(f"{ref.file} @ {ref.offset} was destroyed on {data.get('destroyed_at')} under "
                             f"disposition {data.get('disposition')} approved by {data.get('approved_by')} "
                             f"(tombstone {stone.relative_to(root).as_posix()})")
    raise FileNotFoundError(f"{ref.file} @ {ref.offset}: more than {MAX_HOPS} tombstones in a row")


# --- the original of a revisit -------------------------------------------------------------

def find_in_indexes(root: Path, record_id: str | None, uri: str | None, date: str | None,
                    digest: str | None) -> WarcRef | None:
    """The original a revisit names, looked up in the archive's sidecar indexes (newest
    first): by its record id, else by URL, WARC-Date and payload digest."""
    sidecars = sorted(root.glob("*.warc.gz.cdxj"), reverse=True)
    imported = root / "imported"
    if imported.is_dir():
        sidecars += sorted(imported.rglob("*.cdxj"), reverse=True)
    stamp = _stamp(date)
    for sidecar in sidecars:
        with sidecar.open("rb") as fh:
            for raw in fh:
                if record_id and record_id.encode() not in raw and (not uri or uri.encode() not in raw):
                    continue
                try:
                    _, line_stamp, data = raw.decode("utf-8").rstrip("\n").split(" ", 2)
                    fields = json.loads(data)
                except ValueError:
                    continue
                if fields.get("recordType") not in ("response", "resource"):
                    continue
                if record_id and fields.get("recordId") == record_id:
                    return _ref(sidecar, root, fields)
                if (uri and fields.get("url") == uri and digest and fields.get("digest") == digest
                        and (fields.get("date") == date or (stamp and line_stamp == stamp))):
                    return _ref(sidecar, root, fields)
    return None


def _ref(sidecar: Path, root: Path, fields: dict[str, str]) -> WarcRef:
    name = str(fields["filename"])
    if "/" not in name and sidecar.parent != root:  # other tools' indexes name files without the folder
        name = (sidecar.parent / name).relative_to(root).as_posix()
    return WarcRef(name, int(fields["offset"]), int(fields["length"]))


def _stamp(date: str | None) -> str | None:
    if not date:
        return None
    digits = "".join(ch for ch in date if ch.isdigit())
    return digits[:14] if len(digits) >= 14 else None
