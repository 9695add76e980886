"""Every word in the reader's language beyond the dashboard's pages: the command line's tables
in Chinese (mgov registry audit's severities, findings with their checks' titles, tasks and
disputes with their indicators' names, an assessment's breakdown), the API's display fields
beside its ids, notification mails, the English report (its title and punctuation), and each
form of an indicator's detail. The same detector as the pages' (tests/zh_words.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from mgov.act import disputes, notify_text
from mgov.assess.wording import FORMS, detail_is_known, detail_text
from mgov.db.tables import FINDINGS, RECTIFICATION_TASKS
from mgov.registry.accountability import RULES
from mgov.reports.render import render_csv, render_html
from mgov.reports.source import load_report
from webworld import World, build_world
from zh_words import Vocabulary, check_text

WIDE = {"COLUMNS": "250"}  # a table wide enough that no cell is folded mid-word
# What a table shows as it is on purpose: the audit's rule ids (--rule takes them), the world's
# user names, person keys and English names (data), language codes.
CLI_CODES = {*RULES, "admin", "supervisor", "reviewer", "a_admin", "a_staff", "a_viewer", "b_admin", "b_staff",
             "b_super", "system", "zhao.lei", "wang.fang", "Shenzhen", "Guangzhou", "Guangdong",
             "zh", "en"}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.shipped()


@pytest.fixture
def world(engine, tmp_path) -> World:
    w = build_world(engine, tmp_path)
    with engine.begin() as conn:
        # The world's test messages name the check id; a check writes its own words instead.
        conn.execute(update(FINDINGS).values(message_zh="检查结果说明"))
        disputes.file(conn, w.ids["assessment"], w.ids["channel_a"], "d_site_code", "标识码已补上", by="a_staff")
        w.ids["task"] = conn.execute(select(RECTIFICATION_TASKS.c.id)).scalars().first()
    return w


def _clean(output: str) -> str:
    """The table's text without the frame rich draws."""
    return re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐├┤┬┴┼━─═╇╈╋]", " ", output)


def test_the_command_line_speaks_chinese_in_its_tables(cli, world, vocab):
    address = "https://www.sz.gov.cn"
    outputs = {
        "registry audit": cli("registry", "audit", MGOV_LANG="zh", **WIDE).stdout,
        "findings": cli("findings", MGOV_LANG="zh", **WIDE).stdout,
        "tasks list": cli("tasks", "list", MGOV_LANG="zh", **WIDE).stdout,
        "tasks show": cli("tasks", "show", str(world.ids["task"]), MGOV_LANG="zh", **WIDE).stdout,
        "disputes list": cli("disputes", "list", MGOV_LANG="zh", **WIDE).stdout,
        "assessment": cli("assessment", str(world.ids["assessment"]), "--channel", address, MGOV_LANG="zh",
                          **WIDE).stdout,
        "channel show": cli("channel", "show", address, MGOV_LANG="zh", **WIDE).stdout,
        "org show": cli("org", "show", "cn-440300", MGOV_LANG="zh", **WIDE).stdout,
        "user list": cli("user", "list", MGOV_LANG="zh", **WIDE).stdout,
    }
    # The examples: severities in Chinese, indicators by name, checks by title.
    assert "错误" in outputs["registry audit"] or "警告" in outputs["registry audit"]
    assert not re.search(r"\b(error|warning)\b", outputs["registry audit"])
    assert "支持 IPv6 访问" in outputs["findings"] and "网站标识码" in outputs["findings"]
    assert "未完成IPv6改造" in outputs["tasks list"] and "待整改" in outputs["tasks list"]
    assert "扣分" in outputs["assessment"] and "最近一次检查" in outputs["assessment"]
    problems = []
    for command, text in outputs.items():
        lines = [_clean(line) for line in text.splitlines() if not line.startswith("assessment ")]
        # The audit's rule ids are codes on purpose: --rule takes them, the reason column says them.
        found, chinese = check_text("\n".join(lines), command, vocab, codes=CLI_CODES)
        problems += found
        assert chinese > 5, (command, text)
    assert not problems, "\n".join(map(str, problems))


