"""Rectification as work through the API and the dashboard's forms, on a real database and the
real app: agency staff assign, comment, add evidence (URLs and uploads within the size limit),
ask for a re-check and escalate their own organization's tasks; closing stays with tasks.close;
roles without tasks.work are refused; another agency's task and people answer as absent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from mgov.act import task_evidence
from mgov.db.tables import RECTIFICATION_TASKS, TASK_EVIDENCE
from mgov.registry import service
from mgov.registry.records import Batch, Origin, PersonRecord, RoleRecord
from webworld import build_world, flash_of

LI_NA = "li.na@sz.example"  # a person key that is an e-mail address: masked for agency staff
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(engine, tmp_path):
    w = build_world(engine, tmp_path)
    with engine.begin() as conn:
        service.write(conn, Batch(people=[PersonRecord(LI_NA, Origin("test"), name="李娜")],
                                  roles=[RoleRecord(LI_NA, "cn-440300", "web_operator", Origin("test"),
                                                    since=dt.date(2025, 1, 1))]))
        rows = conn.execute(select(RECTIFICATION_TASKS.c.id, RECTIFICATION_TASKS.c.channel_id)
                            .order_by(RECTIFICATION_TASKS.c.id.desc()))
        tasks = {r.channel_id: r.id for r in rows}  # each channel's first task
    w.ids |= {"task_a": tasks[w.ids["channel_a"]], "task_b": tasks[w.ids["channel_b"]]}
    return w


def _task(browser, task_id):
    answer = browser.api("GET", f"/api/v1/tasks/{task_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_agency_staff_work_on_their_own_task_through_the_api(world):
    staff, task_id = world.client("a_staff"), world.ids["task_a"]
    task = _task(staff, task_id)
    assert task["assignee"] == "zhao.lei" and task["assignee_name"] == "赵磊"
    # The people it may go to: the channel's and the owner's; an e-mail key masked for staff.
    assert {c["person"] for c in task["candidates"]} == {"zhao.lei", "l***@sz.example"}
    full = {c["person"] for c in _task(world.client("a_admin"), task_id)["candidates"]}
    assert full == {"zhao.lei", LI_NA}

    assigned = staff.api("POST", f"/api/v1/tasks/{task_id}/assign", json={"person": LI_NA, "note": "运维负责"})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assignee"] == "l***@sz.example" and assigned.json()["assignee_name"] == "李娜"
    listed = staff.api("GET", "/api/v1/tasks", params={"assignee": LI_NA}).json()["items"]
    assert [t["id"] for t in listed] == [task_id]
    assert staff.api("POST", f"/api/v1/tasks/{task_id}/assign", json={"person": "wang.fang"}).status_code == 404

    said = staff.api("POST", f"/api/v1/tasks/{task_id}/comments", json={"text": "已联系运营商开通 IPv6"})
    assert said.status_code == 201 and said.json()["history"][-1]["text"] == "已联系运营商开通 IPv6"
    assert staff.api("POST", f"/api/v1/tasks/{task_id}/comments", json={"text": ""}).status_code == 422

    url = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence", data={"url": "https://www.sz.gov.cn/ipv6",
                                                                      "note": "测试页"})
    assert url.status_code == 201, url.text
    upload = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence", data={"note": "截图"},
                       files={"file": ("截图 1.png", PNG, "image/png")})
    page = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence",
                     files={"file": ("fix.html", b"<script>alert(1)</script>", "text/html")})
    assert upload.status_code == 201 and page.status_code == 201
    assert staff.api("POST", f"/api/v1/tasks/{task_id}/evidence", data={"note": "nothing"}).status_code == 422
    script = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence", data={"url": "javascript:alert(1)"})
    assert script.status_code == 422
    shown = _task(staff, task_id)["fix_evidence"]
    assert [(e["kind"], e["url"] or e["filename"]) for e in shown] == [
        ("url", "https://www.sz.gov.cn/ipv6"), ("file", "截图 1.png"), ("file", "fix.html")]
    got = staff.api("GET", f"/api/v1/tasks/{task_id}/evidence/{upload.json()['evidence']}")
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"] == ("attachment; filename=\"__ 1.png\"; "
                                                  "filename*=UTF-8''%E6%88%AA%E5%9B%BE%201.png")
    html = staff.api("GET", f"/api/v1/tasks/{task_id}/evidence/{page.json()['evidence']}")
    assert html.headers["content-type"] == "application/octet-stream"  # never rendered as a page
    assert html.headers["content-disposition"].startswith("attachment;")
    assert staff.api("GET", f"/api/v1/tasks/{task_id}/evidence/{shown[0]['id']}").status_code == 404  # a URL

    asked = staff.api("POST", f"/api/v1/tasks/{task_id}/recheck", json={"note": "已开通"})
    assert asked.status_code == 200 and asked.json()["recheck_requested_by"] == "a_staff"
    again = staff.api("POST", f"/api/v1/tasks/{task_id}/recheck")
    assert again.status_code == 400 and "asked for already" in again.json()["error"]["message"]

    up = staff.api("POST", f"/api/v1/tasks/{task_id}/escalate", json={"note": "运营商迟迟不开通"})
    assert (up.json()["status"], up.json()["escalated_to"], up.json()["escalation_level"]) == (
        "escalated", "cn-440000", 1)
    top = staff.api("POST", f"/api/v1/tasks/{task_id}/escalate", json={"note": "higher"})
    assert top.status_code == 400 and "no supervising organization above cn-440000" in top.text

    # Closing by hand stays with tasks.close: the supervisor's, not the staff's.
    assert staff.api("POST", f"/api/v1/tasks/{task_id}/close", json={"note": "done"}).status_code == 403
    closed = world.client("supervisor").api("POST", f"/api/v1/tasks/{task_id}/close", json={"note": "核实已开通"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    history = _task(world.client("admin"), task_id)["history"]
    assert [h["action"] for h in history] == ["opened", "assigned", "commented", "evidence_added", "evidence_added",
                                              "evidence_added", "recheck_requested", "escalated", "closed"]
    assert history[1]["person"] == LI_NA and history[1]["was"] == "zhao.lei"
    log = world.client("admin").api("GET", "/api/v1/audit", params={"subject": f"task:{task_id}"}).json()["items"]
    assert [(e["actor"], e["action"]) for e in reversed(log)][1:] == [
        ("a_staff", "task.assigned"), ("a_staff", "task.commented"), ("a_staff", "task.evidence_added"),
        ("a_staff", "task.evidence_added"), ("a_staff", "task.evidence_added"), ("a_staff", "task.recheck_requested"),
        ("a_staff", "task.escalated"), ("supervisor", "task.closed")]
    done = staff.api("POST", f"/api/v1/tasks/{task_id}/assign", json={"person": "zhao.lei"})
    assert done.status_code == 400 and "is closed" in done.json()["error"]["message"]


@pytest.mark.parametrize("user", ["a_viewer", "reviewer"])
def test_roles_without_tasks_work_change_nothing(world, user):
    browser, task_id = world.client(user), world.ids["task_a"]
    assert _task(browser, task_id)["id"] == task_id  # they read it
    for path, body in (("assign", {"person": LI_NA}), ("comments", {"text": "x"}), ("recheck", {}),
                       ("escalate", {"note": "x"})):
        answer = browser.api("POST", f"/api/v1/tasks/{task_id}/{path}", json=body)
        assert answer.status_code == 403 and "tasks.work" in answer.text, (path, answer.text)
    upload = browser.api("POST", f"/api/v1/tasks/{task_id}/evidence", files={"file": ("a.png", PNG, "image/png")})
    assert upload.status_code == 403
    form = browser.post_form(f"/tasks/{task_id}/comment", {"text": "x"})
    assert form.status_code == 403
    with world.engine.connect() as conn:
        assert conn.execute(select(TASK_EVIDENCE)).all() == []
        assert len(conn.execute(select(RECTIFICATION_TASKS.c.history).where(
            RECTIFICATION_TASKS.c.id == task_id)).scalar_one()) == 1


def test_another_agency_cannot_see_or_touch_a_task_nor_name_its_people(world):
    a_staff, b_staff = world.client("a_staff"), world.client("b_staff")
    task_a, task_b = world.ids["task_a"], world.ids["task_b"]
    upload = a_staff.api("POST", f"/api/v1/tasks/{task_a}/evidence", files={"file": ("a.png", PNG, "image/png")})
    evidence_a = upload.json()["evidence"]
    for method, path, body in (("GET", f"/api/v1/tasks/{task_a}", None),
                               ("GET", f"/api/v1/tasks/{task_a}/evidence/{evidence_a}", None),
                               ("POST", f"/api/v1/tasks/{task_a}/assign", {"person": "zhao.lei"}),
                               ("POST", f"/api/v1/tasks/{task_a}/comments", {"text": "x"}),
                               ("POST", f"/api/v1/tasks/{task_a}/recheck", {}),
                               ("POST", f"/api/v1/tasks/{task_a}/escalate", {"note": "x"})):
        answer = b_staff.api(method, path, json=body)
        assert answer.status_code == 404, (path, answer.status_code)
    assert b_staff.api("POST", f"/api/v1/tasks/{task_a}/evidence", files={"file": ("b.png", PNG)}).status_code == 404
    assert b_staff.get(f"/tasks/{task_a}").status_code == 404
    assert b_staff.get(f"/tasks/{task_a}/evidence/{evidence_a}").status_code == 404
    assert b_staff.get(f"/tasks/{task_b}/evidence/{evidence_a}").status_code == 404  # its own task, A's file
    # Naming A's person on B's own task answers as an unknown person, by key and by the page's id.
    with world.engine.connect() as conn:
        from mgov.db.tables import PEOPLE

        zhao = conn.execute(select(PEOPLE.c.id).where(PEOPLE.c.key == "zhao.lei")).scalar_one()
    theirs = b_staff.api("POST", f"/api/v1/tasks/{task_b}/assign", json={"person": "zhao.lei"})
    nobody = b_staff.api("POST", f"/api/v1/tasks/{task_b}/assign", json={"person": "no.such.person"})
    assert (theirs.status_code, nobody.status_code) == (404, 404)
    assert theirs.json()["error"]["message"].replace("zhao.lei", "?") == nobody.json()["error"]["message"].replace(
        "no.such.person", "?")
    by_id = b_staff.post_form(f"/tasks/{task_b}/assign", {"person": f"id:{zhao}"})
    unknown = b_staff.post_form(f"/tasks/{task_b}/assign", {"person": "id:999999"})
    assert flash_of(by_id)["error"].replace(str(zhao), "?") == flash_of(unknown)["error"].replace("999999", "?")
    assert _task(b_staff, task_b)["assignee"] == "wang.fang"


def test_uploads_over_the_limit_are_refused_before_anything_is_stored(world):
    staff, task_id = world.client("a_staff"), world.ids["task_a"]
    archive = world.settings.resolved_archive_dir / task_evidence.FOLDER
    just_over = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence",
                          files={"file": ("big.bin", b"x" * (task_evidence.MAX_FILE + 1))})
    assert just_over.status_code == 422 and "at most" in just_over.json()["error"]["message"]
    far_over = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence",
                         files={"file": ("huge.bin", b"x" * (task_evidence.MAX_FILE + 200 * 1024))})
    assert far_over.status_code == 413 and far_over.json()["error"]["type"] == "PayloadTooLarge"
    form = staff.http.post(f"/tasks/{task_id}/evidence", data={"csrf": staff.csrf},
                           files={"file": ("huge.bin", b"x" * (task_evidence.MAX_FILE + 200 * 1024))})
    assert form.status_code == 413
    exactly = staff.api("POST", f"/api/v1/tasks/{task_id}/evidence",
                        files={"file": ("max.bin", b"y" * task_evidence.MAX_FILE)})
    assert exactly.status_code == 201
    assert len([p for p in archive.rglob("*") if p.is_file()]) == 1  # only the one within the limit


def test_the_task_page_and_its_forms(world):
    staff, task_id = world.client("a_staff"), world.ids["task_a"]
    board = staff.get("/tasks")
    assert f'href="/tasks/{task_id}"' in board.text and "赵磊" in board.text
    page = staff.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    li_na = re.search(r'<option value="(id:\d+)"[^>]*>李娜', page.text).group(1)
    assert LI_NA not in page.text  # masked for staff, assignable by id
    assert f'action="/tasks/{task_id}/close"' not in page.text  # staff do not close by hand
    steps = [(f"/tasks/{task_id}/assign", {"person": li_na, "note": "运维负责"}),
             (f"/tasks/{task_id}/comment", {"text": "已联系运营商"}),
             (f"/tasks/{task_id}/evidence", {"url": "https://www.sz.gov.cn/ipv6"}),
             (f"/tasks/{task_id}/recheck", {"note": "已开通"}),
             (f"/tasks/{task_id}/escalate", {"note": "运营商迟迟不开通"})]
    for url, form in steps:
        answer = staff.post_form(url, form)
        assert answer.status_code == 303 and answer.headers["location"] == f"/tasks/{task_id}", url
        assert flash_of(answer).get("done") == "saved", (url, flash_of(answer))
    upload = staff.http.post(f"/tasks/{task_id}/evidence", data={"csrf": staff.csrf, "note": "截图"},
                             files={"file": ("footer.png", PNG, "image/png")})
    assert flash_of(upload).get("done") == "saved"
    empty = staff.post_form(f"/tasks/{task_id}/comment", {"text": " "})
    assert "error" in flash_of(empty)
    page = staff.get(f"/tasks/{task_id}").text
    for shown in ("李娜", "已联系运营商", "https://www.sz.gov.cn/ipv6", "footer.png", "cn-440000", "运营商迟迟不开通"):
        assert shown in page, shown
    assert page.count('data-action="') == 7 and 'id="recheck-form"' not in page  # asked for already
    file_link = re.search(r'href="(/tasks/\d+/evidence/\d+)" download><span translate="no">footer.png', page).group(1)
    assert staff.get(file_link).content == PNG
    zh = staff.get(f"/tasks/{task_id}", headers={"Accept-Language": "zh-CN"}, cookies={"mgov_lang": "zh"}).text
    assert "整改证明" in zh and "申请复查" in zh and "第 1 级" in zh
    # A supervisor closes it from the page, and comes back to it.
    boss = world.client("supervisor")
    closed = boss.post_form(f"/tasks/{task_id}/close", {"note": "核实已开通", "from": "task"})
    assert closed.headers["location"] == f"/tasks/{task_id}" and flash_of(closed).get("done") == "closed"
    assert "核实已开通" in boss.get(f"/tasks/{task_id}").text
