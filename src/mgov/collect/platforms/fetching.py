"""How an adapter asks a platform: through the collect client, at the platform's pace.

Every request goes through `CollectContext.client` (routing, the SSRF guard, the body caps,
WARC archiving); a `Reader` keeps the WARC references of one capture. Politeness is per
platform host and shared by every capture of a run (20,000 accounts on one m.weibo.cn):
requests to one host are spaced `CollectSettings.platform_rate` a second apart, and a host
that answers 429/503 (or Weibo's 418, a 403) with Retry-After is waited for when the wait is
short (`RETRY_WAIT`, then asked once more) and otherwise left alone until then: every
capture on it meanwhile is UNREACHABLE at once, without a request. An answer mgov cannot
use (a refusal, a sign-in wall's HTML instead of JSON, malformed or cut JSON) is UNREACHABLE,
never NOT_FOUND: only the platform's own "no such account" is the account's fact.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from weakref import WeakKeyDictionary

from yarl import URL

from mgov.collect.client import OFF_LOOP_BYTES, HttpClient
from mgov.collect.pace import Pacer
from mgov.collect.platforms.base import AccountCapture
from mgov.collect.site import CollectContext
from mgov.collect.warc import ArchiveError
from mgov.evidence.exchange import Exchange, WarcRef
from mgov.evidence.newmedia import CaptureStatus

JSON_ACCEPT = "application/json, text/plain;q=0.5, */*;q=0.1"
RETRY_WAIT = 10.0  # seconds a Retry-After is waited for; a longer one leaves the host alone
DEFAULT_HOLD = 60.0  # a 429 without Retry-After: the host is left alone this long
MAX_HOLD = 24 * 3600.0
_REFUSALS = {401: "asks to sign in", 403: "refused (an anti-crawler wall?)",
             418: "refused (Weibo's anti-crawler answer)", 429: "too many requests"}


class PlatformFailure(Exception):
    """The platform did not answer usably (UNREACHABLE) or said the account is gone (NOT_FOUND)."""

    def __init__(self, status: CaptureStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class HostPace:
    """Requests to one host spaced 1/rate apart (between actual sends: a stalled loop releases
    no burst), and hosts that asked for a pause (Retry-After) left alone until it ends."""

    def __init__(self, rate: float, pacer: Pacer | None = None) -> None:
        self.gap = 1.0 / max(rate, 0.01)
        self.pacer = pacer  # the same spacing across a cluster's workers (collect.pace)
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._held: dict[str, float] = {}  # host -> monotonic time it may be asked again

    def hold(self, host: str, seconds: float) -> None:
        until = time.monotonic() + min(max(seconds, 0.0), MAX_HOLD)
        self._held[host] = max(self._held.get(host, 0.0), until)

    def _check_held(self, host: str) -> float:
        left = self._held.get(host, 0.0) - time.monotonic()
        if left > RETRY_WAIT:
            again = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=left)
            raise PlatformFailure(CaptureStatus.UNREACHABLE,
                                  f"{host} asked mgov to wait (Retry-After): not asked again before "
                                  f"{again:%Y-%m-%d %H:%M:%S} UTC")
        return max(left, 0.0)

    async def wait(self, host: str) -> None:
        self._check_held(host)
        async with self._locks.setdefault(host, asyncio.Lock()):  # FIFO: requests leave in order
            left = self._check_held(host)
            last = self._last.get(host)
            if last is not None:
                left = max(left, last + self.gap - time.monotonic())
            if left > 0:
                await asyncio.sleep(left)
            if self.pacer is not None:
                await self.pacer.space(f"platform:{host}", self.gap)
            self._last[host] = time.monotonic()


_PACES: WeakKeyDictionary[HttpClient, HostPace] = WeakKeyDictionary()


def pace_of(ctx: CollectContext) -> HostPace:
    """The run's pace (one per client, so every capture of a run shares it)."""
    pace = _PACES.get(ctx.client)
    if pace is None:
        pace = _PACES[ctx.client] = HostPace(ctx.settings.platform_rate, ctx.client.pacer)
    return pace


