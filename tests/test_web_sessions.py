"""Sessions and tokens after a change of what they were granted on: a password reset, a
disable (and re-enable), a role change end them; users change their own password; the
password policy refuses common and trivial passwords."""

from __future__ import annotations

import pytest

from mgov.accounts.policy import check_password
from mgov.errors import InvalidValue
from webworld import PASSWORD, build_world, flash_of

NEW = "plum orchard ferry lantern"


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def _user_id(world, username: str) -> int:
    admin = world.client("admin")
    return next(u["id"] for u in admin.api("GET", "/api/v1/users", params={"limit": 200}).json()["items"]
                if u["username"] == username)


def _signed_in(browser) -> bool:
    return browser.api("GET", "/api/v1/me").status_code == 200


def _token(browser) -> dict[str, str]:
    made = browser.api("POST", "/api/v1/me/tokens", json={"name": "script"})
    assert made.status_code == 201
    return {"Authorization": f"Bearer {made.json()['token']}"}


def test_a_password_reset_ends_sessions_and_tokens(world):
    staff = world.client("a_staff")
    bearer = _token(staff)
    staff_id = _user_id(world, "a_staff")
    admin = world.client("a_admin")
    assert admin.api("PATCH", f"/api/v1/users/{staff_id}", json={"password": NEW}).status_code == 200
    assert not _signed_in(staff)
    assert world.client().http.get("/api/v1/me", headers=bearer).status_code == 401
    assert world.client().login("a_staff", PASSWORD).status_code == 401
    assert world.client().login("a_staff", NEW).status_code == 303


def test_disable_then_enable_brings_back_no_old_session_or_token(world):
    staff = world.client("a_staff")
    bearer = _token(staff)
    staff_id = _user_id(world, "a_staff")
    admin = world.client("a_admin")
    assert admin.api("PATCH", f"/api/v1/users/{staff_id}", json={"active": False}).status_code == 200
    assert admin.api("PATCH", f"/api/v1/users/{staff_id}", json={"active": True}).status_code == 200
    assert not _signed_in(staff)
    assert world.client().http.get("/api/v1/me", headers=bearer).status_code == 401
    assert world.client().login("a_staff").status_code == 303  # the user, signing in again, is fine


def test_a_role_change_ends_sessions_and_keeps_tokens(world):
    viewer = world.client("a_viewer")
    bearer = _token(viewer)
    viewer_id = _user_id(world, "a_viewer")
    assert world.client("a_admin").api("PATCH", f"/api/v1/users/{viewer_id}",
                                       json={"role": "agency_staff"}).status_code == 200
    assert not _signed_in(viewer)
    # Tokens act with the role the user has now (read on every request): they stay.
    me = world.client().http.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["role"] == "agency_staff"


def test_the_command_line_reset_ends_sessions_too(world, cli):
    staff = world.client("a_staff")
    cli("user", "edit", "a_staff", "--password-stdin", input=NEW + "\n")
    assert not _signed_in(staff)


def test_users_change_their_own_password(world):
    here, elsewhere = world.client("a_staff"), world.client("a_staff")
    bearer = _token(here)
    wrong = here.api("POST", "/api/v1/me/password", json={"current_password": "not it at all",
                                                          "new_password": NEW})
    assert wrong.status_code == 401
    weak = here.api("POST", "/api/v1/me/password", json={"current_password": PASSWORD,
                                                         "new_password": "password12"})
    assert weak.status_code == 422 and "common" in weak.json()["error"]["message"]
    assert _signed_in(elsewhere)  # refused changes end nothing
    changed = here.api("POST", "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert changed.status_code == 200 and changed.json()["sessions_ended"] == 1
    assert _signed_in(here) and not _signed_in(elsewhere)
    assert world.client().http.get("/api/v1/me", headers=bearer).status_code == 200
    assert world.client().login("a_staff", PASSWORD).status_code == 401
    assert world.client().login("a_staff", NEW).status_code == 303
    # The dashboard's form does the same, and wants the confirmation to match.
    mismatch = here.post_form("/account/password", {"current_password": NEW, "new_password": PASSWORD,
                                                     "confirm_password": PASSWORD + "x"})
    assert mismatch.status_code == 303 and "differ" in flash_of(mismatch)["error"]
    done = here.post_form("/account/password", {"current_password": NEW, "new_password": PASSWORD,
                                                 "confirm_password": PASSWORD})
    assert done.status_code == 303 and flash_of(done)["done"] == "password_changed"
    assert world.client().login("a_staff", PASSWORD).status_code == 303


def test_guessing_the_current_password_through_a_session_is_throttled(world):
    staff = world.client("a_staff")
    codes = [staff.api("POST", "/api/v1/me/password", json={"current_password": f"guess number {i}",
                                                            "new_password": NEW}).status_code for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "qwertyuiop", "woaini1314520",
                                      "a_staff2026!", "Shenzhen12", "zzzzzzzzzzzzzzzz", "abcdefghijk"])
def test_the_policy_refuses_common_and_trivial_passwords(world, password):
    made = world.client("a_admin").api("POST", "/api/v1/users", json={
        "username": "a_staff2026" if "a_staff" in password else "li.na", "password": password,
        "role": "viewer", "organization": "cn-440300"})
    assert made.status_code == 422, made.text


def test_the_policy_says_why_and_lets_passphrases_through():
    with pytest.raises(InvalidValue, match="at least 10"):
        check_password("short", username="li.na")
    with pytest.raises(InvalidValue, match="user name"):
        check_password("li.na.the.great.one", username="li.na")
    with pytest.raises(InvalidValue, match="common"):
        check_password("Password123", username="li.na")
    with pytest.raises(InvalidValue, match="easy to guess"):
        check_password("1111122222", username="li.na")
    for fine in ("correct horse battery", NEW, "深圳市政务服务数据管理局2026", "Tr0ub4dor&3x-river"):
        check_password(fine, username="li.na")
