"""From exceptions to evidence: every way a fetch can fail becomes a ScanStatus and a detail.

Collectors never raise for what a channel does (record, report, continue); this is the one
place that decides what each low-level exception means, so that the same failure gets the
same status whichever collector met it.
"""

from __future__ import annotations

import asyncio
import errno
import ssl

import aiohttp

from mgov.evidence.exchange import ScanStatus


class CollectFailure(Exception):
    """A failure already classified; raised inside the collect layer, caught at its edge."""

    def __init__(self, status: ScanStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _cert_detail(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        message = getattr(cause, "verify_message", None)
        if message:
            return f"certificate verify failed: {message}"
        # aiohttp wraps the ssl error rather than chaining it
        cause = (getattr(cause, "certificate_error", None) or cause.__cause__
                 or cause.__context__)
    return str(exc) or type(exc).__name__


def _oserror(exc: BaseException) -> OSError | None:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno is not None:
            return cause
        cause = getattr(cause, "os_error", None) or cause.__cause__ or cause.__context__
    return None


def classify(exc: BaseException) -> tuple[ScanStatus, str]:
    """The status and a one-line detail for an exception met while talking to a channel."""
    if isinstance(exc, CollectFailure):
        return exc.status, exc.detail
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return ScanStatus.TIMEOUT, str(exc) or "timed out"
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, ssl.SSLCertVerificationError)):
        return ScanStatus.TLS_INVALID, _cert_detail(exc)
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError)):
        return ScanStatus.TLS_INVALID, f"TLS handshake failed: {exc}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return ScanStatus.CONNECTION_RESET, "the server closed the connection without a response"
    if isinstance(exc, aiohttp.ClientResponseError):
        # aiohttp reports unparseable responses as a 400 "Bad message"; say what it was.
        text = str(exc.message)
        if "Got more than" in text or "too long" in text.lower() or "Too many headers" in text:
            return ScanStatus.TOO_LARGE, f"response header too large: {text[:200]}"
        return ScanStatus.HTTP_ERROR, f"not a valid HTTP response: {text[:200]}"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ScanStatus.CONNECTION_RESET, f"body incomplete: {str(exc)[:200]}"
    os_err = _oserror(exc)
    if os_err is not None:
        code = os_err.errno
        if code == errno.ECONNREFUSED:
            return ScanStatus.CONNECTION_REFUSED, "connection refused"
        if code in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
            return ScanStatus.CONNECTION_RESET, f"connection reset ({errno.errorcode[code]})"
        if code == errno.ETIMEDOUT:
            return ScanStatus.TIMEOUT, "connect timed out"
        return ScanStatus.UNKNOWN_ERROR, f"{os_err.strerror or os_err} ({errno.errorcode.get(code or 0, code)})"
    if isinstance(exc, ConnectionResetError) or isinstance(
            getattr(exc, "os_error", None), ConnectionResetError):
        return ScanStatus.CONNECTION_RESET, "connection reset (while connecting or in the TLS handshake)"
    if isinstance(exc, (aiohttp.ClientConnectionError, ConnectionError)):
        return ScanStatus.CONNECTION_RESET, str(exc) or type(exc).__name__
    return ScanStatus.UNKNOWN_ERROR, f"{type(exc).__name__}: {str(exc)[:200]}"
