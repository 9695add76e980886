"""The check registry: every class in the `mgov.checks` entry-point group, built-ins included."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from mgov.checks.base import Check
from mgov.errors import MgovError

GROUP = "mgov.checks"


class CheckLoadError(MgovError):
    """An entry point of the mgov.checks group is broken."""


@cache
def all_checks() -> dict[str, Check]:
    """id -> check instance, sorted by id. Loaded once per process."""
    found: dict[str, Check] = {}
    for ep in entry_points(group=GROUP):
        try:
            cls = ep.load()
        except Exception as exc:
            raise CheckLoadError(f"cannot load check {ep.name!r} ({ep.value}): {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Check)):
            raise CheckLoadError(f"entry point {ep.name!r} ({ep.value}) is not a Check class")
        if cls.id != ep.name:
            raise CheckLoadError(f"entry point {ep.name!r} names a check whose id is {cls.id!r}")
        if cls.id in found:
            raise CheckLoadError(f"two checks claim the id {cls.id!r}")
        found[cls.id] = cls()
    return dict(sorted(found.items()))


def select(ids: list[str] | None) -> list[Check]:
    """The checks named (all when ids is empty), or an error naming the unknown ones."""
    checks = all_checks()
    if not ids:
        return list(checks.values())
    unknown = [i for i in ids if i not in checks]
    if unknown:
        raise MgovError(f"unknown check {', '.join(unknown)} (see `mgov checks list`)")
    return [checks[i] for i in ids]
