"""Authorization by enumeration: every route of the application (API and dashboard, every
method) is tried by users of agency B with agency A's ids in the path and bodies that would
be valid; none may show A's data or change it. New routes are covered by construction: a
mutating route without a body here fails the test."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import select

from mgov.act import disputes
from mgov.db.tables import (
    API_TOKENS,
    AUDIT_LOG,
    CHANNELS,
    DISCOVERED,
    DISPUTES,
    EVENTS,
    INSPECTION_EVIDENCE,
    INSPECTION_ITEMS,
    INSPECTIONS,
    NOTIFICATION_TARGETS,
    ORGS,
    PEOPLE,
    RECTIFICATION_TASKS,
    RESPONSIBILITIES,
    ROLES,
    TASK_EVIDENCE,
    USERS,
)
from mgov.registry import service
from mgov.registry.records import Batch, OrgRecord, Origin
from mgov.web.body_limit import every_route
from webworld import PNG, World, add_inspections, build_world, flash_of

# What only agency A's data contains (B's pages must never show it).
A_MARKERS = ("sz.gov.cn", "cn-440300", "深圳", "Shenzhen", "zhao.lei", "a_staff", "a_admin", "a_viewer", "sz.example")
JSON_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/organizations"): {"code": "cn-440399", "jurisdiction": "cn", "tier": "county",
                                        "parent": "cn-440300"},
    ("PATCH", "/api/v1/organizations/{code}"): {"name_en": "taken over"},
    ("POST", "/api/v1/organizations/{code}/roles"): {"person": "wang.fang", "role": "cio"},
    ("POST", "/api/v1/people"): {"key": "b.new.person", "name": "新人", "organization": "cn-440300", "role": "cio"},
    ("PATCH", "/api/v1/people/{key}"): {"name": "taken over"},
    ("POST", "/api/v1/channels"): {"kind": "website", "address": "https://new.sz.gov.cn", "owner": "cn-440300"},
    ("PATCH", "/api/v1/channels/{channel_id}"): {"name": "taken over"},
    ("POST", "/api/v1/tasks/{task_id}/close"): {"note": "fixed, says B"},
    ("POST", "/api/v1/tasks/{task_id}/assign"): {"person": "zhao.lei", "note": "B reassigns"},
    ("POST", "/api/v1/tasks/{task_id}/comments"): {"text": "B comments"},
    ("POST", "/api/v1/tasks/{task_id}/evidence"): None,  # multipart: MULTIPART below
    ("POST", "/api/v1/tasks/{task_id}/recheck"): {"note": "B asks for a re-check"},
    ("POST", "/api/v1/tasks/{task_id}/escalate"): {"note": "B escalates"},
    ("POST", "/api/v1/disputes"): {"assessment": "{assessment_id}", "channel": "{channel_id}", "indicator": "d_ipv6",
                                   "reason": "B disputes A"},
    ("POST", "/api/v1/disputes/{dispute_id}/decision"): {"overturn": True, "note": "B decides"},
    ("POST", "/api/v1/me/tokens"): {"name": "B's own token"},
    ("DELETE", "/api/v1/me/tokens/{token_id}"): None,
    ("POST", "/api/v1/me/password"): {"current_password": "not the password", "new_password": "a new passphrase"},
    ("POST", "/api/v1/users/{user_id}/unlock"): None,
    ("POST", "/api/v1/users"): {"username": "b.plant", "password": "juniper kettle window 42", "role": "agency_staff",
                                "organization": "cn-440300"},
    ("PATCH", "/api/v1/users/{user_id}"): {"role": "viewer", "active": False},
    ("POST", "/api/v1/notification-targets"): {"kind": "email", "address": "ops@b.example",
                                               "organization": "cn-440300"},
    ("DELETE", "/api/v1/notification-targets/{target_id}"): None,
    ("POST", "/api/v1/jobs"): {"kind": "crawl", "organization": "cn-440300"},
    ("POST", "/api/v1/discovered/{discovered_id}/decision"): {"decision": "dismissed", "note": "B dismisses"},
    ("POST", "/api/v1/inspections"): {"channel": "{channel_id}", "profile": "cn-2019-website", "period": "2026-01"},
    ("POST", "/api/v1/inspections/{inspection_id}/items/{item_id}"): {"verdict": "met", "note": "B fills"},
    ("POST", "/api/v1/inspections/{inspection_id}/items/{item_id}/evidence"): None,  # multipart: MULTIPART below
    ("POST", "/api/v1/inspections/{inspection_id}/items/{item_id}/confirmation"): {"confirm": True, "note": "B"},
    ("POST", "/api/v1/inspections/{inspection_id}/assign"): {"reviewer": "b_super"},
    ("POST", "/api/v1/inspections/{inspection_id}/submit"): {"note": "B submits"},
}
FORM_BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/login"): {"username": "a_staff", "password": "wrong password"},
    ("POST", "/logout"): {},
    ("POST", "/orgs/{code}/edit"): {"name_en": "taken over"},
    ("POST", "/orgs/{code}/channels"): {"kind": "website", "address": "https://new2.sz.gov.cn"},
    ("POST", "/channels/{channel_id}/edit"): {"name": "taken over", "status": "closed"},
    ("POST", "/tasks/{task_id}/close"): {"note": "fixed, says B"},
    ("POST", "/tasks/{task_id}/assign"): {"person": "zhao.lei", "note": "B reassigns"},
    ("POST", "/tasks/{task_id}/comment"): {"text": "B comments"},
    ("POST", "/tasks/{task_id}/evidence"): {"url": "https://b.example/fixed", "note": "B's evidence"},
    ("POST", "/tasks/{task_id}/recheck"): {"note": "B asks for a re-check"},
    ("POST", "/tasks/{task_id}/escalate"): {"note": "B escalates"},
    ("POST", "/disputes"): {"assessment": "{assessment_id}", "channel": "{channel_id}", "indicator": "d_ipv6",
                            "reason": "B disputes A"},
    ("POST", "/disputes/{dispute_id}/decision"): {"decision": "overturn", "note": "B decides"},
    ("POST", "/account/tokens"): {"name": "B's own token"},
    ("POST", "/account/tokens/{token_id}/revoke"): {},
    ("POST", "/account/settings"): {"lang": "zh", "time_zone": "UTC"},
    ("POST", "/users"): {"username": "b.plant2", "password": "juniper kettle window 42", "role": "agency_staff",
                         "organization": "cn-440300"},
    ("POST", "/users/{user_id}/edit"): {"active": "0"},
    ("POST", "/users/{user_id}/unlock"): {},
    ("POST", "/account/password"): {"current_password": "not the password", "new_password": "a new passphrase",
                                    "confirm_password": "a new passphrase"},
    ("POST", "/jobs"): {"kind": "crawl", "organization": "cn-440300"},
    ("POST", "/discovered/{discovered_id}/decision"): {"decision": "dismiss", "note": "B dismisses"},
    ("POST", "/inspections"): {"channel": "{channel_id}", "profile": "cn-2019-website", "period": "2026-01"},
    ("POST", "/inspections/{inspection_id}/items/{item_id}"): {"verdict": "met", "note": "B fills"},
    ("POST", "/inspections/{inspection_id}/items/{item_id}/confirm"): {"decision": "confirm", "note": "B confirms"},
    ("POST", "/inspections/{inspection_id}/assign"): {"reviewer": "b_super"},
    ("POST", "/inspections/{inspection_id}/submit"): {"note": "B submits"},
}
# API routes that take multipart/form-data (uploads): their fields and files.
MULTIPART: dict[tuple[str, str], tuple[dict[str, str], dict[str, Any]]] = {
    ("POST", "/api/v1/tasks/{task_id}/evidence"): ({"note": "B's evidence"},
                                                   {"file": ("fix.png", b"\x89PNG B's screenshot", "image/png")}),
    ("POST", "/api/v1/inspections/{inspection_id}/items/{item_id}/evidence"): (
        {"note": "B's evidence"}, {"file": ("shot.png", PNG, "image/png")}),
}


def _api_write(browser: Any, method: str, url: str, path: str, params: dict[str, Any]) -> Any:
    """A write through the API with its body: JSON, or the multipart form of an upload route."""
    if (method, path) in MULTIPART:
        fields, files = MULTIPART[(method, path)]
        return browser.api(method, url, data=fields, files=files)
    body = _fill(JSON_BODIES[(method, path)], params)
    return browser.api(method, url, json=body) if body is not None else browser.api(method, url)


# Routes B may use successfully (their own account, the language, public documents): the
# answer still must not show A's data.
ALLOWED = {("POST", "/api/v1/me/tokens"), ("POST", "/account/tokens"), ("POST", "/login"), ("POST", "/logout"),
           ("POST", "/account/settings")}


def _state(world: World) -> str:
    """Everything of A's that a request could change."""
    with world.engine.connect() as conn:
        parts = [
            conn.execute(select(ORGS).where(ORGS.c.code == "cn-440300")).all(),
            conn.execute(select(CHANNELS).where(CHANNELS.c.id == world.ids["channel_a"])).all(),
            conn.execute(select(RECTIFICATION_TASKS).where(RECTIFICATION_TASKS.c.channel_id == world.ids["channel_a"])
                         ).all(),
            conn.execute(select(TASK_EVIDENCE).order_by(TASK_EVIDENCE.c.id)).all(),
            conn.execute(select(DISPUTES).where(DISPUTES.c.channel_id == world.ids["channel_a"])).all(),
            conn.execute(select(USERS.c.id, USERS.c.role, USERS.c.active, USERS.c.password_hash)
                         .where(USERS.c.username.like("a_%"))).all(),
            conn.execute(select(API_TOKENS).where(API_TOKENS.c.id == world.ids["token_a"])).all(),
            conn.execute(select(ROLES).where(ROLES.c.organization_id == select(ORGS.c.id).where(
                ORGS.c.code == "cn-440300").scalar_subquery())).all(),
            conn.execute(select(PEOPLE).where(PEOPLE.c.key == "zhao.lei")).all(),
            conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address.like("%new%.sz.gov.cn%"))).all(),
            conn.execute(select(NOTIFICATION_TARGETS)).all(),
            conn.execute(select(DISCOVERED)).all(),
            conn.execute(select(INSPECTIONS).order_by(INSPECTIONS.c.id)).all(),
            conn.execute(select(INSPECTION_ITEMS).order_by(INSPECTION_ITEMS.c.id)).all(),
            conn.execute(select(INSPECTION_EVIDENCE).order_by(INSPECTION_EVIDENCE.c.id)).all(),
        ]
    return repr(parts)


