"""Reviewer inspections through the command line, on a real database and archive: a mini
program under cn-2019-newmedia inspected for a quarter, a veto not met with a PNG screenshot,
confirmed by a second reviewer, submitted, and `mgov assess` before and after (issue 17's
Done-when); a veto not confirmed does not count; another agency's reviewer can neither see nor
fill it; the screenshot kept by its digest; every step in the audit log."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from mgov.accounts import users
from mgov.assess.service import summary
from mgov.db.tables import ASSESSMENT_INPUTS, AUDIT_LOG
from mgov.demo.farm.assets import png
from mgov.formats.load import import_file
from mgov.profiles import load, resolve
from zh_words import Vocabulary, check_text

MINI = "wechat:wx1234567890abcdef"
PERIOD = "2026Q3"
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440000", "name_zh": "广东省人民政府", "jurisdiction": "cn", "tier": "provincial"},
        {"code": "cn-440300", "name_zh": "深圳市人民政府", "jurisdiction": "cn", "tier": "prefecture",
         "parent": "cn-440000"},
        {"code": "cn-440100", "name_zh": "广州市人民政府", "jurisdiction": "cn", "tier": "prefecture",
         "parent": "cn-440000"},
    ],
    "channels": [
        {"kind": "mini_program", "address": "wx1234567890abcdef", "owner": "cn-440300", "name": "i深圳"},
        {"kind": "mini_program", "address": "wx00000000000000aa", "owner": "cn-440100", "name": "穗好办"},
    ],
}
# Who acts: a supervisor of the province who creates and assigns, two reviewers of the province,
# another agency's reviewer, and an agency's staff (no inspections).
USERS = {"wang.shen": ("supervisor", "cn-440000"), "li.shen": ("reviewer", "cn-440000"),
         "zhao.fu": ("reviewer", "cn-440000"), "gz.shen": ("reviewer", "cn-440100"),
         "sz.staff": ("agency_staff", "cn-440300")}
SCREENSHOT = png(390, 844, (250, 250, 250))


@pytest.fixture
def world(engine, tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        for name, (role, org) in USERS.items():
            users.create_user(conn, name, "correct horse battery", role, organization=org)
    return engine


def run(cli, user, *args, code=0):
    return cli("--as", user, "inspection", *args, code=code)


def channel_result(cli, engine):
    """The mini program's result in a new assessment of the quarter, with its indicators."""
    out = json.loads(cli("assess", "--profile", "cn-2019-newmedia", "--period", PERIOD, "--json").stdout)
    found = summary(engine, out["assessment"], detail=True)
    return next(c for c in found["channels"] if c["address"] == MINI)


def fill_all(cli, inspection, items, tmp_path, *, veto, deduct):
    """li.shen's verdicts: veto not met with the screenshot, deduct not met twice, the rest met."""
    shot = tmp_path / "留言入口.png"
    shot.write_bytes(SCREENSHOT)
    for item in items:
        ind = item["indicator_id"]
        if ind == veto:
            out = run(cli, "li.shen", "fill", inspection, "--item", ind, "--verdict", "not_met", "--note",
                      "留言入口点击无响应", "--file", str(shot))
            assert "second reviewer" in out.stdout
        elif ind == deduct:
            run(cli, "li.shen", "fill", inspection, "--item", ind, "--verdict", "not_met", "--instances", "2",
                "--note", "两个菜单打不开")
        else:
            run(cli, "li.shen", "fill", inspection, "--item", ind, "--verdict", "met", "--note", "已检查")


