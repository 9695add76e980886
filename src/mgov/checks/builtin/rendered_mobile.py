"""The page on a phone, as laid out at 390 and 320 CSS px (the `layout` probe): no sideways
scrolling, tap targets big enough, text big enough, zoom not blocked."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.rendered_base import PHONES, RenderedCheck, refs, zh
from mgov.evidence.rendered import Rendering
from mgov.evidence.site import SiteEvidence

BASIS = "21st Century IDEA §3(a)(8) (mobile-friendly); WCAG 2.1/2.2 AA; 国办发〔2017〕47号 (移动端适配)"


class _Phone(RenderedCheck):
    viewports = PHONES
    probes: ClassVar[tuple[str, ...]] = ("layout",)
    basis = BASIS


def layout(page: Rendering) -> dict[str, Any]:
    return page.probes["layout"]  # type: ignore[no-any-return]  # JSON from the probe


def shrink(page: Rendering) -> float:
    """How much the phone shrinks the page to fit its screen: 1 for a page laid out to the
    device width; 390/980 for one without a viewport meta tag (laid out 980 px wide, as phone
    browsers do, then scaled down: its text and targets look that much smaller)."""
    laid = layout(page)["viewport"]["width"] or page.viewport.width
    return min(1.0, page.viewport.width / laid)


class Overflow(_Phone):
    id = "mobile.overflow"
    title_en = "No horizontal scrolling on phones"
    title_zh = "手机上无横向滚动"
    fix_en = "Lay the page out to the screen's width (320 px and up): no fixed widths wider than the viewport."
    fix_zh = "页面宽度随屏幕自适应（320 像素起），不使用超出屏幕宽度的固定宽度。"
    defaults: ClassVar[dict[str, Any]] = {"tolerance_px": 1}
    basis = BASIS + "; WCAG 1.4.10 Reflow"

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        value = {}
        wide: list[tuple[str, str]] = []
        for page in pages:
            lay = layout(page)
            width = lay.get("client_width") or lay["viewport"]["width"]
            laid = lay["viewport"]["width"]
            value[page.viewport.name] = {"width": width, "scroll_width": lay["scroll_width"], "layout_width": laid,
                                         "elements": lay.get("overflow", [])[:5]}
            if laid > page.viewport.width + params["tolerance_px"]:
                # no viewport meta: laid out for a desktop and shown shrunk, never at the screen's width
                wide.append((f"laid out {laid} px wide on a {page.viewport.width} px screen (no viewport meta tag)",
                             f"{zh(page.viewport.name)}按 {laid} 像素宽排版后缩小显示（缺少 viewport 设置）"))
            elif lay["scroll_width"] > width + params["tolerance_px"]:
                wide.append((f"scrolls sideways: {lay['scroll_width']} px wide at {page.viewport.width} px",
                             f"{zh(page.viewport.name)}页面宽 {lay['scroll_width']} 像素，出现横向滚动"))
        if wide:
            return self.finding(Status.FAIL, value,
                                message="; ".join(w[0] for w in wide), message_zh="；".join(w[1] for w in wide),
                                evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


def small_targets(lay: dict[str, Any], size: float, scale: float = 1.0) -> list[dict[str, Any]]:
    """The targets under size×size CSS px as shown (scale: the page's shrink on the screen) that
    no WCAG 2.5.8 exception covers: the spacing one (no other target within size/2 of its
    centre) and the inline one (a link in a sentence)."""
    return [t for t in lay["targets"]["small"]
            if (t["width"] * scale < size or t["height"] * scale < size) and not t.get("inline")
            and not (t.get("gap") is None or t["gap"] * scale >= size / 2)]


class TapTargets(_Phone):
    id = "mobile.tap_targets"
    title_en = "Tap targets big enough"
    title_zh = "点击目标足够大"
    fix_en = "Make links and buttons at least 24×24 CSS px (44×44 where the profile asks), or space them apart."
    fix_zh = "链接和按钮至少 24×24 像素（按指标要求 44×44），或留出足够间距。"
    defaults: ClassVar[dict[str, Any]] = {"min_size": 24, "max_listed": 20}
    basis = BASIS + "; WCAG 2.2 2.5.8 Target Size (Minimum); 2.5.5 (44×44)"

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        size = params["min_size"]
        value: dict[str, Any] = {"min_size": size}
        counts: list[tuple[str, str]] = []
        for page in pages:
            small = small_targets(layout(page), size, shrink(page))
            value[page.viewport.name] = {"targets": layout(page)["targets"]["count"], "too_small": len(small),
                                         "elements": small[:params["max_listed"]]}
            if small:
                counts.append((f"{len(small)} at {page.viewport.width} px",
                               f"{zh(page.viewport.name)} {len(small)} 个"))
        if counts:
            return self.finding(Status.FAIL, value,
                                message=f"tap targets under {size}×{size} px: " + "; ".join(c[0] for c in counts),
                                message_zh=f"小于 {size}×{size} 像素的点击目标：" + "；".join(c[1] for c in counts),
                                evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


def small_text(sizes: dict[str, int], below: float, scale: float = 1.0) -> int:
    """Characters set in a size under below as shown (sizes: size -> characters; scale: the
    page's shrink on the screen)."""
    return sum(n for s, n in sizes.items() if float(s) * scale < below)


class TextSize(_Phone):
    id = "mobile.text_size"
    title_en = "Text legible on phones"
    title_zh = "手机上文字清晰可读"
    fix_en = "Set body text at 12 CSS px or more at phone width (16 px recommended)."
    fix_zh = "手机宽度下正文字号不小于 12 像素（建议 16 像素）。"
    # Lighthouse's font-size audit passes when 60 % of the text is 12 px or more; mgov is stricter.
    defaults: ClassVar[dict[str, Any]] = {"min_px": 12, "max_share": 0.2}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        value: dict[str, Any] = {"min_px": params["min_px"]}
        statuses = []
        for page in pages:
            text = layout(page)["text"]
            tiny = small_text(text["px"], params["min_px"], shrink(page))
            share = tiny / text["chars"] if text["chars"] else 0.0
            value[page.viewport.name] = {"chars": text["chars"], "small_chars": tiny, "share": round(share, 3),
                                         "elements": text.get("small", [])[:10]}
            statuses.append(Status.FAIL if share > params["max_share"] else Status.WARN if tiny else Status.PASS)
        worst = Status.FAIL if Status.FAIL in statuses else Status.WARN if Status.WARN in statuses else Status.PASS
        if worst is Status.PASS:
            return self.finding(Status.PASS, value, evidence=refs(pages))
        shares = [(k, v["share"]) for k, v in value.items() if isinstance(v, dict)]
        en = "; ".join(f"{s:.0%} at {k}" for k, s in shares)
        in_zh = "；".join(f"{zh(k)} {s:.0%}" for k, s in shares)
        return self.finding(worst, value, message=f"text under {params['min_px']} px: {en}",
                            message_zh=f"小于 {params['min_px']} 像素的文字占比：{in_zh}", evidence=refs(pages))


_MAX_SCALE = re.compile(r"maximum-scale\s*=\s*([\d.]+)")


def zoom_blocked(content: str | None) -> str | None:
    """Why the viewport meta content stops a reader from zooming to 200 % (WCAG 1.4.4), or None."""
    low = (content or "").lower().replace(" ", "")
    if re.search(r"user-scalable=(no|0)(,|;|$)", low):
        return "user-scalable=no"
    m = _MAX_SCALE.search(low)
    if m:
        try:
            if float(m.group(1)) < 2:
                return f"maximum-scale={m.group(1)}"
        except ValueError:
            return None
    return None


class Zoom(_Phone):
    id = "mobile.zoom"
    title_en = "Zooming allowed"
    title_zh = "允许缩放"
    fix_en = "Drop user-scalable=no and any maximum-scale under 2 from the viewport meta tag."
    fix_zh = "viewport 设置中去掉 user-scalable=no 以及小于 2 的 maximum-scale。"
    basis = BASIS + "; WCAG 1.4.4 Resize Text"

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        # The meta the page ended with: scripts often write or rewrite it.
        content = layout(pages[0])["viewport"].get("meta")
        why = zoom_blocked(content)
        if why:
            return self.finding(Status.FAIL, content, message=f"the viewport blocks zooming ({why})",
                                message_zh="页面的 viewport 设置禁止缩放", evidence=refs(pages))
        return self.finding(Status.PASS, content, evidence=refs(pages))


CHECKS = (Overflow, TapTargets, TextSize, Zoom)
