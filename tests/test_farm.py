"""The demo farm: generation, the healthy-site contract, DNS, and every defect, observed over
real loopback sockets (127.0.0.1 and ::1) with the right Host and SNI."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import socket
import ssl
import subprocess
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

import dns.message
import dns.query
import dns.resolver
import pytest

from mgov.checks.builtin.cn import province_chars
from mgov.demo.farm import DEFECTS, Manifest, RunningFarm, Site, generate, run_in_thread
from mgov.demo.farm import contract as c
from mgov.demo.farm.defects import CONFLICTS
from mgov.demo.farm.nameserver import HTTP_ONLY_V4
from mgov.demo.farm.pages import footer_links, jiucuo_entry

ROOT = Path(__file__).resolve().parents[1]
SEED, COUNT = 11, 80
V4, V6 = "127.0.0.1", "::1"


class Reply(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return generate(SEED, COUNT)


@pytest.fixture(scope="module")
def farm(manifest: Manifest):
    with run_in_thread(manifest) as running:
        yield running


def connect(farm: RunningFarm, host: str, *, tls: bool = True, v6: bool = False,
            ctx: ssl.SSLContext | None = None) -> Any:  # ssl.SSLSocket when tls
    port = farm.https_port if tls else farm.http_port
    sock = socket.create_connection((V6 if v6 else V4, port), timeout=10)
    if tls:
        try:
            return (ctx or farm.ssl_context()).wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
    return sock


def fetch(farm: RunningFarm, host: str, path: str = "/", *, tls: bool = True,
          v6: bool = False, ctx: ssl.SSLContext | None = None) -> Reply:
    conn = http.client.HTTPConnection(host, timeout=10)  # Host: host (no port)
    conn.sock = connect(farm, host, tls=tls, v6=v6, ctx=ctx)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def site_get(farm: RunningFarm, site: Site, path: str = "/") -> Reply:
    """GET over HTTPS (HTTP for https.none and https.absent), not verifying certificates a
    defect spoils."""
    bad_cert = any(site.has(d) for d in ("tls.expired", "tls.self_signed", "tls.wrong_host"))
    return fetch(farm, site.host, path, tls=not no_https(site),
                 ctx=_no_verify(farm) if bad_cert else None)


def no_https(site: Site) -> bool:
    return site.has("https.none") or site.has("https.absent")


def home_text(farm: RunningFarm, site: Site) -> str:
    reply = site_get(farm, site)
    assert reply.status == 200
    return reply.body.decode(site.encoding)


def pick(manifest: Manifest, defect: str | None = None, **where: object) -> Site:
    """A site with the defect (healthy when None), preferring few defects and no slowness."""
    sites = [s for s in manifest.sites
             if (defect in s.defects if defect else s.healthy)
             and all(getattr(s, k) == v for k, v in where.items())]
    assert sites, (defect, where)
    def cost(s: Site) -> tuple[int, int]:
        # Slow and failing sites make other observations slow or indirect: avoid them.
        noisy = sum(s.has(d) and d != defect for d in ("availability.slow", "availability.failing",
                                                      "availability.flapping"))
        return noisy, len(s.defects)

    return min(sites, key=cost)


# --- generation -------------------------------------------------------------------------

def test_generate_is_deterministic() -> None:
    assert generate(5, 120).to_json() == generate(5, 120).to_json()
    assert generate(5, 120).to_json() != generate(6, 120).to_json()


@pytest.mark.parametrize("seed", range(6))
def test_generate_covers_every_defect_and_keeps_rules(seed: int) -> None:
    m = generate(seed, 60)
    assert {d for s in m.sites for d in s.defects} == set(DEFECTS)
    assert len(m.healthy_sites()) >= 0.3 * len(m.sites)
    names = [n for s in m.sites for n in (s.host, s.twin)] + m.services
    assert len(names) == len(set(names))
    for s in m.sites:
        assert not any(frozenset(p) in CONFLICTS for p in combinations(s.defects, 2)), s.defects
        assert s.registry.kind == "website" and s.registry.address == f"https://{s.host}"
        if s.jurisdiction == "us":
            assert not any(d.startswith("cn.") for d in s.defects)
            assert s.language == "en" and s.encoding == "utf-8"
            assert s.host.endswith(".gov") != s.has("domain.non_gov")
            continue
        assert s.host.endswith(".gov.cn") != s.has("domain.non_gov")
        code = s.registry.attributes["site_code"]
        assert re.match(c.SITE_CODE_RE, code)
        if not code.startswith("bm"):
            assert code[:6] == s.organization.region_code
    cn = [s for s in m.sites if s.jurisdiction == "cn"]
    gbk = [s for s in cn if s.encoding == "gbk"]
    assert 0.2 <= len(gbk) / len(cn) <= 0.35  # every fourth, and the charset defects' sites
    assert {s.charset_declared for s in gbk} == {True, False}
    for s in m.sites:  # a declaration wrong or missing is a defect, on a GBK site
        assert s.charset_declared == (not s.has("page.no_charset"))
        if s.has("page.charset_liar") or s.has("page.no_charset"):
            assert s.encoding == "gbk"


def test_defect_rate_zero_and_small_farms() -> None:
    assert all(s.healthy for s in generate(1, 50, defect_rate=0).sites)
    assert len(generate(1, 3).sites) == 3
    assert generate(1, 0).sites == []


def test_manifest_json_round_trip(farm: RunningFarm, manifest: Manifest) -> None:
    assert manifest.runtime is not None and manifest.runtime.https_port == farm.https_port
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest
    doc = json.loads(manifest.to_json())
    assert doc["runtime"]["ca_pem"] == str(farm.ca_pem)
    assert set(doc["sites"][0]) >= {"host", "twin", "jurisdiction", "language", "encoding",
                                    "organization", "registry", "defects"}
    reg = manifest.registry_document()
    assert len([ch for ch in reg["channels"] if ch["kind"] == "website"]) == COUNT
    assert len(reg["channels"]) == COUNT + sum(a.registered for a in manifest.accounts)  # and the accounts


# --- the healthy contract ---------------------------------------------------------------

@pytest.mark.parametrize("jurisdiction", ["cn", "us"])
def test_healthy_transport(farm: RunningFarm, manifest: Manifest, jurisdiction: str) -> None:
    site = pick(manifest, jurisdiction=jurisdiction, encoding="utf-8")
    r = fetch(farm, site.host, "/a/b?x=1", tls=False)
    assert r.status == 301 and r.headers["Location"] == f"https://{site.host}/a/b?x=1"
    for tls in (False, True):
        r = fetch(farm, site.twin, "/", tls=tls)
        assert r.status == 301 and r.headers["Location"] == f"https://{site.host}/"
    for v6 in (False, True):
        r = fetch(farm, site.host, v6=v6)
        assert r.status == 200
        assert r.headers["Strict-Transport-Security"] == c.HSTS
        for name, value in c.SECURITY_HEADERS.items():
            assert r.headers[name] == value
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    with connect(farm, site.host) as tls_sock:
        cert = tls_sock.getpeercert()
        assert tls_sock.version() in ("TLSv1.2", "TLSv1.3")
    not_after = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), dt.UTC)
    assert not_after - dt.datetime.now(dt.UTC) > dt.timedelta(days=365)
    sans = {v for _, v in cert["subjectAltName"]}
    assert {site.host, site.twin} <= sans
    with pytest.raises(ssl.SSLError):
        connect(farm, site.host, ctx=_old_client(farm)).close()


def _old_client(farm: RunningFarm) -> ssl.SSLContext:
    ctx = farm.ssl_context()
    with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


@pytest.mark.parametrize("jurisdiction", ["cn", "us"])
def test_healthy_homepage(farm: RunningFarm, manifest: Manifest, jurisdiction: str) -> None:
    site = pick(manifest, jurisdiction=jurisdiction, encoding="utf-8")
    html = home_text(farm, site)
    assert f'<html lang="{"zh-CN" if jurisdiction == "cn" else "en"}">' in html
    assert c.VIEWPORT in html
    title = re.search(r"<title>(.*?)</title>", html)
    assert title and len(title.group(1)) >= 20
    label = "搜索" if jurisdiction == "cn" else "Search"  # the field is labeled (a11y.forms)
    assert f'<form action="/search" role="search"><input type="search" name="q" aria-label="{label}">' in html
    srcs = re.findall(r'<(?:script|img)[^>]* src="([^"]+)"', html) + re.findall(r'href="(/css/[^"]+)"', html)
    own = [s for s in srcs if s.startswith("/")]
    assert {"/css/site.css", "/js/site.js"} <= set(own) and len(own) >= 4
    dap = c.DAP_SCRIPT.split('"')[1]
    assert [s for s in srcs if not s.startswith("/")] == ([] if jurisdiction == "cn" else [dap])
    for src in set(own):
        r = fetch(farm, site.host, src)
        assert r.status == 200 and len(r.body) < 20_000
    for text, href in footer_links(site):
        assert f'<a href="{href}">{text}</a>' in html
        assert fetch(farm, site.host, href).status == 200
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', html)
    if jurisdiction == "us":
        assert c.DAP_SCRIPT in html
        assert fetch(farm, c.DAP_HOST, "/Universal-Federated-Analytics-Min.js").status == 200


def test_healthy_cn_identifiers(farm: RunningFarm, manifest: Manifest) -> None:
    site = pick(manifest, jurisdiction="cn", encoding="utf-8")
    html = home_text(farm, site)
    code = site.registry.attributes["site_code"]
    assert f'<meta name="SiteIDCode" content="{code}">' in html and f"网站标识码：{code}" in html
    ids = site.identifiers
    assert re.search(r'<a href="https://beian\.miit\.gov\.cn/"[^>]*>' + re.escape(ids["icp"] or "-") + "</a>", html)
    psb = re.search(r'recordcode=(\d{14})"[^>]*>' + re.escape(ids["psb"] or "-") + "</a>", html)
    assert psb and psb.group(1) == ids["psb_number"] and psb.group(1) in (ids["psb"] or "")
    assert (ids["psb"] or "-")[0] in province_chars(psb.group(1)[:2])
    assert re.search(r'<a href="https://bszs\.conac\.cn/sitename\?method=show&id=[0-9A-F]{32}">'
                     r'<img src="/conac-red\.png" alt="党政机关"></a>', html)
    assert jiucuo_entry(site, code) in html
    jc = re.search(r'jiucuo\.html\?site_code=(\w+)&url=([^"]+)">我为政府网站找错</a>', html)
    if site.form("jiucuo") in ("link", "former", ""):
        assert jc and jc.group(1) == code and unquote(jc.group(2)) == f"https://{site.host}/"
    else:
        assert f"sitecode=\"{code}\"" in html or f"sitecode='{code}'" in html


def test_healthy_files_and_404(farm: RunningFarm, manifest: Manifest) -> None:
    site = pick(manifest, jurisdiction="us")
    r = fetch(farm, site.host, "/robots.txt")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert f"Sitemap: https://{site.host}/sitemap.xml" in r.body.decode()
    r = fetch(farm, site.host, "/sitemap.xml")
    root = ET.fromstring(r.body)  # noqa: S314 - the demo farm's own sitemap
    assert r.status == 200 and root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    assert len(root) >= 5
    r = fetch(farm, site.host, "/.well-known/security.txt")
    text = r.body.decode()
    assert r.status == 200 and re.search(r"^Contact: mailto:", text, re.MULTILINE)
    expires = re.search(r"^Expires: (\S+)$", text, re.MULTILINE)
    assert expires and dt.datetime.fromisoformat(expires.group(1)) > dt.datetime.now(dt.UTC)
    r = fetch(farm, site.host, "/no/such/page-7f3a")
    assert r.status == 404 and r.headers["Content-Type"].startswith("text/html") and b"<html" in r.body


def test_gbk_pages(farm: RunningFarm, manifest: Manifest) -> None:
    for declared in (True, False):
        # Any such site will do: the encoding holds whatever its defects.
        site = min((s for s in manifest.sites if s.encoding == "gbk"
                    and s.charset_declared == declared and not s.has("page.charset_liar")),
                   key=lambda s: (s.has("availability.slow"), len(s.defects)))
        r = site_get(farm, site)
        with pytest.raises(UnicodeDecodeError):
            r.body.decode("utf-8")
        html = r.body.decode("gbk")
        assert "主办：" in html
        if declared:
            assert r.headers["Content-Type"] == "text/html; charset=gbk"
            assert '<meta charset="gbk">' in html
        else:
            assert r.headers["Content-Type"] == "text/html"
            assert "charset" not in html


def test_aiohttp_client_follows_redirects_through_farm_dns(farm: RunningFarm,
                                                           manifest: Manifest) -> None:
    import asyncio

    import aiohttp

    from mgov.demo.farm.client import FarmResolver

    site = pick(manifest, twin_cname=True)

    async def main() -> tuple[int, str, int]:
        connector = aiohttp.TCPConnector(resolver=FarmResolver(farm.dns_port, farm.port_map),
                                         ssl=farm.ssl_context())
        async with (aiohttp.ClientSession(connector=connector) as session,
                    session.get(f"http://{site.twin}/") as resp):
            await resp.read()
            return resp.status, str(resp.url), len(resp.history)

    assert asyncio.run(main()) == (200, f"https://{site.host}/", 1)  # one hop: twin -> HOST


# --- DNS --------------------------------------------------------------------------------

def test_dns(farm: RunningFarm, manifest: Manifest) -> None:
    res = farm.dns_resolver()
    site = pick(manifest)
    assert [r.address for r in res.resolve(site.host, "A")] == [V4]
    assert [r.address for r in res.resolve(site.host, "AAAA")] == [V6]
    alias = pick(manifest, twin_cname=True)
    answer = res.resolve(alias.twin, "A")
    assert answer.canonical_name.to_text() == alias.host + "."
    assert [r.address for r in answer] == [V4]
    assert res.resolve(alias.twin, "CNAME")[0].target.to_text() == alias.host + "."
    with pytest.raises(dns.resolver.NXDOMAIN):
        res.resolve("no-such-site.gov.cn", "A")
    with pytest.raises(dns.resolver.NXDOMAIN):
        res.resolve("www.example.com", "A")  # nothing is forwarded
    q = dns.message.make_query(site.host, "AAAA")
    r = dns.query.tcp(q, V4, port=farm.dns_port, timeout=5)
    assert r.answer and r.answer[0][0].address == V6
    for host in manifest.services:
        assert res.resolve(host, "A")[0].address == V4


# --- defects ----------------------------------------------------------------------------

def _verify_code(farm: RunningFarm, host: str) -> int:
    with pytest.raises(ssl.SSLCertVerificationError) as e:
        connect(farm, host).close()
    return e.value.verify_code


def _no_verify(farm: RunningFarm) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def observe(farm: RunningFarm, site: Site, defect: str) -> None:
    tls = not no_https(site)

    def page() -> str:
        return home_text(farm, site)

    def home_headers() -> http.client.HTTPMessage:
        return site_get(farm, site).headers

    if defect == "tls.expired":
        assert _verify_code(farm, site.host) == 10  # X509_V_ERR_CERT_HAS_EXPIRED
    elif defect == "tls.self_signed":
        assert _verify_code(farm, site.host) == 18  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    elif defect == "tls.wrong_host":
        assert _verify_code(farm, site.host) == 62  # X509_V_ERR_HOSTNAME_MISMATCH
    elif defect == "tls.expiring_soon":
        with connect(farm, site.host) as s:
            left = ssl.cert_time_to_seconds(s.getpeercert()["notAfter"]) - time.time()
        assert 0 < left < 30 * 86400
    elif defect == "tls.old_protocol":
        ctx = _old_client(farm)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        with connect(farm, site.host, ctx=ctx) as s:
            assert s.version() in ("TLSv1", "TLSv1.1")
    elif defect == "https.none":
        with pytest.raises(ssl.SSLError):
            connect(farm, site.host, ctx=_no_verify(farm)).close()
        r = fetch(farm, site.host, "/about.html" if site.jurisdiction == "cn" else "/about", tls=False)
        assert r.status == 200 and "Location" not in r.headers
    elif defect == "https.absent":
        observe_http_only(farm, site)
    elif defect == "https.no_redirect":
        r = fetch(farm, site.host, "/about.html" if site.jurisdiction == "cn" else "/about", tls=False)
        assert r.status == 200 and "Location" not in r.headers
    elif defect == "hsts.none":
        assert "Strict-Transport-Security" not in home_headers()
    elif defect == "hsts.weak":
        assert home_headers()["Strict-Transport-Security"] == "max-age=86400"
    elif defect == "ipv6.no_aaaa":
        with pytest.raises(dns.resolver.NoAnswer):
            farm.dns_resolver().resolve(site.host, "AAAA")
    elif defect == "ipv6.unreachable":
        assert farm.dns_resolver().resolve(site.host, "AAAA")[0].address == V6
        with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
            fetch(farm, site.host, tls=False, v6=True)
        if tls:
            with pytest.raises((ConnectionError, ssl.SSLError)):
                connect(farm, site.host, v6=True, ctx=_no_verify(farm)).close()
        assert fetch(farm, site.host, tls=False).status in (200, 301)
    elif defect == "mobile.no_viewport":
        assert 'name="viewport"' not in page()
    elif defect == "links.missing":
        html = page()
        dropped = site.details["links_dropped"]
        assert len(dropped) == 2
        for _, href in footer_links(site):
            assert (f'href="{href}"' in html) == (href not in dropped)
    elif defect == "page.charset_liar":
        r = site_get(farm, site)
        label = site.details["page.charset_liar"]["header"]
        assert r.headers["Content-Type"] == f"text/html; charset={label}" and label in c.LIAR_LABELS
        assert '<meta charset="utf-8">' in r.body.decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            r.body.decode("utf-8")
    elif defect == "page.no_charset":
        r = site_get(farm, site)
        assert r.headers["Content-Type"] == "text/html" and b"charset" not in r.body
        with pytest.raises(UnicodeDecodeError):
            r.body.decode("utf-8")
    elif defect == "page.no_title":
        assert "<title" not in page()
    elif defect == "html.no_lang":
        assert "<html>" in page()
    elif defect == "search.missing":
        assert 'role="search"' not in page()
    elif defect == "cn.site_code.missing":
        assert "SiteIDCode" not in page() and "网站标识码" not in page()
    elif defect in ("cn.site_code.malformed", "cn.site_code.mismatch"):
        found = re.search(r'name="SiteIDCode" content="(\w+)"', page())
        assert found
        code = found.group(1)
        assert code != site.registry.attributes["site_code"] and f"网站标识码：{code}" in page()
        assert bool(re.match(c.SITE_CODE_RE, code)) == (defect == "cn.site_code.mismatch")
        link = re.search(r"jiucuo\.html\?site_code=(\w+)&", page())
        if link and not site.has("cn.jiucuo.mismatch"):
            assert link.group(1) == code  # one code on the page: only cn.site_code fails
    elif defect == "cn.icp.missing":
        assert "ICP备" not in page()
    elif defect == "cn.psb.missing":
        assert "公网安备" not in page()
    elif defect == "cn.psb.mismatch":
        m = re.search(r"(.)公网安备\s*号?[:：]?(\d{14})", page())
        assert m and m.group(1) not in province_chars(m.group(2)[:2])
    elif defect == "cn.conac.missing":
        assert "bszs.conac.cn" not in page()
    elif defect == "cn.jiucuo.missing":
        assert c.JIUCUO_HOST not in page() and c.JIUCUO_FORMER_HOST not in page() and "_jiucuo_" not in page()
    elif defect == "cn.jiucuo.mismatch":
        m = re.search(r"(?:jiucuo\.html\?site_code=|sitecode=[\"'])(\w+)", page())
        shown = re.search(r'name="SiteIDCode" content="(\w+)"', page())
        assert m and m.group(1) != site.registry.attributes["site_code"]
        assert shown is None or m.group(1) != shown.group(1)
    elif defect == "not_found.soft404":
        assert site_get(farm, site, "/no/such/page-7f3a").status == 200
    elif defect in ("robots.missing", "sitemap.missing", "security_txt.missing"):
        path = {"robots.missing": "/robots.txt", "sitemap.missing": "/sitemap.xml",
                "security_txt.missing": "/.well-known/security.txt"}[defect]
        assert site_get(farm, site, path).status == 404
    elif defect == "analytics.trackers":
        html = page()
        hosts = [c.GA_HOST] + ([c.BAIDU_HOST, c.CNZZ_HOST] if site.jurisdiction == "cn" else [])
        for host in hosts:
            src = re.search(rf'src="https://{re.escape(host)}(/[^"?]+)', html)
            assert src and fetch(farm, host, src.group(1)).status == 200
    elif defect == "cookies.third_party":
        assert f'src="https://{c.TRACKER_HOST}/pixel.gif' in page()
        cookie = fetch(farm, c.TRACKER_HOST, "/pixel.gif").headers["Set-Cookie"]
        assert f"Domain={c.TRACKER_HOST}" in cookie and "SameSite=None" in cookie and "Secure" in cookie
    elif defect == "mixed_content":
        assert re.search(r'<(script|img) src="http://', page())
    elif defect == "security_headers.missing":
        headers = home_headers()
        assert not any(h in headers for h in c.SECURITY_HEADERS)
    elif defect == "domain.non_gov":
        assert not site.host.endswith((".gov.cn", ".gov"))
        assert farm.dns_resolver().resolve(site.host, "A")[0].address in (V4, HTTP_ONLY_V4)
    elif defect == "www.inconsistent":
        with pytest.raises(dns.resolver.NXDOMAIN):
            farm.dns_resolver().resolve(site.twin, "A")
    elif defect == "page.heavy":
        assert c.HEAVY_IMG in page()
        assert len(site_get(farm, site, c.HEAVY_IMG).body) > 5_000_000
    elif defect == "availability.slow":
        t0 = time.monotonic()
        site_get(farm, site, "/robots.txt")
        assert time.monotonic() - t0 >= c.SLOW_SECONDS - 0.1
    elif defect == "availability.failing":
        assert [site_get(farm, site).status for _ in range(2)] == [503, 503]
    elif defect == "availability.flapping":
        assert {site_get(farm, site).status for _ in range(4)} == {200, 503}
    else:
        raise AssertionError(f"no observation for {defect}")


def observe_http_only(farm: RunningFarm, site: Site) -> None:
    """https.absent: the name resolves to 127.0.0.2, where the HTTPS port refuses connections
    and HTTP serves the site (200, no redirect); over ::1 the TLS listener resets it; reached
    on 127.0.0.1 anyway, it aborts the handshake like https.none."""
    assert farm.manifest.runtime is not None
    assert farm.manifest.runtime.options["http_only_address"] == HTTP_ONLY_V4
    address = farm.dns_resolver().resolve(site.host, "A")[0].address
    assert address == HTTP_ONLY_V4
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, farm.https_port), timeout=5).close()
    conn = http.client.HTTPConnection(address, farm.http_port, timeout=10)
    try:
        conn.request("GET", "/", headers={"Host": site.host})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Location") is None and b"<html" in resp.read()
    finally:
        conn.close()
    r = fetch(farm, site.twin, tls=False)
    if not site.has("www.inconsistent"):
        assert r.status == 301 and r.headers["Location"] == f"http://{site.host}/"
    with pytest.raises(ssl.SSLError):
        connect(farm, site.host, ctx=_no_verify(farm)).close()
    if not site.has("ipv6.no_aaaa") and V6 in farm.addresses:
        with pytest.raises((ConnectionError, ssl.SSLError)):
            connect(farm, site.host, v6=True, ctx=_no_verify(farm)).close()


# The content defects (run_kind "crawl") are observed in test_farm_content.py.
@pytest.mark.parametrize("defect", [d for d, v in DEFECTS.items() if v.run_kind == "scan"])
def test_defect_is_observable(farm: RunningFarm, manifest: Manifest, defect: str) -> None:
    observe(farm, pick(manifest, defect), defect)


def test_old_protocol_is_refused_by_healthy_sites(farm: RunningFarm, manifest: Manifest) -> None:
    ctx = _old_client(farm)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with pytest.raises(ssl.SSLError):
        connect(farm, pick(manifest).host, ctx=ctx).close()


# --- docs and the command line ----------------------------------------------------------

def test_docs_list_every_defect_with_its_checks() -> None:
    text = (ROOT / "docs" / "demo-farm.md").read_text(encoding="utf-8")
    for d in DEFECTS.values():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{d.id}` ")), None)
        assert row is not None, d.id
        for check in d.checks:
            assert f"`{check}`" in row, (d.id, check)


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "manifest.json"
    proc = subprocess.Popen([sys.executable, "-m", "mgov.demo.farm", "--seed", "2", "--count", "6",
                             "--manifest-out", str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = next(line for line in proc.stdout if line.startswith("READY "))
        info = json.loads(ready[6:])
        m = Manifest.from_json(out.read_text(encoding="utf-8"))
        assert m.runtime is not None and m.runtime.https_port == info["https_port"]
        host = m.sites[0].host
        res = dns.resolver.Resolver(configure=False)
        res.nameservers, res.port = [V4], info["dns_port"]
        assert res.resolve(host, "A")[0].address == V4
        conn = http.client.HTTPConnection(V4, info["http_port"], timeout=10)
        conn.request("GET", "/", headers={"Host": host})
        assert conn.getresponse().status in (200, 301)
        conn.close()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
