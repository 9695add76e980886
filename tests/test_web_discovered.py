"""The review of discovered accounts in the dashboard and the API: scoped like every list (an
account claiming Shenzhen is Shenzhen's and its supervisors'), decided by those who may
(reviewers, supervisors, administrators), each decision in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mgov.db.tables import AUDIT_LOG
from mgov.discover import store
from mgov.registry import service
from webworld import _archive, build_world, flash_of


@pytest.fixture
def world(engine, tmp_path):
    w = build_world(engine, tmp_path)
    answer = _archive(w.settings, "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D3%26q%3Dx",
                      '{"ok":1,"data":{"cards":[{"card_group":[{"user":{"screen_name":"深圳市人民政府便民"}}]}]}}'.encode())
    with engine.begin() as conn:
        sz, gz = (service.org_row(conn, code)["id"] for code in ("cn-440300", "cn-440100"))
        store.save(conn, [store.Found("weibo", "weibo_account", "5550001", "深圳市人民政府便民", sz,
                                      "深圳市人民政府", url="https://m.weibo.cn/u/5550001", evidence=answer),
                          store.Found("weibo", "weibo_account", "5550002", "广州市人民政府微服务", gz,
                                      "广州市人民政府")])
        rows, _ = store.listing(conn)
    w.ids |= {"sz": rows[0]["id"], "gz": rows[1]["id"]}
    return w


def test_each_reader_sees_the_accounts_claiming_their_units(world):
    sz, gz = world.ids["sz"], world.ids["gz"]
    staff = world.client("a_staff")
    assert [r["address"] for r in staff.api("GET", "/api/v1/discovered").json()["items"]] == ["5550001"]
    assert staff.api("GET", f"/api/v1/discovered/{gz}").status_code == 404
    page = staff.get("/discovered")
    assert "深圳市人民政府便民" in page.text and "广州" not in page.text.split("<main")[1]
    detail = staff.get(f"/discovered/{sz}")
    assert detail.status_code == 200 and "m.weibo.cn/api/container/getIndex" in detail.text  # its evidence
    assert 'action="/discovered/' not in detail.text  # staff may not decide: no form
    assert staff.get(f"/discovered/{gz}").status_code == 404
    supervisor = world.client("supervisor")  # the province: both
    assert {r["address"] for r in supervisor.api("GET", "/api/v1/discovered").json()["items"]} == {"5550001",
                                                                                                  "5550002"}


def test_reviewers_decide_and_every_decision_is_audited(world):
    sz, gz = world.ids["sz"], world.ids["gz"]
    staff = world.client("a_staff")
    refused = staff.api("POST", f"/api/v1/discovered/{sz}/decision", json={"decision": "dismissed"})
    assert refused.status_code == 403
    reviewer = world.client("reviewer")
    no_note = reviewer.api("POST", f"/api/v1/discovered/{sz}/decision",
                           json={"decision": "confirmed", "confirmed_as": "imposter"})
    assert no_note.status_code == 422 and "note" in no_note.json()["error"]["message"]
    done = reviewer.api("POST", f"/api/v1/discovered/{sz}/decision",
                        json={"decision": "confirmed", "confirmed_as": "imposter", "note": "冒用市政府名义"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["confirmed_as"], done.json()["decided_by"]) == (
        "confirmed", "imposter", "reviewer")
    form = reviewer.post_form(f"/discovered/{gz}/decision", {"decision": "dismiss", "note": "同名企业"})
    assert form.status_code == 303 and flash_of(form)["done"] == "decided"
    assert reviewer.api("GET", "/api/v1/discovered", params={"state": "dismissed"}).json()["items"][0]["id"] == gz
    bad = reviewer.post_form(f"/discovered/{gz}/decision", {"decision": "promote"})
    assert "unknown decision" in flash_of(bad)["error"]
    with world.engine.connect() as conn:
        log = conn.execute(select(AUDIT_LOG.c.action, AUDIT_LOG.c.actor, AUDIT_LOG.c.face, AUDIT_LOG.c.subject)
                           .where(AUDIT_LOG.c.action.like("discovered.%")).order_by(AUDIT_LOG.c.id)).all()
    assert [tuple(r) for r in log] == [("discovered.confirmed", "reviewer", "api", f"discovered:{sz}"),
                                       ("discovered.dismissed", "reviewer", "web", f"discovered:{gz}")]
    # Shenzhen's administrator reads its own unit's decision in the audit log, not Guangzhou's.
    audit = world.client("a_admin").api("GET", "/api/v1/audit", params={"kind": "discovered"}).json()["items"]
    assert [e["subject"] for e in audit] == [f"discovered:{sz}"]
