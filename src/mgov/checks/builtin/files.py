"""Well-known files and error handling: robots.txt, sitemap.xml, security.txt, real 404s."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any
from xml.etree import ElementTree

from mgov.checks.base import Check, Finding, Status, ok_page
from mgov.evidence.exchange import Fetch
from mgov.evidence.site import SiteEvidence


class _FileCheck(Check):
    what: str
    what_zh: str

    @abstractmethod
    def fetch(self, ev: SiteEvidence) -> Fetch | None:
        """The file's fetch in the evidence (its key in needs)."""

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        fetch = self.fetch(ev)
        if fetch is None or not fetch.ok:
            return self.missing(fetch, self.what, self.what_zh)
        ex = ok_page(fetch)
        if ex is None:
            status = fetch.final.status if fetch.final else None
            return self.finding(Status.FAIL, {"status": status}, message=f"{self.what} answers HTTP {status}",
                                message_zh=f"{self.what_zh}返回 HTTP {status}", evidence=fetch.refs)
        problem = self.validate(ex.text if ex.text is not None else ex.body.decode("utf-8", "replace"))
        if problem:
            return self.finding(Status.FAIL, {"status": ex.status}, message=f"{self.what}: {problem[0]}",
                                message_zh=f"{self.what_zh}：{problem[1]}", evidence=fetch.refs)
        return self.finding(Status.PASS, {"status": ex.status, "url": ex.url}, evidence=fetch.refs)

    def validate(self, text: str) -> tuple[str, str] | None:
        return None


class Robots(_FileCheck):
    id = "robots"
    what, what_zh = "/robots.txt", "/robots.txt"
    title_en = "robots.txt"
    title_zh = "robots.txt 文件"
    fix_en = "Publish /robots.txt (with a Sitemap: line)."
    fix_zh = "提供 /robots.txt 文件（含 Sitemap: 行）。"
    needs = frozenset({"robots"})
    basis = "Federal Website Standards (discoverability); RFC 9309"

    def fetch(self, ev: SiteEvidence) -> Fetch | None:
        return ev.robots

    def validate(self, text: str) -> tuple[str, str] | None:
        if "<html" in text[:500].lower():
            return "an HTML page, not robots rules", "返回的是网页而非 robots 规则"
        return None


class Sitemap(_FileCheck):
    id = "sitemap"
    what, what_zh = "/sitemap.xml", "/sitemap.xml"
    title_en = "sitemap.xml"
    title_zh = "sitemap.xml 文件"
    fix_en = "Publish /sitemap.xml listing the site's pages."
    fix_zh = "提供列出网站页面的 /sitemap.xml。"
    needs = frozenset({"sitemap"})
    basis = "Federal Website Standards (discoverability); sitemaps.org"

    def fetch(self, ev: SiteEvidence) -> Fetch | None:
        return ev.sitemap

    def validate(self, text: str) -> tuple[str, str] | None:
        try:
            root = ElementTree.fromstring(text.encode("utf-8"))  # noqa: S314 - capped size, no entities resolved
        except ElementTree.ParseError as exc:
            return f"not XML ({exc})", "不是有效的 XML"
        if not root.tag.endswith(("urlset", "sitemapindex")):
            return f"root element is {root.tag}", "根元素不是 urlset 或 sitemapindex"
        return None


class SecurityTxt(_FileCheck):
    id = "security_txt"
    what, what_zh = "/.well-known/security.txt", "/.well-known/security.txt"
    title_en = "security.txt"
    title_zh = "security.txt 漏洞报告联系方式"
    fix_en = "Publish /.well-known/security.txt with Contact: and Expires: (RFC 9116)."
    fix_zh = "提供 /.well-known/security.txt（含 Contact: 与 Expires:，RFC 9116）。"
    needs = frozenset({"security_txt"})
    basis = "RFC 9116; BOD 20-01 (vulnerability disclosure)"

    def fetch(self, ev: SiteEvidence) -> Fetch | None:
        return ev.security_txt

    def validate(self, text: str) -> tuple[str, str] | None:
        fields = {line.split(":", 1)[0].strip().lower() for line in text.splitlines() if ":" in line}
        if "contact" not in fields:
            return "no Contact: field", "缺少 Contact: 字段"
        return None


class NotFound(Check):
    id = "not_found"
    title_en = "Missing pages answer 404"
    title_zh = "不存在的页面返回 404"
    fix_en = "Answer unknown paths with HTTP 404 (a friendly page is fine), not 200 or a redirect home."
    fix_zh = "对不存在的页面返回 HTTP 404（可配友好提示页），不要返回 200 或跳转首页。"
    needs = frozenset({"not_found"})
    basis = "2019 检查指标 (404 页面); HTTP semantics (RFC 9110)"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        fetch = ev.not_found
        if fetch is None or not fetch.ok or fetch.final is None:
            return self.missing(fetch, "a missing page", "不存在的页面")
        status = fetch.final.status
        value = {"url": fetch.start_url, "status": status, "final": fetch.final_url}
        if status in (404, 410):
            return self.finding(Status.PASS, value, evidence=fetch.refs)
        return self.finding(Status.FAIL, value, message=f"a missing page answers HTTP {status} (soft 404)",
                            message_zh=f"不存在的页面返回 HTTP {status}（软 404）", evidence=fetch.refs)
