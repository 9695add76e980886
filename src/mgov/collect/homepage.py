"""The start-URL rule: read a site where it is served, not only where it is registered.

A channel is registered by one address (often https://), but many county and township sites
serve only HTTP, and some only at their www (or bare) twin. Whatever reads a site's pages
(the crawl, availability probes) starts from its working homepage: HTTPS when it answers,
else HTTP, else the same at the twin. A candidate that answers HTTP at all is where the site
is served, well (2xx) or badly (a 503 is the site's failure, not a reason to look
elsewhere); only one that gives no HTTP answer (refused, reset, no such name, a failed
handshake) sends the search on. When no candidate answers, the registered address's own
fetch is the answer, its failure the verdict.
"""

from __future__ import annotations

from yarl import URL

from mgov.collect.client import HttpClient
from mgov.collect.site import www_twin
from mgov.evidence.exchange import Fetch


def candidates(address: str) -> list[str]:
    """The URLs to try, in order: the registered path over HTTPS, over HTTP, then the twin's."""
    try:
        url = URL(address)
    except ValueError:
        return [address]
    if url.scheme not in ("http", "https") or not url.raw_host:
        return [address]
    hosts = [url.raw_host]
    twin = www_twin(url.raw_host)
    if twin is not None:
        hosts.append(twin)
    out = [str(url.with_scheme(scheme).with_host(host).with_port(None if url.is_default_port() else url.port))
           for host in hosts for scheme in ("https", "http")]
    return list(dict.fromkeys(out))


def serves(fetch: Fetch) -> bool:
    """The fetch ended at a page that answered 2xx."""
    final = fetch.final
    return fetch.ok and final is not None and final.status is not None and 200 <= final.status < 300


def answered(fetch: Fetch) -> bool:
    """Something answered HTTP at the end of the fetch (whatever the status)."""
    return fetch.final is not None and fetch.final.status is not None


async def working_homepage(client: HttpClient, address: str, prefer: str | None = None) -> Fetch:
    """The fetch of the first candidate that answers HTTP (prefer first: where the site
    served last time); else the registered address's own fetch. Fetch.start_url says which."""
    tried: list[Fetch] = []
    for url in dict.fromkeys([*([prefer] if prefer else []), *candidates(address)]):
        fetch = await client.fetch(url)
        if answered(fetch):
            return fetch
        tried.append(fetch)
    registered = next((f for f in tried if f.start_url == address), None)
    return registered or tried[0]
