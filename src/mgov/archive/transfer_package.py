"""The packages of a transfer: a BagIt bag (bagit.make_bag; sha256 and sha512 manifests) and
a WACZ (py-wacz's `wacz create`, then its datapackage.json completed with the descriptive
metadata and datapackage-digest.json recomputed), each validated by its own tool
(`bagit.Bag.validate()`, py-wacz's `Validation`) before it is reported made."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgov.archive.transfer import DEFAULT_RIGHTS, Selected, Selection
from mgov.collect.warc_scan import index_file
from mgov.errors import MgovError

FORMATS = ("both", "bagit", "wacz")


@contextlib.contextmanager
def pywacz() -> Iterator[None]:
    """py-wacz, loaded, for the time of a use: importing it adds "warcinfo" to cdxj-indexer's
    default records, for every user of cdxj-indexer in the process (mgov's index is compared
    with cdxj-indexer's defaults): the list is put back as it was after each use."""
    # Deferred: cdxj-indexer and py-wacz (with frictionless) are loaded only for a transfer.
    from cdxj_indexer.main import CDXJIndexer

    records = CDXJIndexer.DEFAULT_RECORDS
    pristine = [r for r in records if r != "warcinfo"] if "wacz.waczindexer" in sys.modules else list(records)
    # Deferred, and imported here for the side effect above.
    import wacz.waczindexer  # noqa: F401 - the import adds "warcinfo", which py-wacz needs while it works

    if "warcinfo" not in records:
        records.append("warcinfo")
    try:
        yield
    finally:
        records[:] = pristine


@dataclass(frozen=True)
class Metadata:
    """What the receiving archive is told of the transfer."""

    identifier: str
    title: str
    creators: list[dict[str, Any]]  # code, name_zh, name_en
    start: str | None
    end: str | None
    rights: str
    items: list[dict[str, Any]]
    channels: list[str]
    description: str
    captures: int
    records: int

    def bag_info(self) -> dict[str, Any]:
        names = [c.get("name_en") or c.get("name_zh") or c["code"] for c in self.creators] or ["(unattached captures)"]
        return {
            "Source-Organization": names, "External-Identifier": self.identifier, "Title": self.title,
            "External-Description": self.description, "Creator": names,
            "Creator-Code": [c["code"] for c in self.creators] or ["-"],
            "Date-Start": self.start or "-", "Date-End": self.end or "-", "Rights": self.rights,
            "Records-Schedule-Item": [f"{i['item']}: {i['title_en']} ({i['disposition']}, {i['retain']})"
                                      for i in self.items] or ["unscheduled"],
            "Records-Schedule-Authority": sorted({i["authority"] for i in self.items}) or ["-"],
            "Channel": self.channels or ["-"], "Captures": str(self.captures), "Records": str(self.records),
            "Bag-Software-Agent": "mgov (bagit-python)"}

    def datapackage(self) -> dict[str, Any]:
        return {"title": self.title, "description": self.description, "created": dt.datetime.now(dt.UTC)
                .strftime("%Y-%m-%dT%H:%M:%SZ"),
                "contributors": [{"title": c.get("name_en") or c.get("name_zh") or c["code"], "role": "author",
                                  "organization": c["code"]} for c in self.creators],
                "rights": self.rights,
                "temporalCoverage": {"start": self.start, "end": self.end},
                "mgov": {"identifier": self.identifier, "channels": self.channels, "scheduleItems": self.items,
                         "creators": self.creators, "captures": self.captures, "records": self.records}}


def metadata(identifier: str, sel: Selection, selected: Selected, *, title: str | None, rights: str | None) -> Metadata:
    start = (sel.since.isoformat() if sel.since else selected.first.date().isoformat() if selected.first else None)
    end = (sel.until.isoformat() if sel.until else selected.last.date().isoformat() if selected.last else None)
    what = sel.channel or (f"organization {sel.organization}" if sel.organization else "the whole archive")
    captures = sum(1 for r in selected.rows if r["pywb_default"])
    description = (f"Captures of {what} made by mgov (web and new-media monitoring), {start} to {end}: {captures} "
                   f"captures, {len(selected.rows)} WARC records"
                   + (f" (with {selected.originals} originals of revisits)" if selected.originals else "") + ".")
    return Metadata(identifier, title or f"Web archive of {what}, {start} to {end}", selected.organizations, start,
                    end, rights or DEFAULT_RIGHTS, selected.items, selected.channels, description, captures,
                    len(selected.rows))


def make_bag(folder: Path, warcs: list[Path], meta: Metadata) -> Path:
    """A bag at folder: data/archive/*.warc.gz, data/indexes/index.cdxj, data/datapackage.json."""
    # Deferred: bagit is loaded only to make a transfer.
    import bagit

    (folder / "archive").mkdir(parents=True, exist_ok=True)
    (folder / "indexes").mkdir(exist_ok=True)
    lines: list[str] = []
    for warc in warcs:
        target = folder / "archive" / warc.name
        shutil.move(str(warc), target)
        lines += [entry.line() for entry in index_file(target, f"archive/{warc.name}")]
    (folder / "indexes" / "index.cdxj").write_text("".join(sorted(lines)), "utf-8")
    (folder / "datapackage.json").write_text(json.dumps(meta.datapackage(), ensure_ascii=False, indent=2), "utf-8")
    bag = bagit.make_bag(str(folder), meta.bag_info(), checksums=["sha256", "sha512"])
    bag.validate()
    return folder


def make_wacz(target: Path, warcs: list[Path], pages: list[dict[str, Any]], meta: Metadata) -> Path:
    """A WACZ at target of the WARC files (py-wacz), its datapackage.json completed."""
    # Deferred: py-wacz (and frictionless under it) are loaded only to make a transfer.
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory() as tmp, pywacz():
        listed = Path(tmp) / "pages.jsonl"
        header = {"format": "json-pages-1.0", "id": "pages", "title": meta.title}
        listed.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in [header, *pages]) + "\n", "utf-8")
        made = Path(tmp) / "made.wacz"
        with contextlib.redirect_stdout(io.StringIO()) as said:
            code = wacz_main(["create", "-o", str(made), "-p", str(listed), "--title", meta.title,
                              "--desc", meta.description, *[str(w) for w in warcs]])
        if code != 0:
            raise MgovError(f"py-wacz could not make the WACZ: {said.getvalue()[-500:]}")
        _complete(made, target, meta)
    validate_wacz(target)
    return target


