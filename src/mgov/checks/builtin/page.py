"""The homepage as a page: mobile, title, language, search, required links, weight."""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any, ClassVar

from mgov.checks.base import Check, Finding, Status, ok_page, waf_block
from mgov.checks.builtin import required_links
from mgov.checks.html import Page, page_of, redirect_stub
from mgov.evidence.exchange import Exchange
from mgov.evidence.site import SiteEvidence


class _PageCheck(Check):
    needs = frozenset({"http_home", "https_home"})

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        ex = ok_page(ev.home)
        page = page_of(ex) if ex is not None else None
        if ex is None or page is None:
            fetch = ev.home
            if fetch is not None and fetch.ok and waf_block(fetch.final) is None:
                return self.finding(Status.ERROR, message="the homepage is not an HTML page",
                                    message_zh="首页不是 HTML 页面", evidence=fetch.refs)
            return self.missing(fetch, "the homepage", "首页")
        if (target := redirect_stub(page)) is not None:
            return self.finding(Status.ERROR, {"forwards_to": target},
                                message=f"the homepage only forwards to {target} (meta refresh or script)",
                                message_zh=f"首页仅跳转至 {target}（meta refresh 或脚本跳转）", evidence=ex.refs)
        return self.judge(page, ex, ev, params)

    @abstractmethod
    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        """The verdict on the parsed homepage."""


class MobileViewport(_PageCheck):
    id = "mobile.viewport"
    title_en = "Mobile-friendly viewport"
    title_zh = "适配移动端（viewport）"
    fix_en = 'Add <meta name="viewport" content="width=device-width, initial-scale=1"> and allow zooming.'
    fix_zh = '添加 <meta name="viewport" content="width=device-width, initial-scale=1">，且不禁止缩放。'
    basis = "21st Century IDEA §3(a)(8); 国办发〔2017〕47号 (移动端适配)"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        content = page.meta("viewport")
        if not content:
            return self.finding(Status.FAIL, None, message="no viewport meta tag", message_zh="缺少 viewport 设置",
                                evidence=ex.refs)
        low = content.replace(" ", "").lower()
        if "width=device-width" not in low:
            return self.finding(Status.FAIL, content, message="viewport does not follow the device width",
                                message_zh="viewport 未按设备宽度设置", evidence=ex.refs)
        if "user-scalable=no" in low or "user-scalable=0" in low or re.search(r"maximum-scale=1(\.0*)?(,|$)", low):
            return self.finding(Status.WARN, content, message="viewport forbids zooming",
                                message_zh="viewport 禁止缩放", evidence=ex.refs)
        return self.finding(Status.PASS, content, evidence=ex.refs)


class PageTitle(_PageCheck):
    id = "page.title"
    title_en = "Page has a title"
    title_zh = "页面有标题"
    fix_en = "Give the homepage a descriptive <title>."
    fix_zh = "为首页设置描述性的 <title>。"
    defaults: ClassVar[dict[str, Any]] = {"min_length": 4}
    basis = "Federal Website Standards: html-page-title; 国办发〔2017〕47号 网页标签"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        if not page.title:
            return self.finding(Status.FAIL, None, message="no <title>", message_zh="缺少页面标题", evidence=ex.refs)
        if len(page.title) < params["min_length"]:
            return self.finding(Status.WARN, page.title, message="title is very short", message_zh="标题过短",
                                evidence=ex.refs)
        return self.finding(Status.PASS, page.title, evidence=ex.refs)


_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class HtmlLang(_PageCheck):
    id = "html.lang"
    title_en = "Page language declared"
    title_zh = "声明页面语言"
    fix_en = 'Declare the language: <html lang="zh-CN"> or <html lang="en">.'
    fix_zh = '声明页面语言，如 <html lang="zh-CN">。'
    basis = "WCAG 2.0 SC 3.1.1; GB/T 37668-2019"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        if page.lang and _LANG.match(page.lang):
            return self.finding(Status.PASS, page.lang, evidence=ex.refs)
        return self.finding(Status.FAIL, page.lang, message="no valid lang attribute on <html>",
                            message_zh="<html> 未声明有效的 lang 属性", evidence=ex.refs)


class Search(_PageCheck):
    id = "search"
    title_en = "Site search"
    title_zh = "站内搜索"
    fix_en = "Offer a search box on the homepage (a form with role=search or an input of type search)."
    fix_zh = "在首页提供站内搜索框。"
    basis = "21st Century IDEA §3(a)(4); 2019 检查指标 功能设计 (站内搜索)"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        forms = [f for f in page.forms if "search" in (f["role"] + f["action"] + f["id"] + f["class"]).lower()
                 or "sousuo" in f["action"].lower()]
        if page.search_inputs or forms:
            return self.finding(Status.PASS, {"forms": len(forms), "inputs": page.search_inputs}, evidence=ex.refs)
        return self.finding(Status.FAIL, None, message="no search form on the homepage",
                            message_zh="首页没有站内搜索", evidence=ex.refs)


