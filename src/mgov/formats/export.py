"""The native registry format, write side. Output is sorted by natural key, so exporting an
unchanged registry gives identical bytes, and export -> import -> export round-trips."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from mgov.db.tables import CHANNELS as CHANNEL
from mgov.db.tables import EVENTS as EVENT
from mgov.db.tables import ORGS as ORG
from mgov.db.tables import PEOPLE as PERSON
from mgov.db.tables import RESPONSIBILITIES as RESP
from mgov.db.tables import ROLES as ROLE
from mgov.errors import MgovError
from mgov.formats import yamlwrite
from mgov.formats.cells import csv_writer
from mgov.formats.fields import cell
from mgov.formats.native import COLUMNS, FILES, FORMAT_TAG

# Columns added after the first version of the format go last, so older files keep their shape.
LATER_COLUMNS = ["attributes"]
COMBINED_HEADER = ["record"] + [c for c in dict.fromkeys(c for cols in COLUMNS.values() for c in cols)
                                if c not in LATER_COLUMNS] + LATER_COLUMNS


def registry_rows(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every registry record as native-format dicts, keyed by record type, sorted."""
    org_code = dict(conn.execute(select(ORG.c.id, ORG.c.code)).all())
    person_key = dict(conn.execute(select(PERSON.c.id, PERSON.c.key)).all())
    orgs = [{"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en,
             "jurisdiction": r.jurisdiction, "tier": r.tier, "parent": org_code.get(r.parent_id),
             "region_code": r.region_code, "no_external_service": r.no_external_service,
             "active": r.active, "time_zone": r.time_zone} for r in conn.execute(select(ORG).order_by(ORG.c.code))]
    people = [{"key": r.key, "name": r.name, "email": r.email, "phone": r.phone}
              for r in conn.execute(select(PERSON).order_by(PERSON.c.key))]
    roles = sorted(({"person": person_key[r.person_id], "organization": org_code[r.organization_id],
                     "role": r.role, "since": r.since, "until": r.until}
                    for r in conn.execute(select(ROLE).order_by(ROLE.c.id))),
                   key=lambda d: (d["organization"], d["role"], d["person"], str(d["since"]), str(d["until"])))
    responsible: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in conn.execute(select(RESP)):
        responsible[r.channel_id][r.role].append(person_key[r.person_id])
    channels, key_of = [], {}
    for r in conn.execute(select(CHANNEL).order_by(CHANNEL.c.kind, CHANNEL.c.address)):
        key_of[r.id] = (r.kind, r.address)
        resp = {role: sorted(p) for role, p in sorted(responsible[r.id].items())}
        channels.append({"kind": r.kind, "address": r.address, "name": r.name,
                         "owner": org_code.get(r.owner_id), "status": r.status,
                         "tags": sorted(r.tags or []), "responsible": resp,
                         "attributes": r.attributes or {}})
    events = sorted(({"kind": key_of[r.channel_id][0], "address": key_of[r.channel_id][1],
                      "event": r.event, "date": r.date, "note": r.note, "details": r.details or {},
                      "_id": r.id} for r in conn.execute(select(EVENT))),
                    key=lambda d: (d["kind"], d["address"], d["_id"]))
    for e in events:
        del e["_id"]
    return {"organization": orgs, "person": people, "role": roles, "channel": channels, "event": events}


def export_registry(conn: Connection, path: Path) -> dict[str, int]:
    """Write the registry to path (.yaml/.yml, .csv combined, or a directory); return counts."""
    rows = registry_rows(conn)
    if path.suffix.lower() in (".yaml", ".yml"):
        _write_yaml(path, rows)
    elif path.suffix.lower() == ".csv":
        _write_csv(path, COMBINED_HEADER, ({"record": t, **r} for t, rs in rows.items() for r in rs))
    elif path.is_dir() or not path.suffix:
        path.mkdir(parents=True, exist_ok=True)
        for record_type, name in FILES.items():
            _write_csv(path / name, list(COLUMNS[record_type]), iter(rows[record_type]))
    else:
        raise MgovError(f"{path}: unknown format (use .yaml, .yml, .csv or a directory)")
    return {t: len(r) for t, r in rows.items()}


def _write_csv(path: Path, header: list[str], rows: Iterator[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv_writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(cell(row.get(c), c) for c in header)


def registry_document(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The YAML file's document: channels carry their history."""
    history: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in rows["event"]:
        history[(e["kind"], e["address"])].append(
            {k: v for k, v in e.items() if k not in ("kind", "address") and v not in (None, {})})
    channels = [{**c, "history": history[(c["kind"], c["address"])]} for c in rows["channel"]]
    doc = {"format": FORMAT_TAG, "organizations": rows["organization"], "people": rows["person"],
           "roles": rows["role"], "channels": channels}
    return doc


def _write_yaml(path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        yamlwrite.dump(registry_document(rows), fh)
