"""Working through an inspection (mgov.act.inspections): filling its items, the second
reviewer's confirmation of a veto not met, and submitting it, which makes each item the
channel's manual input of its indicator for the period (mgov.assess.manual.record: the one
path every reviewer's decision takes into the assessment).

An item counts (becomes an input) when its inspection is submitted, except a veto found not
met: that counts once a second reviewer, not the one who filled it, confirmed it, at the
submission or later (when it is confirmed after the submission, its input is written then,
unless a newer submitted inspection of the same channel, profile and period took its place).
A rejected veto does not count; on a draft, the reviewer changes the verdict (which asks for a
confirmation again) before submitting.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from mgov import clock
from mgov.accounts.users import User
from mgov.act import inspections as ins
from mgov.act.task_work import clean_text
from mgov.assess import manual
from mgov.db.tables import INSPECTION_ITEMS, INSPECTIONS
from mgov.errors import Forbidden, InvalidValue

ITEMS, INS = INSPECTION_ITEMS, INSPECTIONS
AS_INPUT = {"met": "met", "not_met": "failed", "not_applicable": "not_applicable"}  # verdict -> manual status
MAX_INSTANCES = 1000


def _instances(item: dict[str, Any], verdict: str, instances: int | None) -> int:
    """How many instances an item's verdict counts: those given when not met (default 1; a
    deduction's points multiply by them), 1 for a bonus met, else 0."""
    if verdict == "not_met":
        n = 1 if instances is None else instances
        if not 1 <= n <= MAX_INSTANCES:
            raise InvalidValue(f"instances must be between 1 and {MAX_INSTANCES} for an item not met, not {n}")
        return n
    if instances not in (None, 0):
        raise InvalidValue("instances count what was found not met: give them only with the verdict not_met")
    return 1 if item["rule"] == "bonus" and verdict == "met" else 0


def fill(conn: Connection, by: User, inspection_id: int, item: int | str, verdict: str, note: str | None, *,
         instances: int | None = None) -> dict[str, Any]:
    """The assigned reviewer's verdict on an item of a draft (met, not_met or not_applicable),
    with a note saying what was found; a changed verdict or note asks for any confirmation again."""
    found = ins.draft_of(conn, by, inspection_id)
    if verdict not in ins.VERDICTS:
        raise InvalidValue(f"unknown verdict {verdict!r}: one of {', '.join(ins.VERDICTS)}")
    text = clean_text(note, "the note (what was found)", required=True)
    row = ins.item_of(conn, inspection_id, item)
    n = _instances(row, verdict, instances)
    conn.execute(update(ITEMS).where(ITEMS.c.id == row["id"]).values(
        verdict=verdict, instances=n, note=text, filled_by=by.username, filled_at=clock.now(), confirmation=None,
        confirmed_by=None, confirmed_at=None, confirm_note=None))
    ins.audit(conn, by, "inspection.filled", found, {
        "indicator": row["indicator_id"], "changes": {"verdict": [row["verdict"], verdict],
                                                      "instances": [row["instances"], n], "note": [row["note"], text]},
        **({"confirmation": row["confirmation"]} if row["confirmation"] else {})})
    return ins.item_of(conn, inspection_id, row["id"])


