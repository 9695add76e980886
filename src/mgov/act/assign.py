"""Who works on a rectification task (整改责任人): one person, by key, from the people the
registry says answer for the channel.

The default is the channel's responsible person for the role the failed indicator concerns
(certificates and security headers: the security officer; trackers and cookies: the privacy
officer; content and interaction: the content manager; the rest of the site's workings: the
web operator), else its content manager, else the first person listed; a channel naming nobody
falls back to the owning organization's role holders the same way. Reassigning picks among the
channel's responsible people and the owner's current role holders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from mgov.db.tables import PEOPLE, RESPONSIBILITIES, ROLES

CONTENT_MANAGER = "content_manager"
# Check ids (or their prefix, ending in '.') -> the role that fixes what they find; first match wins.
ROLE_OF_CHECK: tuple[tuple[str, str], ...] = (
    ("content.tampering", "security_officer"),
    ("https.", "security_officer"), ("hsts", "security_officer"), ("tls.", "security_officer"),
    ("security_headers", "security_officer"), ("security_txt", "security_officer"),
    ("mixed_content", "security_officer"),
    ("analytics", "privacy_officer"), ("third_party", "privacy_officer"), ("cookies", "privacy_officer"),
    ("content.", CONTENT_MANAGER), ("interaction.", CONTENT_MANAGER),
    # A new-media account's wording and commercial content are reviewed content (三审三校);
    # the rest of its workings (updates, menus, links, filings) are its operator's.
    ("newmedia.wording", CONTENT_MANAGER), ("newmedia.commercial", CONTENT_MANAGER),
)


def role_for(check: str | None, source: str | None = None, channel_kind: str | None = None) -> str:
    """The role that answers for an indicator: by its bound check; monitoring and availability
    (probes) are the operator's; what people judge (manual reviews, ratings, usage) the content
    manager's."""
    operator = "web_operator" if channel_kind in (None, "website") else "new_media_operator"
    if check:
        for prefix, role in ROLE_OF_CHECK:
            if check == prefix or (prefix.endswith(".") and check.startswith(prefix)):
                return role
        return operator
    return operator if source in ("probe", "monitoring") else CONTENT_MANAGER


def default_assignee(people: list[dict[str, Any]], role: str) -> str | None:
    """The person for role among people (dicts with person and role, as tasks store them),
    else the content manager, else the first listed; None when nobody is listed."""
    for wanted in (role, CONTENT_MANAGER):
        for p in people:
            if p.get("role") == wanted and p.get("person"):
                return str(p["person"])
    return next((str(p["person"]) for p in people if p.get("person")), None)


def candidates(conn: Connection, channel_id: int, owner_id: int | None, on: dt.date) -> list[dict[str, Any]]:
    """Everyone a task of the channel may be assigned to: its responsible people and the role
    holders of the owning organization current on the day; one entry per person (key, id, name)
    with their roles, ordered by name."""
    found: dict[str, dict[str, Any]] = {}
    rows: list[Any] = list(conn.execute(select(RESPONSIBILITIES.c.role, PEOPLE.c.id, PEOPLE.c.key, PEOPLE.c.name)
                                        .join(PEOPLE, PEOPLE.c.id == RESPONSIBILITIES.c.person_id)
                                        .where(RESPONSIBILITIES.c.channel_id == channel_id)))
    if owner_id is not None:
        held = conn.execute(select(ROLES.c.role, ROLES.c.since, ROLES.c.until, PEOPLE.c.id, PEOPLE.c.key, PEOPLE.c.name)
                            .join(PEOPLE, PEOPLE.c.id == ROLES.c.person_id)
                            .where(ROLES.c.organization_id == owner_id)).all()
        rows += [r for r in held if (r.since is None or r.since <= on) and (r.until is None or r.until >= on)]
    for r in rows:
        entry = found.setdefault(r.key, {"person": r.key, "id": r.id, "name": r.name, "roles": []})
        if r.role not in entry["roles"]:
            entry["roles"].append(r.role)
    return sorted(found.values(), key=lambda e: (e["name"] or "", e["person"]))
