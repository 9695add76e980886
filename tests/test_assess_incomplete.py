"""Incomplete is not perfect: a channel whose automated monitoring failed (its findings all
`error`, e.g. its name did not resolve) is an incomplete result: no score, no rank, listed after
the ranked channels, shown as such by the CLI, the API, the dashboard and the reports, and it
opens a task to restore monitoring. A normally monitored channel awaiting a reviewer is not."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import insert, select

from mgov.accounts import users
from mgov.act import finding_recheck, list_tasks, load_calendar, open_tasks, review_due
from mgov.act.workdays import deadline_for
from mgov.assess import ChannelInput, DailyFinding, ManualInput, Observation, ProbeWeek, assess_channel, manual
from mgov.assess.inputs import FindingStatus
from mgov.assess.service import run_assessment
from mgov.checks.plugins import all_checks
from mgov.config import Settings
from mgov.db.engine import make_engine, upgrade
from mgov.db.tables import CHANNELS, SCAN_RUNS
from mgov.evidence.site import CRAWL_KEY
from mgov.formats.load import import_file
from mgov.profiles import Deadline, ProfileError, load, resolve
from mgov.profiles.model import Profile
from mgov.reports import load_report, render_csv, render_html, render_xlsx
from mgov.reports.render import render_pdf
from rows import CLEAN, insert_finding, monitored
from webworld import PASSWORD, World

END = date(2026, 1, 31)


# --- the rule, on the pure engine ---------------------------------------------------------------

@pytest.fixture(scope="module")
def cn() -> Profile:
    return load("cn-2019-website")


def observe(profile: Profile, ch: ChannelInput, automated: FindingStatus | None = "pass", manual: bool = False,
            **changes: Observation) -> dict[str, Observation]:
    """The channel's observations: every check finding of the status given (None: none), no
    probes, and with manual a reviewer's 'met' on every indicator a person decides."""
    out: dict[str, Observation] = {}
    for ind in resolve(profile, ch.kind, ch.tier):
        oid = (ch.channel_id, ind.id)
        if ind.source == "check" and automated:
            value = CLEAN if automated == "pass" else None
            out[ind.id] = Observation(*oid, findings=[DailyFinding(END, automated, value)])
        elif ind.source in ("manual", "rating") and manual and ind.rule != "bonus":  # a reviewer's "met"
            out[ind.id] = Observation(*oid, manual=ManualInput("met"))
    for key, obs in changes.items():
        out[key] = dataclasses.replace(obs, channel_id=ch.channel_id, indicator_id=key)
    return out


def fails(day: date = END) -> Observation:
    return Observation("", "", findings=[DailyFinding(day, "fail", CLEAN, [{"file": "x.warc", "offset": 1}])])


def test_a_channel_whose_monitoring_failed_is_incomplete_never_a_perfect_pass(cn: Profile) -> None:
    ch = ChannelInput("c1", "https://c1.gov.cn/", "website", "county")
    # Every check errored all period (no DNS answer): 26 check indicators and the unprobed V2
    # are not assessed, 27 of 27 monitored ones; nothing deducts, so the old score was 100.
    r = assess_channel(cn, ch, observe(cn, ch, "error"))
    assert (r.complete, r.monitored, r.monitored_not_assessed, r.not_assessed_share) == (False, 27, 27, 1.0)
    assert (r.verdict, r.score, r.base, r.grade) == ("not_assessed", None, None, None)
    assert not r.ranked and r.reasons[-1].startswith("incomplete: 27 of 27 monitored indicator(s) not assessed")
    # With a reviewer's inputs the observed part reads 100 (whatever defects the site has, none
    # could be seen): kept for reading, never as a score or a pass.
    reviewed = assess_channel(cn, ch, observe(cn, ch, "error", manual=True))
    assert (reviewed.complete, reviewed.verdict, reviewed.score, reviewed.observed_score) == (
        False, "not_assessed", None, 100.0)


