"""New-media accounts assessed with cn-2019-newmedia from the newmedia.* checks' findings, on a
real database: captures built by hand for January 2026, judged by the real checks (the run
engine's judge), stored as a run stores them (runs.store.save_channels, on mgov's clock), then
`mgov assess`'s service, the tasks, the dashboard's rankings and the report. Every score,
veto and task below is computed by hand from the profile."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from mgov import clock
from mgov.accounts import users
from mgov.act import load_calendar, open_tasks
from mgov.assess import manual
from mgov.assess.service import run_assessment
from mgov.checks.plugins import select as select_checks
from mgov.config import Settings
from mgov.db.tables import CHANNELS, RECTIFICATION_TASKS
from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import (
    AccountProfile,
    CaptureStatus,
    Interaction,
    LinkOutcome,
    NewMediaEvidence,
    Post,
    ProfileChange,
)
from mgov.evidence.site import ChannelFacts, SiteEvidence
from mgov.formats.load import import_file
from mgov.profiles import load, resolve
from mgov.reports import load_report, render_html
from mgov.runs import store
from mgov.runs.judging import judge
from webworld import PASSWORD, World

PROFILE = "cn-2019-newmedia"
# County units' accounts: a clean one; one with defects; one vetoed (no update in 16 days);
# one whose platform never answered; two registered WeChat accounts of one unit (duplicates).
CLEAN, DEFECTS, STALE, UNREAD, TWIN_A, TWIN_B = ("gh_clean", "1234567890", "gh_stale", "douyin:gov4",
                                                "gh_twin_a", "gh_twin_b")
KINDS = {CLEAN: "wechat_account", DEFECTS: "weibo_account", STALE: "wechat_account", UNREAD: "other_social",
         TWIN_A: "wechat_account", TWIN_B: "wechat_account"}
OWNERS = {CLEAN: 1, DEFECTS: 2, STALE: 3, UNREAD: 4, TWIN_A: 5, TWIN_B: 5}
DAYS = (dt.date(2026, 1, 10), dt.date(2026, 1, 20), dt.date(2026, 1, 30))  # capture days (the last decides)
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440000", "name_zh": "广东省人民政府", "jurisdiction": "cn", "tier": "provincial"},
        *({"code": f"cn-4403{n:02}", "name_zh": f"区{n}人民政府", "jurisdiction": "cn", "tier": "county",
           "parent": "cn-440000"} for n in range(1, 6))],
    "people": [{"key": "op.wang", "name": "王运营", "email": "op.wang@d.example"},
               {"key": "cm.li", "name": "李编辑", "email": "cm.li@d.example"}],
    "channels": [{"kind": KINDS[a], "address": a, "owner": f"cn-4403{OWNERS[a]:02}", "name": f"账号 {a}",
                  "responsible": {"new_media_operator": "op.wang", "content_manager": "cm.li"}} for a in KINDS],
}


def _post(now: dt.datetime, pid: str, days_ago: int, text: str = "区政府召开常务会议，研究部署春节保供工作。",
          links: list[str] | None = None) -> Post:
    return Post(pid, now - dt.timedelta(days=days_ago, hours=2), text, url=f"https://p.example.cn/{pid}",
                links=links or [], warc=WarcRef("capture.warc.gz", days_ago, 100))


def capture(address: str, day: dt.date) -> NewMediaEvidence:
    """What the capture of address saw on day (10:00 Beijing time)."""
    now = dt.datetime.combine(day, dt.time(2), dt.UTC)
    last = day == DAYS[-1]
    prof = AccountProfile("wechat", address, f"账号 {address}", interaction=Interaction(comments=True, messages=True),
                          followers=10 ** (OWNERS[address] + 1))  # a description only: never scored
    posts = [_post(now, f"{address}-{d}", d) for d in (1, 4, 8, 11, 15, 18, 22, 25)]  # twice a week
    nm = NewMediaEvidence("wechat", CaptureStatus.OK, now, profile=prof, posts=posts, window_days=30,
                          warc=[WarcRef("capture.warc.gz", 0, 100)])
    if address == UNREAD:
        return NewMediaEvidence("import:douyin", CaptureStatus.UNREACHABLE, now, error="timeout")
    if address in (TWIN_A, TWIN_B):
        nm.siblings = [TWIN_B if address == TWIN_A else TWIN_A]
        if address == TWIN_B:  # the platform does not say whether it can be reached: not assessed
            prof.interaction = Interaction()
    if last and address == DEFECTS:
        # Nothing 7..13 days ago (md_update_slow), two dead links (md_functions_broken x 2), a
        # rename not filed (md_unfiled_changes), and two 错敏字 candidates (md_errors: a reviewer's).
        nm.posts = [_post(now, "w1", 1, "国务院总里主持召开会议，强调依法制国。",
                          links=["https://gone.example.cn/a", "https://gone.example.cn/b"]),
                    _post(now, "w3", 3), _post(now, "w15", 15), _post(now, "w22", 22), _post(now, "w27", 27)]
        nm.links = [LinkOutcome("https://gone.example.cn/a", 404, False, post_id="w1"),
                    LinkOutcome("https://gone.example.cn/b", None, False, error="dns_error", post_id="w1")]
        nm.profile_changes = [ProfileChange("name", "账号 1234567890", "生活服务号", filed=False, seen_at=now)]
    if last and address == STALE:  # newest 16 days old: the veto; two empty weeks
        nm.posts = [_post(now, f"s{d}", d) for d in (16, 19, 23, 26)]
    return nm


def build(engine: Any, tmp: Path) -> dict[str, Any]:
    path = tmp / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    profile = load(PROFILE)
    with engine.connect() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
    for day in DAYS:
        with clock.fixed(dt.datetime.combine(day, dt.time(2, 30), dt.UTC)), engine.begin() as conn:
            run_id = store.create_run(conn, {"kind": "capture", "profile": PROFILE}, kind="capture")
            done = []
            for address, kind in KINDS.items():
                bound = sorted({i.check for i in resolve(profile, kind, "county") if i.check})
                facts = ChannelFacts(kind, address, "", "cn", "county", f"cn-4403{OWNERS[address]:02}")
                ev = SiteEvidence(facts, clock.now(), newmedia=capture(address, day))
                done.append((ids[address], judge(ev, select_checks(bound), {})))
            store.save_channels(conn, run_id, done)
            store.finish_run(conn, run_id)
    with engine.begin() as conn:  # a reviewer confirms the two 错敏字 the wording check listed
        manual.review(conn, profile, dt.date(2026, 1, 1), dt.date(2026, 1, 31), DEFECTS, "md_errors", "failed",
                      instances=2, note="国务院总里、依法制国：两处错敏字")
    result = run_assessment(engine, PROFILE, "2026-01")
    return {"ids": ids, "summary": result, "by": {c["address"]: c for c in result["channels"]}}


@pytest.fixture
def world(engine, tmp_path) -> dict[str, Any]:
    return build(engine, tmp_path)


def _lines(channel: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in channel["indicators"]}


def test_new_media_accounts_are_scored_vetoed_and_ranked_as_the_profile_says(world) -> None:
    by = world["by"]
    pts = {i.id: i.points for i in load(PROFILE).indicators}
    # The clean account loses nothing; the reviewer's indicators (mv1_*, md_central_reposts) wait.
    clean = by[CLEAN]
    assert (clean["verdict"], clean["score"], clean["complete"], clean["not_assessed"]) == ("pass", 100.0, True, 6)
    assert _lines(clean)["mv2_no_update"]["status"] == "met"

    # 100 - md_functions_broken 2 dead links x 2 - md_unfiled_changes 1 x 2 - md_update_slow 1 x 2
    #     - md_errors 2 confirmed x 1 (the check only warned: the reviewer's decision counts) = 90
    defects = by[DEFECTS]
    want = (100 - 2 * pts["md_functions_broken"] - pts["md_unfiled_changes"] - pts["md_update_slow"]
            - 2 * pts["md_errors"])
    assert want == 90 and (defects["verdict"], defects["score"]) == ("pass", want)
    lines = _lines(defects)
    assert {i: (lines[i]["status"], lines[i]["instances"]) for i in (
        "md_functions_broken", "md_unfiled_changes", "md_update_slow", "md_errors", "mv2_no_update")} == {
        "md_functions_broken": ("failed", 2), "md_unfiled_changes": ("failed", 1), "md_update_slow": ("failed", 1),
        "md_errors": ("failed", 2), "mv2_no_update": ("met", 0)}
    assert lines["md_functions_broken"]["evidence"]  # the deduction points at the archived capture

    # No post in the 14 days before the latest capture: the M-V2 veto, 不合格, no score.
    stale = by[STALE]
    assert (stale["verdict"], stale["score"], stale["vetoes"]) == ("fail", None, ["mv2_no_update"])

    # Never read: not assessed (8 of the 9 check indicators; duplicates is the registry's), a task.
    unread = by[UNREAD]
    assert (unread["verdict"], unread["complete"], unread["rank"]) == ("not_assessed", False, None)

    # Two accounts of one unit on WeChat: md_duplicates on each (2 points); the one whose
    # interaction the platform did not show has mv3 not assessed and stays complete.
    for twin in (TWIN_A, TWIN_B):
        assert (by[twin]["score"], _lines(by[twin])["md_duplicates"]["instances"]) == (98.0, 1)
    assert _lines(by[TWIN_B])["mv3_no_interaction"]["status"] == "not_assessed" and by[TWIN_B]["complete"]

    # Ranked within tier and kind: WeChat county accounts 100, 98, 98, then the vetoed one.
    wechat = [(c["address"], c["rank"], c["of"]) for c in world["summary"]["channels"] if c["kind"] == "wechat_account"]
    assert wechat == [(CLEAN, 1, 4), (TWIN_A, 2, 4), (TWIN_B, 2, 4), (STALE, 4, 4)]
    assert (by[DEFECTS]["rank"], by[DEFECTS]["of"]) == (1, 1)


def test_tasks_rankings_and_reports_include_new_media_channels(world, engine, tmp_path) -> None:
    with engine.begin() as conn:
        out = open_tasks(conn, world["summary"]["assessment"], load_calendar(), today=dt.date(2026, 2, 2))
        tasks = conn.execute(select(RECTIFICATION_TASKS.c.channel_id, RECTIFICATION_TASKS.c.indicator_id,
                                    RECTIFICATION_TASKS.c.assignee)).all()
    address = {v: k for k, v in world["ids"].items()}
    opened = {(address[t.channel_id], t.indicator_id) for t in tasks}
    assert opened == {(DEFECTS, "md_functions_broken"), (DEFECTS, "md_unfiled_changes"), (DEFECTS, "md_update_slow"),
                      (DEFECTS, "md_errors"), (STALE, "mv2_no_update"), (STALE, "md_update_slow"),
                      (TWIN_A, "md_duplicates"), (TWIN_B, "md_duplicates"), (UNREAD, "monitoring.incomplete")}
    assert len(out["opened"]) == 9
    who = {(address[t.channel_id], t.indicator_id): t.assignee for t in tasks}
    # The account's operator fixes links and updates; the content manager the wording.
    assert who[(DEFECTS, "md_functions_broken")] == "op.wang" and who[(DEFECTS, "md_errors")] == "cm.li"

    settings = Settings(home=tmp_path, database_url=str(engine.url.render_as_string(hide_password=False)))
    web = World(engine, settings)
    with engine.begin() as conn:
        users.create_user(conn, "admin", PASSWORD, "admin", display_name="admin")
    admin = web.client("admin")
    items = admin.api("GET", "/api/v1/rankings", params={"tier": "county", "kind": "wechat_account"}).json()["items"]
    assert [(r["address"], r["rank"]) for r in items] == [(CLEAN, 1), (TWIN_A, 2), (TWIN_B, 2), (STALE, 4)]
    aid = world["summary"]["assessment"]
    page = admin.get(f"/rankings?assessment={aid}&tier=county&kind=weibo_account").text
    assert re.search(rf'<td>1</td><td><a href="/channels/{world["ids"][DEFECTS]}">[^<]*</a></td><td>cn-440302</td>'
                     r'<td data-label="Score">90</td>', page)

    report = render_html(load_report(engine, aid, lang="zh"))
    assert "政务新媒体" in report and DEFECTS in report
