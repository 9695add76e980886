"""Notifications end to end: a registry of a city and two districts, a real assessment with veto
failures, rectification tasks; e-mail to a real SMTP server (aiosmtpd) and webhooks to a real HTTP
receiver on loopback that checks each signature."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import insert, select

from mgov import clock
from mgov.act import file, list_tasks, load_calendar, open_tasks, review_due
from mgov.act.notify import (
    add_target,
    list_targets,
    remove_target,
    run_notifications,
    verify_signature,
)
from mgov.act.notify_send import sign
from mgov.assess.service import run_assessment
from mgov.config import Settings, SmtpSettings, load_settings
from mgov.db.tables import CHANNELS, NOTIFICATIONS_SENT, SCAN_RUNS
from mgov.errors import InvalidValue
from mgov.formats.load import import_file
from rows import insert_finding, monitored

D = dt.date
OPENED = D(2026, 2, 10)  # a Tuesday: tasks open; veto tasks are due the same day
CITY, LUOHU, FUTIAN = "cn-440300", "cn-440303", "cn-440304"
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": CITY, "name_zh": "深圳市人民政府", "name_en": "Shenzhen", "jurisdiction": "cn", "tier": "prefecture"},
        {"code": LUOHU, "name_zh": "罗湖区人民政府", "jurisdiction": "cn", "tier": "county", "parent": CITY},
        {"code": FUTIAN, "name_zh": "福田区人民政府", "jurisdiction": "cn", "tier": "county", "parent": CITY},
    ],
    "channels": [{"kind": "website", "address": "https://www.szlh.gov.cn", "owner": LUOHU},
                 {"kind": "website", "address": "https://www.szft.gov.cn", "owner": FUTIAN}],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd handler: keeps every message it accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "subject": str(msg["Subject"]),
                              "body": msg.get_content(), "type": msg.get_content_type(), "raw": envelope.content})
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that checks signatures with the secret registered for its path."""

    def do_POST(self) -> None:
        hub = self.server.hub
        body = self.rfile.read(int(self.headers["Content-Length"]))
        secret = hub["secrets"].get(self.path)
        ok = secret is not None and verify_signature(secret, self.headers["X-Mgov-Timestamp"], body,
                                                     self.headers["X-Mgov-Signature"])
        hub["received"].append({"path": self.path, "headers": dict(self.headers), "body": body, "verified": ok})
        self.send_response(hub["status"] if ok else 401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[dict[str, Any]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.hub = {"secrets": {}, "received": [], "status": 200}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {**server.hub, "url": f"http://127.0.0.1:{server.server_address[1]}", "hub": server.hub}
    server.shutdown()
    server.server_close()


@pytest.fixture
def assessed(engine, tmp_path, monkeypatch) -> dict[str, Any]:
    """Both districts' websites fail the interaction veto in January 2026 (the real assessment);
    their tasks open on OPENED."""
    monkeypatch.chdir(tmp_path)  # Settings() below must not read a stray mgov.toml
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={})
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        for cid in ids.values():
            monitored(conn, run_id, cid, D(2026, 1, 20))  # the rest of the day's scan and crawl passed
            insert_finding(conn, run_id, cid, "interaction.channel", "fail", D(2026, 1, 20))  # veto v5_no_channel
            insert_finding(conn, run_id, cid, "search", "pass", D(2026, 1, 20))
    summary = run_assessment(engine, "cn-2019-website", "2026-01")
    with engine.begin() as conn:
        open_tasks(conn, summary["assessment"], load_calendar(), today=OPENED)
    vetoes = {c["address"]: {f"veto:{summary['assessment']}:{ids[c['address']]}:{v}" for v in c["vetoes"]}
              for c in summary["channels"]}
    assert all(vetoes.values())
    return {"summary": summary, "ids": ids, "vetoes": vetoes, "luohu": "https://www.szlh.gov.cn",
            "futian": "https://www.szft.gov.cn"}


def settings(port: int | None = None, allow_private: bool = True) -> Settings:
    return Settings(allow_private=allow_private, lang="en", smtp=SmtpSettings(port=port or free_port(), timeout=5))


def target(engine, **kw: Any) -> dict[str, Any]:
    with engine.begin() as conn:
        return add_target(conn, allow_private=True, **kw)


def sent_rows(engine, target_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(NOTIFICATIONS_SENT).where(NOTIFICATIONS_SENT.c.target_id == target_id)
                                 .order_by(NOTIFICATIONS_SENT.c.id)))


