"""The site's attachments a crawl fetches for the personal-data scan: which links they are,
and the budget of bytes they may cost (per file and per site).

A document is a same-site link whose path ends in one of DOCUMENT_EXTENSIONS. It is fetched
with GET (so it is archived like a page), its outcome is its link outcome (no HEAD besides),
and its body is capped at the per-file size: a longer one is cut there, and reported as too
large rather than read in part (a PDF's or XLSX's table of contents is at its end). Two
documents of a site are fetched at a time, so a site's pages keep flowing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mgov.collect.client import HttpClient
from mgov.evidence.exchange import Fetch

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "csv", "et", "wps")
IN_FLIGHT = 2  # documents of one site fetched (and held in memory) at once


def document_extension(url: str) -> str | None:
    """The document extension of url's path ("pdf", "xlsx"...), or None."""
    path = url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1].lower()
    ext = path.rsplit(".", 1)[-1] if "." in path else ""
    return ext if ext in DOCUMENT_EXTENSIONS else None


@dataclass
class CrawledDocument:
    """An attachment of the site as fetched."""

    url: str  # canonical
    extension: str  # "pdf", "xlsx", ...: the URL's, a hint for the reader
    fetch: Fetch  # its exchanges; .final holds the body (at most the per-file size)

    @property
    def too_large(self) -> bool:
        final = self.fetch.final
        return final is not None and final.truncated


@dataclass
class Fetched:
    document: CrawledDocument
    size: int  # bytes of the body kept

    @property
    def usable(self) -> bool:
        """A body that answered 2xx (the sink reads it, or reports it too large)."""
        final = self.document.fetch.final
        return final is not None and final.status is not None and 200 <= final.status < 300


class Attachments:
    """One site's attachment fetches within its budget."""

    def __init__(self, client: HttpClient, max_size: int, max_bytes: int) -> None:
        self.client, self.max_size, self.max_bytes = client, max_size, max_bytes
        self.bytes = 0
        # Held from the fetch until the sink has read the body: the bodies in memory are bounded.
        self.slots = asyncio.Semaphore(IN_FLIGHT)

    def spent(self) -> bool:
        return self.bytes >= self.max_bytes

    async def fetch(self, url: str) -> Fetched:
        fetch = await self.client.fetch(url, cap=self.max_size)
        final = fetch.final
        size = len(final.body) if final is not None else 0
        self.bytes += size
        return Fetched(CrawledDocument(url, document_extension(url) or "", fetch), size)
