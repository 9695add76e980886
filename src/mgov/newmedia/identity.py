"""An account's identity (name, avatar, certification) against its previous capture and the
registry, and whether a change was filed (备案): the registry has a `changed` event for that
field since the previous capture (`mgov channel edit --name …` files one).

The registry's values: the channel's name (or its attribute `account_name`, where the
channel's name is not the account's), and the attributes `certification` and `avatar`
(a digest `sha256:…` or the avatar's URL). A name matches the registry's also when the
registry adds a note in brackets (`罗湖发布（抖音）` for the account `罗湖发布`).

- A field that differs from the previous capture is a change; it is `filed` when a change
  event of the registry covers it since then and the registry (where it says) agrees with the
  new value.
- Else a field that differs from the registry is a change from the registry's value, never
  filed (the registry says otherwise): an unfiled rename stays reported until it is filed.
A field the capture does not know (an import without it) is not compared.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mgov.evidence.newmedia import AccountProfile, ProfileChange

FIELDS = ("name", "avatar", "certification")
# Which registry fields (column, or attributes.KEY) a filed change must touch, per identity field.
REGISTRY_FIELDS = {"name": frozenset({"name", "attributes.account_name"}),
                   "avatar": frozenset({"attributes.avatar"}),
                   "certification": frozenset({"attributes.certification"})}
_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


@dataclass(frozen=True)
class FiledEvent:
    """A `changed` event of the channel's history: when, and which registry fields it changed
    (None: it does not say, e.g. a 变更 filed from a file with a note: it covers every field)."""

    recorded_at: dt.datetime
    date: dt.date | None
    fields: frozenset[str] | None


def event_fields(details: Any) -> frozenset[str] | None:
    """The registry fields a stored `changed` event changed (attributes key by key)."""
    fields = details.get("fields") if isinstance(details, Mapping) else None
    if not isinstance(fields, Mapping) or not fields:
        return None
    out: set[str] = set()
    for key, value in fields.items():
        if key == "attributes" and isinstance(value, list | tuple) and len(value) == 2:
            old, new = (v if isinstance(v, Mapping) else {} for v in value)
            out |= {f"attributes.{a}" for a in set(old) | set(new) if old.get(a) != new.get(a)}
        else:
            out.add(str(key))
    return frozenset(out)


def registry_identity(name: str | None, attributes: Mapping[str, Any]) -> dict[str, str | None]:
    def text(value: Any) -> str | None:
        return str(value).strip() or None if value is not None else None

    return {"name": text(attributes.get("account_name")) or text(name),
            "avatar": text(attributes.get("avatar")), "certification": text(attributes.get("certification"))}


def _norm(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def _same(field: str, registered: str | None, seen: str | None, *, registry: bool = False) -> bool:
    a, b = _norm(registered), _norm(seen)
    if a == b:
        return True
    return registry and field == "name" and _norm(_NOTE.sub("", registered or "")) == b


def _known(profile: AccountProfile, field: str) -> tuple[bool, str | None]:
    """Whether the capture says this field, and its value (certification None: not certified,
    known only when the platform said the account is not verified)."""
    value = profile.identity()[field]
    if field == "certification" and value is None:
        return profile.verified is False, None
    return bool(value), value or None


def _filed(field: str, events: Iterable[FiledEvent], since: dt.datetime | None) -> bool:
    wanted = REGISTRY_FIELDS[field]
    for event in events:
        recent = since is None or event.recorded_at >= since or (event.date is not None and event.date >= since.date())
        if recent and (event.fields is None or event.fields & wanted):
            return True
    return False


def profile_changes(profile: AccountProfile | None, previous: AccountProfile | None,
                    previous_seen: dt.datetime | None, registry: Mapping[str, str | None],
                    events: Iterable[FiledEvent], now: dt.datetime) -> list[ProfileChange]:
    if profile is None:
        return []
    events = list(events)
    out: list[ProfileChange] = []
    for field in FIELDS:
        known, value = _known(profile, field)
        if not known:
            continue
        registered = registry.get(field)
        before_known, before = _known(previous, field) if previous is not None else (False, None)
        if before_known and not _same(field, before, value):
            agrees = registered is None or _same(field, registered, value, registry=True)
            out.append(ProfileChange(field, before, value, _filed(field, events, previous_seen) and agrees, now))
        elif registered is not None and not _same(field, registered, value, registry=True):
            out.append(ProfileChange(field, registered, value, False, now))
    return out
