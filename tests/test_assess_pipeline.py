"""An assessment from real findings: the demo farm scanned and crawled, then scored with the
shipped cn-2019-website profile; the stored input snapshot recomputes to the same results."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from mgov.assess.service import recompute, run_assessment, summary
from mgov.config import load_settings
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.farm.defects import DEFECTS
from mgov.formats.load import import_file
from mgov.profiles import load
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

HEALTHY, DEAD_LINKS, NO_CHANNEL = "slj.jl.gov.cn", "www.szlh.gov.cn", "www.yinchuan.gov.cn"



def byte_defects(site) -> set[str]:
    """A site's defects the scan and crawl see (its rendered ones are the render pass's)."""
    return {d for d in site.defects if DEFECTS[d].run_kind != "render"}

@pytest.fixture(scope="module")
def farm():
    manifest = generate(7, 60)
    with run_in_thread(manifest) as running:
        yield running


def test_farm_channels_assessed_from_their_scan_and_crawl(engine, farm, tmp_path, cli):
    manifest = farm.manifest
    for host, defects in ((HEALTHY, set()), (DEAD_LINKS, {"ipv6.no_aaaa", "cn.jiucuo.mismatch", "links.dead_internal",
                                                          "privacy.policy_incomplete"}),
                          (NO_CHANNEL, {"page.no_charset", "interaction.none"})):
        assert byte_defects(manifest.site(host)) == defects, host  # the hand computation below relies on it
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    settings = load_settings(home=tmp_path / "home")
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    addresses = [manifest.site(h).registry.address for h in (HEALTHY, DEAD_LINKS, NO_CHANNEL)]
    for kind in ("scan", "crawl"):
        run_id = start_run(engine, run_params(kind=kind, channels=addresses, routing=routing))
        execute_run(engine, settings, run_id)

    result = run_assessment(engine, "cn-2019-website", str(dt.date.today().year))
    by_address = {c["address"]: c for c in result["channels"]}
    healthy, dead, vetoed = (by_address[a] for a in addresses)
    profile = load("cn-2019-website")
    pts = {i.id: i.points for i in profile.indicators}

    # The healthy site loses nothing; what needs a reviewer, ratings or usage is not assessed.
    assert (healthy["verdict"], healthy["score"], healthy["vetoes"]) == ("pass", 100.0, [])
    assert healthy["not_assessed"] > 0

    # Hand computation for the site with dead links (1 on the homepage, 2 elsewhere), no AAAA
    # record, a 找错 entry carrying another site's code and a privacy policy lacking 3 items:
    #   100 - d_homepage_links 1 x 1 - d_other_links 2 x 0.1 - d_ipv6 - d_jiucuo - d_privacy_items 3 x 0.25
    assert manifest.site(DEAD_LINKS).details["privacy.policy_incomplete"]["missing"] == ["retention", "officer",
                                                                                          "updates"]
    want = (100 - 1 * pts["d_homepage_links"] - 2 * pts["d_other_links"] - pts["d_ipv6"] - pts["d_jiucuo"]
            - 3 * pts["d_privacy_items"])
    assert dead["verdict"] == "pass" and dead["score"] == pytest.approx(want)
    lines = {i["id"]: i for i in dead["indicators"]}
    assert (lines["d_homepage_links"]["instances"], lines["d_other_links"]["instances"]) == (1, 2)
    assert lines["d_homepage_links"]["evidence"]  # the deduction points at archived bytes

    # No consultation channel: the 互动回应差 veto, 不合格, no score.
    assert vetoed["verdict"] == "fail" and vetoed["score"] is None and "v5_no_channel" in vetoed["vetoes"]

    # Unscanned farm channels: nothing observed, nothing made up.
    others = [c for c in result["channels"] if c["address"] not in addresses]
    assert others and all(c["verdict"] == "not_assessed" for c in others)

    # Without the breakdown, the summary is built from what was just stored: the same as read back.
    brief = run_assessment(engine, "cn-2019-website", str(dt.date.today().year), detail=False)
    assert brief == summary(engine, brief["assessment"], detail=False)
    assert [c["score"] for c in brief["channels"]] == [c["score"] for c in result["channels"]]

    # The stored snapshot gives the same results again; the CLI shows them.
    stored = {c["address"]: (c["verdict"], c["score"]) for c in summary(engine, result["assessment"])["channels"]}
    recomputed = recompute(engine, result["assessment"])
    again = {r.address: (r.verdict, r.score) for r in recomputed}
    assert again == stored
    from mgov.assess.store import plain, result_dict

    assert all(result_dict(r) == plain(r) for r in recomputed)  # the fast path stores what the generic one would
    out = cli("assessment", str(result["assessment"]), "--channel", addresses[2], COLUMNS="200").stdout
    assert "v5_no_channel" in out and "failed" in out
