"""One site's visit (collect.sitevisit): one TLS connection per host and family, the http
homepage's redirect hop shared with the HTTPS homepage, the TLS probe reading the homepage's
handshake; the facts the same as a probe of its own gives."""

from __future__ import annotations

import ssl
from collections import Counter
from pathlib import Path

from mgov.collect.site import collect_site
from mgov.collect.tls import probe_tls
from mgov.evidence.site import EVIDENCE_KEYS, ChannelFacts
from test_collect_support import lab, run


def test_a_visit_shakes_hands_once_per_host_and_family(tmp_path: Path) -> None:
    async def main() -> None:
        # A long keep-alive: a loaded test machine must not let the pooled connection expire.
        async with lab(tmp_path, keepalive_timeout=30) as L:
            server = L.certs.default
            assert server is not None
            pick = server.sni_callback
            assert pick is not None
            hellos: Counter[str] = Counter()  # ClientHellos that reached SNI, by name

            def counting(sock: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
                hellos[name or ""] += 1
                pick(sock, name, ctx)
            server.sni_callback = counting

            alone = await probe_tls("good.test", 443, resolver=L.ctx.resolver, settings=L.ctx.settings,
                                    context=L.ctx.client.ssl_context)
            probe_hellos = hellos["good.test"]  # its verified handshake and the old versions' offers
            assert alone.verified and probe_hellos >= 1
            hellos.clear()

            ev = await collect_site(ChannelFacts("website", "https://good.test/", "good.test"),
                                    set(EVIDENCE_KEYS), L.ctx)
            # good.test over TLS: one connection over IPv4 (homepage, its http redirect hop,
            # robots.txt, sitemap.xml, security.txt, the 404 probe, the stylesheet), one over
            # IPv6 (the IPv6 homepage), and the probe's old-version offers; not the probe's own
            # verified handshake, nor one connection per file.
            assert hellos["good.test"] == 2 + (probe_hellos - 1), hellos
            assert ev.http_home is not None and ev.https_home is not None
            assert [x.status for x in ev.http_home.exchanges] == [301, 200]
            assert ev.http_home.exchanges[1] is ev.https_home.exchanges[0]  # fetched once
            for name in ("robots", "sitemap", "security_txt", "not_found"):
                fetch = getattr(ev, name)
                assert fetch is not None and fetch.final is not None and fetch.final.status is not None
            tls = ev.tls
            assert tls is not None and tls.error is None and tls.verified and tls.hostname_match
            assert (tls.peer, tls.protocol, tls.cipher, tls.san, tls.chain_pem, tls.subject, tls.issuer,
                    tls.not_after, tls.self_signed, tls.accepted_protocols) == (
                alone.peer, alone.protocol, alone.cipher, alone.san, alone.chain_pem, alone.subject,
                alone.issuer, alone.not_after, alone.self_signed, alone.accepted_protocols)
    run(main())


def test_a_certificate_that_does_not_verify_is_still_probed_on_its_own(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            ev = await collect_site(ChannelFacts("website", "https://expired.test/", "expired.test"),
                                    {"tls", "https_home"}, L.ctx)
            assert ev.tls is not None and not ev.tls.verified and ev.tls.error is None
            assert ev.tls.verify_error and "expired" in ev.tls.verify_error
            assert ev.tls.chain_pem and ev.tls.subject
    run(main())


def test_an_exchange_whose_first_asker_is_cancelled_is_made_by_the_one_waiting() -> None:
    """Shared exchanges (SiteVisit.once): the first asker cancelled mid-exchange does not
    cancel the other asker waiting on it; that one makes the exchange itself."""
    import asyncio

    from mgov.collect.sitevisit import SiteVisit
    from mgov.evidence.exchange import Exchange

    made: list[str] = []

    async def main() -> Exchange:
        visit = SiteVisit()
        key = ("https://www.example.gov/", "GET", "v4", None, None)

        async def make() -> Exchange:
            made.append("start")
            await asyncio.sleep(0.2)
            return Exchange(url="https://www.example.gov/", status=200)

        first = asyncio.create_task(visit.once(key, make))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(visit.once(key, make))
        await asyncio.sleep(0.05)
        first.cancel()
        return await second

    ex = asyncio.run(main())
    assert ex.status == 200 and made == ["start", "start"]
