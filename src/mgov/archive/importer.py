"""Captures made by other tools (Browsertrix, Heritrix, pywb recordings), brought into the
archive: a WARC file is copied byte for byte into `imported/`, a WACZ's WARC files are
copied out of it byte for byte into `imported/<wacz name>/` (each checked against the
SHA-256 its datapackage.json records), and nothing is ever rewritten. Each file is indexed
(its sidecar, as for mgov's own) and sealed in the manifest; mgov.archive.store folds them
into the database and attaches their records to channels by URL host."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from mgov.collect.warc_files import append_manifest, directory_lock, read_manifest, written_aside
from mgov.collect.warc_index import Sidecar, sidecar_of
from mgov.collect.warc_scan import index_file
from mgov.errors import ImportFailed

IMPORTED = "imported"
BLOCK = 8 << 20
WARC_ENDINGS = (".warc", ".warc.gz")


@dataclass
class ImportedFile:
    name: str  # relative to the archive directory
    sha256: str
    records: int = 0
    problems: list[str] = field(default_factory=list)
    duplicate_of: str | None = None  # the same bytes were imported before under this name


def import_source(directory: Path, source: Path) -> list[ImportedFile]:
    """Bring one WARC or WACZ file into the archive; the files made, indexed and sealed."""
    if not source.is_file():
        raise ImportFailed(f"no such file: {source}")
    lower = source.name.lower()
    if lower.endswith(".wacz"):
        return _wacz(directory, source)
    if lower.endswith(WARC_ENDINGS):
        with source.open("rb") as fh:
            return [_bring(directory, fh, Path(IMPORTED) / source.name, None)]
    raise ImportFailed(f"{source.name}: not a WARC (.warc, .warc.gz) or WACZ (.wacz) file")


def _wacz(directory: Path, source: Path) -> list[ImportedFile]:
    try:
        package = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise ImportFailed(f"{source.name}: not a WACZ (ZIP) file: {exc}") from exc
    with package:
        try:
            described = json.loads(package.read("datapackage.json"))
        except (KeyError, ValueError) as exc:
            raise ImportFailed(f"{source.name}: no readable datapackage.json: {exc}") from exc
        hashes = {r.get("path"): r.get("hash") for r in described.get("resources", []) if isinstance(r, dict)}
        members = [n for n in package.namelist() if n.startswith("archive/") and n.lower().endswith(WARC_ENDINGS)]
        if not members:
            raise ImportFailed(f"{source.name}: the WACZ holds no WARC file under archive/")
        out = []
        for member in members:
            with package.open(member) as fh:
                target = Path(IMPORTED) / source.name.rsplit(".", 1)[0] / Path(member).name
                out.append(_bring(directory, fh, target, hashes.get(member)))
        return out


def _bring(directory: Path, stream: IO[bytes], target: Path, expected: str | None) -> ImportedFile:
    """Copy a stream into the archive under target (a free name near it), index and seal it."""
    with directory_lock(directory):
        name = _free_name(directory, target)
        final = directory / name
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            with written_aside(final) as out:  # a failure leaves no partial file
                digest = hashlib.sha256()
                while block := stream.read(BLOCK):
                    digest.update(block)
                    out.write(block)
        except OSError as exc:
            raise ImportFailed(f"{name}: could not be copied into the archive: {exc}") from exc
        sha = digest.hexdigest()
        if expected and expected.lower() not in (sha, f"sha256:{sha}"):
            final.unlink()
            raise ImportFailed(f"{name}: its SHA-256 {sha} is not the {expected} its WACZ records")
        same = next((n for n, d in read_manifest(directory).items() if d == sha), None)
        if same is not None:
            final.unlink()
            return ImportedFile(same, sha, duplicate_of=same)
        return _sealed(directory, final, ImportedFile(name, sha))


def _sealed(directory: Path, final: Path, done: ImportedFile) -> ImportedFile:
    """The file indexed (its sidecar) and sealed (its manifest line). A record that does not
    read ends the index (a problem; the file is kept as it came); the archive's own disk
    failing (full, an I/O error) fails the import, the file and its sidecar removed: an
    import is whole or not there."""
    path = sidecar_of(final)
    try:
        sidecar = Sidecar(path)
        try:
            entries = index_file(final, done.name)
            while True:
                try:
                    entry = next(entries)
                except StopIteration:
                    break
                except Exception as exc:  # noqa: BLE001 - a broken record (gzip's errors are OSErrors too)
                    done.problems.append(f"records after the {done.records} read could not be indexed: "
                                         f"{type(exc).__name__}: {exc}")
                    break
                sidecar.append(entry)
                done.records += 1
            sidecar.sync()
        finally:
            sidecar.close()
        append_manifest(directory, done.name, done.sha256, locked=True)
    except OSError as exc:
        final.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise ImportFailed(f"{done.name}: could not be indexed and sealed ({exc}); nothing of it was kept") from exc
    return done


def _free_name(directory: Path, target: Path) -> str:
    stem, ending = target.name, ""
    for end in (".warc.gz", ".warc"):
        if target.name.lower().endswith(end):
            stem, ending = target.name[:-len(end)], target.name[-len(end):]
            break
    n = 1
    candidate = target
    while (directory / candidate).exists():
        n += 1
        candidate = target.with_name(f"{stem}-{n}{ending}")
    return candidate.as_posix()