def test_cli_times_in_the_installation_zone(cli, world):
    """Tables show times in MGOV_TIME_ZONE (JSON keeps UTC); a bad zone is refused."""
    shown = cli("disputes", "list", MGOV_TIME_ZONE="Asia/Shanghai", **WIDE).stdout
    assert "+08:00" in shown
    assert "+08:00" not in cli.json("disputes", "list")[0]["filed_at"]
    assert "unknown time zone" in cli("org", "edit", "cn-440300", "--time-zone", "Mars/Olympus", code=1).output
    cli("org", "edit", "cn-440300", "--time-zone", "Asia/Urumqi")
    assert "Asia/Urumqi" in cli("org", "show", "cn-440300").stdout
    cli("org", "edit", "cn-440300", "--time-zone", "-")
    assert "Asia/Shanghai" in cli("org", "show", "cn-440300").stdout  # the jurisdiction's default again


def test_api_display_fields_beside_the_ids(world):
    """Tasks, disputes, findings and a result's indicators carry names in the reader's
    language (Accept-Language, else the user's) beside their ids, which stay."""
    browser = world.client("admin")
    zh = {"Accept-Language": "zh-CN"}
    task = browser.api("GET", "/api/v1/tasks", headers=zh).json()["items"][0]
    assert task["indicator_id"] in ("d_ipv6", "d_site_code")
    assert task["indicator_name"] in ("未完成IPv6改造", "网站标识码缺失或错误") and task["status_label"] == "待整改"
    english = browser.api("GET", f"/api/v1/tasks/{task['id']}", headers={"Accept-Language": "en"}).json()
    assert english["indicator_id"] == task["indicator_id"] and english["indicator_name"] != task["indicator_name"]
    finding = browser.api("GET", f"/api/v1/findings/{world.ids['finding_a']}", headers=zh).json()
    assert (finding["check_id"], finding["check_title"], finding["status_label"]) == (
        "ipv6", "支持 IPv6 访问", "不通过")
    dispute = browser.api("GET", "/api/v1/disputes", headers=zh).json()["items"][0]
    assert (dispute["indicator_id"], dispute["indicator_name"]) == ("d_site_code", "网站标识码缺失或错误")
    result = browser.api("GET", f"/api/v1/assessments/{world.ids['assessment']}/results/{world.ids['channel_a']}",
                         headers=zh).json()
    ipv6 = next(i for i in result["indicators"] if i["id"] == "d_ipv6")
    assert (ipv6["name"], ipv6["rule"], ipv6["rule_label"], ipv6["status_label"]) == (
        "未完成IPv6改造", "deduct", "扣分", "未达标")
    assert ipv6["detail"].startswith("latest finding") and ipv6["detail_text"].startswith("最近一次检查")
    audit = browser.api("GET", "/api/v1/audit", headers=zh).json()["items"]
    assert {e["action_label"] for e in audit} >= {"整改任务开启", "申诉提交"}


def test_notification_mails_name_indicators_in_the_readers_language(vocab):
    item = {"address": "https://www.sz.gov.cn", "owner": "cn-440300", "indicator": "v3_homepage_stale",
            "assessment": 3, "profile": "cn-2019-website", "period": "2026Q4",
            "detail": "latest finding 2026-12-06: fail"}
    task = {"task": 7, "address": "https://www.sz.gov.cn", "owner": "cn-440300", "indicator": "d_icp",
            "due_on": "2026-12-20", "days_overdue": 3, "status": "open"}
    for event, items in (("veto", [item]), ("overdue", [task])):
        body = notify_text.body(event, "zh", "深圳市人民政府", items, dt.date(2026, 12, 23))
        found, _ = check_text(body, event, vocab)
        assert not found, "\n".join(map(str, found))
    veto = notify_text.body("veto", "zh", "深圳市人民政府", [item], dt.date(2026, 12, 23))
    assert "首页不更新（v3_homepage_stale）" in veto and "最近一次检查 2026-12-06：不通过" in veto
    english = notify_text.body("veto", "en", "Shenzhen", [item], dt.date(2026, 12, 23))
    assert "(v3_homepage_stale)" in english and "latest finding 2026-12-06: fail" in english