def test_veto_notified_once_scoped_to_the_subtree_in_chinese(cli, engine, assessed, smtp):
    inbox, port = smtp
    for org, address, lang in ((LUOHU, "lh@example.gov", "zh"), (FUTIAN, "ft@example.gov", "en"),
                               (CITY, "city@example.gov", "en")):
        cli("notify", "target", "add", "--org", org, "--email", address, "--events", "veto", "--lang", lang)
    out = json.loads(cli("notify", "run", "--json", MGOV_SMTP__PORT=str(port)).stdout)
    assert out["sent"] == 3 and out["failed"] == 0
    by_to = {m["to"][0]: m for m in inbox.messages}
    assert sorted(by_to) == ["city@example.gov", "ft@example.gov", "lh@example.gov"]
    keys = {t["address"]: set(t["sends"][0]["keys"]) for t in out["targets"]}
    v = assessed["vetoes"]
    assert keys["lh@example.gov"] == v[assessed["luohu"]]  # Luohu hears only of its own channel
    assert keys["ft@example.gov"] == v[assessed["futian"]]
    assert keys["city@example.gov"] == v[assessed["luohu"]] | v[assessed["futian"]]  # one message, both
    assert assessed["futian"] not in by_to["lh@example.gov"]["body"]
    city_body = by_to["city@example.gov"]["body"]
    assert assessed["luohu"] in city_body and assessed["futian"] in city_body
    # Chinese survives: RFC 2047 subject, UTF-8 body, decoded back intact.
    zh = by_to["lh@example.gov"]
    assert zh["subject"] == "【mgov】罗湖区人民政府：新增单项否决问题 1 项"
    assert zh["type"] == "text/plain" and "以下渠道存在单项否决问题" in zh["body"] and "v5_no_channel" in zh["body"]
    assert b"=?utf-8?" in zh["raw"] and "罗湖".encode() not in zh["raw"]  # encoded on the wire
    assert by_to["city@example.gov"]["subject"] == "[mgov] 2 new veto failure(s): Shenzhen"
    # The second run sends nothing new.
    again = json.loads(cli("notify", "run", "--json", MGOV_SMTP__PORT=str(port)).stdout)
    assert again["sent"] == 0 and len(inbox.messages) == 3
    assert "Nothing new" in cli("notify", "run", MGOV_SMTP__PORT=str(port)).stdout


def test_overdue_tasks_once_per_status(engine, assessed, smtp):
    inbox, port = smtp
    lh = target(engine, org_code=LUOHU, kind="email", address="lh@example.gov", events=["overdue"])
    city = target(engine, org_code=CITY, kind="email", address="city@example.gov", events=["overdue"])
    with engine.connect() as conn:
        veto_tasks = {t["address"]: t["id"] for t in list_tasks(conn) if t["indicator_id"] == "v5_no_channel"}
    assert run_notifications(engine, settings(port), today=OPENED)["sent"] == 0  # due today: not overdue yet
    out = run_notifications(engine, settings(port), today=OPENED + dt.timedelta(days=1))
    keys = {t["target"]: t["sends"][0]["keys"] for t in out["targets"]}
    assert keys[lh["id"]] == [f"overdue:{veto_tasks[assessed['luohu']]}:open"]
    assert sorted(keys[city["id"]]) == sorted(f"overdue:{i}:open" for i in veto_tasks.values())
    assert "1 day(s) overdue" in inbox.messages[0]["body"]
    assert run_notifications(engine, settings(port), today=OPENED + dt.timedelta(days=2))["sent"] == 0
    # Escalated: a new status is news once more.
    with engine.begin() as conn:
        review_due(conn, OPENED + dt.timedelta(days=2), lambda task: False)
    out = run_notifications(engine, settings(port), today=OPENED + dt.timedelta(days=2))
    assert out["sent"] == 2 and "escalated to cn-440300" in inbox.messages[-1]["body"]
    assert run_notifications(engine, settings(port), today=OPENED + dt.timedelta(days=3))["sent"] == 0


