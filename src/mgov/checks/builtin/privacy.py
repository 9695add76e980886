"""What the homepage loads and sets: analytics, third parties, cookies, mixed content, headers."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any, ClassVar
from urllib.parse import urlsplit

from mgov.checks.base import Check, Finding, Status
from mgov.checks.builtin.page import _PageCheck
from mgov.checks.html import Page, host_of, site_of
from mgov.evidence.exchange import Exchange
from mgov.evidence.site import SiteEvidence

# Service -> patterns seen in script URLs or inline code.
ANALYTICS = {
    "dap": (r"dap\.digitalgov\.gov", r"Universal-Federated-Analytics"),
    "google_analytics": (r"googletagmanager\.com/gtag", r"google-analytics\.com", r"gtag\(\s*['\"]config"),
    "baidu_tongji": (r"hm\.baidu\.com/hm\.js",),
    "cnzz": (r"cnzz\.com", r"umeng\.com"),
    "51la": (r"js\.users\.51\.la", r"51\.la/"),
    "facebook_pixel": (r"connect\.facebook\.net", r"fbq\(\s*['\"]init"),
}
GOVERNMENT_ANALYTICS = {"dap"}
GOV_SUFFIXES = (".gov", ".mil", ".gov.cn", ".xn--zfr164b")


def detected_analytics(page: Page) -> list[str]:
    haystack = "\n".join([u for _, u in page.subresources] + page.inline_scripts)
    return sorted(name for name, pats in ANALYTICS.items() if any(re.search(p, haystack, re.I) for p in pats))


class Analytics(_PageCheck):
    id = "analytics"
    title_en = "Web analytics"
    title_zh = "网站统计"
    fix_en = "Use the government analytics service (DAP in the US federal government); drop commercial trackers."
    fix_zh = "使用政府网站统计服务，不使用商业统计和跟踪代码。"
    defaults: ClassVar[dict[str, Any]] = {"required": [], "commercial": "warn"}
    basis = "OMB M-17-06 / M-23-22 (DAP); 个人信息保护法 (第三方统计的告知与同意)"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        found = detected_analytics(page)
        commercial = [f for f in found if f not in GOVERNMENT_ANALYTICS]
        missing = [r for r in params["required"] if r not in found]
        value = {"services": found, "commercial": commercial, "missing": missing}
        if missing:
            return self.finding(Status.FAIL, value, message="required analytics missing: " + ", ".join(missing),
                                message_zh="缺少规定的统计服务：" + "、".join(missing), evidence=ex.refs)
        if commercial:
            return self.finding(Status(params["commercial"]), value,
                                message="commercial analytics: " + ", ".join(commercial),
                                message_zh="使用商业统计：" + "、".join(commercial), evidence=ex.refs)
        return self.finding(Status.PASS, value, evidence=ex.refs)


def _is_government(host: str) -> bool:
    return host.endswith(GOV_SUFFIXES)


class ThirdParty(_PageCheck):
    id = "third_party"
    title_en = "Third-party resources"
    title_zh = "第三方资源"
    fix_en = "Host scripts, fonts and images yourself or on government services; disclose any third party."
    fix_zh = "脚本、字体、图片等资源应自行托管或使用政务云服务，并披露第三方。"
    defaults: ClassVar[dict[str, Any]] = {"max_hosts": 20, "non_government": "warn"}
    basis = "OMB M-03-22, M-10-22; GSA Site Scanning third-party services"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        own = site_of(ev.channel.host)
        hosts = sorted({h for _, u in page.subresources if (h := host_of(u)) and site_of(h) != own})
        outside = [h for h in hosts if not _is_government(h)]
        value = {"hosts": hosts, "non_government": outside}
        if len(hosts) > params["max_hosts"]:
            return self.finding(Status.WARN, value, message=f"{len(hosts)} third-party hosts",
                                message_zh=f"加载了 {len(hosts)} 个第三方域名的资源", evidence=ex.refs)
        if outside:
            return self.finding(Status(params["non_government"]), value,
                                message="non-government third parties: " + ", ".join(outside),
                                message_zh="加载了非政府第三方资源：" + "、".join(outside), evidence=ex.refs)
        return self.finding(Status.PASS, value, evidence=ex.refs)


class Cookies(_PageCheck):
    id = "cookies"
    title_en = "Cookies on first visit"
    title_zh = "首次访问设置的 Cookie"
    fix_en = "Set no third-party cookies; ask before setting tracking cookies and disclose them in the privacy policy."
    fix_zh = "不设置第三方 Cookie；跟踪类 Cookie 须事先告知并征得同意。"
    needs = frozenset({"http_home", "https_home", "resources"})
    basis = "OMB M-10-22; 个人信息保护法 第十三、十七条"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        # First party: the registered host and the host the homepage ended on (a moved site).
        own = {site_of(ev.channel.host), site_of(host_of(ex.url))}
        home = ev.home
        exchanges = [*(home.exchanges if home else []), *ev.resources]
        cookies = []
        refs = []
        for x in exchanges:
            for raw in x.header_all("set-cookie"):
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(raw)
                except Exception:  # noqa: BLE001 - a malformed cookie is still a cookie
                    jar = SimpleCookie()
                name = next(iter(jar), raw.split("=", 1)[0].strip())
                domain = (jar[name]["domain"] if name in jar else "") or host_of(x.url)
                setter = host_of(x.url)
                foreign = site_of(domain.lstrip(".")) not in own or site_of(setter) not in own
                cookies.append({"name": name, "host": setter, "domain": domain, "third_party": foreign})
                refs += x.refs
        third = [c for c in cookies if c["third_party"]]
        value = {"cookies": cookies, "third_party": len(third)}
        if third:
            listed = [f"{c['name']}@{c['host']}" for c in third]
            return self.finding(Status.FAIL, value, message="third-party cookies: " + ", ".join(listed),
                                message_zh="设置了第三方 Cookie：" + "、".join(listed), evidence=refs)
        return self.finding(Status.PASS, value, evidence=refs or ex.refs)


class MixedContent(_PageCheck):
    id = "mixed_content"
    title_en = "No mixed content"
    title_zh = "无混合内容"
    fix_en = "Load every script, style, image and frame of an HTTPS page over HTTPS."
    fix_zh = "HTTPS 页面中的脚本、样式、图片和框架均应通过 HTTPS 加载。"
    basis = "W3C Mixed Content; OMB M-15-13"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        if urlsplit(ex.url).scheme != "https":
            return self.finding(Status.NOT_APPLICABLE, message="the homepage is not served over HTTPS",
                                message_zh="首页未使用 HTTPS")
        insecure = sorted({f"{tag} {u}" for tag, u in page.subresources if u.lower().startswith("http://")})
        if insecure:
            return self.finding(Status.FAIL, insecure, message=f"{len(insecure)} resources over http://",
                                message_zh=f"{len(insecure)} 个资源通过 http:// 加载", evidence=ex.refs)
        return self.finding(Status.PASS, [], evidence=ex.refs)


class SecurityHeaders(Check):
    id = "security_headers"
    title_en = "Security headers"
    title_zh = "安全响应头"
    fix_en = ("Send Content-Security-Policy, X-Content-Type-Options: nosniff, frame-ancestors or X-Frame-Options, "
              "and Referrer-Policy.")
    fix_zh = ("返回 Content-Security-Policy、X-Content-Type-Options: nosniff、frame-ancestors 或 X-Frame-Options、"
              "Referrer-Policy 等安全响应头。")
    needs = frozenset({"http_home", "https_home"})
    basis = "OWASP Secure Headers; 网络安全等级保护 (GB/T 22239-2019)"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        fetch = ev.home
        if fetch is None or not fetch.ok or fetch.final is None:
            return self.missing(fetch, "the homepage", "首页")
        final = fetch.final
        csp = final.header("content-security-policy") or ""
        present = {
            "content-security-policy": bool(csp),
            "x-content-type-options": (final.header("x-content-type-options") or "").lower() == "nosniff",
            "frame-ancestors": "frame-ancestors" in csp.lower() or bool(final.header("x-frame-options")),
            "referrer-policy": bool(final.header("referrer-policy")),
        }
        missing = [k for k, ok in present.items() if not ok]
        if missing:
            return self.finding(Status.FAIL, {"missing": missing}, message="missing: " + ", ".join(missing),
                                message_zh="缺少：" + "、".join(missing), evidence=fetch.refs)
        return self.finding(Status.PASS, {"missing": []}, evidence=fetch.refs)
