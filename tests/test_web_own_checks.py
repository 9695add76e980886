"""The dashboard is itself mobile-friendly and accessible: mgov's own checks run against
mgov's own pages, and they pass; and axe-core finds nothing serious on any of them.

The checks that apply to a dashboard served over plain HTTP on loopback:

- availability, not_found: the homepage answers quickly; a missing page answers 404;
- mobile.viewport, page.title, html.lang, page.weight: the page-level checks, the point of
  "mobile-friendly and accessible" (viewport, a title, the language declared, a light page);
- security_headers, cookies, third_party, analytics: what the page sends and sets (CSP,
  nosniff, framing, referrer; first-party cookies only; nothing loaded from elsewhere; no
  trackers).

Left out, and why: https.available, https.redirect, hsts, tls.valid, tls.expiry,
tls.protocol and mixed_content judge HTTPS (loopback is served over HTTP; mixed_content is
not applicable there); ipv6, www.consistency and domain.naming judge DNS names (this is an
IP address); cn.* judge China's registration identifiers of a public site; search,
links.required, robots, sitemap and security_txt are requirements of public websites (a
signed-in dashboard has no public search, footer links, or pages for crawlers); the content.*,
interaction.* and links.dead checks judge a crawl of a public site's content.

Two passes. The scanner's own: the served dashboard registered as a website channel and
scanned by `mgov scan`'s path (runs.service), anonymous as every scan is, so it judges what
a visitor gets: a redirect to the sign-in page. Then the signed-in pages: fetched by the
scanner's own HTTP client (the one `mgov scan` uses, archiving to WARC) with a session
cookie, the homepage evidence built from each page (SiteEvidence with the page as the
homepage and its stylesheets and scripts as resources), and every page-level check run on
it as the scanner runs it (Check.run).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

pytest.register_assert_rewrite("webserver")
from webserver import Demo, Server, sign_in  # noqa: E402 - after its assert rewriting

pytest_plugins = ["webserver"]  # its fixtures: the demo once a session, the server and Chromium
pytestmark = pytest.mark.heavy  # the demo pipeline (30-60 s), a scan, a browser: over a minute; SQLite pass only

SCAN_CHECKS = ["availability", "not_found", "mobile.viewport", "page.title", "html.lang", "page.weight",
               "security_headers", "cookies", "third_party", "analytics"]
PAGE_CHECKS = ["mobile.viewport", "page.title", "html.lang", "page.weight", "security_headers", "cookies",
               "third_party", "analytics"]
AXE = Path(__file__).parents[1] / "src" / "mgov" / "collect" / "probes" / "vendor" / "axe.min.js"  # the probes' copy
BLOCKING = ("serious", "critical")


def main_pages(demo: Demo) -> list[str]:
    """Every page of the dashboard a signed-in admin reads."""
    return ["/", "/orgs", f"/orgs/{demo.agency_org}", "/channels", f"/channels/{demo.agency_channel}",
            f"/findings/{demo.failing_finding}", *([f"/findings/{demo.tls_finding}"] if demo.tls_finding else []),
            "/rankings", "/tasks", "/disputes?status=all", "/reports", "/audit", "/account", "/users"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory, dashboard: Server) -> Iterator[dict[str, Any]]:
    """The scanner's own home and database (not the dashboard's), with the served dashboard
    registered as a website channel of an organization, and the routing that reaches it."""
    from mgov.config import Settings
    from mgov.db.engine import make_engine, upgrade
    from mgov.formats.load import import_file
    from mgov.runs.context import RoutingOptions

    home = tmp_path_factory.mktemp("scanner-home")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'mgov.db'}", archive_dir=home / "archive",
                        lang="en")
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    registry = {"format": "mgov-registry/1",
                "organizations": [{"code": "cn-mgov-office", "name_zh": "政府网站监管办公室",
                                   "name_en": "Government Websites Office", "jurisdiction": "cn",
                                   "tier": "provincial"}],
                "channels": [{"kind": "website", "address": dashboard.url, "owner": "cn-mgov-office",
                              "name": "mgov dashboard"}]}
    path = home / "registry.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    # A web channel is scanned at http://HOST/ and https://HOST/ (ports 80 and 443), as a
    # visitor types it: port 80 goes to the dashboard, 443 to a port where nothing listens.
    # The SSRF guard lets loopback through only because it is asked to.
    routing = RoutingOptions(connect_to=[f"127.0.0.1:80:127.0.0.1:{dashboard.port}",
                                         f"127.0.0.1:443:127.0.0.1:{closed_port()}"], allow_private=True)
    yield {"settings": settings, "engine": engine, "routing": routing}
    engine.dispose()


def test_mgov_scans_its_own_dashboard_and_every_check_passes(scanner: dict[str, Any], dashboard: Server) -> None:
    from mgov.runs import store
    from mgov.runs.select import run_params
    from mgov.runs.service import execute_run, start_run

    engine = scanner["engine"]
    run_id = start_run(engine, run_params(channels=[dashboard.url], checks=SCAN_CHECKS, routing=scanner["routing"]))
    result = execute_run(engine, scanner["settings"], run_id)
    assert result["channels"] == 1
    with engine.connect() as conn:
        findings = store.findings_of(conn, run_id=run_id)
    verdicts = {f["check_id"]: (f["status"], f["message"]) for f in findings}
    assert set(verdicts) == set(SCAN_CHECKS)
    assert {c: v for c, v in verdicts.items() if v[0] != "pass"} == {}
    by_check = {f["check_id"]: f for f in findings}
    # Anonymous, the homepage is the sign-in page; the evidence is archived like any site's.
    assert by_check["availability"]["value"]["url"].startswith("http://127.0.0.1/login?next=")
    assert by_check["html.lang"]["value"] in ("en", "zh-CN")
    assert by_check["page.weight"]["value"]["resources"] >= 2  # its stylesheet and script
    assert all(f["evidence"] for f in findings)


def session_cookie(dashboard: Server, username: str, password: str) -> str:
    """Signed in through the form, over HTTP, like a browser."""
    with httpx.Client(base_url=dashboard.url, trust_env=False, follow_redirects=False) as http:
        form = http.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = http.post("/login", data={"username": username, "password": password, "csrf": token, "next": "/"})
        assert answer.status_code == 303, answer.text
        return str(answer.cookies["mgov_session"])


async def collect_pages(scanner: dict[str, Any], base: str, paths: list[str], cookie: str) -> dict[str, Any]:
    """Each page as a homepage's evidence, fetched by the scanner's client with the session."""
    from mgov import clock
    from mgov.collect.resources import subresource_urls
    from mgov.evidence.exchange import Fetch
    from mgov.evidence.site import ChannelFacts, SiteEvidence
    from mgov.runs.context import open_context

    facts = ChannelFacts(kind="website", address=base, host="127.0.0.1", jurisdiction="cn",
                         owner="cn-mgov-office")
    out = {}
    async with open_context(scanner["settings"], scanner["routing"]) as ctx:
        for path in paths:
            url = f"{base}{path}"
            page = await ctx.client.exchange(url, cookie=cookie)
            assert page.status == 200, (url, page.status, page.error_detail)
            urls = subresource_urls(page.text or "", page.url, ctx.client.settings.max_resources)
            resources = list(await asyncio.gather(*(ctx.client.exchange(u, cookie=cookie) for u in urls)))
            out[path] = SiteEvidence(channel=facts, collected_at=clock.now(),
                                     http_home=Fetch(start_url=url, exchanges=[page]), resources=resources)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_signed_in_pages_pass_the_page_checks(scanner: dict[str, Any], dashboard: Server, demo: Demo,
                                                  lang: str) -> None:
    from mgov.checks.plugins import select

    cookie = f"mgov_session={session_cookie(dashboard, 'demo-admin', demo.passwords['demo-admin'])}; mgov_lang={lang}"
    pages = asyncio.run(collect_pages(scanner, dashboard.url, main_pages(demo), cookie))
    checks = select(PAGE_CHECKS)
    failed = {}
    for path, evidence in pages.items():
        assert evidence.home is not None and evidence.home.final.header("content-language") == (
            "zh-CN" if lang == "zh" else "en")
        assert len(evidence.resources) >= 2 and all(r.status == 200 for r in evidence.resources), path
        for check in checks:
            finding = check.run(evidence)
            if finding.status.value != "pass":
                failed[f"{path} {check.id}"] = (finding.status.value, finding.message, finding.value)
            elif check.id == "html.lang":
                assert finding.value == ("zh-CN" if lang == "zh" else "en")
    assert failed == {}


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").slice(0, 300))}));
}"""


SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize(("lang", "screen"), [("en", "desktop"), ("zh", "desktop"), ("zh", "phone")])
def test_axe_finds_nothing_serious_on_any_page(chromium: Any, dashboard: Server, demo: Demo, lang: str,
                                               screen: str) -> None:
    """axe-core (the copy vendored for the rendering probes) on every main page, the sign-in page and an
    error page, in both languages and on a phone's screen: no violation of impact serious
    or critical."""
    ctx = chromium.new_context(viewport=SCREENS[screen], locale="en-US", is_mobile=screen == "phone",
                               has_touch=screen == "phone")
    ctx.set_default_timeout(20_000)
    # Evaluated by the browser itself before any page script: the pages' CSP is untouched.
    ctx.add_init_script(path=str(AXE))
    found: dict[str, list[dict[str, Any]]] = {}
    minor: dict[str, set[str]] = {}
    try:
        page = ctx.new_page()

        def audit(name: str) -> None:
            if page.locator("[data-chart]").count():
                page.wait_for_selector("[data-chart] canvas")
            assert page.evaluate("typeof axe") == "object"
            # Folded forms (file a dispute, close a task, add a channel) are judged unfolded.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            for v in page.evaluate(AXE_RUN):
                if v["impact"] in BLOCKING:
                    found.setdefault(name, []).append(v)
                else:
                    minor.setdefault(v["id"], set()).add(name)

        page.goto(f"{dashboard.url}/lang/{lang}?next=/login")
        audit("/login")
        sign_in(page, dashboard.url, "demo-admin", demo.passwords["demo-admin"])
        for path in main_pages(demo):
            answer = page.goto(f"{dashboard.url}{path}")
            assert answer.status == 200, path
            assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
            audit(path)
        assert page.goto(f"{dashboard.url}/channels/999999999").status == 404
        audit("404")
    finally:
        ctx.close()
    if minor:
        print(f"axe, moderate or minor ({lang}, {screen}):", json.dumps({k: sorted(v) for k, v in minor.items()}))
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