def test_a_normally_monitored_channel_awaiting_review_is_complete(cn: Profile) -> None:
    ch = ChannelInput("c2", "https://c2.gov.cn/", "website", "county")
    # The 20 manual indicators and 差评 wait for a reviewer: they do not count against it.
    r = assess_channel(cn, ch, observe(cn, ch, "pass", d_icp=fails(), d_psb=fails()))
    assert r.not_assessed == 15 + 1 + 1  # the manual items (bonus: portals only), 差评, and V2 without probes
    assert (r.complete, r.monitored, r.monitored_not_assessed, r.not_assessed_share) == (True, 27, 1, 0.037)
    assert (r.verdict, r.score, r.observed_score, r.ranked) == ("pass", 98.0, 98.0, True)


def test_the_share_is_the_profiles_and_counts_monitored_indicators_only(cn: Profile) -> None:
    ch = ChannelInput("c3", "https://c3.gov.cn/", "website", "county")
    checks = [i.id for i in resolve(cn, "website", "county") if i.source == "check"]
    # 12 check indicators + V2 not assessed: 13 of 27 = 48 % < 50 %: complete.
    obs = observe(cn, ch, "pass", manual=True)
    twelve = {k: v for k, v in obs.items() if k not in checks[:12]}
    r = assess_channel(cn, ch, twelve)
    assert (r.complete, r.monitored_not_assessed, r.not_assessed_share, r.verdict) == (True, 13, 0.4815, "pass")
    # One more: 14 of 27 = 52 % >= 50 %: incomplete.
    thirteen = {k: v for k, v in obs.items() if k not in checks[:13]}
    assert assess_channel(cn, ch, thirteen).complete is False
    # A stricter profile: 40 % suffices.
    strict = dataclasses.replace(cn, scoring=dataclasses.replace(cn.scoring, incomplete_share=0.4))
    assert assess_channel(strict, ch, twelve).complete is False
    # A crawl that never ran: 17 of the 27 monitored indicators need it (63 %): incomplete.
    crawled = [i for i in checks if CRAWL_KEY in all_checks()[cn.indicator(i).check or ""].needs]
    scan_only = {k: v for k, v in obs.items() if k not in crawled}
    assert len(crawled) == 17 and assess_channel(cn, ch, scan_only).not_assessed_share == 0.6667  # 17 + V2 of 27


def test_a_fail_the_unseen_indicators_cannot_undo_stands(cn: Profile) -> None:
    ch = ChannelInput("c4", "https://c4.gov.cn/", "website", "county")
    # Unreachable: every check errored and the probes failed (V2): 不合格 whatever was unseen.
    weeks = [ProbeWeek(END - timedelta(days=7 * k + 6), 140, 140) for k in range(4)]
    r = assess_channel(cn, ch, observe(cn, ch, "error", v2_unreachable=Observation("", "", probes=weeks)))
    assert (r.complete, r.verdict, r.score, r.vetoes_failed) == (False, "fail", None, ("v2_unreachable",))
    assert r.not_assessed_share == 0.963  # V2 was assessed: 26 of 27
    # Deduction: a reviewer's 43 points already fail it; unseen items could only deduct more.
    heavy = observe(cn, ch, "error", manual=True, d_guides_incomplete=Observation("", "", manual=ManualInput(
        "failed", 10)), d_online_service=Observation("", "", manual=ManualInput("failed", 4)),
        d_overview=Observation("", "", manual=ManualInput("failed", 3)),
        d_interpretation=Observation("", "", manual=ManualInput("failed", 3)),
        d_data_release=Observation("", "", manual=ManualInput("failed", 2)),
        d_response=Observation("", "", manual=ManualInput("failed", 2)),
        d_surveys=Observation("", "", manual=ManualInput("failed", 3)))
    low = assess_channel(cn, ch, heavy)
    assert (low.complete, low.verdict, low.score, low.observed_score) == (False, "fail", None, 57.0)
    # Percentage (us-federal): a low share of the few requirements seen may still turn; no verdict.
    us = load("us-federal")
    fed = ChannelInput("u1", "https://www.example.gov/", "website", "executive_branch")
    seen = {i.id: Observation("u1", i.id, findings=[DailyFinding(END, "fail" if n < 6 else "pass")])
            for n, i in enumerate(resolve(us, "website", "executive_branch")[:10])}
    pct = assess_channel(us, fed, seen)
    assert (pct.complete, pct.verdict, pct.score, pct.grade, pct.observed_score) == (
        False, "not_assessed", None, None, 40.0)


