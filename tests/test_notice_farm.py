"""The privacy-notice and consent checks over the demo farm, end to end (issue 18).

A crawl of the sites with a notice defect and of healthy sites of both jurisdictions and both
link forms: every deficient policy is named item by item, exactly the items the farm left out,
and nothing is said of a complete one; the placeholder policy and the US site without /privacy
fail. A render pass (Debian's Chromium behind mgov's proxy) of the sites with a consent defect
and of healthy ones: tracker cookies set on the first load, a tracker on the form page and a
tracker the policy does not name are each reported, and no healthy page is flagged."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mgov.config import load_settings
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.farm.defects_notices import NOTICE_DEFECTS
from mgov.demo.verify import verify
from mgov.runs import store
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run
from test_scan_farm import register, routing

pytestmark = pytest.mark.heavy  # a crawl of ten sites and a minute of Chromium

SEED, SITES = 1, 60  # every notice defect in both jurisdictions (asserted below)
CRAWLED = ("privacy.policy_incomplete", "privacy.policy_absent", "privacy.program_missing")
RENDERED = ("privacy.tracker_cookies", "privacy.tracker_on_form", "privacy.third_parties_unnamed")


@pytest.fixture(scope="module")
def farm():
    with run_in_thread(generate(SEED, SITES)) as running:
        yield running


def healthy(manifest, jurisdiction: str) -> list:
    """A healthy site of each link form (the policy where the short and the long form put it)."""
    sites = [s for s in manifest.healthy_sites() if s.jurisdiction == jurisdiction]
    return [next(s for s in sites if s.form("links") == form) for form in ("short", "long")]


def run(engine, settings, farm, kind: str, sites: list) -> dict[str, dict]:
    limits = {"max_seconds": 60.0} if kind == "crawl" else {}
    run_id = start_run(engine, run_params(kind=kind, channels=[s.registry.address for s in sites],
                                           routing=routing(farm), limits=limits))
    assert execute_run(engine, settings, run_id)["channels"] == len(sites)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_host: dict[str, dict] = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1].split("/")[0], {})[r["check_id"]] = r
    return by_host


def test_the_notice_checks_name_each_missing_item_and_nothing_on_complete_policies(engine, farm, tmp_path):
    m = farm.manifest
    defective = [s for s in m.sites if set(CRAWLED) & set(s.defects)]
    assert {(d, s.jurisdiction) for s in defective for d in s.defects if d in CRAWLED} == {
        ("privacy.policy_incomplete", "cn"), ("privacy.policy_incomplete", "us"), ("privacy.policy_absent", "cn"),
        ("privacy.program_missing", "us")}
    variants = {tuple(s.details["privacy.policy_incomplete"]["missing"])
                for s in m.with_defect("privacy.policy_incomplete")}
    assert len(variants) == 3  # the typical 隐私声明, a fuller cn policy, the short us policy
    clean = healthy(m, "cn") + healthy(m, "us")
    register(engine, m, tmp_path)
    by_host = run(engine, load_settings(home=tmp_path / "home"), farm, "crawl", defective + clean)

    report = verify(dataclasses.replace(m, sites=defective + clean), by_host, run_kind="crawl")
    assert report.missed == [] and report.false_alarms == [], json.dumps(report.as_dict(), ensure_ascii=False)[:4000]
    for site in m.with_defect("privacy.policy_incomplete"):
        finding = by_host[site.host]["privacy.policy_complete"]
        assert finding["status"] == "fail"
        assert [x["item"] for x in finding["value"]["missing"]] == site.details["privacy.policy_incomplete"]["missing"]
        assert all(x["clauses"] for x in finding["value"]["missing"])
        assert finding["value"]["url"].endswith(site.details["privacy.policy_incomplete"]["page"])
        assert by_host[site.host]["privacy.policy_present"]["status"] == "pass"
    for site in clean:
        got = by_host[site.host]
        assert got["privacy.policy_present"]["status"] == "pass", got["privacy.policy_present"]
        assert got["privacy.policy_present"]["value"]["clicks"] == 1
        assert got["privacy.policy_complete"]["status"] == "pass", got["privacy.policy_complete"]["message"]
        assert got["privacy.policy_complete"]["value"]["missing"] == []
        want = "pass" if site.jurisdiction == "us" else "not_applicable"
        assert got["privacy.program_page"]["status"] == want, got["privacy.program_page"]
    absent = m.with_defect("privacy.policy_absent")[0]
    assert by_host[absent.host]["privacy.policy_present"]["status"] == "fail"
    assert by_host[absent.host]["privacy.policy_complete"]["status"] == "not_applicable"
    missing = m.with_defect("privacy.program_missing")[0]
    assert by_host[missing.host]["privacy.program_page"]["value"]["status"] == 404
    assert by_host[missing.host]["privacy.policy_complete"]["status"] == "pass"  # its policy moved, complete


def test_consent_and_trackers_on_rendered_pages(engine, farm, tmp_path):
    m = farm.manifest
    defective = [s for s in m.sites if set(RENDERED) & set(s.defects)]
    assert {(d, s.jurisdiction) for s in defective for d in s.defects if d in RENDERED} == {
        (d, j) for d in RENDERED for j in ("cn", "us")}
    clean = healthy(m, "cn")[:1] + healthy(m, "us")[:1]
    register(engine, m, tmp_path)
    chosen = defective + clean
    by_host = run(engine, load_settings(home=tmp_path / "home"), farm, "render", chosen)

    report = verify(dataclasses.replace(m, sites=chosen), by_host, run_kind="render")
    assert report.missed == [] and report.false_alarms == [], json.dumps(report.as_dict(), ensure_ascii=False)[:6000]
    for site in m.with_defect("privacy.tracker_cookies"):
        finding = by_host[site.host]["privacy.cookies_before_consent"]
        names = {c["name"] for c in finding["value"]["cookies"] if c["kind"] == "tracker"}
        assert names == set(site.details["privacy.tracker_cookies"]["cookies"]), finding["value"]
        assert by_host[site.host]["privacy.policy_names_third_parties"]["status"] == "pass"  # it names them
    for site in m.with_defect("privacy.tracker_on_form"):
        finding = by_host[site.host]["privacy.trackers_on_forms"]
        (page,) = [p for p in finding["value"]["pages"] if p["trackers"]]
        assert page["page"].endswith(site.details["privacy.tracker_on_form"]["page"]) and page["fields"]
        assert by_host[site.host]["privacy.cookies_before_consent"]["status"] == "pass"  # the homepage sets none
    for site in m.with_defect("privacy.third_parties_unnamed"):
        finding = by_host[site.host]["privacy.policy_names_third_parties"]
        assert [u["entity"] for u in finding["value"]["unnamed"]] == [
            site.details["privacy.third_parties_unnamed"]["entity"]]
    for site in clean:
        got = by_host[site.host]
        assert got["privacy.trackers_on_forms"]["status"] == "pass", got["privacy.trackers_on_forms"]
        assert got["privacy.cookies_before_consent"]["status"] == "pass"
        assert got["privacy.policy_names_third_parties"]["status"] == "pass"
    dap = by_host[clean[1].host]["privacy.policy_names_third_parties"]["value"]
    assert dap["named"] == {"Digital Analytics Program (DAP)": "Digital Analytics Program (DAP)"}
    assert set(NOTICE_DEFECTS) == set(CRAWLED) | set(RENDERED)
