"""The one writer of the registry: applies a Batch of records in a transaction.

Upsert by natural key, never delete: a bad record becomes a Problem and is skipped, and
nothing already stored is lost because of it. Bulk statements keep a full .gov import
(about 50,000 records) to a few seconds on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from mgov import clock, zones
from mgov.db import audit
from mgov.db.audit import Entry
from mgov.db.tables import ORGS as ORG
from mgov.db.tables import PEOPLE as PERSON
from mgov.db.tables import ROLES as ROLE
from mgov.errors import InvalidValue
from mgov.registry import vocab
from mgov.registry.records import UNSET, Batch, OrgRecord, Problem, dedupe, given_fields
from mgov.registry.sync_channels import ChannelWriter
from mgov.registry.sync_report import ApplyReport


def apply(conn: Connection, batch: Batch, today: dt.date | None = None, *,
          source: dict[str, Any] | None = None) -> ApplyReport:
    """Write batch through conn (the caller owns the transaction) and report what happened.
    Every record changed gets its entry in the audit log; a batch read from a file (source:
    file, format, sha256, read, bad) is one registry.imported entry with the counts, the
    records' entries linked to it."""
    parent = None if source is None else audit.record(conn, "registry.imported", f"file:{source.get('file')}",
                                                      source)
    report = ApplyReport()
    today = today or clock.today()
    now = clock.now()
    log: list[Entry] = []
    _apply_orgs(conn, batch.organizations, report, now, log)
    _apply_people(conn, batch, report, now, log)
    org_ids = dict(conn.execute(select(ORG.c.code, ORG.c.id)).all())
    person_ids = dict(conn.execute(select(PERSON.c.key, PERSON.c.id)).all())
    _apply_roles(conn, batch, report, org_ids, person_ids, today, log)
    channels = ChannelWriter(conn, report, org_ids, person_ids, today, now)
    channels.apply(batch.channels, batch.events)
    audit.record_many(conn, _filed_where_served(conn, log, today) + channels.audit, parent_id=parent)
    if parent is not None and source is not None:
        counts = report.counts.values()
        audit.amend(conn, parent, {**source, "bad": int(source.get("bad") or 0) + len(report.problems),
                                   "created": sum(c.created for c in counts), "updated": sum(c.updated for c in counts),
                                   "closed": report.closed, "unchanged": sum(c.unchanged for c in counts)})
    return report


def _apply_orgs(conn: Connection, records: list[OrgRecord], report: ApplyReport, now: dt.datetime,
                log: list[Entry]) -> None:
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
    code_of = {v: k for k, v in ids.items()}
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
        if cur is None or diff:
            log.append(_org_entry(code, ids[code], cur, want, code_of))
            if cur is not None and "parent_id" in diff and cur["parent_id"]:  # the parent it leaves sees it go
                log.append(replace(log[-1], organization_id=cur["parent_id"]))
        if diff:
            if cur is not None:
                diff["updated_at"] = now
            changed[frozenset(diff)].append({**diff, "_id": ids[code]})
    for cols, params in changed.items():
        conn.execute(update(ORG).where(ORG.c.id == bindparam("_id"))
                     .values({c: bindparam(c) for c in cols}), params)


def _filed_where_served(conn: Connection, log: list[Entry], today: dt.date) -> list[Entry]:
    """A person's change filed under every organization the person serves (each one's log
    shows it, as each one's people pages show the person); under none when none."""
    if not any(e.subject.startswith("person:") for e in log):
        return log
    served: dict[str, set[int]] = defaultdict(set)
    query = (select(PERSON.c.key, ROLE.c.organization_id).join(ROLE, ROLE.c.person_id == PERSON.c.id)
             .where(or_(ROLE.c.until.is_(None), ROLE.c.until >= today)))
    for key, org_id in conn.execute(query):
        served[key].add(org_id)
    out = []
    for e in log:
        orgs = sorted(served.get(e.subject.partition(":")[2], ())) if e.subject.startswith("person:") else []
        out += [replace(e, organization_id=o) for o in orgs] or [e]
    return out


def _org_entry(code: str, org_id: int, cur: dict[str, Any] | None, want: dict[str, Any],
               code_of: dict[int, str]) -> Entry:
    """An organization's change as the audit log keeps it: the parent by its code."""
    def shown(row: dict[str, Any] | None) -> dict[str, Any] | None:
        if row is None:
            return None
        out = {k: row.get(k) for k in (*OrgRecord.COLUMNS, "parent_id") if k != "parent_id"}
        parent_id = row.get("parent_id")
        out["parent"] = code_of.get(parent_id) if parent_id else None
        return out

    after = shown(want) or {}
    fields = None if cur else [k for k, v in after.items() if v is not None]
    return Entry("organization.created" if cur is None else "organization.updated", f"organization:{code}",
                 {"changes": audit.diff(shown(cur), after, fields)}, org_id)


def _has_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen = {code}
    node = parent_of.get(code)
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def _apply_people(conn: Connection, batch: Batch, report: ApplyReport, now: dt.datetime,
                  log: list[Entry]) -> None:
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
            log.append(Entry("person.created", f"person:{rec.key}", {"changes": audit.diff(None, given)}))
            continue
        changes = {k: v for k, v in given.items() if cur[k] != v}
        if changes:
            log.append(Entry("person.updated", f"person:{rec.key}", {"changes": audit.diff(cur, changes)}))
            counts.updated += 1
            changed[frozenset(changes)].append({**changes, "updated_at": now, "_id": cur["id"]})
        else:
            counts.unchanged += 1
    if new:
        conn.execute(insert(PERSON), new)
    for cols, params in changed.items():
        conn.execute(update(PERSON).where(PERSON.c.id == bindparam("_id"))
                     .values({c: bindparam(c) for c in (*cols, "updated_at")}), params)


def _apply_roles(conn: Connection, batch: Batch, report: ApplyReport, org_ids: dict[str, int],
                 person_ids: dict[str, int], today: dt.date, log: list[Entry]) -> None:
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
            log.append(Entry("role.assigned", f"organization:{rec.organization}",
                             {"person": rec.person, "role": rec.role,
                              "changes": audit.diff(None, {"since": rec.since, "until": until}, ["since", "until"])},
                             key[1]))
        elif rec.until not in (UNSET, None) and match["since"] and rec.until < match["since"]:
            report.problems.append(Problem(
                rec.origin, f"role ends ({rec.until}) before it starts ({match['since']})", "role"))
        elif rec.until is not UNSET and match["until"] != rec.until:
            if "id" not in match:  # created earlier in this batch: still pending
                match["until"] = rec.until
                counts.unchanged += 1
                continue
            ends.append({"_id": match["id"], "until": rec.until})
            log.append(Entry("role.ended" if rec.until else "role.updated", f"organization:{rec.organization}",
                             {"person": rec.person, "role": rec.role,
                              "changes": audit.diff(match, {"until": rec.until}, ["until"])}, key[1]))
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

