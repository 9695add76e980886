"""Manual review, 好差评 and usage inputs on a real database, through the real run_assessment:
a registry, stored findings, inputs entered by the API and by the CLI (CSV imports in UTF-8
and GBK, with bad rows), and the verdicts and scores before and after."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
import yaml
from sqlalchemy import insert, select
from typer.testing import CliRunner

from mgov.assess import manual, store
from mgov.assess.channels import channels_of
from mgov.assess.inputs import DailyFinding, ManualInput, Observation, RatingCounts, UsageFigures
from mgov.assess.service import recompute, run_assessment
from mgov.assess.store import observation_dict, observation_from_snapshot, plain
from mgov.cli import _Root, _root
from mgov.cli import inputs as inputs_cli
from mgov.db.tables import ASSESSMENT_INPUTS, ASSESSMENT_RESULTS, CHANNELS, PROBES, SCAN_RUNS
from mgov.errors import ImportFailed, MgovError, NotFound
from mgov.formats.load import import_file
from mgov.profiles import load
from rows import insert_finding as _finding
from rows import monitored

D = dt.date
PERIOD = "2026-01"
START, END = D(2026, 1, 1), D(2026, 1, 31)
MAIN, OTHER = "https://www.szlh.gov.cn", "https://ws.szlh.gov.cn"

REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440300", "name_zh": "深圳市人民政府", "jurisdiction": "cn", "tier": "prefecture"},
        {"code": "cn-440303", "name_zh": "罗湖区人民政府", "jurisdiction": "cn", "tier": "county",
         "parent": "cn-440300"},
        {"code": "cn-440303-001", "name_zh": "东门街道办事处", "jurisdiction": "cn", "tier": "township",
         "parent": "cn-440303"},
    ],
    "channels": [
        {"kind": "website", "address": MAIN, "owner": "cn-440303"},
        {"kind": "website", "address": OTHER, "owner": "cn-440303"},
        {"kind": "wechat_account", "address": "luohu_gov", "owner": "cn-440303"},  # not a website
        {"kind": "website", "address": "https://dm.szlh.gov.cn", "owner": "cn-440303-001"},  # township
    ],
}

# A user profile: the website profile plus a usage indicator (mobile share at least 30 %); its
# 2 points come from d_online_service (cap 8 -> 6), so 办事服务 still adds up to 25.
USAGE_PROFILE = '''
id = "cn-usage"
extends = "cn-2019-website"
title_zh = "含使用量"

[[indicator]]
id = "d_online_service"
cap = 6

[[indicator]]
id = "d_mobile_share"
title_zh = "移动端访问占比过低"
title_en = "Mobile share too low"
category = "service"
rule = "deduct"
source = "usage"
aggregate = { min_mobile_share = 0.3 }
points = 2
cap = 2
evidence = "The analytics export."
deadline = "15 working days"
'''


@pytest.fixture
def world(engine, tmp_path):
    """The registry and January's findings: MAIN has an 严重表述错误 candidate (a failing
    content.expressions finding, a veto); both pass search and ipv6."""
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={})
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        day = D(2026, 1, 20)
        _finding(conn, run_id, ids[MAIN], "content.expressions", "fail", day, value={"candidates": 1})
        for cid in (ids[MAIN], ids[OTHER]):
            monitored(conn, run_id, cid, day)  # the rest of the day's scan and crawl passed
            _finding(conn, run_id, cid, "search", "pass", day)
            _finding(conn, run_id, cid, "ipv6", "pass", day)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "cn-usage.toml").write_text(USAGE_PROFILE, encoding="utf-8")
    return {"ids": ids, "profiles": profiles, "tmp": tmp_path}


def _assess(engine, profile="cn-2019-website", dirs=None):
    out = run_assessment(engine, profile, PERIOD, profile_dirs=dirs)
    return out, {c["address"]: c for c in out["channels"]}


def _line(channel: dict, indicator: str) -> dict:
    return next(i for i in channel["indicators"] if i["id"] == indicator)


def test_review_veto_and_check_override(engine, world):
    profile = load("cn-2019-website")
    _, before = _assess(engine)
    assert before[MAIN]["verdict"] == "fail" and before[MAIN]["vetoes"] == ["v1_expressions"]
    assert before[OTHER]["verdict"] == "pass" and before[OTHER]["score"] == 100
    assert _line(before[OTHER], "v6_guides_incomplete")["status"] == "not_assessed"

    with engine.begin() as conn:
        # A reviewer rejects the check's candidate: met outranks the failing finding.
        ok = manual.review(conn, profile, START, END, MAIN, "v1_expressions", "met",
                           note="“XX同志”为正确表述，非严重表述错误", by="王审核",
                           evidence=["https://www.szlh.gov.cn/xxgk/1.html"])
        # And fails a manual veto on the other channel.
        bad = manual.review(conn, profile, START, END, OTHER + "/", "v6_guides_incomplete", "failed",
                            instances=6, note="6 个事项缺少 4 类要素", by="王审核")
    assert ok["source"] == "check" and ok["instances"] == 0 and ok["supersedes"] == []
    assert bad["address"] == OTHER and bad["instances"] == 6

    _, after = _assess(engine)
    assert after[MAIN]["verdict"] == "pass" and after[MAIN]["vetoes"] == [], after[MAIN]
    line = _line(after[MAIN], "v1_expressions")
    assert line["status"] == "met" and "王审核" in line["detail"] and "正确表述" in line["detail"]
    assert line["evidence"] == [{"url": "https://www.szlh.gov.cn/xxgk/1.html"}]
    assert after[OTHER]["verdict"] == "fail" and after[OTHER]["vetoes"] == ["v6_guides_incomplete"]
    assert after[OTHER]["score"] is None
    assert _line(after[OTHER], "v6_guides_incomplete")["instances"] == 6

    # Inputs of another period are not read (exact period match), nor another profile's.
    with engine.begin() as conn:
        manual.record(conn, channel_id=world["ids"][MAIN], profile_id="cn-2019-website",
                      indicator_id="v1_secrets", start=D(2026, 1, 1), end=D(2026, 3, 31), kind="manual",
                      payload={"status": "failed", "instances": 1}, note="quarter, not January")
        manual.record(conn, channel_id=world["ids"][MAIN], profile_id="other-profile", indicator_id="v1_secrets",
                      start=START, end=END, kind="manual", payload={"status": "failed"}, note="other profile")
    _, same = _assess(engine)
    assert same[MAIN]["verdict"] == "pass" and _line(same[MAIN], "v1_secrets")["status"] == "not_assessed"


def test_review_validation(engine, world):
    profile = load("cn-2019-website")
    with engine.begin() as conn:
        with pytest.raises(NotFound, match="no indicator 'v9_nothing'"):
            manual.review(conn, profile, START, END, MAIN, "v9_nothing", "failed", note="x")
        with pytest.raises(NotFound, match="unknown channel"):
            manual.review(conn, profile, START, END, "https://nowhere.gov.cn", "v1_secrets", "failed", note="x")
        with pytest.raises(NotFound, match="unknown channel"):  # a wechat account is not in a website profile
            manual.review(conn, profile, START, END, "luohu_gov", "v1_secrets", "failed", note="x")
        with pytest.raises(MgovError, match="needs a note"):
            manual.review(conn, profile, START, END, MAIN, "v1_secrets", "failed", note="  ")
        with pytest.raises(MgovError, match="met or failed"):
            manual.review(conn, profile, START, END, MAIN, "v1_secrets", "maybe", note="x")
        # IPv6 is not inspected on township sites (分级分类): the indicator does not apply there.
        with pytest.raises(MgovError, match=r"d_ipv6 of cn-2019-website does not apply .*township"):
            manual.review(conn, profile, START, END, "https://dm.szlh.gov.cn", "d_ipv6", "failed", note="x")
        assert manual.review(conn, profile, START, END, MAIN, "d_ipv6", "failed", note="x")["rule"] == "deduct"
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(ASSESSMENT_INPUTS)).all() == []


def test_supersede_newest_wins_and_history_kept(engine, world):
    profile = load("cn-2019-website")
    cid = world["ids"][OTHER]
    with engine.begin() as conn:
        first = manual.review(conn, profile, START, END, OTHER, "v6_guides_incomplete", "failed", note="first look")
        second = manual.review(conn, profile, START, END, OTHER, "v6_guides_incomplete", "met",
                               note="补全后复核达标")
        assert second["supersedes"] == [first["id"]]
        # An input entered later but dated earlier (a back-filled record) does not win.
        manual.record(conn, channel_id=cid, profile_id=profile.id, indicator_id="v6_guides_incomplete", start=START,
                      end=END, kind="manual", payload={"status": "failed", "instances": 1}, note="old paper record",
                      at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    _, res = _assess(engine)
    assert res[OTHER]["verdict"] == "pass", res[OTHER]["vetoes"]
    assert "补全后复核达标" in _line(res[OTHER], "v6_guides_incomplete")["detail"]
    with engine.connect() as conn:
        hist = manual.history(conn, profile.id, START, END, channel_id=cid)
    assert [(h["note"], h["current"]) for h in hist] == [
        ("补全后复核达标", True), ("first look", False), ("old paper record", False)]
    with engine.begin() as conn:  # a third decision supersedes again
        manual.review(conn, profile, START, END, OTHER, "v6_guides_incomplete", "failed", note="again missing")
    _, res = _assess(engine)
    assert res[OTHER]["vetoes"] == ["v6_guides_incomplete"]


# --- the CLI ------------------------------------------------------------------------------------


def _app() -> typer.Typer:
    """The root command with this module's commands, registered as the report asks
    (mgov.cli.__init__ is not edited here)."""
    app = typer.Typer(cls=_Root)
    app.callback()(_root)
    app.command("review")(inputs_cli.review)
    app.add_typer(inputs_cli.ratings_app, name="ratings")
    app.add_typer(inputs_cli.usage_app, name="usage")
    return app


@pytest.fixture
def run(db_url, world, monkeypatch):
    home = world["tmp"] / "home"
    (home / "profiles").mkdir(parents=True)
    (home / "profiles" / "cn-usage.toml").write_text(USAGE_PROFILE, encoding="utf-8")
    monkeypatch.chdir(home)
    app, runner = _app(), CliRunner()

    def call(*args: str, code: int = 0, lang: str = "en"):
        result = runner.invoke(app, list(args), env={"MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(home),
                                                     "MGOV_LANG": lang}, catch_exceptions=False)
        assert result.exit_code == code, f"exit {result.exit_code}\n{result.output}"
        result.flat = " ".join(result.output.split())  # rich wraps lines at the terminal width
        return result
    return call


def test_cli_review(engine, run):
    out = run("review", "--profile", "cn-2019-website", "--period", PERIOD, "--channel", OTHER,
              "--indicator", "v6_no_services", "--failed", "--note", "无在线办事入口", "--by", "王审核",
              "--evidence", "https://ws.szlh.gov.cn/", "--evidence", "https://ws.szlh.gov.cn/bs")
    assert "Recorded review" in out.flat and "v6_no_services" in out.flat
    zh = run("review", "--profile", "cn-2019-website", "--period", PERIOD, "--channel", OTHER,
             "--indicator", "v6_no_services", "--failed", "--note", "复核仍无", "--by", "李审核", lang="zh")
    assert "已记录人工评审" in zh.flat and "取代" in zh.flat
    err = run("review", "--profile", "cn-2019-website", "--period", PERIOD, "--channel", OTHER,
              "--indicator", "v6_no_services", "--note", "x", code=1)
    assert "--met or --failed" in err.flat
    err = run("review", "--profile", "cn-2019-website", "--period", "2026Q5", "--channel", OTHER,
              "--indicator", "v6_no_services", "--met", "--note", "x", code=1)
    assert "2026Q5" in err.flat
    err = run("review", "--profile", "cn-2019-website", "--period", PERIOD, "--channel", OTHER,
              "--indicator", "nope", "--met", "--note", "x", code=1)
    assert "no indicator 'nope'" in err.flat
    _, res = _assess(engine)
    assert res[OTHER]["vetoes"] == ["v6_no_services"]
    assert _line(res[OTHER], "v6_no_services")["evidence"] == []  # the newest (李审核) had none
    assert "李审核" in _line(res[OTHER], "v6_no_services")["detail"]


RATINGS_UTF8 = f"""channel,very_satisfied,satisfied,basically_satisfied,dissatisfied,very_dissatisfied,overdue
{MAIN},10,5,1,2,1,
{OTHER}/,3,0,0,9,0,
https://nowhere.gov.cn,1,1,1,1,1,
{MAIN},1,1,1,1,1,0
"""

# GBK, Chinese headers, an indicator column, and bad rows.
RATINGS_GBK = f"""渠道,指标,非常满意,满意,基本满意,不满意,非常不满意,逾期
{MAIN},d_bad_reviews,20,0,0,3,1,1
{OTHER},,二,0,0,0,0,
{OTHER},v1_secrets,1,0,0,0,0,
{OTHER},d_bad_reviews,1,0,0,1,0,2
{OTHER},d_bad_reviews,1,0
{OTHER},d_bad_reviews,0,0,0,0,2,
"""


def test_ratings_import_utf8_deducts_per_profile(engine, run, world):
    path = world["tmp"] / "ratings.csv"
    path.write_text(RATINGS_UTF8, encoding="utf-8")
    report = json.loads(run("ratings", "import", str(path), "--profile", "cn-2019-website", "--period", PERIOD,
                            "--by", "好差评系统", "--json").stdout)
    assert report["rows"] == 4 and report["imported"] == 2
    assert [(p["line"], p["problem"].split(" (")[0]) for p in report["problems"]] == [
        (4, "unknown channel 'https://nowhere.gov.cn'"),
        (5, f"{MAIN} d_bad_reviews already given at line 2")]
    assert report["unknown"] == ["https://nowhere.gov.cn"]
    assert {(i["address"], i["indicator_id"], i["total"], i["bad"]) for i in report["inputs"]} == {
        (MAIN, "d_bad_reviews", 19, 3), (OTHER, "d_bad_reviews", 12, 9)}
    # Hand computation (d_bad_reviews: deduct 1 point per 差评, at most 5; no overdue column
    # value, so every 差评 counts): MAIN loses 3 -> 97 (after its veto is rejected), OTHER
    # loses min(9, 5) = 5 -> 95.
    with engine.begin() as conn:
        manual.review(conn, load("cn-2019-website"), START, END, MAIN, "v1_expressions", "met", note="误报")
    _, res = _assess(engine)
    assert (_line(res[MAIN], "d_bad_reviews")["status"], _line(res[MAIN], "d_bad_reviews")["points"]) == ("failed", 3)
    assert res[MAIN]["score"] == 97 and res[MAIN]["verdict"] == "pass"
    assert _line(res[OTHER], "d_bad_reviews")["points"] == 5 and res[OTHER]["score"] == 95
    human = run("ratings", "import", str(path), "--profile", "cn-2019-website", "--period", PERIOD, lang="zh")
    assert "错误 2 行" in human.flat and "未知渠道 1 个" in human.flat


def test_ratings_import_gbk_bad_rows_and_overdue(engine, run, world):
    path = world["tmp"] / "好差评.csv"
    path.write_bytes(RATINGS_GBK.encode("gbk"))
    out = run("ratings", "import", str(path), "--profile", "cn-2019-website", "--period", PERIOD)
    assert "6 rows read, 2 rating inputs stored" in out.flat and "4 bad rows" in out.flat
    with engine.connect() as conn:
        profile = load("cn-2019-website")
        report = manual.import_ratings(conn, profile, START, END, path)  # again, to read the problems
        conn.rollback()
    problems = {p["line"]: p["problem"] for p in report.problems}
    assert sorted(problems) == [3, 4, 5, 6], problems
    assert "is not a number" in problems[3]
    assert "takes its input from manual, not rating" in problems[4]
    assert "overdue 差评 (2) must be between 0 and bad (1)" in problems[5]
    assert "expected 8 fields, found 4" in problems[6]
    with engine.begin() as conn:
        manual.review(conn, profile, START, END, MAIN, "v1_expressions", "met", note="误报")
    _, res = _assess(engine)
    # MAIN: 4 差评 of which 1 overdue -> 1 point; OTHER: 2 非常不满意 -> 2 points.
    line = _line(res[MAIN], "d_bad_reviews")
    assert (line["instances"], line["points"]) == (1, 1) and "not rectified in time" in line["detail"]
    assert res[MAIN]["score"] == 99
    assert _line(res[OTHER], "d_bad_reviews")["points"] == 2 and res[OTHER]["score"] == 98


def test_ratings_import_refuses_a_file_without_the_columns(engine, run, world):
    path = world["tmp"] / "r.csv"
    path.write_text("address,stars\nhttps://www.szlh.gov.cn,5\n", encoding="utf-8")
    err = run("ratings", "import", str(path), "--profile", "cn-2019-website", "--period", PERIOD, code=1)
    assert "no rating level column" in err.flat
    path.write_text("channel,满意\nhttps://nowhere.gov.cn,5\n", encoding="utf-8")
    err = run("ratings", "import", str(path), "--profile", "cn-2019-website", "--period", PERIOD, code=1)
    assert "nothing could be imported" in err.flat and "unknown channel" in err.flat
    with engine.connect() as conn:
        assert conn.execute(select(ASSESSMENT_INPUTS)).all() == []


DEVICES = """date,device,visits,domain
2026-01-05,desktop,500,www.szlh.gov.cn
2026-01-05,mobile,100,www.szlh.gov.cn
2026-01-06,desktop,300,www.szlh.gov.cn
2026-01-06,tablet,100,www.szlh.gov.cn
2026-01-06,mobile,250,ws.szlh.gov.cn
2026-01-06,desktop,250,ws.szlh.gov.cn
2026-02-01,mobile,999,ws.szlh.gov.cn
2026-01-07,fridge,1,ws.szlh.gov.cn
2026-01-07,mobile,x,ws.szlh.gov.cn
2026-01-07,mobile,5,www.example.gov
"""


def test_usage_import_devices_report(engine, run, world):
    path = world["tmp"] / "devices.csv"
    path.write_text(DEVICES, encoding="utf-8")
    report = json.loads(run("usage", "import", str(path), "--profile", "cn-usage", "--period", PERIOD,
                            "--json").stdout)
    assert report["imported"] == 2 and report["unscored"] == []
    assert [(p["line"], p["problem"]) for p in report["problems"]] == [
        (8, "date 2026-02-01 is outside the period 2026-01-01..2026-01-31"),
        (9, "unknown device 'fridge' (desktop, mobile, tablet, smart tv)"),
        (10, "visits: 'x' is not a number"),
        (11, "unknown channel 'www.example.gov' (not an open channel this profile covers)")]
    assert report["unknown"] == ["www.example.gov"]
    # Hand computation: MAIN 1000 visits, mobile 100 + tablet 100 = 20 % < 30 % -> 2 points;
    # OTHER 500 visits, 250 mobile = 50 % -> met.
    figures = {i["address"]: (i["visits"], i["mobile_share"]) for i in report["inputs"]}
    assert figures == {MAIN: (1000, 0.2), OTHER: (500, 0.5)}
    out, res = _assess(engine, "cn-usage", [world["profiles"]])
    main_line = _line(res[MAIN], "d_mobile_share")
    assert (main_line["status"], main_line["points"]) == ("failed", 2) and "20%" in main_line["detail"]
    assert _line(res[OTHER], "d_mobile_share")["status"] == "met" and res[OTHER]["score"] == 100
    # The stored snapshot holds the usage figures the result was computed from.
    with engine.connect() as conn:
        snap = conn.execute(select(ASSESSMENT_RESULTS.c.inputs).where(
            ASSESSMENT_RESULTS.c.assessment_id == out["assessment"],
            ASSESSMENT_RESULTS.c.channel_id == world["ids"][MAIN])).scalar_one()
    usage = next(o for o in snap["observations"] if o["indicator_id"] == "d_mobile_share")
    assert usage["usage"] == {"visits": 1000, "mobile_share": 0.2}
    assert observation_from_snapshot(usage).usage == UsageFigures(1000, 0.2)


def test_snapshot_round_trip_of_inputs():
    obs = Observation("1", "x", findings=[DailyFinding(D(2026, 1, 2), "fail", {"n": 1}, [{"warc": "a"}])],
                      manual=ManualInput("failed", 2, "王审核: note", [{"url": "https://a.gov.cn"}]),
                      ratings=RatingCounts(10, 3, 1), usage=UsageFigures(5, None))
    assert observation_from_snapshot(observation_dict(obs)) == obs
    assert observation_from_snapshot(plain(obs)) == obs  # snapshots stored before the compact form
    # Compact: a letter per day; value and evidence only where a finding carries them.
    days = [DailyFinding(D(2026, 1, 1), "pass"), DailyFinding(D(2026, 1, 3), "warn"),
            DailyFinding(D(2026, 1, 4), "fail", {"dead": 2}, [{"warc": "b"}])]
    stored = observation_dict(Observation("1", "y", findings=days))["findings"]
    assert stored == {"from": "2026-01-01", "statuses": "p.wf", "data": [[3, {"dead": 2}, [{"warc": "b"}]]]}
    restored = observation_from_snapshot({"channel_id": "1", "indicator_id": "y", "findings": stored})
    assert restored.findings == tuple(days)


def test_recompute_sees_the_inputs(engine, world):
    with engine.begin() as conn:
        manual.review(conn, load("cn-2019-website"), START, END, MAIN, "v1_expressions", "met", note="误报")
    out, res = _assess(engine)
    assert res[MAIN]["verdict"] == "pass"
    again = {r.address: r.verdict for r in recompute(engine, out["assessment"])}
    assert again[MAIN] == "pass"


def test_usage_import_summary_export_and_unscored(engine, run, world):
    path = world["tmp"] / "all-domains.csv"
    path.write_text("domain,visits,pageviews,mobile_share\nszlh.gov.cn,1200,5000,25%\n"
                    "ws.szlh.gov.cn,800,900,\nws.szlh.gov.cn,800,900,0.4\n", encoding="utf-8")
    report = json.loads(run("usage", "import", str(path), "--profile", "cn-usage", "--period", PERIOD,
                            "--json").stdout)
    assert report["problems"] == [{"line": 4, "problem": "ws.szlh.gov.cn already given at line 3"}]
    _, res = _assess(engine, "cn-usage", [world["profiles"]])
    assert _line(res[MAIN], "d_mobile_share")["points"] == 2  # szlh.gov.cn matched www.szlh.gov.cn
    assert _line(res[OTHER], "d_mobile_share")["status"] == "not_assessed"  # no mobile share given
    # The shipped profile has no usage indicator: figures are stored and said to be unscored.
    out = run("usage", "import", str(path), "--profile", "cn-2019-website", "--period", PERIOD)
    assert "No usage indicator of cn-2019-website scores these channels" in out.flat


def test_api_inputs_and_bad_payloads(engine, world):
    profile = load("cn-usage", dirs=[world["profiles"]])
    with engine.begin() as conn:
        r = manual.record_ratings(conn, profile, START, END, MAIN, {"满意": 4, "very_dissatisfied": 2})
        assert (r["total"], r["bad"], r["indicator_id"]) == (6, 2, "d_bad_reviews")
        u = manual.record_usage(conn, profile, START, END, MAIN, 100, mobile_visits=40)
        assert u["mobile_share"] == 0.4 and u["scored_by"] == ["d_mobile_share"]
        with pytest.raises(MgovError, match="unknown rating level"):
            manual.record_ratings(conn, profile, START, END, MAIN, {"good": 1})
        with pytest.raises(MgovError, match="bad rating input"):
            manual.record(conn, channel_id=world["ids"][MAIN], profile_id=profile.id, indicator_id="d_bad_reviews",
                          start=START, end=END, kind="rating", payload={"levels": {"满意": 1}, "overdue": 3})
        with pytest.raises(MgovError, match="bad usage input"):
            manual.record(conn, channel_id=world["ids"][MAIN], profile_id=profile.id, indicator_id="*",
                          start=START, end=END, kind="usage", payload={"visits": 10, "mobile_share": 1.5})
        with pytest.raises(MgovError, match="ends"):
            manual.record(conn, channel_id=world["ids"][MAIN], profile_id=profile.id, indicator_id="*",
                          start=END, end=START, kind="usage", payload={"visits": 10})
    with engine.begin() as conn:
        manual.review(conn, profile, START, END, MAIN, "v1_expressions", "met", note="误报")
    _, res = _assess(engine, "cn-usage", [world["profiles"]])
    # 2 差评 (2 points) and mobile 40 % (met): 98.
    assert res[MAIN]["score"] == 98, [(i["id"], i["points"]) for i in res[MAIN]["indicators"] if i["points"]]


def test_import_with_a_missing_header_column_is_refused(engine, world):
    path = world["tmp"] / "u.csv"
    path.write_text("site_name,sessions_count\nx,1\n", encoding="utf-8")
    with engine.begin() as conn, pytest.raises(ImportFailed, match="no domain"):
        manual.import_usage(conn, load("cn-2019-website"), START, END, path)


def test_probes_and_findings_are_read_per_utc_day(engine, world):
    """The database groups probes by UTC day (then weeks), and of several findings on one day
    the last one counts: 23:30 UTC is still that day, 00:30 the next, on either database."""
    ids = world["ids"]
    monday = D(2026, 1, 12)
    with engine.begin() as conn:
        rows = []
        for d in range(7):  # a full week of 20 probes a day; day 3 has 2 failures, one at 23:30
            at = dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(), dt.UTC)
            for k in range(20):
                late = d == 3 and k == 19
                when = at + (dt.timedelta(hours=23, minutes=30) if late else dt.timedelta(minutes=k))
                rows.append({"channel_id": ids[MAIN], "at": when, "ok": not (d == 3 and k in (0, 19)),
                             "evidence": []})
        rows.append({"channel_id": ids[MAIN], "at": dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 30),
                                                                       dt.UTC), "ok": False, "evidence": []})
        conn.execute(insert(PROBES), rows)
        run_id = conn.execute(select(SCAN_RUNS.c.id)).scalars().first()
        _finding(conn, run_id, ids[OTHER], "ipv6", "fail", D(2026, 1, 20), at=dt.time(23, 30))
        profile = load("cn-2019-website")
        channels = channels_of(conn, profile)
        observed = {(o.channel_id, o.indicator_id): o
                    for o in store.observations_of(conn, profile, channels, START, END)}
    weeks = observed[(str(ids[MAIN]), "v2_unreachable")].probes
    assert [(w.week_start, w.probes, w.failed) for w in weeks] == [(monday, 140, 2), (D(2026, 1, 19), 1, 1)]
    ipv6 = observed[(str(ids[OTHER]), "d_ipv6")].findings
    assert [(f.day, f.status) for f in ipv6] == [(D(2026, 1, 20), "fail")]  # the day's last: 23:30, not 03:00
