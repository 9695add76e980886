"""What one sync.apply did: per object type, how many were created, updated or unchanged,
and the records it skipped as problems.

Its own module because both writers fill it in: sync (organizations, people, roles) and
sync_channels (channels and their history), which sync calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mgov.registry.records import Problem


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return self.created + self.updated


@dataclass
class ApplyReport:
    counts: dict[str, Counts] = field(
        default_factory=lambda: {t: Counts() for t in
                                 ("organizations", "people", "roles", "channels", "events")}
    )
    problems: list[Problem] = field(default_factory=list)
    closed: int = 0  # channels this batch closed (the audit log's import entry counts them)

    @property
    def changes(self) -> int:
        return sum(c.changes for c in self.counts.values())

    @property
    def accepted(self) -> int:
        return sum(c.changes + c.unchanged for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": {t: vars(c) for t, c in self.counts.items()},
            "changes": self.changes,
            "accepted": self.accepted,
            "problems": [p.as_dict() for p in self.problems],
        }
