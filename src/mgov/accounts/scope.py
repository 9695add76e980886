"""A user's scope: the organization subtree they may see and change, as SQL.

The subtree is a recursive query over organizations.parent_id (the same on SQLite and
PostgreSQL), used as a subquery in every read and checked before every write, so the rule
lives in one place and no page or route can forget it.

People have no organization of their own: a person belongs to the organizations they serve
(a role held there, now or before, or a channel of theirs answered for). The writes that link
a person to an organization accept only people already in the writer's scope, so a person
comes into a scope only from inside it, never by someone naming them from outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, exists, literal, or_, select, true

from mgov.db.tables import CHANNELS, ORGS, RESPONSIBILITIES, ROLES


@dataclass(frozen=True)
class Scope:
    root_id: int | None  # None: the whole registry

    @property
    def everything(self) -> bool:
        return self.root_id is None

    def org_ids(self) -> Any:
        """A SELECT of the ids of the organizations in scope (the root and its descendants)."""
        return select(self._subtree.c.id)

    @cached_property
    def _subtree(self) -> Any:
        # One CTE object per scope: a statement that filters on it twice renders it once.
        sub = select(ORGS.c.id).where(ORGS.c.id == self.root_id).cte("scope_orgs", recursive=True)
        child = ORGS.alias("scope_child")
        return sub.union_all(select(child.c.id).join(sub, child.c.parent_id == sub.c.id))

    def orgs(self, column: Any) -> Any:
        """A condition: column (an organization id) is in scope. Rows without an
        organization belong to no agency: only a whole-registry user sees them."""
        return true() if self.everything else column.in_(self.org_ids())

    def channels(self, column: Any) -> Any:
        """A condition: column (a channel id) names a channel owned within scope."""
        if self.everything:
            return true()
        return column.in_(select(CHANNELS.c.id).where(CHANNELS.c.owner_id.in_(self.org_ids())))

    def has_org(self, conn: Connection, org_id: int | None) -> bool:
        if self.everything:
            return True
        if org_id is None:
            return False
        return conn.execute(select(literal(1)).where(literal(org_id).in_(self.org_ids()))).first() is not None

    def has_channel(self, conn: Connection, channel_id: int) -> bool:
        owner = conn.execute(select(CHANNELS.c.owner_id).where(CHANNELS.c.id == channel_id)).first()
        return owner is not None and self.has_org(conn, owner.owner_id)

    def people(self, column: Any) -> Any:
        """A condition: column (a person id) names someone serving an organization in scope."""
        if self.everything:
            return true()
        by_role = select(ROLES.c.person_id).where(ROLES.c.organization_id.in_(self.org_ids()))
        by_channel = select(RESPONSIBILITIES.c.person_id).where(self.channels(RESPONSIBILITIES.c.channel_id))
        return or_(column.in_(by_role), column.in_(by_channel))

    def covers_person(self, conn: Connection, person_id: int) -> bool:
        """Every organization the person serves is in scope: who may change their details, which
        every one of those organizations sees (a channel without an owner is no agency's)."""
        if self.everything:
            return True
        inside = self.org_ids()
        role_outside = select(ROLES.c.id).where(ROLES.c.person_id == person_id, ROLES.c.organization_id.not_in(inside))
        channel_outside = (select(RESPONSIBILITIES.c.channel_id)
                           .join(CHANNELS, CHANNELS.c.id == RESPONSIBILITIES.c.channel_id)
                           .where(RESPONSIBILITIES.c.person_id == person_id,
                                  or_(CHANNELS.c.owner_id.is_(None), CHANNELS.c.owner_id.not_in(inside))))
        outside = select(literal(1)).where(or_(exists(role_outside), exists(channel_outside)))
        return conn.execute(outside).first() is None
