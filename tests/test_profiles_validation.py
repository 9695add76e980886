"""Every class of profile validation error, with its exact message (file, key, reason)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgov.profiles import ProfileError, load, resolve

HEAD = '''id = "p"
title_zh = "测试"
title_en = "Test"
jurisdiction = "cn"
kinds = ["website"]

[[category]]
id = "c"
title_zh = "类"
title_en = "Cat"
'''


def errors(tmp_path: Path, body: str, head: str = HEAD, name: str = "p") -> list[str]:
    path = tmp_path / f"{name}.toml"
    path.write_text(head + body, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load(name, [tmp_path])
    return [e.replace(f"{tmp_path}/", "") for e in info.value.errors]


def indicator(**fields: str) -> str:
    base = {"id": '"i"', "title_zh": '"指标"', "title_en": '"Ind"', "category": '"c"', "rule": '"veto"',
            "source": '"manual"'}
    base.update(fields)
    return "\n[[indicator]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items() if v)


def test_valid_minimal(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(HEAD + indicator(), encoding="utf-8")
    assert [i.id for i in load("p", [tmp_path]).indicators] == ["i"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"source": "", "check": '"nope"'},
     "p.toml: indicator[i].check: unknown check 'nope' (see `mgov checks list`)"),
    ({"rule": '"fine"'},
     "p.toml: indicator[i].rule: unknown rule 'fine' (choose from: veto, deduct, weight, bonus)"),
    ({"source": '"guess"'},
     "p.toml: indicator[i].source: unknown source 'guess' (choose from: check, manual, rating, usage, probe)"),
    ({"kinds": '["fax"]'},
     "p.toml: indicator[i].kinds: unknown channel kind 'fax' (choose from: website)"),
    ({"tiers": '["village"]'},
     "p.toml: indicator[i].tiers: unknown tier 'village' for jurisdiction cn "
     "(choose from: national, provincial, prefecture, county, township)"),
    ({"category": '"x"'}, "p.toml: indicator[i].category: unknown category 'x' (categories: c)"),
    ({"rule": '"deduct"', "points": '"two"', "cap": "2"},
     "p.toml: indicator[i].points: must be a number >= 0, not 'two'"),
    ({"rule": '"deduct"', "points": "-1", "cap": "2"}, "p.toml: indicator[i].points: must be a number >= 0, not -1"),
    ({"rule": '"deduct"'}, "p.toml: indicator[i].rule: a deduct rule needs points > 0 and cap > 0"),
    ({"rule": '"weight"'}, "p.toml: indicator[i].rule: a weight rule needs weight > 0"),
    ({"points": "1"}, "p.toml: indicator[i].rule: a veto rule takes no points, cap or weight"),
    ({"deadline": '"soon"'}, "p.toml: indicator[i].deadline: bad deadline 'soon' "
                             "(write 'immediate', 'N working days' or 'N calendar days')"),
    ({"colour": '"red"'}, "p.toml: indicator[i].colour: unknown key (allowed: id, title_zh, title_en, category, "
                          "rule, source, check, params, aggregate, kinds, tiers, points, cap, weight, evidence, "
                          "deadline, spec, uncertain)"),
    ({"title_en": ""}, "p.toml: indicator[i].title_en: missing (required)"),
    ({"check": '"ipv6"'}, "p.toml: indicator[i].check: a 'manual' indicator binds no check (remove it or set "
                          "source = 'check')"),
    ({"source": ""}, "p.toml: indicator[i].check: missing (required when source is 'check')"),
    ({"source": "", "check": '"hsts"', "params": "{ max_age = 1 }"},
     "p.toml: indicator[i].params.max_age: check 'hsts' takes no parameter 'max_age' "
     "(it takes: min_max_age, include_subdomains, preload)"),
    ({"source": "", "check": '"ipv6"', "kinds": '["website"]'}, None),
])
def test_indicator_errors(tmp_path: Path, fields: dict[str, str], message: str | None) -> None:
    if message is None:
        (tmp_path / "p.toml").write_text(HEAD + indicator(**fields), encoding="utf-8")
        assert load("p", [tmp_path]).indicator("i").check == "ipv6"
    else:
        assert errors(tmp_path, indicator(**fields)) == [message]


def test_check_kind_and_jurisdiction(tmp_path: Path) -> None:
    head = HEAD.replace('kinds = ["website"]', 'kinds = ["website", "wechat_account"]').replace('"cn"', '"us"')
    assert errors(tmp_path, indicator(source="", check='"cn.icp"'), head) == [
        "p.toml: indicator[i].check: check 'cn.icp' does not apply to kind 'wechat_account'",
        "p.toml: indicator[i].check: check 'cn.icp' does not apply to jurisdiction 'us'",
    ]


def test_duplicate_id(tmp_path: Path) -> None:
    assert errors(tmp_path, indicator() + indicator()) == ["p.toml: indicator[i]: duplicate indicator id 'i'"]


def test_profile_level_errors(tmp_path: Path) -> None:
    head = HEAD.replace('"cn"', '"mars"').replace('["website"]', '["website", "blimp"]')
    assert errors(tmp_path, indicator(), "flavour = 1\n" + head) == [
        "p.toml: flavour: unknown key (allowed: id, title_zh, title_en, jurisdiction, kinds, extends, spec, scoring, "
        "category, indicator, override, remove, capture, schedule)",
    ]
    assert errors(tmp_path, indicator(), head) == [
        "p.toml: jurisdiction: unknown jurisdiction 'mars' (choose from: cn, us)",
        "p.toml: kinds: unknown channel kind 'blimp' (choose from: website, mobile_site, app_android, app_ios, "
        "mini_program, wechat_account, weibo_account, other_social, sms)",
        "p.toml: kinds: needs at least one channel kind",
    ]
    assert errors(tmp_path, "", HEAD.replace('id = "p"', 'id = "q"')) == [
        "p.toml: id: must equal the file name without .toml ('p'), not 'q'"]
    assert errors(tmp_path, "[[indicator]\n") [0].startswith("p.toml: invalid TOML: ")


def test_scoring_errors(tmp_path: Path) -> None:
    body = indicator(rule='"deduct"', points="1", cap="10") + '''
[scoring]
method = "median"
total = 100
pass_mark = 120
grades = [{ letter = "B", min = 80 }, { letter = "A", min = 90 }]
'''
    head = HEAD.replace('title_en = "Cat"', 'title_en = "Cat"\npoints = 10')
    assert errors(tmp_path, body, head) == [
        "p.toml: scoring.method: unknown method 'median' (choose from: deduction, percentage)",
        "p.toml: scoring.grades: bands must be listed highest min first",
        "p.toml: scoring.pass_mark: must not exceed total (100)",
    ]


def test_caps_must_add_up(tmp_path: Path) -> None:
    head = HEAD.replace('title_en = "Cat"', 'title_en = "Cat"\npoints = 10')
    body = indicator(rule='"deduct"', points="1", cap="4") + "\n[scoring]\ntotal = 10\n"
    assert errors(tmp_path, body, head) == [
        "p.toml: category[c].points: is 10 but its deduct items' caps add up to 4"]
    body = indicator(rule='"deduct"', points="1", cap="10") + "\n[scoring]\ntotal = 100\n"
    assert errors(tmp_path, body, head) == [
        "p.toml: scoring.total: is 100 but the deduction categories' points add up to 10"]


def test_override_errors(tmp_path: Path) -> None:
    body = indicator() + '''
[[override]]
tiers = ["township"]
indicators = ["zz"]
set = { kinds = ["website"] }

[[override]]
kinds = ["website"]

[[override]]
set = { rule = "deduct" }
'''
    assert errors(tmp_path, body) == [
        "p.toml: override[1].indicators: unknown indicator 'zz' (choose from: i)",
        "p.toml: override[1].set.kinds: cannot be overridden (allowed: title_zh, title_en, rule, params, aggregate, "
        "points, cap, weight, evidence, deadline, spec, uncertain, check)",
        "p.toml: override[1]: needs either a set table or disable = true",
        "p.toml: override[2]: needs either a set table or disable = true",
    ]  # the first pass stops here: resolution is checked once the tables are valid
    rest = errors(tmp_path, indicator() + '\n[[override]]\nset = { rule = "deduct" }\n')
    assert rest[0] == ("p.toml: override[1]: indicator[i] (website, national): "
                       "a deduct rule needs points > 0 and cap > 0")
    assert len(rest) == 5  # once per tier


def test_extends_errors(tmp_path: Path) -> None:
    assert errors(tmp_path, indicator(), 'extends = "nowhere"\n' + HEAD)[0] \
        .startswith("p.toml: extends: unknown profile 'nowhere' (known: ")
    (tmp_path / "a.toml").write_text('id = "a"\nextends = "b"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('id = "b"\nextends = "a"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load("a", [tmp_path])
    assert info.value.errors == [f"{tmp_path}/a.toml: extends: cycle a -> b -> a"]
    (tmp_path / "c.toml").write_text('id = "c"\nextends = "cn-2019-website"\njurisdiction = "us"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load("c", [tmp_path])
    assert info.value.errors == [f"{tmp_path}/c.toml: jurisdiction: 'us' differs from 'cn' of the extended profile"]


def test_duplicate_profile_id(tmp_path: Path) -> None:
    (tmp_path / "us-federal.toml").write_text('id = "us-federal"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load("us-federal", [tmp_path])
    assert info.value.errors[0].startswith(f"{tmp_path}/us-federal.toml: id: profile 'us-federal' is also defined in ")


def test_an_override_binds_only_a_check_that_applies(tmp_path: Path) -> None:
    body = indicator(source="", check='"page.title"')
    wrong = body + '\n[[override]]\nkinds = ["website"]\nset = { check = "nope" }\n'
    assert errors(tmp_path, wrong) == ["p.toml: override[1].set.check: unknown check 'nope' (see `mgov checks list`)"]
    us = HEAD.replace('jurisdiction = "cn"', 'jurisdiction = "us"')
    foreign = body + '\n[[override]]\nset = { check = "aging.entry" }\n'
    assert errors(tmp_path, foreign, head=us) == [
        "p.toml: override[1].set.check: check 'aging.entry' does not apply to jurisdiction 'us'"]
    fine = body + '\n[[override]]\nset = { check = "mobile.overflow" }\n'
    (tmp_path / "p.toml").write_text(HEAD + fine, encoding="utf-8")
    assert resolve(load("p", [tmp_path]), "website", "county")[0].check == "mobile.overflow"

