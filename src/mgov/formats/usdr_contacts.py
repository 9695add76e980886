"""The contacts of a U.S. Digital Registry account or app: people, their role at the owning
agency, and the channel they answer for.

A record's `contacts` is a list of e-mail addresses or of objects (`email`, and optionally
`name`, `phone`, `role`), or one text of addresses separated by commas, semicolons or spaces
(the registry's bulk upload). Absent: the channel's people are left as they are. Present,
even empty: it says who answers for the roles it names (content_manager always), so a
contact dropped from the registry stops answering for the channel; the role held at the
agency stays (the registry never deletes).
"""

from __future__ import annotations

import re
from typing import Any

from mgov.errors import InvalidValue
from mgov.registry import vocab
from mgov.registry.addresses import normalize_email
from mgov.registry.records import UNSET, Batch, Origin, PersonRecord, Problem, RoleRecord

DEFAULT_ROLE = "content_manager"


class Contacts:
    """Adds people and role assignments to a batch, once each, as records name them."""

    def __init__(self, batch: Batch, problems: list[Problem]) -> None:
        self.batch, self.problems = batch, problems
        self.people: set[str] = set()
        self.roles: set[tuple[str, str, str]] = set()

    def of(self, origin: Origin, where: str, record: dict[str, Any],
           owner: str | None) -> tuple[Any, frozenset[str] | None]:
        """The channel's `responsible` and the roles it speaks for (UNSET, None: no contacts given)."""
        if "contacts" not in record:
            return UNSET, None
        raw = record["contacts"]
        if raw is None:
            raw = []
        if isinstance(raw, str):
            raw = [part for part in re.split(r"[\s,;]+", raw) if part]
        if not isinstance(raw, list):
            self.problems.append(Problem(origin, f"{where}: contacts is not a list: the channel's people are "
                                                 "left as they are", "person"))
            return UNSET, None
        responsible: dict[str, list[str]] = {DEFAULT_ROLE: []}
        for n, contact in enumerate(raw):
            found = self._contact(origin, f"{where}.contacts[{n}]", contact)
            if found is None:
                continue
            key, role = found
            if key not in responsible.setdefault(role, []):
                responsible[role].append(key)
            if owner is not None and (key, owner, role) not in self.roles:
                self.roles.add((key, owner, role))
                self.batch.roles.append(RoleRecord(key, owner, role, origin))
        return responsible, frozenset(responsible)

    def _contact(self, origin: Origin, where: str, contact: Any) -> tuple[str, str] | None:
        """(person key, role) of one contact, the person added to the batch; None when unusable."""
        fields: dict[str, Any] = contact if isinstance(contact, dict) else {"email": contact}
        role = str(fields.get("role") or DEFAULT_ROLE).strip()
        try:
            if not isinstance(fields.get("email"), str):
                raise InvalidValue("no e-mail address")
            key = normalize_email(fields["email"])
            if role not in vocab.ROLES:
                raise InvalidValue(f"unknown role {role!r} (choose from: {', '.join(vocab.ROLES)})")
        except InvalidValue as exc:
            self.problems.append(Problem(origin, f"{where}: {exc}: contact not imported", "person"))
            return None
        if key not in self.people:
            self.people.add(key)
            given = {k: str(fields[k]).strip() for k in ("name", "phone") if _text(fields.get(k))}
            self.batch.people.append(PersonRecord(key, origin, email=key, **given))
        return key, role


def _text(value: Any) -> bool:
    return value is not None and bool(str(value).strip())
