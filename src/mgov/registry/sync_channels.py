"""Channels, their responsible people and their filed history: the second half of sync."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from mgov.db import audit
from mgov.db.audit import Entry
from mgov.db.tables import CHANNELS as CHANNEL
from mgov.db.tables import EVENTS as EVENT
from mgov.db.tables import RESPONSIBILITIES as RESP
from mgov.registry import vocab
from mgov.registry.records import UNSET, ChannelRecord, EventRecord, Problem, dedupe, given_fields
from mgov.registry.sync_report import ApplyReport

Key = tuple[str, str]


class ChannelWriter:
    def __init__(self, conn: Connection, report: ApplyReport, org_ids: dict[str, int],
                 person_ids: dict[str, int], today: dt.date, now: dt.datetime) -> None:
        self.conn, self.report = conn, report
        self.org_ids, self.person_ids = org_ids, person_ids
        self.today, self.now = today, now
        self.new_events: list[dict[str, Any]] = []
        self.owner_of: dict[int, int | None] = {}
        self.audit: list[Entry] = []  # each channel's change, for the audit log (sync.apply writes them)

    def apply(self, channels: list[ChannelRecord], events: list[EventRecord]) -> None:
        records = dedupe(channels, lambda r: (r.kind, r.address), "channel", self.report.problems)
        rows = {(r.kind, r.address): dict(r._mapping) for r in self.conn.execute(select(CHANNEL))}
        owner_code = {v: k for k, v in self.org_ids.items()}
        code_of_person = {v: k for k, v in self.person_ids.items()}
        held: dict[int, set[tuple[str, int]]] = defaultdict(set)
        for r in self.conn.execute(select(RESP)):
            held[r.channel_id].add((r.role, r.person_id))
        accepted = [(rec, want) for rec in records if (want := self._validate(rec)) is not None]

        new = [{"kind": rec.kind, "address": rec.address, "name": None, "owner_id": None,
                "status": "active", "tags": [], "attributes": {}, **want["columns"],
                "created_at": self.now, "updated_at": self.now}
               for rec, want in accepted if (rec.kind, rec.address) not in rows]
        if new:
            self.conn.execute(insert(CHANNEL), new)
        ids, self.owner_of = {}, {}
        for r in self.conn.execute(select(CHANNEL.c.kind, CHANNEL.c.address, CHANNEL.c.id, CHANNEL.c.owner_id)):
            ids[(r.kind, r.address)], self.owner_of[r.id] = r.id, r.owner_id
        with_history = {(e.kind, e.address) for e in events}
        counts = self.report.counts["channels"]
        changed: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        resp_add: list[dict[str, Any]] = []
        resp_drop: list[int] = []
        for rec, want in accepted:
            key = (rec.kind, rec.address)
            cid, cur = ids[key], rows.get(key)
            if rec.tags_add and cur is not None and rec.tags is UNSET:
                want["columns"]["tags"] = sorted(set(cur["tags"]) | set(rec.tags_add))
            if rec.attributes_add and cur is not None and rec.attributes is UNSET:
                want["columns"]["attributes"] = _merged(cur["attributes"], rec.attributes_add)
            diff = {} if cur is None else {k: v for k, v in want["columns"].items() if cur[k] != v}
            if want["responsible"] is not None and rec.responsible_roles is not None:
                want["responsible"] |= {p for p in held[cid] if p[0] not in rec.responsible_roles}
            resp_changed = want["responsible"] is not None and want["responsible"] != held[cid]
            if resp_changed:
                resp_drop.append(cid)
                resp_add += [{"channel_id": cid, "role": role, "person_id": pid}
                             for role, pid in sorted(want["responsible"])]
            if cur is None:
                counts.created += 1
                given = {"kind": rec.kind, "address": rec.address, **want["columns"]}
                if want["responsible"]:
                    given["responsible"] = _people(want["responsible"], code_of_person)
                self._audit("channel.created", cid, given.get("owner_id"),
                            audit.diff(None, {_field(k): _shown(k, v, owner_code) for k, v in given.items()}))
                if key not in with_history:
                    self._event(cid, "opened", rec.event_on, rec.event_note, {})
                continue
            if not diff and not resp_changed:
                counts.unchanged += 1
                continue
            counts.updated += 1
            if diff:
                changed[frozenset(diff)].append({**diff, "updated_at": self.now, "_id": cid})
            # A file that gives this channel's history has filed its status event itself.
            if "status" in diff and key not in with_history:
                self._event(cid, vocab.STATUS_EVENT[diff["status"]], rec.event_on or self.today,
                            rec.event_note, {"from": cur["status"], "to": diff["status"]})
            fields = {_field(k): [_shown(k, cur[k], owner_code), _shown(k, v, owner_code)]
                      for k, v in diff.items() if k != "status"}
            if resp_changed:
                fields["responsible"] = [_people(held[cid], code_of_person),
                                         _people(want["responsible"], code_of_person)]
            if fields:
                self._event(cid, "changed", self.today, None, {"fields": fields})
            changes = dict(fields)  # a copy: the "changed" event above keeps its own fields (a status has its event)
            if "status" in diff:
                changes["status"] = [cur["status"], diff["status"]]
                self.report.closed += diff["status"] == "closed"
            self._audit("channel.closed" if diff.get("status") == "closed" else "channel.updated", cid,
                        want["columns"].get("owner_id", cur["owner_id"]),
                        {"changes": changes, **({"note": rec.event_note} if rec.event_note else {})})
            if "owner_id" in diff and cur["owner_id"] is not None:  # the owner it leaves sees it go
                self._audit(self.audit[-1].action, cid, cur["owner_id"], self.audit[-1].detail)
        for cols, params in changed.items():
            self.conn.execute(update(CHANNEL).where(CHANNEL.c.id == bindparam("_id"))
                              .values({c: bindparam(c) for c in (*cols, "updated_at")}), params)
        if resp_drop:
            self.conn.execute(delete(RESP).where(RESP.c.channel_id.in_(resp_drop)))
        if resp_add:
            self.conn.execute(insert(RESP), resp_add)
        self._apply_events(events, ids)

    def _validate(self, rec: ChannelRecord) -> dict[str, Any] | None:
        """The stored form of rec, or None after reporting why it cannot be stored."""
        columns = given_fields(rec, ChannelRecord.COLUMNS)
        problem = None
        if rec.kind not in vocab.CHANNEL_KINDS:
            problem = f"unknown channel kind {rec.kind!r}"
        elif columns.get("status", "active") not in vocab.CHANNEL_STATUSES:
            problem = f"unknown status {columns['status']!r} (choose from: {', '.join(vocab.CHANNEL_STATUSES)})"
        elif rec.owner not in (UNSET, None) and rec.owner not in self.org_ids:
            problem = f"unknown owner organization {rec.owner!r}"
        if "tags" in columns or rec.tags_add:
            columns["tags"] = sorted(set(columns.get("tags") or []) | set(rec.tags_add))
        if "attributes" in columns:
            columns["attributes"] = dict(sorted((columns["attributes"] or {}).items()))
        elif rec.attributes_add:  # a new channel's; an existing one's are merged with the stored ones in apply
            columns["attributes"] = _merged({}, rec.attributes_add)
        if rec.owner is not UNSET:
            columns["owner_id"] = self.org_ids.get(rec.owner) if rec.owner else None
        responsible = None
        if rec.responsible is not UNSET and problem is None:
            responsible = set()
            for role, people in (rec.responsible or {}).items():
                for person in people:
                    if role not in vocab.ROLES:
                        problem = f"unknown role {role!r}"
                    elif person not in self.person_ids:
                        problem = f"unknown person {person!r} for role {role}"
                    else:
                        responsible.add((role, self.person_ids[person]))
        if problem:
            self.report.problems.append(Problem(rec.origin, f"channel {rec.address}: {problem}", "channel"))
            return None
        return {"columns": columns, "responsible": responsible}

    def _audit(self, action: str, cid: int, owner_id: int | None, detail: dict[str, Any]) -> None:
        if "changes" not in detail:
            detail = {"changes": detail}
        self.audit.append(Entry(action, f"channel:{cid}", detail, owner_id))

    def _event(self, cid: int, event: str, date: dt.date | None, note: str | None,
               details: dict[str, Any]) -> None:
        self.new_events.append({"channel_id": cid, "event": event, "date": date, "note": note,
                                "details": details, "recorded_at": self.now})

    def _apply_events(self, events: list[EventRecord], ids: dict[Key, int]) -> None:
        counts = self.report.counts["events"]
        stored = {(r.channel_id, r.event, r.date, r.note) for r in self.conn.execute(
            select(EVENT.c.channel_id, EVENT.c.event, EVENT.c.date, EVENT.c.note))}
        for rec in dedupe(events, lambda e: (e.kind, e.address, e.event, e.date, e.note),
                          "event", self.report.problems):
            cid = ids.get((rec.kind, rec.address))
            if rec.event not in vocab.CHANNEL_EVENTS:
                reason = f"unknown event {rec.event!r} (choose from: {', '.join(vocab.CHANNEL_EVENTS)})"
                self.report.problems.append(Problem(rec.origin, reason, "event"))
            elif cid is None:
                reason = f"event for unknown channel {rec.kind} {rec.address}"
                self.report.problems.append(Problem(rec.origin, reason, "event"))
            elif (cid, rec.event, rec.date, rec.note) in stored:
                counts.unchanged += 1
            else:
                self._event(cid, rec.event, rec.date, rec.note, rec.details)
                self.audit.append(Entry("channel.event_filed", f"channel:{cid}",
                                        {"event": rec.event, "on": rec.date.isoformat() if rec.date else None,
                                         "note": rec.note},
                                        self.owner_of.get(cid)))
        counts.created += len(self.new_events)
        if self.new_events:
            self.conn.execute(insert(EVENT), self.new_events)


def _merged(stored: dict[str, Any] | None, add: dict[str, Any]) -> dict[str, Any]:
    """Stored attributes with add's keys set (a None removes its key), in key order."""
    out = {**(stored or {}), **add}
    return dict(sorted((k, v) for k, v in out.items() if v is not None))


def _shown(column: str, value: Any, owner_code: dict[int, str]) -> Any:
    return owner_code.get(value) if column == "owner_id" else value


def _field(column: str) -> str:
    """The name users know a column by: the native format's."""
    return "owner" if column == "owner_id" else column


def _people(pairs: set[tuple[str, int]], code_of_person: dict[int, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for role, pid in sorted(pairs):
        out[role].append(code_of_person[pid])
    return dict(out)
