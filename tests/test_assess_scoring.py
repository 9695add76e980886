"""The assessment engine against the shipped profiles, with the hand computations written out."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from typing import Any

import pytest

from mgov.assess import (
    ChannelInput,
    DailyFinding,
    ManualInput,
    Observation,
    ProbeWeek,
    RatingCounts,
    assess,
    assess_channel,
)
from mgov.profiles.loader import load
from mgov.profiles.model import Profile
from mgov.profiles.resolve import resolve

END = date(2026, 12, 31)
CLEAN = {"dead": 0, "dead_home": 0, "dead_other": 0, "stale": [], "blank": [], "missing": []}


@pytest.fixture(scope="module")
def cn() -> Profile:
    return load("cn-2019-website")


@pytest.fixture(scope="module")
def us() -> Profile:
    return load("us-federal")


def site(cid: str = "c1", tier: str = "county", **kw: Any) -> ChannelInput:
    return ChannelInput(cid, kw.pop("address", f"https://{cid}.gov.cn/"), kw.pop("kind", "website"), tier, **kw)


def passing(profile: Profile, ch: ChannelInput, **changes: Observation) -> dict[str, Observation]:
    """Every indicator observed and met (bonus items: not earned), then the given changes."""
    out: dict[str, Observation] = {}
    for ind in resolve(profile, ch.kind, ch.tier):
        oid = (ch.channel_id, ind.id)
        if ind.source == "check":
            out[ind.id] = Observation(*oid, findings=[DailyFinding(END, "pass", CLEAN, [{"file": "a.warc", "offset": 0,
                                                                                         "length": 9}])])
        elif ind.source == "probe":
            out[ind.id] = Observation(*oid, probes=[ProbeWeek(END - timedelta(days=7 * k), 140, 0) for k in range(13)])
        elif ind.source == "rating":
            out[ind.id] = Observation(*oid, ratings=RatingCounts(50, 0))
        else:
            out[ind.id] = Observation(*oid, manual=ManualInput("failed" if ind.rule == "bonus" else "met"))
    for key, obs in changes.items():
        out[key] = dataclasses.replace(obs, channel_id=ch.channel_id, indicator_id=key)
    return out


def fail(value: Any = None, day: date = END) -> Observation:
    ref = {"file": "x.warc", "offset": 5, "length": 7}
    return Observation("", "", findings=[DailyFinding(day, "fail", value, [ref])])


def value(**counts: Any) -> Observation:
    return Observation("", "", findings=[DailyFinding(END, "fail", {**CLEAN, **counts}, [{"file": "v.warc",
                                                                                          "offset": 1, "length": 2}])])


def manual(status: str, n: int = 1) -> Observation:
    return Observation("", "", manual=ManualInput(status, n, note="reviewed"))


def test_two_deductions_one_capped_and_a_fractional_one(cn: Profile) -> None:
    ch = site()
    obs = passing(cn, ch, d_homepage_links=value(dead_home=7), d_search=fail(),
                  d_other_links=value(dead_other=12))
    r = assess_channel(cn, ch, obs)
    # d_homepage_links: 1 point × 7 links = 7, capped at 5  -> 5
    # d_search:         2 points × 1                       -> 2
    # d_other_links:    0.1 point × 12 links = 1.2 (cap 3)  -> 1.2
    # score = 100 − 5 − 2 − 1.2 = 91.8; not a portal -> no bonus; ≥ 60 -> pass
    assert r.indicator("d_homepage_links").points == 5
    assert r.indicator("d_homepage_links").instances == 7
    assert r.indicator("d_search").points == 2
    assert r.indicator("d_other_links").points == 1.2
    assert (r.verdict, r.score, r.base, r.bonus) == ("pass", 91.8, 91.8, 0.0)
    assert r.vetoes_failed == () and r.not_assessed == 0
    assert r.indicator("d_search").evidence == ({"file": "x.warc", "offset": 5, "length": 7, "day": "2026-12-31"},)
    assert r.indicator("b_open_data").status == "not_applicable"  # bonus: portals only


def test_veto_fails_without_score(cn: Profile) -> None:
    ch = site()
    weeks = [ProbeWeek(date(2026, 10, 5), 140, 0), ProbeWeek(date(2026, 10, 12), 140, 7)]
    obs = passing(cn, ch, v1_secrets=manual("failed"), v2_unreachable=Observation("", "", probes=weeks),
                  d_search=fail())
    r = assess_channel(cn, ch, obs)
    # week of 10-12: 140 probes = 20 a day, 7 failed = 5 % -> ≥ 5 %: veto. Any veto: 不合格, no score.
    assert r.verdict == "fail" and r.score is None and r.grade is None
    assert r.vetoes_failed == ("v1_secrets", "v2_unreachable")  # profile order
    assert r.reasons == ("veto: v1_secrets", "veto: v2_unreachable")
    assert r.indicator("v2_unreachable").evidence == ({"week_start": "2026-10-12", "probes": 140, "failed": 7},)
    assert r.indicator("d_search").status == "failed"  # the breakdown stays for rectification


def test_no_service_department_scaled_by_four_thirds(cn: Profile) -> None:
    ch = site(tier="national", no_external_service=True, tags=("portal",))
    stale = [{"url": "u1", "name": "政策文件", "class": "policies"}, {"url": "u2", "name": "工作动态", "class": "news"}]
    obs = passing(cn, ch, d_policy_docs_stale=value(stale=stale), d_replies_stale=manual("failed"),
                  d_columns_blank=fail(), d_homepage_links=value(dead_home=5),
                  # 办事服务 is not inspected: these failures must not count
                  d_online_service=manual("failed", 4), v6_no_services=manual("failed"),
                  b_open_data=manual("met"))
    r = assess_channel(cn, ch, obs)
    # deductions: policy docs 5 + replies 3 + blank columns 2 + homepage links 1 × 5 = 15
    # base = (75 − 15) × 100 / 75 = 60 × 4/3 = 80; 80 is not above the gate 80 -> no bonus
    assert r.indicator("d_policy_docs_stale").instances == 1  # only the 政策文件 column
    assert r.indicator("d_online_service").status == "not_applicable"
    assert r.indicator("v6_no_services").status == "not_applicable"
    assert (r.verdict, r.score, r.base, r.bonus) == ("pass", 80.0, 80.0, 0.0)
    # the same department with services would have lost 8 more, out of 100: 100 − 15 − 8 = 77, and a veto
    r2 = assess_channel(cn, dataclasses.replace(ch, no_external_service=False), obs)
    assert r2.vetoes_failed == ("v6_no_services",) and r2.score is None


def test_no_service_department_failing_below_pass_mark(cn: Profile) -> None:
    ch = site(tier="national", no_external_service=True)
    obs = passing(cn, ch, d_overview=manual("failed", 3), d_interpretation=manual("failed", 3),
                  d_data_release=manual("failed", 2), d_homepage_links=value(dead_home=9),
                  d_policy_docs_stale=value(stale=[{"url": "p", "name": "规范性文件", "class": "policies"}]))
    r = assess_channel(cn, ch, obs)
    # 6 + 6 + 4 + 5 (cap) + 5 = 26; (75 − 26) × 4/3 = 49 × 4/3 = 65.3333
    assert r.score == round(49 * 4 / 3, 4) == 65.3333 and r.verdict == "pass"
    obs2 = {**obs, "d_response": dataclasses.replace(manual("failed", 2), channel_id="c1", indicator_id="d_response")}
    r2 = assess_channel(cn, ch, obs2)
    # + 4: (75 − 30) × 4/3 = 60 -> exactly the pass mark passes; one more point fails
    assert (r2.verdict, r2.score) == ("pass", 60.0)
    obs3 = {**obs2, "d_search": dataclasses.replace(fail(), channel_id="c1", indicator_id="d_search")}
    r3 = assess_channel(cn, ch, obs3)
    # (75 − 32) × 4/3 = 57.3333 < 60 -> 不合格
    assert (r3.verdict, r3.score) == ("fail", 57.3333) and r3.reasons == ("score 57.3333 below 60",)


def test_portal_above_80_earns_bonus(cn: Profile) -> None:
    ch = site(tier="provincial", tags=("portal",))
    obs = passing(cn, ch, d_search=fail(), b_interpretation=manual("met", 3), b_open_data=manual("met"))
    r = assess_channel(cn, ch, obs)
    # base 100 − 2 = 98 > 80; bonus: interpretation 5 × 3 = 15 capped at 10, open data 5 -> 15 (≤ 30)
    assert r.indicator("b_interpretation").points == 10
    assert (r.verdict, r.base, r.bonus, r.score) == ("pass", 98.0, 15.0, 113.0)
    # untagged: same base, bonus items not applicable
    r2 = assess_channel(cn, dataclasses.replace(ch, tags=()), obs)
    assert (r2.score, r2.bonus, r2.indicator("b_interpretation").status) == (98.0, 0.0, "not_applicable")
    # bonus_max clips the sum: with bonus_max 12, 15 -> 12
    capped = dataclasses.replace(cn, scoring=dataclasses.replace(cn.scoring, bonus_max=12))
    assert assess_channel(capped, ch, obs).score == 110.0


def test_portal_not_above_gate_earns_no_bonus(cn: Profile) -> None:
    ch = site(tags=("portal",))
    obs = passing(cn, ch, d_guides_incomplete=manual("failed", 12), d_online_service=manual("failed", 3),
                  b_open_data=manual("met"))
    r = assess_channel(cn, ch, obs)
    # 10 (cap of 12 × 1) + 6 = 16 -> 84 > 80: bonus 5 -> 89
    assert (r.base, r.score) == (84.0, 89.0)
    obs["d_search"] = dataclasses.replace(fail(), channel_id="c1", indicator_id="d_search")
    obs["d_ipv6"] = dataclasses.replace(fail(), channel_id="c1", indicator_id="d_ipv6")
    obs["d_jiucuo"] = dataclasses.replace(fail(), channel_id="c1", indicator_id="d_jiucuo")
    # 84 − 2 − 1 − 1 = 80: not above 80 -> no bonus
    assert assess_channel(cn, ch, obs).score == 80.0


def test_us_percentage_and_grade(us: Profile) -> None:
    ch = site("u1", tier="executive_branch", address="https://www.example.gov/")
    inds = resolve(us, "website", "executive_branch")
    assert len(inds) == 39
    failing = [i.id for i in inds][:12]
    obs = passing(us, ch, **{i: (manual("failed") if us.indicator(i).source == "manual" else fail()) for i in failing})
    r = assess_channel(us, ch, obs)
    # 27 of 39 met = 69.2308 % -> D (60 ≤ 69.2 < 70), ≥ 60 -> pass
    assert (r.score, r.grade, r.verdict) == (round(100 * 27 / 39, 4), "D", "pass")
    # 10 met ones not assessed: 29 assessed, 12 failed -> 17/29 = 58.6 % -> F, below 60 -> fail
    del_ids = [i.id for i in inds if i.id not in failing][:10]
    obs2 = {k: v for k, v in obs.items() if k not in del_ids}
    r2 = assess_channel(us, ch, obs2)
    assert r2.not_assessed == 10 and r2.score == round(100 * 17 / 29, 4) == 58.6207
    assert (r2.grade, r2.verdict) == ("F", "fail")
    assert [x.status for x in r2.indicators if x.id in del_ids] == ["not_assessed"] * 10
    # legislative branch: 4 OMB-only indicators dropped -> out of 35
    leg = assess_channel(us, dataclasses.replace(ch, tier="legislative_branch"), obs)
    assert len(leg.indicators) == 35


def test_not_assessed_is_never_deducted(cn: Profile) -> None:
    ch = site()
    obs = passing(cn, ch, d_search=fail())
    del obs["d_ipv6"], obs["v2_unreachable"], obs["d_overview"]
    obs["d_icp"] = Observation("c1", "d_icp", findings=[DailyFinding(END, "error")])
    r = assess_channel(cn, ch, obs)
    assert r.not_assessed == 4 and r.score == 98.0
    assert r.indicator("d_icp").status == "not_assessed" and r.indicator("d_icp").points == 0
    assert r.indicator("v2_unreachable").detail == "no observation for the period"
    nothing = assess_channel(cn, ch, {})
    assert (nothing.verdict, nothing.score, nothing.not_assessed) == ("not_assessed", None, len(r.indicators) - 5)


def test_assess_is_deterministic_and_sorted(cn: Profile) -> None:
    chans = [site(f"c{n}") for n in range(5)]
    obs = [o for ch in chans for o in passing(cn, ch, d_search=fail() if ch.channel_id == "c3" else
                                              manual("met")).values()]
    first = assess(cn, chans, obs)
    rnd = random.Random(7)
    chans2, obs2 = chans[:], obs[:]
    rnd.shuffle(chans2)
    rnd.shuffle(obs2)
    assert assess(cn, chans2, obs2) == first
    assert [r.channel_id for r in first] == ["c0", "c1", "c2", "c3", "c4"]
    assert [r.score for r in first] == [100.0, 100.0, 100.0, 98.0, 100.0]
    with pytest.raises(ValueError, match="two observations"):
        assess(cn, chans, obs + obs[:1])
