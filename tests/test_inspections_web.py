"""Reviewer inspections through the API and the dashboard, on the web tests' world: the office
creates one for Shenzhen's site, its reviewer fills the checklist in the dashboard's form with
a screenshot, a second reviewer confirms the veto through the API, the submission feeds the
assessment; the evidence file is given only to users who may read the inspection; uploads are
what their bytes are; every step is in the audit log with its face."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select

from mgov.act import evidence_files
from mgov.assess.service import run_assessment, summary
from mgov.db.tables import AUDIT_LOG
from mgov.demo.farm.assets import png
from webworld import build_world, flash_of

SHOT = png(390, 844, (255, 250, 240))


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def _result(world, address="https://www.sz.gov.cn"):
    out = run_assessment(world.engine, "cn-2019-website", "2026-01")
    return next(c for c in summary(world.engine, out["assessment"], detail=True)["channels"]
                if c["address"] == address)


def test_an_inspection_from_the_dashboard_and_the_api_feeds_the_assessment(world):
    a = world.ids["channel_a"]
    before = _result(world)
    assert before["vetoes"] == []
    supervisor, reviewer, admin = world.client("supervisor"), world.client("reviewer"), world.client("admin")
    # The province's supervisor cannot name the office's reviewer (outside its scope): the admin can.
    refused = supervisor.api("POST", "/api/v1/inspections", json={"channel": a, "profile": "cn-2019-website",
                                                                  "period": "2026-01", "reviewer": "reviewer"})
    assert refused.status_code == 404 and "no user 'reviewer'" in refused.text
    made = admin.api("POST", "/api/v1/inspections", json={"channel": a, "profile": "cn-2019-website",
                                                          "period": "2026-01", "reviewer": "reviewer"})
    assert made.status_code == 201, made.text
    inspection = made.json()
    iid, items = inspection["id"], inspection["items"]
    assert inspection["status_label"] == "draft" and inspection["selection"] == "manual"
    veto = next(i for i in items if i["indicator_id"] == "v1_secrets")
    assert veto["rule"] == "veto" and veto["indicator_name"] == "State secrets disclosed"

    # The reviewer's list and page: the checklist with a form per item.
    assert [r["id"] for r in reviewer.api("GET", "/api/v1/inspections?mine=true").json()["items"]] == [iid]
    page = reviewer.get(f"/inspections/{iid}")
    assert page.status_code == 200 and len(re.findall(r'class="stack fill-form"', page.text)) == len(items)
    # Every item answered in the dashboard's form; the veto not met with its screenshot.
    for item in items:
        fields = {"verdict": "met", "note": "已检查"}
        files = None
        if item["id"] == veto["id"]:
            fields = {"verdict": "not_met", "note": "首页通知泄露内部文件编号", "file_note": "首页截图"}
            files = {"file": ("首页截图.png", SHOT, "image/png")}
        answer = reviewer.http.post(f"/inspections/{iid}/items/{item['id']}", data={**fields, "csrf": reviewer.csrf},
                                    files=files)
        assert answer.status_code == 303 and flash_of(answer).get("done") == "saved", flash_of(answer)
    # The reviewer may not confirm their own veto; the page offers the form to the admin only.
    own = reviewer.api("POST", f"/api/v1/inspections/{iid}/items/{veto['id']}/confirmation", json={"confirm": True})
    assert own.status_code == 403 and "second reviewer" in own.text
    assert "confirm-form" not in reviewer.get(f"/inspections/{iid}").text
    assert "confirm-form" in admin.get(f"/inspections/{iid}").text
    # Submitted from the dashboard: the veto waits, the rest counts.
    submitted = reviewer.post_form(f"/inspections/{iid}/submit", {"note": "检查完毕"})
    assert flash_of(submitted).get("done") == "submitted", flash_of(submitted)
    unconfirmed = _result(world)
    assert unconfirmed["vetoes"] == []
    assert next(i for i in unconfirmed["indicators"] if i["id"] == "v1_secrets")["status"] == "not_assessed"
    # The second reviewer confirms through the API: the channel fails on the veto.
    confirmed = admin.api("POST", f"/api/v1/inspections/{iid}/items/{veto['id']}/confirmation",
                          json={"confirm": True, "note": "复核属实"})
    assert confirmed.status_code == 200, confirmed.text
    item = next(i for i in confirmed.json()["items"] if i["id"] == veto["id"])
    assert (item["confirmation"], item["confirmed_by"], item["counted"]) == ("confirmed", "admin", True)
    after = _result(world)
    assert after["verdict"] == "fail" and after["vetoes"] == ["v1_secrets"]
    assert _result(world, "https://www.gz.gov.cn")["vetoes"] == []  # Guangzhou's site is not touched

    # The screenshot: by its digest in the archive, a download for whoever reads the inspection.
    digest = hashlib.sha256(SHOT).hexdigest()
    file_row = item["files"][0]
    assert (file_row["sha256"], file_row["media_type"], file_row["size"]) == (digest, "image/png", len(SHOT))
    kept = evidence_files.path_of(world.settings.resolved_archive_dir, "inspection-evidence", digest)
    assert kept.read_bytes() == SHOT
    url = f"/api/v1/inspections/{iid}/evidence/{file_row['id']}"
    got = world.client("a_viewer").api("GET", url)
    assert got.status_code == 200 and got.content == SHOT
    assert got.headers["content-type"] == "image/png" and got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert world.client("a_viewer").get(f"/inspections/{iid}/evidence/{file_row['id']}").content == SHOT
    for intruder in ("b_staff", "b_super"):
        assert world.client(intruder).api("GET", url).status_code == 404
        assert world.client(intruder).api("GET", f"/api/v1/inspections/{iid}").status_code == 404
        assert world.client(intruder).api("GET", "/api/v1/inspections").json()["items"] == []
    assert world.client().api("GET", url).status_code == 401  # nobody signed in
    assert world.client().get(f"/inspections/{iid}/evidence/{file_row['id']}").status_code == 303  # to /login

    # Every step in the audit log, with who and through which face.
    with world.engine.connect() as conn:
        log = conn.execute(select(AUDIT_LOG.c.actor, AUDIT_LOG.c.action, AUDIT_LOG.c.face)
                           .where(AUDIT_LOG.c.subject == f"inspection:{iid}").order_by(AUDIT_LOG.c.id)).all()
    steps = [tuple(r) for r in log]
    assert steps[0] == ("admin", "inspection.created", "api")
    assert steps.count(("reviewer", "inspection.filled", "web")) == len(items)
    assert ("reviewer", "inspection.file_attached", "web") in steps
    assert steps[-2:] == [("reviewer", "inspection.submitted", "web"), ("admin", "inspection.confirmed", "api")]
    page = world.client("admin").get("/audit?object=inspection")
    assert page.status_code == 200


def test_writes_are_for_reviewers_in_scope_and_uploads_are_checked(world):
    a = world.ids["channel_a"]
    admin, reviewer = world.client("admin"), world.client("reviewer")
    made = admin.api("POST", "/api/v1/inspections", json={"channel": a, "profile": "cn-2019-website",
                                                          "period": "2026-01", "reviewer": "reviewer"}).json()
    iid, item = made["id"], made["items"][0]["id"]
    url = f"/api/v1/inspections/{iid}/items/{item}"
    # Roles: agency staff may read, not fill; another agency's supervisor does not see it at all.
    assert world.client("a_staff").api("GET", f"/api/v1/inspections/{iid}").status_code == 200
    assert world.client("a_staff").api("POST", url, json={"verdict": "met", "note": "x"}).status_code == 403
    assert world.client("b_super").api("POST", url, json={"verdict": "met", "note": "x"}).status_code == 404
    assert admin.api("POST", url, json={"verdict": "met", "note": "x"}).status_code == 403  # not its reviewer
    assert reviewer.api("POST", url, json={"verdict": "maybe", "note": "x"}).status_code == 422
    assert reviewer.api("POST", url, json={"verdict": "met", "note": ""}).status_code == 422
    assert reviewer.api("POST", url, json={"verdict": "met", "note": "x", "instances": 2}).status_code == 422
    # Uploads: what the bytes are, not what the name or the declared type says.
    upload = f"{url}/evidence"
    cases = [(("a.png", b"<svg onload=alert(1)>", "image/png"), 422, "not an image"),
             (("a.html", b"<!DOCTYPE html><p>x", "text/html"), 422, "not an image"),
             (("a.png", b"\xff\xd8\xff\xe0 jpeg bytes", "image/png"), 422, "sent as image/png but its content is "
                                                                            "image/jpeg"),
             (("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 2**20), "image/png"), 422, "at most 5242880"),
             (("a.png", b"\0" * (6 * 2**20), "image/png"), 413, "")]
    for file, status, words in cases:
        answer = reviewer.api("POST", upload, files={"file": file})
        assert answer.status_code == status and words in answer.text, (file[0], answer.status_code, answer.text)
    good = reviewer.api("POST", upload, files={"file": ("shot.png", SHOT, "image/png")}, data={"note": "截图"})
    assert good.status_code == 201 and good.json()["evidence"]["media_type"] == "image/png"
    text = reviewer.api("POST", upload, files={"file": ("说明.txt", "说明文字".encode("gb18030"), "text/plain")})
    assert text.status_code == 201 and text.json()["evidence"]["media_type"] == "text/plain"
    # Submission needs every item; a submitted inspection no longer changes.
    assert "have no verdict yet" in reviewer.api("POST", f"/api/v1/inspections/{iid}/submit").text
    for i in made["items"]:
        assert reviewer.api("POST", f"/api/v1/inspections/{iid}/items/{i['id']}",
                            json={"verdict": "met", "note": "ok"}).status_code == 200
    assert reviewer.api("POST", f"/api/v1/inspections/{iid}/submit", json={"note": "done"}).json()["counted"] == len(
        made["items"])
    assert reviewer.api("POST", upload, files={"file": ("late.png", SHOT, "image/png")}).status_code == 422
    assert admin.api("POST", f"/api/v1/inspections/{iid}/assign", json={"reviewer": "admin"}).status_code == 422
    # The dashboard lists it, filtered as asked; an unknown status is refused.
    assert f'href="/inspections/{iid}"' in reviewer.get("/inspections?status=submitted&mine=true").text
    assert f'href="/inspections/{iid}"' not in reviewer.get("/inspections?status=draft").text
    assert admin.api("GET", "/api/v1/inspections?status=done").status_code == 422
    assert dt.date.fromisoformat(admin.api("GET", "/api/v1/inspections").json()["items"][0]["period_end"]) == \
        dt.date(2026, 1, 31)


def test_the_dashboards_forms_start_assign_and_reject(world):
    admin, reviewer = world.client("admin"), world.client("reviewer")
    b = world.ids["channel_b"]
    page = admin.get(f"/inspections?channel={b}")
    assert f'name="channel" inputmode="numeric" required value="{b}"' in page.text  # from the channel's link
    started = admin.post_form("/inspections", {"channel": str(b), "profile": "cn-2019-website", "period": "2026-01",
                                               "reviewer": "reviewer", "every": "1"})
    assert started.status_code == 303 and re.fullmatch(r"/inspections/\d+", started.headers["location"])
    iid = int(started.headers["location"].rsplit("/", 1)[1])
    found = admin.api("GET", f"/api/v1/inspections/{iid}").json()
    assert found["selection"] == "all" and found["assignee"] == "reviewer"
    again = admin.post_form("/inspections", {"channel": str(b), "profile": "cn-2019-website", "period": "2026-01"})
    assert again.headers["location"] == "/inspections" and "still a draft" in flash_of(again)["error"]
    bad = admin.post_form("/inspections", {"channel": "x", "profile": "cn-2019-website", "period": "2026-01"})
    assert "as a number" in flash_of(bad)["error"]
    # Reassigned to the admin through the form, then back: each in the log.
    assert flash_of(admin.post_form(f"/inspections/{iid}/assign", {"reviewer": "admin"})).get("done") == "saved"
    assert admin.api("GET", f"/api/v1/inspections/{iid}").json()["assignee"] == "admin"
    veto = next(i for i in found["items"] if i["rule"] == "veto")
    answer = admin.http.post(f"/inspections/{iid}/items/{veto['id']}",
                             data={"verdict": "not_met", "note": "涉密", "instances": "1", "csrf": admin.csrf})
    assert flash_of(answer).get("done") == "saved"
    # The reviewer rejects it from the page: a rejection needs a note.
    assert "cannot be empty" in flash_of(reviewer.post_form(f"/inspections/{iid}/items/{veto['id']}/confirm",
                                                            {"decision": "reject"}))["error"]
    assert flash_of(reviewer.post_form(f"/inspections/{iid}/items/{veto['id']}/confirm",
                                       {"decision": "reject", "note": "证据不足"})).get("done") == "decided"
    item = next(i for i in admin.api("GET", f"/api/v1/inspections/{iid}").json()["items"] if i["id"] == veto["id"])
    assert (item["confirmation"], item["confirmed_by"], item["confirm_note"]) == ("rejected", "reviewer", "证据不足")
    assert "复核驳回" in admin.get(f"/inspections/{iid}", cookies={"mgov_lang": "zh"}).text