def test_a_mini_program_inspection_changes_its_assessment_as_the_profile_says(cli, world, tmp_path):
    engine = world
    profile = load("cn-2019-newmedia")
    before = channel_result(cli, engine)
    assert before["verdict"] == "not_assessed"  # nothing mgov could read, nothing reviewed yet

    created = json.loads(run(cli, "wang.shen", "create", "--channel", MINI, "--profile", "cn-2019-newmedia",
                             "--period", PERIOD, "--reviewer", "li.shen", "--json").stdout)
    inspection = str(created["id"])
    items = created["items"]
    # The checklist: the profile's manual indicators for a mini program (not those of accounts or apps).
    assert [i["indicator_id"] for i in items] == [
        i.id for i in profile.indicators if i.source == "manual" and (not i.kinds or "mini_program" in i.kinds)]
    vetoes = [i["indicator_id"] for i in items if i["rule"] == "veto"]
    deducts = [i for i in items if i["rule"] == "deduct"]
    veto, deduct = "mv3_no_interaction_reviewed", deducts[0]["indicator_id"]
    assert veto in vetoes
    points = profile.indicator(deduct).points * 2

    # Only the assigned reviewer fills; submitting asks for every item.
    assert "only they fill it" in run(cli, "zhao.fu", "fill", inspection, "--item", veto, "--verdict", "met",
                                      "--note", "x", code=1).stderr
    fill_all(cli, inspection, items, tmp_path, veto=veto, deduct=deduct)
    # The filler cannot be their own second reviewer.
    assert "second reviewer confirms it" in run(cli, "li.shen", "confirm", inspection, "--item", veto, code=1).stderr

    # Submitted before the confirmation: everything counts but the veto, which waits.
    submitted = json.loads(run(cli, "li.shen", "submit", inspection, "--json").stdout)
    assert (submitted["status"], submitted["pending"], submitted["counted"]) == ("submitted", 1, len(items) - 1)
    unconfirmed = channel_result(cli, engine)
    by_id = {i["id"]: i for i in unconfirmed["indicators"]}
    assert unconfirmed["verdict"] == "pass" and unconfirmed["vetoes"] == []
    assert by_id[veto]["status"] == "not_assessed"  # a veto not confirmed does not count
    assert by_id[deduct]["status"] == "failed" and by_id[deduct]["points"] == points
    assert unconfirmed["score"] == 100 - points  # deducted as the profile says
    # Submitted: the items no longer change.
    assert "no longer change" in run(cli, "li.shen", "fill", inspection, "--item", veto, "--verdict", "met",
                                     "--note", "x", code=1).stderr

    # The second reviewer confirms: the veto counts from now on.
    out = run(cli, "zhao.fu", "confirm", inspection, "--item", veto, "--note", "复核属实")
    assert "It counts now" in out.stdout
    vetoed = channel_result(cli, engine)
    assert (vetoed["verdict"], vetoed["vetoes"], vetoed["score"]) == ("fail", [veto], None)
    veto_result = next(i for i in vetoed["indicators"] if i["id"] == veto)
    assert veto_result["status"] == "failed"
    digest = hashlib.sha256(SCREENSHOT).hexdigest()
    assert {"inspection": created["id"], "item": items[[i["indicator_id"] for i in items].index(veto)]["id"],
            "filled_by": "li.shen", "confirmed_by": "zhao.fu"} in veto_result["evidence"]
    assert any(e.get("sha256") == digest and e.get("media_type") == "image/png" for e in veto_result["evidence"])

    # The screenshot, kept by its digest under the archive, and given back to a reviewer in scope.
    home = tmp_path / "home"
    kept = home / "archive" / "inspection-evidence" / digest[:2] / digest
    assert kept.read_bytes() == SCREENSHOT
    shown = json.loads(run(cli, "zhao.fu", "show", inspection, "--json").stdout)
    file_id = next(i for i in shown["items"] if i["indicator_id"] == veto)["files"][0]["id"]
    run(cli, "zhao.fu", "file", inspection, str(file_id), "--out", str(tmp_path / "back.png"))
    assert (tmp_path / "back.png").read_bytes() == SCREENSHOT

    # One path into the assessment: each item is the channel's manual input of its indicator.
    with engine.connect() as conn:
        inputs = conn.execute(select(ASSESSMENT_INPUTS.c.indicator_id, ASSESSMENT_INPUTS.c.payload,
                                     ASSESSMENT_INPUTS.c.entered_by)).all()
    assert sorted(r.indicator_id for r in inputs) == sorted(i["indicator_id"] for i in items)
    assert {r.entered_by for r in inputs} == {"li.shen"}
    assert next(r.payload for r in inputs if r.indicator_id == veto) == {"status": "failed", "instances": 1}

    # Every step in the audit log, by who took it.
    with engine.connect() as conn:
        log = conn.execute(select(AUDIT_LOG.c.actor, AUDIT_LOG.c.action, AUDIT_LOG.c.subject, AUDIT_LOG.c.face)
                           .where(AUDIT_LOG.c.action.like("inspection.%") | AUDIT_LOG.c.action.like("input.%"))
                           .order_by(AUDIT_LOG.c.id)).all()
    subject = f"inspection:{inspection}"
    steps = [(r.actor, r.action) for r in log if r.subject == subject]
    assert steps[0] == ("wang.shen", "inspection.created")
    assert steps[-2:] == [("li.shen", "inspection.submitted"), ("zhao.fu", "inspection.confirmed")]
    assert sorted(steps[1:-2]) == sorted([("li.shen", "inspection.filled")] * len(items)
                                         + [("li.shen", "inspection.file_attached")])
    assert sum(1 for r in log if r.action == "input.created") == len(items)
    assert {r.face for r in log} == {"cli"}
    listed = json.loads(cli("audit", "list", "--object", "inspection", "--json").stdout)
    assert {e["action"] for e in listed["items"]} >= {"inspection.created", "inspection.confirmed",
                                                      "inspection.submitted"}