def test_a_profile_of_reviewers_counts_every_indicator() -> None:
    nm = load("cn-2019-newmedia")  # a mini program: every indicator is a reviewer's
    ch = ChannelInput("w1", "wechat:wx0123456789abcdef", "mini_program", "county")
    inds = resolve(nm, "mini_program", "county")
    assert {i.source for i in inds} == {"manual"}
    one = {inds[0].id: Observation("w1", inds[0].id, manual=ManualInput("met"))}
    r = assess_channel(nm, ch, one)  # one reviewed of 12: no 100 points
    assert (r.complete, r.verdict, r.score, r.monitored) == (False, "not_assessed", None, len(inds))
    every = {i.id: Observation("w1", i.id, manual=ManualInput("met")) for i in inds}
    assert assess_channel(nm, ch, every).complete is True


def test_the_share_and_deadline_are_validated(tmp_path: Path) -> None:
    assert load("cn-2019-website").scoring.incomplete_deadline == Deadline("working_days", 5)
    for value, message in (("0", "must be a share > 0 and <= 1"), ("1.5", "must be a share > 0 and <= 1"),
                           ('"half"', "must be a share > 0 and <= 1")):
        (tmp_path / "p.toml").write_text(f'id = "p"\nextends = "cn-2019-website"\n[scoring]\n'
                                         f"incomplete_share = {value}\n", encoding="utf-8")
        with pytest.raises(ProfileError, match=message):
            load("p", dirs=[tmp_path])
    (tmp_path / "p.toml").write_text('id = "p"\nextends = "cn-2019-website"\n[scoring]\nincomplete_share = 0.3\n'
                                     'incomplete_deadline = "soon"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"scoring\.incomplete_deadline: bad deadline 'soon'"):
        load("p", dirs=[tmp_path])


# --- end to end on a real database ---------------------------------------------------------------

CLEAN_SITE, DEFECTS, VETOED, UNRESOLVED = ("https://www.a.gov.cn", "https://www.b.gov.cn", "https://www.c.gov.cn",
                                           "https://www.d.gov.cn")
IDENTITY = ("cn.site_code", "cn.icp", "cn.psb", "cn.conac_badge", "cn.jiucuo")  # 1 point each
OPENED = date(2026, 2, 2)  # a Monday
REVIEWED = (CLEAN_SITE, DEFECTS, VETOED, UNRESOLVED)
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440000", "name_zh": "广东省人民政府", "jurisdiction": "cn", "tier": "provincial"},
        *({"code": f"cn-4403{n:02}", "name_zh": f"区{n}人民政府", "name_en": f"District {n}", "jurisdiction": "cn",
           "tier": "county", "parent": "cn-440000"} for n in range(1, 5))],
    "people": [{"key": "li.na", "name": "李娜", "email": "li.na@d.example"}],
    "channels": [{"kind": "website", "address": a, "owner": f"cn-4403{n:02}", "name": f"网站{n}",
                  **({"responsible": {"content_manager": ["li.na"]}} if a == UNRESOLVED else {})}
                 for n, a in enumerate((CLEAN_SITE, DEFECTS, VETOED, UNRESOLVED), 1)],
}


