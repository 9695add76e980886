"""read_document: one attachment's bytes to its personal-data summary, or the reason it could
not be read. What the crawl's document process runs (crawl.documents), and a bench."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mgov.evidence.exchange import WarcRef
from mgov.evidence.privacy import PiiDocument, Unscanned
from mgov.privacy.extract import Unsupported, extract, sniff
from mgov.privacy.summary import scan_text


@dataclass(frozen=True)
class DocumentResult:
    format: str
    found: PiiDocument | None = None  # personal data found (masked samples only)
    unscanned: Unscanned | None = None  # the text could not be read


def read_document(url: str, hint: str, data: bytes, ref: WarcRef | None = None,
                  today: dt.date | None = None) -> DocumentResult:
    """Never raises for what the file holds. A reader's error is reported by its class name
    alone: messages of parsers may quote the file's content."""
    try:
        fmt = sniff(data, hint)
    except Exception as exc:  # noqa: BLE001 - a hostile file is reported, never raised
        return DocumentResult(hint or "unknown", unscanned=Unscanned(url, hint or "unknown", "unreadable",
                                                                    type(exc).__name__, ref))
    try:
        got = extract(data, hint)
    except Unsupported as exc:
        return DocumentResult(fmt, unscanned=Unscanned(url, fmt, "unsupported", str(exc), ref))
    except MemoryError:
        return DocumentResult(fmt, unscanned=Unscanned(url, fmt, "too_large", "reading it needed more memory "
                                                       "than the reader may use", ref))
    except Exception as exc:  # noqa: BLE001 - a broken or hostile file is reported, never raised
        return DocumentResult(fmt, unscanned=Unscanned(url, fmt, "unreadable", type(exc).__name__, ref))
    return DocumentResult(got.format, found=scan_text(url, got.format, got.text, ref=ref, partial=got.partial,
                                                      today=today))
