"""The archive directory's files: who may write, the fixity manifest, and sealing a file a
crash left open.

- **Locks.** A writer holds an exclusive `flock` on each WARC file while it writes it; the
  kernel lets go when the process dies, kill -9 included, so a file that can be locked and
  is not in the manifest was left by a dead writer. Creating a file and locking it, sealing
  a crashed one and appending to the manifest happen under the directory's lock
  (`.lock`), so no one seals a file its writer is just opening.
- **Fixity.** A file is sealed when its writer closes or rotates it: written to disk (fsync),
  its SHA-256 appended to `manifest-sha256.txt` (`<hex>  <path>`, BagIt's form), and the
  manifest's own SHA-256 replaced in `tagmanifest-sha256.txt` (written aside, then renamed).
  WARC files are never rewritten.
- **Recovery.** A file left by a dead writer ends either on a record boundary or inside a
  record (a cut gzip member). Sealing it keeps the good prefix: what follows is copied to
  `quarantine/<name>.<offset>.tail` and then cut off by truncating the file to the prefix,
  the one change mgov ever makes to a WARC file, and only to a file that was never sealed.
  A file with no whole record is moved to `quarantine/` whole. Records whole in the file but
  missing from the sidecar (killed between the two writes) are indexed; sidecar lines past
  the prefix (possible only when the disk lost writes) are dropped. Each recovery is logged
  in `quarantine/recovered.jsonl`, which the database's index reads to mark what it lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from mgov.collect.warc_index import read_sidecar, sidecar_of
from mgov.collect.warc_scan import BadTail, iter_members, member_entry

MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
QUARANTINE = "quarantine"
RECOVERY_LOG = "recovered.jsonl"
LOCK = ".lock"
HASH_BLOCK = 8 << 20


@contextlib.contextmanager
def directory_lock(directory: Path) -> Iterator[None]:
    """The archive directory's lock, held for short steps (create, seal, recover)."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def partial_of(final: Path) -> Path:
    """Where a file is written before it is whole (written_aside)."""
    return final.with_name(final.name + ".part")


