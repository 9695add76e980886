"""Accessibility of the rendered page (WCAG 2.1/2.2 A and AA): axe-core's rules run in the page
by the `axe` probe, one finding per rule family, and mgov's own keyboard-trap walk (the
`keyboard` probe) in the keyboard family. Every rule run is listed with its success criteria,
its W3C ACT rule ids and its outcome in each viewport."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.rendered_base import RenderedCheck, refs
from mgov.evidence.rendered import Rendering
from mgov.evidence.site import SiteEvidence

# axe rules by family; a rule not named here goes by its success criteria (SC_FAMILY), and
# failing that to "structure", so that every rule run is reported by exactly one family.
RULE_FAMILY = {
    **dict.fromkeys(("image-alt", "input-image-alt", "area-alt", "object-alt", "role-img-alt", "svg-img-alt",
                     "image-redundant-alt", "server-side-image-map", "video-caption", "audio-caption"), "images"),
    **dict.fromkeys(("color-contrast", "color-contrast-enhanced", "link-in-text-block"), "contrast"),
    **dict.fromkeys(("label", "select-name", "autocomplete-valid", "form-field-multiple-labels", "label-title-only",
                     "label-content-name-mismatch", "input-button-name"), "forms"),
    **dict.fromkeys(("scrollable-region-focusable", "tabindex", "accesskeys", "focus-order-semantics",
                     "frame-focusable-content", "nested-interactive", "skip-link", "bypass", "keyboard-trap"),
                    "keyboard"),
    **dict.fromkeys(("link-name", "button-name", "frame-title", "frame-title-unique", "summary-name",
                     "identical-links-same-purpose", "presentation-role-conflict"), "names"),
}
SC_FAMILY = {"1.1.1": "images", "1.4.3": "contrast", "1.4.11": "contrast", "2.1.1": "keyboard", "2.1.2": "keyboard",
             "2.4.3": "keyboard", "2.4.1": "keyboard", "3.3.2": "forms", "1.3.5": "forms", "4.1.2": "names",
             "2.4.4": "names"}
LEVELS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
ORDER = ("failed", "incomplete", "passed", "inapplicable")  # worst first
# mgov's own rule, from the keyboard probe: W3C ACT "Focusable element has no keyboard trap via
# standard navigation" (a1b64e), WCAG 2.1.2.
TRAP_RULE = {"id": "keyboard-trap", "tags": ["wcag2a", "wcag212"], "sc": ["2.1.2"], "actIds": ["a1b64e"]}


def family_of(rule: dict[str, Any]) -> str:
    rid = rule["id"]
    if rid in RULE_FAMILY:
        return RULE_FAMILY[rid]
    if rid.startswith("aria-"):
        return "names"
    return next((SC_FAMILY[sc] for sc in rule.get("sc", []) if sc in SC_FAMILY), "structure")


def trap_rule(keyboard: dict[str, Any]) -> dict[str, Any]:
    """The keyboard probe's walk as a rule result."""
    trap = keyboard.get("trap")
    if trap:
        nodes = [{"selector": s, "html": ""} for s in trap.get("cycle", [])]
        return {**TRAP_RULE, "outcome": "failed", "count": len(nodes), "nodes": nodes, "how": trap.get("how")}
    outcome = "passed" if keyboard.get("focusables") else "inapplicable"
    return {**TRAP_RULE, "outcome": outcome, "count": 0, "nodes": []}


def rules_of(page: Rendering) -> list[dict[str, Any]]:
    rules = list((page.probes.get("axe") or {}).get("rules", []))
    if isinstance(page.probes.get("keyboard"), dict):
        rules.append(trap_rule(page.probes["keyboard"]))
    return rules


