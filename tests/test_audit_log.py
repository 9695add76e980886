"""One audit log (issue 15 item 5): every change, from the command line, the API or the
dashboard, is one log with who (the CLI's --as or MGOV_USER user, else the OS user as
os:LOGIN; the signed-in user on the web), when, what (field, before, after) and through which
face; an import is one entry with its counts and the file's SHA-256, its records linked to it."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from webworld import build_world

OS_ACTOR = f"os:{getpass.getuser()}"


def _log(cli: Any, *args: str) -> list[dict[str, Any]]:
    return cli.json("audit", "list", "--limit", "5000", *args)["items"]


def test_a_cli_import_is_one_entry_with_counts_and_digest_and_its_records_linked(cli: Any, cn_sample: Path) -> None:
    cli("import", str(cn_sample))
    imports = _log(cli, "--action", "registry.imported")
    assert len(imports) == 1
    entry = imports[0]
    assert (entry["actor"], entry["face"], entry["subject"]) == (OS_ACTOR, "cli", f"file:{cn_sample.name}")
    detail = entry["detail"]
    assert detail["sha256"] == hashlib.sha256(cn_sample.read_bytes()).hexdigest()
    assert detail["format"] == "native" and detail["read"] > 0 and detail["bad"] == 0
    assert detail["created"] > 0 and detail["updated"] == 0 and detail["closed"] == 0
    records = _log(cli, "--import", str(entry["id"]))
    assert records and all(r["parent_id"] == entry["id"] and r["actor"] == OS_ACTOR for r in records)
    orgs = {r["subject"] for r in records if r["action"] == "organization.created"}
    assert "organization:cn-440300" in orgs
    created = next(r for r in records if r["subject"] == "organization:cn-440300"
                   and r["action"] == "organization.created")
    assert created["detail"]["changes"]["tier"] == [None, "prefecture"]
    assert {r["action"] for r in records} >= {"organization.created", "person.created", "role.assigned",
                                               "channel.created"}
    # The same file again changes nothing: one more import entry, no records under it.
    cli("import", str(cn_sample))
    again = _log(cli, "--action", "registry.imported")[0]
    assert again["id"] != entry["id"] and (again["detail"]["created"], again["detail"]["updated"]) == (0, 0)
    assert _log(cli, "--import", str(again["id"])) == []
    # A dry run stores nothing, in the log neither.
    cli("import", str(cn_sample), "--dry-run")
    assert len(_log(cli, "--action", "registry.imported")) == 2


def test_cli_edits_name_their_actor(cli: Any, cn_sample: Path) -> None:
    cli("import", str(cn_sample))
    cli("--as", "wang.admin", "org", "edit", "cn-440300", "--name-en", "Shenzhen")
    cli("org", "edit", "cn-440300", "--name-en", "Shenzhen City", MGOV_USER="li.ops")
    cli("user", "add", "zhou", "--role", "viewer", "--password-stdin", input="a long enough passphrase 42\n")
    entries = _log(cli, "--subject", "organization:cn-440300", "--action", "organization.updated")
    assert [(e["actor"], e["face"], e["detail"]["changes"]["name_en"][1]) for e in entries] == [
        ("li.ops", "cli", "Shenzhen City"), ("wang.admin", "cli", "Shenzhen")]
    assert entries[0]["detail"]["changes"]["name_en"][0] == "Shenzhen"  # before -> after
    assert [e["actor"] for e in _log(cli, "--action", "user.created")] == [OS_ACTOR]
    # Filters: by actor, object kind and face; unknown values are refused with the choices.
    assert {e["actor"] for e in _log(cli, "--actor", "wang.admin")} == {"wang.admin"}
    assert {e["subject"].partition(":")[0] for e in _log(cli, "--object", "user")} == {"user"}
    assert _log(cli, "--face", "web") == []
    today = dt.datetime.now(dt.UTC).date()  # the CLI reads days in UTC unless a time zone is set
    assert len(_log(cli, "--since", str(today), "--until", str(today))) == len(_log(cli))
    assert _log(cli, "--since", str(today + dt.timedelta(days=1))) == []
    assert _log(cli, "--until", str(today - dt.timedelta(days=1))) == []
    refused = cli("audit", "list", "--object", "planet", code=1).output
    assert "organization" in refused and "channel" in refused
    assert "web, api, cli" in cli("audit", "list", "--face", "fax", code=1).output
    # The table reads in the user's language: actions, faces and fields in words.
    table = cli("audit", "list", "--limit", "3", MGOV_LANG="zh").stdout
    assert "单位修改" in table and "命令行" in table and "英文名称" in table
    assert "organization.updated" not in table


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def test_web_and_api_edits_name_the_signed_in_user_and_the_page_reads_them(world: Any) -> None:
    sup = world.client("supervisor")
    answer = sup.post_form("/orgs/cn-440300/edit", {"name_zh": "深圳市政府", "name_en": "Shenzhen City",
                                                    "tier": "prefecture", "time_zone": ""})
    assert answer.status_code == 303, answer.text
    channel = world.ids["channel_a"]
    assert sup.api("PATCH", f"/api/v1/channels/{channel}", json={"name": "深圳政府网"}).status_code == 200
    log = sup.api("GET", "/api/v1/audit", params={"kind": "organization", "face": "web"}).json()["items"]
    assert [(e["action"], e["actor"], e["subject"]) for e in log] == [
        ("organization.updated", "supervisor", "organization:cn-440300")]
    assert log[0]["detail"]["changes"]["name_en"] == ["Shenzhen", "Shenzhen City"]
    api = sup.api("GET", "/api/v1/audit", params={"subject": f"channel:{channel}", "face": "api"}).json()["items"]
    assert [(e["action"], e["actor"]) for e in api] == [("channel.updated", "supervisor")]
    zh_api = sup.api("GET", "/api/v1/audit", params={"subject": f"channel:{channel}", "face": "api"},
                     headers={"Accept-Language": "zh-CN"})
    assert [(e["action_label"], e["face_label"]) for e in zh_api.json()["items"]] == [("渠道修改", "接口")]
    # The world itself was imported from a file by the OS user through the command line: an
    # entry about the whole registry, which its administrator reads (a scoped user does not).
    imported = world.client("admin").api("GET", "/api/v1/audit", params={"action": "registry.imported"}).json()["items"]
    assert sup.api("GET", "/api/v1/audit", params={"action": "registry.imported"}).json()["items"] == []
    assert [(e["actor"], e["face"]) for e in imported] == [(OS_ACTOR, "cli")]
    assert sup.api("GET", "/api/v1/audit", params={"face": "fax"}).status_code == 422
    # The dashboard: the change as a table of field, before and after, in Chinese; filters hold.
    zh = {"Accept-Language": "zh-CN"}
    page = HTMLParser(sup.get("/audit?face=web&kind=organization", headers=zh).text)
    rows = [[c.text(strip=True) for c in r.css("th, td")] for r in page.css("table.changes tbody tr")]
    assert ["英文名称", "Shenzhen", "Shenzhen City"] in rows, rows
    text = page.body.text() if page.body else ""
    assert "supervisor" in text and "网页" in text and "{" not in text.split("审计日志", 1)[-1]
    # The organization's and channel's own pages show their change history.
    org_page = HTMLParser(sup.get("/orgs/cn-440300", headers=zh).text)
    assert any("变更历史" in h.text() for h in org_page.css("h2"))
    assert "Shenzhen City" in org_page.css_first("table.changes").text()
    person = org_page.css_first("a[href='/audit?subject=person%3Azhao.lei']")  # a person's history
    assert person is not None and "zhao.lei" in sup.get(person.attributes["href"], headers=zh).text
    channel_page = sup.get(f"/channels/{channel}", headers=zh).text
    assert "变更历史" in channel_page and "深圳政府网" in channel_page
    # An agency's administrator reads only the entries about their own organizations.
    other = world.client("b_admin").api("GET", "/api/v1/audit", params={"kind": "organization"}).json()["items"]
    assert "organization:cn-440300" not in {e["subject"] for e in other}
