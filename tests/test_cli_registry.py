"""The registry commands end to end: `mgov ...` in-process against a real database.

Every test drives the CLI the way a user does and checks what was stored by reading it
back through the CLI (--json), so a test fails if either the write or the read is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from mgov.cli import app
from mgov.db.engine import head_revision

# The sample registry's audit is stable as of this date (wang.fang's records_officer role
# ended 2026-06-30; every other assignment started before 2026).
AUDIT_DAY = "2026-07-15"


# --- helpers ----------------------------------------------------------------------------

def add_org(cli: Any, code: str, tier: str = "prefecture", parent: str | None = None, **opts: str) -> None:
    args = ["org", "add", code, "-j", opts.pop("jurisdiction", "cn"), "--tier", tier,
            "--name-zh", opts.pop("name_zh", f"单位 {code}")]
    if parent:
        args += ["--parent", parent]
    for name, value in opts.items():
        args += [f"--{name.replace('_', '-')}", value]
    cli(*args)


def add_person(cli: Any, key: str, **opts: str) -> None:
    args = ["person", "add", "--key", key, "--name", opts.pop("name", key)]
    for name, value in opts.items():
        args += [f"--{name}", value]
    cli(*args)


def org(cli: Any, code: str) -> dict[str, Any]:
    return cli.json("org", "show", code)


def channel(cli: Any, address: str, *kind: str) -> dict[str, Any]:
    return cli.json("channel", "show", address, *(("--kind", kind[0]) if kind else ()))


def codes(rows: list[dict[str, Any]], field: str = "code") -> list[str]:
    return [r[field] for r in rows]


def audit(cli: Any, *args: str, code: int = 0) -> dict[str, Any]:
    return cli.json("registry", "audit", "--on", AUDIT_DAY, *args, code=code)


def subjects(report: dict[str, Any], rule: str) -> set[str]:
    return {f["subject"] for f in report["findings"] if f["rule"] == rule}


@pytest.fixture
def cli(cli: Any) -> Any:
    """conftest's CLI with a wide console: rich wraps lines at 80 columns otherwise."""
    cli.env["COLUMNS"] = "250"
    return cli


