"""The list endpoints' filters, checked in one place: a value outside its vocabulary
(`kind=websit`) is refused with 422 naming the valid choices, never answered with an empty
list that reads as "nothing there"."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from mgov.act import disputes, inspections, tasks
from mgov.checks.base import Status
from mgov.checks.plugins import all_checks
from mgov.errors import InvalidValue
from mgov.registry import vocab


def _tiers() -> list[str]:
    return list(dict.fromkeys(tier for tiers in vocab.TIERS.values() for tier in tiers))


# Each filter's vocabulary, by name; read when a request is checked, not at import.
VOCABULARIES: dict[str, Callable[[], Iterable[str]]] = {
    "channel_kind": lambda: vocab.CHANNEL_KINDS,
    "channel_status": lambda: vocab.CHANNEL_STATUSES,
    "tier": _tiers,
    "role": lambda: vocab.ROLES,
    "finding_status": lambda: [s.value for s in Status],
    "check": lambda: all_checks(),
    "task_status": lambda: tasks.STATUSES,
    "dispute_status": lambda: disputes.STATUSES,
    "inspection_status": lambda: inspections.STATUSES,
    "verdict": lambda: ("pass", "fail", "not_assessed"),
    "run_kind": lambda: ("scan", "crawl"),
    "report_format": lambda: ("pdf", "xlsx", "csv", "html"),
}


def choices(vocabulary: str) -> list[str]:
    return list(VOCABULARIES[vocabulary]())


def check(**filters: tuple[str, str | None]) -> None:
    """check(kind=("channel_kind", kind), ...): raise InvalidValue (422) for the first query
    parameter whose value is given and not in its vocabulary."""
    for param, (vocabulary, value) in filters.items():
        if value is None:
            continue
        allowed = choices(vocabulary)
        if value not in allowed:
            raise InvalidValue(f"unknown {param} {value!r} (choose from: {', '.join(allowed)})")
