"""适老化 (国办公开办函〔2021〕28号; MIIT 互联网网站适老化通用设计规范): an entry to the elderly
or accessible version, no pop-up or floating ads, and the 适老版's text and target sizes, as
the `aging` and `layout` probes saw the rendered page."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.rendered_base import RenderedCheck, refs, zh
from mgov.checks.builtin.rendered_mobile import small_text
from mgov.evidence.rendered import Rendering
from mgov.evidence.site import SiteEvidence

BASIS = "国办公开办函〔2021〕28号; 工信部 互联网网站适老化通用设计规范; GB/T 37668-2019"


class _Aging(RenderedCheck):
    jurisdictions = frozenset({"cn"})
    probes: ClassVar[tuple[str, ...]] = ("aging",)
    basis = BASIS


def aging(page: Rendering) -> dict[str, Any]:
    return page.probes["aging"]  # type: ignore[no-any-return]  # JSON from the probe


class Entry(_Aging):
    id = "aging.entry"
    title_en = "Entry to the elderly / accessible version"
    title_zh = "适老版（长者模式）或无障碍入口"
    fix_en = "Put a visible entry to the 适老版 (长者模式) or the accessibility toolbar (无障碍) on the homepage."
    fix_zh = "在首页显著位置提供适老版（长者模式）或无障碍浏览工具入口。"

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        entries = [dict(e, viewport=p.viewport.name) for p in pages for e in aging(p)["entries"]]
        toolbars = sorted({u for p in pages for u in aging(p).get("toolbars", [])})
        value = {"entries": entries[:10], "toolbars": toolbars}
        if any(aging(p).get("aging_version") for p in pages):
            return self.finding(Status.PASS, value, message="the page is itself an elderly version",
                                message_zh="本页即适老版", evidence=refs(pages))
        if not entries and not toolbars:
            return self.finding(Status.FAIL, value, message="no entry to an elderly or accessible version",
                                message_zh="未提供适老版或无障碍入口", evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


def ads(page: Rendering, min_share: float) -> list[dict[str, Any]]:
    """Floating boxes that look like ads or pop-ups: with an image, frame or close control, and
    covering at least min_share of the viewport."""
    return [f for f in aging(page)["floating"] if (f.get("media") or f.get("close")) and f["share"] >= min_share]


class Popups(_Aging):
    id = "aging.popups"
    title_en = "No pop-up or floating ads"
    title_zh = "无弹窗和漂浮广告"
    fix_en = "Remove pop-ups and floating boxes (ads, notices) that cover the page; put notices in the page."
    fix_zh = "去除遮挡页面的弹窗和漂浮窗（广告、通知等），通知类内容放在页面正文中。"
    # A back-to-top button or a chat badge covers about 1 % of a phone screen; an ad far more.
    defaults: ClassVar[dict[str, Any]] = {"min_share": 0.02}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        found = {p.viewport.name: ads(p, params["min_share"]) for p in pages}
        value = {k: v for k, v in found.items() if v}
        if value:
            listed = sorted({f["selector"] for v in value.values() for f in v})
            return self.finding(Status.FAIL, value, message="floating or pop-up boxes: " + ", ".join(listed),
                                message_zh=f"存在漂浮窗或弹窗 {len(listed)} 处", evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


class Sizes(_Aging):
    id = "aging.sizes"
    title_en = "Elderly version: large text and targets"
    title_zh = "适老版字号和点击区域"
    fix_en = "In the 适老版, set text at 18 pt or more and make links and buttons at least 60×60 px."
    fix_zh = "适老版正文字号不小于 18 磅，链接和按钮点击区域不小于 60×60 像素。"
    probes = ("aging", "layout")
    # Judged on a page that calls itself an 适老版 (or on every page with always = true).
    defaults: ClassVar[dict[str, Any]] = {"min_pt": 18, "min_target": 60, "max_share": 0.1, "always": False}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        if not params["always"] and not any(aging(p).get("aging_version") for p in pages):
            return self.finding(Status.NOT_APPLICABLE, message="the page is not an elderly version",
                                message_zh="本页不是适老版", evidence=refs(pages))
        value: dict[str, Any] = {"min_pt": params["min_pt"], "min_target": params["min_target"]}
        problems: list[tuple[str, str]] = []
        for page in pages:
            text = aging(page)["text"]
            tiny = small_text(text["pt"], params["min_pt"])
            share = tiny / text["chars"] if text["chars"] else 0.0
            size = params["min_target"]
            targets = [t for t in page.probes["layout"]["targets"]["small"]
                       if (t["width"] < size or t["height"] < size) and not t.get("inline")]
            value[page.viewport.name] = {"small_text_share": round(share, 3), "small_targets": len(targets),
                                         "targets": targets[:10]}
            if share > params["max_share"]:
                problems.append((f"{share:.0%} of the text under {params['min_pt']} pt at {page.viewport.name}",
                                 f"{zh(page.viewport.name)} {share:.0%} 的文字小于 {params['min_pt']} 磅"))
            if targets:
                problems.append((f"{len(targets)} targets under {size}×{size} px at {page.viewport.name}",
                                 f"{zh(page.viewport.name)} {len(targets)} 个点击目标小于 {size}×{size} 像素"))
        if problems:
            return self.finding(Status.FAIL, value, message="; ".join(p[0] for p in problems),
                                message_zh="；".join(p[1] for p in problems), evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


CHECKS = (Entry, Popups, Sizes)
