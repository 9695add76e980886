"""Every change a user makes through the web, API or dashboard alike: checked against their
scope and carried out through the same layers the command line uses, which write it to the
audit log in the same transaction (the request's transaction says who acts: web.deps)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from mgov.accounts import access, can_grant, throttle, users
from mgov.act import disputes, notify, task_evidence, task_work, tasks
from mgov.act.audit_log import record
from mgov.db.tables import NOTIFICATION_TARGETS, PEOPLE, USERS
from mgov.discover import store as discover_store
from mgov.errors import AlreadyExists, Forbidden, InvalidValue, NotFound
from mgov.registry import service, vocab
from mgov.registry.addresses import normalize_address
from mgov.registry.records import (
    Batch,
    ChannelRecord,
    OrgRecord,
    Origin,
    PersonRecord,
    RoleRecord,
)
from mgov.web.deps import Principal
from mgov.web.queries import act as act_q
from mgov.web.queries import discovered as discovered_q
from mgov.web.queries import registry as reg_q

WEB = Origin("web")


def _org_in_scope(conn: Connection, p: Principal, code: str | None) -> int | None:
    """Where a write puts something: within the user's subtree (None only for whole-registry users)."""
    if code is None:
        if not p.user.scope.everything:
            raise Forbidden("give an organization within your own")
        return None
    return reg_q.org_id_in_scope(conn, p.user.scope, code)


def _people_in_scope(conn: Connection, p: Principal, responsible: dict[str, list[str]] | None) -> None:
    """Everyone a channel is to name as responsible: people the user may see, so an unknown key
    and another agency's person answer alike (404), and neither comes into the user's scope."""
    for keys in (responsible or {}).values():
        for key in keys:
            reg_q.person_id_in_scope(conn, p.user.scope, key)


def _new_key(conn: Connection, table: Any, what: str, **key: Any) -> None:
    """Natural keys are unique across the whole registry, so a taken one cannot be hidden; the
    answer is the same wherever the row is and names nothing of it (not even the key)."""
    if conn.execute(select(func.count()).select_from(table).filter_by(**key)).scalar():
        raise AlreadyExists(f"this {what} is taken (unique across the whole registry): choose another")


def create_org(conn: Connection, p: Principal, fields: dict[str, Any]) -> str:
    _org_in_scope(conn, p, fields.get("parent"))
    code: str = fields.pop("code")
    _new_key(conn, service.ORG, "organization code", code=code)
    service.write(conn, Batch(organizations=[OrgRecord(code, WEB, **fields)]))
    return code


def edit_org(conn: Connection, p: Principal, code: str, changes: dict[str, Any]) -> None:
    org_id = reg_q.org_id_in_scope(conn, p.user.scope, code)
    if "parent" in changes:
        if org_id == p.user.organization_id:
            raise Forbidden("you cannot move your own organization")
        _org_in_scope(conn, p, changes["parent"])
    service.write(conn, Batch(organizations=[OrgRecord(code, WEB, **changes)]))


def assign_role(conn: Connection, p: Principal, code: str, person: str, role: str) -> None:
    reg_q.org_id_in_scope(conn, p.user.scope, code)
    reg_q.person_id_in_scope(conn, p.user.scope, person)
    service.write(conn, Batch(roles=[RoleRecord(person, code, role, WEB)]))


def create_person(conn: Connection, p: Principal, key: str, fields: dict[str, Any]) -> None:
    """A new person, with the role they take at an organization in scope (required of a scoped
    user: someone serving none of its organizations would be out of its scope at once)."""
    code, role = fields.pop("organization", None), fields.pop("role", None)
    if code is None and role is None and not p.user.scope.everything:
        raise InvalidValue("give organization and role: the person takes a role at an organization in your scope")
    if (code is None) != (role is None):
        raise InvalidValue("give organization and role together: the role the person takes there")
    _org_in_scope(conn, p, code)
    if role is not None and role not in vocab.ROLES:
        raise InvalidValue(f"unknown role {role!r} (choose from: {', '.join(vocab.ROLES)})")
    _new_key(conn, service.PERSON, "person key", key=key)
    joins = [RoleRecord(key, code, role, WEB)] if code is not None and role is not None else []
    service.write(conn, Batch(people=[PersonRecord(key, WEB, **fields)], roles=joins))


