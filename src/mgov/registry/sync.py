"""The one writer of the registry: applies a Batch of records in a transaction.

Upsert by natural key, never delete: a bad record becomes a Problem and is skipped, and
nothing already stored is lost because of it. Bulk statements keep a full .gov import
(about 50,000 records) to a few seconds on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mgov import clock, zones
from mgov.db.tables import ORGS as ORG
from mgov.db.tables import PEOPLE as PERSON
from mgov.db.tables import ROLES as ROLE
from mgov.errors import InvalidValue
from mgov.registry import vocab
from mgov.registry.records import UNSET, Batch, OrgRecord, Problem, dedupe, given_fields
from mgov.registry.sync_channels import ChannelWriter
from mgov.registry.sync_report import ApplyReport


def apply(conn: Connection, batch: Batch, today: dt.date | None = None) -> ApplyReport:
    """Write batch through conn (the caller owns the transaction) and report what happened."""
    report = ApplyReport()
    today = today or clock.today()
    now = clock.now()
    _apply_orgs(conn, batch.organizations, report, now)
    _apply_people(conn, batch, report, now)
    org_ids = dict(conn.execute(select(ORG.c.code, ORG.c.id)).all())
    person_ids = dict(conn.execute(select(PERSON.c.key, PERSON.c.id)).all())
    _apply_roles(conn, batch, report, org_ids, person_ids, today)
    ChannelWriter(conn, report, org_ids, person_ids, today, now).apply(batch.channels, batch.events)
    return report


def _apply_orgs(conn: Connection, records: list[OrgRecord], report: ApplyReport, now: dt.datetime) -> None:
    counts = report.counts["organizations"]
    records = dedupe(records, lambda r: r.code, "organization", report.problems)
    rows = {r.code: dict(r._mapping) for r in conn.execute(select(ORG))}
    code_of = {row["id"]: code for code, row in rows.items()}
    accepted: dict[str, tuple[OrgRecord, dict[str, Any]]] = {}
    for rec in records:
        cur = rows.get(rec.code)
        merged = {"no_external_service": False, "active": True, **(cur or {}), **given_fields(rec, OrgRecord.COLUMNS)}
        try:
            if not merged.get("jurisdiction") or not merged.get("tier"):
                raise InvalidValue("jurisdiction and tier are required" if cur else
                                   "jurisdiction and tier are required for a new organization")
            vocab.check_tier(merged["jurisdiction"], merged["tier"])
            merged["time_zone"] = zones.check(merged.get("time_zone"))
            if not (merged.get("name_zh") or merged.get("name_en")):
                raise InvalidValue("a name (name_zh or name_en) is required")
        except InvalidValue as exc:
            report.problems.append(Problem(rec.origin, f"organization {rec.code!r}: {exc}", "organization"))
            continue
        accepted[rec.code] = (rec, merged)

    # Parents may come from the batch or the database; drop records whose parent is
    # unknown or would close a cycle, until nothing more drops.
    parent_of = {code: code_of.get(row["parent_id"]) for code, row in rows.items()}
    for code, (rec, _) in accepted.items():
        if rec.parent is not UNSET:
            parent_of[code] = rec.parent or None
    while True:
        bad = {}
        for code in accepted:
            parent = parent_of.get(code)
            if parent is not None and parent not in rows and parent not in accepted:
                bad[code] = f"organization {code!r}: unknown parent {parent!r}"
            elif _has_cycle(code, parent_of):
                bad[code] = f"organization {code!r}: parent {parent!r} would make a cycle"
        if not bad:
            break
        for code, reason in bad.items():
            report.problems.append(Problem(accepted.pop(code)[0].origin, reason, "organization"))
            parent_of[code] = code_of.get(rows[code]["parent_id"]) if code in rows else None

    new = [{"code": code, **{c: m.get(c) for c in OrgRecord.COLUMNS}, "created_at": now, "updated_at": now}
           for code, (_, m) in accepted.items() if code not in rows]
    if new:
        conn.execute(insert(ORG), new)
    ids = dict(conn.execute(select(ORG.c.code, ORG.c.id)).all())
    changed: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for code, (_, merged) in accepted.items():
        cur = rows.get(code)
        want = {c: merged.get(c) for c in OrgRecord.COLUMNS}
        want["parent_id"] = ids.get(parent_of.get(code)) if parent_of.get(code) else None
        if cur is None:
            diff = {"parent_id": want["parent_id"]} if want["parent_id"] else {}
        else:
            diff = {k: v for k, v in want.items() if cur[k] != v}
        if cur is None:
            counts.created += 1
        elif diff:
            counts.updated += 1
        else:
            counts.unchanged += 1
        if diff:
            if cur is not None:
                diff["updated_at"] = now
            changed[frozenset(diff)].append({**diff, "_id": ids[code]})
    for cols, params in changed.items():
        conn.execute(update(ORG).where(ORG.c.id == bindparam("_id"))
                     .values({c: bindparam(c) for c in cols}), params)


def _has_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen = {code}
    node = parent_of.get(code)
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def _apply_people(conn: Connection, batch: Batch, report: ApplyReport, now: dt.datetime) -> None:
    counts = report.counts["people"]
    records = dedupe(batch.people, lambda r: r.key, "person", report.problems)
    rows = {r.key: dict(r._mapping) for r in conn.execute(select(PERSON))}
    new, changed = [], defaultdict(list)
    for rec in records:
        given = given_fields(rec, ("name", "email", "phone"))
        cur = rows.get(rec.key)
        if cur is None:
            new.append({"key": rec.key, "name": None, "email": None, "phone": None, **given,
                        "created_at": now, "updated_at": now})
            counts.created += 1
            continue
        diff = {k: v for k, v in given.items() if cur[k] != v}
        if diff:
            counts.updated += 1
            changed[frozenset(diff)].append({**diff, "updated_at": now, "_id": cur["id"]})
        else:
            counts.unchanged += 1
    if new:
        conn.execute(insert(PERSON), new)
    for cols, params in changed.items():
        conn.execute(update(PERSON).where(PERSON.c.id == bindparam("_id"))
                     .values({c: bindparam(c) for c in (*cols, "updated_at")}), params)


def _apply_roles(conn: Connection, batch: Batch, report: ApplyReport, org_ids: dict[str, int],
                 person_ids: dict[str, int], today: dt.date) -> None:
    counts = report.counts["roles"]
    records = dedupe(batch.roles, lambda r: (r.person, r.organization, r.role, r.since,
                                              None if r.until is UNSET else r.until), "role", report.problems)
    held: dict[tuple[int, int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(select(ROLE)):
        held[(r.person_id, r.organization_id, r.role)].append(dict(r._mapping))
    new, ends = [], []
    for rec in records:
        problem = None
        if rec.role not in vocab.ROLES:
            problem = f"unknown role {rec.role!r} (choose from: {', '.join(vocab.ROLES)})"
        elif rec.person not in person_ids:
            problem = f"unknown person {rec.person!r}"
        elif rec.organization not in org_ids:
            problem = f"unknown organization {rec.organization!r}"
        elif rec.until not in (UNSET, None) and rec.since and rec.until < rec.since:
            problem = f"role ends ({rec.until}) before it starts ({rec.since})"
        if problem:
            report.problems.append(Problem(rec.origin, problem, "role"))
            continue
        key = (person_ids[rec.person], org_ids[rec.organization], rec.role)
        match = _match_assignment(held[key], rec.since, rec.until, today)
        if match is None:
            until = None if rec.until is UNSET else rec.until
            row = {"person_id": key[0], "organization_id": key[1], "role": rec.role,
                   "since": rec.since, "until": until}
            new.append(row)
            held[key].append(row)
            counts.created += 1
        elif rec.until not in (UNSET, None) and match["since"] and rec.until < match["since"]:
            report.problems.append(Problem(
                rec.origin, f"role ends ({rec.until}) before it starts ({match['since']})", "role"))
        elif rec.until is not UNSET and match["until"] != rec.until:
            if "id" not in match:  # created earlier in this batch: still pending
                match["until"] = rec.until
                counts.unchanged += 1
                continue
            ends.append({"_id": match["id"], "until": rec.until})
            match["until"] = rec.until
            counts.updated += 1
        else:
            counts.unchanged += 1
    if new:
        conn.execute(insert(ROLE), new)
    if ends:
        conn.execute(update(ROLE).where(ROLE.c.id == bindparam("_id"))
                     .values(until=bindparam("until")), ends)


def _match_assignment(rows: list[dict[str, Any]], since: dt.date | None, until: Any,
                      today: dt.date) -> dict[str, Any] | None:
    """The stored assignment a record speaks of: same start, else the current one."""
    for row in rows:
        if row["since"] == since and (until is UNSET or row["until"] == until):
            return row
    if since is not None:
        return next((r for r in rows if r["since"] == since), None)
    return next((r for r in rows if r["until"] is None or r["until"] >= today), None)

