"""privacy.pii_exposed: personal data published in a site's pages and attachments.

It reads the crawl's personal-data scan (CrawlEvidence.pii: per document the counts per
kind, masked samples and a severity; mgov.privacy made them) and so runs under `mgov crawl`.
Verdict (docs/privacy.md): **fail** when any document holds a resident ID, bank card, SSN or
passport number (severity high, or critical for a list of 10 or more); **warn** when people's
contact details are published in bulk (medium: 3+ rows naming a person beside a phone or
e-mail, or 10+ mobile numbers and e-mail addresses in one document); **pass** otherwise, a
few phone numbers and addresses (the office's own) listed in the value. A pass is not
assessed when the site's attachment budget left documents unread. No value is ever shown
unmasked: the evidence holds masked samples only.
"""

from __future__ import annotations

from typing import Any

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.content import CrawlCheck
from mgov.evidence.content import ContentSummary
from mgov.evidence.crawl import CrawlEvidence
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.privacy import KIND_WORDS, PiiDocument, PiiEvidence

LISTED = 50  # documents listed in a finding's value
UNSCANNED_LISTED = 20
REFS = 20  # archived originals a finding points at
FAILING = frozenset({"critical", "high"})
_REASONS_ZH = {"too_large": "文件过大", "budget": "超出附件预算", "unreadable": "无法解析", "unsupported": "格式不支持",
               "timeout": "读取超时", "failed": "下载失败"}  # evidence.privacy.Unscanned.reason


def _kinds(counts: dict[str, int], zh: bool) -> str:
    order = [k for k in KIND_WORDS if counts.get(k)]
    if zh:
        return "、".join(f"{KIND_WORDS[k][1]} {counts[k]} 个" for k in order)
    return ", ".join(f"{counts[k]} {KIND_WORDS[k][0]}" for k in order)


def _doc(d: PiiDocument) -> dict[str, Any]:
    return {"url": d.url, "format": d.format, "severity": d.severity, "counts": dict(d.counts),
            "samples": {k: list(v) for k, v in d.samples.items()}, "rows_with_names": d.rows,
            "partial": d.partial}


class PiiExposed(CrawlCheck):
    id = "privacy.pii_exposed"
    title_en = "Personal data published in pages and attachments"
    title_zh = "网页及附件泄露个人信息"
    fix_en = ("Take the documents listed offline at once, publish them again with the personal data masked "
              "(ID numbers as 1101**********1234, phones as 138****5678) or removed, and purge cached copies.")
    fix_zh = ("立即撤下所列网页或附件，对身份证号码（如 1101**********1234）、手机号码（如 138****5678）、"
              "银行卡号等作去标识化处理或删除后再发布，并清理搜索引擎等处的缓存。")
    basis = ("政府信息公开条例 第十五条; 2018 政务公开工作要点 (公开时要去标识化处理); "
             "个人信息保护法 第二十八条, 第三十四条; 民法典 第一千零三十九条; "
             "Privacy Act of 1974 (5 U.S.C. 552a); OMB M-17-12")

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        pii = crawl.pii
        if pii is None:
            return self.finding(Status.ERROR, message="the crawl did not scan for personal data",
                                message_zh="本次抓取未做个人信息扫描", evidence=crawl.home_refs,
                                scan_status=ScanStatus.UNKNOWN_ERROR)
        docs = pii.ordered()
        value = self._value(pii, docs)
        failing = [d for d in docs if d.severity in FAILING]
        bulk = [d for d in docs if d.severity == "medium"]
        refs = [d.ref for d in [*failing, *bulk][:REFS] if d.ref is not None]
        if failing:
            return self._flag(Status.FAIL, failing, value, refs, crawl,
                              "publish(es) identity or account numbers", "公开了身份证件号码或金融账户等敏感个人信息")
        if bulk:
            return self._flag(Status.WARN, bulk, value, refs, crawl,
                              "publish(es) people's contact details in bulk", "批量公开了个人联系方式")
        if pii.skipped_budget:
            return self.finding(Status.ERROR, value,
                                message=f"not assessed: {pii.skipped_budget} attachment(s) were not read, the "
                                        "site's attachment budget was spent",
                                message_zh=f"未评估：附件下载量达到预算上限，{pii.skipped_budget} 个附件未读取",
                                evidence=crawl.home_refs, scan_status=ScanStatus.INCOMPLETE)
        if pii.unscanned_count:  # the pass says what it could not cover: a reviewer reads those by hand
            reasons = sorted({u.reason for u in pii.unscanned})
            reasons_zh = "、".join(_REASONS_ZH.get(r, r) for r in reasons)
            return self.finding(
                Status.PASS, value, evidence=crawl.home_refs,
                message=f"no personal data found in {pii.pages_scanned} page(s) and {pii.documents_scanned} "
                        f"attachment(s); {pii.unscanned_count} attachment(s) could not be read "
                        f"({', '.join(reasons)}), see unscanned",
                message_zh=f"在 {pii.pages_scanned} 个网页和 {pii.documents_scanned} 个附件中未发现个人信息；"
                           f"{pii.unscanned_count} 个附件无法读取（{reasons_zh}），"
                           "需人工查看")
        return self.finding(Status.PASS, value, evidence=crawl.home_refs)

    def _flag(self, status: Status, docs: list[PiiDocument], value: dict[str, Any], refs: list[Any],
              crawl: CrawlEvidence, what: str, what_zh: str) -> Finding:
        totals: dict[str, int] = {}
        for d in docs:
            for k, n in d.counts.items():
                totals[k] = totals.get(k, 0) + n
        worst = docs[0]
        return self.finding(
            status, value,
            message=f"{len(docs)} document(s) {what}: {_kinds(totals, False)}; the worst ({worst.severity}): "
                    f"{worst.url}",
            message_zh=f"{len(docs)} 个网页或附件{what_zh}：{_kinds(totals, True)}；最严重的是 {worst.url}",
            evidence=refs or crawl.home_refs)

    @staticmethod
    def _value(pii: PiiEvidence, docs: list[PiiDocument]) -> dict[str, Any]:
        """The flagged documents in full; those with a few contact details (low: the office's
        own phone or e-mail on every page) counted, the first few named."""
        flagged = [d for d in docs if d.severity != "low"]
        low = [d for d in docs if d.severity == "low"]
        low_totals: dict[str, int] = {}
        for d in low:
            for k, n in d.counts.items():
                low_totals[k] = low_totals.get(k, 0) + n
        return {"documents": [_doc(d) for d in flagged[:LISTED]], "documents_found": pii.documents_found,
                "contact_documents": len(low), "contact_totals": low_totals,
                "contact_examples": [{"url": d.url, "counts": dict(d.counts)} for d in low[:5]],
                "totals": dict(pii.totals), "pages_scanned": pii.pages_scanned,
                "attachments_scanned": pii.documents_scanned, "attachment_bytes": pii.bytes_scanned,
                "unscanned": [{"url": u.url, "format": u.format, "reason": u.reason, "detail": u.detail}
                              for u in pii.unscanned[:UNSCANNED_LISTED]],
                "unscanned_count": pii.unscanned_count, "skipped_budget": pii.skipped_budget}
