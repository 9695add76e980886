"""The merged form of a profile: what loader produces and build validates.

Its own module so that loader can call build while build reads this shape without
importing loader back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Sourced = tuple[Any, str]  # a value and the file that set it
Item = dict[str, Sourced]


@dataclass
class Merged:
    """A profile's raw tables after merging its extends chain, each value with its origin file."""

    id: str
    path: str
    chain: tuple[str, ...]  # ancestors, nearest first
    top: Item = field(default_factory=dict)
    scoring: Item = field(default_factory=dict)
    categories: dict[str, Item] = field(default_factory=dict)
    indicators: dict[str, Item] = field(default_factory=dict)
    overrides: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)