def created(cli, user="wang.shen", *extra, channel=MINI, profile="cn-2019-newmedia", period=PERIOD):
    return json.loads(run(cli, user, "create", "--channel", channel, "--profile", profile, "--period", period,
                          *extra, "--json").stdout)


def test_another_agencys_reviewer_can_neither_see_nor_fill_it(cli, world, tmp_path):
    found = created(cli, "wang.shen", "--reviewer", "li.shen")
    inspection, veto = str(found["id"]), "mv3_no_interaction_reviewed"
    run(cli, "li.shen", "fill", inspection, "--item", veto, "--verdict", "not_met", "--note", "无留言入口")
    shot = tmp_path / "shot.png"
    shot.write_bytes(SCREENSHOT)
    run(cli, "li.shen", "fill", inspection, "--item", veto, "--verdict", "not_met", "--note", "无留言入口",
        "--file", str(shot))
    file_id = str(json.loads(run(cli, "li.shen", "show", inspection, "--json").stdout)["items"][
        [i["indicator_id"] for i in found["items"]].index(veto)]["files"][0]["id"])
    # Guangzhou's reviewer: Shenzhen's inspection does not exist for them, whatever they try.
    assert json.loads(run(cli, "gz.shen", "list", "--json").stdout) == []
    for args in (("show", inspection), ("fill", inspection, "--item", veto, "--verdict", "met", "--note", "x"),
                 ("confirm", inspection, "--item", veto), ("submit", inspection),
                 ("assign", inspection, "--to", "gz.shen"),
                 ("file", inspection, file_id, "--out", str(tmp_path / "stolen.png"))):
        assert f"no inspection {inspection}" in run(cli, "gz.shen", *args, code=1).stderr, args
    assert not (tmp_path / "stolen.png").exists()
    assert "no channel" in run(cli, "gz.shen", "create", "--channel", MINI, "--profile", "cn-2019-newmedia",
                               "--period", "2026Q4", code=1).stderr
    # An agency's staff reads its own channel's inspection but carries out none; nobody acts
    # unnamed (the operator reads everything, as every list of the command line).
    assert json.loads(run(cli, "sz.staff", "show", inspection, "--json").stdout)["id"] == found["id"]
    assert "does not allow inspections.review" in run(cli, "sz.staff", "fill", inspection, "--item", veto,
                                                      "--verdict", "met", "--note", "x", code=1).stderr
    assert json.loads(cli("inspection", "show", inspection, "--json").stdout)["id"] == found["id"]
    assert "say who you are with --as" in cli("inspection", "submit", inspection, code=1).stderr
    assert "no active user 'nobody'" in run(cli, "nobody", "show", inspection, code=1).stderr
    # Reviewers are assigned within the assigner's scope, and must cover the channel.
    assert "outside gz.shen's scope" in run(cli, "wang.shen", "assign", inspection, "--to", "gz.shen",
                                            code=1).stderr
    assert "cannot carry out inspections" in run(cli, "wang.shen", "assign", inspection, "--to", "sz.staff",
                                                 code=1).stderr
    assert "no user 'li.shen'" in run(cli, "gz.shen", "create", "--channel", "wx00000000000000aa", "--kind",
                                      "mini_program", "--profile", "cn-2019-newmedia", "--period", PERIOD,
                                      "--reviewer", "li.shen", code=1).stderr  # above gz.shen's scope
    with world.connect() as conn:
        refused = conn.execute(select(AUDIT_LOG).where(AUDIT_LOG.c.actor.in_(["gz.shen", "sz.staff"]))).all()
    assert refused == []  # a refused step leaves nothing behind