@contextlib.contextmanager
def written_aside(final: Path, *, rename: bool = True) -> Iterator[BinaryIO]:
    """A file written under its partial name and put on disk (fsync); renamed to final when
    whole (rename False: the caller renames partial_of(final), under its own lock). A failure
    leaves nothing behind, so a crash never leaves a half file under an archive's name."""
    partial = partial_of(final)
    try:
        with partial.open("wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if rename:
            partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def try_lock(fd: int) -> bool:
    """An exclusive lock on an open file, if no live writer holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb", buffering=0) as fh:
        block = bytearray(HASH_BLOCK)
        view = memoryview(block)
        while n := fh.readinto(block):
            digest.update(view[:n])
    return digest.hexdigest()


def read_manifest(directory: Path) -> dict[str, str]:
    """path (relative to the archive) -> SHA-256 hex, for every sealed file."""
    path = directory / MANIFEST
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        digest, sep, name = line.partition("  ")
        if sep and name:
            out[name] = digest
    return out


def manifest_problem(directory: Path) -> str | None:
    """None when the manifest matches its recorded digest; else what is wrong."""
    manifest, tag = directory / MANIFEST, directory / TAGMANIFEST
    if not manifest.exists():
        return None if not tag.exists() else f"{MANIFEST} is missing but {TAGMANIFEST} names it"
    if not tag.exists():
        return f"{TAGMANIFEST} is missing: the manifest cannot be checked"
    recorded = next((line.partition("  ")[0] for line in tag.read_text("utf-8").splitlines()
                     if line.partition("  ")[2] == MANIFEST), None)
    actual = file_sha256(manifest)
    if recorded != actual:
        return f"{MANIFEST} was altered: its SHA-256 is {actual}, {TAGMANIFEST} records {recorded}"
    return None


def append_manifest(directory: Path, name: str, sha256: str, *, locked: bool = False) -> None:
    """Record a sealed file's digest; the manifest's own digest follows it."""
    if not locked:
        with directory_lock(directory):
            append_manifest(directory, name, sha256, locked=True)
        return
    manifest = directory / MANIFEST
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write(f"{sha256}  {name}\n")
        fh.flush()
        os.fsync(fh.fileno())
    tag = directory / TAGMANIFEST
    aside = tag.with_name(tag.name + ".new")
    with aside.open("w", encoding="utf-8") as fh:
        fh.write(f"{file_sha256(manifest)}  {MANIFEST}\n")
        fh.flush()
        os.fsync(fh.fileno())
    aside.replace(tag)
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Recovered:
    """What sealing a file left by a dead writer did."""

    file: str
    size: int  # bytes before
    kept: int  # bytes of whole records kept
    tail: str | None  # where the rest went (relative to the archive), if anything followed
    indexed: int  # whole records that had no index line
    dropped: int  # index lines past the kept bytes
    sidecar_kept: int  # bytes of the sidecar kept before the lines added
    reason: str | None
    at: str


def recover_directory(directory: Path, *, locked: bool = False, adopt: bool = False) -> list[Recovered]:
    """Seal every WARC file of the directory's top level that a dead writer left: not in the
    manifest, lockable, and with a sidecar (adopt: also files without one, from before the
    index, which are then indexed whole)."""
    if not locked:
        with directory_lock(directory):
            return recover_directory(directory, locked=True, adopt=adopt)
    sealed = read_manifest(directory)
    done = []
    for path in sorted(directory.glob("*.warc.gz")):
        if path.name in sealed or not (adopt or sidecar_of(path).exists()):
            continue
        fd = os.open(path, os.O_RDWR)
        try:
            if not try_lock(fd):
                continue  # a live writer's
            done.append(_recover(directory, path, fd))
        finally:
            os.close(fd)
    return done


def _recover(directory: Path, path: Path, fd: int) -> Recovered:
    size = os.fstat(fd).st_size
    sidecar = sidecar_of(path)
    lines = list(read_sidecar(sidecar))
    whole_lines = lines[-1][1] if lines else 0
    kept_lines = [(e, end) for e, end in lines if e.offset + e.length <= size]
    start = max((e.offset + e.length for e, _ in kept_lines), default=0)
    new_entries, kept, reason = [], start, None
    with path.open("rb") as fh:
        for item in iter_members(fh, start):
            if isinstance(item, BadTail):
                reason = item.reason
                break
            new_entries.append(member_entry(path.name, item))
            kept = item.offset + item.length
    # Lines past the kept bytes, or pointing into the cut record, go.
    kept_lines = [(e, end) for e, end in kept_lines if e.offset + e.length <= kept]
    sidecar_kept = kept_lines[-1][1] if kept_lines else 0
    quarantine = directory / QUARANTINE
    tail_name = None
    if kept == 0 and size > 0:
        quarantine.mkdir(exist_ok=True)
        path.replace(quarantine / path.name)
        if sidecar.exists():
            sidecar.replace(quarantine / sidecar.name)
        tail_name = f"{QUARANTINE}/{path.name}"
    else:
        if size > kept:
            quarantine.mkdir(exist_ok=True)
            tail = quarantine / f"{path.name}.{kept}.tail"
            with path.open("rb") as src, tail.open("wb") as dst:
                src.seek(kept)
                while block := src.read(HASH_BLOCK):
                    dst.write(block)
                dst.flush()
                os.fsync(dst.fileno())
            os.ftruncate(fd, kept)
            os.fsync(fd)
            tail_name = f"{QUARANTINE}/{tail.name}"
        if sidecar.exists() or new_entries:
            with sidecar.open("ab") as fh:
                fh.truncate(sidecar_kept)
                for entry in new_entries:
                    fh.write(entry.line().encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        append_manifest(directory, path.name, file_sha256(path), locked=True)
    done = Recovered(path.name, size, kept, tail_name, len(new_entries), len(lines) - len(kept_lines),
                     min(sidecar_kept, whole_lines), reason, dt.datetime.now(dt.UTC).isoformat())
    if tail_name or done.dropped:
        quarantine.mkdir(exist_ok=True)
        with (quarantine / RECOVERY_LOG).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(done)) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return done


def recovery_log(directory: Path) -> list[Recovered]:
    path = directory / QUARANTINE / RECOVERY_LOG
    if not path.exists():
        return []
    return [Recovered(**json.loads(line)) for line in path.read_text("utf-8").splitlines() if line.strip()]
