"""collect_site end to end against the loopback farm, and the TLS probe."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest
import trustme

from mgov.collect.routing import Routing
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext, collect_site, www_twin
from mgov.collect.tls import probe_tls
from mgov.collect.warc import read_record
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import EVIDENCE_KEYS, ChannelFacts
from test_collect_support import lab, leaf_context, raw_server, run


def facts(host: str) -> ChannelFacts:
    return ChannelFacts(kind="website", address=f"https://{host}/", host=host)


def test_collect_everything(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            ev = await collect_site(facts("good.test"), set(EVIDENCE_KEYS), L.ctx)
            assert ev.dns is not None and ev.dns.a == ["127.0.0.1"] and ev.dns.aaaa == ["::1"]
            assert ev.www_dns is not None and ev.www_dns.name == "www.good.test" and ev.www_dns.a
            assert ev.http_home is not None and [x.status for x in ev.http_home.exchanges] == [301, 200]
            assert ev.http_home.final_url == "https://good.test/"
            assert ev.https_home is not None and ev.https_home.ok and ev.home is ev.https_home
            assert ev.ipv6_home is not None and ev.ipv6_home.ok
            assert ev.ipv6_home.final is not None and ev.ipv6_home.final.peer == "::1"
            assert ev.www_home is not None and ev.www_home.final_url == "https://www.good.test/"
            assert ev.tls is not None and ev.tls.verified and ev.tls.hostname_match
            assert ev.tls.protocol == "TLSv1.3" and ev.tls.chain_pem and ev.tls.error is None
            assert ev.tls.accepted_protocols == {"TLSv1": False, "TLSv1.1": False}
            assert ev.robots is not None and ev.robots.final is not None
            assert ev.robots.final.status == 200 and "User-agent" in (ev.robots.final.text or "")
            assert ev.sitemap is not None and ev.sitemap.final is not None and ev.sitemap.final.status == 404
            assert ev.security_txt is not None and ev.security_txt.final_url == (
                "https://good.test/.well-known/security.txt")
            assert ev.not_found is not None and ev.not_found.final is not None
            assert ev.not_found.final.status == 404 and "/mgov-404-" in ev.not_found.start_url
            by_url = {ex.url: ex for ex in ev.resources}
            # the stylesheet once, not the icon; the http:// image (mixed content) and the
            # third-party script and frame, whose cookie is visible
            assert set(by_url) == {"https://good.test/static/site.css", "https://cdn.test/static/lib.js",
                                   "http://good.test/static/logo.png", "https://cdn.test/static/frame.html"}
            assert all(ex.status == 200 and ex.response_ref for ex in ev.resources)
            assert by_url["https://cdn.test/static/lib.js"].header("Set-Cookie") is not None
            assert by_url["http://good.test/static/logo.png"].body == b"good.test/static/logo.png"
            # every exchange of the evidence is in the archive
            fetches = [f for f in (ev.http_home, ev.https_home, ev.ipv6_home, ev.www_home, ev.robots,
                                   ev.sitemap, ev.security_txt, ev.not_found) if f is not None]
            exchanges = [ex for f in fetches for ex in f.exchanges] + ev.resources
            refs = [r for ex in exchanges for r in ex.refs]
            assert len(refs) == 2 * len(exchanges)
            for ref in refs:
                assert read_record(L.archive, ref).rec_type in ("request", "response")
    run(main())


def test_collects_only_what_is_needed(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            ev = await collect_site(facts("v4only.test"), {"dns", "ipv6_home", "robots"}, L.ctx)
            assert ev.dns is not None and ev.dns.a == ["127.0.0.1"] and ev.dns.aaaa == []
            assert ev.ipv6_home is not None and ev.ipv6_home.status is ScanStatus.DNS_ERROR
            assert ev.ipv6_home.final is not None and "AAAA" in (ev.ipv6_home.final.error_detail or "")
            assert ev.robots is not None and ev.robots.start_url == "https://v4only.test/robots.txt"
            # the homepages are collected too: the IPv6 fetch uses the scheme that works
            assert ev.https_home is not None and ev.http_home is not None
            for key in set(EVIDENCE_KEYS) - {"dns", "ipv6_home", "robots", "resources", "http_home",
                                             "https_home"}:
                assert getattr(ev, key) is None, key
            ev = await collect_site(facts("good.test"), {"tls", "dns"}, L.ctx)
            assert ev.https_home is None and ev.http_home is None and ev.tls is not None
            assert ev.resources == []
            with pytest.raises(ValueError, match="unknown evidence keys"):
                await collect_site(facts("good.test"), {"homepage"}, L.ctx)
    run(main())


def test_site_without_https_is_judged_over_http(tmp_path: Path) -> None:
    """IPv6 and the twin are fetched with the scheme the site answers on."""
    async def main() -> None:
        async with lab(tmp_path, rules=["plain.test:443:127.0.0.1:1", "www.plain.test:443:127.0.0.1:1"]) as L:
            ev = await collect_site(facts("plain.test"), set(EVIDENCE_KEYS), L.ctx)
            assert ev.https_home is not None and ev.https_home.status is ScanStatus.CONNECTION_REFUSED
            assert "127.0.0.1:1" in (ev.https_home.final.error_detail or "")
            assert ev.home is ev.http_home and ev.http_home is not None and ev.http_home.ok
            assert ev.ipv6_home is not None and ev.ipv6_home.ok
            assert ev.ipv6_home.start_url == "http://plain.test/"
            assert ev.ipv6_home.final is not None and ev.ipv6_home.final.peer == "::1"
            assert ev.www_home is not None and ev.www_home.ok
            assert ev.www_home.start_url == "http://www.plain.test/"
            assert ev.robots is not None and ev.robots.start_url == "http://plain.test/robots.txt"
            assert ev.tls is not None and ev.tls.error is ScanStatus.CONNECTION_REFUSED
            assert {ex.url for ex in ev.resources} >= {"http://plain.test/static/site.css"}
    run(main())


def test_tls_fallback_keeps_the_page_and_the_verdict(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path, tls_fallback=True) as L:
            ev = await collect_site(facts("expired.test"), {"https_home", "tls"}, L.ctx)
            assert ev.https_home is not None and ev.https_home.ok
            final = ev.https_home.final
            assert final is not None and final.status == 200 and final.error is None
            assert "expired" in (final.tls_error or "") and final.response_ref is not None
            assert ev.tls is not None and not ev.tls.verified and "expired" in (ev.tls.verify_error or "")
            good = await L.ctx.client.fetch("https://good.test/")
            assert good.final is not None and good.final.tls_error is None
    run(main())


def test_unreachable_site_is_recorded_not_raised(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            ev = await collect_site(facts("gone.test"), set(EVIDENCE_KEYS), L.ctx)
            assert ev.dns is not None and ev.dns.error is ScanStatus.DNS_ERROR
            assert ev.tls is not None and ev.tls.error is ScanStatus.DNS_ERROR
            for fetch in (ev.http_home, ev.https_home, ev.robots, ev.not_found, ev.www_home):
                assert fetch is not None and fetch.status is ScanStatus.DNS_ERROR
            assert ev.home is ev.https_home and ev.resources == []
    run(main())


def test_dns_cname_chain_and_twins(tmp_path: Path) -> None:
    async def main() -> None:
        async with lab(tmp_path) as L:
            answer = await L.ctx.resolver.lookup("alias.test")
            assert answer.cname == ["good.test."] and answer.a == ["127.0.0.1"]
            assert answer.error is None
    run(main())
    assert www_twin("www.x.gov.cn") == "x.gov.cn" and www_twin("x.gov") == "www.x.gov"
    assert www_twin("192.0.2.1") is None


def test_tls_chain_and_old_protocols(tmp_path: Path) -> None:
    """A server with an intermediate CA that still accepts TLS 1.0."""
    ca = trustme.CA()
    leaf = ca.create_child_ca().issue_cert("old.test")
    old = leaf_context(leaf.private_key_and_cert_chain_pem.bytes(), ssl.TLSVersion.TLSv1)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))

    async def idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)

    async def main() -> None:
        async with raw_server(idle, old) as port:
            routing = Routing.from_options(connect_to=[f"old.test:443:127.0.0.1:{port}"],
                                           ca_bundle=tmp_path / "ca.pem", allow_private=True)
            async with CollectContext.create(None, routing=routing, settings=CollectSettings()) as ctx:
                tls = await probe_tls("old.test", 443, resolver=ctx.resolver, settings=ctx.settings,
                                      context=ctx.client.ssl_context,
                                      probes=("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"))
        assert tls.error is None and tls.verified and tls.verify_error is None
        assert tls.peer == "127.0.0.1" and tls.port == 443
        assert len(tls.chain_pem) == 2  # leaf and intermediate, as sent
        assert tls.accepted_protocols == {"TLSv1": True, "TLSv1.1": True, "TLSv1.2": True,
                                          "TLSv1.3": True}
        assert tls.san == ["old.test"] and tls.self_signed is False
        assert tls.not_before is not None and tls.not_after is not None
        assert tls.issuer and tls.subject and tls.issuer != tls.subject
    run(main())
