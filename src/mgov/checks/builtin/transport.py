"""Availability, HTTPS, HSTS and TLS."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from typing import Any, ClassVar
from urllib.parse import urlsplit

from mgov.checks.base import LAG_UNTRUSTED_MS, Check, Finding, Status, ok_page, waf_block
from mgov.evidence.exchange import ScanStatus, TlsFacts
from mgov.evidence.site import SiteEvidence


class Availability(Check):
    id = "availability"
    title_en = "Homepage answers"
    title_zh = "首页可访问"
    fix_en = "Make the homepage answer 200 quickly over HTTPS; check the server, its capacity and upstream network."
    fix_zh = "确保首页通过 HTTPS 快速返回 200；检查服务器、负载能力和网络链路。"
    needs = frozenset({"http_home", "https_home"})
    defaults: ClassVar[dict[str, Any]] = {"slow_ms": 2000}
    basis = "国办秘函〔2019〕19号 单项否决: 站点无法访问; 21st Century IDEA"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        fetch = ev.home
        if fetch is None or not fetch.ok or fetch.final is None:
            status = fetch.status if fetch else None
            return self.finding(Status.FAIL, {"status": None, "error": status.value if status else None},
                                message=f"the homepage did not answer ({status.value if status else 'not fetched'})",
                                message_zh="首页无法访问", evidence=fetch.refs if fetch else [],
                                scan_status=status)
        final = fetch.final
        if waf_block(final) is not None:
            return self.missing(fetch, "the homepage", "首页")
        elapsed = sum(ex.elapsed_ms or 0 for ex in fetch.exchanges)
        lag = sum(ex.lag_ms or 0 for ex in fetch.exchanges)
        value = {"status": final.status, "elapsed_ms": round(elapsed), "url": final.url}
        if final.status is None or final.status >= 400:
            return self.finding(Status.FAIL, value, message=f"the homepage answers HTTP {final.status}",
                                message_zh=f"首页返回 HTTP {final.status}", evidence=fetch.refs)
        if elapsed > params["slow_ms"]:
            slow = self.finding(Status.WARN, value, message=f"the homepage took {elapsed:.0f} ms",
                                message_zh=f"首页响应耗时 {elapsed:.0f} 毫秒", evidence=fetch.refs)
            slow.recheck = True  # a slow moment is not a slow site: timed again, apart, before it counts
            slow.unconfirmed = Status.PASS  # slow once, on a re-check after a failure: answered, not slow
            return slow
        if lag > LAG_UNTRUSTED_MS:  # said with the time: it was taken while mgov's own loop ran late
            value["lag_ms"] = round(lag)
        passed = self.finding(Status.PASS, value, evidence=fetch.refs)
        # The time is taken less the stalls of mgov's own loop (at most): one that counted as
        # slow before that correction is timed again, apart, before it passes.
        passed.recheck = elapsed + lag > params["slow_ms"]
        return passed


class HttpsAvailable(Check):
    id = "https.available"
    title_en = "Served over HTTPS"
    title_zh = "支持 HTTPS 访问"
    fix_en = "Serve the site over HTTPS with a certificate for its host name."
    fix_zh = "为网站部署 HTTPS，证书须包含网站域名。"
    needs = frozenset({"https_home"})
    basis = "OMB M-15-13; BOD 18-01; 国办发〔2017〕47号 安全防护 (best practice in China)"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        fetch = ev.https_home
        if fetch is None:
            return self.missing(fetch, "the HTTPS homepage", "HTTPS 首页")
        if fetch.ok and fetch.final is not None:
            code, plain = fetch.final.status or 0, ok_page(ev.http_home)
            # An error page over HTTPS while HTTP serves the site: HTTPS does not serve it.
            if code >= 400 and plain is not None:
                return self.finding(Status.FAIL, {"url": fetch.final_url, "status": code},
                                    message=f"HTTPS answers {code} while HTTP serves the site",
                                    message_zh=f"HTTPS 返回 {code}，网站仅能通过 HTTP 访问", evidence=fetch.refs)
            return self.finding(Status.PASS, {"url": fetch.final_url, "status": code}, evidence=fetch.refs)
        status = fetch.status
        return self.finding(Status.FAIL, {"error": status.value if status else None},
                            message=f"no HTTPS answer ({status.value if status else 'unknown'})",
                            message_zh="无法通过 HTTPS 访问", evidence=fetch.refs, scan_status=status)


class HttpsRedirect(Check):
    id = "https.redirect"
    title_en = "HTTP redirects to HTTPS"
    title_zh = "HTTP 跳转至 HTTPS"
    fix_en = "Answer every http:// request with a 301 to the same path over https://."
    fix_zh = "对所有 http:// 请求以 301 跳转到相同路径的 https:// 地址。"
    needs = frozenset({"http_home", "https_home"})
    basis = "OMB M-15-13 (enforce HTTPS); BOD 18-01"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        http, https = ev.http_home, ev.https_home
        if http is None:
            return self.missing(http, "the HTTP homepage", "HTTP 首页")
        if not (https and https.ok):
            return self.finding(Status.FAIL, {"https": False},
                                message="HTTPS does not answer, so HTTP cannot redirect to it",
                                message_zh="HTTPS 不可用，HTTP 无法跳转", evidence=http.refs)
        if not http.ok and http.status in (ScanStatus.TIMEOUT, ScanStatus.UNKNOWN_ERROR):
            return self.missing(http, "the HTTP homepage", "HTTP 首页")
        if not http.ok:
            # No plain HTTP at all (refused) also keeps visitors on HTTPS.
            return self.finding(Status.PASS, {"http": http.status.value if http.status else None},
                                evidence=http.refs)
        first = http.exchanges[0]
        final = http.final_url or ""
        if urlsplit(final).scheme == "https" and first.status in (301, 302, 303, 307, 308):
            return self.finding(Status.PASS, {"chain": [ex.url for ex in http.exchanges]}, evidence=http.refs)
        return self.finding(Status.FAIL, {"chain": [ex.url for ex in http.exchanges], "status": first.status},
                            message=f"http:// answers {first.status} without redirecting to https://",
                            message_zh=f"http:// 返回 {first.status}，未跳转到 https://", evidence=http.refs)


class Hsts(Check):
    id = "hsts"
    title_en = "Strong HSTS policy"
    title_zh = "HSTS 策略"
    fix_en = "Send Strict-Transport-Security: max-age=31536000; includeSubDomains; preload on HTTPS responses."
    fix_zh = "在 HTTPS 响应中返回 Strict-Transport-Security: max-age=31536000; includeSubDomains; preload。"
    needs = frozenset({"https_home"})
    defaults: ClassVar[dict[str, Any]] = {"min_max_age": 31536000, "include_subdomains": True, "preload": True}
    basis = "OMB M-15-13; BOD 18-01 (strong HSTS: max-age >= 1 year)"

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        fetch = ev.https_home
        if fetch is None or not fetch.ok or fetch.final is None:
            return self.missing(fetch, "the HTTPS homepage", "HTTPS 首页")
        header = fetch.final.header("strict-transport-security")
        if header is None:
            return self.finding(Status.FAIL, None, message="no Strict-Transport-Security header",
                                message_zh="缺少 Strict-Transport-Security 头", evidence=fetch.refs)
        value = parse_hsts(header)
        problems = []
        if value["invalid"]:
            problems.append(value["invalid"])
        if value["max_age"] is None or value["max_age"] < params["min_max_age"]:
            problems.append(f"max-age below {params['min_max_age']}")
        if params["include_subdomains"] and not value["include_subdomains"]:
            problems.append("no includeSubDomains")
        if params["preload"] and not value["preload"]:
            problems.append("no preload")
        if problems:
            return self.finding(Status.FAIL, value, message="weak HSTS: " + ", ".join(problems),
                                message_zh="HSTS 策略过弱：" + "，".join(problems), evidence=fetch.refs)
        return self.finding(Status.PASS, value, evidence=fetch.refs)


def parse_hsts(header: str) -> dict[str, Any]:
    """RFC 6797 directives: ';'-separated, case-insensitive, each at most once."""
    out: dict[str, Any] = {"header": header, "max_age": None, "include_subdomains": False, "preload": False,
                           "invalid": None}
    seen: set[str] = set()
    for part in header.split(";"):
        name, _, arg = part.strip().partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if name in seen:
            out["invalid"] = f"directive {name} given twice (browsers ignore the header)"
        seen.add(name)
        if name == "max-age":
            arg = arg.strip().strip('"')
            out["max_age"] = int(arg) if arg.isdigit() else None
        elif name == "includesubdomains":
            out["include_subdomains"] = True
        elif name == "preload":
            out["preload"] = True
    return out


class _TlsCheck(Check):
    needs = frozenset({"tls"})
    basis = "BOD 18-01; GB/T 39786-2021 (商用密码应用安全性评估)"

    def run(self, ev: SiteEvidence, params: dict[str, Any] | None = None) -> Finding:
        finding = super().run(ev, params)
        # Judged on the handshake, archived as a WARC metadata record with the chain.
        if ev.tls is not None and ev.tls.ref is not None and not finding.evidence:
            finding.evidence = [ev.tls.ref]
        return finding

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        tls = ev.tls
        if tls is None:
            return self.missing(None, "TLS facts", "TLS 信息")
        if tls.error in (ScanStatus.TIMEOUT, ScanStatus.UNKNOWN_ERROR, ScanStatus.DNS_ERROR,
                         ScanStatus.BLOCKED_ADDRESS):
            return self.finding(Status.ERROR, {"error": tls.error.value}, scan_status=tls.error,
                                message=f"TLS could not be examined: {tls.error_detail or tls.error.value}",
                                message_zh="无法检查 TLS")
        if tls.error is not None:
            return self.finding(Status.FAIL, {"error": tls.error.value}, scan_status=tls.error,
                                message=f"no TLS handshake: {tls.error_detail or tls.error.value}",
                                message_zh="TLS 握手失败")
        return self.judge(ev, tls, params)

    @abstractmethod
    def judge(self, ev: SiteEvidence, tls: TlsFacts, params: dict[str, Any]) -> Finding:
        """The verdict on a handshake that took place."""


class TlsValid(_TlsCheck):
    id = "tls.valid"
    title_en = "Valid certificate"
    title_zh = "证书有效"
    fix_en = "Install a certificate from a trusted CA, covering the host name, with its full chain."
    fix_zh = "部署受信任机构签发、包含本域名的证书，并配置完整证书链。"

    def judge(self, ev: SiteEvidence, tls: TlsFacts, params: dict[str, Any]) -> Finding:
        value = {"subject": tls.subject, "issuer": tls.issuer, "san": tls.san,
                 "not_after": tls.not_after.isoformat() if tls.not_after else None,
                 "hostname_match": tls.hostname_match, "self_signed": tls.self_signed}
        if tls.verified:
            return self.finding(Status.PASS, value)
        return self.finding(Status.FAIL, {**value, "error": tls.verify_error},
                            message=f"certificate does not verify: {tls.verify_error}",
                            message_zh=f"证书校验失败：{tls.verify_error}")


class TlsExpiry(_TlsCheck):
    id = "tls.expiry"
    title_en = "Certificate not about to expire"
    title_zh = "证书未临近过期"
    fix_en = "Renew the certificate, and automate renewal (ACME)."
    fix_zh = "及时续期证书，建议自动续期。"
    defaults: ClassVar[dict[str, Any]] = {"warn_days": 30}

    def judge(self, ev: SiteEvidence, tls: TlsFacts, params: dict[str, Any]) -> Finding:
        if tls.not_after is None:
            return self.finding(Status.ERROR, message="no certificate expiry date", message_zh="无法读取证书有效期")
        not_after = tls.not_after if tls.not_after.tzinfo else tls.not_after.replace(tzinfo=dt.UTC)
        now = ev.collected_at if ev.collected_at.tzinfo else ev.collected_at.replace(tzinfo=dt.UTC)
        days = (not_after - now).total_seconds() / 86400
        value = {"not_after": tls.not_after.isoformat(), "days_left": round(days, 1)}
        if days < 0:
            return self.finding(Status.FAIL, value, message=f"certificate expired on {tls.not_after:%Y-%m-%d}",
                                message_zh=f"证书已于 {tls.not_after:%Y-%m-%d} 过期")
        if days < params["warn_days"]:
            return self.finding(Status.WARN, value, message=f"certificate expires on {tls.not_after:%Y-%m-%d}",
                                message_zh=f"证书将于 {tls.not_after:%Y-%m-%d} 过期")
        return self.finding(Status.PASS, value)


WEAK_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")


class TlsProtocol(_TlsCheck):
    id = "tls.protocol"
    title_en = "No obsolete TLS versions"
    title_zh = "禁用过时的 TLS 协议"
    fix_en = "Disable SSLv3, TLS 1.0 and TLS 1.1; offer TLS 1.2 and 1.3."
    fix_zh = "禁用 SSLv3、TLS 1.0 和 TLS 1.1，启用 TLS 1.2 和 1.3。"

    def judge(self, ev: SiteEvidence, tls: TlsFacts, params: dict[str, Any]) -> Finding:
        weak = sorted(p for p, ok in tls.accepted_protocols.items() if ok and p in WEAK_PROTOCOLS)
        if tls.protocol in WEAK_PROTOCOLS and tls.protocol not in weak:
            weak.append(tls.protocol)
        value = {"negotiated": tls.protocol, "cipher": tls.cipher, "weak_accepted": weak}
        if weak:
            return self.finding(Status.FAIL, value, message=f"accepts {', '.join(weak)}",
                                message_zh=f"仍支持 {'、'.join(weak)}")
        return self.finding(Status.PASS, value)
