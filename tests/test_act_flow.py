"""Rectification and disputes end to end on a real database: a registry, daily findings, the
real run_assessment, tasks with working-day deadlines across the 2026 Spring Festival (调休),
a dispute overturned, and the review after the due date closing or escalating."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy import insert, select, update

from mgov.act import (
    audit_log,
    close_task,
    decide,
    file,
    finding_recheck,
    list_tasks,
    load_calendar,
    open_tasks,
    overturned,
    review_due,
)
from mgov.act.disputes import channel_in_assessment
from mgov.assess.service import run_assessment
from mgov.db.tables import AUDIT_LOG, CHANNELS, ORGS, RECTIFICATION_TASKS, SCAN_RUNS
from mgov.errors import MgovError
from mgov.formats.load import import_file
from rows import insert_finding as _finding
from rows import monitored

D = dt.date
OPENED = D(2026, 2, 10)  # a Tuesday before 春节 (Feb 15-23 off; Sat Feb 14 and Feb 28 worked)

REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440300", "name_zh": "深圳市人民政府", "jurisdiction": "cn", "tier": "prefecture"},
        {"code": "cn-440303", "name_zh": "罗湖区人民政府", "jurisdiction": "cn", "tier": "county",
         "parent": "cn-440300"},
    ],
    "people": [{"key": "zhao.lei", "name": "赵磊"}, {"key": "sun.li", "name": "孙丽"},
               {"key": "qian.yu", "name": "钱宇"}, {"key": "old.hand", "name": "老王"}],
    "roles": [
        {"person": "sun.li", "organization": "cn-440303", "role": "content_manager", "since": "2025-01-01"},
        {"person": "qian.yu", "organization": "cn-440303", "role": "web_operator", "since": "2025-01-01"},
        {"person": "old.hand", "organization": "cn-440303", "role": "web_operator", "since": "2020-01-01",
         "until": "2025-12-31"},  # gone before the tasks open: not assigned
    ],
    "channels": [
        {"kind": "website", "address": "https://www.szlh.gov.cn", "owner": "cn-440303",
         "responsible": {"content_manager": ["zhao.lei"]}},
        {"kind": "website", "address": "https://ws.szlh.gov.cn", "owner": "cn-440303"},  # nobody named
    ],
}


@pytest.fixture
def assessed(engine, tmp_path):
    """Two channels assessed for January 2026 by the real engine from stored findings."""
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        main = next(i for a, i in ids.items() if "www." in a)
        other = next(i for a, i in ids.items() if "ws." in a)
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={})
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        day = D(2026, 1, 20)
        for cid in (main, other):
            monitored(conn, run_id, cid, day)  # the rest of the day's scan and crawl passed
        _finding(conn, run_id, main, "interaction.channel", "fail", day)  # veto v5_no_channel
        _finding(conn, run_id, main, "ipv6", "fail", day)  # d_ipv6, 15 working days
        _finding(conn, run_id, main, "cn.site_code", "fail", day)  # d_site_code, 5 working days
        _finding(conn, run_id, main, "search", "pass", day)
        _finding(conn, run_id, other, "ipv6", "fail", day)
        _finding(conn, run_id, other, "search", "pass", day)
    summary = run_assessment(engine, "cn-2019-website", "2026-01")
    by_id = {c["address"]: c for c in summary["channels"]}
    return {"id": summary["assessment"], "main": main, "other": other, "run": run_id,
            "summary": by_id, "addresses": {v: k for k, v in ids.items()}}


def _tasks(conn, assessment_id):
    return {(t["channel_id"], t["indicator_id"]): t for t in list_tasks(conn, assessment_id=assessment_id)}


def test_tasks_disputes_and_review(engine, assessed):
    aid, main, other = assessed["id"], assessed["main"], assessed["other"]
    cal = load_calendar()
    # The engine failed exactly these (it is the input the tasks come from).
    results = assessed["summary"]
    failed = {a: {i["id"] for i in c["indicators"] if i["status"] == "failed"} for a, c in results.items()}
    assert failed[assessed["addresses"][main]] == {"v5_no_channel", "d_ipv6", "d_site_code"}
    assert failed[assessed["addresses"][other]] == {"d_ipv6"}

    with engine.begin() as conn:
        out = open_tasks(conn, aid, cal, today=OPENED)
    assert len(out["opened"]) == 4 and out["calendar_warnings"] == []
    with engine.begin() as conn:
        again = open_tasks(conn, aid, cal, today=OPENED + dt.timedelta(days=1))
        tasks = _tasks(conn, aid)
    assert again["opened"] == [] and again["existing"] == 4 and len(tasks) == 4  # idempotent

    veto, ipv6, code = tasks[(main, "v5_no_channel")], tasks[(main, "d_ipv6")], tasks[(main, "d_site_code")]
    # Deadlines: veto at once; 5 and 15 working days across 春节 with the Saturday 调休 days.
    assert veto["due_on"] == OPENED
    assert code["due_on"] == D(2026, 2, 24)  # plain Mon-Fri would say Feb 17
    assert ipv6["due_on"] == D(2026, 3, 9)
    assert all(t["status"] == "open" and t["opened_on"] == OPENED for t in tasks.values())
    # Assignees: the channel's responsible person; else the owner's current role holders.
    assert ipv6["assignees"] == [{"person": "zhao.lei", "name": "赵磊", "role": "content_manager",
                                  "source": "channel"}]
    assert [(a["person"], a["role"], a["source"]) for a in tasks[(other, "d_ipv6")]["assignees"]] == [
        ("sun.li", "content_manager", "organization"), ("qian.yu", "web_operator", "organization")]
    assert code["evidence"]["check"] == "cn.site_code" and code["evidence"]["refs"]

    # A dispute on the veto: filed, then overturned -> its task closes, the finding stops counting.
    with engine.begin() as conn:
        assert channel_in_assessment(conn, aid, "https://www.szlh.gov.cn") == main
        with pytest.raises(MgovError, match="did not fail"):
            file(conn, aid, main, "d_search", "search works", by="罗湖区")
        d = file(conn, aid, main, "v5_no_channel", "留言板在 /hdjl，检查时被拦截", by="罗湖区",
                 evidence=[{"ref": "https://www.szlh.gov.cn/hdjl"}])
        with pytest.raises(MgovError, match="already contests"):
            file(conn, aid, main, "v5_no_channel", "again", by="罗湖区")
        assert overturned(conn, aid) == set()
        decided = decide(conn, d["id"], overturn=True, note="复核确认留言板可用", by="王审核", today=OPENED)
        with pytest.raises(MgovError, match="already decided"):
            decide(conn, d["id"], overturn=False, note="x", by="y")
    assert decided["status"] == "overturned" and decided["tasks_closed"] == [veto["id"]]
    with engine.begin() as conn:
        assert overturned(conn, aid) == {(main, "v5_no_channel")}
        tasks = _tasks(conn, aid)
        assert tasks[(main, "v5_no_channel")]["status"] == "closed"
        assert [h["action"] for h in tasks[(main, "v5_no_channel")]["history"]] == ["opened", "closed"]
        rerun = open_tasks(conn, aid, cal, today=OPENED)  # the overturned finding opens nothing again
        assert rerun["opened"] == [] and rerun["skipped"][0]["indicator_id"] == "v5_no_channel"
        log = audit_log.entries(conn, f"dispute:{d['id']}")
        assert [(e["action"], e["actor"]) for e in log] == [("dispute.filed", "罗湖区"),
                                                            ("dispute.overturned", "王审核")]
        assert [e["action"] for e in audit_log.entries(conn, f"task:{veto['id']}")] == ["task.opened", "task.closed"]
    # Assessed again for the same period, the overturned finding stops counting: no veto.
    again = run_assessment(engine, "cn-2019-website", "2026-01")
    main_again = next(c for c in again["channels"] if c["address"] == "https://www.szlh.gov.cn")
    line = next(i for i in main_again["indicators"] if i["id"] == "v5_no_channel")
    assert "v5_no_channel" not in main_again["vetoes"] and line["status"] == "met", line
    assert "overturned on dispute" in line["detail"]

    # After the site-code deadline, a passing finding of cn.site_code closes its task; ipv6 is not
    # due yet; nothing else is reviewed.
    with engine.begin() as conn:
        _finding(conn, assessed["run"], main, "cn.site_code", "pass", D(2026, 2, 25))
        _finding(conn, assessed["run"], main, "ipv6", "pass", D(2026, 2, 20))  # before ipv6's due date
        out = review_due(conn, D(2026, 2, 26), finding_recheck(conn))
    assert out["closed"] == [code["id"]] and out["escalated"] == [] and out["unchecked"] == []

    # After the ipv6 deadline: the main site still fails ipv6 -> escalated to the parent org;
    # the other site has no finding since its due date -> stays open, noted.
    with engine.begin() as conn:
        _finding(conn, assessed["run"], main, "ipv6", "fail", D(2026, 3, 10))
        out = review_due(conn, D(2026, 3, 11), finding_recheck(conn))
        tasks = _tasks(conn, aid)
    assert out["escalated"] == [ipv6["id"]] and out["unchecked"] == [tasks[(other, "d_ipv6")]["id"]]
    assert tasks[(main, "d_ipv6")]["status"] == "escalated"
    assert tasks[(main, "d_ipv6")]["escalated_to"] == "cn-440300"
    assert tasks[(other, "d_ipv6")]["status"] == "open"
    assert tasks[(main, "d_site_code")]["status"] == "closed"
    assert tasks[(main, "d_site_code")]["closed_on"] == D(2026, 2, 26)
    assert tasks[(main, "d_site_code")]["history"][-1]["recheck"]["finding_status"] == "pass"

    # Fixed later: the escalated task closes on the next review.
    with engine.begin() as conn:
        _finding(conn, assessed["run"], main, "ipv6", "pass", D(2026, 3, 12))
        out = review_due(conn, D(2026, 3, 13), finding_recheck(conn))
        tasks = _tasks(conn, aid)
        actions = [r.action for r in conn.execute(select(AUDIT_LOG.c.action).order_by(AUDIT_LOG.c.id))]
    assert ipv6["id"] in out["closed"] and tasks[(main, "d_ipv6")]["status"] == "closed"
    assert [h["action"] for h in tasks[(main, "d_ipv6")]["history"]] == ["opened", "escalated", "closed"]
    assert actions.count("task.opened") == 4 and actions.count("task.escalated") == 1
    assert actions.count("task.closed") == 3 and actions.count("task.unchecked") == 2


def test_review_with_given_recheck_failing_then_passing(engine, assessed):
    aid, other = assessed["id"], assessed["other"]
    with engine.begin() as conn:
        open_tasks(conn, aid, load_calendar(), today=OPENED)
        task = _tasks(conn, aid)[(other, "d_ipv6")]
        # Not yet past due: the recheck is not even asked.
        asked: list[int] = []
        early = review_due(conn, task["due_on"], lambda t: asked.append(t["id"]) or True)
        assert task["id"] not in asked and task["id"] not in early["closed"]
        assert len(early["closed"]) == 2  # the veto (due at once) and d_site_code (Feb 24) were past due
        failing = review_due(conn, task["due_on"] + dt.timedelta(days=1), lambda t: False)
        assert task["id"] in failing["escalated"]
        assert _tasks(conn, aid)[(other, "d_ipv6")]["escalated_to"] == "cn-440300"
        passing = review_due(conn, task["due_on"] + dt.timedelta(days=2), lambda t: (True, {"by": "test"}))
        assert task["id"] in passing["closed"]
        with pytest.raises(MgovError, match="already closed"):
            close_task(conn, task["id"], "done", by="me")


def test_tasks_from_an_earlier_assessment_are_not_duplicated(engine, assessed):
    cal = load_calendar()
    with engine.begin() as conn:
        first = open_tasks(conn, assessed["id"], cal, today=OPENED)
    second = run_assessment(engine, "cn-2019-website", "2026-01")["assessment"]
    with engine.begin() as conn:
        out = open_tasks(conn, second, cal, today=OPENED)
        out2 = open_tasks(conn, second, cal, today=OPENED)
        n = len(conn.execute(select(RECTIFICATION_TASKS.c.id)).all())
        hist = _tasks(conn, assessed["id"])[(assessed["other"], "d_ipv6")]["history"]
    assert out["opened"] == [] and out["still_failing"] == len(first["opened"]) == n
    assert out2["still_failing"] == n
    assert [h["action"] for h in hist] == ["opened", "still_failing"]  # noted once


def test_unknown_year_flags_deadlines(engine, assessed):
    with engine.begin() as conn:
        out = open_tasks(conn, assessed["id"], load_calendar(), today=D(2027, 3, 1))
        task = _tasks(conn, assessed["id"])[(assessed["other"], "d_ipv6")]
    assert out["calendar_warnings"] and "2027" in out["calendar_warnings"][0]
    assert "2027" in task["history"][0]["calendar_warning"]
    assert task["due_on"] == D(2027, 3, 22)  # 15 weekdays after Mon 2027-03-01


def test_cli(cli, assessed):
    aid = str(assessed["id"])
    out = cli.json("tasks", "open", "--assessment", aid, "--on", "2026-02-10")
    assert len(out["opened"]) == 4
    assert "0 task(s) opened, 4 already open" in cli("tasks", "open", "--assessment", aid, "--on", "2026-02-10").stdout
    rows = cli.json("tasks", "list", "--status", "open", "--channel", "https://www.szlh.gov.cn")
    assert {r["indicator_id"] for r in rows} == {"v5_no_channel", "d_ipv6", "d_site_code"}
    code = next(r for r in rows if r["indicator_id"] == "d_site_code")
    assert code["due_on"] == "2026-02-24"
    table = cli("tasks", "list", COLUMNS="200").stdout
    assert "d_site_code" in table and "2026-02-24" in table and "zhao.lei" in table  # the assignee

    filed = cli.json("disputes", "file", "--assessment", aid, "--channel", "https://www.szlh.gov.cn",
                     "--indicator", "v5_no_channel", "--reason", "留言板可用", "--by", "罗湖区")
    cli("disputes", "decide", str(filed["id"]), "--note", "x", "--by", "y", code=2)  # neither flag
    decided = cli.json("disputes", "decide", str(filed["id"]), "--overturn", "--note", "复核可用", "--by", "王审核")
    assert decided["status"] == "overturned" and len(decided["tasks_closed"]) == 1
    assert [d["status"] for d in cli.json("disputes", "list")] == ["overturned"]
    bad = cli("disputes", "file", "--assessment", aid, "--channel", "https://nowhere.gov.cn", "--indicator", "d_ipv6",
              "--reason", "x", code=1)
    assert "not in assessment" in bad.output

    shown = cli.json("tasks", "show", str(code["id"]))
    assert shown["history"][0]["action"] == "opened"
    closed = cli.json("tasks", "close", str(code["id"]), "--note", "标识码已更正", "--by", "赵磊")
    assert closed["status"] == "closed" and closed["note"] == "标识码已更正"
    assert "closed" in cli("tasks", "show", str(code["id"]), COLUMNS="200").stdout
    cli("tasks", "close", str(code["id"]), "--note", "again", code=1)
    # Review as of a day after every deadline: no finding since -> ipv6 tasks stay open, noted.
    review = cli.json("tasks", "review", "--on", "2026-03-20")
    assert review["escalated"] == [] and len(review["unchecked"]) == 2
    assert cli.json("tasks", "list", "--status", "closed") and cli("tasks", "list", "--status", "nope", code=2)


def test_a_us_agency_counts_us_federal_working_days(engine, assessed):
    # The same findings under a US agency: Veterans Day (Wed 2026-11-11) is off, a Chinese working day.
    with engine.begin() as conn:
        conn.execute(update(ORGS).where(ORGS.c.code == "cn-440303").values(jurisdiction="us"))
        open_tasks(conn, assessed["id"], load_calendar(), today=D(2026, 11, 10))
        task = _tasks(conn, assessed["id"])[(assessed["main"], "d_site_code")]
    assert task["due_on"] == D(2026, 11, 18)  # 5 working days: 12, 13, 16, 17, 18 (China's: the 17th)
