"""A small world for the web tests: a province with two agencies (A and B) under it, a
channel each with findings backed by real WARC records, an assessment of both with failed
indicators and tasks, and a user of every role; plus an in-process client of the real app."""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from mgov.accounts import users
from mgov.act import inspection_evidence, inspection_work, load_calendar, open_tasks
from mgov.act import inspections as ins
from mgov.assess.service import run_assessment
from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.config import Settings
from mgov.db.tables import CHANNELS, FINDINGS, SCAN_ITEMS, SCAN_RUNS
from mgov.formats.load import import_file
from mgov.profiles import load
from mgov.web import create_app
from rows import monitored

PASSWORD = "correct horse battery"
DAY = dt.date(2026, 1, 20)
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440000", "name_zh": "广东省人民政府", "name_en": "Guangdong", "jurisdiction": "cn",
         "tier": "provincial"},
        {"code": "cn-440300", "name_zh": "深圳市人民政府", "name_en": "Shenzhen", "jurisdiction": "cn",
         "tier": "prefecture", "parent": "cn-440000"},
        {"code": "cn-440100", "name_zh": "广州市人民政府", "name_en": "Guangzhou", "jurisdiction": "cn",
         "tier": "prefecture", "parent": "cn-440000"},
    ],
    "people": [{"key": "zhao.lei", "name": "赵磊", "email": "zhao.lei@sz.example"},
               {"key": "wang.fang", "name": "王芳", "email": "wang.fang@gz.example"}],
    "roles": [{"person": "zhao.lei", "organization": "cn-440300", "role": "content_manager", "since": "2025-01-01"},
              {"person": "wang.fang", "organization": "cn-440100", "role": "content_manager", "since": "2025-01-01"}],
    "channels": [
        {"kind": "website", "address": "https://www.sz.gov.cn", "owner": "cn-440300", "name": "深圳政府在线",
         "responsible": {"content_manager": ["zhao.lei"]}},
        {"kind": "website", "address": "https://www.gz.gov.cn", "owner": "cn-440100", "name": "广州市人民政府门户网站",
         "responsible": {"content_manager": ["wang.fang"]}},
    ],
}
# role -> organization of the user (None: the whole registry); A is Shenzhen, B is Guangzhou.
USERS = {"admin": ("admin", None), "supervisor": ("supervisor", "cn-440000"), "reviewer": ("reviewer", None),
         "a_admin": ("agency_admin", "cn-440300"), "a_staff": ("agency_staff", "cn-440300"),
         "a_viewer": ("viewer", "cn-440300"), "b_admin": ("agency_admin", "cn-440100"),
         "b_staff": ("agency_staff", "cn-440100"), "b_super": ("supervisor", "cn-440100")}


@dataclass
class World:
    engine: Engine
    settings: Settings
    ids: dict[str, int] = field(default_factory=dict)  # channel_a, channel_b, finding_a, finding_b, ...

    def app(self) -> Any:
        return create_app(self.settings, engine=self.engine)

    def client(self, username: str | None = None) -> Browser:
        browser = Browser(TestClient(self.app(), follow_redirects=False))
        if username:
            browser.login(username)
        return browser


