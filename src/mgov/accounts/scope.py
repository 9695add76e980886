"""A user's scope: the organization subtree they may see and change, as SQL.

The subtree is a recursive query over organizations.parent_id (the same on SQLite and
PostgreSQL), used as a subquery in every read and checked before every write, so the rule
lives in one place and no page or route can forget it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, literal, select, true

from mgov.db.tables import CHANNELS, ORGS


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
