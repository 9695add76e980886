"""A transfer made: the selection read, its records copied into the transfer's WARC files,
then the bag and the WACZ made from them and validated (mgov.archive.transfer,
mgov.archive.transfer_package). Each package is made under a temporary name and renamed
when it validates, so a failed transfer leaves no package that looks whole."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from mgov.archive.retention import Schedules
from mgov.archive.transfer import Selection, select_records, write_warcs
from mgov.archive.transfer_package import make_bag, make_wacz, metadata, pages
from mgov.errors import MgovError


def make(engine: Engine, archive: Path, schedules: Schedules, sel: Selection, out: Path, *, form: str = "both",
         title: str | None = None, rights: str | None = None) -> dict[str, Any]:
    with engine.connect() as conn:
        selected = select_records(conn, schedules, sel)
    identifier = f"mgov-transfer-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}"
    meta = metadata(identifier, sel, selected, title=title, rights=rights)
    out.mkdir(parents=True, exist_ok=True)
    done: dict[str, Any] = {"identifier": identifier, "records": len(selected.rows), "captures": meta.captures,
                            "originals": selected.originals, "items": [i["item"] for i in selected.items]}
    bag_dir, wacz_file = out / identifier, out / f"{identifier}.wacz"
    for path in (bag_dir, wacz_file):
        if path.exists():
            raise MgovError(f"{path} exists already")
    with tempfile.TemporaryDirectory(dir=out, prefix=".transfer-") as tmp:
        work = Path(tmp)
        warcs = write_warcs(archive, selected, work / "warc", identifier, meta.description)
        if form in ("both", "wacz"):
            made = make_wacz(work / "made.wacz", warcs, pages(selected), meta)
            made.replace(wacz_file)
            done["wacz"] = str(wacz_file)
        if form in ("both", "bagit"):
            bag = make_bag(work / "bag", warcs, meta)
            shutil.move(str(bag), bag_dir)
            done["bag"] = str(bag_dir)
    return done
