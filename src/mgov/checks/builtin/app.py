"""What an Android app's manifest and code declare about personal data: dangerous permissions,
tracker SDKs, cleartext traffic, debuggable, backup, exported components, SDK levels."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.app_base import RULES, SPEC, AppCheck, names, names_zh
from mgov.evidence.app import AppEvidence
from mgov.evidence.site import SiteEvidence


class Permissions(AppCheck):
    id = "app.permissions"
    title_en = "Dangerous permissions and the privacy policy"
    title_zh = "危险权限与隐私政策"
    fix_en = ("Request only the dangerous permissions a function needs, and name in the privacy policy what each "
              "one collects and why.")
    fix_zh = "仅申请业务功能必需的危险权限，并在隐私政策中逐一说明各权限收集的个人信息及目的。"
    defaults: ClassVar[dict[str, Any]] = {"allowed": [], "unjustified": "fail", "no_policy": "warn"}
    basis = f"{RULES} 二.1、四.1; {SPEC} §5.3; OWASP MASVS-PRIVACY-1"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        dangerous = [p for p in app.permissions if p.dangerous and p.name not in params["allowed"]]
        short = [p.name.removeprefix("android.permission.") for p in dangerous]
        unjustified = [p.name.removeprefix("android.permission.") for p in dangerous if p.justified is False]
        value = {"requested": len(app.permissions), "dangerous": short, "policy": app.policy_given,
                 "unjustified": unjustified if app.policy_given else None}
        if not dangerous:
            return self.finding(Status.PASS, value, message=f"{len(app.permissions)} permissions, none dangerous",
                                message_zh=f"申请 {len(app.permissions)} 项权限，无危险权限")
        if not app.policy_given:
            why, why_zh = (f" ({app.error})", f"（{app.error}）") if app.error else ("", "")
            return self.finding(Status(params["no_policy"]), value,
                                message=f"{len(dangerous)} dangerous permissions ({names(short)}); no privacy "
                                f"policy was given to judge them against{why}",
                                message_zh=f"申请 {len(dangerous)} 项危险权限（{names_zh(short)}），未提供隐私政策"
                                f"{why_zh}，无法核对其必要性与告知情况")
        if unjustified:
            return self.finding(Status(params["unjustified"]), value,
                                message="dangerous permissions the privacy policy never mentions: "
                                f"{names(unjustified)}",
                                message_zh=f"隐私政策未说明的危险权限：{names_zh(unjustified)}")
        return self.finding(Status.PASS, value, message=f"the privacy policy covers its {len(dangerous)} dangerous "
                            "permissions", message_zh=f"隐私政策已说明 {len(dangerous)} 项危险权限")


class Trackers(AppCheck):
    id = "app.trackers"
    title_en = "Third-party tracker SDKs"
    title_zh = "第三方跟踪类 SDK"
    fix_en = ("Remove tracker SDKs the service does not need; list every third-party SDK (name, purpose, data) in "
              "the privacy policy and obtain consent before it collects anything.")
    fix_zh = ("移除非必要的第三方跟踪 SDK；在隐私政策中逐一列明第三方 SDK 的名称、目的和收集的信息，"
              "并在其收集前征得同意。")
    defaults: ClassVar[dict[str, Any]] = {"allowed": [], "found": "warn", "unnamed": "fail"}
    basis = f"{RULES} 二.1、五.1; {SPEC} §9.2; OWASP MASVS-PRIVACY-1; Exodus Privacy tracker list"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        allowed = {str(a) for a in params["allowed"]}
        hits = [h for h in app.trackers if h.name not in allowed and str(h.id) not in allowed]
        found = [h.name for h in hits]
        unnamed = [h.name for h in hits if h.named_in_policy is False]
        value = {"trackers": [{"id": h.id, "name": h.name, "categories": h.categories, "classes": h.classes,
                               "named_in_policy": h.named_in_policy} for h in hits],
                 "classes_read": app.dex_classes, "list": app.tracker_list}
        if not hits:
            return self.finding(Status.PASS, value, message=f"no tracker of the list in {app.dex_classes} classes",
                                message_zh=f"{app.dex_classes} 个类中未发现跟踪类 SDK")
        if unnamed:
            return self.finding(Status(params["unnamed"]), value,
                                message=f"tracker SDKs the privacy policy does not name: {names(unnamed)}",
                                message_zh=f"隐私政策未列明的第三方 SDK：{names_zh(unnamed)}")
        return self.finding(Status(params["found"]), value,
                            message=f"{len(found)} tracker SDKs present in the code: {names(found)} (presence, not "
                            "proof of use)", message_zh=f"代码中含 {len(found)} 个跟踪类 SDK：{names_zh(found)}"
                            "（仅表明代码存在，需核实是否调用）")


class Cleartext(AppCheck):
    id = "app.cleartext"
    title_en = "Cleartext (unencrypted HTTP) traffic"
    title_zh = "明文（未加密 HTTP）传输"
    fix_en = ("Use HTTPS for every endpoint; set android:usesCleartextTraffic=\"false\" or a network security "
              "config with cleartextTrafficPermitted=\"false\", and target SDK 28 or later.")
    fix_zh = ('所有接口使用 HTTPS；设置 android:usesCleartextTraffic="false" 或网络安全配置 '
              'cleartextTrafficPermitted="false"，targetSdkVersion 不低于 28。')
    basis = f"{SPEC} §6.3 (传输加密); 个人信息保护法 第五十一条; OWASP MASVS-NETWORK-1"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        ct = app.cleartext
        if ct is None:
            return self.finding(Status.ERROR, message="no cleartext facts", message_zh="缺少明文传输信息")
        value = {"permitted": ct.permitted, "source": ct.source, "domains": ct.domains,
                 "config_file": ct.config_file, "user_certificates": ct.user_certificates,
                 "overrides_pins": ct.overrides_pins, "target_sdk": app.target_sdk,
                 "http_endpoints": app.http_endpoints[:20], "http_endpoint_count": len(app.http_endpoints)}
        endpoints = (f"; {len(app.http_endpoints)} http:// endpoints in the code" if app.http_endpoints else "")
        endpoints_zh = f"；代码中含 {len(app.http_endpoints)} 个 http:// 地址" if app.http_endpoints else ""
        if ct.permitted:
            why = {"default": f"the default for target SDK {app.target_sdk}, below 28",
                   "manifest": 'android:usesCleartextTraffic="true"',
                   "network_security_config": "the network security config's base-config"}[ct.source]
            why_zh = {"default": f"targetSdkVersion {app.target_sdk} 低于 28 时的默认设置",
                      "manifest": 'android:usesCleartextTraffic="true"',
                      "network_security_config": "网络安全配置的 base-config"}[ct.source]
            return self.finding(Status.FAIL, value, message=f"cleartext HTTP allowed to every host ({why}){endpoints}",
                                message_zh=f"允许向任意主机明文传输（{why_zh}）{endpoints_zh}")
        problems = []
        problems_zh = []
        if ct.domains:
            problems.append(f"cleartext allowed for {names(ct.domains)}")
            problems_zh.append(f"允许明文传输的域名：{names_zh(ct.domains)}")
        if ct.user_certificates:
            problems.append("user-installed CAs trusted")
            problems_zh.append("信任用户安装的证书")
        if ct.overrides_pins:
            problems.append("certificate pinning overridden")
            problems_zh.append("证书固定被覆盖")
        if problems:
            return self.finding(Status.WARN, value, message="; ".join(problems) + endpoints,
                                message_zh="；".join(problems_zh) + endpoints_zh)
        return self.finding(Status.PASS, value, message="cleartext HTTP refused" + endpoints,
                            message_zh="不允许明文传输" + endpoints_zh)


class Debuggable(AppCheck):
    id = "app.debuggable"
    title_en = "Debuggable release"
    title_zh = "可调试的发布版本"
    fix_en = 'Build the release without android:debuggable="true".'
    fix_zh = '发布版本不得设置 android:debuggable="true"。'
    basis = "OWASP MASVS-RESILIENCE-2; GB/T 34975-2017 (移动智能终端应用软件安全技术要求)"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        if app.debuggable:
            return self.finding(Status.FAIL, {"debuggable": True}, message='android:debuggable="true": any '
                                "debugger can attach and read the app's data", message_zh="应用可被调试，"
                                "调试器可附加并读取应用数据")
        return self.finding(Status.PASS, {"debuggable": False}, message="not debuggable", message_zh="不可调试")


class Backup(AppCheck):
    id = "app.backup"
    title_en = "App data backup"
    title_zh = "应用数据备份"
    fix_en = ('Set android:allowBackup="false", or restrict what is backed up (fullBackupContent / '
              "dataExtractionRules) so personal data stays on the device.")
    fix_zh = '设置 android:allowBackup="false"，或通过 fullBackupContent / dataExtractionRules 排除个人信息。'
    defaults: ClassVar[dict[str, Any]] = {"allowed": "warn"}
    basis = f"{SPEC} §6.3; OWASP MASVS-STORAGE-2"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        value = {"allow_backup": app.allow_backup, "backup_rules": app.backup_rules}
        if app.allow_backup is False:
            return self.finding(Status.PASS, value, message="backup disabled", message_zh="已禁止备份")
        if app.backup_rules:
            return self.finding(Status.PASS, value, message="backup allowed with rules restricting what is saved",
                                message_zh="允许备份，但已配置备份范围规则")
        said = ('android:allowBackup="true"' if app.allow_backup else "android:allowBackup not set (Android allows "
                "backup by default)")
        said_zh = ('android:allowBackup="true"' if app.allow_backup else "未设置 android:allowBackup（默认允许备份）")
        return self.finding(Status(params["allowed"]), value, message=f"{said}: the app's data can be copied off the "
                            "device with adb backup", message_zh=f"{said_zh}：应用数据可被 adb backup 导出")


class Exported(AppCheck):
    id = "app.exported"
    title_en = "Exported components"
    title_zh = "导出组件"
    fix_en = ('Set android:exported="false" on every component other apps need not start, or protect it with a '
              "signature-level permission.")
    fix_zh = '其他应用无需调用的组件设置 android:exported="false"，必要导出的组件以签名级权限保护。'
    defaults: ClassVar[dict[str, Any]] = {"unprotected": "warn"}
    basis = "OWASP MASVS-PLATFORM-1; GB/T 34975-2017"

    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        open_ = [c for c in app.components if not c.launcher and not c.permission]
        value = {"exported": [{"kind": c.kind, "name": c.name, "exported": c.exported, "permission": c.permission,
                               "launcher": c.launcher} for c in app.components],
                 "unprotected": len(open_), "implicit": sum(1 for c in open_ if c.exported == "implicit")}
        if not open_:
            return self.finding(Status.PASS, value, message=f"{len(app.components)} exported components, none "
                                "unprotected besides the launcher", message_zh=f"导出组件 {len(app.components)} "
                                "个，除启动入口外均受权限保护")
        listed = [f"{c.kind} {c.name}" + (" (implicit)" if c.exported == "implicit" else "") for c in open_]
        listed_zh = [f"{c.kind} {c.name}" + ("（隐式导出）" if c.exported == "implicit" else "") for c in open_]
        return self.finding(Status(params["unprotected"]), value,
                            message=f"{len(open_)} components any app can start: {names(listed)}",
                            message_zh=f"{len(open_)} 个组件可被任意应用调用：{names_zh(listed_zh)}")