def edit_person(conn: Connection, p: Principal, key: str, changes: dict[str, Any]) -> None:
    person_id = reg_q.person_id_in_scope(conn, p.user.scope, key)
    if not p.user.scope.covers_person(conn, person_id):
        raise Forbidden(f"{key} also serves organizations outside your scope, which see the same details: "
                        "they are changed by a user whose scope covers them all")
    service.write(conn, Batch(people=[PersonRecord(key, WEB, **changes)]))


def create_channel(conn: Connection, p: Principal, fields: dict[str, Any]) -> int:
    _org_in_scope(conn, p, fields.get("owner"))
    _people_in_scope(conn, p, fields.get("responsible"))
    kind = fields["kind"]
    address = normalize_address(kind, fields["address"])
    _new_key(conn, service.CHANNEL, "channel address", kind=kind, address=address)
    rec = ChannelRecord(kind, address, WEB, name=fields.get("name"), owner=fields.get("owner"),
                        tags=list(fields.get("tags") or []), attributes=dict(fields.get("attributes") or {}))
    if fields.get("responsible"):
        rec.responsible = fields["responsible"]
    service.write(conn, Batch(channels=[rec]))
    return int(service.channel_row(conn, address, kind)["id"])


def edit_channel(conn: Connection, p: Principal, channel_id: int, changes: dict[str, Any]) -> None:
    row = reg_q.channel_in_scope(conn, p.user.scope, channel_id)
    changes = dict(changes)
    rec = ChannelRecord(row["kind"], row["address"], WEB, event_note=changes.pop("note", None))
    for field, value in changes.items():
        if value is None:
            raise InvalidValue(f"{field} cannot be empty" if field != "owner"
                               else "a channel moves from one owner to another, not to none")
        if field == "owner":
            _org_in_scope(conn, p, value)  # the owner it moves to
        if field == "responsible":
            _people_in_scope(conn, p, value)
            rec.responsible, rec.responsible_roles = value, frozenset(value)
        else:
            setattr(rec, field, value)
    service.write(conn, Batch(channels=[rec]))


def close_task(conn: Connection, p: Principal, task_id: int, note: str) -> dict[str, Any]:
    act_q.task(conn, p.user.scope, task_id)
    return tasks.close_task(conn, task_id, note, by=p.user.username)


def assign_task(conn: Connection, p: Principal, task_id: int, person: str | int, note: str | None = None) -> None:
    """Give a task in scope to a person (a key, or the dashboard's person id) in scope: another
    agency's person answers as an unknown one."""
    act_q.task(conn, p.user.scope, task_id)
    if isinstance(person, int):
        found = conn.execute(select(PEOPLE.c.key).where(PEOPLE.c.id == person, p.user.scope.people(PEOPLE.c.id)))
        key = found.scalar()
        if key is None:
            raise NotFound(f"no person {person}")  # out of scope reads as absent
    else:
        key = person
        reg_q.person_id_in_scope(conn, p.user.scope, key)
    task_work.assign(conn, task_id, key, by=p.user.username, note=note)


def comment_task(conn: Connection, p: Principal, task_id: int, text: str) -> None:
    act_q.task(conn, p.user.scope, task_id)
    task_work.comment(conn, task_id, text, by=p.user.username)


def request_recheck(conn: Connection, p: Principal, task_id: int, note: str | None = None) -> None:
    act_q.task(conn, p.user.scope, task_id)
    task_work.request_recheck(conn, task_id, by=p.user.username, note=note)


def escalate_task(conn: Connection, p: Principal, task_id: int, note: str) -> None:
    act_q.task(conn, p.user.scope, task_id)
    task_work.escalate(conn, task_id, by=p.user.username, note=note)


def add_task_evidence(conn: Connection, p: Principal, archive_dir: Path, task_id: int, *, url: str | None = None,
                      file: tuple[str | None, bytes, str | None] | None = None, note: str | None = None) -> int:
    """A URL or a file (name, bytes, type) showing the fix: exactly one of them."""
    act_q.task(conn, p.user.scope, task_id)
    if (url is None) == (file is None):
        raise InvalidValue("give the evidence as a URL or as a file (one of them)")
    if file is not None:
        name, data, media_type = file
        row = task_evidence.add_file(conn, archive_dir, task_id, name, data, by=p.user.username,
                                     media_type=media_type, note=note)
    else:
        row = task_evidence.add_url(conn, task_id, url or "", by=p.user.username, note=note)
    return int(row["id"])


def file_dispute(conn: Connection, p: Principal, assessment_id: int, channel_id: int, indicator: str, reason: str,
                 evidence: list[dict[str, Any]]) -> int:
    reg_q.channel_in_scope(conn, p.user.scope, channel_id)
    return int(disputes.file(conn, assessment_id, channel_id, indicator, reason, evidence=evidence,
                             by=p.user.username)["id"])