class _A11yFamily(RenderedCheck):
    family: ClassVar[str]
    probes: ClassVar[tuple[str, ...]] = ("axe",)
    basis = "WCAG 2.1/2.2 AA (Section 508; GB/T 37668-2019); axe-core rules, W3C ACT rules"
    # A failed rule fails the finding when it belongs to one of these conformance levels (axe's
    # tags); a failed best practice (or a WCAG 2.2 rule under a 2.1 profile) is a warning.
    defaults: ClassVar[dict[str, Any]] = {"max_nodes": 20, "levels": list(LEVELS)}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        merged: dict[str, dict[str, Any]] = {}
        levels = set(params["levels"])
        for page in pages:
            for rule in rules_of(page):
                if family_of(rule) != self.family:
                    continue
                entry = merged.setdefault(rule["id"], {"id": rule["id"], "sc": rule.get("sc", []),
                                                      "act": rule.get("actIds", []), "outcome": "inapplicable",
                                                      "binding": bool(set(rule.get("tags", [])) & levels),
                                                      "viewports": {}, "nodes": []})
                outcome = rule.get("outcome", "inapplicable")
                entry["viewports"][page.viewport.name] = outcome
                if ORDER.index(outcome) < ORDER.index(entry["outcome"]):
                    entry["outcome"] = outcome
                if outcome in ("failed", "incomplete"):
                    room = params["max_nodes"] - len(entry["nodes"])
                    entry["nodes"] += [{**n, "viewport": page.viewport.name} for n in rule.get("nodes", [])[:room]]
        rules = sorted(merged.values(), key=lambda r: (ORDER.index(r["outcome"]), r["id"]))
        failed = [r["id"] for r in rules if r["outcome"] == "failed" and r["binding"]]
        advisory = [r["id"] for r in rules if r["outcome"] == "failed" and not r["binding"]]
        incomplete = [r["id"] for r in rules if r["outcome"] == "incomplete"]
        version = next((p.probes["axe"].get("version") for p in pages if p.probes.get("axe")), None)
        value = {"axe": version, "failed": failed, "advisory": advisory, "incomplete": incomplete, "rules": rules}
        if failed:
            count = sum(len(r["nodes"]) for r in rules if r["id"] in failed)
            scs = "、".join(_scs(rules, failed)) or "—"
            return self.finding(Status.FAIL, value, message=f"failed: {', '.join(failed)} ({count} elements)",
                                message_zh=f"未通过的规则 {len(failed)} 条（成功准则 {scs}），涉及 {count} 个元素",
                                evidence=refs(pages))
        if advisory or incomplete:
            parts = [(f"best practices failed: {', '.join(advisory)}",
                      f"未符合的最佳实践或其他级别规则 {len(advisory)} 条")] if advisory else []
            if incomplete:
                parts.append((f"needs review: {', '.join(incomplete)}", f"需人工复核的规则 {len(incomplete)} 条"))
            return self.finding(Status.WARN, value, message="; ".join(p[0] for p in parts),
                                message_zh="；".join(p[1] for p in parts), evidence=refs(pages))
        if not any(r["outcome"] == "passed" for r in rules):
            return self.finding(Status.NOT_APPLICABLE, value, message="nothing on the page these rules apply to",
                                message_zh="页面上没有这些规则适用的内容", evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


def _scs(rules: list[dict[str, Any]], ids: list[str]) -> list[str]:
    """The WCAG success criteria of those rules, in order."""
    return sorted({sc for r in rules if r["id"] in ids for sc in r["sc"]},
                  key=lambda sc: tuple(int(n) for n in sc.split(".") if n.isdigit()))


class Images(_A11yFamily):
    id = "a11y.images"
    family = "images"
    title_en = "Text alternatives for images and media"
    title_zh = "图片和多媒体的替代文本"
    fix_en = "Give every informative image an alt text (alt=\"\" for decoration), and media captions."
    fix_zh = "为有信息的图片提供 alt 替代文本（装饰性图片 alt=\"\"），为音视频提供字幕。"


class Contrast(_A11yFamily):
    id = "a11y.contrast"
    family = "contrast"
    title_en = "Text contrast"
    title_zh = "文字对比度"
    fix_en = "Give text a contrast ratio of at least 4.5:1 with its background (3:1 for large text)."
    fix_zh = "文字与背景的对比度至少为 4.5:1（大号文字 3:1）。"


class Forms(_A11yFamily):
    id = "a11y.forms"
    family = "forms"
    title_en = "Form fields have labels"
    title_zh = "表单控件有标签"
    fix_en = "Label every form field (<label for>, aria-label or aria-labelledby); a placeholder is not a label."
    fix_zh = "为每个表单控件提供标签（<label for>、aria-label 或 aria-labelledby），占位文字不能代替标签。"


class Keyboard(_A11yFamily):
    id = "a11y.keyboard"
    family = "keyboard"
    probes = ("axe", "keyboard")
    title_en = "Keyboard access without traps"
    title_zh = "键盘可操作，无键盘陷阱"
    fix_en = "Let Tab move through every control and out of every widget; make scrollable regions focusable."
    fix_zh = "确保使用 Tab 键可以依次到达并离开每个控件，不设键盘陷阱；可滚动区域可获得焦点。"


class Names(_A11yFamily):
    id = "a11y.names"
    family = "names"
    title_en = "Links, buttons and widgets have accessible names"
    title_zh = "链接、按钮和控件有可访问名称"
    fix_en = "Give every link, button, frame and ARIA widget a name that says what it does; use ARIA roles correctly."
    fix_zh = "为每个链接、按钮、框架和 ARIA 控件提供说明其用途的名称，正确使用 ARIA 角色和属性。"


class Structure(_A11yFamily):
    id = "a11y.structure"
    family = "structure"
    title_en = "Page language, title, headings and landmarks"
    title_zh = "页面语言、标题、标题层级和区域标记"
    fix_en = "Declare the page language, give it a title, nest headings in order and mark header, nav, main, footer."
    fix_zh = "声明页面语言，设置页面标题，按层级使用标题，并标记页头、导航、主体和页脚区域。"


CHECKS = (Images, Contrast, Forms, Keyboard, Names, Structure)
