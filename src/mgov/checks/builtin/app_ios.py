"""What an iOS app's Info.plist declares: the purposes shown when it asks for a permission,
and App Transport Security exceptions."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.app_base import RULES, SPEC, IosCheck, names, names_zh
from mgov.evidence.app import AppEvidence
from mgov.evidence.site import SiteEvidence

_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")
OLD_TLS = frozenset({"TLSv1.0", "TLSv1.1"})


class UsageStrings(IosCheck):
    id = "app.ios_usage"
    title_en = "Permission purposes (iOS usage descriptions)"
    title_zh = "权限申请目的说明（iOS 用途描述）"
    fix_en = ("Give every NS*UsageDescription a clear purpose in the user's language, and name in the privacy policy "
              "what each permission collects.")
    fix_zh = "每项 NS*UsageDescription 须以用户语言清楚说明用途，并在隐私政策中说明各权限收集的个人信息。"
    defaults: ClassVar[dict[str, Any]] = {"unjustified": "fail"}
    basis = f"{RULES} 二.3、二.1; {SPEC} §5.3; Apple App Store Review Guidelines 5.1.1"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        facts = app.ios
        usage = facts.usage if facts else {}
        blank = [k for k, text in usage.items() if not _WORDY.search(text)]
        unjustified = [k for k, ok in (facts.usage_justified if facts else {}).items() if not ok]
        value = {"usage": usage, "blank": blank, "policy": app.policy_given,
                 "unjustified": unjustified if app.policy_given else None}
        if blank:
            return self.finding(Status.FAIL, value, message=f"permission requests without a purpose: {names(blank)}",
                                message_zh=f"申请权限时未说明目的：{names_zh(blank)}")
        if unjustified:
            return self.finding(Status(params["unjustified"]), value,
                                message=f"permissions the privacy policy never mentions: {names(unjustified)}",
                                message_zh=f"隐私政策未说明的权限：{names_zh(unjustified)}")
        return self.finding(Status.PASS, value, message=f"{len(usage)} permission purposes stated",
                            message_zh=f"已说明 {len(usage)} 项权限用途")


class Ats(IosCheck):
    id = "app.ats"
    title_en = "App Transport Security"
    title_zh = "应用传输安全（ATS）"
    fix_en = ("Remove NSAllowsArbitraryLoads and insecure exception domains from NSAppTransportSecurity; serve every "
              "endpoint over HTTPS with TLS 1.2 or later.")
    fix_zh = ("删除 NSAppTransportSecurity 中的 NSAllowsArbitraryLoads 及不安全的例外域名；"
              "所有接口使用 TLS 1.2 及以上的 HTTPS。")
    basis = f"{SPEC} §6.3 (传输加密); OWASP MASVS-NETWORK-1; Apple App Transport Security"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        ats = app.ios.ats if app.ios else None
        if ats is None:
            return self.finding(Status.ERROR, message="no Info.plist facts", message_zh="缺少 Info.plist 信息")
        insecure = [e.domain for e in ats.exceptions if e.insecure_http]
        old_tls = [f"{e.domain} ({e.min_tls})" for e in ats.exceptions if e.min_tls in OLD_TLS]
        value = {"arbitrary_loads": ats.arbitrary_loads, "in_web_content": ats.arbitrary_loads_in_web_content,
                 "for_media": ats.arbitrary_loads_for_media, "local_networking": ats.local_networking,
                 "insecure_domains": insecure, "old_tls": old_tls,
                 "exceptions": [e.domain for e in ats.exceptions]}
        if ats.arbitrary_loads:
            return self.finding(Status.FAIL, value, message="NSAllowsArbitraryLoads: App Transport Security is off "
                                "for every connection",
                                message_zh="设置了 NSAllowsArbitraryLoads：所有连接均不受 ATS 保护")
        problems, problems_zh = [], []
        if ats.arbitrary_loads_in_web_content or ats.arbitrary_loads_for_media:
            problems.append("arbitrary loads allowed in web content or media")
            problems_zh.append("网页内容或媒体允许任意加载")
        if insecure:
            problems.append(f"insecure HTTP allowed for {names(insecure)}")
            problems_zh.append(f"允许明文 HTTP 的域名：{names_zh(insecure)}")
        if old_tls:
            problems.append(f"TLS below 1.2 allowed for {names(old_tls)}")
            problems_zh.append(f"允许 TLS 1.2 以下版本：{names_zh(old_tls)}")
        if problems:
            return self.finding(Status.WARN, value, message="; ".join(problems), message_zh="；".join(problems_zh))
        return self.finding(Status.PASS, value, message="App Transport Security on, no insecure exception",
                            message_zh="ATS 已启用，无不安全例外")
