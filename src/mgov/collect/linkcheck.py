"""Link outcomes: one class per link target, from a fetch the crawler made or a check.

`classify_fetch` is the one judgement of a Fetch, shared by the crawler (its own page
fetches) and the `LinkChecker` (HEAD, then GET when HEAD is refused or fails), so a page
and a link to it cannot get different verdicts. The checker is shared by a whole run:
each target is requested once per run, however many sites and pages link to it and
however many ask at the same moment.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from mgov.collect.client import HttpClient
from mgov.collect.warc import ArchiveError
from mgov.evidence.exchange import Exchange, Fetch, ScanStatus, WarcRef
from mgov.evidence.urls import canonical

OutcomeClass = Literal["ok", "redirect", "4xx", "5xx", "timeout", "dns", "tls", "connection",
                       "soft404", "error"]
OUTCOMES: tuple[OutcomeClass, ...] = ("ok", "redirect", "4xx", "5xx", "timeout", "dns", "tls",
                                      "connection", "soft404", "error")
DEAD: frozenset[str] = frozenset({"4xx", "5xx", "timeout", "dns", "tls", "connection", "soft404"})
# HEAD answers that say "not HEAD" rather than "not here": ask again with GET.
HEAD_REFUSED = frozenset({400, 403, 405, 501})
# Failures that a GET cannot change: the name does not resolve, or the guard refuses it.
_NO_RETRY = frozenset({ScanStatus.DNS_ERROR, ScanStatus.BLOCKED_ADDRESS})
_FAILURE: dict[ScanStatus, OutcomeClass] = {
    ScanStatus.DNS_ERROR: "dns", ScanStatus.TIMEOUT: "timeout", ScanStatus.TLS_INVALID: "tls",
    ScanStatus.CONNECTION_REFUSED: "connection", ScanStatus.CONNECTION_RESET: "connection"}
# Soft 404: an error page served with 200. Judged on the title and the first heading only:
# body text mentioning "404" is too common to mean anything. A bare 404 is also a number
# ("目录（404）", the 404th list page): it counts only beside an error word or alone.
_NOT_FOUND = re.compile(r"not\s+found|页面不存在|找不到|页面未找到", re.IGNORECASE)
_CODE_404 = re.compile(r"(?<![0-9])404(?![0-9])")
_ERROR_WORD = re.compile(r"error|错误|出错|页面|\bpage\b|不存在", re.IGNORECASE)
_PUNCT = re.compile(r"[\W_]+")
_TITLE = re.compile(r"<title\b[^>]*>(.{0,1000}?)</title", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h([1-3])\b[^>]*>(.{0,1000}?)</h\1", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
SNIFF_BYTES = 65536  # where a title and first heading are looked for
_HOME_PATHS = frozenset({"/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp",
                         "/index.php", "/index.asp", "/index.aspx", "/default.aspx",
                         "/default.asp", "/default.htm", "/default.html"})


@dataclass(frozen=True)
class LinkOutcome:
    url: str  # the link target, canonical
    outcome: OutcomeClass
    status: int | None = None  # the last HTTP status of the chain, if any arrived
    final_url: str | None = None
    detail: str | None = None
    ref: WarcRef | None = None  # the final response's WARC record

    @property
    def dead(self) -> bool:
        return self.outcome in DEAD


def is_html(ex: Exchange) -> bool:
    """HTML by Content-Type, or (no usable type) by the first bytes of its text."""
    mime = (ex.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if "html" in mime:
        return True
    if mime and mime not in ("text/plain", "application/octet-stream"):
        return False
    head = (ex.text or "")[:1024].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or "<html" in head


def _strip(fragment: str) -> str:
    return " ".join(_TAG.sub(" ", fragment).split())


def not_found_page(text: str) -> str | None:
    """Why an HTML page answering 200 is an error page (its title or first heading says
    404 / not found / 页面不存在 / 找不到 / 页面未找到), or None."""
    head = text[:SNIFF_BYTES]
    for label, match, group in (("title", _TITLE.search(head), 1),
                                ("heading", _HEADING.search(head), 2)):
        if match is not None:
            words = _strip(match.group(group))
            if _NOT_FOUND.search(words) or (_CODE_404.search(words) and (
                    _ERROR_WORD.search(words) or not _PUNCT.sub("", _CODE_404.sub("", words)))):
                return f"{label} says {words[:80]!r}"
    return None


def _bare_host(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _to_homepage(start: str, final: str) -> bool:
    """A deep link that lands on its site's homepage: the page it named is gone."""
    try:
        a, b = urlsplit(start), urlsplit(final)
    except ValueError:
        return False
    deep = (a.path not in _HOME_PATHS) or bool(a.query)
    return (deep and b.path in _HOME_PATHS and not b.query
            and _bare_host((a.hostname or "").lower()) == _bare_host((b.hostname or "").lower()))