def _complete(made: Path, target: Path, meta: Metadata) -> None:
    """Copy the WACZ with its datapackage.json completed and its digest recomputed."""
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(target, "w") as out:
        package = json.loads(src.read("datapackage.json"))
        package.update({k: v for k, v in meta.datapackage().items() if k not in ("created",)})
        for info in src.infolist():
            if info.filename in ("datapackage.json", "datapackage-digest.json"):
                continue
            with src.open(info) as fh, out.open(info, "w") as dst:
                shutil.copyfileobj(fh, dst)
        data = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        out.writestr(zipfile.ZipInfo("datapackage.json", _now()), data, zipfile.ZIP_DEFLATED)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
        out.writestr(zipfile.ZipInfo("datapackage-digest.json", _now()), json.dumps(digest, indent=2),
                     zipfile.ZIP_DEFLATED)


def _now() -> tuple[int, int, int, int, int, int]:
    t = dt.datetime.now(dt.UTC)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


def validate_wacz(path: Path) -> None:
    """py-wacz's validation, as `wacz validate` runs it; MgovError naming what failed."""
    # Deferred: py-wacz (and frictionless under it) are loaded only to check a transfer.
    from wacz.validate import Validation

    with contextlib.redirect_stdout(io.StringIO()) as said, pywacz():
        check = Validation(str(path))
        # As `wacz validate` runs them: a step fails when it answers False (the first answers 0 or 1).
        ok = check.version is not None and check.check_required_contents() == 0 and all(
            step() is not False for step in (check.frictionless_validate, check.check_file_paths,
                                             check.check_file_hashes, check.check_data_package_hash_and_sig))
    if not ok:
        raise MgovError(f"{path.name} does not validate (py-wacz): {said.getvalue()[-800:]}")


def pages(selected: Selected) -> list[dict[str, Any]]:
    """The pages a WACZ lists: each HTML capture (a response or revisit) of the selection."""
    html = {row["url"] for row in selected.rows if row["record_type"] == "response" and row["mime"] == "text/html"}
    out = []
    for row in selected.rows:
        if row["record_type"] in ("response", "revisit") and row["url"] in html and row["status"] == "200":
            stamp = dt.datetime.strptime(row["timestamp"], "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")
            out.append({"url": row["url"], "ts": stamp, "title": row["url"]})
    return out
