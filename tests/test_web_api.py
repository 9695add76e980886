"""The REST API on a real database: authentication (sessions, tokens, CSRF, the sign-in
rate limit), the registry written through it with every change audited, findings with their
archived evidence, assessments, rankings, reports, tasks and disputes, and pagination."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from mgov import clock
from mgov.db.tables import AUDIT_LOG
from webworld import PASSWORD, build_world


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def _audit_count(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AUDIT_LOG)).scalar_one()


def test_authentication_tokens_and_csrf(world):
    anonymous = world.client()
    answer = anonymous.api("GET", "/api/v1/channels")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert anonymous.api("GET", "/api/v1/me", headers={"Authorization": "Bearer mgov_nope"}).status_code == 401

    browser = world.client("a_admin")
    # A session changing something must show its CSRF token.
    no_csrf = browser.http.post("/api/v1/me/tokens", json={"name": "ci"})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["error"]["message"]
    made = browser.api("POST", "/api/v1/me/tokens", json={"name": "nightly export", "days": 30})
    assert made.status_code == 201
    token = made.json()["token"]
    assert token.startswith("mgov_") and made.json()["prefix"] == token[:12]
    assert "token" not in browser.api("GET", "/api/v1/me/tokens").json()["items"][0]  # shown once only

    bearer = {"Authorization": f"Bearer {token}"}
    plain = world.client()
    me = plain.http.get("/api/v1/me", headers=bearer).json()
    assert me["username"] == "a_admin" and me["organization"] == "cn-440300" and "registry.write" in me["permissions"]
    # A token needs no CSRF token: browsers never send it by themselves.
    edited = plain.http.patch(f"/api/v1/channels/{world.ids['channel_a']}", json={"name": "深圳政府在线（新）"},
                              headers=bearer)
    assert edited.status_code == 200 and edited.json()["name"] == "深圳政府在线（新）"
    revoked = browser.api("DELETE", f"/api/v1/me/tokens/{made.json()['id']}")
    assert revoked.json()["revoked_at"]
    assert plain.http.get("/api/v1/me", headers=bearer).status_code == 401

    # Dashboard forms: the same rule.
    assert browser.http.post("/account/tokens", data={"name": "x"}).status_code == 403


def test_sign_in_rate_limit(world):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with clock.fixed(start):
        for _ in range(5):
            assert world.client().login("a_staff", "wrong password").status_code == 401
        blocked = world.client().login("a_staff", PASSWORD)  # the right password, too late
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert world.client().login("b_staff", PASSWORD).status_code == 303  # another user is not blocked
    with clock.fixed(start + dt.timedelta(minutes=16)):
        assert world.client().login("a_staff", PASSWORD).status_code == 303


def test_registry_changes_are_scoped_and_audited(world):
    sup = world.client("supervisor")  # cn-440000: both agencies are under it
    before = _audit_count(world)
    made = sup.api("POST", "/api/v1/channels", json={"kind": "wechat_account", "address": "深圳发布",
                                                     "owner": "cn-440300", "name": "深圳发布"})
    assert made.status_code == 201, made.text
    channel = made.json()
    assert channel["owner"] == "cn-440300" and channel["history"][0]["event"] == "opened"
    edited = sup.api("PATCH", f"/api/v1/channels/{channel['id']}", json={"status": "suspended", "note": "停更整改"})
    assert edited.json()["status"] == "suspended"
    org = sup.api("PATCH", "/api/v1/organizations/cn-440300", json={"name_en": "Shenzhen Municipal Government"})
    assert org.json()["name_en"] == "Shenzhen Municipal Government"
    # A scoped user's new person takes a role at one of its organizations (else out of scope at once).
    assert sup.api("POST", "/api/v1/people", json={"key": "li.qiang", "name": "李强"}).status_code == 422
    made = sup.api("POST", "/api/v1/people", json={"key": "li.qiang", "name": "李强", "organization": "cn-440300",
                                                   "role": "cio"})
    assert made.status_code == 201 and made.json()["roles"][0]["role"] == "cio", made.text
    role = sup.api("POST", "/api/v1/organizations/cn-440300/roles", json={"person": "li.qiang", "role": "head"})
    assert {r["role"] for r in role.json()["roles"] if r["person"] == "li.qiang"} == {"cio", "head"}
    refused = sup.api("POST", "/api/v1/organizations", json={"code": "us-x", "jurisdiction": "us", "tier": "city"})
    assert refused.status_code == 403  # a root organization is outside a scoped supervisor's subtree
    # channel created and suspended, organization renamed, person created with a role, a role more
    assert _audit_count(world) == before + 6
    log = sup.api("GET", "/api/v1/audit", params={"subject": f"channel:{channel['id']}"}).json()["items"]
    assert [e["action"] for e in log] == ["channel.updated", "channel.created"]
    assert (log[0]["actor"], log[0]["face"]) == ("supervisor", "api")
    assert log[0]["detail"] == {"changes": {"status": ["active", "suspended"]}, "note": "停更整改"}
    # The agency's staff read the log of their own agency only; B's admin sees none of it.
    assert world.client("b_admin").api("GET", "/api/v1/audit", params={"subject": f"channel:{channel['id']}"}
                                       ).json()["items"] == []
    assert world.client("a_staff").api("GET", "/api/v1/audit").status_code == 403  # no audit.read


def test_findings_with_archived_evidence(world):
    staff = world.client("a_staff")
    findings = staff.api("GET", "/api/v1/findings", params={"channel": world.ids["channel_a"], "status": "fail"}).json()
    assert {f["check_id"] for f in findings["items"]} == {"ipv6", "cn.site_code"}
    record = staff.api("GET", f"/api/v1/findings/{world.ids['finding_a']}/evidence/1").json()
    assert record["record_type"] == "response" and record["start_line"] == "HTTP/1.1 200 OK"
    assert ["Content-Type", "text/html; charset=gb18030"] in record["headers"]
    assert "政府网站 a" in record["text"] and record["charset"] == "gb18030"  # GB18030 decoded as declared
    assert staff.api("GET", f"/api/v1/findings/{world.ids['finding_a']}/evidence/9").status_code == 404
    page = staff.get(f"/findings/{world.ids['finding_a']}")
    assert "HTTP/1.1 200 OK" in page.text and "政府网站 a" in page.text and "Strict-Transport-Security" in page.text


def test_assessments_rankings_reports(world):
    admin = world.client("admin")
    aid = world.ids["assessment"]
    head = admin.api("GET", f"/api/v1/assessments/{aid}").json()
    assert head["groups"] == [{"tier": "prefecture", "kind": "website", "channels": 2}]
    ranking = admin.api("GET", "/api/v1/rankings", params={"tier": "prefecture", "kind": "website"}).json()
    first, second = ranking["items"]
    assert ranking["assessment"] == aid and first["score"] >= second["score"]
    # Equal scores share a rank (competition ranking); the listing's positions stay 1, 2.
    assert [r["rank"] for r in ranking["items"]] == [1, 1 if first["score"] == second["score"] else 2]
    assert [r["position"] for r in ranking["items"]] == [1, 2]
    detail = admin.api("GET", f"/api/v1/assessments/{aid}/results/{world.ids['channel_a']}").json()
    assert {i["id"] for i in detail["indicators"] if i["status"] == "failed"} >= {"d_ipv6", "d_site_code"}
    staff = world.client("b_staff")
    csv = staff.api("GET", f"/api/v1/assessments/{aid}/report", params={"format": "csv", "lang": "zh"})
    assert csv.status_code == 200 and "gz.gov.cn" in csv.text and "sz.gov.cn" not in csv.text
    pdf = staff.get(f"/reports/{aid}.pdf?lang=en")
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    xlsx = staff.get(f"/reports/{aid}.xlsx?lang=zh")
    assert xlsx.content[:2] == b"PK"


def test_dispute_filed_and_overturned_through_the_api(world):
    staff = world.client("a_staff")
    filed = staff.api("POST", "/api/v1/disputes", json={
        "assessment": world.ids["assessment"], "channel": world.ids["channel_a"], "indicator": "d_ipv6",
        "reason": "IPv6 已于 1 月 15 日开通", "evidence": [{"url": "https://www.sz.gov.cn/ipv6-proof"}]})
    assert filed.status_code == 201, filed.text
    dispute = filed.json()
    assert dispute["status"] == "filed" and dispute["log"][0]["action"] == "dispute.filed"
    assert staff.api("POST", f"/api/v1/disputes/{dispute['id']}/decision",
                     json={"overturn": True, "note": "x"}).status_code == 403  # staff do not decide
    decided = world.client("reviewer").api("POST", f"/api/v1/disputes/{dispute['id']}/decision",
                                           json={"overturn": True, "note": "核实已开通"})
    assert decided.json()["status"] == "overturned" and decided.json()["reviewer"] == "reviewer"
    tasks = staff.api("GET", "/api/v1/tasks", params={"channel": world.ids["channel_a"]}).json()["items"]
    ipv6 = next(t for t in tasks if t["indicator_id"] == "d_ipv6")
    assert ipv6["status"] == "closed"
    closing = world.client("supervisor").api("POST", f"/api/v1/tasks/{tasks[0]['id']}/close",
                                              json={"note": "站点标识码已补正"})
    assert closing.status_code in (200, 400)  # 400 when that task was the one the dispute closed


def test_pagination_is_stable_and_complete(world):
    admin = world.client("admin")
    seen, url = [], "/api/v1/channels?limit=1"
    while url:
        page = admin.api("GET", url).json()
        seen += [c["id"] for c in page["items"]]
        url = page["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 2
    # Rankings page by rank (keyset), results across groups by position: both end, neither repeats.
    for url in ("/api/v1/rankings?tier=prefecture&kind=website&limit=1",
                f"/api/v1/assessments/{world.ids['assessment']}/results?limit=1"):
        places = []
        while url:
            page = admin.api("GET", url).json()
            places += [r["position"] for r in page["items"]]
            url = page["next"]
        assert places == [1, 2], url
    assert world.client("b_staff").get("/rankings?after=1").status_code == 200  # past B's one row: empty page
    assert admin.api("GET", "/api/v1/channels?limit=0").status_code == 422
    assert admin.api("GET", "/api/v1/channels?limit=501").status_code == 422


def test_user_management_within_scope(world):
    a_admin = world.client("a_admin")
    made = a_admin.api("POST", "/api/v1/users", json={"username": "a.new", "password": "juniper kettle window 42",
                                                       "role": "agency_staff", "organization": "cn-440300"})
    assert made.status_code == 201 and made.json()["organization"] == "cn-440300"
    assert "password" not in made.json() and "password_hash" not in made.json()
    assert a_admin.api("POST", "/api/v1/users", json={"username": "a.boss", "password": "juniper kettle window 42",
                                                       "role": "admin", "organization": "cn-440300"}
                       ).status_code == 403  # no role above one's own
    assert world.client().login("a.new", "juniper kettle window 42").status_code == 303  # the new user signs in
    disabled = a_admin.api("PATCH", f"/api/v1/users/{made.json()['id']}", json={"active": False})
    assert disabled.json()["active"] is False
    assert world.client().login("a.new", "juniper kettle window 42").status_code == 401


def test_dashboard_language_from_browser_and_switch(world):
    browser = world.client()
    zh = browser.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in zh.text and "登录" in zh.text
    en = browser.get("/login", headers={"Accept-Language": "en-US,en;q=0.8,zh;q=0.2"})
    assert '<html lang="en">' in en.text and "Sign in" in en.text
    switched = browser.get("/lang/zh?next=/login")
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert '<html lang="zh-CN">' in browser.get("/login", headers={"Accept-Language": "en"}).text
    assert browser.get("/lang/en?next=https://evil.example/").headers["location"] == "/"  # no open redirect
    staff = world.client("a_staff")
    page = staff.get("/", headers={"Accept-Language": "zh"})
    assert "<h1>总览</h1>" in page.text and "范围：cn-440300 及其下级单位" in page.text


def test_security_headers_and_cookies(world):
    browser = world.client()
    page = browser.get("/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"]
    login = browser.login("a_staff")
    cookie = login.headers["set-cookie"]
    assert "mgov_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_notification_targets_through_the_api(world):
    sup = world.client("supervisor")
    made = sup.api("POST", "/api/v1/notification-targets", json={
        "kind": "webhook", "address": "https://hooks.sz.example/mgov", "organization": "cn-440300",
        "events": ["veto", "overdue"], "lang": "zh"})
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert len(secret) >= 16
    listed = sup.api("GET", "/api/v1/notification-targets").json()["items"]
    assert [t["address"] for t in listed] == ["https://hooks.sz.example/mgov"] and "secret" not in listed[0]
    assert world.client("b_admin").api("GET", "/api/v1/notification-targets").json()["items"] == []
    assert sup.api("POST", "/api/v1/notification-targets", json={
        "kind": "webhook", "address": "http://127.0.0.1:9/hook", "organization": "cn-440300"}).status_code == 422
    assert sup.api("GET", f"/api/v1/notification-targets/{made.json()['id']}/deliveries").json()["items"] == []
    removed = sup.api("DELETE", f"/api/v1/notification-targets/{made.json()['id']}")
    assert removed.json()["active"] is False
    log = sup.api("GET", "/api/v1/audit", params={"subject": f"notification_target:{made.json()['id']}"}).json()
    assert [e["action"] for e in log["items"]] == ["notification_target.removed", "notification_target.added"]
    assert "secret" not in log["items"][1]["detail"]


def test_overview_figures(world):
    import json
    import re

    with clock.fixed(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)):  # every task is past its due date
        page = world.client("supervisor").get("/")
        overdue = world.client("supervisor").api("GET", "/api/v1/tasks", params={"overdue": "true"}).json()["items"]
    assert page.status_code == 200
    histogram = json.loads(re.search(r'id="histogram-data">(.*?)</script>', page.text).group(1))
    assert sum(sum(v) for v in histogram["series"].values()) == 2
    assert list(histogram["series"]) == ["Prefecture"]  # labelled
    trend = json.loads(re.search(r'id="trend-data">(.*?)</script>', page.text).group(1))
    assert [p["channels"] for p in trend["points"]] == [2]
    assert overdue and all(t["overdue"] for t in overdue)
    assert [t["due_on"] for t in overdue] == sorted(t["due_on"] for t in overdue)
    assert f"/channels/{overdue[0]['channel_id']}" in page.text  # the overview lists the overdue ones
    with clock.fixed(dt.datetime(2026, 2, 3, 9, tzinfo=dt.UTC)):  # the day after opening: none is late
        assert world.client("supervisor").api("GET", "/api/v1/tasks", params={"overdue": "true"}).json()["items"] == []


def test_overview_api_is_scoped_and_follows_new_assessments(world):
    from mgov.assess.service import run_assessment

    staff = world.client("b_staff")
    first = staff.api("GET", "/api/v1/overview").json()
    assert first["statuses"] == {"active": 1} and first["assessment"]["id"] == world.ids["assessment"]
    assert sum(first["assessment"]["verdicts"].values()) == 1  # B's one channel, not A's
    assert staff.api("GET", "/api/v1/overview").json() == first  # memoized: the same answer
    newer = run_assessment(world.engine, "cn-2019-website", "2026-02")["assessment"]
    second = staff.api("GET", "/api/v1/overview").json()
    assert second["assessment"]["id"] == newer and [p["assessment"] for p in second["trend"]] == [
        world.ids["assessment"], newer]


def test_evidence_bodies_are_shown_decoded(world):
    import gzip

    from mgov.web.queries.monitoring import SHOWN_BYTES, _decoded

    page = ("<p>政务公开</p>" * 10).encode()
    assert _decoded(gzip.compress(page), "gzip") == (page, None)
    assert _decoded(page, "gzip") == (page, "gzip")  # claims gzip, is not: shown as is
    bomb = gzip.compress(b"\0" * (50 * SHOWN_BYTES))
    assert len(_decoded(bomb, "gzip")[0]) == SHOWN_BYTES + 1  # never inflated past what is shown