def test_a_rejected_veto_blocks_the_submission_until_answered_again(cli, world):
    found = created(cli, "li.shen")  # created for oneself
    inspection, veto = str(found["id"]), "mv1_secrets"
    assert found["assignee"] == "li.shen"
    assert "still a draft" in run(cli, "wang.shen", "create", "--channel", MINI, "--profile", "cn-2019-newmedia",
                                  "--period", PERIOD, code=1).stderr  # one draft per channel, profile, period
    for item in found["items"]:
        verdict = "not_met" if item["indicator_id"] == veto else "met"
        run(cli, "li.shen", "fill", inspection, "--item", item["indicator_id"], "--verdict", verdict, "--note", "x")
    assert "needs no confirmation" in run(cli, "zhao.fu", "confirm", inspection, "--item", "mv1_expressions",
                                          code=1).stderr
    assert "say why" not in run(cli, "zhao.fu", "confirm", inspection, "--item", veto, "--reject", code=1).stderr
    run(cli, "zhao.fu", "confirm", inspection, "--item", veto, "--reject", "--note", "帖子已核实无涉密内容")
    assert "already rejected by zhao.fu" in run(cli, "wang.shen", "confirm", inspection, "--item", veto,
                                                code=1).stderr
    assert "rejected mv1_secrets" in run(cli, "li.shen", "submit", inspection, code=1).stderr
    # Answered again, it asks for a confirmation again; the submission lets it wait for one.
    run(cli, "li.shen", "fill", inspection, "--item", veto, "--verdict", "not_applicable", "--note", "无发布内容")
    item = next(i for i in json.loads(run(cli, "li.shen", "show", inspection, "--json").stdout)["items"]
                if i["indicator_id"] == veto)
    assert (item["verdict"], item["confirmation"], item["confirmed_by"]) == ("not_applicable", None, None)
    run(cli, "li.shen", "submit", inspection)
    result = channel_result(cli, world)
    statuses = {i["id"]: i["status"] for i in result["indicators"]}
    assert statuses[veto] == "not_applicable"  # the reviewer's not applicable: neither met nor missing
    assert result["verdict"] == "pass" and result["score"] == 100 and result["complete"]