@pytest.fixture
def world(engine, tmp_path) -> dict[str, Any]:
    """January 2026 of four county websites: one clean, one with five identity defects, one
    vetoed (no consultation channel), and one whose name never resolved (every finding an
    error, scan_status dns_error); the assessment and its tasks, and an admin user."""
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={}, kind="scan")
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        for day in (date(2026, 1, 10), date(2026, 1, 20)):
            for address in (CLEAN_SITE, DEFECTS, VETOED):
                monitored(conn, run_id, ids[address], day)
            monitored(conn, run_id, ids[UNRESOLVED], day, status="error", scan_status="dns_error")
        for check in IDENTITY:
            insert_finding(conn, run_id, ids[DEFECTS], check, "fail", date(2026, 1, 20))
        insert_finding(conn, run_id, ids[VETOED], "interaction.channel", "fail", date(2026, 1, 20))
        # A reviewer found no leaked secrets on any of them: the only input of the unresolved
        # site, on which it used to score 100 and rank with the clean one.
        profile = load("cn-2019-website")
        for address in REVIEWED:
            manual.review(conn, profile, date(2026, 1, 1), END, address, "v1_secrets", "met", note="未发现涉密信息")
        users.create_user(conn, "admin", PASSWORD, "admin", display_name="admin")
    summary = run_assessment(engine, "cn-2019-website", "2026-01")
    with engine.begin() as conn:
        opened = open_tasks(conn, summary["assessment"], load_calendar(), today=OPENED)
    settings = Settings(home=tmp_path, database_url=str(engine.url.render_as_string(hide_password=False)))
    return {"engine": engine, "ids": ids, "run": run_id, "summary": summary, "opened": opened,
            "aid": summary["assessment"], "web": World(engine, settings)}


def test_the_unresolved_channel_is_incomplete_and_ranked_after_the_complete_ones(world) -> None:
    by = {c["address"]: c for c in world["summary"]["channels"]}
    dns = by[UNRESOLVED]
    assert (dns["complete"], dns["verdict"], dns["score"], dns["rank"], dns["observed_score"]) == (
        False, "not_assessed", None, None, 100.0)
    assert dns["not_assessed_share"] == 1.0 and dns["reasons"][-1].startswith("incomplete: 27 of 27")
    # The real defects still rank among the complete channels: 100 - 1 - 1 - 1 - 1 - 1 = 95.
    assert [(c["address"], c["rank"], c["of"], c["score"]) for c in world["summary"]["channels"]] == [
        (CLEAN_SITE, 1, 3, 100.0), (DEFECTS, 2, 3, 95.0), (VETOED, 3, 3, None), (UNRESOLVED, None, 3, None)]
    assert [c["position"] for c in world["summary"]["channels"]] == [1, 2, 3, 4]
    assert world["summary"]["incomplete"] == 1 and world["summary"]["verdicts"] == {
        "pass": 2, "fail": 1, "not_assessed": 1}


def test_a_task_to_restore_monitoring_is_opened_and_rechecked(world) -> None:
    engine, dns = world["engine"], world["ids"][UNRESOLVED]
    with engine.connect() as conn:
        tasks = {(t["channel_id"], t["indicator_id"]): t for t in list_tasks(conn, assessment_id=world["aid"])}
    assert len(world["opened"]["opened"]) == 5 + 1 + 1  # identity items, the veto, monitoring
    task = tasks[(dns, "monitoring.incomplete")]
    assert task["due_on"] == deadline_for(Deadline("working_days", 5), OPENED, load_calendar()) == date(2026, 2, 9)
    assert [a["person"] for a in task["assignees"]] == ["li.na"]  # like any task: the responsible people
    ev = task["evidence"]
    assert (ev["title_zh"], ev["title_en"], ev["not_assessed_share"]) == ("恢复监测", "Restore monitoring", 1.0)
    assert "27 项监测指标中 27 项未能评估" in ev["detail_zh"] and "27 of 27 monitored" in ev["detail"]
    assert len(ev["not_assessed"]) == 27 and "v2_unreachable" in ev["not_assessed"]
    with engine.begin() as conn:  # idempotent
        assert open_tasks(conn, world["aid"], load_calendar(), today=OPENED)["opened"] == []
    # Past due: still unresolved on the 10th -> escalated; monitored again on the 12th -> closed.
    with engine.begin() as conn:
        monitored(conn, world["run"], dns, date(2026, 2, 10), status="error", scan_status="dns_error")
        out = review_due(conn, date(2026, 2, 11), finding_recheck(conn))
    assert task["id"] in out["escalated"]
    with engine.begin() as conn:
        monitored(conn, world["run"], dns, date(2026, 2, 12))
        out = review_due(conn, date(2026, 2, 13), finding_recheck(conn))
    assert task["id"] in out["closed"]


