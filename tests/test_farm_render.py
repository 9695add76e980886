"""The demo farm's render defects (issue 16): in the manifest with the rendered checks that
should report them, marked in the pages and scripts the farm serves, invisible to the byte
level where that is their point; the healthy pages carry what a browser needs to find nothing.
(What a browser and the rendered checks make of them: the render tests of the collector.)"""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest

from mgov.demo.farm import DEFECTS, generate
from mgov.demo.farm import contract as c
from mgov.demo.farm.content import plan
from mgov.demo.farm.defects import CONFLICTS, run_kind_of
from mgov.demo.farm.defects_render import RENDER_CHECKS
from mgov.demo.farm.manifest import Manifest, Site
from mgov.demo.farm.sitefiles import Page, render_site
from mgov.demo.farm.vhosts import SiteState
from mgov.demo.verify import verify

RENDER = {d: v for d, v in DEFECTS.items() if v.run_kind == "render"}


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return generate(3, 60, today=dt.date(2026, 6, 1))


def pages(m: Manifest, site: Site) -> dict[str, Page]:
    return render_site(site, m.seed, m.today_date, plan(site, m.seed, m.today_date, 1))


def home(m: Manifest, site: Site) -> str:
    return pages(m, site)["/"].body.decode(site.encoding)


def test_render_defects_and_their_checks(manifest: Manifest) -> None:
    assert {d: v.checks for d, v in RENDER.items()} == {
        "render.js_footer": (), "render.overflow": ("mobile.overflow",),
        "render.tap_targets": ("mobile.tap_targets",), "render.no_alt": ("a11y.images",),
        "render.low_contrast": ("a11y.contrast",), "render.unlabeled_field": ("a11y.forms",),
        "render.keyboard_trap": ("a11y.keyboard",), "render.popup_ad": ("aging.popups",),
        "render.js_tracker": ("rendered.trackers",),
        # Consent and trackers (issue 18; defects_notices.py).
        "privacy.tracker_cookies": ("privacy.cookies_before_consent",),
        "privacy.tracker_on_form": ("privacy.trackers_on_forms",),
        "privacy.third_parties_unnamed": ("privacy.policy_names_third_parties",)}
    assert RENDER["render.js_footer"].passes == ("rendered.identity",)
    assert set(RENDER["render.js_footer"].obscures) == {"cn.site_code", "cn.icp", "cn.psb", "cn.jiucuo"}
    assert all(run_kind_of(ch) == "render" for v in RENDER.values() for ch in v.checks + v.passes)
    assert all(ch in RENDER_CHECKS for v in DEFECTS.values() for ch in v.obscures
               if ch.startswith(("a11y.", "mobile.")))
    # Every render defect occurs, never beside a defect that hides it, and the share of
    # healthy sites is the defect rate's.
    assert {d for s in manifest.sites for d in s.defects} >= set(RENDER)
    assert len(manifest.healthy_sites()) == 30
    for s in manifest.sites:
        assert not any(frozenset((a, b)) in CONFLICTS for a in s.defects for b in s.defects if a < b)
        for d in s.defects:
            if d in RENDER:
                assert s.details[d].get("page") or s.details[d].get("script"), d


def test_scan_defects_unchanged_by_render_defects(monkeypatch: pytest.MonkeyPatch) -> None:
    # The scan and crawl defects of a seed stay those it gave before render defects existed.
    m = generate(3, 60, today=dt.date(2026, 6, 1))
    # The module, not the package's generate() of the same name.
    monkeypatch.setattr(importlib.import_module("mgov.demo.farm.generate"), "RENDER_DEFECTS", [])
    without = generate(3, 60, today=dt.date(2026, 6, 1))
    assert not any(d.startswith("render.") for s in without.sites for d in s.defects)
    assert [[d for d in s.defects if not d.startswith("render.")] for s in m.sites] == [
        s.defects for s in without.sites]


