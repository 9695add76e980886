"""collect_site: the evidence of one web channel, collecting only what the checks need.

Two rounds. The first fetches what depends on nothing (DNS, TLS, the two homepages); the
second what depends on the homepage visitors get (HTTPS when it answers, else HTTP):
robots.txt, sitemap.xml, security.txt and the 404 probe go to the origin visitors end up on
(a site that redirects to https://www.x.gov/ keeps its robots.txt there), the IPv6 and twin
homepages use that scheme (a site without HTTPS is not also judged "unreachable over IPv6"
for it), and the subresources are those of the final homepage. Within a round everything
runs concurrently, except that one site's exchanges to one host go one at a time over one
connection, an identical request is made once, and the TLS probe reads the HTTPS homepage's
verified handshake instead of making its own (collect.sitevisit).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from yarl import URL

from mgov import clock
from mgov.collect.client import OFF_LOOP_BYTES, HttpClient
from mgov.collect.resolver import Resolver
from mgov.collect.resources import subresource_urls
from mgov.collect.routing import Routing, parse_ip
from mgov.collect.settings import CollectSettings, Family
from mgov.collect.sitevisit import SiteVisit, visiting
from mgov.collect.tls import probe_tls
from mgov.collect.warc import ArchiveError, WarcWriter
from mgov.evidence.exchange import DnsAnswer, Exchange, Fetch, ScanStatus, TlsFacts
from mgov.evidence.site import EVIDENCE_KEYS, ChannelFacts, SiteEvidence

ROUND_ONE = ("dns", "www_dns", "tls", "http_home", "https_home")
HOME_KEYS = frozenset({"http_home", "https_home"})
NEEDS_HOME = frozenset({"ipv6_home", "www_home", "resources"})  # these depend on the homepage


class SharedExchanges:
    """One exchange per URL for the whole scan, concurrent askers awaiting the same one;
    the newest `size` URLs are kept."""

    def __init__(self, client: HttpClient, size: int = 5000) -> None:
        self.client = client
        self.size = size
        self._tasks: OrderedDict[str, asyncio.Task[Exchange]] = OrderedDict()

    async def exchange(self, url: str) -> Exchange:
        task = self._tasks.get(url)
        if task is None:
            task = self._tasks[url] = asyncio.ensure_future(self.client.exchange(url))
            while len(self._tasks) > self.size:
                self._tasks.popitem(last=False)
        else:
            self._tasks.move_to_end(url)
        return await asyncio.shield(task)  # one site's cancellation must not cancel the others'


@dataclass
class CollectContext:
    """What every collector of a scan shares: settings, routing, one client, one archive."""

    settings: CollectSettings
    routing: Routing
    client: HttpClient
    warc: WarcWriter | None = None
    resolver: Resolver = field(init=False)
    # Third-party subresources (an analytics script every federal site loads) are fetched
    # once per scan and their exchange shared: fetched per site, one popular host's
    # politeness limit became the whole scan's pace.
    shared: SharedExchanges = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = self.client.resolver
        self.shared = SharedExchanges(self.client)

    @classmethod
    def create(cls, archive_dir: str | Path | None, *, settings: CollectSettings | None = None,
               routing: Routing | None = None, warc_max_size: int | None = None,
               warc_prefix: str = "mgov") -> CollectContext:
        """A context archiving to archive_dir (None: no archive); opens nothing yet. warc_prefix
        starts its WARC files' names (a cluster's workers each have their own)."""
        settings = settings or CollectSettings()
        routing = routing or Routing()
        warc = None
        if archive_dir is not None:
            warc = (WarcWriter(archive_dir, max_size=warc_max_size, prefix=warc_prefix) if warc_max_size
                    else WarcWriter(archive_dir, prefix=warc_prefix))
        return cls(settings, routing, HttpClient(settings, routing, warc=warc), warc)

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.warc is not None:
            await self.warc.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


def www_twin(host: str) -> str | None:
    """www.X for X and X for www.X; None for IP addresses."""
    if parse_ip(host) is not None:
        return None
    return host[4:] if host.lower().startswith("www.") else f"www.{host}"


def _url(scheme: str, host: str, path: str = "/") -> str:
    return str(URL.build(scheme=scheme, host=host.strip("[]"), path=path))


def _fallback(key: str, host: str, exc: BaseException) -> Any:
    """Evidence standing for a collector that raised (it should not: a backstop)."""
    detail = f"collector {key} failed: {type(exc).__name__}: {exc}"
    error = ScanStatus.UNKNOWN_ERROR
    if key in ("dns", "www_dns"):
        return DnsAnswer(name=host, error=error, error_detail=detail)
    if key == "tls":
        return TlsFacts(host=host, port=443, error=error, error_detail=detail)
    return Fetch(start_url=host, error=error, error_detail=detail)


async def _guarded(key: str, host: str, work: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await work()
    except ArchiveError:
        raise  # the scan's failure, not the channel's: it must not pass as evidence
    except Exception as exc:  # noqa: BLE001 -- record, report, continue
        return _fallback(key, host, exc)


async def collect_site(facts: ChannelFacts, needs: set[str], ctx: CollectContext) -> SiteEvidence:
    """Collect the evidence keys in needs (see evidence.EVIDENCE_KEYS) for one web channel.

    Failures of the channel are recorded in the evidence, never raised; an unknown key is
    a programming error and raises ValueError.
    """
    unknown = set(needs) - set(EVIDENCE_KEYS)
    if unknown:
        raise ValueError(f"unknown evidence keys: {sorted(unknown)}")
    host = facts.host.strip().rstrip(".")
    wanted = set(needs) | (HOME_KEYS if needs & NEEDS_HOME else set())
    reuse = "tls" in wanted and "https_home" in wanted
    with visiting(SiteVisit(tls_hosts=frozenset({host.lower()}) if reuse else frozenset())) as visit:
        return await _collect(facts, host, wanted, ctx, visit)


async def _collect(facts: ChannelFacts, host: str, wanted: set[str], ctx: CollectContext,
                   visit: SiteVisit) -> SiteEvidence:
    evidence = SiteEvidence(channel=facts, collected_at=clock.now())
    twin = www_twin(host)
    client = ctx.client
    https_home: asyncio.Future[Fetch] | None = None
    if visit.tls_hosts:
        https_home = asyncio.ensure_future(client.fetch(_url("https", host)))

    async def tls() -> TlsFacts:
        if https_home is not None:
            await asyncio.wait([https_home])  # its handshake, if verified, is the probe's
        return await probe_tls(host, 443, resolver=ctx.resolver, settings=ctx.settings,
                               context=client.ssl_context,
                               seen=lambda ip, port: visit.handshake(host, ip, port))

    jobs: dict[str, Callable[[], Awaitable[Any]]] = {
        "dns": lambda: ctx.resolver.lookup(host),
        "tls": tls,
        "http_home": lambda: client.fetch(_url("http", host)),
        "https_home": (lambda: https_home) if https_home is not None else (
            lambda: client.fetch(_url("https", host))),
    }
    if twin is not None:
        jobs["www_dns"] = lambda: ctx.resolver.lookup(twin)
    first = [k for k in ROUND_ONE if k in wanted and k in jobs]
    for key, value in zip(first, await asyncio.gather(
            *(_guarded(k, host, jobs[k]) for k in first)), strict=True):
        setattr(evidence, key, value)

    await _archive_facts(evidence, ctx)
    origin = _origin(evidence, host)
    scheme = "http" if evidence.home is evidence.http_home and _answered(evidence.http_home) else "https"
    paths = {"robots": "/robots.txt", "sitemap": "/sitemap.xml",
             "security_txt": "/.well-known/security.txt",
             "not_found": f"/mgov-404-{secrets.token_hex(8)}"}

    def at_origin(path: str) -> Callable[[], Awaitable[Fetch]]:
        return lambda: client.fetch(str(origin.with_path(path)))

    later: dict[str, Callable[[], Awaitable[Any]]] = {k: at_origin(p) for k, p in paths.items()}
    later["ipv6_home"] = lambda: client.fetch(_url(scheme, host), family=Family.IPV6)
    if twin is not None:
        later["www_home"] = lambda: client.fetch(_url(scheme, twin))
    later["resources"] = lambda: _resources(evidence, ctx)
    second = [k for k in later if k in wanted]
    for key, value in zip(second, await asyncio.gather(
            *(_guarded(k, host, later[k]) for k in second)), strict=True):
        if key == "resources" and not isinstance(value, list):
            value = []  # the backstop's Fetch has nowhere to go in a list of exchanges
        setattr(evidence, key, value)
    return evidence


def _answered(fetch: Fetch | None) -> bool:
    return fetch is not None and fetch.ok


async def _archive_facts(evidence: SiteEvidence, ctx: CollectContext) -> None:
    """DNS answers and TLS facts go to the archive too, as JSON metadata records."""
    if ctx.warc is None:
        return
    for key, scheme in (("dns", "dns"), ("www_dns", "dns"), ("tls", "tls")):
        facts = getattr(evidence, key)
        if facts is None:
            continue
        name = facts.name if key != "tls" else f"{facts.host}:{facts.port}"
        payload = json.dumps(dataclasses.asdict(facts), default=str, ensure_ascii=False, sort_keys=True)
        facts.ref = await ctx.warc.write_metadata(f"{scheme}:{name}", payload.encode(), evidence.collected_at)


def _origin(evidence: SiteEvidence, host: str) -> URL:
    """Where the homepage visitors get lives; https://host/ when it was not fetched."""
    home = evidence.home
    if home is not None and home.ok and home.final_url:
        return URL(home.final_url).origin()
    return URL(_url("https", host))


async def _resources(evidence: SiteEvidence, ctx: CollectContext) -> list[Exchange]:
    client = ctx.client
    home = evidence.home
    final = home.final if home is not None and home.ok else None
    if final is None or not final.text:
        return []
    content_type = (final.header("Content-Type") or "text/html").lower()
    if "html" not in content_type:
        return []
    if len(final.text) > OFF_LOOP_BYTES:  # parsing a large page is CPU work: not on the shared loop
        urls = await asyncio.to_thread(subresource_urls, final.text, final.url, client.settings.max_resources)
    else:
        urls = subresource_urls(final.text, final.url, client.settings.max_resources)
    # One exchange per resource, redirects not followed: the list stays one-to-one with
    # the page's references, and a redirect is itself the fact (e.g. http:// upgraded).
    own = {host_of(final.url), host_of(evidence.channel.host)}
    return list(await asyncio.gather(*(client.exchange(u) if host_of(u) in own else ctx.shared.exchange(u)
                                       for u in urls)))


def host_of(url: str) -> str:
    return (URL(url).host or "").lower().rstrip(".") if "//" in url else url.lower().rstrip(".")