def _refs(conn: Connection, found: dict[str, Any], item: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence an input carries: the inspection and item, then each file by its digest."""
    head: dict[str, Any] = {"inspection": found["id"], "item": item["id"], "filled_by": item["filled_by"]}
    if item["confirmed_by"]:
        head["confirmed_by"] = item["confirmed_by"]
    return [head, *({"inspection": found["id"], "evidence": f["id"], "filename": f["filename"],
                     "media_type": f["media_type"], "sha256": f["sha256"]} for f in ins.files_of(conn, item["id"]))]


def _count(conn: Connection, found: dict[str, Any], item: dict[str, Any]) -> int:
    """Write the item as the channel's manual input of its indicator for the period; its id."""
    input_id = manual.record(
        conn, channel_id=found["channel_id"], profile_id=found["profile_id"], indicator_id=item["indicator_id"],
        start=found["period_start"], end=found["period_end"], kind="manual",
        payload={"status": AS_INPUT[item["verdict"]], "instances": int(item["instances"] or 0)},
        note=item["note"], evidence=_refs(conn, found, item), by=item["filled_by"])
    conn.execute(update(ITEMS).where(ITEMS.c.id == item["id"]).values(input_id=input_id))
    return input_id


def _newer(conn: Connection, found: dict[str, Any]) -> int | None:
    """A submitted inspection of the same channel, profile and period newer than found."""
    newer: int | None = conn.execute(select(INS.c.id).where(
        INS.c.channel_id == found["channel_id"], INS.c.profile_id == found["profile_id"],
        INS.c.period_start == found["period_start"], INS.c.period_end == found["period_end"],
        INS.c.status == "submitted", INS.c.submitted_at > found["submitted_at"]).order_by(INS.c.id).limit(1)).scalar()
    return newer


def confirm(conn: Connection, by: User, inspection_id: int, item: int | str, *, agree: bool,
            note: str | None = None) -> dict[str, Any]:
    """A second reviewer's word on a veto found not met: confirmed (it counts: at once when the
    inspection is submitted) or rejected (it does not). Not by the reviewer who filled it."""
    ins.require_reviewer(by)
    found = ins.inspection(conn, by.scope, inspection_id)
    row = ins.item_of(conn, inspection_id, item)
    if not ins.needs_confirmation(row):
        raise InvalidValue(f"item {row['indicator_id']} needs no confirmation: only a veto found not met does")
    if row["filled_by"] == by.username:
        raise Forbidden(f"you filled item {row['indicator_id']}: a second reviewer confirms it")
    if row["confirmation"] is not None:
        raise InvalidValue(f"item {row['indicator_id']} was already {row['confirmation']} by {row['confirmed_by']}")
    text = clean_text(note, "the note", required=not agree)
    conn.execute(update(ITEMS).where(ITEMS.c.id == row["id"]).values(
        confirmation="confirmed" if agree else "rejected", confirmed_by=by.username, confirmed_at=clock.now(),
        confirm_note=text))
    row = ins.item_of(conn, inspection_id, row["id"])
    detail: dict[str, Any] = {"indicator": row["indicator_id"], "filled_by": row["filled_by"], "note": text}
    if agree and found["status"] == "submitted":
        newer = _newer(conn, found)
        if newer is None:
            detail["input"] = _count(conn, found, row)
        else:
            detail["superseded_by"] = newer
    ins.audit(conn, by, "inspection.confirmed" if agree else "inspection.rejected", found, detail)
    return ins.item_of(conn, inspection_id, row["id"])


def submit(conn: Connection, by: User, inspection_id: int, note: str | None = None) -> dict[str, Any]:
    """Submit a draft whose every item has a verdict: each item that counts becomes an input;
    vetoes not met and not yet confirmed wait for their second reviewer."""
    found = ins.draft_of(conn, by, inspection_id)
    note = clean_text(note, "the note", required=False)
    items = ins.items_of(conn, inspection_id)
    open_items = [i["indicator_id"] for i in items if i["verdict"] is None]
    if open_items:
        raise InvalidValue(f"{len(open_items)} item(s) have no verdict yet: {', '.join(open_items)}")
    rejected = [i["indicator_id"] for i in items if ins.needs_confirmation(i) and i["confirmation"] == "rejected"]
    if rejected:
        raise InvalidValue(f"the second reviewer rejected {', '.join(rejected)}: change the verdict "
                           "(it is confirmed again) before submitting")
    now = clock.now()
    conn.execute(update(INS).where(INS.c.id == inspection_id).values(status="submitted", submitted_by=by.username,
                                                                 submitted_at=now))
    found = {**found, "status": "submitted", "submitted_at": now}
    inputs, pending = [], []
    for item in items:
        if item["pending"]:
            pending.append(item["indicator_id"])
        else:
            inputs.append(_count(conn, found, item))
    ins.audit(conn, by, "inspection.submitted", found, {"inputs": inputs, "pending": len(pending), "note": note})
    return ins.detail(conn, by.scope, inspection_id)