def test_marks_on_the_homepage(manifest: Manifest) -> None:
    def site(d: str) -> Site:
        return min(manifest.with_defect(d), key=lambda s: len(s.defects))

    assert '<table class="wide">' in home(manifest, site("render.overflow"))
    assert home(manifest, site("render.tap_targets")).count('<button type="button" aria-label=') == 4
    assert re.search(r'<img src="/images/news.png" width="120" height="80">', home(manifest, site("render.no_alt")))
    assert '<p class="faint">' in home(manifest, site("render.low_contrast"))
    unlabeled = site("render.unlabeled_field")
    assert '<input type="search" name="q"><button' in home(manifest, unlabeled)
    for d, script in (("render.keyboard_trap", "/js/trap.js"), ("render.popup_ad", "/js/float.js"),
                      ("render.js_tracker", "/js/stats.js")):
        s = site(d)
        assert f'<script src="{script}" defer></script>' in home(manifest, s)
        assert pages(manifest, s)[script].content_type.startswith("text/javascript")
    ad = site("render.popup_ad")
    assert '/js/float.js' in pages(manifest, ad)["/elder/"].body.decode(ad.encoding)


def test_js_footer_writes_what_the_bytes_lack(manifest: Manifest) -> None:
    s = manifest.with_defect("render.js_footer")[0]
    html = home(manifest, s)
    assert '<script src="/js/footer.js"></script>' in html
    assert "网站标识码" not in html and "ICP备" not in html and "公网安备" not in html and "找错" not in html
    script = pages(manifest, s)["/js/footer.js"].body.decode()
    assert "document.write(" in script and "appendChild" in script
    ids = s.identifiers
    for key in ("site_code", "icp", "psb"):
        if ids.get(key):
            assert str(ids[key]) in script
    assert f"site_code={ids['jiucuo_site_code']}" in script and "我为政府网站找错" in script
    assert s.details["render.js_footer"]["script"] == "/js/footer.js"


def test_js_tracker_is_not_in_the_bytes_and_its_host_is_allowed(manifest: Manifest) -> None:
    for s in manifest.with_defect("render.js_tracker"):
        host = s.details["render.js_tracker"]["host"]
        assert host in manifest.services and host not in home(manifest, s)
        assert f"https://{host}/" in pages(manifest, s)["/js/stats.js"].body.decode()
        csp = SiteState(s, 0).https_headers.get("Content-Security-Policy")
        assert csp is None or f"https://{host}" in csp


def test_healthy_pages_carry_what_a_browser_needs(manifest: Manifest) -> None:
    for s in [next(x for x in manifest.healthy_sites() if x.jurisdiction == j) for j in ("cn", "us")]:
        html = home(manifest, s)
        assert 'aria-label="' in html.split('role="search">', 1)[1].split(">", 1)[0]
        assert '<nav class="footer-links" aria-label=' in html
        assert not re.search(r"<img(?![^>]*\balt=)[^>]*>", html)
        assert " style=" not in html and "<script>" not in html  # nothing the CSP refuses
        assert SiteState(s, 0).https_headers["Content-Security-Policy"] == c.SECURITY_HEADERS["Content-Security-Policy"]
        assert ("/elder/" in pages(manifest, s)) == (s.jurisdiction == "cn")
    for host in ("https://dap.digitalgov.gov", f"https://{c.JIUCUO_HOST}"):
        assert host in c.SECURITY_HEADERS["Content-Security-Policy"]
    elder = next(x for x in manifest.healthy_sites() if x.jurisdiction == "cn")
    assert '<body class="elder">' in pages(manifest, elder)["/elder/"].body.decode(elder.encoding)


def test_verify_requires_what_must_pass(manifest: Manifest) -> None:
    s = manifest.with_defect("render.js_footer")[0]
    findings = {s.host: {"rendered.identity": {"status": "fail"}, "cn.icp": {"status": "fail"}}}
    v = verify(manifest, findings, run_kind="render")
    assert any(x["host"] == s.host and x["defect"] == "render.js_footer" for x in v.missed)
    assert not [x for x in v.false_alarms if x["host"] == s.host and x["check"] == "cn.icp"]
    findings[s.host]["rendered.identity"] = {"status": "pass"}
    v = verify(manifest, findings, run_kind="render")
    assert not any(x["host"] == s.host and x["defect"] == "render.js_footer" for x in v.missed)
    healthy = manifest.healthy_sites()[0]
    v = verify(manifest, {healthy.host: {"a11y.contrast": {"status": "fail"}}}, run_kind="render")
    assert v.false_alarms and v.false_alarms[0]["check"] == "a11y.contrast"
