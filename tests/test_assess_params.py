"""A profile's check parameters reach the scan and the assessment: us-federal binds
links.required once per required link, each with its own link; `mgov scan --profile` judges
each of them, stores each finding under its parameters' key, and each indicator reads its own."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from sqlalchemy import select

from mgov.checks.base import params_variant
from mgov.db.tables import FINDINGS
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.profiles import load
from mgov.runs.select import profile_checks, run_params

# The indicator of each of the farm's required link paths (us-federal).
INDICATOR = {"/foia": "link_foia", "/privacy": "link_privacy", "/accessibility": "link_accessibility",
             "/about": "link_about", "/contact": "link_contact"}
# The farm's five required links (contract.REQUIRED_LINKS) and its link to USA.gov.
ON_THE_FARM = {"link_privacy", "link_contact", "link_about", "link_accessibility", "link_foia", "link_usagov"}


@pytest.fixture(scope="module")
def farm():
    with run_in_thread(generate(1, 60)) as running:
        yield running


def dropped_and_healthy(manifest):
    """A US site missing two of the farm's required links (and nothing else), and a US site
    without defects: (its host, the indicators of its missing links), the healthy host."""
    dropped = next(s for s in manifest.sites if s.organization.jurisdiction == "us" and s.defects == ["links.missing"]
                   and set(s.details["links_dropped"]) <= set(INDICATOR))
    healthy = next(s for s in manifest.sites if s.organization.jurisdiction == "us" and not s.defects)
    return dropped.host, {INDICATOR[p] for p in dropped.details["links_dropped"]}, healthy.host


def test_profile_checks_carry_each_indicators_parameters():
    checks, variants = profile_checks("us-federal", "scan")
    profile = load("us-federal")
    links = [i for i in profile.indicators if i.check == "links.required"]
    assert "links.required" in checks and len(links) == 10
    assert variants["links.required"] == [dict(i.params) for i in links]  # one judgement per link
    assert variants["hsts"] == [{"min_max_age": 31536000, "include_subdomains": False, "preload": False}]
    assert "content.columns_stale" not in checks  # a crawl check: `mgov crawl --profile`
    crawl, crawl_variants = profile_checks("cn-2019-website", "crawl")
    assert "links.dead" in crawl and crawl_variants == {}  # no parameters: the checks' own
    params = run_params(profile="us-federal", checks=["robots"])
    assert params["checks"][-1] == "robots" and params["profile"] == "us-federal"
    assert params_variant({}) is None and params_variant({"a": 1, "b": 2}) == params_variant({"b": 2, "a": 1})


def test_each_required_link_is_judged_and_assessed_on_its_own(engine, farm, tmp_path, cli):
    manifest = farm.manifest
    dropped_host, missing, healthy_host = dropped_and_healthy(manifest)
    assert len(missing) == 2
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    dropped, healthy = (manifest.site(h).registry.address for h in (dropped_host, healthy_host))
    routing = []
    for target in farm.connect_to:
        routing += ["--connect-to", target]
    routing += ["--dns", f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem), "--allow-private"]
    period = str(dt.date.today().year)

    # A scan without the profile judges links.required with the check's own list (all five
    # farm links at once): the per-link indicators find nothing judged their way.
    cli("scan", "--channel", dropped, "--channel", healthy, "--checks", "links.required", *routing)
    first = json.loads(cli("assess", "--profile", "us-federal", "--period", period, "--json").stdout)
    detail = json.loads(cli("assessment", str(first["assessment"]), "--channel", dropped, "--json").stdout)
    assert {i["id"]: i["status"] for i in detail["indicators"]}[sorted(missing)[0]] == "not_assessed"

    cli("scan", "--profile", "us-federal", "--channel", dropped, "--channel", healthy, *routing)
    with engine.connect() as conn:
        variants = conn.execute(select(FINDINGS.c.variant).where(FINDINGS.c.check_id == "links.required")
                                .distinct()).scalars().all()
    assert len(variants) == 11  # the check's own (first scan) and one per required link
    out = json.loads(cli("assess", "--profile", "us-federal", "--period", period, "--json").stdout)
    # Scored by worker processes (assess.chunks), the same verdicts, scores and ranks.
    by_workers = json.loads(cli("assess", "--profile", "us-federal", "--period", period, "--workers", "2",
                                "--json").stdout)
    assert by_workers["channels"] == out["channels"] and by_workers["assessment"] != out["assessment"]
    lines = {}
    for address in (dropped, healthy):
        one = json.loads(cli("assessment", str(out["assessment"]), "--channel", address, "--json").stdout)
        lines[address] = {i["id"]: i for i in one["indicators"] if i["id"].startswith("link_")}
    # Each link on its own: the healthy site has all the farm's, the other lacks two of them.
    status = {a: {k: v["status"] for k, v in lines[a].items() if k in ON_THE_FARM} for a in lines}
    assert status[healthy] == dict.fromkeys(ON_THE_FARM, "met")
    assert status[dropped] == {**dict.fromkeys(ON_THE_FARM, "met"), **dict.fromkeys(missing, "failed")}
    assert all(v["status"] in ("met", "failed") for a in lines for v in lines[a].values())
    assert lines[dropped][sorted(missing)[0]]["evidence"]  # the homepage's archived bytes
