"""What a check is and what it yields."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from mgov.evidence.exchange import Exchange, Fetch, ScanStatus, WarcRef
from mgov.evidence.site import SiteEvidence


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a finding status, not a password
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"  # the evidence needed could not be had; see scan_status
    NOT_APPLICABLE = "not_applicable"


@dataclass
class Finding:
    check: str
    status: Status
    value: Any = None  # the measured value, JSON-able
    message: str = ""  # why, in English; message_zh in Chinese
    message_zh: str = ""
    evidence: list[WarcRef] = field(default_factory=list)
    scan_status: ScanStatus | None = None
    variant: str | None = None  # judged with other parameters than the check's: params_variant()
    # The verdict may rest on a passing fault (a timeout, a reset, a 5xx, a slow answer, no
    # DNS answer): the runner collects again and confirms it before recording (not stored).
    recheck: bool = False
    # What the verdict is when the re-check cannot confirm this one (say, a slow answer after
    # the first attempt failed: the site answered, its slowness was seen once): not stored.
    unconfirmed: Status | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status.value, "value": self.value,
                "message": self.message, "message_zh": self.message_zh,
                "evidence": [r.as_dict() for r in self.evidence],
                "scan_status": self.scan_status.value if self.scan_status else None, "variant": self.variant}


def params_variant(params: Any) -> str | None:
    """The key under which a finding judged with these parameters is stored and found again:
    None for none (the check's own), else 12 hex digits of their canonical JSON's SHA-256."""
    if not params:
        return None
    text = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


WEB_KINDS = frozenset({"website", "mobile_site"})


class Check(ABC):
    """Subclass, set the class attributes, implement evaluate()."""

    id: ClassVar[str]
    title_en: ClassVar[str]
    title_zh: ClassVar[str]
    fix_en: ClassVar[str]
    fix_zh: ClassVar[str]
    needs: ClassVar[frozenset[str]]  # evidence keys (evidence.site.EVIDENCE_KEYS)
    kinds: ClassVar[frozenset[str]] = WEB_KINDS
    jurisdictions: ClassVar[frozenset[str] | None] = None  # None: everywhere
    defaults: ClassVar[dict[str, Any]] = {}
    # Where the requirement comes from, for docs/checks.md.
    basis: ClassVar[str] = ""

    def applies(self, ev: SiteEvidence) -> bool:
        if ev.channel.kind not in self.kinds:
            return False
        return self.jurisdictions is None or ev.channel.jurisdiction in self.jurisdictions

    def run(self, ev: SiteEvidence, params: dict[str, Any] | None = None) -> Finding:
        """The finding for ev; never raises (a broken check is an error finding, not a dead scan)."""
        try:
            if not self.applies(ev):
                return self.finding(Status.NOT_APPLICABLE, message="does not apply to this channel",
                                    message_zh="不适用于该渠道")
            finding = self.evaluate(ev, {**self.defaults, **(params or {})})
            # What is stored must be JSON (PostgreSQL rejects NaN) and point at WARC records.
            json.dumps(finding.value, allow_nan=False)
            if not all(isinstance(r, WarcRef) for r in finding.evidence):
                raise TypeError("evidence must be WarcRef records")
            return self._unverified(finding) if finding.scan_status in UNVERIFIED else self._shaky(ev, finding)
        except Exception as exc:  # noqa: BLE001 - a check bug must not stop a scan
            return self.finding(Status.ERROR, message=f"check failed: {type(exc).__name__}: {exc}",
                                message_zh=f"检查出错：{type(exc).__name__}: {exc}")

    @abstractmethod
    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        """The verdict on ev; params are the defaults merged with the caller's."""

    def _unverified(self, finding: Finding) -> Finding:
        """mgov's own failure to observe (no DNS answer) is never the channel's: an error."""
        if finding.status in (Status.FAIL, Status.WARN):
            finding.status = Status.ERROR
            finding.message = f"not verified: mgov could not resolve the name ({finding.message})"
            finding.message_zh = f"未能核实：监测系统无法解析域名（{finding.message_zh}）"
        finding.recheck = finding.status is Status.ERROR
        return finding

    def _shaky(self, ev: SiteEvidence, finding: Finding) -> Finding:
        """Mark a verdict against the channel that rests on evidence with a passing fault: the
        records it was judged on (its WARC references) when it names them, else any of the
        evidence it needs (an HTTPS fetch refused for good does not make a verdict on the
        HTTP homepage shaky)."""
        if finding.status not in (Status.FAIL, Status.WARN, Status.ERROR):
            return finding
        pieces = [getattr(ev, key, None) for key in self.needs]
        if finding.evidence:
            judged = set(finding.evidence)
            pieces = [piece for piece in _pieces(pieces) if judged & set(_refs(piece))]
        if finding.scan_status in TRANSIENT or any(_shaky(piece) for piece in pieces):
            finding.recheck = True
        return finding

    def finding(self, status: Status, value: Any = None, *, message: str = "", message_zh: str = "",
                evidence: Iterable[WarcRef] = (), scan_status: ScanStatus | None = None) -> Finding:
        return Finding(self.id, status, value, message, message_zh or message, list(evidence), scan_status)

    def missing(self, fetch: Fetch | None, what: str, what_zh: str) -> Finding:
        """The error finding when the evidence this check reads could not be had."""
        if fetch is not None and (sign := waf_block(fetch.final)) is not None:
            return self.finding(Status.ERROR, {"waf": sign}, message=f"{what}: blocked by a web firewall ({sign})",
                                message_zh=f"{what_zh}：被网站防火墙拦截（{sign}）", evidence=fetch.refs,
                                scan_status=ScanStatus.BLOCKED_BY_WAF)
        if fetch is None:
            return self.finding(Status.ERROR, message=f"{what} was not collected",
                                message_zh=f"未采集{what_zh}", scan_status=ScanStatus.UNKNOWN_ERROR)
        return self.finding(Status.ERROR, message=f"{what}: {fetch.status.value if fetch.status else 'no response'}"
                            + (f" ({_detail(fetch)})" if _detail(fetch) else ""),
                            message_zh=f"{what_zh}无法获取：{fetch.status.value if fetch.status else '无响应'}",
                            evidence=fetch.refs, scan_status=fetch.status or ScanStatus.UNKNOWN_ERROR)


# Failures that may pass: worth a second attempt before a verdict counts against a channel.
TRANSIENT = frozenset({ScanStatus.TIMEOUT, ScanStatus.CONNECTION_RESET, ScanStatus.CONNECTION_REFUSED,
                       ScanStatus.HTTP_ERROR, ScanStatus.UNKNOWN_ERROR, ScanStatus.DNS_UNRESOLVED,
                       ScanStatus.BLOCKED_BY_WAF})
UNVERIFIED = frozenset({ScanStatus.DNS_UNRESOLVED})  # mgov could not observe: never the channel's fault
TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})