def classify_fetch(url: str, fetch: Fetch, *, excuse_tls: bool = False) -> LinkOutcome:
    """The outcome class of a link target from a fetch of it (redirects followed).

    excuse_tls: judge a response fetched past an untrusted certificate by its status, as
    for the crawled site's own pages: its certificate is the TLS checks' finding, and
    calling every page of the site a dead link would only repeat it."""
    final = fetch.final
    if final is None:
        return LinkOutcome(url, "error", detail=fetch.error_detail or "nothing fetched")
    ref, status, final_url = final.response_ref, final.status, final.url
    if fetch.error is not None:  # the chain itself: a loop or too many hops
        return LinkOutcome(url, "error", status, final_url, fetch.error_detail or fetch.error.value, ref)
    if status is None:
        cls = _FAILURE.get(final.error or ScanStatus.UNKNOWN_ERROR, "error")
        return LinkOutcome(url, cls, None, final_url, final.error_detail, ref)
    untrusted = next((ex.tls_error for ex in fetch.exchanges if ex.tls_error), None)
    if untrusted and not excuse_tls:  # fetched only because the scan allows it; a browser would stop here
        return LinkOutcome(url, "tls", status, final_url, untrusted, ref)
    if 200 <= status < 300:
        hops = len(fetch.exchanges) > 1
        if hops and _to_homepage(fetch.start_url, final_url):
            return LinkOutcome(url, "soft404", status, final_url,
                               "a deep link redirected to the homepage", ref)
        if final.method == "GET" and final.text and is_html(final):
            reason = not_found_page(final.text)
            if reason is not None:
                return LinkOutcome(url, "soft404", status, final_url, reason, ref)
        return LinkOutcome(url, "redirect" if hops else "ok", status, final_url, None, ref)
    if 400 <= status < 500:
        return LinkOutcome(url, "4xx", status, final_url, final.reason, ref)
    if 500 <= status < 600:
        return LinkOutcome(url, "5xx", status, final_url, final.reason, ref)
    detail = f"HTTP {status} {final.reason or ''}".strip()
    return LinkOutcome(url, "error", status, final_url, detail, ref)


def excused(outcome: LinkOutcome) -> LinkOutcome:
    """A "tls" outcome of the crawled site's own URL judged by its HTTP status instead
    (see classify_fetch's excuse_tls)."""
    status = outcome.status
    if outcome.outcome != "tls" or status is None:
        return outcome
    cls: OutcomeClass = "ok" if 200 <= status < 400 else "4xx" if status < 500 else "5xx" if status < 600 else "error"
    return LinkOutcome(outcome.url, cls, status, outcome.final_url, None if cls == "ok" else outcome.detail,
                       outcome.ref)


def _needs_get(head: Fetch) -> bool:
    final = head.final
    if final is None:
        return True
    if final.status is None:
        return final.error not in _NO_RETRY
    return final.status in HEAD_REFUSED


class LinkChecker:
    """Checks link targets for a whole run: each URL once, concurrent askers share it."""

    def __init__(self, client: HttpClient, *, cache_size: int = 200_000) -> None:
        self._client = client
        self._cache_size = cache_size
        self._cache: OrderedDict[str, LinkOutcome] = OrderedDict()  # LRU, bounded
        self._inflight: dict[str, asyncio.Task[LinkOutcome]] = {}
        self.checks = 0  # URLs actually checked (requests made), for statistics and tests
        self.hits = 0  # answers given from the cache or a check already in flight

    async def check(self, url: str) -> LinkOutcome:
        """The outcome of url; never raises for what the target does."""
        key = canonical(url) or url
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return cached
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._run(key))
            self._inflight[key] = task
            task.add_done_callback(lambda t: self._settle(key, t))
        else:
            self.hits += 1
        # Shielded: one asker cancelled must not cancel the check the others wait for.
        return await asyncio.shield(task)

    def _settle(self, key: str, task: asyncio.Task[LinkOutcome]) -> None:
        self._inflight.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        self._cache[key] = task.result()
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _run(self, url: str) -> LinkOutcome:
        self.checks += 1
        try:
            head = await self._client.fetch(url, method="HEAD")
            if not _needs_get(head):
                return classify_fetch(url, head)
            got = classify_fetch(url, await self._client.fetch(url))
            final = head.final
            said = (f"HTTP {final.status}" if final is not None and final.status is not None
                    else (head.status.value if head.status is not None else "no answer"))
            detail = f"HEAD: {said}; GET: {got.detail}" if got.detail else f"HEAD: {said}"
            return LinkOutcome(got.url, got.outcome, got.status, got.final_url, detail, got.ref)
        except ArchiveError:
            raise  # the run's failure, not the link's
        except Exception as exc:  # noqa: BLE001 -- a backstop: the client should not raise
            return LinkOutcome(url, "error", detail=f"check failed: {type(exc).__name__}: {exc}")

    def cancel(self) -> None:
        """Stop the checks in flight (a run cut short)."""
        for task in list(self._inflight.values()):
            task.cancel()
