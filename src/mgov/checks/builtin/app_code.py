"""What an app's build and code show: SDK levels, signing, secrets in the code, WebView's
JavaScript bridge."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.app_base import SPEC, AppCheck, names, names_zh
from mgov.evidence.app import APP_KINDS, AppEvidence
from mgov.evidence.site import SiteEvidence

WEAK_HASHES = frozenset({"md2", "md5", "sha1"})
JANUS_FIXED_SDK = 24  # Android 7.0 verifies v2 signatures: below it a v1 signature is what counts (Janus)
JS_INTERFACE_SAFE_SDK = 17  # below Android 4.2 every public method of a bridged object is reachable (CVE-2012-6636)


def _version(text: str | None) -> tuple[int, ...]:
    parts = []
    for piece in (text or "").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


class Sdk(AppCheck):
    id = "app.sdk"
    title_en = "Platform versions (minimum and target SDK)"
    title_zh = "系统版本要求（最低与目标 SDK）"
    fix_en = ("Target a current Android API level (the app stores' minimum) and drop support for Android versions "
              "without security updates; on iOS require a supported iOS version.")
    fix_zh = ("targetSdkVersion 达到应用商店的最低要求，不再支持已停止安全更新的系统版本；"
              "iOS 应用要求受支持的 iOS 版本。")
    kinds: ClassVar[frozenset[str]] = APP_KINDS
    defaults: ClassVar[dict[str, Any]] = {"min_target_sdk": 30, "min_sdk": 24, "min_ios": "13.0"}
    basis = "OWASP MASVS-CODE-1; Google Play target API level requirement; 应用商店 targetSdkVersion 要求"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        value = {"package": app.package, "app_name": app.app_name, "version_name": app.version_name,
                 "version_code": app.version_code, "developer": app.developer, "min_sdk": app.min_sdk,
                 "target_sdk": app.target_sdk, "min_os": app.min_os}
        if app.platform == "ios":
            if app.min_os and _version(app.min_os) < _version(params["min_ios"]):
                return self.finding(Status.WARN, value,
                                    message=f"runs on iOS {app.min_os}, older than {params['min_ios']}",
                                    message_zh=f"支持 iOS {app.min_os}，低于 {params['min_ios']}")
            return self.finding(Status.PASS, value, message=f"minimum iOS {app.min_os or 'not stated'}",
                                message_zh=f"最低 iOS 版本 {app.min_os or '未声明'}")
        target, minimum = app.target_sdk or 1, app.min_sdk or 1
        if target < params["min_target_sdk"]:
            return self.finding(Status.FAIL, value, message=f"target SDK {target}, below {params['min_target_sdk']}: "
                                "the platform keeps old, weaker defaults for it (cleartext, storage, backup)",
                                message_zh=f"targetSdkVersion 为 {target}，低于 {params['min_target_sdk']}，"
                                "系统对其沿用旧的较弱默认设置（明文传输、存储、备份）")
        if minimum < params["min_sdk"]:
            return self.finding(Status.WARN, value, message=f"min SDK {minimum}: installs on Android versions "
                                f"without security updates (below API {params['min_sdk']})",
                                message_zh=f"minSdkVersion 为 {minimum}，可安装于已停止安全更新的系统"
                                f"（低于 API {params['min_sdk']}）")
        return self.finding(Status.PASS, value, message=f"min SDK {minimum}, target SDK {target}",
                            message_zh=f"minSdkVersion {minimum}，targetSdkVersion {target}")


class Signing(AppCheck):
    id = "app.signing"
    title_en = "Signature and signing certificate"
    title_zh = "签名与签名证书"
    fix_en = ("Sign with APK Signature Scheme v2 or v3 (besides v1 for old devices) using a certificate with SHA-256 "
              "and a key of at least 2048 bits; never ship a debug certificate.")
    fix_zh = ("使用 v2 或 v3 签名方案（兼容旧设备时另加 v1），证书采用 SHA-256 及不少于 2048 位的密钥，"
              "不得使用调试证书。")
    defaults: ClassVar[dict[str, Any]] = {"min_key_bits": 2048}
    basis = "OWASP MASVS-CODE-2 / MASVS-RESILIENCE-2; CVE-2017-13156 (Janus); GB/T 34975-2017"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        sig = app.signing
        certs = sig.certificates if sig else []
        value = {"v1": bool(sig and sig.v1), "v2": bool(sig and sig.v2), "v3": bool(sig and sig.v3),
                 "certificates": [{"subject": c.subject, "issuer": c.issuer,
                                   "signature_algorithm": c.signature_algorithm,
                                   "key": f"{c.key_algorithm} {c.key_bits}", "sha256": c.sha256,
                                   "not_before": c.not_before.isoformat() if c.not_before else None,
                                   "not_after": c.not_after.isoformat() if c.not_after else None} for c in certs]}
        if sig is None or not sig.signed or not certs:
            return self.finding(Status.FAIL, value, message="the package is not signed", message_zh="安装包未签名")
        bad, bad_zh, warn, warn_zh = [], [], [], []
        for c in certs:
            if c.debug:
                bad.append(f"a debug certificate ({c.subject})")
                bad_zh.append(f"使用调试证书（{c.subject}）")
            if c.hash_algorithm.lower() in WEAK_HASHES:
                bad.append(f"certificate signed with {c.signature_algorithm}")
                bad_zh.append(f"证书签名算法为 {c.signature_algorithm}")
            if c.key_algorithm in ("rsa", "dsa") and c.key_bits is not None and c.key_bits < params["min_key_bits"]:
                bad.append(f"a {c.key_bits}-bit {c.key_algorithm.upper()} key")
                bad_zh.append(f"{c.key_algorithm.upper()} 密钥仅 {c.key_bits} 位")
            if c.not_after is not None and c.not_after < app.analysed_at:
                warn.append(f"certificate expired {c.not_after:%Y-%m-%d}")
                warn_zh.append(f"证书已于 {c.not_after:%Y-%m-%d} 过期")
        if sig.v1 and not (sig.v2 or sig.v3):
            bad.append("v1 (JAR) signature only: Janus (CVE-2017-13156) lets code be added without breaking it")
            bad_zh.append("仅有 v1（JAR）签名，存在 Janus 漏洞（CVE-2017-13156）风险")
        elif sig.v1 and (app.min_sdk or 1) < JANUS_FIXED_SDK:
            warn.append(f"installs on Android below 7.0 (min SDK {app.min_sdk}), where only the v1 signature "
                        "is checked")
            warn_zh.append(f"可安装于 Android 7.0 以下（minSdkVersion {app.min_sdk}），该类系统仅校验 v1 签名")
        if bad:
            return self.finding(Status.FAIL, value, message="; ".join(bad + warn),
                                message_zh="；".join(bad_zh + warn_zh))
        if warn:
            return self.finding(Status.WARN, value, message="; ".join(warn), message_zh="；".join(warn_zh))
        schemes = [s for s in ("v1", "v2", "v3") if value[s]]
        return self.finding(Status.PASS, value, message=f"signed ({', '.join(schemes)}) with "
                            f"{certs[0].signature_algorithm}", message_zh=f"已签名（{'、'.join(schemes)}），"
                            f"算法 {certs[0].signature_algorithm}")


class Secrets(AppCheck):
    id = "app.secrets"
    title_en = "Keys and secrets in the package"
    title_zh = "安装包中的密钥与凭据"
    fix_en = ("Remove credentials from the package: keep secrets on the server, use short-lived tokens, restrict API "
              "keys to the app; rotate every key found.")
    fix_zh = "不在安装包中存放凭据：密钥留在服务端，使用短期令牌，API Key 限定应用使用；已暴露的密钥须立即更换。"
    basis = f"{SPEC} §6.3; OWASP MASVS-STORAGE-1 / MASVS-CRYPTO-2"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        value = {"secrets": [{"kind": s.kind, "where": s.where, "masked": s.masked, "name": s.name}
                             for s in app.secrets]}
        shaped = [s for s in app.secrets if s.kind != "resource_name"]
        if shaped:
            listed = [f"{s.kind} {s.masked}" for s in shaped]
            return self.finding(Status.FAIL, value,
                                message=f"{len(shaped)} credentials in the package: {names(listed)}",
                                message_zh=f"安装包中含 {len(shaped)} 个凭据：{names_zh(listed)}")
        if app.secrets:
            listed = [f"{s.name} {s.masked}" for s in app.secrets]
            return self.finding(Status.WARN, value, message=f"resource strings named like credentials: {names(listed)}",
                                message_zh=f"名称疑似凭据的资源字符串：{names_zh(listed)}")
        return self.finding(Status.PASS, value, message="no credential found", message_zh="未发现凭据")


class WebView(AppCheck):
    id = "app.webview"
    title_en = "WebView JavaScript interfaces"
    title_zh = "WebView JavaScript 接口"
    fix_en = ("Bridge Java objects into WebViews (addJavascriptInterface) only for pages of your own HTTPS origin, "
              "expose only @JavascriptInterface methods, and require Android 4.2 (API 17) or later.")
    fix_zh = ("仅对自有 HTTPS 页面使用 addJavascriptInterface，只暴露 @JavascriptInterface 方法，"
              "最低支持 Android 4.2（API 17）。")
    basis = "OWASP MASVS-PLATFORM-2; CVE-2012-6636"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        wv = app.webview
        value = {"javascript_interface": wv.javascript_interface, "javascript_enabled": wv.javascript_enabled,
                 "classes": wv.classes, "min_sdk": app.min_sdk}
        if not wv.javascript_interface:
            said = ("JavaScript enabled in a WebView, no Java bridge" if wv.javascript_enabled
                    else "no JavaScript bridge")
            said_zh = "WebView 启用 JavaScript，但无 Java 接口" if wv.javascript_enabled else "未使用 JavaScript 接口"
            return self.finding(Status.PASS, value, message=said, message_zh=said_zh)
        if (app.min_sdk or 1) < JS_INTERFACE_SAFE_SDK:
            return self.finding(Status.FAIL, value, message=f"addJavascriptInterface with min SDK {app.min_sdk}: on "
                                "Android below 4.2 any page in the WebView can run code in the app (CVE-2012-6636)",
                                message_zh=f"使用 addJavascriptInterface 且 minSdkVersion 为 {app.min_sdk}："
                                "Android 4.2 以下 WebView 中的任意页面可执行应用代码（CVE-2012-6636）")
        return self.finding(Status.WARN, value, message=f"addJavascriptInterface on {names(wv.classes)}: make sure "
                            "only your own HTTPS pages load there", message_zh=f"{names_zh(wv.classes)} 使用 "
                            "addJavascriptInterface：须确保仅加载自有 HTTPS 页面")
