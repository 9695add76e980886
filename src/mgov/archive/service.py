"""The archive's commands as services: index, import, repair, verify (the CLI's `mgov archive`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from mgov.archive import store
from mgov.archive.cdxj import cdxj_line
from mgov.archive.importer import ImportedFile, import_source
from mgov.archive.verify import FileCheck, Problem, verify_files
from mgov.collect.warc_files import Recovered, directory_lock, manifest_problem, read_manifest, recover_directory
from mgov.errors import MgovError


def fold(engine: Engine, directory: Path) -> store.Folded:
    with engine.begin() as conn:
        return store.fold(conn, directory)


def cdx(engine: Engine, directory: Path, query: store.CdxQuery) -> Iterator[str]:
    """The CDXJ lines the query selects, the database's index brought up to the files first."""
    fold(engine, directory)
    with engine.connect() as conn:
        for row in store.cdx_rows(conn, query):
            yield cdxj_line(row)


def import_files(engine: Engine, directory: Path, sources: list[Path]) -> list[ImportedFile]:
    """Import each WARC or WACZ file, then index its records in the database."""
    done = []
    try:
        for source in sources:
            done.extend(import_source(directory, source))
    finally:  # the files imported before one that failed are sealed: the database indexes them too
        fold(engine, directory)
    return done


def repair(engine: Engine, directory: Path) -> list[Recovered]:
    """Seal what dead writers left (cut tails to quarantine) and WARC files from before the
    index (indexed whole), then bring the database's index up to date."""
    recovered = recover_directory(directory, adopt=True)
    fold(engine, directory)
    return recovered


@dataclass
class Verified:
    files: list[FileCheck]
    manifest: str | None  # what is wrong with the manifest itself
    recovered: list[Recovered] = field(default_factory=list)
    seconds: float = 0.0
    live: list[str] = field(default_factory=list)  # being written: not checked

    @property
    def ok(self) -> bool:
        return self.manifest is None and all(f.ok for f in self.files)

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]


def verify(engine: Engine | None, directory: Path, files: list[str] | None = None, *, sample: int | None = None,
           fast: bool = False) -> Verified:
    """Check the named files (default every file of the archive, or with sample the N checked
    longest ago) against the manifest and their index, after sealing what a dead writer left.
    Each file's outcome is recorded (the rolling audit's order) when there is a database."""
    if not directory.is_dir():
        raise MgovError(f"no archive at {directory}")
    recovered = recover_directory(directory)
    if engine is not None:
        fold(engine, directory)
    if files:
        names = [_relative(directory, f) for f in files]
    elif sample is not None:
        if engine is None:
            raise MgovError("--sample needs the database (it picks the files checked longest ago)")
        with engine.connect() as conn:
            names = store.files_to_audit(conn, sample)
    else:
        names = store.warc_files(directory)
    with directory_lock(directory):
        manifest_issue = manifest_problem(directory)
        manifest = read_manifest(directory)
    live = [n for n in names if n not in manifest and (directory / n).is_file() and store.live(directory / n)]
    names = [n for n in names if n not in live]
    started = time.perf_counter()
    checked = verify_files(directory, names, manifest, fast=fast)
    elapsed = time.perf_counter() - started
    if engine is not None:
        with engine.begin() as conn:
            store.record_audit(conn, {c.file: c.ok and manifest_issue is None for c in checked})
    return Verified(checked, manifest_issue, recovered, elapsed, live)


def _relative(directory: Path, given: str) -> str:
    path = Path(given)
    if path.is_absolute() or path.exists():
        try:
            return path.resolve().relative_to(directory.resolve()).as_posix()
        except ValueError as exc:
            raise MgovError(f"{given} is not in the archive ({directory})") from exc
    return path.as_posix()
