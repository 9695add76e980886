"""Profiles as data: the shipped profiles, resolution per kind and tier, user folders, docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mgov.profiles import Deadline, ProfileError, load, load_all, resolve

DOC = Path(__file__).resolve().parents[1] / "docs" / "profiles.md"
EXAMPLE = re.compile(r"<!-- example: (?P<name>\S+) -->\n```toml\n(?P<body>.*?)^```$", re.M | re.S)


def test_shipped_profiles_load() -> None:
    profiles = load_all()
    assert sorted(profiles) == ["cn-2019-newmedia", "cn-2019-website", "cn-2021-aging", "cn-pipl-app",
                               "us-federal", "wcag21-aa"]
    assert {p.jurisdiction for p in profiles.values()} == {"cn", "us"}


def test_cn_website_scoring_and_counts() -> None:
    p = load("cn-2019-website")
    rules = [i.rule for i in p.indicators]
    assert rules.count("veto") == 14  # V1 has 6 sub-items, V4, V5 and V6 two each
    assert rules.count("deduct") == 29
    assert rules.count("bonus") == 5
    deduct_caps = sum(i.cap or 0 for i in p.indicators if i.rule == "deduct")
    assert deduct_caps == 100
    assert sum(i.cap or 0 for i in p.indicators if i.category == "service" and i.rule == "deduct") == 25
    s = p.scoring
    assert (s.method, s.total, s.pass_mark, s.bonus_max, s.bonus_gate, s.bonus_scope) == \
        ("deduction", 100, 60, 30, 80, "portal")
    assert s.no_service_total == 75 and s.no_service_categories == ("service",)
    assert s.no_service_multiplier == pytest.approx(4 / 3)
    unreachable = p.indicator("v2_unreachable")
    assert unreachable.source == "probe" and unreachable.check is None
    assert unreachable.aggregate["fail_ratio_gte"] == 0.05
    assert p.indicator("v6_guides_incomplete").uncertain.startswith("[M]")
    assert p.indicator("d_bad_reviews").source == "rating"
    assert p.indicator("d_bad_reviews").deadline == Deadline("working_days", 15)
    assert p.indicator("v1_expressions").deadline == Deadline("immediate")


def test_cn_website_tier_override() -> None:
    p = load("cn-2019-website")
    county = [i.id for i in resolve(p, "website", "county")]
    township = [i.id for i in resolve(p, "website", "township")]
    assert len(county) == 48 and "d_ipv6" in county
    assert set(county) - set(township) == {"d_ipv6"}


def test_cn_newmedia_kinds() -> None:
    p = load("cn-2019-newmedia")
    assert sum(i.rule == "veto" for i in p.indicators) == 9
    wechat = {i.id: i for i in resolve(p, "wechat_account", "county")}
    app = {i.id for i in resolve(p, "app_android", "county")}
    ios = {i.id for i in resolve(p, "app_ios", "county")}
    assert "md_unrelated" in wechat and "md_unrelated" not in app
    assert "md_app_ipv6" in app and "md_app_ipv6" not in wechat
    # Accounts are judged by the newmedia.* checks; mini programs and apps by a reviewer.
    assert {i: ind.check for i, ind in wechat.items() if ind.check} == {
        "mv2_no_update": "newmedia.last_update", "mv3_no_interaction": "newmedia.interaction",
        "md_update_slow": "newmedia.rhythm", "md_errors": "newmedia.wording", "md_unrelated": "newmedia.commercial",
        "md_functions_broken": "newmedia.dead_links", "md_unfiled_changes": "newmedia.identity",
        "md_unfiled_shutdown": "newmedia.capture", "md_duplicates": "newmedia.duplicates"}
    assert {i.source for i in resolve(p, "mini_program", "county")} == {"manual"}
    assert {"mv2_no_update_reviewed", "mv3_no_interaction_reviewed"} <= app and "mv2_no_update" not in app
    assert {i.id for i in p.indicators if i.check is not None and i.id.startswith("ma_")} == {
        "ma_permissions", "ma_sdks", "ma_cleartext", "ma_ats", "ma_usage_purpose", "ma_debuggable", "ma_secrets",
        "ma_signing"}
    assert {"ma_debuggable", "ma_cleartext"} <= app and "ma_debuggable" not in set(wechat) | ios
    assert {"ma_ats", "ma_usage_purpose"} <= ios and "ma_ats" not in set(wechat) | app


def test_cn_pipl_app() -> None:
    p = load("cn-pipl-app")
    assert p.kinds == ("app_android", "app_ios") and p.scoring.method == "deduction"
    assert [(i.id, i.check) for i in p.indicators if i.rule == "veto"] == [
        ("n1_permissions", "app.permissions"), ("n1_sdks", "app.trackers"), ("n3_usage_purpose", "app.ios_usage")]
    android = [i.check for i in resolve(p, "app_android", "county")]
    ios = [i.check for i in resolve(p, "app_ios", "county")]
    assert android == ["app.permissions", "app.trackers", "app.cleartext", "app.secrets", "app.debuggable",
                       "app.backup", "app.exported", "app.webview", "app.signing", "app.sdk"]
    assert ios == ["app.ios_usage", "app.ats", "app.sdk"]


def test_us_federal() -> None:
    p = load("us-federal")
    assert len(p.indicators) == 39
    assert all(i.rule == "weight" and i.weight == 1 for i in p.indicators)
    s = p.scoring
    assert s.method == "percentage"
    assert [(g.letter, g.min) for g in s.grades] == [("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", 0)]
    assert (s.grade(95), s.grade(89.9), s.grade(60), s.grade(59)) == ("A", "B", "D", "F")
    assert p.indicator("hsts").params == {"min_max_age": 31536000, "include_subdomains": False, "preload": False}
    assert p.indicator("link_foia").params["links"]["us"]["foia"][1] == r"/foia(/|\.html?$|$)"
    assert len(resolve(p, "website", "judicial_branch")) == 35
    assert len(resolve(p, "website", "agency")) == 39
    assert p.indicator("a11y_keyboard").check == "a11y.keyboard"
    assert p.indicator("mobile_tap_targets").params == {"min_size": 24}
    assert p.indicator("a11y_images").params == {"levels": ["wcag2a", "wcag2aa"]}  # Section 508: WCAG 2.0 AA


def test_rendering_profiles() -> None:
    """wcag21-aa and cn-2021-aging bind the checks on rendered pages; 适老化 thresholds are params."""
    wcag = load("wcag21-aa")
    assert {i.check for i in wcag.indicators} == {"a11y.images", "a11y.contrast", "a11y.forms", "a11y.keyboard",
                                                  "a11y.names", "a11y.structure", "mobile.overflow", "mobile.zoom"}
    assert wcag.indicator("a11y_contrast").params["levels"] == ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    aging = load("cn-2021-aging")
    assert aging.jurisdiction == "cn" and aging.scoring.method == "percentage"
    assert aging.indicator("aging_sizes").params == {"min_pt": 18, "min_target": 60}
    assert aging.indicator("mobile_tap_targets").params == {"min_size": 44}
    assert {i.check for i in aging.indicators} >= {"aging.entry", "aging.popups", "aging.sizes", "a11y.keyboard"}


def test_resolve_rejects_unknown_kind_and_tier() -> None:
    p = load("us-federal")
    with pytest.raises(ProfileError, match=r"profile 'us-federal' does not cover kind 'sms'"):
        resolve(p, "sms", "agency")
    with pytest.raises(ProfileError, match=r"unknown tier 'county2' for jurisdiction us"):
        resolve(p, "website", "county2")


def test_user_folder_extends_shipped(tmp_path: Path) -> None:
    (tmp_path / "strict.toml").write_text('''
id = "strict"
extends = "cn-2019-website"
title_zh = "严格版"
remove = ["b_open_data"]

[scoring]
pass_mark = 70

[[indicator]]
id = "d_other_links"
cap = 3
points = 0.2
uncertain = ""

[[override]]
kinds = ["mobile_site"]
tiers = ["county", "township"]
indicators = ["d_search"]
set = { points = 1, cap = 2, deadline = "3 working days" }
''', encoding="utf-8")
    p = load("strict", [tmp_path])
    assert p.extends == ("cn-2019-website",)
    assert p.title_zh == "严格版" and p.title_en == load("cn-2019-website").title_en
    assert p.scoring.pass_mark == 70 and p.scoring.total == 100
    assert p.indicator("d_other_links").points == 0.2
    assert p.indicator("d_other_links").evidence  # untouched fields are inherited
    assert "b_open_data" not in {i.id for i in p.indicators}
    search = {i.id: i for i in resolve(p, "mobile_site", "county")}["d_search"]
    assert (search.points, search.cap, str(search.deadline)) == (1, 2, "3 working days")
    assert {i.id: i for i in resolve(p, "website", "county")}["d_search"].points == 2
    assert "strict" in load_all([tmp_path])


def doc_examples() -> dict[str, str]:
    return {m["name"]: m["body"] for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))}


def test_docs_examples(tmp_path: Path) -> None:
    examples = doc_examples()
    assert sorted(examples) == ["broken.toml", "county-website.toml"]
    for name, body in examples.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    county = load("county-website", files=[tmp_path / "county-website.toml"])
    assert {i.id: i for i in resolve(county, "website", "township")}["d_other_links"].points == 0.05
    assert "d_search" not in {i.id for i in resolve(county, "mobile_site", "county")}
    assert str(county.indicator("d_bad_reviews").deadline) == "5 working days"
    with pytest.raises(ProfileError) as info:
        load("broken", files=[tmp_path / "broken.toml"])
    text = DOC.read_text(encoding="utf-8")
    shown = text.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert [e.replace(f"{tmp_path}/", "") for e in info.value.errors] == shown


def test_docs_name_every_shipped_profile() -> None:
    text = DOC.read_text(encoding="utf-8")
    for pid in load_all():
        assert f"`{pid}`" in text


def test_cn_website_judges_mobile_sites_on_the_rendered_phone_layout() -> None:
    """d_mobile binds the viewport meta tag for websites, the rendered layout for mobile sites,
    and the monitoring with the profile judges both."""
    from mgov.checks.plugins import all_checks
    from mgov.runs.kinds import owner_of
    from mgov.runs.select import profile_checks

    cn = load("cn-2019-website")
    by_kind = {kind: next(i for i in resolve(cn, kind, "county") if i.id == "d_mobile") for kind in cn.kinds}
    assert by_kind["website"].check == "mobile.viewport"
    assert by_kind["mobile_site"].check == "mobile.overflow" and by_kind["mobile_site"].points == 1
    kind = owner_of(all_checks()["mobile.overflow"]).name  # the render pass
    assert "mobile.overflow" in profile_checks("cn-2019-website", kind)[0]
    assert "mobile.viewport" in profile_checks("cn-2019-website", "scan")[0]

