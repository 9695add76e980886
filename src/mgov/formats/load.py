"""Import a file into the registry: parse, apply in one transaction, report."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from mgov.errors import ImportFailed
from mgov.formats.dotgov import parse_dotgov
from mgov.formats.native import parse_native
from mgov.formats.usdr import org_key, parse_usdr
from mgov.registry.records import Problem
from mgov.registry.service import org_names
from mgov.registry.sync import apply
from mgov.registry.sync_report import ApplyReport

FORMATS = ("native", "dotgov", "usdr")


@dataclass
class ImportResult:
    path: Path
    format: str
    rows_read: int
    report: ApplyReport
    problems: list[Problem] = field(default_factory=list)  # parse problems and apply problems
    stored: bool = True  # False for --dry-run and refused --strict runs

    @property
    def ok(self) -> bool:
        return self.report.accepted > 0

    def as_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "format": self.format, "rows_read": self.rows_read,
                "bad_rows": len(self.problems), "stored": self.stored,
                **{k: v for k, v in self.report.as_dict().items() if k != "problems"},
                "problems": [p.as_dict() for p in self.problems]}


class _Rollback(Exception):
    pass


def import_file(engine: Engine, path: Path, fmt: str = "native", *, strict: bool = False,
                dry_run: bool = False, encoding: str | None = None,
                on_bytes: Callable[[int], None] | None = None, today: dt.date | None = None) -> ImportResult:
    """Import path. Good rows are stored even when others are bad, unless strict or dry_run:
    then nothing is stored when any row is bad (strict) or at all (dry_run)."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or directory")
    if fmt == "dotgov":
        batch, problems, read = parse_dotgov(path, encoding, on_bytes)
    elif fmt == "native":
        batch, problems, read = parse_native(path, encoding, on_bytes)
    elif fmt == "usdr":
        batch, problems, read = parse_usdr(path, encoding, on_bytes, known_orgs=_us_orgs(engine))
    else:
        raise ImportFailed(f"unknown import format {fmt!r} (choose from: {', '.join(FORMATS)})")
    source = {"file": path.name, "format": fmt, "sha256": _sha256(path), "read": read, "bad": len(problems)}
    try:
        with engine.begin() as conn:
            report = apply(conn, batch, today, source=source)
            result = ImportResult(path, fmt, read, report, problems + report.problems)
            if dry_run or (strict and result.problems):
                result.stored = False
                raise _Rollback
    except _Rollback:  # raised once the result is made: the transaction is undone, the result stays
        pass
    return result


def _us_orgs(engine: Engine) -> dict[str, str]:
    """The registered US organizations by their English name (as usdr compares names), so an
    agency of the Digital Registry is the organization the .gov import or a person registered."""
    with engine.connect() as conn:
        rows = org_names(conn, "us")
    found: dict[str, str] = {}
    for code, name in rows:
        found.setdefault(org_key(name), code)  # the first registered of a name
    return found


def _sha256(path: Path) -> str:
    """The file's digest, for the audit log's import entry (which file, byte for byte); of a
    folder of per-type CSV files, of their names and bytes in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