def test_cli_json_and_text_show_it(world, cli) -> None:
    out = cli.json("assess", "--profile", "cn-2019-website", "--period", "2026-01")
    dns = next(c for c in out["channels"] if c["address"] == UNRESOLVED)
    assert (dns["complete"], dns["rank"], dns["score"], dns["not_assessed_share"]) == (False, None, None, 1.0)
    assert out["incomplete"] == 1 and out["channels"][-1]["address"] == UNRESOLVED
    shown = cli.json("assessment", str(out["assessment"]), "--channel", UNRESOLVED)
    assert shown["complete"] is False and shown["observed_score"] == 100.0
    text = cli("assessment", str(out["assessment"]), COLUMNS="200").stdout
    assert "incomplete 1 (not ranked)" in text
    zh = cli("assessment", str(out["assessment"]), "--channel", UNRESOLVED, MGOV_LANG="zh", COLUMNS="200").stdout
    assert "监测不完整：100% 的监测指标未评估" in zh


def test_api_and_dashboard_show_it(world) -> None:
    admin, aid, dns = world["web"].client("admin"), world["aid"], world["ids"][UNRESOLVED]
    ranking = admin.api("GET", "/api/v1/rankings", params={"tier": "county", "kind": "website"}).json()
    items = ranking["items"]
    assert [(r["address"], r["rank"], r["complete"]) for r in items] == [
        (CLEAN_SITE, 1, True), (DEFECTS, 2, True), (VETOED, 3, True), (UNRESOLVED, None, False)]
    assert items[0]["score"] == 100.0 and items[-1]["score"] is None and items[-1]["not_assessed_share"] == 1.0
    # Keyset paging by position, one at a time: all four, in order, none twice.
    url, seen = "/api/v1/rankings?tier=county&kind=website&limit=1", []
    while url:
        page = admin.api("GET", url).json()
        seen += [r["position"] for r in page["items"]]
        url = page["next"]
    assert seen == [1, 2, 3, 4]
    only = admin.api("GET", f"/api/v1/assessments/{aid}/results", params={"complete": "false"}).json()["items"]
    assert [r["address"] for r in only] == [UNRESOLVED]
    detail = admin.api("GET", f"/api/v1/assessments/{aid}/results/{dns}").json()
    assert (detail["complete"], detail["rank"], detail["score"], detail["observed_score"]) == (False, None, None, 100.0)
    assert (detail["monitored"], detail["monitored_not_assessed"]) == (27, 27)
    assert admin.api("GET", f"/api/v1/assessments/{aid}").json()["incomplete"] == 1

    rankings = admin.get(f"/rankings?assessment={aid}&tier=county&kind=website")
    assert "Incomplete monitoring: not ranked" in rankings.text
    assert rankings.text.index("网站1") < rankings.text.index("Incomplete monitoring") < rankings.text.index("网站4")
    zh = admin.get(f"/rankings?assessment={aid}&tier=county&kind=website", headers={"Accept-Language": "zh-CN"})
    assert "监测不完整：不参与排名" in zh.text
    assert "Incomplete monitoring: 100%" in admin.get(f"/channels/{dns}").text
    assert "1 with incomplete monitoring, not ranked" in admin.get("/").text
    assert "Restore monitoring" in admin.get("/tasks").text


