"""What the crawl's personal-data scan hands the checks: per document, counts and masked
samples, never a value as published (mgov.privacy.mask made every sample)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mgov.evidence.exchange import WarcRef

# The kinds of personal data (mgov.privacy.kinds.Kind's values) in the words findings use.
KIND_WORDS: dict[str, tuple[str, str]] = {
    "cn_id": ("resident ID numbers", "居民身份证号码"),
    "cn_mobile": ("mobile numbers", "手机号码"),
    "cn_landline": ("landline numbers", "固定电话号码"),
    "bank_card": ("bank card numbers", "银行卡号"),
    "us_ssn": ("Social Security numbers", "美国社会安全号码"),
    "passport": ("passport numbers", "护照号码"),
    "email": ("e-mail addresses", "电子邮箱地址"),
    "name": ("names beside them", "同行姓名"),
}
DOCUMENTS_KEPT = 100  # documents with personal data listed; the worst first
UNSCANNED_KEPT = 50  # documents not scanned (too large, unreadable, over budget) listed


@dataclass(frozen=True)
class PiiDocument:
    """One page or attachment in which personal data was found."""

    url: str
    format: str  # html | pdf | docx | xlsx | xls | csv | doc | wps | et | text
    counts: dict[str, int]  # kind (mgov.privacy.kinds.Kind) -> values found
    samples: dict[str, list[str]]  # kind -> a few masked values
    severity: str  # critical | high | medium | low
    score: float  # sum of count x weight: the order of documents in a finding
    rows: int = 0  # table rows where a name sits beside another value
    ref: WarcRef | None = None  # the archived original (readable by roles that may see evidence)
    partial: str | None = None  # why only part of the text was read (size, time, text cap)


@dataclass(frozen=True)
class Unscanned:
    """A linked document whose text could not be read: the reason says why."""

    url: str
    format: str
    reason: str  # too_large | budget | unreadable | unsupported | timeout | failed
    detail: str = ""
    ref: WarcRef | None = None


@dataclass
class PiiEvidence:
    """The scan of one site's crawled pages and attachments: bounded, whatever the site."""

    pages_scanned: int = 0
    documents_scanned: int = 0  # attachments whose text was read
    documents_found: int = 0  # pages and attachments with any personal data (all, not only those kept)
    bytes_scanned: int = 0  # attachment bytes read
    documents: list[PiiDocument] = field(default_factory=list)  # at most DOCUMENTS_KEPT, worst first
    unscanned: list[Unscanned] = field(default_factory=list)  # at most UNSCANNED_KEPT
    unscanned_count: int = 0
    skipped_budget: int = 0  # attachments not fetched: the site's attachment budget was spent
    totals: dict[str, int] = field(default_factory=dict)  # kind -> values over every document

    def add(self, doc: PiiDocument) -> None:
        """Keep doc among the worst DOCUMENTS_KEPT (totals count every document)."""
        self.documents_found += 1
        for kind, n in doc.counts.items():
            self.totals[kind] = self.totals.get(kind, 0) + n
        self.documents.append(doc)
        if len(self.documents) > DOCUMENTS_KEPT:
            self.documents.sort(key=_worst_first)
            del self.documents[DOCUMENTS_KEPT:]

    def not_scanned(self, item: Unscanned) -> None:
        self.unscanned_count += 1
        if len(self.unscanned) < UNSCANNED_KEPT:
            self.unscanned.append(item)

    def ordered(self) -> list[PiiDocument]:
        return sorted(self.documents, key=_worst_first)


SEVERITIES = ("critical", "high", "medium", "low")


def _worst_first(doc: PiiDocument) -> tuple[int, float, str]:
    return SEVERITIES.index(doc.severity), -doc.score, doc.url
