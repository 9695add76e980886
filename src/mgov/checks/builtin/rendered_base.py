"""What every check on rendered pages shares: finding the renderings it judges, the probe
results in them, and the error when they are missing."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from mgov.checks.base import Check, Finding, Status
from mgov.evidence.exchange import WarcRef
from mgov.evidence.rendered import DESKTOP, NARROW, PHONE, RENDERED_KEY, Rendering
from mgov.evidence.site import SiteEvidence

PHONES = (PHONE.name, NARROW.name)  # the phone widths, 390 and 320 CSS px
VIEWPORT_ZH = {DESKTOP.name: "桌面端", PHONE.name: "手机（390 像素）", NARROW.name: "手机（320 像素）"}


def zh(viewport: str) -> str:
    """A viewport's name for a Chinese message."""
    return VIEWPORT_ZH.get(viewport, viewport)


class RenderedCheck(Check):
    """A check on what a browser rendered. Subclasses judge the usable renderings of the
    viewports they name (None: every viewport) and read their probes."""

    needs = frozenset({RENDERED_KEY})
    viewports: ClassVar[tuple[str, ...] | None] = None
    probes: ClassVar[tuple[str, ...]] = ()  # the probes whose results every judged rendering must carry

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        rendered = ev.rendered
        if rendered is None or not rendered.pages:
            return self.finding(Status.ERROR, message="the page was not rendered", message_zh="页面未经浏览器渲染")
        pages = [p for p in rendered.pages if self.viewports is None or p.viewport.name in self.viewports]
        if not pages:
            wanted = ", ".join(self.viewports or ())
            return self.finding(Status.ERROR, message=f"no rendering at {wanted}",
                                message_zh=f"缺少{'、'.join(zh(v) for v in self.viewports or ())}的渲染结果")
        usable = [p for p in pages if p.ok]
        if not usable:
            p = pages[0]
            return self.finding(Status.ERROR, {"status": p.status.value, "error": p.error},
                                message=f"the page could not be rendered: {p.status.value}"
                                + (f" ({p.error})" if p.error else ""),
                                message_zh=f"页面渲染失败：{p.status.value}", evidence=refs(pages))
        for probe in self.probes:
            missing = [p for p in usable if not isinstance(p.probes.get(probe), dict)]
            if missing:
                why = missing[0].probe_errors.get(probe, "not run")
                return self.finding(Status.ERROR, {"probe": probe, "error": why},
                                    message=f"the {probe} probe gave nothing ({missing[0].viewport.name}): {why}",
                                    message_zh=f"页面检测脚本未返回结果（{zh(missing[0].viewport.name)}）",
                                    evidence=refs(usable))
        return self.judge(usable, ev, params)

    @abstractmethod
    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        """The verdict on the usable renderings (at least one)."""


def refs(pages: list[Rendering]) -> list[WarcRef]:
    """The screenshots and DOM snapshots of the renderings: what a finding points at."""
    return [r for p in pages for r in (p.screenshot, p.dom_ref) if r is not None]


def worst(statuses: list[Status]) -> Status:
    """fail over warn over pass; not_applicable only when nothing else."""
    for s in (Status.FAIL, Status.WARN, Status.PASS):
        if s in statuses:
            return s
    return Status.NOT_APPLICABLE
