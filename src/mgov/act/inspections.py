"""Reviewer inspections (人工检查): what mgov cannot read itself (a mini program, an SMS service,
an in-app flow, the profiles' manual indicators), checked by a person against a checklist.

An inspection is of one channel, for one period, against one profile. Its checklist is the
profile's indicators that apply to the channel's kind and tier (分级分类) whose source is
manual, or every one of them when asked (`selection` all: a reviewer's verdict outranks a
check's findings). It is assigned to a reviewer (a user whose role may carry out inspections,
whose scope covers the channel), who fills each item (mgov.act.inspection_work: a verdict, a
note, evidence files: mgov.act.inspection_evidence) and submits it. A veto found not met counts
only once a second reviewer confirmed it. Each counted item becomes the channel's manual input
of its indicator for the period (mgov.assess.manual), which the assessment reads like any other.

This module: the checklist, creating, reading and assigning inspections, and the rules of who
may act on them. Every step is in the audit log, under the channel's owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from mgov import clock
from mgov.accounts import Scope
from mgov.accounts.users import User, user_from_row, user_query
from mgov.act.audit_log import record
from mgov.act.task_work import clean_text
from mgov.db.tables import CHANNELS, INSPECTION_EVIDENCE, INSPECTION_ITEMS, INSPECTIONS, ORGS, USERS
from mgov.errors import AlreadyExists, Forbidden, InvalidValue, NotFound
from mgov.profiles import Indicator, Profile, resolve
from mgov.registry import vocab

INS, ITEMS, FILES = INSPECTIONS, INSPECTION_ITEMS, INSPECTION_EVIDENCE
PERMISSION = "inspections.review"
STATUSES = ("draft", "submitted")
VERDICTS = ("met", "not_met", "not_applicable")
SELECTIONS = ("manual", "all")


# --- who may act ---------------------------------------------------------------------------------


def require_reviewer(user: User) -> None:
    if not user.can(PERMISSION):
        raise Forbidden(f"your role ({user.role}) does not allow {PERMISSION}")


def user_named(conn: Connection, name: str) -> User:
    """The active user called name (the command line's --as)."""
    row = conn.execute(user_query().where(USERS.c.username == name, USERS.c.active.is_(True))).first()
    if row is None:
        raise NotFound(f"no active user {name!r}: say who you are with --as USER")
    return user_from_row(row)


def reviewer_named(conn: Connection, name: str) -> User:
    """The active user called name, who may carry out inspections."""
    user = user_named(conn, name)
    require_reviewer(user)
    return user


def _assignee(conn: Connection, by: User, name: str, channel_id: int) -> str:
    """A user by scope may name (else absent, like an unknown one), able to inspect the channel."""
    row = conn.execute(user_query().where(USERS.c.username == name.strip(), USERS.c.active.is_(True))).first()
    if row is None or (row.username != by.username and not by.scope.has_org(conn, row.organization_id)):
        raise NotFound(f"no user {name.strip()!r}")
    user = user_from_row(row)
    if not user.can(PERMISSION):
        raise InvalidValue(f"{user.username} ({user.role}) cannot carry out inspections: "
                           "assign a user with the reviewer role or above")
    if not user.scope.has_channel(conn, channel_id):
        raise InvalidValue(f"the channel is outside {user.username}'s scope: assign a reviewer who covers it")
    return user.username


# --- reading -------------------------------------------------------------------------------------


def _row(conn: Connection, scope: Scope, inspection_id: int) -> dict[str, Any]:
    found = conn.execute(select(INS, CHANNELS.c.address, CHANNELS.c.kind, CHANNELS.c.name.label("channel_name"),
                                CHANNELS.c.owner_id)
                         .join(CHANNELS, CHANNELS.c.id == INS.c.channel_id).where(INS.c.id == inspection_id)).first()
    if found is None or not scope.has_org(conn, found.owner_id):
        raise NotFound(f"no inspection {inspection_id}")  # out of scope reads as absent
    return dict(found._mapping)


def inspection(conn: Connection, scope: Scope, inspection_id: int) -> dict[str, Any]:
    """An inspection in scope, without its items."""
    return _row(conn, scope, inspection_id)


def items_of(conn: Connection, inspection_id: int) -> list[dict[str, Any]]:
    rows = [dict(r._mapping) for r in conn.execute(select(ITEMS).where(ITEMS.c.inspection_id == inspection_id)
                                                   .order_by(ITEMS.c.position))]
    files: dict[int, list[dict[str, Any]]] = {}
    for f in conn.execute(select(FILES).where(FILES.c.inspection_id == inspection_id).order_by(FILES.c.id)):
        files.setdefault(f.item_id, []).append(dict(f._mapping))
    for row in rows:
        row["files"] = files.get(row["id"], [])
        row["pending"] = needs_confirmation(row) and row["confirmation"] != "confirmed"
        row["counted"] = row["input_id"] is not None
    return rows


def files_of(conn: Connection, item_id: int) -> list[dict[str, Any]]:
    """The evidence files of an item, in the order they were attached."""
    return [dict(r._mapping) for r in conn.execute(select(FILES).where(FILES.c.item_id == item_id)
                                                   .order_by(FILES.c.id))]


def detail(conn: Connection, scope: Scope, inspection_id: int) -> dict[str, Any]:
    """An inspection in scope with its items (each with its files), and the counts of answered,
    pending (a veto not met waiting for its second reviewer) and counted items."""
    found = _row(conn, scope, inspection_id)
    found["items"] = items_of(conn, inspection_id)
    found["answered"] = sum(1 for i in found["items"] if i["verdict"] is not None)
    found["pending"] = sum(1 for i in found["items"] if i["pending"])
    found["counted"] = sum(1 for i in found["items"] if i["counted"])
    return found


def list_inspections(conn: Connection, scope: Scope, *, status: str | None = None, assignee: str | None = None,
                     channel_id: int | None = None, after: int = 0,
                     limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    """Inspections of channels in scope, newest first, after an id (the page's cursor)."""
    if status is not None and status not in STATUSES:
        raise InvalidValue(f"unknown inspection status {status!r}: one of {', '.join(STATUSES)}")
    answered = (select(func.count()).select_from(ITEMS)
                .where(ITEMS.c.inspection_id == INS.c.id, ITEMS.c.verdict.is_not(None)).scalar_subquery())
    total = select(func.count()).select_from(ITEMS).where(ITEMS.c.inspection_id == INS.c.id).scalar_subquery()
    query = (select(INS, CHANNELS.c.address, CHANNELS.c.kind, answered.label("answered"), total.label("item_count"))
             .join(CHANNELS, CHANNELS.c.id == INS.c.channel_id).where(scope.orgs(CHANNELS.c.owner_id))
             .order_by(INS.c.id.desc()).limit(limit + 1))
    if after:
        query = query.where(INS.c.id < after)
    for column, value in ((INS.c.status, status), (INS.c.assignee, assignee), (INS.c.channel_id, channel_id)):
        if value is not None:
            query = query.where(column == value)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1]["id"]
    return rows, None


# --- items ---------------------------------------------------------------------------------------


def needs_confirmation(item: dict[str, Any]) -> bool:
    """A veto found not met counts only once a second reviewer confirmed it."""
    return bool(item["rule"] == "veto" and item["verdict"] == "not_met")


def item_of(conn: Connection, inspection_id: int, item: int | str) -> dict[str, Any]:
    """An item of the inspection by its id or its indicator's id."""
    key = ITEMS.c.id == item if isinstance(item, int) else ITEMS.c.indicator_id == item
    found = conn.execute(select(ITEMS).where(ITEMS.c.inspection_id == inspection_id, key)).first()
    if found is None:
        raise NotFound(f"inspection {inspection_id} has no item {item!r} (see its checklist)")
    return dict(found._mapping)


def draft_of(conn: Connection, by: User, inspection_id: int) -> dict[str, Any]:
    """A draft in by's scope that by may fill: by is its reviewer."""
    require_reviewer(by)
    found = _row(conn, by.scope, inspection_id)
    if found["status"] != "draft":
        raise InvalidValue(f"inspection {inspection_id} is submitted: its items no longer change")
    if found["assignee"] != by.username:
        raise Forbidden(f"inspection {inspection_id} is assigned to {found['assignee']}: only they fill it "
                        "(reassign it first)")
    return found


def audit(conn: Connection, by: User, action: str, found: dict[str, Any], detail: dict[str, Any]) -> int:
    """A step of an inspection in the audit log, under its channel's owner."""
    return record(conn, by.username, action, f"inspection:{found['id']}", detail, channel_id=found["channel_id"])


# --- creating and assigning ----------------------------------------------------------------------


def checklist(profile: Profile, kind: str, tier: str, every: bool = False) -> list[Indicator]:
    """The indicators an inspection of a channel of this kind and tier checks: those of the
    profile that apply to it (分级分类) whose source is manual, or all of them (every)."""
    return [ind for ind in resolve(profile, kind, tier) if every or ind.source == "manual"]


def _channel(conn: Connection, by: User, profile: Profile, channel_id: int) -> dict[str, Any]:
    found = conn.execute(select(CHANNELS.c.id, CHANNELS.c.kind, CHANNELS.c.address, CHANNELS.c.status,
                                CHANNELS.c.owner_id, ORGS.c.tier, ORGS.c.jurisdiction)
                         .outerjoin(ORGS, ORGS.c.id == CHANNELS.c.owner_id).where(CHANNELS.c.id == channel_id)).first()
    if found is None or not by.scope.has_org(conn, found.owner_id):
        raise NotFound(f"no channel {channel_id}")
    if found.status not in vocab.OPEN_STATUSES:
        raise InvalidValue(f"channel {channel_id} is {found.status}: only open channels are inspected")
    if found.kind not in profile.kinds or found.jurisdiction != profile.jurisdiction:
        raise InvalidValue(f"profile {profile.id} does not cover {found.kind} channels of "
                           f"{found.jurisdiction} (its kinds: {', '.join(profile.kinds)}; jurisdiction "
                           f"{profile.jurisdiction})")
    return dict(found._mapping)


def create(conn: Connection, by: User, profile: Profile, channel_id: int, start: dt.date, end: dt.date, *,
           reviewer: str | None = None, every: bool = False, note: str | None = None) -> dict[str, Any]:
    """A new draft inspection of the channel for the period [start, end], its checklist from
    the profile, assigned to reviewer (default: by). One draft per channel, profile and period."""
    require_reviewer(by)
    if end < start:
        raise InvalidValue(f"the period ends ({end}) before it starts ({start})")
    channel = _channel(conn, by, profile, channel_id)
    assignee = _assignee(conn, by, reviewer or by.username, channel_id)
    note = clean_text(note, "the note", required=False)
    indicators = checklist(profile, channel["kind"], channel["tier"], every)
    if not indicators:
        raise InvalidValue(f"no indicator of {profile.id} with source manual applies to this {channel['kind']} "
                           f"channel ({channel['tier']}): ask for every indicator")
    draft = conn.execute(select(INS.c.id).where(INS.c.channel_id == channel_id, INS.c.profile_id == profile.id,
                                              INS.c.period_start == start, INS.c.period_end == end,
                                              INS.c.status == "draft")).scalar()
    if draft is not None:
        raise AlreadyExists(f"inspection {draft} of this channel, profile and period is still a draft: "
                            "fill and submit it")
    inspection_id = int(conn.execute(insert(INS).values(
        channel_id=channel_id, profile_id=profile.id, period_start=start, period_end=end,
        selection="all" if every else "manual", status="draft", assignee=assignee, note=note,
        created_by=by.username, created_at=clock.now()).returning(INS.c.id)).scalar_one())
    conn.execute(insert(ITEMS), [{"inspection_id": inspection_id, "position": n, "indicator_id": ind.id,
                                  "rule": ind.rule, "source": ind.source} for n, ind in enumerate(indicators)])
    found = _row(conn, by.scope, inspection_id)
    audit(conn, by, "inspection.created", found, {
        "channel": channel["address"], "kind": channel["kind"], "profile": profile.id, "period": f"{start} – {end}",
        "assignee": assignee, "selection": found["selection"], "items": len(indicators), "note": note})
    return detail(conn, by.scope, inspection_id)


def assign(conn: Connection, by: User, inspection_id: int, reviewer: str, note: str | None = None) -> dict[str, Any]:
    """Give a draft to another reviewer (their verdicts, once they fill the items, are theirs)."""
    require_reviewer(by)
    found = _row(conn, by.scope, inspection_id)
    if found["status"] != "draft":
        raise InvalidValue(f"inspection {inspection_id} is submitted: it is no longer assigned")
    assignee = _assignee(conn, by, reviewer, found["channel_id"])
    note = clean_text(note, "the note", required=False)
    conn.execute(update(INS).where(INS.c.id == inspection_id).values(assignee=assignee))
    audit(conn, by, "inspection.reassigned", found, {"changes": {"assignee": [found["assignee"], assignee]},
                                                      "note": note})
    return detail(conn, by.scope, inspection_id)
