"""What a user sees of people's contact details: in full with the contacts.read permission,
else masked as the command line masks them (mgov.registry.masking): e-mail and phone, and a
person key that is an e-mail address (the default key), wherever the API or a page shows one."""

from __future__ import annotations

from typing import Any

from mgov.accounts.users import User
from mgov.registry.masking import mask_email, mask_person


def shown_in_full(user: User) -> bool:
    return user.can("contacts.read")


def key(user: User, person_key: Any) -> Any:
    if shown_in_full(user) or not isinstance(person_key, str) or "@" not in person_key:
        return person_key
    return mask_email(person_key)


def person(user: User, row: dict[str, Any]) -> dict[str, Any]:
    return row if shown_in_full(user) else mask_person(row)


def people(user: User, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [person(user, r) for r in rows]


def org(user: User, detail: dict[str, Any]) -> dict[str, Any]:
    """An organization's detail, its role holders' keys as the user may see them."""
    if shown_in_full(user):
        return detail
    return {**detail, "roles": [{**r, "person": key(user, r["person"])} for r in detail.get("roles", [])]}


def _responsible(user: User, by_role: Any) -> Any:
    if not isinstance(by_role, dict):
        return by_role
    return {role: [key(user, k) for k in keys] for role, keys in by_role.items()}


def channel(user: User, detail: dict[str, Any]) -> dict[str, Any]:
    """A channel's detail: its responsible people, and those its history says changed."""
    if shown_in_full(user):
        return detail
    history = []
    for event in detail.get("history", []):
        fields = (event.get("details") or {}).get("fields") or {}
        if "responsible" in fields:
            fields = {**fields, "responsible": [_responsible(user, side) for side in fields["responsible"]]}
            event = {**event, "details": {**event["details"], "fields": fields}}
        history.append(event)
    return {**detail, "responsible": _responsible(user, detail.get("responsible", {})), "history": history}


def task(user: User, row: dict[str, Any]) -> dict[str, Any]:
    """A task: its assignee, the people listed as answering for it and those it may be assigned
    to (the task page); its history's assignments."""
    if shown_in_full(user):
        return row
    masked = {**row, "assignee": key(user, row.get("assignee"))}
    for field in ("assignees", "candidates"):
        if row.get(field):
            masked[field] = [{**a, "person": key(user, a.get("person"))} for a in row[field]]
    if row.get("history"):
        masked["history"] = [{**h, **{f: key(user, h[f]) for f in ("person", "was", "assignee") if f in h}}
                             for h in row["history"]]
    return masked


def tasks(user: User, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [task(user, r) for r in rows]
