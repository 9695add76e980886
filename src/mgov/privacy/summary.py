"""A document's hits folded into what a finding may show: counts per kind, a few masked
samples, the rows that name a person, a severity.

Severity (docs/privacy.md): **critical** 10 or more sensitive identifiers (resident ID,
bank card, SSN, passport) in one document, a published list; **high** 1 to 9 of them;
**medium** people's contact details in bulk: 3 or more table rows with a name beside a phone
or e-mail, or 10 or more mobile numbers and e-mail addresses; **low** a few phone numbers or
e-mail addresses, which an office publishes to be reached.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from mgov.evidence.exchange import WarcRef
from mgov.evidence.privacy import PiiDocument
from mgov.privacy.detect import Detection, find
from mgov.privacy.extract import html_text
from mgov.privacy.kinds import SENSITIVE, WEIGHTS, Kind
from mgov.privacy.mask import mask

SAMPLES = 3  # masked values shown per kind
BULK = 10  # sensitive identifiers in one document from which it is a published list
CONTACT_ROWS = 3  # rows naming a person beside a contact detail: a list of people
CONTACT_BULK = 10  # mobile numbers and e-mail addresses in one document


def severity(counts: dict[str, int], rows: int) -> str:
    sensitive = sum(counts.get(k.value, 0) for k in SENSITIVE)
    if sensitive >= BULK:
        return "critical"
    if sensitive:
        return "high"
    contacts = counts.get(Kind.CN_MOBILE.value, 0) + counts.get(Kind.EMAIL.value, 0)
    if rows >= CONTACT_ROWS or contacts >= CONTACT_BULK:
        return "medium"
    return "low"


def summarize(url: str, fmt: str, found: Detection, *, ref: WarcRef | None = None,
              partial: str | None = None) -> PiiDocument | None:
    """The document's summary, or None when nothing was found."""
    if not found.hits:
        return None
    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = {}
    for hit in found.hits:
        counts[hit.kind.value] += 1
        shown = samples.setdefault(hit.kind.value, [])
        masked = mask(hit.kind, hit.value)
        if len(shown) < SAMPLES and masked not in shown:
            shown.append(masked)
    score = round(sum(WEIGHTS[Kind(k)] * n for k, n in counts.items()), 1)
    return PiiDocument(url=url, format=fmt, counts=dict(counts), samples=samples,
                       severity=severity(counts, found.rows), score=score, rows=found.rows, ref=ref,
                       partial=partial)


def scan_text(url: str, fmt: str, text: str, *, ref: WarcRef | None = None, partial: str | None = None,
              today: dt.date | None = None) -> PiiDocument | None:
    """find() and summarize() in one."""
    return summarize(url, fmt, find(text, today=today), ref=ref, partial=partial)


def scan_page(url: str, markup: str, *, ref: WarcRef | None = None, today: dt.date | None = None) -> PiiDocument | None:
    """An HTML page's visible text scanned (privacy.extract.html_text)."""
    return scan_text(url, "html", html_text(markup), ref=ref, today=today)
