"""Authorization by enumeration: every route of the application (API and dashboard, every
method) is tried by users of agency B with agency A's ids in the path and bodies that would
be valid; none may show A's data or change it. New routes are covered by construction: a
mutating route without a body here fails the test."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from mgov.act import disputes
from mgov.db.tables import (
    API_TOKENS,
    AUDIT_LOG,
    CHANNELS,
    DISPUTES,
    NOTIFICATION_TARGETS,
    ORGS,
    PEOPLE,
    RECTIFICATION_TASKS,
    ROLES,
    USERS,
)
from webworld import World, build_world, flash_of

# What only agency A's data contains (B's pages must never show it).
A_MARKERS = ("sz.gov.cn", "cn-440300", "深圳", "Shenzhen", "zhao.lei", "a_staff", "a_admin", "a_viewer", "sz.example")
JSON_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/organizations"): {"code": "cn-440399", "jurisdiction": "cn", "tier": "county",
                                        "parent": "cn-440300"},
    ("PATCH", "/api/v1/organizations/{code}"): {"name_en": "taken over"},
    ("POST", "/api/v1/organizations/{code}/roles"): {"person": "wang.fang", "role": "cio"},
    ("POST", "/api/v1/people"): {"key": "b.new.person", "name": "新人"},
    ("PATCH", "/api/v1/people/{key}"): {"name": "taken over"},
    ("POST", "/api/v1/channels"): {"kind": "website", "address": "https://new.sz.gov.cn", "owner": "cn-440300"},
    ("PATCH", "/api/v1/channels/{channel_id}"): {"name": "taken over"},
    ("POST", "/api/v1/tasks/{task_id}/close"): {"note": "fixed, says B"},
    ("POST", "/api/v1/disputes"): {"assessment": "{assessment_id}", "channel": "{channel_id}", "indicator": "d_ipv6",
                                   "reason": "B disputes A"},
    ("POST", "/api/v1/disputes/{dispute_id}/decision"): {"overturn": True, "note": "B decides"},
    ("POST", "/api/v1/me/tokens"): {"name": "B's own token"},
    ("DELETE", "/api/v1/me/tokens/{token_id}"): None,
    ("POST", "/api/v1/users"): {"username": "b.plant", "password": "0123456789ab", "role": "agency_staff",
                                "organization": "cn-440300"},
    ("PATCH", "/api/v1/users/{user_id}"): {"role": "viewer", "active": False},
    ("POST", "/api/v1/notification-targets"): {"kind": "email", "address": "ops@b.example",
                                               "organization": "cn-440300"},
    ("DELETE", "/api/v1/notification-targets/{target_id}"): None,
}
FORM_BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/login"): {"username": "a_staff", "password": "wrong password"},
    ("POST", "/logout"): {},
    ("POST", "/orgs/{code}/edit"): {"name_en": "taken over"},
    ("POST", "/orgs/{code}/channels"): {"kind": "website", "address": "https://new2.sz.gov.cn"},
    ("POST", "/channels/{channel_id}/edit"): {"name": "taken over", "status": "closed"},
    ("POST", "/tasks/{task_id}/close"): {"note": "fixed, says B"},
    ("POST", "/disputes"): {"assessment": "{assessment_id}", "channel": "{channel_id}", "indicator": "d_ipv6",
                            "reason": "B disputes A"},
    ("POST", "/disputes/{dispute_id}/decision"): {"decision": "overturn", "note": "B decides"},
    ("POST", "/account/tokens"): {"name": "B's own token"},
    ("POST", "/account/tokens/{token_id}/revoke"): {},
    ("POST", "/users"): {"username": "b.plant2", "password": "0123456789ab", "role": "agency_staff",
                         "organization": "cn-440300"},
    ("POST", "/users/{user_id}/edit"): {"active": "0"},
}
# Routes B may use successfully (their own account, the language, public documents): the
# answer still must not show A's data.
ALLOWED = {("POST", "/api/v1/people"), ("POST", "/api/v1/me/tokens"), ("POST", "/account/tokens"),
           ("POST", "/login"), ("POST", "/logout")}


def _state(world: World) -> str:
    """Everything of A's that a request could change."""
    with world.engine.connect() as conn:
        parts = [
            conn.execute(select(ORGS).where(ORGS.c.code == "cn-440300")).all(),
            conn.execute(select(CHANNELS).where(CHANNELS.c.id == world.ids["channel_a"])).all(),
            conn.execute(select(RECTIFICATION_TASKS).where(RECTIFICATION_TASKS.c.channel_id == world.ids["channel_a"])
                         ).all(),
            conn.execute(select(DISPUTES).where(DISPUTES.c.channel_id == world.ids["channel_a"])).all(),
            conn.execute(select(USERS.c.id, USERS.c.role, USERS.c.active, USERS.c.password_hash)
                         .where(USERS.c.username.like("a_%"))).all(),
            conn.execute(select(API_TOKENS).where(API_TOKENS.c.id == world.ids["token_a"])).all(),
            conn.execute(select(ROLES).where(ROLES.c.organization_id == select(ORGS.c.id).where(
                ORGS.c.code == "cn-440300").scalar_subquery())).all(),
            conn.execute(select(PEOPLE).where(PEOPLE.c.key == "zhao.lei")).all(),
            conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address.like("%new%.sz.gov.cn%"))).all(),
            conn.execute(select(NOTIFICATION_TARGETS)).all(),
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
        from mgov.act import notify

        target = notify.add_target(conn, org_code="cn-440300", kind="email", address="web@sz.example")
        w.ids |= {"token_a": row["id"], "task_a": task, "dispute_a": dispute["id"],
                  "user_a": users.user_id_of(conn, "a_staff"), "target_a": target["id"]}
    return w


def _params(world: World) -> dict[str, Any]:
    i = world.ids
    return {"code": "cn-440300", "channel_id": i["channel_a"], "finding_id": i["finding_a"], "index": 0,
            "run_id": i["run"], "assessment_id": i["assessment"], "task_id": i["task_a"], "dispute_id": i["dispute_a"],
            "key": "zhao.lei", "user_id": i["user_a"], "token_id": i["token_a"], "profile_id": "cn-2019-website",
            "fmt": "csv", "channel": i["channel_a"], "target_id": i["target_a"]}


def _fill(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return params[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    return value


def _routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the application answers, whatever FastAPI's router nesting."""
    from fastapi import routing

    walk = getattr(routing, "iter_route_contexts", None)  # FastAPI >= 0.16x includes routers lazily
    found = list(walk(app.routes)) if walk else [r for r in app.routes if isinstance(r, APIRoute)]
    out = []
    for route in found:
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
                body = _fill(JSON_BODIES[(method, path)], params)
                answer = browser.api(method, url, json=body) if body is not None else browser.api(method, url)
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
    for (method, path), body in JSON_BODIES.items():
        if (method, path) in {("POST", "/api/v1/me/tokens"), ("DELETE", "/api/v1/me/tokens/{token_id}")}:
            continue  # their own tokens: every user may
        url = path
        for name, value in params.items():
            url = url.replace("{" + name + "}", str(value))
        answer = browser.api(method, url, json=_fill(body, params)) if body is not None else browser.api(method, url)
        assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
    assert _state(world) == before
