"""Run kinds as data: what a scan, a crawl (or a plugin's pass) needs from the runner.

Every kind is a `RunKind` in the `mgov.run_kinds` entry-point group, built-ins included,
so the runner has no branch per kind: it asks the kind which checks are its own, how many
channels to take at once, how to complete its limits, and how to open its collector and
saver for a run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy import Engine

from mgov.checks.base import Check
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext
from mgov.config import Settings
from mgov.errors import MgovError
from mgov.evidence.site import ChannelFacts
from mgov.registry.addresses import normalize_url
from mgov.runs.saver import ChannelSaver, Collector

GROUP = "mgov.run_kinds"


@dataclass(frozen=True)
class RunSetup:
    """What a kind gets to open its collector: the run, its channels and the open client."""

    engine: Engine
    settings: Settings
    params: dict[str, Any]
    context: CollectContext
    todo: list[tuple[int, ChannelFacts]]


Opener = Callable[[RunSetup], AbstractContextManager[tuple[Collector, ChannelSaver | None]]]
WEB_CHANNELS = frozenset({"website", "mobile_site"})


@dataclass(frozen=True)
class RunKind:
    """One pass of the runner. `evidence`: the evidence keys only this kind collects; the
    checks that need one of them are its own (the kind with none owns every other check)."""

    name: str
    opener: Opener
    concurrency: int  # channels at once by default
    evidence: frozenset[str] = field(default_factory=frozenset)
    # The run's limits completed with their defaults (and validated): stored with the run.
    limits: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # The collect layer's settings for a run of this kind, from its stored parameters.
    collect_settings: Callable[[dict[str, Any]], CollectSettings] | None = None
    # The registry's channel kinds this pass reads (web channels unless it says otherwise), and
    # how a channel's address given on the command line is written in the registry.
    channel_kinds: frozenset[str] = WEB_CHANNELS
    address: Callable[[str], str] = normalize_url

    def owns(self, check: Check) -> bool:
        return owner_of(check) is self


class RunKindLoadError(MgovError):
    """An entry point of the mgov.run_kinds group is broken."""


@cache
def all_kinds() -> dict[str, RunKind]:
    """name -> kind, loaded once per process; exactly one kind owns the checks no kind claims."""
    found: dict[str, RunKind] = {}
    for ep in entry_points(group=GROUP):
        try:
            kind = ep.load()
        except Exception as exc:
            raise RunKindLoadError(f"cannot load run kind {ep.name!r} ({ep.value}): {exc}") from exc
        if not isinstance(kind, RunKind) or kind.name != ep.name:
            raise RunKindLoadError(f"entry point {ep.name!r} ({ep.value}) is not a RunKind named {ep.name!r}")
        found[kind.name] = kind
    if sum(1 for k in found.values() if not k.evidence) != 1:
        raise RunKindLoadError("exactly one run kind must collect no evidence of its own (the default pass)")
    return found


def kind_of(name: str) -> RunKind:
    kinds = all_kinds()
    if name not in kinds:
        raise MgovError(f"unknown run kind {name!r} (known: {', '.join(sorted(kinds))})")
    return kinds[name]


def owner_of(check: Check) -> RunKind:
    """The kind whose pass collects what the check needs."""
    kinds = all_kinds().values()
    for kind in kinds:
        if kind.evidence & check.needs:
            return kind
    return next(k for k in kinds if not k.evidence)

