"""IPv6, the www twin, and the domain name itself."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Check, Finding, Status
from mgov.checks.html import host_of
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import SiteEvidence


class Ipv6(Check):
    id = "ipv6"
    title_en = "Reachable over IPv6"
    title_zh = "支持 IPv6 访问"
    fix_en = "Publish an AAAA record and serve the site on IPv6."
    fix_zh = "添加 AAAA 记录，并通过 IPv6 提供网站服务。"
    needs = frozenset({"dns", "ipv6_home"})
    basis = "推进IPv6规模部署行动计划 (2017); OMB M-21-07"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        dns = ev.dns
        if dns is None or dns.error is not None:
            return self.finding(Status.ERROR, message="the host does not resolve", message_zh="域名无法解析",
                                scan_status=dns.error if dns else None)
        dns_refs = [dns.ref] if dns.ref else []
        if not dns.aaaa and "AAAA" in dns.unresolved:  # the question went unanswered: not the site's fault
            return self.finding(Status.ERROR, message="no DNS server answered for the AAAA record",
                                message_zh="DNS 服务器未应答 AAAA 记录查询", scan_status=ScanStatus.DNS_UNRESOLVED,
                                evidence=dns_refs)
        if not dns.aaaa:
            return self.finding(Status.FAIL, {"aaaa": []}, message="no AAAA record", message_zh="没有 AAAA 记录",
                                evidence=dns_refs)
        fetch = ev.ipv6_home
        if fetch is None or not fetch.ok:
            status = fetch.status if fetch else None
            return self.finding(Status.FAIL, {"aaaa": dns.aaaa, "error": status.value if status else None},
                                message="AAAA present but the homepage does not answer over IPv6",
                                message_zh="有 AAAA 记录，但首页无法通过 IPv6 访问",
                                evidence=dns_refs + (fetch.refs if fetch else []), scan_status=status)
        return self.finding(Status.PASS, {"aaaa": dns.aaaa, "status": fetch.final.status if fetch.final else None},
                            evidence=dns_refs + fetch.refs)


class WwwConsistency(Check):
    id = "www.consistency"
    title_en = "www and bare domain lead to the same site"
    title_zh = "带 www 与不带 www 的域名指向同一网站"
    fix_en = "Make the www and bare host both resolve and redirect to the one canonical address."
    fix_zh = "确保带 www 与不带 www 的域名都能解析，并跳转到同一规范地址。"
    needs = frozenset({"www_dns", "www_home", "https_home", "http_home"})
    basis = "21st Century IDEA §3(a)(3); 国办发〔2017〕47号 域名规范"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        twin_dns, twin = ev.www_dns, ev.www_home
        if twin_dns is None:
            return self.missing(None, "the www twin", "www 域名")
        value: dict[str, Any] = {"twin": twin_dns.name}
        if twin_dns.error is not None or not (twin_dns.a or twin_dns.aaaa or twin_dns.cname):
            return self.finding(Status.FAIL, value, message=f"{twin_dns.name} does not resolve",
                                message_zh=f"{twin_dns.name} 无法解析", evidence=[twin_dns.ref] if twin_dns.ref else [])
        home = ev.home
        if twin is None or not twin.ok or home is None or not home.ok:
            status = twin.status if twin else None
            return self.finding(Status.FAIL, {**value, "error": status.value if status else None},
                                message=f"{twin_dns.name} does not answer", message_zh=f"{twin_dns.name} 无法访问",
                                evidence=twin.refs if twin else [], scan_status=status)
        value["final"] = twin.final_url
        if host_of(twin.final_url or "") == host_of(home.final_url or ""):
            return self.finding(Status.PASS, value, evidence=twin.refs)
        return self.finding(Status.FAIL, value, message=f"{twin_dns.name} ends at {twin.final_url}, not the site",
                            message_zh=f"{twin_dns.name} 未指向本网站", evidence=twin.refs)


class DomainNaming(Check):
    id = "domain.naming"
    title_en = "Official government domain"
    title_zh = "使用政府网站域名"
    fix_en = "Move the site to a .gov.cn (or .政务) domain in China, a .gov or .mil domain in the US."
    fix_zh = "政府网站应使用 .gov.cn（或 .政务）域名。"
    needs = frozenset()
    jurisdictions = frozenset({"cn", "us"})
    defaults: ClassVar[dict[str, Any]] = {"suffixes": {"cn": [".gov.cn", ".xn--zfr164b"], "us": [".gov", ".mil"]}}
    basis = "国办发〔2017〕47号: 政府网站要使用以.gov.cn为后缀的英文域名; DOTGOV Act 2020, OMB M-23-10"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        host = ev.channel.host.lower().rstrip(".")
        suffixes = params["suffixes"].get(ev.channel.jurisdiction, [])
        if any(host.endswith(s) for s in suffixes):
            return self.finding(Status.PASS, {"host": host})
        return self.finding(Status.FAIL, {"host": host, "expected": suffixes},
                            message=f"{host} is not under {' or '.join(suffixes)}",
                            message_zh=f"{host} 不是政府网站域名（{'、'.join(suffixes)}）")
