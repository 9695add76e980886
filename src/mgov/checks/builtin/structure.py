"""Markup a parser can build: a homepage nested deeper than browsers build is flattened before
any check reads it (evidence.budget), and this check says so."""

from __future__ import annotations

from typing import Any

from mgov.checks.base import Check, Finding, Status, ok_page
from mgov.evidence.budget import MAX_DEPTH
from mgov.evidence.site import SiteEvidence


class PageStructure(Check):
    id = "page.structure"
    title_en = "Markup within browsers' limits"
    title_zh = "页面结构在浏览器限度内"
    fix_en = (f"Close the page's elements: browsers stop nesting at {MAX_DEPTH} levels, and a template that "
              "nests without end hides content and freezes assistive technology.")
    fix_zh = f"检查页面模板，正确闭合元素：浏览器嵌套层级上限为 {MAX_DEPTH} 层，无限嵌套会导致内容错乱、辅助技术卡死。"
    needs = frozenset({"http_home", "https_home"})
    basis = "HTML Living Standard (parsing); WCAG 2.1 SC 4.1.1 Parsing; robustness of mgov's own judging"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        page = ok_page(ev.home)
        if page is None:
            return self.missing(ev.home, "the homepage", "首页")
        if page.flattened is None:
            return self.finding(Status.PASS, {"flattened": False}, evidence=page.refs)
        deep = page.flattened
        return self.finding(
            Status.WARN, {"flattened": True, "depth": deep.depth, "tags_removed": deep.removed, "url": page.url},
            message=f"the homepage nests {deep.depth} elements deep (browsers stop at {MAX_DEPTH}); "
                    f"it was judged with {deep.removed} tags past that depth taken out",
            message_zh=f"首页元素嵌套 {deep.depth} 层（浏览器上限 {MAX_DEPTH} 层），"
                       f"已去除超出部分的 {deep.removed} 个标签后判定",
            evidence=page.refs)
