"""Rectification as work, on a real database: whom a task goes to (the channel's responsible
person for the indicator's role), reassigning, comments, evidence of the fix, escalation up the
registry a level at a time, a requested re-check honoured by the next run of its checks, the
escalation notice, and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy import insert, select

from mgov.act import audit_log, load_calendar, open_tasks, review_due, task_evidence, task_work
from mgov.act.assign import default_assignee, role_for
from mgov.act.notify_events import Snapshot
from mgov.act.notify_text import body, subject
from mgov.act.recheck import honour_requests, pending
from mgov.act.tasks import close_task, get_task, list_tasks
from mgov.assess.service import run_assessment
from mgov.db.tables import CHANNELS, RECTIFICATION_TASKS, SCAN_ITEMS, SCAN_RUNS
from mgov.errors import InvalidValue, MgovError
from mgov.formats.load import import_file
from rows import insert_finding, monitored

DAY = dt.date(2026, 1, 20)
OPENED = dt.date(2026, 2, 10)
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440000", "name_zh": "广东省人民政府", "jurisdiction": "cn", "tier": "provincial"},
        {"code": "cn-440300", "name_zh": "深圳市人民政府", "jurisdiction": "cn", "tier": "prefecture",
         "parent": "cn-440000"},
        {"code": "cn-440303", "name_zh": "罗湖区人民政府", "jurisdiction": "cn", "tier": "county",
         "parent": "cn-440300"},
    ],
    "people": [{"key": "zhao.lei", "name": "赵磊"}, {"key": "qian.yu", "name": "钱宇"},
               {"key": "li.ming", "name": "李明"}, {"key": "sun.li", "name": "孙丽"},
               {"key": "far.away", "name": "外单位"}],
    "roles": [
        {"person": "li.ming", "organization": "cn-440303", "role": "content_manager", "since": "2025-01-01"},
        {"person": "sun.li", "organization": "cn-440303", "role": "security_officer", "since": "2025-01-01"},
        {"person": "far.away", "organization": "cn-440000", "role": "cio", "since": "2025-01-01"},
    ],
    "channels": [
        {"kind": "website", "address": "https://www.szlh.gov.cn", "owner": "cn-440303",
         "responsible": {"content_manager": ["zhao.lei"], "web_operator": ["qian.yu"]}},
        {"kind": "website", "address": "https://ws.szlh.gov.cn", "owner": "cn-440303"},  # nobody named
    ],
}


@pytest.fixture
def opened(engine, tmp_path):
    """Both channels assessed for January 2026 from stored findings, and their tasks opened."""
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        main, other = ids["https://www.szlh.gov.cn"], ids["https://ws.szlh.gov.cn"]
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={})
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        for cid in (main, other):
            monitored(conn, run_id, cid, DAY)
        insert_finding(conn, run_id, main, "ipv6", "fail", DAY)  # d_ipv6: the web operator's
        insert_finding(conn, run_id, main, "interaction.channel", "fail", DAY)  # v5_no_channel: content
        insert_finding(conn, run_id, other, "ipv6", "fail", DAY)
        insert_finding(conn, run_id, other, "content.tampering", "fail", DAY)  # the security officer's
    assessment = run_assessment(engine, "cn-2019-website", "2026-01")["assessment"]
    with engine.begin() as conn:
        open_tasks(conn, assessment, load_calendar(), today=OPENED)
        tasks = {(t["address"], t["indicator_id"]): t for t in list_tasks(conn, assessment_id=assessment)}
    return {"main": main, "other": other, "assessment": assessment, "tasks": tasks}


def _task(opened, address, indicator):
    return opened["tasks"][(f"https://{address}", indicator)]


def test_a_task_goes_to_the_person_answering_for_its_indicators_role(engine, opened):
    assert role_for("ipv6") == "web_operator" and role_for("interaction.channel") == "content_manager"
    assert role_for("content.tampering") == "security_officer" and role_for("cookies") == "privacy_officer"
    assert role_for(None, "manual") == "content_manager" and role_for(None, "probe", "weibo") == "new_media_operator"
    assert default_assignee([{"person": "a", "role": "cio"}, {"person": "b", "role": "cio"}], "web_operator") == "a"
    assert default_assignee([], "web_operator") is None
    # The channel's own people: its web operator for IPv6, its content manager for interaction.
    assert _task(opened, "www.szlh.gov.cn", "d_ipv6")["assignee"] == "qian.yu"
    assert _task(opened, "www.szlh.gov.cn", "v5_no_channel")["assignee"] == "zhao.lei"
    # A channel naming nobody: the owner's role holders; no web operator there, so its content manager.
    assert _task(opened, "ws.szlh.gov.cn", "d_ipv6")["assignee"] == "li.ming"
    assert _task(opened, "ws.szlh.gov.cn", "v1_tampering")["assignee"] == "sun.li"
    with engine.connect() as conn:
        opened_entry = next(e for e in audit_log.entries(conn) if e["action"] == "task.opened")
    assert "assignee" in opened_entry["detail"]


def test_assign_comment_and_escalate_a_task_step_by_step(engine, opened):
    task_id = _task(opened, "www.szlh.gov.cn", "d_ipv6")["id"]
    with engine.begin() as conn:
        people = {c["person"]: c for c in task_work.task_candidates(conn, get_task(conn, task_id), OPENED)}
        # The channel's responsible people and the owner's role holders; not another organization's.
        assert set(people) == {"zhao.lei", "qian.yu", "li.ming", "sun.li"}
        assert people["zhao.lei"]["roles"] == ["content_manager"] and people["zhao.lei"]["name"] == "赵磊"
        with pytest.raises(InvalidValue, match="does not answer for this channel"):
            task_work.assign(conn, task_id, "far.away", by="ops")
        with pytest.raises(MgovError, match=r"assigned to qian\.yu already"):
            task_work.assign(conn, task_id, "qian.yu", by="ops")
        task = task_work.assign(conn, task_id, "zhao.lei", by="ops", note="qian.yu is on leave")
        assert task["assignee"] == "zhao.lei"
        task = task_work.comment(conn, task_id, "  供应商本周五前开通 IPv6  ", by="zhao")
        with pytest.raises(InvalidValue, match="cannot be empty"):
            task_work.comment(conn, task_id, "   ", by="zhao")
        with pytest.raises(InvalidValue, match="at most 4000"):
            task_work.comment(conn, task_id, "x" * 4001, by="zhao")
        # Up the registry a level at a time: the district's city, then the province, then no further.
        with pytest.raises(InvalidValue, match="cannot be empty"):
            task_work.escalate(conn, task_id, by="ops", note="")
        task = task_work.escalate(conn, task_id, by="ops", note="no answer for two weeks")
        assert (task["status"], task["escalated_to"], task["escalation_level"]) == ("escalated", "cn-440300", 1)
        task = task_work.escalate(conn, task_id, by="city", note="the city cannot move it")
        assert (task["escalated_to"], task["escalation_level"]) == ("cn-440000", 2)
        with pytest.raises(MgovError, match="no supervising organization above cn-440000"):
            task_work.escalate(conn, task_id, by="province", note="higher")
        close_task(conn, task_id, "IPv6 is on", by="ops")
        for act in (lambda: task_work.assign(conn, task_id, "qian.yu", by="ops"),
                    lambda: task_work.request_recheck(conn, task_id, by="ops"),
                    lambda: task_work.escalate(conn, task_id, by="ops", note="n")):
            with pytest.raises(MgovError, match="is closed"):
                act()
        task_work.comment(conn, task_id, "confirmed by a visit", by="ops")  # a closed task takes comments
        history = get_task(conn, task_id)["history"]
        entries = [(e["actor"], e["action"]) for e in audit_log.entries(conn, f"task:{task_id}")]
    steps = [(h["action"], h["by"]) for h in history]
    assert steps == [("opened", "system"), ("assigned", "ops"), ("commented", "zhao"), ("escalated", "ops"),
                     ("escalated", "city"), ("closed", "ops"), ("commented", "ops")]
    assert history[1]["person"] == "zhao.lei" and history[1]["was"] == "qian.yu"
    assert history[1]["note"] == "qian.yu is on leave" and history[2]["text"] == "供应商本周五前开通 IPv6"
    assert history[4]["to"] == "cn-440000" and history[4]["level"] == 2
    assert entries == [("system", "task.opened"), ("ops", "task.assigned"), ("zhao", "task.commented"),
                       ("ops", "task.escalated"), ("city", "task.escalated"), ("ops", "task.closed"),
                       ("ops", "task.commented")]


def test_evidence_of_the_fix_urls_and_files(engine, opened, tmp_path):
    task_id = _task(opened, "www.szlh.gov.cn", "d_ipv6")["id"]
    archive = tmp_path / "archive"
    shot = b"\x89PNG\r\n\x1a\n a screenshot of the fixed footer"
    with engine.begin() as conn:
        url = task_evidence.add_url(conn, task_id, " https://WWW.szlh.gov.cn/ipv6#test ", by="zhao",
                                    note="the test page")
        assert url["url"] == "https://www.szlh.gov.cn/ipv6"
        for bad in ("javascript:alert(1)", "www.szlh.gov.cn/x", "https://a b.cn", "ftp://x.cn/f"):
            with pytest.raises(InvalidValue):
                task_evidence.add_url(conn, task_id, bad, by="zhao")
        one = task_evidence.add_file(conn, archive, task_id, "../../etc/页脚 截图.png", shot, by="zhao",
                                     media_type="image/png; charset=x")
        two = task_evidence.add_file(conn, archive, task_id, "again.html", shot, by="zhao", media_type="text/html")
        with pytest.raises(InvalidValue, match="empty"):
            task_evidence.add_file(conn, archive, task_id, "e.txt", b"", by="zhao")
        with pytest.raises(InvalidValue, match="at most"):
            task_evidence.add_file(conn, archive, task_id, "big.bin", b"x" * (task_evidence.MAX_FILE + 1), by="zhao")
        row, data = task_evidence.evidence_file(conn, archive, task_id, one["id"])
        other_task = _task(opened, "ws.szlh.gov.cn", "d_ipv6")["id"]
        with pytest.raises(MgovError, match="no evidence file"):
            task_evidence.evidence_file(conn, archive, other_task, one["id"])  # not that task's
        with pytest.raises(MgovError, match="no evidence file"):
            task_evidence.evidence_file(conn, archive, task_id, url["id"])  # a URL has no file
        listed = task_evidence.list_evidence(conn, task_id)
        history = get_task(conn, task_id)["history"]
    digest = hashlib.sha256(shot).hexdigest()
    assert data == shot and row["filename"] == "页脚 截图.png" and row["media_type"] == "image/png"
    assert (archive / "task-evidence" / digest[:2] / digest).read_bytes() == shot  # by content, not by name
    assert len(list((archive / "task-evidence").rglob("*"))) == 2  # one folder, one file: kept once
    assert two["sha256"] == digest and task_evidence.served_type(two["media_type"]) == "application/octet-stream"
    assert task_evidence.served_type(row["media_type"]) == "image/png"
    assert [e["kind"] for e in listed] == ["url", "file", "file"]
    assert [h["action"] for h in history][-3:] == ["evidence_added"] * 3 and history[-2]["sha256"] == digest
    assert task_evidence.safe_name("a\x00b/..\\c:d?.pdf") == "c_d_.pdf" and task_evidence.safe_name("..") == "evidence"
    with engine.begin() as conn:  # at most MAX_ITEMS pieces a task
        for i in range(task_evidence.MAX_ITEMS - 3):
            task_evidence.add_url(conn, task_id, f"https://www.szlh.gov.cn/{i}", by="zhao")
        with pytest.raises(InvalidValue, match="the limit"):
            task_evidence.add_url(conn, task_id, "https://www.szlh.gov.cn/one-more", by="zhao")


def _run(conn, channel_id, findings, *, checks, kind="scan", variant=None):
    """A finished run of `checks` over the channel that found `findings` (check -> status), now."""
    params = {"kind": kind, "org": None, "kinds": [], "channels": [], "checks": checks, "routing": {},
              "profile": None, "variants": {}}
    run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params=params, kind=kind)
                          .returning(SCAN_RUNS.c.id)).scalar_one()
    today = dt.date.today()
    for check, status in findings.items():
        insert_finding(conn, run_id, channel_id, check, status, today, at=dt.datetime.now(dt.UTC).time())
    conn.execute(insert(SCAN_ITEMS).values(run_id=run_id, channel_id=channel_id, counts={}))
    return run_id


def test_a_requested_recheck_is_honoured_by_the_next_run_of_its_checks(engine, opened):
    fixed = _task(opened, "www.szlh.gov.cn", "d_ipv6")["id"]
    content = _task(opened, "www.szlh.gov.cn", "v5_no_channel")["id"]  # a crawl check
    unasked = _task(opened, "ws.szlh.gov.cn", "d_ipv6")["id"]
    with engine.begin() as conn:
        task_work.request_recheck(conn, fixed, by="zhao", note="IPv6 is on now")
        task_work.request_recheck(conn, content, by="zhao")
        with pytest.raises(MgovError, match="asked for already"):
            task_work.request_recheck(conn, fixed, by="zhao")
        assert [t["id"] for t in pending(conn)] == [fixed, content]
        # A run of other checks answers nothing; a run of ipv6 over the other channel neither.
        assert honour_requests(conn, _run(conn, opened["main"], {"search": "pass"}, checks=["search"])) == {
            "closed": [], "still_failing": [], "unchecked": []}
        honour_requests(conn, _run(conn, opened["other"], {"ipv6": "pass"}, checks=["ipv6"]))
        assert [t["id"] for t in pending(conn)] == [fixed, content]
        # Still failing: noted, the request is met, the task stays open.
        run = _run(conn, opened["main"], {"ipv6": "fail"}, checks=["ipv6"])
        assert honour_requests(conn, run, actor="scan") == {"closed": [], "still_failing": [fixed], "unchecked": []}
        assert get_task(conn, fixed)["status"] == "open" and get_task(conn, fixed)["recheck_requested_at"] is None
        task_work.request_recheck(conn, fixed, by="zhao")
        run = _run(conn, opened["main"], {"ipv6": "pass"}, checks=["ipv6"])
        assert honour_requests(conn, run, actor="scan") == {"closed": [fixed], "still_failing": [], "unchecked": []}
        done = get_task(conn, fixed)
        assert [t["id"] for t in pending(conn)] == [content]  # its crawl check has not run yet
        assert get_task(conn, unasked)["status"] == "open"  # nobody asked: a run alone closes nothing
        actions = [e["action"] for e in audit_log.entries(conn, f"task:{fixed}")]
    assert done["status"] == "closed" and done["note"] == f"fixed: the re-check passed (run {run})"
    steps = [h["action"] for h in done["history"]]
    assert steps == ["opened", "recheck_requested", "recheck_failed", "recheck_requested", "closed"]
    assert done["history"][-1]["recheck"]["finding_status"] == "pass" and done["history"][-1]["by"] == "scan"
    assert actions[-2:] == ["task.recheck_requested", "task.closed"] and "task.recheck_failed" in actions


def test_review_escalation_has_a_level_and_escalations_notify_once_per_level(engine, opened):
    task_id = _task(opened, "ws.szlh.gov.cn", "d_ipv6")["id"]
    late = dt.date(2026, 6, 1)
    with engine.begin() as conn:
        out = review_due(conn, late, lambda task: False, actor="review")
        assert task_id in out["escalated"]
        task = get_task(conn, task_id)
        assert (task["escalated_to"], task["escalation_level"]) == ("cn-440300", 1)
        first = {e.key: e for e in Snapshot(conn, late).escalated}
        task_work.escalate(conn, task_id, by="city", note="still nothing")
        second = {e.key: e for e in Snapshot(conn, late).escalated}
    assert f"escalated:{task_id}:1" in first and f"escalated:{task_id}:2" in second
    assert f"escalated:{task_id}:1" not in second  # a new level is news again; the old one is gone
    item = second[f"escalated:{task_id}:2"].item
    assert item["escalated_to"] == "cn-440000" and item["level"] == 2 and item["assignee"] == "li.ming"
    zh = body("escalated", "zh", "罗湖区人民政府", [item], late)
    assert "已提级至 cn-440000 督办（第 2 级）" in zh
    assert "提级督办整改任务 1 项" in subject("escalated", "zh", "罗湖", [item])
    assert "escalated to cn-440000 (level 2)" in body("escalated", "en", "Luohu", [item], late)


def test_tasks_stored_before_get_an_assignee_and_a_level(tmp_path):
    from alembic import command

    from mgov.db.engine import _alembic_config, make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO channels (id, kind, address, status, tags, attributes, created_at, "
                             "updated_at) VALUES (1, 'website', 'https://a.gov.cn', 'active', '[]', '{}', "
                             "'2026-01-01', '2026-01-01')"))
        conn.execute(sa.text("INSERT INTO assessments (id, profile_id, period, start, \"end\", created_at, params) "
                             "VALUES (1, 'cn-2019-website', '2026-01', '2026-01-01', '2026-01-31', '2026-02-01', "
                             "'{}')"))
        for task_id, status, people in ((1, "open", '[{"person": "w", "role": "web_operator"}, '
                                                    '{"person": "c", "role": "content_manager"}]'),
                                        (2, "escalated", '[{"person": "w", "role": "web_operator"}]'),
                                        (3, "open", "[]")):
            conn.execute(sa.text(
                "INSERT INTO rectification_tasks (id, assessment_id, channel_id, indicator_id, profile_id, opened_on, "
                "due_on, status, assignees, evidence, history) VALUES (:id, 1, 1, :ind, 'cn-2019-website', "
                "'2026-02-01', '2026-02-10', :status, :people, '{}', '[]')"),
                {"id": task_id, "ind": f"i{task_id}", "status": status, "people": people})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(RECTIFICATION_TASKS.c.id, RECTIFICATION_TASKS.c.assignee,
                                   RECTIFICATION_TASKS.c.escalation_level).order_by(RECTIFICATION_TASKS.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, "c", 0), (2, "w", 1), (3, None, 0)]
    command.downgrade(_alembic_config(engine), "0011")
    assert "task_evidence" not in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_the_command_line(cli, opened, tmp_path):
    task_id = str(_task(opened, "www.szlh.gov.cn", "d_ipv6")["id"])
    assert "task " + task_id + ": assigned to zhao.lei" in cli("tasks", "assign", task_id, "--to", "zhao.lei",
                                                                "--by", "ops").stdout
    cli("tasks", "comment", task_id, "--text", "已联系供应商")
    shot = tmp_path / "footer.png"
    shot.write_bytes(b"\x89PNG footer")
    added = cli.json("tasks", "evidence", task_id, "--file", str(shot), "--note", "页脚")
    assert added["filename"] == "footer.png" and added["size"] == 11
    cli("tasks", "evidence", task_id, "--url", "https://www.szlh.gov.cn/ipv6")
    cli("tasks", "evidence", task_id, code=2)  # neither --url nor --file
    escalated = cli("tasks", "escalate", task_id, "--note", "逾期", MGOV_LANG="zh").stdout
    assert "已提级至 cn-440300 督办（第 1 级）" in escalated
    assert "task(s) " + task_id in cli("tasks", "recheck", task_id, "--later").stdout
    assert "asked for already" in cli("tasks", "recheck", task_id, "--later", code=1).stderr
    shown = cli.json("tasks", "show", task_id)
    assert shown["assignee"] == "zhao.lei" and shown["escalation_level"] == 1 and shown["recheck_requested_at"]
    assert [h["action"] for h in shown["history"]] == ["opened", "assigned", "commented", "evidence_added",
                                                       "evidence_added", "escalated", "recheck_requested"]
    table = cli("tasks", "list", COLUMNS="200").stdout
    assert "zhao.lei" in table and "cn-440300" in table
    assert "does not answer" in cli("tasks", "assign", task_id, "--to", "far.away", code=1).stderr


def test_a_recheck_with_nothing_to_run_says_so(engine, opened, tmp_path):
    from mgov.act.recheck import recheck_tasks
    from mgov.config import Settings
    from mgov.registry import service
    from mgov.registry.records import Batch, ChannelRecord, Origin

    task_id = _task(opened, "ws.szlh.gov.cn", "d_ipv6")["id"]
    tampering = _task(opened, "ws.szlh.gov.cn", "v1_tampering")["id"]  # a crawl check
    with engine.begin() as conn:  # the channel closed since: no run can reach it
        service.write(conn, Batch(channels=[ChannelRecord("website", "https://ws.szlh.gov.cn", Origin("test"),
                                                          status="closed")]))
        task_work.request_recheck(conn, task_id, by="zhao")
    settings = Settings(home=tmp_path, database_url=engine.url.render_as_string(hide_password=False))
    out = recheck_tasks(engine, settings, [task_id, tampering], actor="ops")
    assert out == {"runs": [], "closed": [], "still_failing": [], "unchecked": [task_id, tampering]}
    with engine.connect() as conn:
        why = get_task(conn, task_id)["history"][-1]["recheck"]["why"]
        assert "no registered web channel matches" in why and get_task(conn, task_id)["recheck_requested_at"] is None
        assert pending(conn) == []
