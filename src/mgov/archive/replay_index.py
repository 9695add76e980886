"""pywb's indexes, written from mgov's (docs/archive.md, "Replay").

pywb reads CDXJ files, binary-searching each and merging them: every collection has a folder
`<replay dir>/collections/<name>/indexes/` of files sorted by SURT key and timestamp in byte
order (what pywb's search expects, whatever the database's collation). A refresh writes the
rows added to the database's index since the last one as one more sorted part per
collection (a new file appears whole: written aside, then renamed); past PARTS parts, or when
rows a collection had were taken away (lost in a crash, disposed of) or the collections'
layout changed, the collection is written again whole. What was written is kept in
`state.json`: the last row id and each collection's row count and parts.

Collections: one per organization ("per-org", named by its code, see `collection_name`),
holding the records captured for its channels; or one for everything ("all").
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, collate, func, not_, or_, select

from mgov.archive.replay_links import ALL, ID_PREFIX, collection_name
from mgov.archive.replay_setup import COLLECTIONS
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, ORGS

STATE = "state.json"
PARTS = 12  # parts of a collection before it is written again as one file
# Payload digests of an empty body. A 2xx response archived without a body is a HEAD request's
# (the link checker tries HEAD first): pywb cannot tell it from a GET (its `__wb_method` keys
# are not in mgov's index) and would answer a page's replay with no body, so such records are
# left out of pywb's indexes (they stay in mgov's, `mgov archive cdx`).
EMPTY = frozenset({"sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ",
                   "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                   "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ===="})


def org_of_collection(conn: Connection, name: str) -> int | None:
    """The organization a per-org collection name stands for (None: no such organization)."""
    if name.startswith(ID_PREFIX) and name[len(ID_PREFIX):].isdigit():
        org_id = int(name[len(ID_PREFIX):])
        code = conn.execute(select(ORGS.c.code).where(ORGS.c.id == org_id)).scalar()
        return org_id if code is not None and collection_name(code, org_id, "per-org") == name else None
    found = conn.execute(select(ORGS.c.id).where(ORGS.c.code == name)).scalar()
    return int(found) if found is not None and collection_name(name, int(found), "per-org") == name else None


def pywb_line(row: Any) -> str:
    """A row's CDXJ line with pywb's fields only (mgov's stay in `mgov archive cdx`)."""
    fields: dict[str, Any] = {k: getattr(row, k) for k in ("url", "mime", "status", "digest")
                              if getattr(row, k) is not None}
    fields.update(length=str(row.length), offset=str(row.offset), filename=row.filename)
    return f"{row.urlkey} {row.timestamp} {json.dumps(fields)}\n"


@dataclass
class Refreshed:
    rows: int = 0  # lines written
    rebuilt: list[str] = field(default_factory=list)  # collections written again whole
    collections: int = 0


def _query(conn: Connection) -> tuple[Any, Any]:
    """The rows pywb indexes, and the urlkey column to sort on in byte order."""
    r = ARCHIVE_RECORDS
    urlkey = collate(r.c.urlkey, "C") if conn.dialect.name == "postgresql" else r.c.urlkey
    return (select(r.c.id, r.c.urlkey, r.c.timestamp, r.c.url, r.c.mime, r.c.status, r.c.digest, r.c.length,
                   r.c.offset, ARCHIVE_FILES.c.name.label("filename"), r.c.org_id, ORGS.c.code)
            .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id).outerjoin(ORGS, ORGS.c.id == r.c.org_id)
            .where(r.c.pywb_default.is_(True), r.c.state == "ok", _not_head(r))), urlkey


def _not_head(r: Any) -> Any:
    """Not a 2xx response without a body (see EMPTY)."""
    return or_(r.c.digest.is_(None), r.c.digest.not_in(sorted(EMPTY)), r.c.status.is_(None),
               not_(r.c.status.like("2%")), r.c.record_type != "response")


