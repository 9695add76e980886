"""What every `app.*` check shares: the package's evidence, or the error saying why there is
none; every finding names the package's SHA-256 and points at the archived package."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from mgov.checks.base import Check, Finding, Status
from mgov.evidence.app import APP_KEY, AppEvidence, AppStatus
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import SiteEvidence

# 《App违法违规收集使用个人信息行为认定方法》(国信办秘字〔2019〕191号)
RULES = "《App违法违规收集使用个人信息行为认定方法》"
SPEC = "GB/T 35273-2020"
SHOWN = 10  # names listed in a message
PLATFORM_OF = {"app_android": "android", "app_ios": "ios"}  # channel kind -> the package it takes


def names(items: Iterable[str], limit: int = SHOWN) -> str:
    """The first names, and how many more."""
    listed = list(items)
    more = len(listed) - limit
    return ", ".join(listed[:limit]) + (f" (+{more})" if more > 0 else "")


def names_zh(items: Iterable[str], limit: int = SHOWN) -> str:
    listed = list(items)
    more = len(listed) - limit
    return "、".join(listed[:limit]) + (f" 等 {len(listed)} 项" if more > 0 else "")


class AppCheck(Check):
    """Subclass, set the class attributes, implement judge()."""

    needs = frozenset({APP_KEY})
    kinds: ClassVar[frozenset[str]] = frozenset({"app_android"})

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        app = ev.app
        if app is None:
            return self.finding(Status.ERROR, message="the app package was not analysed",
                                message_zh="未分析应用安装包", scan_status=ScanStatus.UNKNOWN_ERROR)
        refs = list(app.warc)
        if app.status is AppStatus.NO_PACKAGE:
            return self.finding(Status.ERROR, message="no package file is registered for this app channel "
                                "(channel attribute package_file)",
                                message_zh="该应用渠道未登记安装包文件（渠道属性 package_file）")
        if app.status is AppStatus.UNREADABLE:
            return self.finding(Status.ERROR, {"sha256": app.sha256}, message=f"the package: {app.error}",
                                message_zh=f"安装包无法分析：{app.error}", evidence=refs)
        if app.platform != PLATFORM_OF.get(ev.channel.kind):
            return self.finding(Status.ERROR, {"sha256": app.sha256},
                                message=f"the package is for {app.platform}, the channel is {ev.channel.kind}",
                                message_zh=f"安装包为 {app.platform} 应用，与渠道类型 {ev.channel.kind} 不符",
                                evidence=refs)
        finding = self.judge(app, ev, params)
        finding.value = {"sha256": app.sha256, **(finding.value or {})}
        finding.evidence = refs
        return finding

    @abstractmethod
    def judge(self, app: AppEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        """The verdict on the analysed package (its value a dict; the digest and refs are added)."""


class IosCheck(AppCheck):
    kinds: ClassVar[frozenset[str]] = frozenset({"app_ios"})
