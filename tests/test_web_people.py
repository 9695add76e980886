"""People across organizations (issue 14, finding 1 and the scope items of finding 6): a key
named in a write resolves only within the writer's scope, and an out-of-scope one answers as an
unknown one; naming a person never brings them into one's scope; a taken natural key answers
alike wherever its row is; a change is filed under every organization whose data it touches;
viewers see contacts masked as the command line masks them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from mgov.db.tables import PEOPLE, RESPONSIBILITIES, ROLES
from webworld import build_world, flash_of


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def _web(answer: Any) -> list[dict[str, Any]]:
    """The audit log's entries made through the web's faces (not the world's own setup)."""
    return [e for e in answer.json()["items"] if e["face"] in ("web", "api")]


def _person(world, key: str) -> tuple[Any, ...]:
    """A person's row, roles and channel responsibilities, as stored."""
    with world.engine.connect() as conn:
        row = conn.execute(select(PEOPLE).where(PEOPLE.c.key == key)).one()
        roles = conn.execute(select(ROLES.c.organization_id, ROLES.c.role).where(ROLES.c.person_id == row.id)).all()
        answers = conn.execute(select(RESPONSIBILITIES.c.channel_id, RESPONSIBILITIES.c.role)
                               .where(RESPONSIBILITIES.c.person_id == row.id)).all()
    return tuple(row), sorted(roles), sorted(answers)


def _as_if(answer: Any, asked: str, instead: str) -> tuple[int, Any]:
    """An answer with the key the request named replaced, to compare with another key's."""
    return answer.status_code, json.loads(answer.text.replace(asked, instead))


def test_another_agencys_person_cannot_be_taken_over(world):
    """The tester's steps, as Guangzhou's agency admin against Shenzhen's content manager:
    GET 404, assign a role, GET, PATCH the e-mail. Every step answers as for a person who does
    not exist, and nothing of the person changes."""
    b = world.client("b_admin")
    before = _person(world, "zhao.lei")
    assert b.api("GET", "/api/v1/people/zhao.lei").status_code == 404
    for method, url, body in (
            ("POST", "/api/v1/organizations/cn-440100/roles", {"person": "{key}", "role": "cio"}),
            ("POST", "/api/v1/channels", {"kind": "website", "address": "https://new.gz.gov.cn", "owner": "cn-440100",
                                          "responsible": {"content_manager": ["{key}"]}}),
            ("PATCH", f"/api/v1/channels/{world.ids['channel_b']}", {"responsible": {"cio": ["{key}"]}})):
        unknown = b.api(method, url, json=json.loads(json.dumps(body).replace("{key}", "no.such.person")))
        taken = b.api(method, url, json=json.loads(json.dumps(body).replace("{key}", "zhao.lei")))
        assert unknown.status_code == 404, (url, unknown.text)
        assert _as_if(taken, "zhao.lei", "no.such.person") == _as_if(unknown, "", ""), (url, taken.text)
    assert b.api("GET", "/api/v1/people/zhao.lei").status_code == 404  # not brought into B's scope
    assert "zhao.lei" not in b.api("GET", "/api/v1/people").text
    patched = b.api("PATCH", "/api/v1/people/zhao.lei", json={"email": "attacker@b.example"})
    unknown = b.api("PATCH", "/api/v1/people/no.such.person", json={"email": "attacker@b.example"})
    assert patched.status_code == 404 and _as_if(patched, "zhao.lei", "no.such.person") == _as_if(unknown, "", "")
    assert _person(world, "zhao.lei") == before
    assert world.client("a_admin").api("GET", "/api/v1/people/zhao.lei").json()["email"] == "zhao.lei@sz.example"


def test_a_person_serving_two_agencies_is_changed_only_from_above_both(world):
    """When the whole registry's admin gives Shenzhen's person a role in Guangzhou too, Guangzhou
    sees them (and its own role only), but their details, which Shenzhen sees as well, are
    changed only by a user whose scope covers both; the change shows in both agencies' logs."""
    admin, b = world.client("admin"), world.client("b_admin")
    assigned = admin.api("POST", "/api/v1/organizations/cn-440100/roles", json={"person": "zhao.lei", "role": "cio"})
    assert assigned.status_code == 201, assigned.text
    seen = b.api("GET", "/api/v1/people/zhao.lei").json()
    assert [(r["organization"], r["role"]) for r in seen["roles"]] == [("cn-440100", "cio")]
    before = _person(world, "zhao.lei")
    for user in ("b_admin", "a_admin"):
        refused = world.client(user).api("PATCH", "/api/v1/people/zhao.lei", json={"email": "x@b.example"})
        assert refused.status_code == 403, refused.text
    assert _person(world, "zhao.lei") == before
    changed = world.client("supervisor").api("PATCH", "/api/v1/people/zhao.lei", json={"phone": "020-12345678"})
    assert changed.status_code == 200 and changed.json()["phone"] == "020-12345678"
    for user in ("a_admin", "b_admin"):
        log = _web(world.client(user).api("GET", "/api/v1/audit", params={"subject": "person:zhao.lei"}))
        assert [(e["action"], e["actor"], e["detail"]) for e in log] == [
            ("person.updated", "supervisor", {"changes": {"phone": [None, "020-12345678"]}})], user


def test_changes_are_filed_under_every_organization_they_touch(world):
    """A person's change made from above (the whole registry's admin) shows in the log of the
    agency the person serves; a channel moved between agencies shows in both agencies' logs."""
    admin = world.client("admin")
    assert admin.api("PATCH", "/api/v1/people/zhao.lei", json={"email": "zl@sz.example"}).status_code == 200
    log = _web(world.client("a_admin").api("GET", "/api/v1/audit", params={"subject": "person:zhao.lei"}))
    assert [(e["action"], e["detail"]) for e in log] == [
        ("person.updated", {"changes": {"email": ["zhao.lei@sz.example", "zl@sz.example"]}})]
    assert world.client("b_admin").api("GET", "/api/v1/audit", params={"subject": "person:zhao.lei"}
                                       ).json()["items"] == []
    subject = f"channel:{world.ids['channel_a']}"
    moved = world.client("supervisor").api("PATCH", f"/api/v1/channels/{world.ids['channel_a']}",
                                           json={"owner": "cn-440100"})
    assert moved.status_code == 200 and moved.json()["owner"] == "cn-440100"
    for user in ("a_admin", "b_admin"):
        log = _web(world.client(user).api("GET", "/api/v1/audit", params={"subject": subject}))
        assert [(e["action"], e["detail"]) for e in log] == [
            ("channel.updated", {"changes": {"owner": ["cn-440300", "cn-440100"]}})], user


def test_a_taken_key_answers_alike_wherever_its_row_is(world):
    """Natural keys are unique across the registry: creating one that is taken is refused (409)
    with the same answer whether the row is the user's or another agency's, naming nothing."""
    b = world.client("b_admin")
    cases = [
        ("/api/v1/organizations", {"code": "{key}", "jurisdiction": "cn", "tier": "county", "name_zh": "x",
                                   "parent": "cn-440100"}, "cn-440300", "cn-440100"),
        ("/api/v1/channels", {"kind": "website", "address": "{key}", "owner": "cn-440100"},
         "https://www.sz.gov.cn", "https://www.gz.gov.cn"),
        ("/api/v1/people", {"key": "{key}", "organization": "cn-440100", "role": "cio"}, "zhao.lei", "wang.fang"),
    ]
    for url, body, theirs, ours in cases:
        answers = [b.api("POST", url, json=json.loads(json.dumps(body).replace("{key}", key)))
                   for key in (theirs, ours)]
        assert answers[0].status_code == answers[1].status_code == 409, [a.text for a in answers]
        assert answers[0].json() == answers[1].json(), [a.text for a in answers]
        assert theirs not in answers[0].text
    forms = [b.post_form("/orgs/cn-440100/channels", {"kind": "website", "address": address})
             for address in ("https://www.sz.gov.cn", "https://www.gz.gov.cn")]
    assert forms[0].status_code == 303 and "error" in flash_of(forms[0])
    assert forms[0].headers["location"] == forms[1].headers["location"]


def test_viewers_see_contacts_masked_as_the_command_line_shows_them(world, cli):
    """Without contacts.read (viewer, agency staff) the API and the pages mask e-mail, phone and
    a person key that is an e-mail exactly as `mgov person list` does; with it, in full."""
    admin = world.client("admin")
    assert admin.api("PATCH", "/api/v1/people/zhao.lei", json={"phone": "13800138000"}).status_code == 200
    made = admin.api("POST", "/api/v1/people", json={"key": "li.na@sz.example", "name": "李娜",
                                                     "email": "li.na@sz.example", "phone": "0755-88776655"})
    assert made.status_code == 201, made.text
    assert admin.api("POST", "/api/v1/organizations/cn-440300/roles", json={
        "person": "li.na@sz.example", "role": "security_officer"}).status_code == 201
    channel = f"/api/v1/channels/{world.ids['channel_a']}"
    assert admin.api("PATCH", channel, json={"responsible": {"security_officer": ["li.na@sz.example"]}}
                     ).status_code == 200
    cli_rows = {r["name"]: r for r in cli.json("person", "list", "--org", "cn-440300")}
    for user in ("a_viewer", "a_staff"):
        reader = world.client(user)
        listed = {r["name"]: r for r in reader.api("GET", "/api/v1/people").json()["items"]}
        assert {n: {k: r[k] for k in ("key", "name", "email", "phone")} for n, r in listed.items()} == cli_rows
        assert cli_rows["李娜"]["key"] == "l***@sz.example" and cli_rows["赵磊"]["phone"] == "138****8000"
        shown = reader.api("GET", "/api/v1/people/zhao.lei").json()
        assert (shown["email"], shown["phone"]) == ("z***@sz.example", "138****8000")
        texts = [reader.api("GET", channel).text, reader.api("GET", "/api/v1/organizations/cn-440300").text,
                 reader.api("GET", "/api/v1/tasks").text, reader.get(f"/channels/{world.ids['channel_a']}").text,
                 reader.get("/orgs/cn-440300").text, reader.get("/tasks").text]
        for text in texts:
            assert "li.na@" not in text and "13800138000" not in text and "zhao.lei@" not in text
        assert "l***@sz.example" in texts[0] and "l***@sz.example" in texts[4]
    full = world.client("a_admin").api("GET", "/api/v1/people/zhao.lei").json()
    assert (full["email"], full["phone"]) == ("zhao.lei@sz.example", "13800138000")
    assert "li.na@sz.example" in world.client("a_admin").get(f"/channels/{world.ids['channel_a']}").text