def test_the_english_report_reads_as_english(world):
    """The title is a phrase, not three words glued together, and English text carries
    English punctuation (no full-width colons or brackets around the profile)."""
    report = load_report(world.engine, world.ids["assessment"], lang="en")
    html = render_html(report)
    title = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert title == "Inspection report on government websites, 2026-01"
    meta = re.search(r'<div class="meta">(.*?)</div>', html).group(1)
    assert meta.startswith("Profile: China government website inspection indicators (2019) (cn-2019-website)")
    assert not re.search(r"[：（）；]", re.sub(r"<[^>]+>", "", html).replace(report.channels[0].org_name, ""))
    zh = render_html(load_report(world.engine, world.ids["assessment"], lang="zh"))
    assert "<h1>2026年1月政府网站检查报告</h1>" in zh and "指标体系：" in zh
    assert "网站标识码缺失或错误" in render_csv(load_report(world.engine, world.ids["assessment"], lang="zh"))


@pytest.mark.parametrize("detail", [
    "no observation for the period", "the check does not apply to this channel",
    "no usable finding (3 error finding(s))", "the check does not apply (2026-12-01)",
    "latest finding 2026-12-06: fail", "worst finding 2026-12-06: warn (30 day(s))",
    "2 failing day(s) of 30", "2 failing day(s) of 30 (fails at >= 10%)",
    "finding 2026-12-06 has no count 'dead_home' in its value", "latest finding 2026-12-06: 3 dead_home",
    "latest finding 2026-12-06: 2 stale (政策文件)",
    "no week with >= 20 probes a day (2 week(s) with too few probes)",
    "1 of 12 week(s) with >= 5% failed probes; 1 week(s) with too few probes not counted",
    "0 of 12 week(s) with >= 5% failed probes; warning: 2 week(s) at >= 3%",
    "3 差评 not rectified in time of 40 rating(s)", "3 差评 of 40 rating(s)",
    "no usage threshold (min_visits, min_mobile_share) in aggregate", "no mobile share in the usage figures",
    "visits 120 < 1000; mobile share 10% < 30%", "visits 1200",
    "not inspected: the organization has no external services", "bonus only for channels tagged 'portal'",
    "reviewer: 已核实", "reviewer",
])
def test_every_form_of_an_indicators_detail_reads_in_chinese(detail, vocab):
    assert detail_is_known(detail)
    text = detail_text(detail, "zh")
    assert not vocab.english(text), text
    assert detail_text(detail, "en") == detail


def test_every_detail_the_assessment_writes_has_a_chinese_form():
    """A new detail in aggregate.py or score.py without a form here is caught: each English
    literal they pass as a detail matches a form (the f-strings' fields made examples)."""
    from pathlib import Path

    import mgov.assess

    here = Path(mgov.assess.__file__).parent
    sources = (here / "aggregate.py").read_text() + (here / "score.py").read_text()
    sources = re.sub(r'"\s*\n\s*f?"', "", sources)  # one literal written over two lines
    literals = re.findall(r'detail=f?"([^"]+)"', sources) + re.findall(r'f"(latest finding [^"]+)"', sources)
    literals += re.findall(r'return f?"((?:not inspected|bonus only)[^"]+)"', sources)
    assert len(literals) >= 8
    examples = {"{len(findings)}": "3", "{findings[-1].day}": "2026-12-01", "{f.day}": "2026-12-06",
                "{key}": "dead_home", "{float(per_day):g}": "20", "{len(weeks)}": "2", "{latest.day}": "2026-12-06",
                "{latest.status}": "fail", "{count}": "3", "{what}": "dead_home", "{scoring.bonus_scope}": "portal"}
    for literal in literals:
        for field, value in examples.items():
            literal = literal.replace(field, value)
        assert "{" not in literal, f"give {literal!r} an example in this test"
        assert any(p.fullmatch(part) for part in literal.split("; ") for p, _ in FORMS), literal
