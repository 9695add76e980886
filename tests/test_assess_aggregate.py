"""Aggregation modes, probe-week vetoes, ratings, ranks and changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from mgov.assess import (
    ChannelResult,
    DailyFinding,
    ManualInput,
    Observation,
    ProbeWeek,
    RatingCounts,
    aggregate,
    compare,
    mode_of,
    rank,
)
from mgov.profiles.loader import load
from mgov.profiles.model import Indicator

D0 = date(2026, 10, 1)


def ind(source: str = "check", rule: str = "deduct", **agg: Any) -> Indicator:
    return Indicator("x_item", "项", "Item", "function", rule, source, check="search" if source == "check" else None,
                     aggregate=agg, points=1, cap=5)


def days(*statuses: str, value: Any = None) -> Observation:
    return Observation("c", "x_item", findings=[DailyFinding(D0 + timedelta(days=n), s, value,
                                                             [{"file": f"d{n}.warc", "offset": n, "length": 1}])
                                                for n, s in enumerate(statuses)])


def test_latest_is_the_default_and_skips_errors() -> None:
    out = aggregate(ind(), days("fail", "pass", "fail", "error"))
    assert (out.status, out.instances) == ("failed", 1)
    assert out.evidence == ({"file": "d2.warc", "offset": 2, "length": 1, "day": "2026-10-03"},)
    assert aggregate(ind(), days("fail", "warn")).status == "met"
    assert aggregate(ind(), days("error", "error")).status == "not_assessed"
    assert aggregate(ind(), days("pass", "not_applicable")).status == "not_applicable"
    assert aggregate(ind(), None).status == "not_assessed"
    assert aggregate(ind(), Observation("c", "x_item")).status == "not_assessed"


def test_worst_any_fail_and_fail_days_ratio() -> None:
    obs = days("pass", "fail", "warn", "fail", "pass", "error")
    worst = aggregate(ind(mode="worst"), obs)
    assert (worst.status, worst.evidence[0]["day"]) == ("failed", "2026-10-04")  # latest of the worst
    anyf = aggregate(ind(mode="any_fail"), obs)
    assert (anyf.status, anyf.instances, len(anyf.evidence)) == ("failed", 2, 2)
    # 2 failing of 5 usable days = 40 %
    assert aggregate(ind(mode="fail_days_ratio", fail_ratio_gte=0.4), obs).status == "failed"
    assert aggregate(ind(mode="fail_days_ratio", fail_ratio_gte=0.41), obs).status == "met"
    # window: the last 3 days up to the latest finding (10-04 … 10-06): fail, pass, error -> 1 of 2
    assert aggregate(ind(mode="any_fail", window_days=3), obs).instances == 1
    with pytest.raises(ValueError, match=r"x_item.*fail_ratio_gte"):
        aggregate(ind(mode="fail_days_ratio"), obs)


def test_unknown_mode_names_the_indicator() -> None:
    with pytest.raises(ValueError, match=r"indicator 'x_item': unknown aggregate mode 'median'"):
        aggregate(ind(mode="median"), None)
    with pytest.raises(ValueError, match=r"x_item.*unknown aggregate scope"):
        aggregate(ind(scope="footer"), days("fail", value={"dead": 1}))


def test_instances_from_value_reads_dead_links_and_column_types() -> None:
    cn = load("cn-2019-website")
    home, other, policy = (cn.indicator(i) for i in ("d_homepage_links", "d_other_links", "d_policy_docs_stale"))
    assert {mode_of(home), mode_of(other), mode_of(policy)} == {"instances_from_value"}
    obs = days("fail", value={"dead": 15, "dead_home": 3, "dead_other": 12})
    assert (aggregate(home, obs).instances, aggregate(other, obs).instances) == (3, 12)
    # a passing day with no dead links is met, a warn day with counts still deducts
    assert aggregate(home, days("pass", value={"dead_home": 0})).status == "met"
    stale = [{"name": "通知公告", "class": "notices"}, {"name": "政策文件", "class": "policies"}]
    out = aggregate(policy, days("warn", value={"stale": stale}))
    assert (out.status, out.instances) == ("failed", 1)
    assert aggregate(home, days("fail", value={"other": 1})).status == "not_assessed"


def probe_obs(*weeks: tuple[int, int]) -> Observation:
    return Observation("c", "v2_unreachable", probes=[ProbeWeek(D0 + timedelta(weeks=n), p, f)
                                                      for n, (p, f) in enumerate(weeks)])


def test_probe_week_veto_at_exactly_5_percent_and_20_a_day() -> None:
    v2 = load("cn-2019-website").indicator("v2_unreachable")
    assert mode_of(v2) == "probe_week_ratio"
    # 140 probes = 20 a day over 7 days; 7 failed = 5.00 % -> veto (≥ 5 %)
    assert aggregate(v2, probe_obs((140, 0), (140, 7))).status == "failed"
    # 6 of 140 = 4.29 % -> met, with a warning (≥ 3 %)
    out = aggregate(v2, probe_obs((140, 6)))
    assert out.status == "met" and "warning" in out.detail
    # 139 probes = 19.86 a day: the week does not count, even at 7 failed (5.04 %)
    assert aggregate(v2, probe_obs((139, 7))).status == "not_assessed"
    assert aggregate(v2, probe_obs((139, 7), (280, 13))).status == "met"  # 13/280 = 4.64 %
    assert aggregate(v2, probe_obs((280, 14))).status == "failed"  # 14/280 = 5 %


def test_ratings_and_manual_override() -> None:
    r = RatingCounts.from_levels({"非常满意": 10, "满意": 5, "不满意": 2, "非常不满意": 1})
    assert (r.total, r.bad) == (18, 3)
    with pytest.raises(ValueError, match="unknown rating level"):
        RatingCounts.from_levels({"很好": 1})
    d = load("cn-2019-website").indicator("d_bad_reviews")
    out = aggregate(d, Observation("c", "d_bad_reviews", ratings=r))
    assert (out.status, out.instances) == ("failed", 3)
    out = aggregate(d, Observation("c", "d_bad_reviews", ratings=RatingCounts(18, 3, overdue=0)))
    assert (out.status, out.instances) == ("met", 0)
    # a reviewer's decision beats the check's candidates
    confirmed = Observation("c", "x_item", findings=days("warn").findings,
                            manual=ManualInput("failed", 2, "confirmed", [{"url": "https://a/"}]))
    out = aggregate(ind(rule="veto"), confirmed)
    assert (out.status, out.instances, out.evidence) == ("failed", 2, ({"url": "https://a/"},))


def result(cid: str, score: float | None, verdict: str = "pass", tier: str = "county", kind: str = "website",
           address: str = "", failed: tuple[str, ...] = (), complete: bool = True) -> ChannelResult:
    from mgov.assess import IndicatorResult
    inds = tuple(IndicatorResult(i, "deduct", "function", "failed") for i in failed)
    return ChannelResult("p", cid, address or f"https://{cid}/", kind, tier, "", verdict, score,
                         None, ("v2",) if verdict == "fail" and score is None else (), inds, 0, complete=complete)


def test_rank_within_tier_and_kind_ties_share_a_rank_vetoed_last() -> None:
    results = [result("a", 95, address="https://b.gov.cn/"), result("b", 95, address="https://a.gov.cn/"),
               result("v", None, "fail"), result("d", 90), result("f", 55, "fail"),
               result("n", None, "not_assessed"), result("p", 99, tier="provincial"),
               result("m", 70, kind="mobile_site"),
               result("i", None, "not_assessed", address="https://0.gov.cn/", complete=False),
               result("iv", None, "fail", address="https://z.gov.cn/", complete=False)]
    ranks = rank(results)
    county = [(r.channel_id, r.rank, r.of, r.position) for r in ranks if (r.tier, r.kind) == ("county", "website")]
    # The two 95s share rank 1 (listed by address: a.gov.cn first), then 90 is 3rd, the failing
    # 55 4th, the vetoed one 5th, of 5. Then, unranked: the incomplete ones (vetoed before not
    # assessed, by address) and the one with nothing assessed, which is never ranked.
    assert county == [("b", 1, 5, 1), ("a", 1, 5, 2), ("d", 3, 5, 3), ("f", 4, 5, 4), ("v", 5, 5, 5),
                      ("iv", None, 5, 6), ("i", None, 5, 7), ("n", None, 5, 8)]
    assert [(r.channel_id, r.rank, r.of) for r in ranks if r.tier == "provincial"] == [("p", 1, 1)]
    assert [(r.channel_id, r.rank) for r in ranks if r.kind == "mobile_site"] == [("m", 1)]
    assert rank(list(reversed(results))) == ranks


def test_ties_share_a_rank_competition_ranking() -> None:
    # Ten perfect channels are all first; the next is 11th. Two vetoed channels share the
    # rank after every scored one.
    results = [result(f"t{n}", 100) for n in range(10)] + [result("x", 80), result("y", 80), result("z", 60)]
    results += [result("v1", None, "fail"), result("v2", None, "fail")]
    ranks = {r.channel_id: r for r in rank(results)}
    assert [ranks[f"t{n}"].rank for n in range(10)] == [1] * 10
    assert (ranks["x"].rank, ranks["y"].rank, ranks["z"].rank) == (11, 11, 13)
    assert (ranks["v1"].rank, ranks["v2"].rank) == (14, 14)
    assert sorted(r.position for r in ranks.values()) == list(range(1, 16))  # positions stay 1..n
    three = rank([result("a", 90), result("b", 90), result("c", 70)])
    assert [r.rank for r in three] == [1, 1, 3]


def test_compare_periods() -> None:
    prev = [result("a", 90, failed=("d_search",)), result("b", None, "fail"), result("c", 80), result("gone", 70)]
    cur = [result("a", 88, failed=("d_ipv6",)), result("b", 75), result("c", 80), result("new", 60)]
    ch = {c.channel_id: c for c in compare(cur, prev)}
    assert [c.channel_id for c in compare(cur, prev)] == ["a", "b", "c", "gone", "new"]
    assert (ch["a"].trend, ch["a"].delta, ch["a"].newly_failed, ch["a"].resolved) == ("worse", -2.0, ("d_ipv6",),
                                                                                     ("d_search",))
    assert (ch["b"].trend, ch["b"].delta, ch["b"].previous_verdict) == ("improved", None, "fail")
    assert ch["c"].trend == "same" and ch["gone"].trend == "removed" and ch["new"].trend == "new"