def _shaky(evidence: object) -> bool:
    """Evidence with a passing fault in it: a transient failure or status."""
    if isinstance(evidence, Fetch):
        return evidence.status in TRANSIENT or any(_shaky(ex) for ex in evidence.exchanges)
    if isinstance(evidence, Exchange):  # (a rough timing matters to timing verdicts alone: theirs to say)
        return evidence.error in TRANSIENT or evidence.status in TRANSIENT_HTTP
    if isinstance(evidence, list):
        return any(_shaky(item) for item in evidence)
    error = getattr(evidence, "error", None)  # DnsAnswer, TlsFacts, CrawlEvidence
    return isinstance(error, ScanStatus) and error in TRANSIENT


def _pieces(evidence: list[object]) -> list[object]:
    """Exchanges, DNS answers and TLS facts, out of the evidence keys' values."""
    out: list[object] = []
    for item in evidence:
        if isinstance(item, Fetch):
            out.extend(item.exchanges)
        elif isinstance(item, list):
            out.extend(_pieces(item))
        elif item is not None:
            out.append(item)
    return out


def _refs(piece: object) -> list[WarcRef]:
    if isinstance(piece, Exchange):
        return piece.refs
    ref = getattr(piece, "ref", None)
    return [ref] if isinstance(ref, WarcRef) else []


# An exchange during which mgov's loop was this late has a timing too rough to judge on.
LAG_UNTRUSTED_MS = 250.0


def _detail(fetch: Fetch) -> str | None:
    return fetch.error_detail or (fetch.final.error_detail if fetch.final else None)


# Block pages of web application firewalls: the scanner was refused, not the public, so the
# verdict is an error (blocked_by_waf), not a failure of the site.
WAF_STATUSES = frozenset({403, 405, 406, 429, 503})
WAF_HEADERS = ("cf-ray", "x-sucuri-id", "x-amzn-waf-action", "x-waf-event-info", "x-cdn-waf")
WAF_BODY = ("attention required! | cloudflare", "access denied</h1>", "reference #", "sucuri website firewall",
            "safedog", "网站防火墙", "yunsuo", "errors.aliyun.com", "您的访问被阻断", "该访问行为触发了waf")


def waf_block(ex: Exchange | None) -> str | None:
    """The firewall that answered ex with a block page, or None."""
    if ex is None or ex.status not in WAF_STATUSES:
        return None
    for name in WAF_HEADERS:
        if ex.header(name) is not None:
            return name
    text = (ex.text or ex.body[:20000].decode("utf-8", "replace")).lower()
    return next((sig for sig in WAF_BODY if sig in text), None)


def ok_page(fetch: Fetch | None) -> Exchange | None:
    """The final response of fetch when it is a page that answered 2xx, else None."""
    if fetch is None or not fetch.ok or fetch.final is None:
        return None
    final = fetch.final
    return final if final.status is not None and 200 <= final.status < 300 else None