def test_weekly_digest_once_per_iso_week(engine, assessed, hooks):
    city = target(engine, org_code=CITY, kind="webhook", address=hooks["url"] + "/city", events=["digest"])
    futian = target(engine, org_code=FUTIAN, kind="webhook", address=hooks["url"] + "/ft", events=["digest"])
    hooks["hub"]["secrets"].update({"/city": city["secret"], "/ft": futian["secret"]})
    with engine.begin() as conn:
        aid = assessed["summary"]["assessment"]
        file(conn, aid, assessed["ids"][assessed["luohu"]], "v5_no_channel", "留言板可用", by="罗湖区")
        tasks = list_tasks(conn)
    monday = dt.datetime(2026, 2, 16, 8, tzinfo=dt.UTC)
    with clock.fixed(monday):
        assert run_notifications(engine, settings())["sent"] == 0  # the digest wants --digest
        assert run_notifications(engine, settings(), digest=True)["sent"] == 2
    got = {r["path"]: json.loads(r["body"]) for r in hooks["received"]}
    assert all(r["verified"] and r["headers"]["X-Mgov-Event"] == "digest" for r in hooks["received"])
    overdue = sum(1 for t in tasks if t["due_on"] < monday.date())
    assert got["/city"]["organization"] == CITY and got["/city"]["event"] == "digest"
    assert got["/city"]["items"] == [{
        "week": "2026-W08", "organization": CITY, "channels": 2,
        "assessments": [{"assessment": aid, "profile": "cn-2019-website", "period": "2026-01",
                         "verdicts": assessed["summary"]["verdicts"], "vetoes": 2}],
        "tasks": {"open": len(tasks), "escalated": 0, "overdue": overdue}, "disputes_open": 1}]
    ft = got["/ft"]["items"][0]
    assert (ft["channels"], ft["assessments"][0]["vetoes"], ft["disputes_open"]) == (1, 1, 0)
    with clock.fixed(monday + dt.timedelta(days=2)):  # Wednesday, same ISO week
        assert run_notifications(engine, settings(), digest=True)["sent"] == 0
    with clock.fixed(monday + dt.timedelta(days=7)):
        out = run_notifications(engine, settings(), digest=True)
    assert out["sent"] == 2 and {s["keys"][0] for t in out["targets"] for s in t["sends"]} == {"digest:2026-W09"}


def test_webhook_signature_and_tampering(engine, assessed, hooks):
    t = target(engine, org_code=None, kind="webhook", address=hooks["url"] + "/all", events=["veto"])
    hooks["hub"]["secrets"]["/all"] = t["secret"]
    assert len(t["secret"]) >= 32
    with engine.connect() as conn:
        assert "secret" not in list_targets(conn)[0] and list_targets(conn)[0]["secret_set"]
    assert run_notifications(engine, settings())["sent"] == 1
    (req,) = hooks["received"]
    assert req["verified"]
    payload = json.loads(req["body"])
    assert set(payload) == {"event", "organization", "items", "sent_at"} and payload["organization"] is None
    assert {i["address"] for i in payload["items"]} == {assessed["luohu"], assessed["futian"]}
    ts, sig, body = req["headers"]["X-Mgov-Timestamp"], req["headers"]["X-Mgov-Signature"], req["body"]
    assert sig == sign(t["secret"], ts, body) and sig.startswith("sha256=")
    now = float(ts)
    assert verify_signature(t["secret"], ts, body, sig, now=now)
    assert not verify_signature(t["secret"], ts, body.replace(b"szlh", b"szxx"), sig, now=now)  # tampered body
    assert not verify_signature("another-secret-value", ts, body, sig, now=now)
    assert not verify_signature(t["secret"], str(int(ts) + 1), body, sig, now=now)  # another timestamp
    assert not verify_signature(t["secret"], ts, body, sig, now=now + 301)  # stale: a replay
    assert not verify_signature(t["secret"], "soon", body, sig, now=now)


def test_failures_are_recorded_and_retried(engine, assessed, smtp, hooks):
    inbox, port = smtp
    mail = target(engine, org_code=LUOHU, kind="email", address="lh@example.gov", events=["veto"])
    hook = target(engine, org_code=FUTIAN, kind="webhook", address=hooks["url"] + "/ft", events=["veto"])
    hooks["hub"]["secrets"]["/ft"] = hook["secret"]
    hooks["hub"]["status"] = 503
    out = run_notifications(engine, settings(free_port()))  # nothing listens there: connection refused
    assert out["failed"] == 2 and out["sent"] == 0
    (mail_row,) = sent_rows(engine, mail["id"])
    assert mail_row.status == "failed" and "Connection refused" in mail_row.detail["error"]
    assert "HTTP 503" in sent_rows(engine, hook["id"])[0].detail["error"]
    hooks["hub"]["status"] = 200
    out = run_notifications(engine, settings(port))  # both come back: tried again
    assert out["sent"] == 2 and len(inbox.messages) == 1 and len(hooks["received"]) == 2
    assert [r.status for r in sent_rows(engine, mail["id"])] == ["failed", "sent"]
    assert run_notifications(engine, settings(port))["sent"] == 0