class Browser:
    """A TestClient that signs in through the login form, and posts forms with the CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.http = client
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD) -> Any:
        page = self.http.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        answer = self.http.post("/login", data={"username": username, "password": password, "csrf": token,
                                                "next": "/"})
        if answer.status_code == 303:
            home = self.http.get("/account")
            self.csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)
        return answer

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, **kw)

    def post_form(self, url: str, data: dict[str, Any] | None = None) -> Any:
        return self.http.post(url, data={**(data or {}), "csrf": self.csrf})

    def api(self, method: str, url: str, **kw: Any) -> Any:
        headers = {**kw.pop("headers", {}), "X-CSRF-Token": self.csrf}
        return self.http.request(method, url, headers=headers, **kw)


def flash_of(answer: Any) -> dict[str, Any]:
    """The one-time message a dashboard redirect set (mgov.web.dashboard.flash), read without
    checking its signature: {"error": text}, {"done": key} or {}."""
    raw = answer.cookies.get("mgov_flash")
    if not raw:
        return {}
    data = raw.rpartition(".")[0]
    found: dict[str, Any] = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return found


def _archive(settings: Settings, url: str, body: bytes) -> list[dict[str, Any]]:
    writer = WarcWriter(settings.resolved_archive_dir)
    try:
        request, response = writer.write_sync(HttpCapture(
            url=url, request_head=f"GET / HTTP/1.1\r\nHost: {url.split('//')[1]}\r\n\r\n".encode(),
            response_head=(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=gb18030\r\n"
                           b"Strict-Transport-Security: max-age=0\r\n\r\n"),
            body=body, date=dt.datetime(2026, 1, 20, 3, tzinfo=dt.UTC)))
    finally:
        writer.close()
    return [request.as_dict(), response.as_dict()]


# On SQLite the world is built once a process and copied for each test after (its database
# file and its archive), as a fresh one would be built: a second a test, on some 200 tests.
_BUILT: dict[str, Any] = {}
_HOME_PARTS = ("registry.yaml", "archive")  # what build_world writes in its home


def build_world(engine: Engine, home: Path) -> World:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return _build_world(engine, home)
    db = Path(engine.url.database)
    if not _BUILT:
        world = _build_world(engine, home)
        engine.dispose()  # its connections closed: the file holds everything (no WAL left)
        keep = Path(tempfile.mkdtemp(prefix="mgov-world-"))
        atexit.register(shutil.rmtree, keep, ignore_errors=True)
        shutil.copy(db, keep / "world.db")
        for part in _HOME_PARTS:
            _copy(home / part, keep / part)
        _BUILT.update(keep=keep, ids=dict(world.ids))
        return world
    engine.dispose()
    for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(_BUILT["keep"] / "world.db", db)
    for part in _HOME_PARTS:
        _copy(_BUILT["keep"] / part, home / part)
    world = World(engine, Settings(home=home, database_url=str(engine.url.render_as_string(hide_password=False))))
    world.ids = dict(_BUILT["ids"])
    return world


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    elif src.exists():
        shutil.copy(src, dst)


def _build_world(engine: Engine, home: Path) -> World:
    settings = Settings(home=home, database_url=str(engine.url.render_as_string(hide_password=False)))
    world = World(engine, settings)
    path = home / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        a, b = ids["https://www.sz.gov.cn"], ids["https://www.gz.gov.cn"]
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={}, kind="scan")
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        found = {}
        for name, cid, url in (("a", a, "https://www.sz.gov.cn/"), ("b", b, "https://www.gz.gov.cn/")):
            refs = _archive(settings, url, f"<html><title>政府网站 {name}</title></html>".encode("gb18030"))
            monitored(conn, run_id, cid, DAY, tier="prefecture", evidence=refs)  # the rest of the day passed
            for check, status in (("ipv6", "fail"), ("cn.site_code", "fail"), ("search", "pass"),
                                  ("interaction.channel", "pass")):
                fid = conn.execute(insert(FINDINGS).values(
                    run_id=run_id, channel_id=cid, check_id=check, status=status, value={"host": url},
                    message=f"{check} {status}", message_zh=f"{check} {'不通过' if status == 'fail' else '通过'}",
                    evidence=refs, observed_at=dt.datetime.combine(DAY, dt.time(3), dt.UTC))
                    .returning(FINDINGS.c.id)).scalar_one()
                if check == "ipv6":
                    found[name] = fid
            conn.execute(insert(SCAN_ITEMS).values(run_id=run_id, channel_id=cid, counts={"fail": 2, "pass": 2}))
    assessment = run_assessment(engine, "cn-2019-website", "2026-01")["assessment"]
    with engine.begin() as conn:
        opened = open_tasks(conn, assessment, load_calendar(), today=dt.date(2026, 2, 2))["opened"]
        for username, (role, org) in USERS.items():
            users.create_user(conn, username, PASSWORD, role, organization=org, display_name=username)
    from mgov.archive import store as archive_store  # the archive's index, as `mgov archive` folds it

    with engine.begin() as conn:
        archive_store.fold(conn, settings.resolved_archive_dir)
    world.ids = {"channel_a": a, "channel_b": b, "finding_a": found["a"], "finding_b": found["b"], "run": run_id,
                 "assessment": assessment, "tasks": len(opened)}
    return world


# --- rendered pages (issue 16): a finding with screenshots -------------------------------

RENDERED_VALUE = {"rules": [
    {"id": "image-alt", "wcag": ["1.1.1"], "act": ["23a2a8"], "outcome": "failed",
     "nodes": [{"selector": "p.photo > img", "snippet": '<img src="/images/news.png">', "box": [40, 300, 120, 80]},
               {"selector": "#hero-photo", "snippet": "<img id=hero-photo>",
                "box": {"x": 400, "y": 120, "w": 300, "h": 60}}]},
    {"id": "role-img-alt", "wcag": ["1.1.1"], "act": ["23a2a8"], "outcome": "passed", "nodes": []},
    {"id": "svg-img-alt", "wcag": ["1.1.1"], "act": ["7d6734"], "outcome": "inapplicable", "nodes": []},
    {"id": "object-alt", "wcag": ["1.1.1"], "act": ["8fc3b6"], "outcome": "incomplete",
     "nodes": [{"selector": "object", "snippet": "<object data=x></object>"}]},
]}


def screenshot_records(settings: Settings, url: str) -> list[dict[str, Any]]:
    """A desktop and a phone screenshot of url as WARC resource records (image/png) in the
    archive, the way the rendering collector stores them; their refs."""
    from warcio.warcwriter import WARCWriter

    # Deferred: the farm's PNG maker, for the few tests that need one.
    from mgov.demo.farm.assets import png

    archive = settings.resolved_archive_dir
    archive.mkdir(parents=True, exist_ok=True)
    path = archive / "rendered-test.warc.gz"
    refs = []
    with path.open("ab") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        shots = (("desktop", (1366, 1000, (240, 240, 240))), ("phone", (390, 1200, (220, 230, 240))))
        for viewport, (w, h, rgb) in shots:
            data = png(w, h, rgb)
            offset = out.tell()
            record = writer.create_warc_record(
                f"{url}#viewport={viewport}", "resource", payload=io.BytesIO(data), length=len(data),
                warc_content_type="image/png",
                warc_headers_dict={"WARC-Date": "2026-01-20T03:00:00Z"})
            writer.write_record(record)
            refs.append({"file": path.name, "offset": offset, "length": out.tell() - offset})
    return refs


def add_rendered_finding(world: World, channel: str = "channel_a", check: str = "a11y.images") -> int:
    """A finding of the world's scan on channel with both screenshots and RENDERED_VALUE; its id."""
    with world.engine.begin() as conn:
        url = conn.execute(select(CHANNELS.c.address).where(CHANNELS.c.id == world.ids[channel])).scalar_one() + "/"
        refs = _archive(world.settings, url, b"<html><title>x</title></html>")[1:] + screenshot_records(
            world.settings, url)
        return int(conn.execute(insert(FINDINGS).values(
            run_id=world.ids["run"], channel_id=world.ids[channel], check_id=check, status="fail",
            value=RENDERED_VALUE, message="1 rule failed", message_zh="1 条规则不通过", evidence=refs,
            observed_at=dt.datetime.combine(DAY, dt.time(3), dt.UTC))).inserted_primary_key[0])


# --- reviewer inspections (issue 17) -----------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n a screenshot"


def add_inspections(conn: Any, w: World) -> dict[str, int]:
    """An inspection of each agency's site by the office's reviewer: A's with a veto found not
    met (awaiting its second reviewer) and a screenshot."""
    admin, reviewer = (users.load_user(conn, users.user_id_of(conn, n)) for n in ("admin", "reviewer"))
    profile, start, end = load("cn-2019-website"), dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    made = {}
    for side in ("a", "b"):
        found = ins.create(conn, admin, profile, w.ids[f"channel_{side}"], start, end, reviewer="reviewer")
        veto = next(i for i in found["items"] if i["rule"] == "veto")
        inspection_work.fill(conn, reviewer, found["id"], veto["id"], "not_met", f"{side} veto")
        shot = inspection_evidence.attach(conn, w.settings.resolved_archive_dir, reviewer, found["id"], veto["id"],
                                          f"{side}-shot.png", PNG, media_type="image/png")
        made |= {f"inspection_{side}": found["id"], f"item_{side}": veto["id"], f"file_{side}": shot["id"]}
    return made
