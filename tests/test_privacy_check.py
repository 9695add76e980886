"""privacy.pii_exposed on evidence built by hand, and the attachments' guarded reader."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from mgov.checks.builtin.personal_data import PiiExposed
from mgov.crawl.documents import DocumentReader
from mgov.evidence.content import ContentSummary
from mgov.evidence.crawl import CrawlEvidence
from mgov.evidence.exchange import ScanStatus, WarcRef
from mgov.evidence.privacy import PiiDocument, PiiEvidence, Unscanned
from mgov.evidence.site import ChannelFacts, SiteEvidence

REF = WarcRef("a.warc.gz", 10, 20)


def _evidence(pii: PiiEvidence | None, **crawl: object) -> SiteEvidence:
    facts = ChannelFacts(kind="website", address="https://www.x.gov.cn", host="www.x.gov.cn", jurisdiction="cn")
    ev = SiteEvidence(channel=facts, collected_at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
    ev.crawl = CrawlEvidence(start_url="https://www.x.gov.cn/", crawled_on=dt.date(2026, 11, 26),
                             content=_summary(), pii=pii, **crawl)
    return ev


def _summary() -> ContentSummary:
    """A content summary of nothing (the check reads none of it)."""
    import dataclasses

    fields = {f.name: None for f in dataclasses.fields(ContentSummary) if f.default is dataclasses.MISSING
              and f.default_factory is dataclasses.MISSING}
    return ContentSummary(**fields)


def _doc(url: str, severity: str, **counts: int) -> PiiDocument:
    return PiiDocument(url=url, format="xlsx", counts=counts, samples={k: ["1101**********1234"] for k in counts},
                       severity=severity, score=10.0 * sum(counts.values()), rows=counts.get("name", 0), ref=REF)


def test_a_list_of_id_numbers_fails_with_the_worst_first():
    pii = PiiEvidence(pages_scanned=12, documents_scanned=2)
    pii.add(_doc("https://www.x.gov.cn/b.html", "low", email=1))
    pii.add(_doc("https://www.x.gov.cn/a.xlsx", "critical", cn_id=40, cn_mobile=32, name=40))
    pii.add(_doc("https://www.x.gov.cn/c.pdf", "high", cn_id=2))
    f = PiiExposed().run(_evidence(pii))
    assert f.status.value == "fail" and f.evidence == [REF, REF]
    docs = f.value["documents"]
    assert [d["url"] for d in docs] == ["https://www.x.gov.cn/a.xlsx", "https://www.x.gov.cn/c.pdf"]
    assert docs[0]["counts"] == {"cn_id": 40, "cn_mobile": 32, "name": 40} and f.value["contact_documents"] == 1
    assert "42 resident ID numbers" in f.message and "居民身份证号码 42 个" in f.message_zh
    assert "a.xlsx" in f.message


def test_contacts_in_bulk_warn_and_a_few_pass():
    pii = PiiEvidence()
    pii.add(_doc("https://www.x.gov.cn/list.html", "medium", cn_mobile=12, name=12))
    assert PiiExposed().run(_evidence(pii)).status.value == "warn"
    few = PiiEvidence()
    few.add(_doc("https://www.x.gov.cn/contact.html", "low", cn_landline=1, email=1))
    f = PiiExposed().run(_evidence(few))
    assert f.status.value == "pass" and f.value["contact_totals"] == {"cn_landline": 1, "email": 1}


def test_unread_documents_are_named_and_a_spent_budget_is_not_assessed():
    pii = PiiEvidence()
    pii.not_scanned(Unscanned("https://www.x.gov.cn/a.doc", "doc", "unsupported", "no reader for doc files here"))
    f = PiiExposed().run(_evidence(pii))
    assert f.status.value == "pass" and f.value["unscanned"][0]["reason"] == "unsupported"
    assert "1 attachment(s) could not be read (unsupported)" in f.message  # the pass says what it left out
    assert "1 个附件无法读取（格式不支持）" in f.message_zh
    pii.skipped_budget = 3
    f = PiiExposed().run(_evidence(pii))
    assert f.status.value == "error" and f.scan_status is ScanStatus.INCOMPLETE
    assert PiiExposed().run(_evidence(None)).status.value == "error"


def test_the_reader_process_stops_a_document_at_its_cpu_limit_and_goes_on():
    from mgov.demo.farm.pdfwrite import write_pdf

    big = write_pdf([f"{k} 王伟 11010519491231002X 13800138000 城关镇" for k in range(20_000)])
    small = write_pdf(["1 王伟 11010519491231002X 13800138000 城关镇"])

    async def main() -> tuple:
        reader = DocumentReader(cpu_seconds=0.2)
        try:
            slow = await reader.read("https://x/big.pdf", "pdf", big, REF, None)
            fine = await reader.read("https://x/small.pdf", "pdf", small, REF, None)
        finally:
            reader.close()
        return slow, fine

    slow, fine = asyncio.run(main())
    assert slow.unscanned is not None and slow.unscanned.reason == "timeout" and slow.unscanned.ref == REF
    assert fine.found is not None and fine.found.counts["cn_id"] == 1
    assert fine.found.samples["cn_id"] == ["1101**********002X"]


def test_a_read_cancelled_mid_answer_never_gives_its_answer_to_the_next_document():
    """A crawl's time budget cancels a read while the reader works: the next read must get its
    own document's result, not the cancelled one's (the reader is shared by the whole run)."""
    from mgov.demo.farm.pdfwrite import write_pdf

    big = write_pdf([f"{k} 王伟 11010519491231002X 13800138000 城关镇" for k in range(3_000)])
    clean = b"<html><body><p>office hours 9:00-17:00</p></body></html>"

    async def main() -> tuple:
        reader = DocumentReader(cpu_seconds=30)
        try:
            task = asyncio.create_task(reader.read("https://x/big.pdf", "pdf", big, REF, None))
            await asyncio.sleep(0.3)  # the reader is at work on it
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            after = await reader.read("https://x/clean.html", "html", clean, REF, None)
        finally:
            reader.close()
        return after, reader.restarts

    after, restarts = asyncio.run(main())
    assert after.found is None and after.unscanned is None and after.format == "html", after
    assert restarts == 1