def decide_dispute(conn: Connection, p: Principal, dispute_id: int, overturn: bool, note: str) -> None:
    act_q.dispute(conn, p.user.scope, dispute_id)
    disputes.decide(conn, dispute_id, overturn=overturn, note=note, by=p.user.username)


def decide_discovered(conn: Connection, p: Principal, discovered_id: int, state: str, confirmed_as: str | None,
                      note: str | None) -> dict[str, Any]:
    """Confirm or dismiss a discovered account claiming a unit in the reviewer's scope."""
    discovered_q.discovered(conn, p.user.scope, discovered_id)
    return discover_store.decide(conn, discovered_id, state, confirmed_as=confirmed_as, note=note,
                                 by=p.user.username)


def create_token(conn: Connection, p: Principal, name: str, days: int | None) -> tuple[str, dict[str, Any]]:
    return access.create_token(conn, p.user.id, name, days=days)


def revoke_token(conn: Connection, p: Principal, token_id: int) -> dict[str, Any]:
    return access.revoke_token(conn, p.user.id, token_id)


def _grantable(conn: Connection, p: Principal, role: str | None, organization: str | None) -> int | None:
    if role is not None and not can_grant(p.user.role, role):
        raise Forbidden(f"a {p.user.role} cannot give the role {role}")
    return _org_in_scope(conn, p, organization)


def user_in_scope(conn: Connection, p: Principal, user_id: int) -> dict[str, Any]:
    org_id = conn.execute(select(USERS.c.organization_id).where(USERS.c.id == user_id)).first()
    if org_id is None or not p.user.scope.has_org(conn, org_id[0]):
        raise NotFound(f"no user {user_id}")
    return users.get_user(conn, user_id)


def create_user(conn: Connection, p: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    _grantable(conn, p, fields["role"], fields.get("organization"))
    return users.create_user(conn, fields["username"], fields["password"], fields["role"],
                              organization=fields.get("organization"), display_name=fields.get("display_name"),
                              email=fields.get("email"), lang=fields.get("lang"), time_zone=fields.get("time_zone"))


def edit_user(conn: Connection, p: Principal, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    before = user_in_scope(conn, p, user_id)
    if not can_grant(p.user.role, before["role"]):
        raise Forbidden(f"a {p.user.role} cannot change a {before['role']}")
    _grantable(conn, p, changes.get("role"), changes.get("organization", before["organization"]))
    return users.edit_user(conn, user_id, **changes)


def own_settings(conn: Connection, p: Principal, lang: str | None, time_zone: str | None) -> dict[str, Any]:
    """A user's own language and time zone ("" for the time zone: back to the organization's)."""
    return users.edit_user(conn, p.user.id, lang=lang or None, time_zone=time_zone)


def target_in_scope(conn: Connection, p: Principal, target_id: int) -> dict[str, Any]:
    org_id = conn.execute(select(NOTIFICATION_TARGETS.c.organization_id)
                          .where(NOTIFICATION_TARGETS.c.id == target_id)).first()
    if org_id is None or not p.user.scope.has_org(conn, org_id[0]):
        raise NotFound(f"no notification target {target_id}")
    return notify.get_target(conn, target_id)


def add_target(conn: Connection, p: Principal, fields: dict[str, Any], allow_private: bool) -> dict[str, Any]:
    _org_in_scope(conn, p, fields.get("organization"))
    return notify.add_target(conn, org_code=fields.get("organization"), kind=fields["kind"],
                             address=fields["address"], events=fields.get("events"), secret=fields.get("secret"),
                             lang=fields.get("lang"), allow_private=allow_private)


def remove_target(conn: Connection, p: Principal, target_id: int) -> dict[str, Any]:
    target_in_scope(conn, p, target_id)
    return notify.remove_target(conn, target_id)


def unlock_user(conn: Connection, p: Principal, user_id: int) -> dict[str, Any]:
    """Clear the sign-in throttle of a user in scope (a user manager's way in for a user an
    attacker's failed attempts have locked out from their address)."""
    found = user_in_scope(conn, p, user_id)
    count = throttle.unlock(conn, found["username"])
    return {"user": found["username"], "unlocked": count}


def password_changed(conn: Connection, p: Principal, sessions_ended: int) -> None:
    record(conn, p.user.username, "user.password_changed", f"user:{p.user.id}", {"sessions_ended": sessions_ended},
           organization_id=p.user.organization_id)
