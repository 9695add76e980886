"""The render pass as a run kind: the checks that need the rendered evidence, its limits
(the browser's budgets), and its collector (one browser pool for the whole run)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

from mgov.collect.browser import BrowserPool
from mgov.collect.render_settings import RenderSettings
from mgov.errors import MgovError
from mgov.evidence.rendered import DESKTOP, NARROW, PHONE, RENDERED_KEY, RENDERED_PRIVACY_KEY
from mgov.render.collector import RenderCollector
from mgov.runs.kinds import RunKind, RunSetup
from mgov.runs.saver import ChannelSaver, Collector

VIEWPORTS = {v.name: v for v in (DESKTOP, PHONE, NARROW)}


@dataclasses.dataclass(frozen=True)
class RenderLimits:
    """What a render run is given (stored with the run)."""

    viewports: tuple[str, ...] = (DESKTOP.name, PHONE.name)
    slots: int = 4  # pages rendered at once
    page_budget: float = 30.0  # seconds per page and viewport
    load_timeout: float = 15.0

    def settings(self) -> RenderSettings:
        return RenderSettings(viewports=tuple(VIEWPORTS[v] for v in self.viewports), slots=self.slots,
                              page_budget=self.page_budget, load_timeout=min(self.load_timeout, self.page_budget))


def limits_of(given: dict[str, Any]) -> RenderLimits:
    try:
        limits = RenderLimits(**{**given, "viewports": tuple(given.get("viewports") or RenderLimits.viewports)})
    except TypeError as exc:
        raise MgovError(f"render limits: {exc}") from exc
    unknown = [v for v in limits.viewports if v not in VIEWPORTS]
    if unknown or not limits.viewports:
        raise MgovError(f"render limits: viewports are {', '.join(VIEWPORTS)} (not {', '.join(unknown) or 'none'})")
    if limits.slots < 1 or limits.page_budget <= 0:
        raise MgovError("render limits: slots ≥ 1 and a positive page budget")
    return limits


def _limits(given: dict[str, Any]) -> dict[str, Any]:
    return dataclasses.asdict(limits_of(given))


@contextlib.contextmanager
def _open(setup: RunSetup) -> Iterator[tuple[Collector, ChannelSaver | None]]:
    settings = limits_of(setup.params.get("limits") or {}).settings()
    pool = BrowserPool(settings, setup.context.routing)
    try:
        yield RenderCollector(setup.context, pool), None  # findings only: the runner stores them
    finally:
        pool.close()


RENDER = RunKind(name="render", opener=_open, concurrency=4, evidence=frozenset({RENDERED_KEY, RENDERED_PRIVACY_KEY}),
                 limits=_limits)