def test_private_webhooks_need_allow_private(cli, engine, assessed, hooks):
    with engine.begin() as conn:
        for url in (hooks["url"] + "/x", "http://localhost:8080/x", "http://10.1.2.3/x", "http://[::1]/x"):
            with pytest.raises(InvalidValue, match="allow_private"):
                add_target(conn, org_code=None, kind="webhook", address=url)
    assert "allow_private" in cli("notify", "target", "add", "--webhook", hooks["url"], code=1).output
    # Added while allowed, then run without it: refused at send time (by address, and by name).
    literal = target(engine, org_code=None, kind="webhook", address=hooks["url"] + "/a", events=["veto"])
    name = target(engine, org_code=None, kind="webhook", address=hooks["url"].replace("127.0.0.1", "localhost"),
                  events=["veto"])
    out = run_notifications(engine, settings(allow_private=False))
    assert out["failed"] == 2 and hooks["received"] == []
    for t in (literal, name):  # what the name resolved to is not said
        assert sent_rows(engine, t["id"])[0].detail["error"] == "refused: not a public address"


def test_target_management(cli, engine):
    cli("org", "add", CITY, "-j", "cn", "--tier", "prefecture", "--name-zh", "深圳市人民政府")
    added = cli.json("notify", "target", "add", "--org", CITY, "--webhook", "https://hooks.example.gov/mgov",
                     "--events", "veto,digest")
    assert added["events"] == ["veto", "digest"] and added["organization"] == CITY and len(added["secret"]) >= 32
    shown = cli("notify", "target", "add", "--email", "Ops@Example.gov", "--lang", "zh").stdout
    assert "the whole registry" in shown
    rows = cli.json("notify", "target", "list")
    assert [(r["kind"], r["address"], r["lang"]) for r in rows] == [
        ("webhook", "https://hooks.example.gov/mgov", "en"), ("email", "ops@example.gov", "zh")]
    assert all("secret" not in r for r in rows)
    cli("notify", "target", "add", "--email", "ops@example.gov", code=1)  # the same target again
    for bad in (["--email", "not-an-address"], ["--email", "a,b@d.gov"], ["--webhook", "ftp://x.gov/h"],
                ["--email", "x@y.gov", "--events", "veto,spam"], ["--webhook", "https://x.gov/h", "--secret", "short"],
                ["--email", "x@y.gov", "--org", "cn-nowhere"]):
        cli("notify", "target", "add", *bad, code=1)
    cli("notify", "target", "add", "--email", "x@y.gov", "--webhook", "https://x.gov/h", code=2)
    assert "Deactivated" in cli("notify", "target", "remove", str(added["id"])).stdout
    assert [r["address"] for r in cli.json("notify", "target", "list")] == ["ops@example.gov"]
    assert len(cli.json("notify", "target", "list", "--all")) == 2
    with engine.begin() as conn, pytest.raises(Exception, match="no notification target"):
        remove_target(conn, 999)


def test_smtp_settings_from_toml_and_environment(tmp_path, monkeypatch):
    (tmp_path / "mgov.toml").write_text('[smtp]\nhost = "mail.example.gov"\nsender = "mgov@example.gov"\n'
                                        'starttls = true\n', encoding="utf-8")
    monkeypatch.setenv("MGOV_CONFIG", str(tmp_path / "mgov.toml"))
    monkeypatch.setenv("MGOV_SMTP__PORT", "587")
    smtp = load_settings().smtp
    assert (smtp.host, smtp.port, smtp.sender, smtp.starttls) == ("mail.example.gov", 587, "mgov@example.gov", True)


def test_the_documented_receiver_check_agrees():
    """docs/notifications.md's verify_signature, for receivers without mgov, accepts mgov's signature."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "notifications.md").read_text(encoding="utf-8")
    code = next(b for b in re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL) if "def verify_signature" in b)
    scope: dict[str, Any] = {}
    exec(code, scope)  # noqa: S102 - the documentation's own example
    body, ts, secret = json.dumps({"event": "veto", "organization": "罗湖"}).encode(), str(int(time.time())), "s" * 32
    assert scope["verify_signature"](secret, ts, body, sign(secret, ts, body))
    assert not scope["verify_signature"](secret, ts, body + b" ", sign(secret, ts, body))
