"""Crawling the demo farm end to end: every content defect of the manifest is found by its
check, no crawl check flags a site without one, and the link graph names the exact dead
links and the pages carrying them; a second crawl after the farm moved on (epoch 2) finds
the backdated items and the tampered homepages; trap sites end within their caps."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from sqlalchemy import func, select

from mgov.config import load_settings
from mgov.crawl.store import dead_links
from mgov.db.tables import CRAWL_PAGES, SCAN_ITEMS
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.verify import verify
from mgov.formats.load import import_file
from mgov.runs import store
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

LIMITS = {"max_seconds": 30.0}  # only the slow site (3 s a response) needs it; see mgov.demo
CONCURRENCY = 8
DEAD_DEFECTS = ("links.dead_internal", "links.dead_external")


@pytest.fixture(scope="module")
def farm():
    manifest = generate(7, 60, traps=True)
    with run_in_thread(manifest) as running:
        yield running


def routing(farm):
    return RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                          ca_bundle=str(farm.ca_pem), allow_private=True)


def register(engine, manifest, tmp_path):
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []


def crawl(engine, settings, farm, sites, **limits):
    run_id = start_run(engine, run_params(kind="crawl", channels=[s.registry.address for s in sites],
                                           routing=routing(farm), limits={**LIMITS, **limits}))
    result = execute_run(engine, settings, run_id, concurrency=CONCURRENCY)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_host: dict = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1].split("/")[0], {})[r["check_id"]] = r
    return run_id, result, by_host


def covering(sites, clean=3):
    """Sites that between them show every defect the farm has (greedily: the site adding most
    first), and `clean` sites with none. Every crawl defect is looked for, and every defect of
    any kind (an HTTP-only site, a slow one, a charset liar...) can still provoke a crawl
    false alarm, in half the crawl (the suite's longest test, twice)."""
    left, chosen = {d for s in sites for d in s.defects}, []
    while left:
        best = max(sites, key=lambda s: len(left & set(s.defects)))
        chosen.append(best)
        left -= set(best.defects)
    return chosen + [s for s in sites if not s.defects][:clean]


@pytest.mark.heavy
def test_crawls_report_every_content_defect_and_nothing_else(engine, farm, tmp_path):
    every = [s for s in farm.manifest.sites if s.role == "site"]
    sites = covering(every)
    assert len(sites) < len(every) and {d for s in sites for d in s.defects} == {d for s in every for d in s.defects}
    manifest = dataclasses.replace(farm.manifest, sites=sites)  # verify() judges these sites only
    register(engine, farm.manifest, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    farm.set_epoch(1)
    try:
        run_id, result, by_host = crawl(engine, settings, farm, sites)
        assert result["channels"] == len(sites)
        report = verify(manifest, by_host, run_kind="crawl", epoch=1)
        assert report.missed == [] and report.false_alarms == [], \
            json.dumps(report.as_dict(), ensure_ascii=False)[:4000]
        assert report.detected == report.defects >= 15

        # The dead links found are exactly the manifest's, each with the pages carrying it.
        with engine.connect() as conn:
            found = dead_links(conn, run_id, limit=10_000)
        got = {(r["address"].split("://")[1].split("/")[0], r["url"]): {p["url"] for p in r["pages"]} for r in found}
        want = {(s.host, link["url"]): set(link["pages"]) for s in sites for d in DEAD_DEFECTS if s.has(d)
                for link in s.details[d]["links"]}
        assert want and set(got) == set(want)
        for key, pages in want.items():
            assert pages <= got[key], key
        dead_finding = by_host[next(h for h, _ in want)]["links.dead"]
        assert dead_finding["status"] == "fail" and dead_finding["value"]["dead"] >= 1

        # The second crawl, after the sites moved on: backdated items and tampered homepages.
        farm.set_epoch(2)
        _, _, by_host2 = crawl(engine, settings, farm, sites)
        report2 = verify(manifest, by_host2, run_kind="crawl", epoch=2)
        assert report2.missed == [] and report2.false_alarms == [], \
            json.dumps(report2.as_dict(), ensure_ascii=False)[:4000]
        backdated = next(s for s in sites if s.has("redflag.backdated"))
        assert by_host2[backdated.host]["content.backdated"]["value"]["compared"] is True
    finally:
        farm.set_epoch(1)


def test_trap_sites_end_within_their_caps(engine, farm, tmp_path):
    manifest = farm.manifest
    traps = [s for s in manifest.sites if s.role in ("calendar_trap", "session_trap")]
    assert len(traps) == 2
    register(engine, manifest, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    run_id, _, by_host = crawl(engine, settings, farm, traps, max_pages=200, max_depth=50,
                                    max_query_variants=20)
    with engine.connect() as conn:
        pages = dict(conn.execute(select(CRAWL_PAGES.c.channel_id, func.count()).where(CRAWL_PAGES.c.run_id == run_id)
                                  .group_by(CRAWL_PAGES.c.channel_id)).all())
    assert len(pages) == 2 and all(0 < n <= 200 for n in pages.values()), pages
    for site in traps:
        assert by_host[site.host]["links.dead"]["status"] in ("pass", "fail")  # judged, not crashed


def test_crawl_killed_and_resumed_loses_and_repeats_nothing(engine, farm, tmp_path, db_url):
    manifest = farm.manifest
    sites = [s for s in manifest.sites if s.role == "site"][:24]
    register(engine, manifest, tmp_path)
    home = tmp_path / "home"
    env = {**os.environ, "MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(home), "MGOV_LANG": "en"}
    base = [sys.executable, "-m", "mgov", "crawl", "--concurrency", "3", "--allow-private", "--max-seconds", "20",
            "--dns", f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem),
            *(a for c in farm.connect_to for a in ("--connect-to", c))]
    proc = subprocess.Popen([*base, *(a for s in sites for a in ("--channel", s.registry.address))], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and done < 4:
        time.sleep(0.2)
        with engine.connect() as conn:
            done = conn.execute(select(func.count()).select_from(SCAN_ITEMS)).scalar_one()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 4 <= done < len(sites), "the crawl must be killed midway for this test to mean anything"
    out = subprocess.run([sys.executable, "-m", "mgov", "crawl", "--resume", "--json"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    with engine.connect() as conn:
        items = conn.execute(select(SCAN_ITEMS.c.channel_id, func.count()).group_by(SCAN_ITEMS.c.channel_id)).all()
        dup_pages = conn.execute(select(CRAWL_PAGES.c.channel_id, CRAWL_PAGES.c.url, func.count())
                                 .group_by(CRAWL_PAGES.c.channel_id, CRAWL_PAGES.c.url)
                                 .having(func.count() > 1)).all()
    assert len(items) == len(sites) and {n for _, n in items} == {1}
    assert dup_pages == []


def test_scan_refuses_crawl_checks_and_links_needs_a_crawl(cli, cn_sample):
    cli("import", str(cn_sample))
    assert "mgov crawl" in cli("scan", "--checks", "links.dead", code=1).stderr
    assert "no crawl has run yet" in cli("links", code=1).stderr
    assert "no unfinished crawl run" in cli("crawl", "--resume", code=1).stderr


def test_an_http_only_site_is_crawled_where_it_is_served(engine, farm, tmp_path):
    """A Chinese county site registered as https:// but served only over HTTP (nothing listens
    on 443) gets its full set of crawl and content verdicts: the crawl starts from the
    working homepage and says where it started."""
    site = next(s for s in farm.manifest.sites if s.has("https.absent") and s.organization.jurisdiction == "cn"
                and any(d.startswith("content.") for d in s.defects))
    assert site.registry.address.startswith("https://")
    register(engine, farm.manifest, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    farm.set_epoch(1)
    run_id, _, by_host = crawl(engine, settings, farm, [site])
    found = by_host[site.host]
    # No crawl error (privacy.program_page does not apply to a cn site).
    assert {r["status"] for r in found.values()} <= {"pass", "fail", "warn", "not_applicable"}, found
    report = verify(farm.manifest, by_host, run_kind="crawl", epoch=1)
    mine = [m for m in report.missed + report.false_alarms if m["host"] == site.host]
    assert mine == [] and any(d.startswith("content.") for d in site.defects)
    moved = next(iter(found.values()))["value"]
    assert moved["start_url"].startswith("http://") and moved["registered_url"] == site.registry.address
    with engine.connect() as conn:
        pages = conn.execute(select(func.count()).select_from(CRAWL_PAGES).where(CRAWL_PAGES.c.run_id == run_id))
        assert pages.scalar_one() > 5