@pytest.fixture
def world(engine, tmp_path):
    w = build_world(engine, tmp_path)
    with engine.begin() as conn:
        from mgov.accounts import access, users

        a_admin = users.user_id_of(conn, "a_admin")
        _token, row = access.create_token(conn, a_admin, "A's token")
        task = conn.execute(select(RECTIFICATION_TASKS.c.id).where(
            RECTIFICATION_TASKS.c.channel_id == w.ids["channel_a"])).scalars().first()
        dispute = disputes.file(conn, w.ids["assessment"], w.ids["channel_a"], "d_site_code", "A disputes",
                                by="a_staff")
        from mgov.act import notify, task_evidence

        target = notify.add_target(conn, org_code="cn-440300", kind="email", address="web@sz.example")
        evidence = task_evidence.add_file(conn, w.settings.resolved_archive_dir, task, "sz-fix.png",
                                          b"\x89PNG A's screenshot", by="a_staff", media_type="image/png")
        from mgov.act import jobs

        job = jobs.create(conn, "crawl", jobs.Target(target["organization_id"], "cn-440300"), {}, "a_staff")[0]
        jobs.finish(conn, job["id"], "done", done=1, total=1)
        service.write(conn, Batch(organizations=[OrgRecord("cn-440105", Origin("test"), name_zh="广州市海珠区",
                                                           jurisdiction="cn", tier="county", parent="cn-440100")]))
        from mgov.discover import store as discovered

        org_a = service.org_row(conn, "cn-440300")["id"]
        discovered.save(conn, [discovered.Found("weibo", "weibo_account", "5550001", "深圳市人民政府便民", org_a,
                                                "深圳市人民政府", url="https://m.weibo.cn/u/5550001")])
        discovered_a = conn.execute(select(DISCOVERED.c.id)).scalar_one()
        w.ids |= {"token_a": row["id"], "task_a": task, "dispute_a": dispute["id"],
                  "user_a": users.user_id_of(conn, "a_staff"), "target_a": target["id"],
                  "user_b": users.user_id_of(conn, "b_staff"), "evidence_a": evidence["id"], "job_a": job["id"],
                  "discovered_a": discovered_a,
                  "task_b": conn.execute(select(RECTIFICATION_TASKS.c.id).where(
                      RECTIFICATION_TASKS.c.channel_id == w.ids["channel_b"])).scalars().first()}
        w.ids |= add_inspections(conn, w)
    return w