def test_a_late_confirmation_does_not_undo_a_newer_inspection(cli, world):
    veto = "mv3_no_interaction_reviewed"
    first = created(cli, "li.shen")
    for item in first["items"]:
        run(cli, "li.shen", "fill", str(first["id"]), "--item", item["indicator_id"], "--verdict",
            "not_met" if item["indicator_id"] == veto else "met", "--note", "x")
    run(cli, "li.shen", "submit", str(first["id"]))
    second = created(cli, "li.shen")  # a second look at the same quarter finds the interaction working
    for item in second["items"]:
        run(cli, "li.shen", "fill", str(second["id"]), "--item", item["indicator_id"], "--verdict", "met",
            "--note", "留言功能正常")
    run(cli, "li.shen", "submit", str(second["id"]))
    confirmed = json.loads(run(cli, "zhao.fu", "confirm", str(first["id"]), "--item", veto, "--json").stdout)
    assert confirmed["confirmation"] == "confirmed" and confirmed["input_id"] is None
    result = channel_result(cli, world)
    assert result["verdict"] == "pass" and result["vetoes"] == []
    with world.connect() as conn:
        entry = conn.execute(select(AUDIT_LOG.c.detail).where(AUDIT_LOG.c.action == "inspection.confirmed")).scalar()
    assert entry["superseded_by"] == second["id"]


def test_the_checklist_follows_the_profile_and_the_request(cli, world, tmp_path):
    """cn-2019-website for a website: the manual indicators by default, every one with --all;
    evidence files are what their bytes are."""
    registry = {"format": "mgov-registry/1", "channels": [
        {"kind": "website", "address": "https://www.sz.gov.cn", "owner": "cn-440300"},
        {"kind": "website", "address": "https://old.sz.gov.cn", "owner": "cn-440300", "status": "closed"}]}
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    assert import_file(world, path).problems == []
    website = load("cn-2019-website")
    applicable = resolve(website, "website", "prefecture")
    manual = created(cli, "li.shen", channel="https://www.sz.gov.cn", profile="cn-2019-website", period="2026-01")
    assert [i["indicator_id"] for i in manual["items"]] == [i.id for i in applicable if i.source == "manual"]
    every = created(cli, "li.shen", "--all", channel="https://www.sz.gov.cn", profile="cn-2019-website",
                    period="2026-02")
    assert [i["indicator_id"] for i in every["items"]] == [i.id for i in applicable]
    assert every["selection"] == "all" and {i["source"] for i in every["items"]} >= {"check", "manual", "probe"}
    assert "only open channels" in run(cli, "li.shen", "create", "--channel", "https://old.sz.gov.cn", "--profile",
                                       "cn-2019-website", "--period", "2026-01", code=1).stderr
    assert "does not cover website" in run(cli, "li.shen", "create", "--channel", "https://www.sz.gov.cn",
                                           "--profile", "cn-2019-newmedia", "--period", "2026-01", code=1).stderr

    inspection, item = str(manual["id"]), manual["items"][0]["indicator_id"]
    files = {"page.html": b"<html><script>alert(1)</script></html>", "empty.png": b"",
             "big.png": b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 2**20), "binary.bin": bytes(range(256)),
             "说明.txt": "留言板入口在首页底部，点击后显示 404。\n".encode("gb18030"),
             "photo.jpg": b"\xff\xd8\xff\xe0 a jpeg", "scan.pdf": b"%PDF-1.7\n a letter"}
    said = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        answer = run(cli, "li.shen", "fill", inspection, "--item", item, "--verdict", "met", "--note", "x",
                     "--file", str(tmp_path / name), code=None)
        said[name] = (answer.exit_code, answer.stderr.strip())
    assert said["page.html"][0] == 1 and "not an image" in said["page.html"][1]
    assert said["binary.bin"][0] == 1 and "not an image" in said["binary.bin"][1]
    assert said["empty.png"][0] == 1 and "empty" in said["empty.png"][1]
    assert said["big.png"][0] == 1 and "at most 5242880" in said["big.png"][1]
    assert [said[n][0] for n in ("说明.txt", "photo.jpg", "scan.pdf")] == [0, 0, 0]
    kept = json.loads(run(cli, "li.shen", "show", inspection, "--json").stdout)["items"][0]["files"]
    assert [(f["filename"], f["media_type"]) for f in kept] == [
        ("说明.txt", "text/plain"), ("photo.jpg", "image/jpeg"), ("scan.pdf", "application/pdf")]