def test_reports_show_it_in_both_languages(world, tmp_path) -> None:
    zh = load_report(world["engine"], world["aid"], lang="zh")
    assert zh.incomplete == 1 and [c.address for c in zh.unranked] == [UNRESOLVED]
    rows = list(csv.reader(io.StringIO(render_csv(zh))))
    col = {h: i for i, h in enumerate(rows[0])}
    dns = next(r for r in rows[1:] if r[col["地址"]] == UNRESOLVED)
    assert (dns[col["排名"]], dns[col["得分"]], dns[col["监测不完整"]], dns[col["已评估部分得分"]]) == (
        "", "", "是", "100.0")
    html = render_html(zh)
    ranking = html.split("按层级排名")[1]
    assert ranking.index(DEFECTS) < ranking.index("监测不完整，不参与排名") < ranking.index(UNRESOLVED)
    bulletin = render_html(zh, bulletin=True)
    assert "监测不完整（过多监测指标未能评估）的政府网站1个" in bulletin and f"（{UNRESOLVED}）的主办单位" in bulletin
    en = load_report(world["engine"], world["aid"], lang="en")
    assert "Incomplete monitoring: not ranked" in render_html(en)
    assert "The monitoring of 1 channel(s) was incomplete" in render_html(en, bulletin=True)

    (tmp_path / "r.xlsx").write_bytes(render_xlsx(en))
    wb = load_workbook(tmp_path / "r.xlsx")
    cells = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert cells["Incomplete"] == 1
    sheet = list(wb["Channels"].iter_rows(values_only=True))
    head = {h: i for i, h in enumerate(sheet[0])}
    row = next(r for r in sheet[1:] if r[head["Address"]] == UNRESOLVED)
    assert (row[head["Rank"]], row[head["Incomplete"]], row[head["Monitored indicators not assessed"]]) == (
        None, "yes", 1.0)

    pdftotext = shutil.which("pdftotext")
    try:
        pdf = render_pdf(html)
    except Exception as exc:  # noqa: BLE001 - no WeasyPrint or Pango here: the HTML above is the report
        pytest.skip(f"no PDF here: {exc}")
    assert pdf[:5] == b"%PDF-" and pdftotext
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(tmp_path / "r.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout.replace("\n", "").replace(" ", "")
    assert "监测不完整，不参与排名" in text


def test_migration_0010_marks_stored_results(tmp_path) -> None:
    """Results stored before 0010 stay complete (they were ranked as such), except those with
    nothing assessed: those always were incomplete."""
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO channels (id, kind, address, status, tags, attributes, created_at, "
                             "updated_at) VALUES (1, 'website', 'https://a.gov.cn', 'active', '[]', '{}', "
                             "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), (2, 'website', 'https://b.gov.cn', 'active', "
                             "'[]', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        conn.exec_driver_sql("INSERT INTO assessments (id, profile_id, period, start, \"end\", created_at, "
                             "params) VALUES (1, 'cn-2019-website', '2025', '2025-01-01', '2025-12-31', "
                             "CURRENT_TIMESTAMP, '{}')")
        conn.exec_driver_sql("INSERT INTO assessment_results (assessment_id, channel_id, verdict, score, rank, "
                             "rank_of, result, inputs) VALUES (1, 1, 'pass', 100, 1, 2, '{}', '{}'), "
                             "(1, 2, 'not_assessed', NULL, 2, 2, '{}', '{}')")
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT channel_id, complete, not_assessed_share FROM assessment_results "
                                    "ORDER BY channel_id").all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 1, None), (2, 0, None)]