@pytest.fixture
def sample(cli: Any, cn_sample: Path) -> Any:
    """The CLI over a database holding the sample Chinese registry."""
    cli("import", str(cn_sample))
    return cli


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet: no schema at all."""
    return f"sqlite:///{tmp_path / 'fresh' / 'new.db'}"


# --- init, db upgrade, db current ----------------------------------------------------------

def test_init_creates_home_and_database_at_head(cli, tmp_path, fresh_url):
    home = tmp_path / "newhome"
    out = cli("init", MGOV_DATABASE_URL=fresh_url, MGOV_HOME=str(home)).stdout
    assert "Initialized mgov in" in out and "new.db" in out
    assert home.is_dir() and (home / "archive").is_dir()
    assert (tmp_path / "fresh" / "new.db").is_file()
    head = head_revision()
    assert f"Database revision: {head} (this mgov needs {head})" in \
        cli("db", "current", MGOV_DATABASE_URL=fresh_url).stdout
    # The new database is usable right away, and it is not the test database.
    cli("org", "add", "cn-1", "-j", "cn", "--tier", "national", "--name-zh", "国务院",
        MGOV_DATABASE_URL=fresh_url)
    assert "cn-1" in cli("org", "list", MGOV_DATABASE_URL=fresh_url).stdout
    assert "cn-1" not in cli("org", "list").stdout


def test_init_defaults_to_sqlite_in_the_home_folder(cli, tmp_path):
    home = tmp_path / "home2"
    cli("init", MGOV_DATABASE_URL="", MGOV_HOME=str(home))
    assert (home / "mgov.db").is_file()
    cli("init", MGOV_DATABASE_URL="", MGOV_HOME=str(home))  # again: nothing to do, no error


def test_db_upgrade_then_current(cli, fresh_url):
    head = head_revision()
    assert "Database revision: None" in cli("db", "current", MGOV_DATABASE_URL=fresh_url).stdout
    assert f"Database at revision {head}" in cli("db", "upgrade", MGOV_DATABASE_URL=fresh_url).stdout
    assert f"Database revision: {head} (this mgov needs {head})" in \
        cli("db", "current", MGOV_DATABASE_URL=fresh_url).stdout
    assert f"Database at revision {head}" in cli("db", "upgrade", MGOV_DATABASE_URL=fresh_url).stdout


@pytest.mark.parametrize("args", [
    ("org", "list"),
    ("org", "add", "cn-1", "-j", "cn", "--tier", "national", "--name-zh", "国务院"),
    ("person", "list"),
    ("channel", "list"),
    ("role", "list"),
    ("registry", "audit"),
])
def test_uninitialized_database_is_refused_with_a_hint(cli, fresh_url, args):
    result = cli(*args, code=1, MGOV_DATABASE_URL=fresh_url)
    assert "not initialized" in result.output
    assert "mgov db upgrade" in result.output
    assert "Traceback" not in result.output
    # Refusing did not create the schema behind the user's back.
    assert "Database revision: None" in cli("db", "current", MGOV_DATABASE_URL=fresh_url).stdout


# --- org ----------------------------------------------------------------------------------

def test_org_add_with_parent(cli):
    assert "Created organization cn-440000" in cli(
        "org", "add", "cn-440000", "-j", "cn", "--tier", "provincial", "--name-zh", "广东省人民政府",
        "--name-en", "Guangdong", "--region", "440000").stdout
    cli("org", "add", "cn-440300", "-j", "CN", "--tier", "Prefecture", "--name-zh", "深圳市人民政府",
        "--parent", "cn-440000", "--region", "440300", "--no-external-service")
    child = org(cli, "cn-440300")
    assert child["parent"] == "cn-440000"
    assert (child["jurisdiction"], child["tier"]) == ("cn", "prefecture")  # lower-cased
    assert child["region_code"] == "440300"
    assert child["no_external_service"] is True and child["active"] is True
    root = org(cli, "cn-440000")
    assert root["parent"] is None
    assert root["children"] == ["cn-440300"]
    assert (root["name_zh"], root["name_en"], root["no_external_service"]) == ("广东省人民政府", "Guangdong", False)


def test_org_add_duplicate_is_refused(cli):
    add_org(cli, "cn-440300", name_zh="深圳市人民政府")
    result = cli("org", "add", "cn-440300", "-j", "cn", "--tier", "county", "--name-zh", "别的", code=1)
    assert "exists already" in result.output and "use edit" in result.output
    assert org(cli, "cn-440300")["name_zh"] == "深圳市人民政府"
    assert org(cli, "cn-440300")["tier"] == "prefecture"


@pytest.mark.parametrize("jurisdiction, tier, message", [
    ("cn", "state", "unknown tier for jurisdiction cn 'state'"),
    ("us", "prefecture", "unknown tier for jurisdiction us 'prefecture'"),
    ("xx", "county", "unknown jurisdiction 'xx'"),
])
def test_org_add_unknown_tier_is_refused(cli, jurisdiction, tier, message):
    result = cli("org", "add", "x-1", "-j", jurisdiction, "--tier", tier, "--name-en", "X", code=1)
    assert message in result.output
    assert "no organization with code 'x-1'" in cli("org", "show", "x-1", code=1).output


def test_org_add_refuses_unknown_parent_and_missing_name(cli):
    assert "unknown parent 'nowhere'" in cli(
        "org", "add", "cn-1", "-j", "cn", "--tier", "county", "--name-zh", "甲", "--parent", "nowhere",
        code=1).output
    assert "a name" in cli("org", "add", "cn-2", "-j", "cn", "--tier", "county", code=1).output
    assert cli.json("org", "list") == []


def test_org_list_filters_and_json_fields(sample):
    rows = sample.json("org", "list")
    assert codes(rows) == sorted(codes(rows)) and len(rows) == 7
    assert set(rows[0]) == {"code", "name_zh", "name_en", "jurisdiction", "tier", "parent", "region_code",
                            "active", "no_external_service"}
    by_code = {r["code"]: r for r in rows}
    assert by_code["cn-440303-old"]["active"] is False
    assert by_code["cn-440300-daj"]["no_external_service"] is True
    assert by_code["cn-440300"]["parent"] == "cn-440000"
    assert codes(sample.json("org", "list", "--tier", "county")) == ["cn-440303", "cn-440303-old"]
    assert codes(sample.json("org", "list", "--parent", "cn-440300")) == \
        ["cn-440300-daj", "cn-440300-fgw", "cn-440303"]
    assert codes(sample.json("org", "list", "--parent", "cn-440303", "--tier", "township")) == ["cn-440303-001"]
    assert codes(sample.json("org", "list", "--search", "罗湖")) == ["cn-440303", "cn-440303-001", "cn-440303-old"]
    assert codes(sample.json("org", "list", "--search", "Archives")) == ["cn-440300-daj"]
    assert codes(sample.json("org", "list", "-s", "440303-0")) == ["cn-440303-001"]
    assert len(sample.json("org", "list", "--limit", "2")) == 2
    assert sample.json("org", "list", "--tier", "national") == []
    table = sample("org", "list", "--tier", "county").stdout
    assert "cn-440303" in table and "cn-440000" not in table
    assert "(none)" in sample("org", "list", "--search", "nothing-like-this").stdout


def test_org_search_ignores_case(sample):
    # The same search must find the same rows on SQLite and PostgreSQL.
    assert codes(sample.json("org", "list", "--search", "shenzhen archives")) == ["cn-440300-daj"]
    assert codes(sample.json("org", "list", "--search", "CN-440300-F")) == ["cn-440300-fgw"]


def test_org_show_has_children_roles_and_channels(sample):
    shown = org(sample, "cn-440300")
    assert shown["code"] == "cn-440300" and shown["name_zh"] == "深圳市人民政府"
    assert shown["parent"] == "cn-440000"
    assert shown["children"] == ["cn-440300-daj", "cn-440300-fgw", "cn-440303"]
    assert {"person": "zhang.wei", "role": "content_manager", "since": "2023-01-01", "until": None} in shown["roles"]
    assert {"person": "wang.fang", "role": "records_officer", "since": "2022-06-01",
            "until": "2026-06-30"} in shown["roles"]
    assert len(shown["roles"]) == 4
    assert shown["channels"] == [
        {"kind": "website", "address": "https://www.sz.gov.cn", "status": "active"},
        {"kind": "wechat_account", "address": "gh_sz_gov", "status": "active"},
    ]
    leaf = org(sample, "cn-440303-001")
    assert (leaf["children"], leaf["roles"], leaf["channels"]) == ([], [], [])
    table = sample("org", "show", "cn-440300").stdout
    assert "children" in table and "zhang.wei" in table and "gh_sz_gov" in table
    assert "no organization with code 'nope'" in sample("org", "show", "nope", code=1).output


def test_org_edit_changes_only_the_given_fields(sample):
    before = org(sample, "cn-440300-fgw")
    out = sample("org", "edit", "cn-440300-fgw", "--name-en", "Shenzhen DRC").stdout
    assert "Updated organization cn-440300-fgw" in out
    after = org(sample, "cn-440300-fgw")
    assert after["name_en"] == "Shenzhen DRC"
    assert {k: v for k, v in after.items() if k != "name_en"} == {k: v for k, v in before.items() if k != "name_en"}

    sample("org", "edit", "cn-440300-fgw", "--region", "440301", "--external-service", "--tier", "COUNTY")
    after = org(sample, "cn-440300-fgw")
    assert (after["region_code"], after["tier"], after["no_external_service"]) == ("440301", "county", False)
    assert (after["name_zh"], after["name_en"], after["parent"]) == (before["name_zh"], "Shenzhen DRC", "cn-440300")

    assert "Nothing to change for organization cn-440300-fgw" in \
        sample("org", "edit", "cn-440300-fgw", "--name-en", "Shenzhen DRC").stdout
    assert "unknown tier" in sample("org", "edit", "cn-440300-fgw", "--tier", "state", code=1).output
    assert org(sample, "cn-440300-fgw")["tier"] == "county"
    assert "no organization" in sample("org", "edit", "nope", "--name-en", "X", code=1).output


def test_org_edit_parent_moves_and_dash_makes_a_root(sample):
    sample("org", "edit", "cn-440303", "--parent", "cn-440000")
    assert org(sample, "cn-440303")["parent"] == "cn-440000"
    assert "cn-440303" in org(sample, "cn-440000")["children"]
    assert "cn-440303" not in org(sample, "cn-440300")["children"]
    sample("org", "edit", "cn-440303", "--parent", "-")
    assert org(sample, "cn-440303")["parent"] is None
    assert "cn-440303" in codes(sample.json("org", "list", "--search", "cn-440303"))
    # Its own children stay with it.
    assert org(sample, "cn-440303")["children"] == ["cn-440303-001", "cn-440303-old"]
    assert "unknown parent" in sample("org", "edit", "cn-440303", "--parent", "nope", code=1).output
    assert org(sample, "cn-440303")["parent"] is None


@pytest.mark.parametrize("code, parent", [
    ("cn-440000", "cn-440303-001"),  # the root under its own grandchild's child
    ("cn-440300", "cn-440303"),  # under its own child
    ("cn-440303", "cn-440303"),  # under itself
])
def test_org_edit_parent_cycle_is_refused(sample, code, parent):
    before = org(sample, code)["parent"]
    assert "would make a cycle" in sample("org", "edit", code, "--parent", parent, code=1).output
    assert org(sample, code)["parent"] == before


def test_org_close_sets_inactive_and_audit_flags_its_channels(sample):
    assert subjects(audit(sample), "channel.inactive_owner") == {"mini_program wechat:wx1a2b3c4d5e6f7a8b"}
    assert "Closed organization cn-440300-fgw" in sample("org", "close", "cn-440300-fgw").stdout
    assert org(sample, "cn-440300-fgw")["active"] is False
    report = audit(sample, "--rule", "channel.inactive_owner")
    assert subjects(report, "channel.inactive_owner") == {"mini_program wechat:wx1a2b3c4d5e6f7a8b",
                                                         "website https://fgw.sz.gov.cn"}
    finding = next(f for f in report["findings"] if f["subject"] == "website https://fgw.sz.gov.cn")
    assert finding["organization"] == "cn-440300-fgw" and finding["severity"] == "error"
    assert "cn-440300-fgw is inactive" in finding["reason_en"]
    # Reopening clears it.
    sample("org", "edit", "cn-440300-fgw", "--active")
    assert "website https://fgw.sz.gov.cn" not in subjects(audit(sample), "channel.inactive_owner")
    assert "no organization" in sample("org", "close", "nope", code=1).output


# --- person -------------------------------------------------------------------------------

def test_person_contacts_are_masked_unless_unmask(cli):
    out = cli("person", "add", "--name", "张伟", "--email", "zhangwei@SZ.Gov.CN", "--phone", "13800138000").stdout
    assert "Created person zhangwei@sz.gov.cn" in out  # the key defaults to the e-mail, lower-cased
    full = {"key": "zhangwei@sz.gov.cn", "name": "张伟", "email": "zhangwei@sz.gov.cn", "phone": "13800138000"}
    masked = {"key": "z***@sz.gov.cn", "name": "张伟", "email": "z***@sz.gov.cn", "phone": "138****8000"}

    assert cli.json("person", "list") == [masked]
    assert cli.json("person", "list", "--unmask") == [full]
    shown = cli.json("person", "show", "zhangwei@sz.gov.cn")
    assert {k: shown[k] for k in masked} == masked and shown["roles"] == []
    shown = cli.json("person", "show", "zhangwei@sz.gov.cn", "--unmask")
    assert {k: shown[k] for k in full} == full

    for args in (("person", "list"), ("person", "show", "zhangwei@sz.gov.cn")):
        table = cli(*args).stdout
        assert "138****8000" in table and "z***@sz.gov.cn" in table
        assert "13800138000" not in table and "zhangwei" not in table
        table = cli(*args, "--unmask").stdout
        assert "13800138000" in table and "zhangwei@sz.gov.cn" in table


def test_person_add_validation(cli):
    assert "give --key or --email" in cli("person", "add", "--name", "无名", code=2).output
    assert "malformed e-mail" in cli("person", "add", "--name", "甲", "--email", "not-an-email", code=1).output
    add_person(cli, "li.qiang", name="李强")
    assert "exists already" in cli("person", "add", "--key", "li.qiang", "--name", "别人", code=1).output
    assert codes(cli.json("person", "list", "--unmask"), "name") == ["李强"]


def test_person_edit_changes_only_the_given_fields(cli):
    add_person(cli, "li.qiang", name="李强", email="li.qiang@sz.example", phone="0755-88888888")
    assert "Updated person li.qiang" in cli("person", "edit", "li.qiang", "--phone", "0755-88886666").stdout
    assert cli.json("person", "show", "li.qiang", "--unmask") == {
        "key": "li.qiang", "name": "李强", "email": "li.qiang@sz.example", "phone": "0755-88886666", "roles": []}
    cli("person", "edit", "li.qiang", "--email", "li.qiang@LH.EXAMPLE")
    assert cli.json("person", "show", "li.qiang", "--unmask")["email"] == "li.qiang@lh.example"
    assert "malformed e-mail" in cli("person", "edit", "li.qiang", "--email", "li.qiang", code=1).output
    assert "Nothing to change" in cli("person", "edit", "li.qiang", "--name", "李强").stdout
    assert "no person with key 'nobody'" in cli("person", "edit", "nobody", "--name", "X", code=1).output


def test_person_list_filters(sample):
    assert codes(sample.json("person", "list", "--org", "cn-440303"), "key") == ["sun.li", "zhao.lei"]
    assert codes(sample.json("person", "list", "--role", "security_officer"), "key") == ["chen.jing", "li.qiang"]
    assert codes(sample.json("person", "list", "--org", "cn-440300", "--role", "records_officer"), "key") == \
        ["wang.fang"]
    assert codes(sample.json("person", "list", "--search", "张"), "key") == ["zhang.wei"]
    assert codes(sample.json("person", "list", "--search", "Zhang"), "key") == ["zhang.wei"]
    assert len(sample.json("person", "list", "--limit", "3")) == 3


def test_person_show_lists_roles(sample):
    shown = sample.json("person", "show", "wang.fang")
    assert shown["roles"] == [
        {"organization": "cn-440300", "role": "new_media_operator", "since": "2022-06-01", "until": None},
        {"organization": "cn-440300", "role": "records_officer", "since": "2022-06-01", "until": "2026-06-30"},
    ]
    assert "no person with key 'nobody'" in sample("person", "show", "nobody", code=1).output


def test_person_close_ends_current_roles_and_audit_flags_channels(sample):
    assert "Closed person wang.fang" in sample("person", "close", "wang.fang", "--on", "2026-09-30").stdout
    roles = {r["role"]: r["until"] for r in sample.json("role", "list", "--person", "wang.fang")}
    # The open role ends on --on; the one that had ended already keeps its own last day.
    assert roles == {"new_media_operator": "2026-09-30", "records_officer": "2026-06-30"}

    sample("person", "close", "zhang.wei", "--on", "2026-01-31")
    assert [r["until"] for r in sample.json("role", "list", "--person", "zhang.wei")] == ["2026-01-31"]
    assert "zhang.wei" not in codes(sample.json("role", "list", "--current"), "person")

    report = audit(sample, "--rule", "channel.role_holder_ended")
    ended = {(f["subject"], f["details"]["person"], f["details"]["role"]) for f in report["findings"]}
    assert ended == {
        ("website https://www.sz.gov.cn", "zhang.wei", "content_manager"),
        ("wechat_account gh_sz_gov", "zhang.wei", "content_manager"),
        ("website https://www.sz.gov.cn", "wang.fang", "records_officer"),
    }
    assert all(f["severity"] == "warning" for f in report["findings"])
    # As of a day both still served, nothing had ended.
    before = sample.json("registry", "audit", "--on", "2025-12-31", "--rule", "channel.role_holder_ended")
    assert before["findings"] == []


def test_person_close_without_roles_and_unknown(cli):
    add_person(cli, "a.b")
    assert "Closed person a.b" in cli("person", "close", "a.b").stdout
    assert "no person" in cli("person", "close", "nobody", code=1).output


# --- channel ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, raw, stored", [
    ("website", "HTTPS://WWW.Example.GOV/", "https://www.example.gov"),
    ("website", "www.example.gov/path?q=1#frag", "https://www.example.gov/path?q=1"),
    ("website", "http://Example.gov:80/", "http://example.gov"),
    ("mobile_site", "https://M.Example.gov:8443/", "https://m.example.gov:8443"),
    ("mini_program", "wx1234567890abcdef", "wechat:wx1234567890abcdef"),
    ("other_social", "Douyin:luohu_fabu", "douyin:luohu_fabu"),
    ("sms", "+86 106-5555", "+861065555"),
    ("app_android", " gov.example.app ", "gov.example.app"),
])
def test_channel_add_normalizes_the_address(cli, kind, raw, stored):
    assert f"Created channel {kind} {stored}" in cli("channel", "add", kind, raw).stdout
    assert codes(cli.json("channel", "list"), "address") == [stored]
    assert channel(cli, raw, kind)["address"] == stored  # found again by the raw spelling
    assert channel(cli, raw)["kind"] == kind  # and without the kind
    assert "exists already" in cli("channel", "add", kind, raw, code=1).output
    assert len(cli.json("channel", "list")) == 1


@pytest.mark.parametrize("kind, raw, message", [
    ("website", "ftp://example.gov", "scheme must be http or https"),
    ("website", "https://exa mple.gov", "not a valid domain name"),
    ("website", "https://user:pw@example.gov", "credentials are not allowed"),
    ("website", "https://example.gov:99999", "malformed URL"),
    ("app_android", "notapackage", "malformed Android package id"),
    ("app_ios", "12345", "malformed iOS app id"),
    ("other_social", "no-platform", "malformed social account"),
    ("sms", "call-me", "malformed SMS number"),
    ("television", "channel 1", "unknown channel kind"),
])
def test_channel_add_malformed_address_is_refused(cli, kind, raw, message):
    result = cli("channel", "add", kind, raw, code=1)
    assert message in result.output and "Traceback" not in result.output
    assert cli.json("channel", "list") == []


def test_channel_add_refuses_unknown_owner_or_person(cli):
    add_person(cli, "zhang.wei")
    assert "unknown owner organization 'nope'" in cli(
        "channel", "add", "website", "https://a.example.gov", "--owner", "nope", code=1).output
    assert "unknown person 'nobody'" in cli(
        "channel", "add", "website", "https://a.example.gov", "--responsible", "content_manager=nobody",
        code=1).output
    assert "unknown role 'boss'" in cli(
        "channel", "add", "website", "https://a.example.gov", "--responsible", "boss=zhang.wei", code=1).output
    assert "not role=person" in cli(
        "channel", "add", "website", "https://a.example.gov", "--responsible", "zhang.wei", code=1).output
    assert cli.json("channel", "list") == []


def test_channel_add_files_an_opened_event(cli):
    add_org(cli, "cn-440300")
    add_person(cli, "zhang.wei")
    cli("channel", "add", "website", "https://www.sz.gov.cn", "--owner", "cn-440300", "--name", "深圳政府在线",
        "--tag", "portal", "--tag", "gov", "--responsible", "content_manager=zhang.wei",
        "--opened", "2001-01-01", "--note", "网站标识码 4403000001")
    shown = channel(cli, "https://www.sz.gov.cn")
    assert (shown["kind"], shown["name"], shown["owner"], shown["status"]) == \
        ("website", "深圳政府在线", "cn-440300", "active")
    assert shown["tags"] == ["gov", "portal"]
    assert shown["responsible"] == {"content_manager": ["zhang.wei"]}
    assert [(e["event"], e["date"], e["note"]) for e in shown["history"]] == \
        [("opened", "2001-01-01", "网站标识码 4403000001")]

    cli("channel", "add", "wechat_account", "gh_sz_gov")
    assert [(e["event"], e["date"], e["note"]) for e in channel(cli, "gh_sz_gov")["history"]] == \
        [("opened", None, None)]
    assert "is not a date" in cli("channel", "add", "sms", "12345", "--opened", "yesterday", code=1).output


def test_channel_edit_name_files_a_changed_event(sample):
    out = sample("channel", "edit", "https://www.sz.gov.cn", "--name", "深圳市人民政府门户网站").stdout
    assert "Updated channel website https://www.sz.gov.cn" in out
    shown = channel(sample, "https://www.sz.gov.cn")
    assert shown["name"] == "深圳市人民政府门户网站"
    last = shown["history"][-1]
    assert last["event"] == "changed"
    assert last["details"] == {"fields": {"name": ["深圳政府在线", "深圳市人民政府门户网站"]}}
    # Everything not named stayed.
    assert (shown["owner"], shown["tags"], shown["status"]) == ("cn-440300", ["portal"], "active")
    assert len(shown["responsible"]) == 3
    # The same value again: no change, no event.
    assert "Nothing to change" in sample("channel", "edit", "https://www.sz.gov.cn",
                                         "--name", "深圳市人民政府门户网站").stdout
    assert len(channel(sample, "https://www.sz.gov.cn")["history"]) == len(shown["history"])


def test_channel_edit_owner(sample):
    sample("channel", "edit", "douyin:luohu_fabu", "--owner", "cn-440303")
    assert channel(sample, "douyin:luohu_fabu")["owner"] == "cn-440303"
    assert "other_social douyin:luohu_fabu" not in subjects(audit(sample), "channel.no_owner")
    assert channel(sample, "douyin:luohu_fabu")["history"][-1]["event"] == "changed"
    sample("channel", "edit", "douyin:luohu_fabu", "--owner", "-")
    assert channel(sample, "douyin:luohu_fabu")["owner"] is None
    assert "unknown owner" in sample("channel", "edit", "douyin:luohu_fabu", "--owner", "nope", code=1).output
    assert channel(sample, "douyin:luohu_fabu")["owner"] is None


@pytest.mark.parametrize("status", ["suspended", "merged", "closed"])
def test_channel_close_files_the_matching_event(sample, status):
    out = sample("channel", "close", "https://lh.sz.gov.cn", "--status", status, "--on", "2026-03-01",
                 "--note", "并入 https://www.szlh.gov.cn").stdout
    assert "Closed channel website https://lh.sz.gov.cn" in out
    shown = channel(sample, "https://lh.sz.gov.cn")
    assert shown["status"] == status
    last = shown["history"][-1]
    assert (last["event"], last["date"], last["note"]) == (status, "2026-03-01", "并入 https://www.szlh.gov.cn")
    assert last["details"] == {"from": "active", "to": status}
    assert "https://lh.sz.gov.cn" in codes(sample.json("channel", "list", "--status", status), "address")
    # A suspended channel is still open and audited; merged and closed ones are not.
    report = audit(sample)
    assert report["channels_audited"] == (10 if status == "suspended" else 9)
    assert ("website https://lh.sz.gov.cn" in subjects(report, "channel.missing_role")) == (status == "suspended")


def test_channel_close_defaults_to_closed_today_and_resumes(sample):
    sample("channel", "close", "gh_luohu_zw")
    shown = channel(sample, "gh_luohu_zw")
    assert shown["status"] == "closed" and shown["history"][-1]["event"] == "closed"
    assert shown["history"][-1]["date"] is not None
    sample("channel", "edit", "gh_luohu_zw", "--status", "active", "--on", "2026-04-01")
    last = channel(sample, "gh_luohu_zw")["history"][-1]
    assert (last["event"], last["date"], last["details"]) == ("resumed", "2026-04-01",
                                                              {"from": "closed", "to": "active"})
    assert "--status must be closed, suspended or merged" in \
        sample("channel", "close", "gh_luohu_zw", "--status", "active", code=2).output
    assert "unknown status" in sample("channel", "edit", "gh_luohu_zw", "--status", "gone", code=1).output
    assert channel(sample, "gh_luohu_zw")["status"] == "active"


def test_channel_edit_responsible_replaces_only_that_role(sample):
    before = channel(sample, "https://www.sz.gov.cn")["responsible"]
    assert before == {"content_manager": ["zhang.wei"], "records_officer": ["wang.fang"],
                      "security_officer": ["li.qiang"]}
    sample("channel", "edit", "https://www.sz.gov.cn", "--responsible", "records_officer=chen.jing")
    shown = channel(sample, "https://www.sz.gov.cn")
    assert shown["responsible"] == {**before, "records_officer": ["chen.jing"]}
    assert shown["history"][-1]["details"]["fields"]["responsible"] == [before, shown["responsible"]]

    sample("channel", "edit", "https://www.sz.gov.cn",
           "--responsible", "security_officer=zhao.lei", "--responsible", "security_officer=li.qiang",
           "--responsible", "privacy_officer=sun.li")
    assert channel(sample, "https://www.sz.gov.cn")["responsible"] == {
        "content_manager": ["zhang.wei"], "privacy_officer": ["sun.li"], "records_officer": ["chen.jing"],
        "security_officer": ["li.qiang", "zhao.lei"]}
    assert "unknown person 'nobody'" in sample(
        "channel", "edit", "https://www.sz.gov.cn", "--responsible", "content_manager=nobody", code=1).output
    assert channel(sample, "https://www.sz.gov.cn")["responsible"]["content_manager"] == ["zhang.wei"]


def test_channel_tags_replace_and_add(cli):
    cli("channel", "add", "website", "https://a.example.gov", "--tag", "b", "--tag", "a")
    assert channel(cli, "https://a.example.gov")["tags"] == ["a", "b"]
    cli("channel", "edit", "https://a.example.gov", "--tag", "c")
    assert channel(cli, "https://a.example.gov")["tags"] == ["c"]
    cli("channel", "edit", "https://a.example.gov", "--add-tag", "d", "--add-tag", "a")
    assert channel(cli, "https://a.example.gov")["tags"] == ["a", "c", "d"]
    assert "Nothing to change" in cli("channel", "edit", "https://a.example.gov", "--add-tag", "c").stdout
    cli("channel", "edit", "https://a.example.gov", "--tag", "x", "--add-tag", "y")
    assert channel(cli, "https://a.example.gov")["tags"] == ["x", "y"]
    last = channel(cli, "https://a.example.gov")["history"][-1]
    assert last["event"] == "changed" and last["details"]["fields"]["tags"] == [["a", "c", "d"], ["x", "y"]]


def test_channel_list_filters(sample):
    sample("channel", "edit", "gh_luohu_zw", "--add-tag", "portal")
    rows = sample.json("channel", "list")
    assert len(rows) == 11
    assert set(rows[0]) == {"kind", "address", "name", "owner", "status", "tags"}
    assert [(r["kind"], r["address"]) for r in rows] == sorted((r["kind"], r["address"]) for r in rows)

    def addresses(*args: str) -> list[str]:
        return codes(sample.json("channel", "list", *args), "address")

    assert addresses("--kind", "wechat_account") == ["gh_luohu_fabu", "gh_luohu_zw", "gh_sz_gov"]
    assert addresses("--owner", "cn-440303") == ["https://lh.sz.gov.cn", "https://old.szlh.gov.cn",
                                                  "https://www.szlh.gov.cn", "gh_luohu_fabu", "gh_luohu_zw"]
    assert addresses("--owner", "cn-440303", "--kind", "website", "--status", "active") == \
        ["https://lh.sz.gov.cn", "https://www.szlh.gov.cn"]
    assert addresses("--status", "closed") == ["https://old.szlh.gov.cn"]
    assert addresses("--tag", "portal") == ["https://www.sz.gov.cn", "gh_luohu_zw"]
    assert addresses("--tag", "portal", "--kind", "website") == ["https://www.sz.gov.cn"]
    assert addresses("--tag", "portal", "--limit", "1") == ["https://www.sz.gov.cn"]
    assert addresses("--tag", "port") == []  # a tag matches whole, not as a substring
    assert addresses("--search", "罗湖发布") == ["douyin:luohu_fabu", "gh_luohu_fabu"]
    assert addresses("--search", "GH_SZ") == ["gh_sz_gov"]
    assert addresses("--kind", "sms") == []
    table = sample("channel", "list", "--kind", "wechat_account").stdout
    assert "gh_sz_gov" in table and "https://www.sz.gov.cn" not in table


def test_channel_show_by_address_alone_and_kind_when_ambiguous(cli):
    cli("channel", "add", "website", "https://m.example.gov", "--name", "Site")
    shown = channel(cli, "HTTPS://M.EXAMPLE.GOV/")
    assert (shown["kind"], shown["address"], shown["name"]) == ("website", "https://m.example.gov", "Site")
    assert set(shown) >= {"kind", "address", "name", "owner", "status", "tags", "responsible", "history"}
    assert "id" not in shown and "owner_id" not in shown

    cli("channel", "add", "mobile_site", "https://m.example.gov", "--name", "Mobile")
    result = cli("channel", "show", "https://m.example.gov", code=1)
    assert "several kinds" in result.output and "--kind" in result.output
    assert channel(cli, "https://m.example.gov", "mobile_site")["name"] == "Mobile"
    assert channel(cli, "https://m.example.gov/", "website")["name"] == "Site"
    # Editing and closing need the kind too, and touch only that channel.
    assert "--kind" in cli("channel", "edit", "https://m.example.gov", "--name", "X", code=1).output
    cli("channel", "close", "https://m.example.gov", "--kind", "mobile_site")
    assert channel(cli, "https://m.example.gov", "website")["status"] == "active"

    cli("channel", "add", "wechat_account", "gh_same")
    cli("channel", "add", "weibo_account", "gh_same")
    assert "several kinds" in cli("channel", "show", "gh_same", code=1).output
    assert channel(cli, "gh_same", "weibo_account")["kind"] == "weibo_account"

    assert "no channel at 'https://none.example.gov'" in \
        cli("channel", "show", "https://none.example.gov", code=1).output
    assert "of kind sms" in cli("channel", "show", "12345", "--kind", "sms", code=1).output
    table = cli("channel", "show", "https://m.example.gov", "--kind", "website").stdout
    assert "history" in table and "opened" in table


# --- role ---------------------------------------------------------------------------------

@pytest.fixture
def staffed(cli: Any) -> Any:
    add_org(cli, "cn-440300")
    add_person(cli, "zhang.wei")
    add_person(cli, "li.qiang")
    return cli


def test_role_assign_is_idempotent(staffed):
    cli = staffed
    out = cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2024-01-01").stdout
    assert "Created role assignment zhang.wei → cn-440300 cio" in out
    again = cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2024-01-01").stdout
    assert "Nothing to change" in again
    assert "Nothing to change" in cli("role", "assign", "zhang.wei", "cn-440300", "cio").stdout
    assert cli.json("role", "list") == [{"person": "zhang.wei", "organization": "cn-440300", "role": "cio",
                                          "since": "2024-01-01", "until": None}]
    shown = org(cli, "cn-440300")["roles"]
    assert shown == [{"person": "zhang.wei", "role": "cio", "since": "2024-01-01", "until": None}]
    # Giving the last day of that same term updates it rather than adding another.
    out = cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2024-01-01", "--until", "2025-12-31")
    assert "Updated role assignment zhang.wei → cn-440300 cio" in out.stdout
    assert [(r["since"], r["until"]) for r in cli.json("role", "list")] == [("2024-01-01", "2025-12-31")]


def test_role_assign_validation(staffed):
    cli = staffed
    assert "unknown role 'boss'" in cli("role", "assign", "zhang.wei", "cn-440300", "boss", code=1).output
    assert "unknown person 'nobody'" in cli("role", "assign", "nobody", "cn-440300", "cio", code=1).output
    assert "unknown organization 'nope'" in cli("role", "assign", "zhang.wei", "nope", "cio", code=1).output
    assert "before it starts" in cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2025-01-01",
                                     "--until", "2024-01-01", code=1).output
    assert "is not a date" in cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "soon",
                                  code=1).output
    assert cli.json("role", "list") == []


def test_role_end(staffed):
    cli = staffed
    cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2024-01-01")
    cli("role", "assign", "li.qiang", "cn-440300", "cio", "--since", "2024-01-01")
    out = cli("role", "end", "zhang.wei", "cn-440300", "cio", "--on", "2025-06-30").stdout
    assert "Closed role assignment zhang.wei → cn-440300 cio" in out
    rows = {r["person"]: r for r in cli.json("role", "list", "--org", "cn-440300")}
    assert (rows["zhang.wei"]["since"], rows["zhang.wei"]["until"]) == ("2024-01-01", "2025-06-30")
    assert rows["li.qiang"]["until"] is None  # the other holder of the role is untouched

    assert "holds no current cio role" in \
        cli("role", "end", "zhang.wei", "cn-440300", "cio", "--on", "2025-07-31", code=1).output
    assert "holds no current security_officer role" in \
        cli("role", "end", "zhang.wei", "cn-440300", "security_officer", code=1).output
    assert "no organization" in cli("role", "end", "zhang.wei", "nope", "cio", code=1).output
    assert "before it starts" in cli("role", "end", "li.qiang", "cn-440300", "cio", "--on", "2023-01-01",
                                     code=1).output
    assert cli.json("role", "list", "--person", "li.qiang")[0]["until"] is None
    # A new term after the old one ended is a second assignment.
    cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2026-01-01")
    terms = sorted((r["since"], r["until"] or "") for r in cli.json("role", "list", "--person", "zhang.wei"))
    assert terms == [("2024-01-01", "2025-06-30"), ("2026-01-01", "")]


def test_role_list_current_and_filters(staffed):
    cli = staffed
    add_org(cli, "cn-440303", "county", parent="cn-440300")
    cli("role", "assign", "zhang.wei", "cn-440300", "cio", "--since", "2024-01-01")
    cli("role", "assign", "zhang.wei", "cn-440300", "head", "--since", "2020-01-01", "--until", "2021-12-31")
    cli("role", "assign", "li.qiang", "cn-440300", "security_officer", "--since", "2999-01-01")
    cli("role", "assign", "li.qiang", "cn-440303", "content_manager")
    everything = cli.json("role", "list")
    assert len(everything) == 4
    current = {(r["person"], r["organization"], r["role"]) for r in cli.json("role", "list", "--current")}
    assert current == {("zhang.wei", "cn-440300", "cio"), ("li.qiang", "cn-440303", "content_manager")}
    assert {r["role"] for r in cli.json("role", "list", "--org", "cn-440300")} == {"cio", "head",
                                                                                   "security_officer"}
    assert {r["role"] for r in cli.json("role", "list", "--person", "li.qiang", "--current")} == \
        {"content_manager"}
    assert "no person" in cli("role", "list", "--person", "nobody", code=1).output
    assert "no organization" in cli("role", "list", "--org", "nope", code=1).output
    table = cli("role", "list", "--current").stdout
    assert "content_manager" in table and "security_officer" not in table


# --- registry audit -----------------------------------------------------------------------

FINDING_KEYS = {"rule", "severity", "basis", "subject", "organization", "reason_en", "reason_zh"}


def test_audit_json_shape(sample):
    report = audit(sample)
    assert report["date"] == AUDIT_DAY
    assert report["channels_audited"] == 10  # 11 channels, one of them closed
    assert report["summary"] == {"channel.inactive_owner": 1, "channel.missing_role": 13, "channel.no_owner": 1,
                                 "channel.role_holder_ended": 1, "org.multiple_accounts": 1,
                                 "org.multiple_websites": 1}
    assert sum(report["summary"].values()) == len(report["findings"])
    for f in report["findings"]:
        assert set(f) >= FINDING_KEYS
        assert f["severity"] in ("error", "warning") and f["basis"]
        assert f["reason_en"] and f["reason_zh"] and f["reason_en"] != f["reason_zh"]
    no_owner = next(f for f in report["findings"] if f["rule"] == "channel.no_owner")
    assert (no_owner["subject"], no_owner["organization"], no_owner["severity"]) == \
        ("other_social douyin:luohu_fabu", None, "error")
    sites = next(f for f in report["findings"] if f["rule"] == "org.multiple_websites")
    assert sites["organization"] == "cn-440303" and "国办发〔2017〕47号" in sites["basis"]
    assert "https://lh.sz.gov.cn, https://www.szlh.gov.cn" in sites["reason_en"]
    assert sites["reason_zh"].startswith("一个单位开设了 2 个网站")
    assert "https://old.szlh.gov.cn" not in str(report["findings"])  # closed: not audited


def test_audit_filters_by_rule_role_and_org(sample):
    only = audit(sample, "--rule", "channel.no_owner", "--rule", "org.multiple_accounts")
    assert only["summary"] == {"channel.no_owner": 1, "org.multiple_accounts": 1}
    assert only["channels_audited"] == 10

    by_role = audit(sample, "--role", "security_officer")
    assert by_role["findings"] and {f["details"]["role"] for f in by_role["findings"]} == {"security_officer"}
    assert {f["subject"] for f in by_role["findings"]} == {
        "website https://fgw.sz.gov.cn", "website https://lh.sz.gov.cn", "website https://www.szlh.gov.cn"}
    assert audit(sample, "--role", "records_officer", "--rule", "channel.role_holder_ended")["summary"] == \
        {"channel.role_holder_ended": 1}

    luohu = audit(sample, "--org", "cn-440303")
    assert {f["organization"] for f in luohu["findings"]} == {"cn-440303", "cn-440303-old"}
    assert luohu["summary"]["channel.inactive_owner"] == 1  # the abolished unit below the district
    assert {f["organization"] for f in audit(sample, "--org", "cn-440300")["findings"]} == \
        {"cn-440300", "cn-440300-fgw", "cn-440303", "cn-440303-old"}
    assert audit(sample, "--org", "cn-440303-001")["findings"] == []
    assert "no organization with code 'nope'" in \
        sample("registry", "audit", "--org", "nope", code=1).output


def test_audit_fail_on(sample):
    # Errors present: --fail-on error fails, and the report is still printed.
    failed = sample("registry", "audit", "--on", AUDIT_DAY, "--fail-on", "error", "--json", code=1)
    assert '"channel.no_owner"' in failed.stdout
    sample("registry", "audit", "--on", AUDIT_DAY, "--fail-on", "error", "--rule", "org.multiple_websites")
    sample("registry", "audit", "--on", AUDIT_DAY, "--fail-on", "warning", "--rule", "org.multiple_websites",
           code=1)
    sample("registry", "audit", "--on", AUDIT_DAY)  # without --fail-on findings do not fail
    out = sample("registry", "audit", "--on", AUDIT_DAY, "--fail-on", "warning", "--org", "cn-440303-001").stdout
    assert "No findings" in out


def test_audit_bad_options_are_usage_errors(sample):
    result = sample("registry", "audit", "--rule", "channel.nonsense", code=2)
    assert "unknown --rule 'channel.nonsense'" in result.output and "channel.no_owner" in result.output
    # A misspelt severity must not silently turn the CI gate off.
    assert "choose from error, warning" in sample("registry", "audit", "--fail-on", "errors", code=2).output
    assert "is not a date" in sample("registry", "audit", "--on", "someday", code=1).output


def test_audit_table(sample):
    out = sample("registry", "audit", "--on", AUDIT_DAY, "--limit", "3").stdout
    assert "channel.missing_role" in out and "13" in out
    assert "15 more" in out
    assert "18 findings in 10 open channels" in out


def test_audit_of_a_clean_registry(cli):
    add_org(cli, "cn-1", "county")
    add_person(cli, "p")
    cli("role", "assign", "p", "cn-1", "content_manager")
    cli("channel", "add", "sms", "12345", "--owner", "cn-1", "--responsible", "content_manager=p")
    report = cli.json("registry", "audit", "--fail-on", "warning")
    assert (report["findings"], report["summary"], report["channels_audited"]) == ([], {}, 1)
    assert "No findings" in cli("registry", "audit").stdout


def test_audit_before_an_assignment_starts(sample):
    report = audit(sample, "--on", "2022-01-01")
    assert report["date"] == "2022-01-01"
    assert "channel.role_holder_ended" not in report["summary"]


# --- registry vocab -----------------------------------------------------------------------

def test_vocab_json(cli):
    data = cli.json("registry", "vocab")
    assert [t["code"] for t in data["channel_kinds"]] == [
        "website", "mobile_site", "app_android", "app_ios", "mini_program", "wechat_account",
        "weibo_account", "other_social", "sms"]
    assert [t["code"] for t in data["roles"]] == [
        "head", "cio", "security_officer", "records_officer", "privacy_officer", "content_manager",
        "web_operator", "new_media_operator"]
    assert {"code": "wechat_account", "zh": "微信公众号", "en": "WeChat account"} in data["channel_kinds"]
    assert [t["code"] for t in data["channel_statuses"]] == ["active", "suspended", "merged", "closed"]
    assert "opened" in [t["code"] for t in data["channel_events"]]
    assert [t["code"] for t in data["tiers_cn"]][:2] == ["national", "provincial"]
    assert "school_district" in [t["code"] for t in data["tiers_us"]]
    assert all(set(t) == {"code", "zh", "en"} for terms in data.values() for t in terms)
    assert "security_officer" in cli("registry", "vocab").stdout


# --- help ---------------------------------------------------------------------------------

def _command_paths() -> list[tuple[str, ...]]:
    """Every command and group below the root, found by walking the Click tree."""
    out: list[tuple[str, ...]] = []

    def walk(group: Any, path: tuple[str, ...]) -> None:
        for name, command in sorted(group.commands.items()):
            out.append((*path, name))
            if hasattr(command, "commands"):
                walk(command, (*path, name))

    walk(typer.main.get_command(app), ())
    return out


COMMANDS = _command_paths()


def test_the_walk_finds_every_command():
    names = {" ".join(p) for p in COMMANDS}
    assert {"init", "demo", "import", "export", "db", "db upgrade", "db current", "org add", "org close",
            "person close", "channel show", "role end", "registry audit", "registry vocab"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_help_has_an_example(path, tmp_path, monkeypatch):
    # --help needs no database: a bare runner keeps these many cases cheap on PostgreSQL.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*path, "--help"], env={"MGOV_LANG": "en", "COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout, f"mgov {' '.join(path)} --help has no example"


# --- languages ----------------------------------------------------------------------------

def test_chinese_messages(cli):
    zh = {"MGOV_LANG": "zh"}
    assert "已创建单位 cn-440300" in cli("org", "add", "cn-440300", "-j", "cn", "--tier", "prefecture",
                                      "--name-zh", "深圳市人民政府", **zh).stdout
    assert "已更新单位 cn-440300" in cli("org", "edit", "cn-440300", "--name-en", "Shenzhen", **zh).stdout
    assert "单位 cn-440300 无需更改" in cli("org", "edit", "cn-440300", "--name-en", "Shenzhen", **zh).stdout
    assert "已创建人员 a.b" in cli("person", "add", "--key", "a.b", "--name", "甲", **zh).stdout
    assert "已创建渠道 sms 12345" in cli("channel", "add", "sms", "12345", **zh).stdout
    assert "已关闭渠道 sms 12345" in cli("channel", "close", "12345", **zh).stdout
    assert "错误:" in cli("org", "show", "nope", code=1, **zh).output
    assert "（无）" in cli("role", "list", **zh).stdout
    assert "代码" in cli("org", "list", **zh).stdout  # table headers too
    assert "已创建单位 cn-1" in cli("--lang", "zh", "org", "add", "cn-1", "-j", "cn", "--tier", "county",
                                 "--name-zh", "甲").stdout
    assert "Created" not in cli("--lang", "zh", "person", "add", "--key", "c.d", "--name", "乙").stdout


def test_chinese_audit_reasons(sample):
    out = sample("registry", "audit", "--on", AUDIT_DAY, "--rule", "channel.no_owner", MGOV_LANG="zh").stdout
    assert "渠道没有主办单位" in out and "个在用渠道中发现" in out
    report = sample.json("registry", "audit", "--on", AUDIT_DAY, "--rule", "channel.no_owner")
    assert report["findings"][0]["reason_zh"] == "渠道没有主办单位"


def test_channel_attributes(cli):
    cli("channel", "add", "website", "https://www.x.gov.cn", "--attr", "site_code=4403000002")
    cli("channel", "edit", "https://www.x.gov.cn", "--attr", "icp=粤ICP备1号")
    assert cli.json("channel", "show", "https://www.x.gov.cn")["attributes"] == {
        "icp": "粤ICP备1号", "site_code": "4403000002"}
    cli("channel", "edit", "https://www.x.gov.cn", "--attr", "icp=")
    shown = cli.json("channel", "show", "https://www.x.gov.cn")
    assert shown["attributes"] == {"site_code": "4403000002"}
    assert shown["history"][-1]["details"]["fields"]["attributes"][1] == {"site_code": "4403000002"}
    cli("channel", "edit", "https://www.x.gov.cn", "--attr", "novalue", code=2)