# name -> (pattern for the link text, pattern for the link's path); required_links.find also
# knows the wordings agencies use for each name, in longer link texts. The host never counts.
REQUIRED_LINKS = {
    "us": {"privacy": (r"privacy", r"/privacy"), "contact": (r"^contact", r"/contact"),
           "about": (r"^about", r"/about(-?us)?(/|\.html?$|$)"),
           "accessibility": (r"accessibility|section ?508", r"/accessibility|/508"),
           "foia": (r"^foia$|freedom of information", r"/foia(/|\.html?$|$)")},
    "cn": {"网站地图": (r"网站地图|站点地图", r"/(sitemap|wzdt)(/|\.html?$|$)"),
           "联系我们": (r"联系我们", r"/(contact|lxwm)"),
           "关于我们": (r"关于我们|网站介绍|关于本网", r"/(about|gywm)(us)?(/|\.html?$|$)"),
           "隐私政策": (r"隐私", r"/(privacy|yszc)")},
}
MAX_LINK_TEXT = required_links.SHORT


class LinksRequired(_PageCheck):
    id = "links.required"
    title_en = "Required links on the homepage"
    title_zh = "首页必备链接"
    fix_en = "Link the required pages from the homepage (privacy, contact, about, accessibility, FOIA...)."
    fix_zh = "在首页提供必备链接（网站地图、联系我们等）。"
    defaults: ClassVar[dict[str, Any]] = {"links": REQUIRED_LINKS}
    basis = "OMB M-17-06 §16; 国办发〔2017〕47号 页面底部功能区"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        wanted: dict[str, Any] = params["links"].get(ev.channel.jurisdiction or "", {})
        if not wanted:
            return self.finding(Status.NOT_APPLICABLE, message="no required links for this jurisdiction",
                                message_zh="该辖区无必备链接要求")
        found, missing = {}, []
        for name, (text_rx, path_rx) in wanted.items():
            hit = required_links.find(page.links, name, text_rx, path_rx)
            if hit:
                found[name] = hit.href
            else:
                missing.append(name)
        value = {"found": found, "missing": missing}
        if missing:
            return self.finding(Status.FAIL, value, message="missing links: " + ", ".join(missing),
                                message_zh="缺少链接：" + "、".join(missing), evidence=ex.refs)
        return self.finding(Status.PASS, value, evidence=ex.refs)


class PageWeight(_PageCheck):
    id = "page.weight"
    title_en = "Homepage weight"
    title_zh = "首页体积"
    fix_en = "Compress and resize images, and drop unused scripts, to keep the homepage light."
    fix_zh = "压缩图片、精简脚本，控制首页体积。"
    needs = frozenset({"http_home", "https_home", "resources"})
    defaults: ClassVar[dict[str, Any]] = {"warn_bytes": 3 * 1024 * 1024, "fail_bytes": 5 * 1024 * 1024}
    basis = "OMB M-23-22 (performance); 适老化通用设计规范"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        sizes = [_size(ex)] + [_size(r) for r in ev.resources if r.status is not None]
        total = sum(sizes)
        value = {"bytes": total, "resources": len(sizes) - 1,
                 "truncated": any(r.truncated for r in [ex, *ev.resources])}
        refs = [*ex.refs, *(ref for r in ev.resources for ref in r.refs)]
        if value["truncated"]:
            value["lower_bound"] = True  # a body stopped at the cap: the page weighs at least this
        if total >= params["fail_bytes"]:
            return self.finding(Status.FAIL, value, message=f"homepage weighs {total / 1048576:.1f} MiB",
                                message_zh=f"首页体积 {total / 1048576:.1f} MiB", evidence=refs)
        if total >= params["warn_bytes"] or value["truncated"]:
            return self.finding(Status.WARN, value, message=f"homepage weighs {total / 1048576:.1f} MiB",
                                message_zh=f"首页体积 {total / 1048576:.1f} MiB", evidence=refs)
        return self.finding(Status.PASS, value, evidence=refs)


def _size(ex: Exchange) -> int:
    """Bytes on the wire: Content-Length when the body was encoded or cut short, else the body."""
    declared = ex.header("content-length")
    if declared and declared.isdigit() and (ex.truncated or ex.header("content-encoding")
                                            or int(declared) > len(ex.body)):
        return int(declared)
    return len(ex.body)