def _params(world: World) -> dict[str, Any]:
    i = world.ids
    return {"code": "cn-440300", "channel_id": i["channel_a"], "finding_id": i["finding_a"], "index": 0,
            "run_id": i["run"], "assessment_id": i["assessment"], "task_id": i["task_a"], "dispute_id": i["dispute_a"],
            "key": "zhao.lei", "user_id": i["user_a"], "token_id": i["token_a"], "profile_id": "cn-2019-website",
            "fmt": "csv", "channel": i["channel_a"], "target_id": i["target_a"], "evidence_id": i["evidence_a"],
            "job_id": i["job_a"], "discovered_id": i["discovered_a"],
            "inspection_id": i["inspection_a"], "item_id": i["item_a"], "file_id": i["file_a"],
            # replay (/replay/<collection>/<timestamp><modifier>/<url>, and under a capability token)
            "collection": "cn-440300", "path:path": "20260120030000id_/https://www.sz.gov.cn/", "token": "forged"}


def _fill(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return params[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    return value


def _routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the application answers, whatever FastAPI's router nesting."""
    out = []
    for route in every_route(app.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None) or ()
        if path and not path.startswith(("/static", "/docs/oauth2")):
            out += [(method, path) for method in sorted(methods) if method != "HEAD"]
    return out


def _shows_a(text: str) -> list[str]:
    return [m for m in A_MARKERS if m in text]


@pytest.mark.parametrize("intruder", ["b_admin", "b_super", "b_staff"])
def test_no_route_shows_or_changes_another_agencys_data(world, intruder):
    browser = world.client(intruder)
    params = _params(world)
    routes = _routes(browser.http.app)
    assert len(routes) >= 55, routes  # API and dashboard: a shrinking list means routes went missing
    before = _state(world)
    tried = []
    for method, path in routes:
        url = path
        for name, value in params.items():
            url = url.replace("{" + name + "}", str(value))
        assert "{" not in url, f"no value for a path parameter of {path}: add it to _params"
        if path.startswith("/api/"):
            if method in ("GET",):
                answer = browser.api(method, url)
            else:
                assert (method, path) in JSON_BODIES, f"{method} {path}: give it a body in JSON_BODIES"
                answer = _api_write(browser, method, url, path, params)
        else:
            if method == "GET":
                answer = browser.get(url)
            else:
                assert (method, path) in FORM_BODIES, f"{method} {path}: give it a form in FORM_BODIES"
                answer = browser.post_form(url, _fill(FORM_BODIES[(method, path)], params))
        tried.append((method, path, answer.status_code))
        said = json.dumps(flash_of(answer), ensure_ascii=False)  # a refused form's message
        shown = _shows_a(answer.text + answer.headers.get("location", "") + said) if "pdf" not in answer.headers.get(
            "content-type", "") else []
        if not 200 <= answer.status_code < 300:  # a refusal may repeat what was asked, nothing more
            asked = url + json.dumps(JSON_BODIES.get((method, path)) or FORM_BODIES.get((method, path)) or {})
            shown = [m for m in shown if m not in asked]
        assert not shown, f"{intruder} {method} {url} -> {answer.status_code} shows {shown}"
        location = answer.headers.get("location", "")
        if method != "GET" and (method, path) not in ALLOWED:
            refused = answer.status_code in (401, 403, 404, 422) or (
                answer.status_code == 303 and "error" in flash_of(answer))
            assert refused, f"{intruder} {method} {url} was not refused: {answer.status_code} {location}"
        if path == "/logout" or path == "/login":
            browser = world.client(intruder)  # signed out (or never in): sign in again
    assert _state(world) == before, "agency A's data changed"
    with world.engine.connect() as conn:
        written = conn.execute(select(AUDIT_LOG.c.action, AUDIT_LOG.c.subject, AUDIT_LOG.c.detail)
                               .where(AUDIT_LOG.c.actor == intruder)).all()
    assert not [w for w in written if _shows_a(json.dumps(list(w), ensure_ascii=False))], written
    assert len(tried) == len(routes)


def test_b_sees_its_own_data_through_the_same_routes(world):
    """The sweep above is not passing because everything is refused: B reads its own."""
    browser = world.client("b_staff")
    channel_b = world.ids["channel_b"]
    assert browser.get(f"/channels/{channel_b}").status_code == 200
    assert browser.api("GET", f"/api/v1/channels/{channel_b}").json()["address"] == "https://www.gz.gov.cn"
    listed = browser.api("GET", "/api/v1/channels").json()["items"]
    assert [c["address"] for c in listed] == ["https://www.gz.gov.cn"]
    ranking = browser.get("/rankings")
    assert "广州市人民政府门户网站" in ranking.text and "深圳" not in ranking.text


def test_a_viewer_cannot_change_its_own_agency(world):
    """Roles bound what a user may do inside their scope: a viewer changes nothing."""
    browser = world.client("a_viewer")
    before = _state(world)
    params = _params(world)
    for method, path in JSON_BODIES:
        if (method, path) in {("POST", "/api/v1/me/tokens"), ("DELETE", "/api/v1/me/tokens/{token_id}"),
                              ("POST", "/api/v1/me/password")}:
            continue  # their own tokens and password: every user may
        url = path
        for name, value in params.items():
            url = url.replace("{" + name + "}", str(value))
        answer = _api_write(browser, method, url, path, params)
        assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
    assert _state(world) == before


# Keys of A's in write bodies. Every field of an API body named here names a registry object:
# a person (or, in `responsible`, people), an organization or a channel (by id). The sweep below
# sets each in turn to A's object and to one that does not exist, in a body that is otherwise
# valid for B (B's own objects in the path and in the other fields): both must answer alike.
REFERENCES = {"person": "person", "responsible": "person", "parent": "org", "owner": "org", "organization": "org",
              "channel": "channel", "reviewer": "user"}
UNKNOWN = {"person": "no.such.person", "org": "cn-999999", "channel": 99999, "user": "no.such.user"}
# Fields that give a new object its natural key: A's key and B's own (both taken) answer alike.
NEW_KEYS = {("POST", "/api/v1/organizations"): ("code", "cn-440300", "cn-440100"),
            ("POST", "/api/v1/people"): ("key", "zhao.lei", "wang.fang"),
            ("POST", "/api/v1/channels"): ("address", "https://www.sz.gov.cn", "https://www.gz.gov.cn"),
            ("POST", "/orgs/{code}/channels"): ("address", "https://www.sz.gov.cn", "https://www.gz.gov.cn")}
NOT_KEYS = {("POST", "/api/v1/notification-targets"): {"address"}}  # an e-mail or webhook, no registry key
# Bodies valid for B, by route: the API routes whose body has a field above.
B_JSON = {
    ("POST", "/api/v1/organizations"): {"code": "cn-440199", "jurisdiction": "cn", "tier": "county", "name_zh": "新区",
                                        "parent": "cn-440100"},
    ("PATCH", "/api/v1/organizations/{code}"): {"parent": "cn-440100"},
    ("POST", "/api/v1/organizations/{code}/roles"): {"person": "wang.fang", "role": "cio"},
    ("POST", "/api/v1/people"): {"key": "b.new.person", "name": "新人", "organization": "cn-440100", "role": "cio"},
    ("POST", "/api/v1/channels"): {"kind": "website", "address": "https://new.gz.gov.cn", "owner": "cn-440100",
                                   "responsible": {"content_manager": ["wang.fang"]}},
    ("PATCH", "/api/v1/channels/{channel_id}"): {"owner": "cn-440100", "responsible": {"cio": ["wang.fang"]}},
    ("POST", "/api/v1/disputes"): {"assessment": "{assessment_id}", "channel": "{channel_id}", "indicator": "d_ipv6",
                                   "reason": "B disputes"},
    ("POST", "/api/v1/users"): {"username": "b.plant", "password": "juniper kettle window 42", "role": "agency_staff",
                                "organization": "cn-440100"},
    ("PATCH", "/api/v1/users/{user_id}"): {"organization": "cn-440100"},
    ("POST", "/api/v1/tasks/{task_id}/assign"): {"person": "wang.fang"},
    ("POST", "/api/v1/notification-targets"): {"kind": "email", "address": "ops@b.example",
                                               "organization": "cn-440100"},
    ("POST", "/api/v1/jobs"): {"kind": "scan"},
    ("POST", "/api/v1/inspections"): {"channel": "{channel_id}", "profile": "cn-2019-website", "period": "2026-02"},
    ("POST", "/api/v1/inspections/{inspection_id}/assign"): {"reviewer": "b_super"},
}
# Every dashboard form, with a form valid for B and the fields of it that its handler reads as
# keys (forms take no model to introspect: a new form route must be added here).
B_FORMS: dict[tuple[str, str], tuple[dict[str, str], tuple[str, ...]]] = {
    ("POST", "/login"): ({}, ()), ("POST", "/logout"): ({}, ()),
    ("POST", "/orgs/{code}/edit"): ({}, ()),  # names, tier, the no-external-service box
    ("POST", "/orgs/{code}/channels"): ({"kind": "website", "address": "https://new2.gz.gov.cn"}, ()),
    ("POST", "/channels/{channel_id}/edit"): ({"owner": "cn-440100", "name": "广州"}, ("owner",)),
    ("POST", "/tasks/{task_id}/close"): ({}, ()),
    ("POST", "/tasks/{task_id}/assign"): ({"person": "wang.fang"}, ("person",)),
    ("POST", "/tasks/{task_id}/comment"): ({}, ()), ("POST", "/tasks/{task_id}/evidence"): ({}, ()),
    ("POST", "/tasks/{task_id}/recheck"): ({}, ()), ("POST", "/tasks/{task_id}/escalate"): ({}, ()),
    ("POST", "/disputes"): ({"assessment": "{assessment_id}", "channel": "{channel_id}", "indicator": "d_ipv6",
                             "reason": "B disputes"}, ("channel",)),
    ("POST", "/disputes/{dispute_id}/decision"): ({}, ()),
    ("POST", "/account/tokens"): ({}, ()), ("POST", "/account/tokens/{token_id}/revoke"): ({}, ()),
    ("POST", "/users"): ({"username": "b.plant2", "password": "juniper kettle window 42", "role": "agency_staff",
                          "organization": "cn-440100"}, ("organization",)),
    ("POST", "/users/{user_id}/edit"): ({}, ()),  # role and active
    ("POST", "/users/{user_id}/unlock"): ({}, ()),
    ("POST", "/account/password"): ({}, ()),  # the user's own
    ("POST", "/account/settings"): ({}, ()),  # the user's own language and time zone
    ("POST", "/jobs"): ({"kind": "scan"}, ("organization", "channel")),
    ("POST", "/discovered/{discovered_id}/decision"): ({}, ()),  # the decision and its note
    ("POST", "/inspections"): ({"channel": "{channel_id}", "profile": "cn-2019-website", "period": "2026-02"},
                               ("channel", "reviewer")),
    ("POST", "/inspections/{inspection_id}/items/{item_id}"): ({}, ()),
    ("POST", "/inspections/{inspection_id}/items/{item_id}/confirm"): ({}, ()),
    ("POST", "/inspections/{inspection_id}/assign"): ({}, ("reviewer",)),
    ("POST", "/inspections/{inspection_id}/submit"): ({}, ()),
}


def _everything(world: World) -> str:
    """The registry, users, targets, disputes and the audit log: a refused write changes none."""
    tables = (ORGS, PEOPLE, ROLES, RESPONSIBILITIES, CHANNELS, EVENTS, NOTIFICATION_TARGETS, DISPUTES, AUDIT_LOG)
    with world.engine.connect() as conn:
        parts = [conn.execute(select(t)).all() for t in tables]
        parts.append(conn.execute(select(USERS.c.id, USERS.c.username, USERS.c.role, USERS.c.organization_id,
                                         USERS.c.active)).all())
    return repr(parts)


def _body_fields(route: Any) -> set[str]:
    field = getattr(route, "body_field", None)
    model = None if field is None else (getattr(field, "type_", None) or field.field_info.annotation)
    return set(getattr(model, "model_fields", {}))


def _mutating(app: Any) -> dict[tuple[str, str], Any]:
    return {(m, r.path): r for r in every_route(app.routes)
            if getattr(r, "path", None) and not r.path.startswith("/static")
            for m in (getattr(r, "methods", None) or ()) if m not in ("GET", "HEAD")}


def _neutral(answer: Any, keys: list[Any]) -> tuple[int, str]:
    """Status and body (or redirect) with the key a request named blanked out, raw or URL-encoded."""
    text = answer.text + "|" + answer.headers.get("location", "")
    for key in keys:
        if isinstance(key, int):  # an id, as messages and paths show one: not a digit of anything else
            text = re.sub(rf"(?<=[/ +]){key}(?![\w.,:])", "<key>", text)
            continue
        for form in sorted({key, quote_plus(key), quote(key, safe="")}, key=len, reverse=True):
            text = text.replace(form, "<key>")
    return answer.status_code, text


def _refused(answer: Any) -> bool:
    return 400 <= answer.status_code < 500 or (answer.status_code == 303 and "error" in flash_of(answer))


@pytest.mark.parametrize("intruder", ["b_admin", "b_super"])
def test_keys_of_another_agency_in_any_write_answer_as_unknown_ones(world, intruder):
    """Every write route, with B's own objects in the path: each field of its body that names a
    person, an organization or a channel is set to A's and to an unknown one. The two answers are
    the same (but for the key itself) and refusals; a new key taken by A answers as one taken by
    B. Nothing changes, A's or anyone's."""
    browser = world.client(intruder)
    i = world.ids
    params = {"code": "cn-440105", "channel_id": i["channel_b"], "key": "wang.fang", "user_id": i["user_b"],
              "assessment_id": i["assessment"], "task_id": i["task_b"], "inspection_id": i["inspection_b"],
              "item_id": i["item_b"]}
    theirs = {"person": "zhao.lei", "org": "cn-440300", "channel": i["channel_a"], "user": "a_staff"}
    routes = _mutating(browser.http.app)
    before = _everything(world)
    tried = []

    def url_of(path: str) -> str:
        for name, value in params.items():
            path = path.replace("{" + name + "}", str(value))
        return path

    def send(method: str, path: str, body: dict[str, Any]) -> Any:
        if path.startswith("/api/"):
            return browser.api(method, url_of(path), json=body)
        return browser.post_form(url_of(path), {k: str(v) for k, v in body.items()})

    def compare(method: str, path: str, body: dict[str, Any], field: str, a_value: Any, other: Any) -> None:
        def with_(value: Any) -> dict[str, Any]:
            return {**body, field: {"content_manager": [value]} if field == "responsible" else value}
        answers = [send(method, path, with_(v)) for v in (a_value, other)]
        assert all(_refused(a) for a in answers), (method, path, field, [a.status_code for a in answers])
        assert _neutral(answers[0], [a_value]) == _neutral(answers[1], [other]), (
            f"{intruder} {method} {path} {field}: {answers[0].status_code} {answers[0].text[:300]} | "
            f"{answers[1].status_code} {answers[1].text[:300]}")
        assert not _shows_a(answers[0].text.replace(str(a_value), "")), answers[0].text
        tried.append((method, path, field))

    for (method, path), route in sorted(routes.items()):
        if path.startswith("/api/"):
            fields = _body_fields(route)
            named = fields & set(REFERENCES)
            new_key = NEW_KEYS.get((method, path))
            loose = fields & {"code", "key", "address"} - NOT_KEYS.get((method, path), set()) - (
                {new_key[0]} if new_key else set())
            assert not loose, f"{method} {path}: {loose} names a key: add it to NEW_KEYS or NOT_KEYS"
            if not named and not new_key:
                continue
            assert (method, path) in B_JSON, f"{method} {path} names keys ({named}): give it a body in B_JSON"
            body = _fill(B_JSON[(method, path)], params)
        else:
            assert (method, path) in B_FORMS, f"{method} {path}: add the form to B_FORMS"
            form, named_fields = B_FORMS[(method, path)]
            body, named = _fill(form, params), set(named_fields)
            new_key = NEW_KEYS.get((method, path))
        for field in sorted(named):
            kind = REFERENCES[field]
            compare(method, path, body, field, theirs[kind], UNKNOWN[kind])
        if new_key:
            compare(method, path, body, new_key[0], new_key[1], new_key[2])
        if path in ("/login", "/logout"):
            browser = world.client(intruder)
    assert _everything(world) == before, "a write naming another agency's key changed something"
    assert {(m, p) for m, p, _ in tried} >= {("POST", "/api/v1/organizations/{code}/roles"),
                                             ("PATCH", "/api/v1/channels/{channel_id}"), ("POST", "/disputes"),
                                             ("POST", "/orgs/{code}/channels"), ("POST", "/tasks/{task_id}/assign"),
                                             ("POST", "/api/v1/tasks/{task_id}/assign")}, tried
    assert len(tried) >= 19, tried  # 15 fields of API bodies, 4 of forms


def _export_routes(app: Any) -> list[str]:
    """The GET routes that export their list as a file (a `format` query parameter: web.exports)."""
    return sorted({r.path for r in every_route(app.routes) if "GET" in (getattr(r, "methods", None) or ())
                   and "format" in {q.name for q in getattr(getattr(r, "dependant", None), "query_params", ())}
                   and not r.path.endswith("/report")})


def _file_text(answer: Any) -> str:
    """An exported file's text: the CSV, or every cell of the XLSX (its XML is compressed)."""
    if "spreadsheet" not in answer.headers.get("content-type", ""):
        return answer.text
    # Deferred: openpyxl is needed only by the sweep of exports.
    from io import BytesIO

    from openpyxl import load_workbook
    book = load_workbook(BytesIO(answer.content), read_only=True)
    return json.dumps([list(r) for s in book.worksheets for r in s.iter_rows(values_only=True)], ensure_ascii=False,
                      default=str)


@pytest.mark.parametrize("intruder", ["b_admin", "b_super", "b_staff"])
def test_no_export_shows_another_agencys_data(world, intruder):
    """Every list that exports (found by its `format` parameter) as CSV and XLSX, as B's users with
    A's ids as filters: the files hold B's rows only, or the route refuses."""
    browser = world.client(intruder)
    params = _params(world)
    routes = _export_routes(browser.http.app)
    assert len(routes) >= 20, routes  # 12 API lists, 8 dashboard lists: a shrinking list means exports went missing
    exported = 0
    for path in routes:
        url = path
        for name, value in params.items():
            url = url.replace("{" + name + "}", str(value))
        for fmt in ("csv", "xlsx"):
            for query in ("", f"&channel={params['channel_id']}&owner=cn-440300&tier=prefecture&kind=website"):
                answer = browser.get(f"{url}?format={fmt}{query}")
                assert answer.status_code in (200, 403, 404, 422), (intruder, url, fmt, answer.status_code)
                if answer.status_code == 200:
                    exported += 1
                    shown = _shows_a(_file_text(answer))
                    assert not shown, f"{intruder} {url}?format={fmt}{query} shows {shown}"
    assert exported >= 20  # the sweep is not passing because everything is refused