def retry_after(ex: Exchange) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    value = (ex.header("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class Reader:
    """One capture's requests: paced, checked, and their WARC records remembered."""

    def __init__(self, ctx: CollectContext) -> None:
        self.ctx = ctx
        self.pace = pace_of(ctx)
        self.refs: list[WarcRef] = []

    async def get(self, url: str, *, accept: str | None = None,
                  missing: tuple[int, ...] = (404, 410)) -> Exchange:
        """GET url (redirects followed); the final exchange with a 2xx status. Raises
        PlatformFailure: NOT_FOUND for a status in `missing`, else UNREACHABLE."""
        host = (URL(url).host or "").lower()
        for attempt in (0, 1):
            await self.pace.wait(host)
            fetch = await self.ctx.client.fetch(url, accept=accept)
            self.refs.extend(fetch.refs)
            ex = fetch.final
            if not fetch.ok or ex is None or ex.status is None:
                raise PlatformFailure(CaptureStatus.UNREACHABLE,
                                      f"{url}: {fetch.status}: {_detail(fetch.error_detail, ex)}")
            status = ex.status
            if 200 <= status < 300:
                return ex
            if status in missing:
                raise PlatformFailure(CaptureStatus.NOT_FOUND, f"{url} answered HTTP {status}")
            wait = retry_after(ex)
            if status in (403, 418, 429, 503) and (wait is not None or status == 429):
                wait = DEFAULT_HOLD if wait is None else wait
                self.pace.hold(host, wait)
                if wait <= RETRY_WAIT and attempt == 0:
                    continue  # the pace sleeps the pause out, then once more
                raise PlatformFailure(CaptureStatus.UNREACHABLE,
                                      f"{url} answered HTTP {status} ({_REFUSALS.get(status, 'unavailable')}) "
                                      f"asking mgov to wait {wait:g} s (Retry-After)")
            raise PlatformFailure(CaptureStatus.UNREACHABLE,
                                  f"{url} answered HTTP {status} ({_REFUSALS.get(status, 'not usable')})")
        raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{url}: no usable answer")  # not reached

    async def get_json(self, url: str, *, accept: str = JSON_ACCEPT,
                       missing: tuple[int, ...] = (404, 410)) -> tuple[Any, Exchange]:
        """GET url and read its JSON. An HTML page instead (a sign-in or verification wall,
        Weibo's passport redirect), malformed or cut JSON: UNREACHABLE, saying which."""
        ex = await self.get(url, accept=accept, missing=missing)
        return await read_json(ex), ex


async def read_json(ex: Exchange) -> Any:
    where = ex.url
    if ex.truncated:
        raise PlatformFailure(CaptureStatus.UNREACHABLE,
                              f"{where}: the answer was cut at the body cap ({len(ex.body)} bytes): not read")
    head = ex.body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    content_type = (ex.header("Content-Type") or "").lower()
    if head == b"<" or ("html" in content_type and head not in (b"{", b"[")):
        raise PlatformFailure(CaptureStatus.UNREACHABLE,
                              f"{where} answered an HTML page instead of JSON (a sign-in or verification wall?)")
    try:
        if len(ex.body) > OFF_LOOP_BYTES:  # parsing a large answer is CPU work: not on the shared loop
            return await asyncio.to_thread(json.loads, ex.body)
        return json.loads(ex.body)
    except (ValueError, RecursionError) as exc:
        raise PlatformFailure(CaptureStatus.UNREACHABLE, f"{where}: malformed JSON: {exc}") from exc


def _detail(detail: str | None, ex: Exchange | None) -> str:
    return detail or (ex.error_detail if ex is not None and ex.error_detail else "no answer")


async def guarded_capture(reader: Reader, work: Callable[[], Awaitable[AccountCapture]]) -> AccountCapture:
    """Run one capture: a PlatformFailure becomes its status, anything unexpected ERROR (record,
    report, continue); either way the WARC records written so far are kept."""
    try:
        capture = await work()
    except ArchiveError:
        raise  # the run's failure, not the account's
    except PlatformFailure as failure:
        capture = AccountCapture(status=failure.status, error=failure.detail)
    except Exception as exc:  # noqa: BLE001 - one broken account must not stop the run
        capture = AccountCapture(status=CaptureStatus.ERROR, error=f"{type(exc).__name__}: {exc}")
    capture.warc = list(reader.refs)
    return capture


def within(published: dt.datetime | None, start: dt.datetime) -> bool:
    """A post inside the window (an undated post counts: it cannot be told outside)."""
    return published is None or published >= start


def window_start(now: dt.datetime, days: int) -> dt.datetime:
    return now.astimezone(dt.UTC) - dt.timedelta(days=days)
