"""What one fetch, DNS lookup or TLS handshake showed, and where its archived record is.

Every HTTP exchange carries the references of its WARC records, so a finding can point at
the exact bytes it judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mgov.evidence.budget import Flattened


class ScanStatus(StrEnum):
    """Why evidence could not be had (after GSA Site Scanning's taxonomy)."""

    DNS_ERROR = "dns_error"  # the name does not exist or has no address: the site's defect
    DNS_UNRESOLVED = "dns_unresolved"  # mgov got no answer (timeouts, SERVFAIL): unverified, not the site's fault
    TIMEOUT = "timeout"
    TLS_INVALID = "tls_invalid"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION_RESET = "connection_reset"
    HTTP_ERROR = "http_error"  # the server answered something that is not valid HTTP
    BLOCKED_BY_WAF = "blocked_by_waf"
    TOO_LARGE = "too_large"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BLOCKED_ADDRESS = "blocked_address"  # the SSRF guard refused a private/loopback target
    INCOMPLETE = "incomplete"  # a crawl stopped at a budget before reaching what the check needs
    UNKNOWN_ERROR = "unknown_error"


@dataclass(frozen=True)
class WarcRef:
    """Where a WARC record is: file name (relative to the archive directory), offset, length."""

    file: str
    offset: int
    length: int

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "offset": self.offset, "length": self.length}


@dataclass
class Exchange:
    """One HTTP request and its response (or the error that replaced the response)."""

    url: str
    method: str = "GET"
    status: int | None = None
    reason: str | None = None
    http_version: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)  # response headers, in order
    body: bytes = b""  # at most the body cap; see truncated
    truncated: bool = False
    charset: str | None = None  # what the text was decoded with: what the bytes really are
    # The declaration browsers follow (WHATWG: a BOM, else the Content-Type charset when it is
    # a label they know, else the first known <meta> charset) and where it is: "bom", "header",
    # "meta", or None when the page declares none. charset_labels: every label as written,
    # {"header": "gbk2312", "meta": "utf-8"}, the ones browsers ignore included.
    declared_charset: str | None = None
    charset_declared_in: str | None = None
    charset_labels: dict[str, str] = field(default_factory=dict)
    # The bytes do not decode with the declared charset but do with `charset`: visitors see
    # garbled text (collect.charset decides on a bounded window of the body).
    charset_mismatch: bool = False
    # Byte sequences in that window that the charset browsers use (declared, else `charset`)
    # cannot decode: each one a U+FFFD on the visitor's screen.
    charset_errors: int = 0
    text: str | None = None  # decoded body for text/* and HTML, else None
    # The page nested deeper than browsers build: its text is flattened past that depth for
    # every parser (evidence.budget; the body and the archive keep the page as received).
    flattened: Flattened | None = None
    peer: str | None = None  # the IP address connected to
    # Timings, measured in the exchange's own task from the connection's start: mgov's queues
    # and DNS are not in them, nor the stall mgov's own event loop was in when the answer came
    # (a busy scanner sees an answer late: collect.lag).
    elapsed_ms: float | None = None  # to the last byte
    ttfb_ms: float | None = None  # to the response head
    dns_ms: float | None = None  # resolving the host, apart
    lag_ms: float | None = None  # how late mgov's loop ran during the exchange (in all)
    error: ScanStatus | None = None
    error_detail: str | None = None
    request_ref: WarcRef | None = None
    response_ref: WarcRef | None = None
    # Set when the certificate did not verify and, because the scan allows it
    # (CollectSettings.tls_fallback), the response was fetched without verification.
    tls_error: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of a response header, case-insensitively."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def header_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    @property
    def refs(self) -> list[WarcRef]:
        return [r for r in (self.request_ref, self.response_ref) if r is not None]


@dataclass
class Fetch:
    """A URL followed through its redirects: every hop is an Exchange."""

    start_url: str
    exchanges: list[Exchange] = field(default_factory=list)
    error: ScanStatus | None = None  # set when the chain itself failed (loop, too many hops)
    error_detail: str | None = None

    @property
    def final(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    @property
    def final_url(self) -> str | None:
        return self.final.url if self.final else None

    @property
    def status(self) -> ScanStatus | None:
        """The failure of this fetch, if any: the chain's, else the last hop's."""
        if self.error:
            return self.error
        return self.final.error if self.final else ScanStatus.UNKNOWN_ERROR

    @property
    def ok(self) -> bool:
        """A response arrived at the end of the chain (of any HTTP status)."""
        return self.status is None and self.final is not None and self.final.status is not None

    @property
    def refs(self) -> list[WarcRef]:
        return [r for ex in self.exchanges for r in ex.refs]


@dataclass
class DnsAnswer:
    name: str
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    cname: list[str] = field(default_factory=list)
    error: ScanStatus | None = None  # dns_error when the name does not resolve at all
    error_detail: str | None = None
    ref: WarcRef | None = None  # the WARC metadata record holding this answer
    # Record types no server answered for (lost, SERVFAIL) while the other type resolved: an
    # empty `aaaa` with "AAAA" here is mgov's failure to observe, not a missing record.
    unresolved: list[str] = field(default_factory=list)


@dataclass
class TlsFacts:
    """What a TLS handshake showed, through the ssl module. Datetimes are timezone-aware (UTC)."""

    host: str
    port: int
    peer: str | None = None
    protocol: str | None = None  # e.g. TLSv1.3
    cipher: str | None = None
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    subject: str | None = None
    issuer: str | None = None
    san: list[str] = field(default_factory=list)
    chain_pem: list[str] = field(default_factory=list)
    verified: bool = False  # chain verifies against the trust store and the host matches
    verify_error: str | None = None
    hostname_match: bool | None = None
    self_signed: bool | None = None
    error: ScanStatus | None = None  # no handshake at all (refused, timeout, not TLS)
    error_detail: str | None = None
    # Protocol versions the server accepted when offered alone, e.g. {"TLSv1": False, ...}.
    accepted_protocols: dict[str, bool] = field(default_factory=dict)
    ref: WarcRef | None = None  # the WARC metadata record holding these facts and the chain
