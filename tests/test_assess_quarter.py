"""A simulated quarter, assessed: the verdicts and scores equal a hand computation.

2026Q3 (1 July to 30 September, 92 days) of daily monitoring runs through the real pipeline
against the demo farm (tests/quarter.py): 20 availability probes a day, a daily scan and a
crawl every four weeks with the checks cn-2019-website binds; the farm switches to epoch 2
(a back-dated notice, a defaced homepage) on 3 August. Reviewers enter what no check can decide,
好差评 counts arrive as CSV, and `mgov assess` scores the quarter. 15 farm channels together
trigger all 14 veto items of the profile and a range of deductions, and every channel's
verdict and score is computed by hand below from the spec's rules
(../shared/specs/cn-indicators.md §1.2 scoring, §1.3 vetoes, §1.4 deductions, §1.6 thresholds).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from sqlalchemy import select

from mgov.config import RecheckSettings, load_settings
from mgov.db.tables import CHANNELS, FINDINGS
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.farm.defects import DEFECTS
from mgov.formats.load import import_file
from mgov.profiles import load
from mgov.runs.context import RoutingOptions
from quarter import simulate

pytestmark = pytest.mark.heavy  # about three minutes: the SQLite pass only

PROFILE, PERIOD = "cn-2019-website", "2026Q3"
START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
EPOCH2 = dt.date(2026, 8, 3)  # a crawl day (every four weeks from Monday 6 July)
SEED, SITES = 149, 160  # a farm where each role below has a site (defects asserted below)

# The farm channels (all in jurisdiction cn) and the defects the farm gives them (asserted below).
EXPRESSION = "www.shenyang.gov.cn"     # redflag.expression (and a hidden link, no lang)
HIDDEN_LINK = "www.mof.gov.cn"         # redflag.hidden_link, cn.icp.missing, hsts.none
BACKDATED = "zjj.suzhou.gov.cn"        # redflag.backdated (epoch 2), cn.jiucuo.missing, ...
TAMPERED = "zjj.ningbo.gov.cn"         # redflag.tampered (epoch 2), redflag.bad_link, links.missing
FLAPPING = "slj.haikou.gov.cn"         # availability.flapping: every other homepage request is a 503
HOME_STALE = "www.moa.gov.cn"          # content.home_stale, links.missing
NO_CHANNEL = "sthjj.km.gov.cn"         # interaction.none, cn.site_code.mismatch
UNANSWERED = "rsj.km.gov.cn"           # interaction.unanswered, content.columns_blank, security_headers.missing
OPINION = "www.mee.gov.cn"             # no defect; a reviewer finds serious negative public opinion
NO_SERVICES = "www.hunan.gov.cn"       # no defect; a reviewer finds no online services
IPV6 = "www.yinchuan.gov.cn"           # ipv6.unreachable; 3 差评; a reviewer deducts 2 × 解读
NON_GOV = "kjjshaanxi-gov.com.cn"      # domain.non_gov
PORTAL = "gaj.ningbo.gov.cn"           # search.missing; tagged portal, earns bonus points
LOW = "tyj.lanzhou.gov.cn"             # cn.site_code.missing; a reviewer deducts 43 points
NO_EXTERNAL = "www.szlh.gov.cn"        # ipv6.no_aaaa, privacy.policy_absent, privacy.pii_leak; no external services
PROBED = (FLAPPING, IPV6, PORTAL)
HOSTS = (EXPRESSION, HIDDEN_LINK, BACKDATED, TAMPERED, FLAPPING, HOME_STALE, NO_CHANNEL, UNANSWERED, OPINION,
         NO_SERVICES, IPV6, NON_GOV, PORTAL, LOW, NO_EXTERNAL)

# Reviewer decisions: (host, indicator, met, instances, note). A red-flag check only finds a
# candidate (its finding is a warn); the veto needs a reviewer to confirm it (profile: evidence).
REVIEWS = [
    (EXPRESSION, "v1_expressions", False, 1, "确认：文章中领导职务表述错误"),
    (EXPRESSION, "v1_secrets", False, 1, "发现涉密文件全文"),
    (HIDDEN_LINK, "v1_bad_links", False, 1, "确认：首页隐藏链接指向博彩网站"),
    (BACKDATED, "v1_backdated", False, 1, "确认：8月3日新发通知落款日期倒签200天"),
    (TAMPERED, "v1_tampering", False, 1, "确认：首页页头页脚被篡改，未及时处置"),
    (OPINION, "v1_public_opinion", False, 1, "网站发布内容引发严重负面舆情"),
    (NO_SERVICES, "v6_no_services", False, 1, "未提供任何办事服务"),
    (NO_SERVICES, "v6_guides_incomplete", False, 6, "6项办事指南缺少4类以上要素"),
    (IPV6, "d_interpretation", False, 2, "2份政策文件未配发解读"),
    (PORTAL, "b_open_data", True, 1, "开放数据集建设成效突出"),
    (PORTAL, "b_interpretation", True, 3, "3篇解读获评优秀"),
    (LOW, "d_guides_incomplete", False, 10, "10项办事指南要素不全"),
    (LOW, "d_online_service", False, 4, "4项服务无法在线办理"),
    (LOW, "d_overview", False, 3, "概况信息3处过时"),
    (LOW, "d_interpretation", False, 3, "3份政策文件未解读"),
    (LOW, "d_data_release", False, 2, "2项数据未按时发布"),
    (LOW, "d_response", False, 2, "2次回应不及时"),
    (LOW, "d_surveys", False, 3, "3次征集未反馈结果"),
]



def byte_defects(site) -> set[str]:
    """A site's defects the scan and crawl see (its rendered ones are the render pass's)."""
    return {d for d in site.defects if DEFECTS[d].run_kind != "render"}

def _hand_computation(pts: dict[str, float], caps: dict[str, float]) -> dict[str, tuple[str, float | None, set[str]]]:
    """Per host: (verdict, score, vetoes failed), from the spec's rules and the inputs above.

    §1.3: any veto item failed -> 不合格 (fail), no score. §1.2: otherwise 100 minus the
    deductions, each min(points × instances, cap); below 60 -> 不合格. Above 80, a portal adds
    its bonus items, at most 30. An organization without external services is scored out of 75
    without the 办事服务 category, × 4/3.
    """
    def d(item: str, instances: int = 1) -> float:
        return min(pts[item] * instances, caps[item])

    return {
        # Candidates the checks found, confirmed by reviewers (v1), and a second veto by hand.
        EXPRESSION: ("fail", None, {"v1_expressions", "v1_secrets"}),
        HIDDEN_LINK: ("fail", None, {"v1_bad_links"}),
        BACKDATED: ("fail", None, {"v1_backdated"}),
        TAMPERED: ("fail", None, {"v1_tampering"}),
        # Every other request a 503: about half the probes of every counted week fail (≥ 5%).
        FLAPPING: ("fail", None, {"v2_unreachable"}),
        # Every homepage item older than 14 days (V3), and the timely columns with them (V4).
        HOME_STALE: ("fail", None, {"v3_homepage_stale", "v4_columns_stale"}),
        NO_CHANNEL: ("fail", None, {"v5_no_channel"}),
        # 2 messages unanswered for 100-300 days (> 3 months), and 5 blank columns (空白栏目 ≥ 5, V4).
        UNANSWERED: ("fail", None, {"v5_unanswered", "v4_columns_blank"}),
        OPINION: ("fail", None, {"v1_public_opinion"}),
        NO_SERVICES: ("fail", None, {"v6_no_services", "v6_guides_incomplete"}),
        # 100 - IPv6 (1) - 3 差评 × 1 - 2 unexplained policies × 2 = 92
        IPV6: ("pass", 100 - d("d_ipv6") - d("d_bad_reviews", 3) - d("d_interpretation", 2), set()),
        # 100 - domain outside gov.cn (1) = 99
        NON_GOV: ("pass", 100 - d("d_domain"), set()),
        # 98 without search; above 80 and a portal: + open data 5 + min(3 × 5, 10) = 113
        PORTAL: ("pass", 100 - d("d_search") + min(d("b_open_data") + d("b_interpretation", 3), 30), set()),
        # 100 - 1 (site code) - 10 - 8 - 6 - 6 - 4 - 4 - min(3 × 2, 5) = 56 < 60: 不合格
        LOW: ("fail", 100 - d("d_site_code") - d("d_guides_incomplete", 10) - d("d_online_service", 4)
              - d("d_overview", 3) - d("d_interpretation", 3) - d("d_data_release", 2) - d("d_response", 2)
              - d("d_surveys", 3), set()),
        # (75 - IPv6 1 - no privacy policy 1) × 100 / 75 = 97.3333 (no 办事服务 category, no V6)
        NO_EXTERNAL: ("pass", round((75 - d("d_ipv6") - d("d_privacy_policy")) * 100 / 75, 4), set()),
    }


@pytest.fixture(scope="module")
def farm():
    # Generated for the quarter's first day: from there on, published items keep their dates.
    with run_in_thread(generate(SEED, SITES, today=START)) as running:
        yield running


def test_a_simulated_quarter_scores_as_the_hand_computation(engine, farm, tmp_path, cli):
    manifest = farm.manifest
    # The hand computation relies on exactly these defects.
    for host, defects in ((EXPRESSION, {"redflag.expression", "redflag.hidden_link", "html.no_lang"}),
                          (HIDDEN_LINK, {"redflag.hidden_link", "cn.icp.missing", "hsts.none"}),
                          (BACKDATED, {"redflag.backdated", "cn.jiucuo.missing", "hsts.weak",
                                       "security_headers.missing"}),
                          (TAMPERED, {"redflag.tampered", "redflag.bad_link", "links.missing"}),
                          (FLAPPING, {"availability.flapping"}), (HOME_STALE, {"content.home_stale", "links.missing"}),
                          (NO_CHANNEL, {"interaction.none", "cn.site_code.mismatch"}),
                          (UNANSWERED, {"interaction.unanswered", "content.columns_blank", "security_headers.missing"}),
                          (IPV6, {"ipv6.unreachable"}), (NON_GOV, {"domain.non_gov"})):
        assert byte_defects(manifest.site(host)) == defects, host
    assert byte_defects(manifest.site(PORTAL)) == {"search.missing"}
    assert byte_defects(manifest.site(LOW)) == {"cn.site_code.missing"}
    assert byte_defects(manifest.site(NO_EXTERNAL)) == {"ipv6.no_aaaa", "privacy.policy_absent", "privacy.pii_leak"}
    assert not manifest.site(OPINION).defects and not manifest.site(NO_SERVICES).defects

    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    address = {h: manifest.site(h).registry.address for h in HOSTS}
    cli("channel", "edit", address[PORTAL], "--add-tag", "portal")
    cli("org", "edit", manifest.site(NO_EXTERNAL).registry.owner, "--no-external-service")

    # The farm's passing faults (the flapping site) pass at once: a short pause before re-checks.
    settings = load_settings(home=tmp_path / "home").model_copy(update={"recheck": RecheckSettings(delay=0.1)})
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    # Availability probes (20 a day, the veto's minimum) for the flapping site and two
    # controls; the other channels' V2 stays not assessed: no probes, no verdict on it.
    sim = simulate(engine, settings, farm, list(address.values()), START, END, profile=PROFILE, routing=routing,
                   epoch2_on=EPOCH2, probed=[address[h] for h in PROBED])
    print(f"simulated {sim.days} days: {len(sim.scans)} scans, {len(sim.crawls)} crawls on {sim.crawl_days}, "
          f"{sim.probe_rounds} probe rounds; seconds {sim.seconds}")
    assert sim.days == 92 and len(sim.scans) == 92
    assert sim.crawl_days == [dt.date(2026, 7, 6), EPOCH2, dt.date(2026, 8, 31), dt.date(2026, 9, 28)]

    # Reviewers confirm only what the checks put forward: each red-flag candidate was found.
    for host, check in ((EXPRESSION, "content.expressions"), (HIDDEN_LINK, "content.bad_links"),
                        (BACKDATED, "content.backdated"), (TAMPERED, "content.tampering")):
        flagged = _flagged_days(engine, address[host], check)
        assert flagged, (host, check)
        if host in (BACKDATED, TAMPERED):
            assert flagged == [EPOCH2], (host, flagged)  # new in epoch 2, seen once as new
    for host, indicator, met, instances, note in REVIEWS:
        cli("review", "--profile", PROFILE, "--period", PERIOD, "--channel", address[host], "--indicator", indicator,
            "--met" if met else "--failed", "--instances", str(instances), "--note", note, "--by", "检查组")
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("渠道,非常满意,满意,基本满意,不满意,非常不满意\n"
                       f"{address[IPV6]},40,12,5,2,1\n", encoding="utf-8")
    cli("ratings", "import", str(ratings), "--profile", PROFILE, "--period", PERIOD)

    out = json.loads(cli("assess", "--profile", PROFILE, "--period", PERIOD, "--json").stdout)
    assessed = {c["address"]: c for c in out["channels"]}
    profile = load(PROFILE)
    pts = {i.id: i.points or 0.0 for i in profile.indicators}
    caps = {i.id: i.cap if i.cap is not None else float("inf") for i in profile.indicators}
    want = _hand_computation(pts, caps)
    got = {h: (assessed[address[h]]["verdict"], assessed[address[h]]["score"], set(assessed[address[h]]["vetoes"]))
           for h in HOSTS}
    assert got == {h: (v, pytest.approx(s) if s is not None else None, vetoes) for h, (v, s, vetoes) in want.items()}
    assert (want[IPV6][1], want[NON_GOV][1], want[PORTAL][1], want[LOW][1]) == (92, 99, 113, 56)
    # A quarter of daily monitoring is complete: nothing is left unranked for want of it (the
    # unprobed channels miss only V2, 1 of their 27 monitored indicators).
    assert all(assessed[address[h]]["complete"] for h in HOSTS)
    assert max(assessed[address[h]]["not_assessed_share"] for h in HOSTS) <= 0.04

    # Together the channels trigger every veto item of the profile.
    vetoes = {i.id for i in profile.indicators if i.rule == "veto"}
    assert len(vetoes) == 14 and set().union(*(v for _, _, v in got.values())) == vetoes

    # The breakdown of a scored channel shows each deduction with its instances and evidence.
    detail = json.loads(cli("assessment", str(out["assessment"]), "--channel", address[IPV6], "--json").stdout)
    lines = {i["id"]: i for i in detail["indicators"]}
    assert (lines["d_ipv6"]["status"], lines["d_ipv6"]["points"]) == ("failed", 1)
    assert lines["d_ipv6"]["evidence"]  # archived bytes behind the deduction
    assert (lines["d_bad_reviews"]["instances"], lines["d_interpretation"]["points"]) == (3, 4)
    # 12 whole weeks (6 July to 27 September) of 20 probes a day, none failing; the partial
    # weeks at either end have too few probes to count (国办: ≥ 20 a day).
    assert lines["v2_unreachable"]["status"] == "met"
    assert lines["v2_unreachable"]["detail"].startswith("0 of 12 week(s)"), lines["v2_unreachable"]["detail"]
    unprobed = json.loads(cli("assessment", str(out["assessment"]), "--channel", address[NON_GOV], "--json").stdout)
    assert {i["id"]: i["status"] for i in unprobed["indicators"]}["v2_unreachable"] == "not_assessed"


def _flagged_days(engine, address: str, check: str) -> list[dt.date]:
    with engine.connect() as conn:
        rows = conn.execute(select(FINDINGS.c.observed_at).join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
                            .where(CHANNELS.c.address == address, FINDINGS.c.check_id == check,
                                   FINDINGS.c.status.in_(("warn", "fail")))
                            .order_by(FINDINGS.c.observed_at)).all()
    return sorted({r.observed_at.date() for r in rows})
