"""The checks on rendered pages, on hand-built renderings: each fails on the defect it is for,
passes without it, and says error when the rendering or its probe is missing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mgov.checks.base import Status
from mgov.checks.builtin import rendered_a11y as a11y
from mgov.checks.builtin import rendered_aging as aging
from mgov.checks.builtin import rendered_facts as facts
from mgov.checks.builtin import rendered_mobile as mobile
from mgov.checks.builtin import rendered_pagexp as pagexp
from mgov.evidence.exchange import WarcRef
from mgov.evidence.rendered import NARROW, ConsoleMessage, PageRequest, PageTimings, RenderStatus
from rendered_evidence import evidence_of, phone, rendering

SHOT = WarcRef("mgov-1.warc.gz", 10, 100)


def rule(rid: str, outcome: str, sc: list[str], act: list[str] | None = None, nodes: int = 0) -> dict[str, Any]:
    tags = ["wcag2a", *("wcag" + s.replace(".", "") for s in sc)] if sc else ["best-practice"]
    return {"id": rid, "tags": tags, "sc": sc, "actIds": act or [], "impact": None, "outcome": outcome, "count": nodes,
            "nodes": [{"selector": f"#e{i}", "html": f"<img id=e{i}>"} for i in range(nodes)]}


CLEAN_AXE = {"version": "4.14.1", "rules": [
    rule("image-alt", "passed", ["1.1.1"], ["23a2a8"]), rule("color-contrast", "passed", ["1.4.3"], ["afw4f7"]),
    rule("label", "inapplicable", ["4.1.2"], ["e086e5"]), rule("link-name", "passed", ["2.4.4", "4.1.2"]),
    rule("html-has-lang", "passed", ["3.1.1"], ["b5c3f8"]), rule("region", "passed", []),
    rule("aria-allowed-attr", "passed", ["4.1.2"]), rule("scrollable-region-focusable", "inapplicable", ["2.1.1"]),
    rule("select-name", "passed", ["4.1.2"])]}
NO_TRAP = {"focusables": 5, "steps": 5, "reached_end": True, "prevented": 0, "trap": None, "path": []}


def layout(scroll: int = 390, width: int = 390, meta: str | None = "width=device-width, initial-scale=1",
           small: list[dict[str, Any]] | None = None, px: dict[str, int] | None = None) -> dict[str, Any]:
    return {"viewport": {"width": width, "height": 844, "meta": meta}, "scroll_width": scroll, "client_width": width,
            "overflow": [] if scroll <= width else [{"selector": ".wide", "left": 0, "right": scroll, "width": scroll}],
            "targets": {"count": 10, "small": small or []},
            "text": {"chars": sum((px or {"16": 100}).values()), "px": px or {"16": 100}, "small": []}}


AGING = {"aging_version": False, "entries": [{"selector": "#old", "tag": "a", "text": "长者模式", "href": "/old"}],
         "toolbars": [], "floating": [], "text": {"chars": 100, "pt": {"12": 100}}}


def probes(**over: Any) -> dict[str, Any]:
    return {"axe": CLEAN_AXE, "keyboard": NO_TRAP, "layout": layout(), "aging": AGING, **over}


def pages(**over: Any) -> list[Any]:
    return [rendering(probes=probes(**over), screenshot=SHOT), phone(probes=probes(**over))]


def run(check: type, renderings: list[Any], params: dict[str, Any] | None = None, **kw: Any) -> Any:
    return check().run(evidence_of(renderings, **kw), params)


def test_every_rendered_check_errs_without_a_rendering_and_passes_a_clean_page() -> None:
    for check in (*a11y.CHECKS, *mobile.CHECKS, *aging.CHECKS, pagexp.Console, facts.Trackers):
        assert run(check, []).status is Status.ERROR, check.id
        broken = [rendering(status=RenderStatus.CRASHED, error="renderer died"), phone(status=RenderStatus.TIMEOUT)]
        assert run(check, broken).status is Status.ERROR, check.id
        finding = run(check, pages())
        assert finding.status in (Status.PASS, Status.NOT_APPLICABLE), (check.id, finding.message)


def test_a_missing_probe_is_an_error_that_says_why() -> None:
    page = phone(probes={"axe": CLEAN_AXE}, probe_errors={"layout": "Error: boom"})
    finding = run(mobile.Overflow, [page])
    assert finding.status is Status.ERROR and "boom" in finding.message
    assert run(a11y.Keyboard, [rendering(probes={"axe": CLEAN_AXE})]).status is Status.ERROR


def test_a11y_family_lists_every_rule_with_sc_act_ids_and_outcome_per_viewport() -> None:
    failing = {"version": "4.14.1", "rules": [*CLEAN_AXE["rules"][1:], rule("image-alt", "failed", ["1.1.1"],
                                                                           ["23a2a8"], nodes=3)]}
    renderings = [rendering(probes=probes()), phone(probes=probes(axe=failing))]  # fails on the phone only
    finding = run(a11y.Images, renderings)
    assert finding.status is Status.FAIL and finding.value["failed"] == ["image-alt"]
    image = finding.value["rules"][0]
    assert image == {"id": "image-alt", "sc": ["1.1.1"], "act": ["23a2a8"], "outcome": "failed", "binding": True,
                     "viewports": {"desktop": "passed", "phone": "failed"},
                     "nodes": [{"selector": f"#e{i}", "html": f"<img id=e{i}>", "viewport": "phone"} for i in range(3)]}
    # every rule run lands in exactly one family
    ids = [r["id"] for check in a11y.CHECKS for r in run(check, pages()).value["rules"]]
    assert sorted(ids) == sorted([r["id"] for r in CLEAN_AXE["rules"]] + ["keyboard-trap"])
    assert run(a11y.Names, pages()).value["rules"][0]["id"] in {"aria-allowed-attr", "link-name"}


def test_a11y_incomplete_only_warns_and_nothing_to_judge_is_not_applicable() -> None:
    unsure = {"version": "4.14.1", "rules": [rule("color-contrast", "incomplete", ["1.4.3"], nodes=1)]}
    assert run(a11y.Contrast, pages(axe=unsure)).status is Status.WARN
    assert run(a11y.Forms, pages()).status is Status.PASS  # select-name passed
    bare = {"version": "4.14.1", "rules": [rule("label", "inapplicable", ["4.1.2"])]}
    assert run(a11y.Forms, pages(axe=bare)).status is Status.NOT_APPLICABLE


def test_best_practices_and_levels_outside_the_profile_only_warn() -> None:
    region = {"version": "4.14.1", "rules": [rule("region", "failed", [], nodes=2), rule("html-has-lang", "passed",
                                                                                       ["3.1.1"])]}
    finding = run(a11y.Structure, pages(axe=region))
    assert finding.status is Status.WARN and finding.value["advisory"] == ["region"] and finding.value["failed"] == []
    size = {"version": "4.14.1", "rules": [{**rule("target-size", "failed", ["2.5.8"], nodes=1),
                                            "tags": ["wcag22aa", "wcag258"]}]}
    assert run(a11y.Structure, pages(axe=size)).status is Status.FAIL
    wcag21 = {"levels": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
    assert run(a11y.Structure, pages(axe=size), wcag21).status is Status.WARN


def test_keyboard_trap_fails_the_keyboard_family() -> None:
    trap = {**NO_TRAP, "reached_end": False, "trap": {"at": "#t1", "cycle": ["#t1", "#t2"], "how": "tab_prevented"}}
    finding = run(a11y.Keyboard, pages(keyboard=trap))
    assert finding.status is Status.FAIL and finding.value["failed"] == ["keyboard-trap"]
    assert finding.value["rules"][0]["act"] == ["a1b64e"] and finding.value["rules"][0]["sc"] == ["2.1.2"]
    assert finding.evidence == [SHOT]


def test_overflow_at_either_phone_width() -> None:
    narrow = phone(probes=probes(layout=layout(scroll=320, width=320)))
    narrow.viewport = NARROW
    wide = rendering(probes=probes(layout=layout(scroll=1366, width=1366)))
    assert run(mobile.Overflow, [wide]).status is Status.ERROR  # no phone rendering: judged on none
    assert run(mobile.Overflow, [wide, phone(probes=probes()), narrow]).status is Status.PASS
    narrow.probes = probes(layout=layout(scroll=400, width=320))
    finding = run(mobile.Overflow, [phone(probes=probes()), narrow])
    assert finding.status is Status.FAIL and finding.message == "scrolls sideways: 400 px wide at 320 px"
    assert finding.message_zh == "手机（320 像素）页面宽 400 像素，出现横向滚动"
    assert finding.value["phone320"]["elements"][0]["selector"] == ".wide"


def test_a_page_laid_out_for_a_desktop_fails_on_a_phone() -> None:
    desktop_laid = layout(scroll=980, width=980, meta=None, px={"16": 100}, small=[target(40, 40, 30.0)])
    finding = run(mobile.Overflow, [phone(probes=probes(layout=desktop_laid))])
    assert finding.status is Status.FAIL and finding.value["phone"]["layout_width"] == 980
    assert finding.message_zh == "手机（390 像素）按 980 像素宽排版后缩小显示（缺少 viewport 设置）"
    # 16 px shown at 390/980 of its size: 6.4 px; a 40 px target: 16 px
    assert run(mobile.TextSize, [phone(probes=probes(layout=desktop_laid))]).status is Status.FAIL
    assert run(mobile.TapTargets, [phone(probes=probes(layout=desktop_laid))]).status is Status.FAIL
    fitted = layout(px={"16": 100}, small=[target(40, 40, 30.0)])
    assert run(mobile.TapTargets, [phone(probes=probes(layout=fitted))]).status is Status.PASS


def target(w: float, h: float, gap: float | None, inline: bool = False) -> dict[str, Any]:
    return {"selector": "a", "tag": "a", "text": "x", "width": w, "height": h, "gap": gap, "inline": inline}


def test_tap_targets_with_wcag_258_exceptions_and_a_profile_threshold() -> None:
    crowded = [target(16, 16, 4.0)]
    assert run(mobile.TapTargets, pages(layout=layout(small=crowded))).status is Status.FAIL
    spaced = [target(16, 16, 14.0), target(10, 10, 3.0, inline=True), target(30, 30, 2.0)]
    assert run(mobile.TapTargets, pages(layout=layout(small=spaced))).status is Status.PASS
    finding = run(mobile.TapTargets, pages(layout=layout(small=spaced)), {"min_size": 44})
    assert finding.status is Status.FAIL and finding.value["phone"]["too_small"] == 2


def test_text_size_share_under_12px() -> None:
    assert run(mobile.TextSize, pages(layout=layout(px={"9": 50, "16": 50}))).status is Status.FAIL
    assert run(mobile.TextSize, pages(layout=layout(px={"11.5": 5, "16": 95}))).status is Status.WARN
    assert run(mobile.TextSize, pages(layout=layout(px={"12": 5, "16": 95}))).status is Status.PASS


@pytest.mark.parametrize(("meta", "status"), [
    ("width=device-width, user-scalable=no", Status.FAIL), ("width=device-width,user-scalable=0", Status.FAIL),
    ("width=device-width, maximum-scale=1.0", Status.FAIL), ("width=device-width, maximum-scale=3", Status.PASS),
    ("width=device-width, initial-scale=1", Status.PASS), (None, Status.PASS)])
def test_zoom(meta: str | None, status: Status) -> None:
    assert run(mobile.Zoom, pages(layout=layout(meta=meta))).status is status


def test_aging_entry_toolbar_or_aging_version() -> None:
    assert run(aging.Entry, pages()).status is Status.PASS
    none = {**AGING, "entries": []}
    assert run(aging.Entry, pages(aging=none)).status is Status.FAIL
    assert run(aging.Entry, pages(aging={**none, "toolbars": ["https://x.gov.cn/wza/aria.js"]})).status is Status.PASS
    assert run(aging.Entry, pages(aging=none), jurisdiction="us").status is Status.NOT_APPLICABLE


def test_aging_popups_fail_on_floating_ads_not_on_small_buttons() -> None:
    ad = {"selector": "#ad", "position": "fixed", "x": 0, "y": 0, "width": 300, "height": 250, "share": 0.23,
          "media": True, "close": True, "text": "×"}
    top = {**ad, "selector": "#top", "width": 40, "height": 40, "share": 0.005, "close": False}
    notice = {**ad, "selector": "#notice", "media": False, "close": False}  # a cookie bar: no image, no close
    finding = run(aging.Popups, pages(aging={**AGING, "floating": [ad, top]}))
    assert finding.status is Status.FAIL and "#ad" in finding.message and "#top" not in finding.message
    assert run(aging.Popups, pages(aging={**AGING, "floating": [top, notice]})).status is Status.PASS


def test_aging_sizes_on_an_elderly_version() -> None:
    assert run(aging.Sizes, pages()).status is Status.NOT_APPLICABLE
    elder = {**AGING, "aging_version": True, "text": {"chars": 100, "pt": {"18": 95, "12": 5}}}
    assert run(aging.Sizes, pages(aging=elder)).status is Status.PASS
    small = {**elder, "text": {"chars": 100, "pt": {"18": 50, "12": 50}}}
    assert run(aging.Sizes, pages(aging=small)).status is Status.FAIL
    finding = run(aging.Sizes, pages(aging=elder, layout=layout(small=[target(48, 48, 30.0)])))
    assert finding.status is Status.FAIL and finding.value["phone"]["small_targets"] == 1
    assert run(aging.Sizes, pages(aging=elder, layout=layout(small=[target(48, 48, 30.0)])),
               {"min_target": 44}).status is Status.PASS


@pytest.mark.parametrize(("check", "field", "good", "warn", "fail"), [
    (pagexp.Lcp, "lcp_ms", 1800.0, 3000.0, 5200.0), (pagexp.Cls, "cls", 0.02, 0.2, 0.4),
    (pagexp.Blocking, "tbt_ms", 50.0, 400.0, 900.0)])
def test_page_experience_thresholds(check: type, field: str, good: float, warn: float, fail: float) -> None:
    for value, status in ((good, Status.PASS), (warn, Status.WARN), (fail, Status.FAIL)):
        renderings = [rendering(timings=PageTimings(**{field: good})), phone(timings=PageTimings(**{field: value}))]
        found = run(check, renderings)
        assert found.status is status
        # A slow time is rendered again before it counts (a busy machine slows the browser too);
        # a layout shift is no time.
        assert found.recheck is (status is not Status.PASS and field != "cls")
    assert run(check, [rendering()]).status is Status.ERROR  # not measured
    assert run(check, [rendering(timings=PageTimings(**{field: warn}))], {"good": fail, "poor": fail * 2}).status \
        is Status.PASS


def test_console_errors() -> None:
    refused = ConsoleMessage("error", "Failed to load resource: net::ERR_NAME_NOT_RESOLVED")
    assert run(pagexp.Console, [rendering(console=[refused, ConsoleMessage("warning", "old API")])]).status \
        is Status.PASS
    broken = [ConsoleMessage("pageerror", "TypeError: $ is not a function", "https://www.example.gov.cn/a.js")]
    finding = run(pagexp.Console, [rendering(console=broken)])
    assert finding.status is Status.FAIL and finding.value["uncaught"] == 1
    missing = ConsoleMessage("error", "Failed to load resource: the server responded with a status of 404")
    assert run(pagexp.Console, [rendering(console=[missing])]).status is Status.FAIL
    assert run(pagexp.Console, [rendering(console=[missing])], {"max_errors": 1}).status is Status.PASS


def dom(footer: str, head: str = "") -> str:
    return f"<html><head>{head}<title>示例</title></head><body><main>正文</main><footer>{footer}</footer></body></html>"


JS_FOOTER = ('<p>网站标识码：５２０１０００００１ 黔ICP备 12003456号-1</p><p>贵公网安备：52010202000123号</p>'
             '<script id="_jiucuo_" sitecode="5201000001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>')


def test_identity_counts_a_footer_only_scripts_built() -> None:
    static = dom('<script src="/js/footer.js"></script>')
    finding = run(facts.Identity, [rendering(dom=dom(JS_FOOTER))], static_html=static, site_code="5201000001")
    assert finding.status is Status.PASS, finding.message
    assert finding.value["script_built"] == ["icp", "jiucuo", "psb", "site_code"]
    assert finding.value["psb"] == {"text": "贵公网安备:52010202000123号", "province": "贵", "number": "52010202000123"}
    assert finding.value["jiucuo"]["site_code"] == "5201000001"
    # the same facts in the bytes: nothing is script-built
    again = run(facts.Identity, [rendering(dom=dom(JS_FOOTER))], static_html=dom(JS_FOOTER))
    assert again.status is Status.PASS and again.value["script_built"] == []


def test_identity_reads_the_desktop_rendering_first() -> None:
    folded = dom("<p>更多</p>")  # a phone layout that folds the footer away
    finding = run(facts.Identity, [phone(dom=folded), rendering(dom=dom(JS_FOOTER))])
    assert finding.status is Status.PASS and finding.value["viewport"] == "desktop"


def test_identity_failures() -> None:
    no_entry = JS_FOOTER.split("<script")[0]
    finding = run(facts.Identity, [rendering(dom=dom(no_entry))])
    assert finding.status is Status.FAIL and finding.message == "no 找错 entry" and finding.message_zh == "缺少找错入口"
    wrong_province = JS_FOOTER.replace("贵公网安备", "川公网安备")
    assert "公网安备" in run(facts.Identity, [rendering(dom=dom(wrong_province))]).message
    other_code = run(facts.Identity, [rendering(dom=dom(JS_FOOTER))], site_code="5201000002")
    assert other_code.status is Status.FAIL and "registry" in other_code.message
    assert run(facts.Identity, [rendering(dom=dom(""))]).message.count("no ") == 4
    assert run(facts.Identity, [rendering(dom=dom(JS_FOOTER))], jurisdiction="us").status is Status.NOT_APPLICABLE
    assert run(facts.Identity, [rendering()]).status is Status.ERROR  # no DOM


def test_identity_self_hosted_script_and_an_entry_seen_only_as_a_request() -> None:
    local = JS_FOOTER.replace("https://zfwzgl.www.gov.cn/exposure/jiucuo.js", "/js/jiucuo.js")
    finding = run(facts.Identity, [rendering(dom=dom(local))])
    assert finding.status is Status.PASS and finding.value["jiucuo"]["url"] == "https://www.example.gov.cn/js/jiucuo.js"
    # the script removed itself from the DOM after it ran: its request still shows it
    gone = JS_FOOTER.split("<script")[0]
    request = PageRequest("https://zfwzgl.www.gov.cn/exposure/jiucuo.js", "script", third_party=True, by_script=True)
    finding = run(facts.Identity, [rendering(dom=dom(gone), requests=[request])])
    assert finding.status is Status.PASS and finding.value["jiucuo"]["form"] == "request"
    # ICP and 公网安备 with spaces, full-width colons and other province forms
    forms = "<p>网站标识码 bm52000001</p><p>ICP备案号：黔ICP备 12003456号</p><p>黔公网安备 52010202000123号</p>"
    forms += '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=bm52000001">找错</a>'
    assert run(facts.Identity, [rendering(dom=dom(forms))]).status is Status.PASS


def test_trackers_loaded_only_by_script() -> None:
    own = PageRequest("https://www.example.gov.cn/js/app.js", "script")
    gtm = PageRequest("https://www.googletagmanager.com/gtm.js?id=GTM-X", "script", third_party=True)
    baidu = PageRequest("https://hm.baidu.com/hm.js?abc", "script", third_party=True, by_script=True)
    finding = run(facts.Trackers, [rendering(requests=[own, gtm, baidu])])
    assert finding.status is Status.FAIL and finding.value["commercial"] == ["baidu_tongji"]
    assert finding.value["script_only"] == ["baidu_tongji"] and "by script only" in finding.message
    assert finding.value["script_third_parties"] == ["hm.baidu.com"]
    cnzz = PageRequest("https://s4.cnzz.com/z_stat.php?id=1", "script", third_party=True)  # in the server's HTML
    both = run(facts.Trackers, [rendering(requests=[baidu, cnzz])])
    assert both.value["commercial"] == ["baidu_tongji", "cnzz"] and both.value["script_only"] == ["baidu_tongji"]
    assert run(facts.Trackers, [rendering(requests=[own])]).status is Status.PASS
    assert run(facts.Trackers, [rendering(requests=[baidu])], {"commercial": "warn"}).status is Status.WARN
    dap = PageRequest("https://dap.digitalgov.gov/Universal-Federated-Analytics-Min.js", "script", third_party=True)
    ga = PageRequest("https://www.google-analytics.com/g/collect?v=2", "fetch", third_party=True, by_script=True)
    assert run(facts.Trackers, [rendering(requests=[dap, ga])], jurisdiction="us").status is Status.PASS
    missing = run(facts.Trackers, [rendering(requests=[own])], {"required": ["dap"]}, jurisdiction="us")
    assert missing.status is Status.FAIL and missing.value["missing"] == ["dap"]


def test_chinese_messages_name_viewports_and_rules_in_chinese() -> None:
    failing = {"version": "4.14.1", "rules": [rule("image-alt", "failed", ["1.1.1"], nodes=1),
                                              rule("region", "failed", [], nodes=1)]}
    ad = {"selector": "#ad", "position": "fixed", "x": 0, "y": 0, "width": 300, "height": 250, "share": 0.23,
          "media": True, "close": True, "text": "×"}
    elder = {**AGING, "aging_version": True, "floating": [ad], "text": {"chars": 10, "pt": {"9": 10}}}
    bad = pages(axe=failing, aging=elder, layout=layout(scroll=900, meta="user-scalable=no", px={"9": 90, "16": 10},
                                                       small=[target(10, 10, 2.0)]))
    for check in (a11y.Images, a11y.Structure, *mobile.CHECKS, aging.Popups, aging.Sizes):
        finding = run(check, bad)
        assert finding.status in (Status.FAIL, Status.WARN), check.id
        # ("viewport" is a term of the zh titles: mobile.viewport's)
        said = finding.message_zh
        assert not re.search(r"[A-Za-z]{3,}", said.replace("viewport", "")), (check.id, said)
    # one element in each of the two viewports
    assert run(a11y.Images, bad).message_zh == "未通过的规则 1 条（成功准则 1.1.1），涉及 2 个元素"
    slow = run(pagexp.Lcp, [phone(timings=PageTimings(lcp_ms=5000.0))])
    assert slow.message_zh == "手机（390 像素） 5000.0 毫秒（超过 4000 毫秒）"
    assert run(mobile.Overflow, [rendering()]).message_zh == "缺少手机（390 像素）、手机（320 像素）的渲染结果"