def test_the_command_line_speaks_chinese_about_inspections(cli, world):
    found = created(cli, "wang.shen", "--reviewer", "li.shen")
    inspection = str(found["id"])
    run(cli, "li.shen", "fill", inspection, "--item", "mv3_no_interaction_reviewed", "--verdict", "not_met",
        "--note", "无入口")
    run(cli, "li.shen", "fill", inspection, "--item", "mv1_secrets", "--verdict", "not_applicable", "--note", "无")
    wide = {"COLUMNS": "250", "MGOV_LANG": "zh"}
    outputs = {"list": cli("--as", "li.shen", "inspection", "list", **wide).stdout,
               "show": cli("--as", "li.shen", "inspection", "show", inspection, **wide).stdout,
               "fill": cli("--as", "li.shen", "inspection", "fill", inspection, "--item", "md_errors_reviewed",
                           "--verdict", "met", "--note", "无", **wide).stdout,
               "refused": cli("--as", "li.shen", "inspection", "submit", inspection, code=1, **wide).stderr}
    assert "不符合" in outputs["show"] and "不适用" in outputs["show"] and "未提供有效互动功能" in outputs["show"]
    assert "填写中" in outputs["list"] and "人工检查" in outputs["fill"]
    vocab = Vocabulary.shipped()
    codes = {"li.shen", "wang.shen", "wechat", "wx1234567890abcdef", "SHA-256"}
    problems = []
    for command, text in outputs.items():
        lines = [re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐├┤┬┴┼━─═╇╈╋]", " ", line) for line in text.splitlines()]
        if command == "refused":  # mgov's errors are English on every face; the word 错误 leads them
            assert lines[0].startswith("错误")
            continue
        problems += check_text("\n".join(lines), command, vocab, codes=codes)[0]
    assert not problems, "\n".join(map(str, problems))


SMS_PROFILE = '''
id = "cn-sms"
title_zh = "政务短信服务检查"
title_en = "Government SMS service inspection"
jurisdiction = "cn"
kinds = ["sms"]

[scoring]
method = "deduction"

[[category]]
id = "veto"
title_zh = "单项否决"
title_en = "Veto items"

[[category]]
id = "service"
title_zh = "服务"
title_en = "Service"

[[indicator]]
id = "sms_no_reply"
title_zh = "短信咨询无回复"
title_en = "No reply to SMS enquiries"
category = "veto"
rule = "veto"
source = "manual"
evidence = "The enquiry sent and the time waited."

[[indicator]]
id = "sms_slow_reply"
title_zh = "短信回复超时"
title_en = "Slow SMS replies"
category = "service"
rule = "deduct"
source = "manual"
points = 3
cap = 9
evidence = "The enquiries and their reply times."
'''


def test_an_sms_service_under_an_offices_own_profile(cli, world):
    """Any channel kind a profile covers is inspected the same way: an SMS number under a
    profile of the office's own (in <home>/profiles)."""
    home = cli.env["MGOV_HOME"]
    (Path(home) / "profiles").mkdir()
    (Path(home) / "profiles" / "cn-sms.toml").write_text(SMS_PROFILE, encoding="utf-8")
    cli("channel", "add", "sms", "12345", "--owner", "cn-440300", "--name", "12345 政务短信")
    found = created(cli, "li.shen", channel="12345", profile="cn-sms")
    assert [i["indicator_id"] for i in found["items"]] == ["sms_no_reply", "sms_slow_reply"]
    run(cli, "li.shen", "fill", str(found["id"]), "--item", "sms_no_reply", "--verdict", "met", "--note",
        "2 分钟内回复")
    run(cli, "li.shen", "fill", str(found["id"]), "--item", "sms_slow_reply", "--verdict", "not_met", "--instances",
        "2", "--note", "两条超过一天")
    run(cli, "li.shen", "submit", str(found["id"]))
    out = json.loads(cli("assess", "--profile", "cn-sms", "--period", PERIOD, "--json").stdout)
    result = next(c for c in out["channels"] if c["address"] == "12345")
    assert (result["verdict"], result["score"]) == ("pass", 94)