def refresh(conn: Connection, replay_dir: Path, mode: str) -> Refreshed:
    """Bring every collection's index up to the database's."""
    root = replay_dir / COLLECTIONS
    root.mkdir(parents=True, exist_ok=True)
    state = _load(replay_dir)
    if state.get("mode") != mode:
        state = {"mode": mode, "mark": 0, "collections": {}}
    colls: dict[str, Any] = state["collections"]
    out = Refreshed()
    mark = int(state["mark"])
    top = conn.execute(select(func.max(ARCHIVE_RECORDS.c.id))).scalar() or 0
    # Collections that lost rows they had (or never had their counts) are written whole.
    counts = _counts(conn, mode, mark)
    stale = {name for name in set(colls) | set(counts) if colls.get(name, {}).get("count", 0) != counts.get(name, 0)}
    query, urlkey = _query(conn)
    if top > mark:
        fresh: dict[str, list[str]] = defaultdict(list)
        rows = conn.execute(query.where(ARCHIVE_RECORDS.c.id > mark, ARCHIVE_RECORDS.c.id <= top))
        for row in rows:
            name = collection_name(row.code, row.org_id, mode)
            if name is not None and name not in stale:
                fresh[name].append(pywb_line(row))
        for name, lines in fresh.items():
            entry = colls.setdefault(name, {"count": 0, "parts": [], "seq": 0})
            if len(entry["parts"]) >= PARTS:
                stale.add(name)
                continue
            entry["seq"] += 1
            part = f"part-{entry['seq']:06d}.cdxj"
            _write_sorted(root / name / "indexes" / part, sorted(lines))
            entry["parts"].append(part)
            entry["count"] += len(lines)
            out.rows += len(lines)
    for name in sorted(stale):
        out.rows += _rebuild(conn, root, colls, name, mode, top, query, urlkey)
        out.rebuilt.append(name)
    for name in [n for n, e in colls.items() if not e["count"] and not e["parts"]]:
        del colls[name]
    state["mark"] = top
    out.collections = len(colls)
    _save(replay_dir, state)
    return out


def _counts(conn: Connection, mode: str, mark: int) -> dict[str, int]:
    """Rows per collection up to the mark, as the database has them now."""
    r = ARCHIVE_RECORDS
    rows = conn.execute(select(r.c.org_id, ORGS.c.code, func.count()).outerjoin(ORGS, ORGS.c.id == r.c.org_id)
                        .where(r.c.pywb_default.is_(True), r.c.state == "ok", r.c.id <= mark, _not_head(r))
                        .group_by(r.c.org_id, ORGS.c.code))
    counts: dict[str, int] = defaultdict(int)
    for org_id, code, n in rows:
        name = collection_name(code, org_id, mode)
        if name is not None:
            counts[name] += int(n)
    return dict(counts)


def _rebuild(conn: Connection, root: Path, colls: dict[str, Any], name: str, mode: str, top: int, query: Any,
             urlkey: Any) -> int:
    """One collection written again as one sorted file, its old parts removed after."""
    entry = colls.setdefault(name, {"count": 0, "parts": [], "seq": 0})
    query = query.where(ARCHIVE_RECORDS.c.id <= top)
    if mode != ALL:
        org_id = org_of_collection(conn, name)
        query = query.where(ARCHIVE_RECORDS.c.org_id == org_id) if org_id is not None else query.where(False)
    query = query.order_by(urlkey, ARCHIVE_RECORDS.c.timestamp, ARCHIVE_FILES.c.name, ARCHIVE_RECORDS.c.offset)
    rows = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
    entry["seq"] += 1
    part = f"part-{entry['seq']:06d}.cdxj"
    count = _write_sorted(root / name / "indexes" / part, (pywb_line(r) for r in rows), presorted=True)
    for old in entry["parts"]:
        (root / name / "indexes" / old).unlink(missing_ok=True)
    entry["parts"], entry["count"] = ([part], count) if count else ([], 0)
    if not count:
        (root / name / "indexes" / part).unlink(missing_ok=True)
    return count


def _write_sorted(path: Path, lines: Iterable[str], presorted: bool = False) -> int:
    """Lines written aside and renamed into place. The database's order is checked to be byte
    order on (key, timestamp), what pywb's binary search needs: a collation that is not would
    break replay, and is refused here rather than found out by a reader."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(path.name + ".part")
    n = 0
    previous = b""
    try:
        with aside.open("w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                if presorted:
                    key = line.split(" {", 1)[0].encode("utf-8")
                    if key < previous:
                        raise RuntimeError(f"the database sorted the index out of byte order at {key[:120]!r}")
                    previous = key
                fh.write(line)
                n += 1
            _sync(fh)
        aside.replace(path)
    finally:
        aside.unlink(missing_ok=True)
    return n


def _sync(fh: TextIO) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _load(replay_dir: Path) -> dict[str, Any]:
    path = replay_dir / STATE
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    except (OSError, ValueError):
        return {}


def _save(replay_dir: Path, state: dict[str, Any]) -> None:
    path = replay_dir / STATE
    aside = path.with_name(STATE + ".part")
    aside.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    aside.replace(path)
