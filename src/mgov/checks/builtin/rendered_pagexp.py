"""Page experience as the browser measured it: largest contentful paint, layout shift, blocking
time (Core Web Vitals thresholds, after Lighthouse and CrUX), and errors in the console."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.rendered_base import RenderedCheck, refs, worst, zh
from mgov.evidence.rendered import Rendering
from mgov.evidence.site import SiteEvidence

BASIS = "web.dev Core Web Vitals; OMB M-23-22 (performance); 21st Century IDEA §3(a)"


class _Timing(RenderedCheck):
    """Good up to `good`, needs improvement up to `poor` (warn), poor beyond (fail); judged in
    every viewport, the worst counting."""

    field: ClassVar[str]
    timed: ClassVar[bool] = True  # a duration (LCP, blocking time), not a ratio (CLS)
    unit: ClassVar[str]
    unit_zh: ClassVar[str]
    basis = BASIS

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        measured = {p.viewport.name: getattr(p.timings, self.field) for p in pages}
        known = {k: v for k, v in measured.items() if v is not None}
        value = {"good": params["good"], "poor": params["poor"], **measured}
        if not known:
            return self.finding(Status.ERROR, value, message=f"{self.field} was not measured",
                                message_zh=f"未能测得{self.title_zh}", evidence=refs(pages))
        statuses = [Status.PASS if v <= params["good"] else Status.WARN if v <= params["poor"] else Status.FAIL
                    for v in known.values()]
        status = worst(statuses)
        text = "; ".join(f"{round(v, 3)}{self.unit} at {k}" for k, v in known.items())
        text_zh = "；".join(f"{zh(k)} {round(v, 3)}{self.unit_zh}" for k, v in known.items())
        if status is Status.PASS:
            return self.finding(status, value, message=text, message_zh=text_zh, evidence=refs(pages))
        limit = params["good"] if status is Status.WARN else params["poor"]
        found = self.finding(status, value, message=f"{text} (over {limit}{self.unit})",
                             message_zh=f"{text_zh}（超过 {limit}{self.unit_zh}）", evidence=refs(pages))
        # A time the browser measured grows with the machine's load, not only the site's: a slow
        # verdict is rendered again apart before it counts (runs.confirm keeps the better one).
        found.recheck = self.timed
        return found


class Lcp(_Timing):
    id = "pagexp.lcp"
    field = "lcp_ms"
    unit = " ms"
    unit_zh = " 毫秒"
    title_en = "Largest contentful paint"
    title_zh = "最大内容绘制时间（LCP）"
    fix_en = "Show the main content within 2.5 s: smaller images, fewer render-blocking scripts, a faster server."
    fix_zh = "2.5 秒内显示主要内容：压缩图片、减少阻塞渲染的脚本、提高服务器响应速度。"
    defaults: ClassVar[dict[str, Any]] = {"good": 2500, "poor": 4000}


class Cls(_Timing):
    id = "pagexp.cls"
    field = "cls"
    timed = False
    unit = ""
    unit_zh = ""
    title_en = "Cumulative layout shift"
    title_zh = "累积布局偏移（CLS）"
    fix_en = "Reserve room for images, ads and banners (width and height) so the page does not jump while loading."
    fix_zh = "为图片、横幅等预留尺寸，避免页面加载过程中内容跳动。"
    defaults: ClassVar[dict[str, Any]] = {"good": 0.1, "poor": 0.25}


class Blocking(_Timing):
    id = "pagexp.blocking"
    field = "tbt_ms"
    unit = " ms"
    unit_zh = " 毫秒"
    title_en = "Total blocking time"
    title_zh = "总阻塞时间（TBT）"
    fix_en = "Split or defer long scripts so the page answers taps and keys while it loads."
    fix_zh = "拆分或延迟执行耗时脚本，使页面加载时仍能及时响应操作。"
    defaults: ClassVar[dict[str, Any]] = {"good": 200, "poor": 600}


class Console(RenderedCheck):
    id = "pagexp.console"
    title_en = "No errors in the browser console"
    title_zh = "浏览器控制台无错误"
    fix_en = "Fix the page's script errors and the resources it fails to load."
    fix_zh = "修正页面脚本错误和加载失败的资源。"
    basis = "Lighthouse errors-in-console; 国办发〔2017〕47号 (功能可用)"
    # Network-level failures (net::ERR_...) are mostly mgov's own isolation refusing a request
    # (a private address, an unresolvable name): not the page's error.
    defaults: ClassVar[dict[str, Any]] = {"max_errors": 0, "ignore": ["net::ERR_"], "max_listed": 20}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        errors = [{"viewport": p.viewport.name, "level": m.level, "text": m.text[:300], "url": m.url}
                  for p in pages for m in p.console
                  if m.level in ("error", "pageerror") and not any(i in m.text for i in params["ignore"])]
        uncaught = [e for e in errors if e["level"] == "pageerror"]
        value = {"errors": len(errors), "uncaught": len(uncaught), "messages": errors[:params["max_listed"]]}
        if uncaught or len(errors) > params["max_errors"]:
            return self.finding(Status.FAIL, value,
                                message=f"{len(errors)} console errors ({len(uncaught)} uncaught exceptions)",
                                message_zh=f"控制台错误 {len(errors)} 条（未捕获异常 {len(uncaught)} 条）",
                                evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


CHECKS = (Lcp, Cls, Blocking, Console)
