"""Jobs from the web and the API: who may start a scan, crawl or assessment of what (a viewer
may not; another agency's organization or channel is refused like an unknown one; an unknown
kind is invalid), a second identical start while one is under way answers the running one,
the audit log records each start, a job the server stopped with reads as interrupted, and a
crawl started through the API runs on a loopback site to its findings, with the allowance of
private targets the tests' settings give (allow_private). The schedules of mgov.toml are read
with their next time, within the reader's scope."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from mgov import clock
from mgov.act import jobs
from mgov.act.schedule import next_time, previous_period, reading
from mgov.config import ScheduleEntry, Settings
from mgov.db.tables import AUDIT_LOG, FINDINGS, JOBS
from mgov.registry import service
from mgov.registry.records import Batch, ChannelRecord, OrgRecord, Origin
from webworld import World, build_world, flash_of

SITE = {
    "/": '<html><head><title>南山区政府</title></head><body><h1>南山区人民政府</h1>'
         '<a href="/news.html">新闻</a> <a href="/missing.html">失效链接</a></body></html>',
    "/news.html": '<html><head><title>新闻</title></head><body><a href="/">首页</a> 2026年1月20日 通知</body></html>',
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = SITE.get(self.path.split("?")[0])
        self.send_response(200 if body else 404)
        data = (body or "<html><body>没有这个页面</body></html>").encode()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_HEAD = do_GET

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve_site() -> Iterator[str]:
    """A small website on loopback: a homepage, a page, and a dead link."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def jobs_world(engine: Any, home: Any, site: str) -> World:
    """The web world, with a district under Shenzhen whose one website is the loopback site."""
    w = build_world(engine, home)
    w.settings.allow_private = True  # the loopback site: as the tests' scans and crawls allow it
    with engine.begin() as conn:
        service.write(conn, Batch(
            organizations=[OrgRecord("cn-440305", Origin("test"), name_zh="深圳市南山区人民政府", jurisdiction="cn",
                                     tier="county", parent="cn-440300")],
            channels=[ChannelRecord("website", site, Origin("test"), name="南山区政府网", owner="cn-440305")]))
        w.ids["site"] = int(service.channel_row(conn, site, "website")["id"])
    return w


@pytest.fixture
def site() -> Iterator[str]:
    with serve_site() as url:
        yield url


@pytest.fixture
def world(engine, tmp_path, site) -> World:
    return jobs_world(engine, tmp_path, site)


def wait(browser: Any, job_id: int, seconds: float = 120) -> dict[str, Any]:
    """The job once it ended (polled through the API, as a client would)."""
    deadline = time.monotonic() + seconds
    while True:
        job = browser.api("GET", f"/api/v1/jobs/{job_id}").json()
        if not job["active"] or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def test_who_may_start_what(world):
    a_org = {"kind": "crawl", "organization": "cn-440300"}
    viewer = world.client("a_viewer")
    assert viewer.api("POST", "/api/v1/jobs", json=a_org).status_code == 403  # read only
    assert "runs.start" in viewer.api("POST", "/api/v1/jobs", json=a_org).json()["error"]["message"]
    b_staff = world.client("b_staff")
    for body in (a_org, {"kind": "scan", "channel": world.ids["channel_a"]}):  # agency A's, from B
        answer = b_staff.api("POST", "/api/v1/jobs", json=body)
        assert answer.status_code == 403, answer.text
    unknown = b_staff.api("POST", "/api/v1/jobs", json={"kind": "scan", "organization": "cn-999999"})
    assert (unknown.status_code, unknown.json()["error"]["message"]) == (403, answer.json()["error"]["message"])
    assert b_staff.api("POST", "/api/v1/jobs", json={"kind": "scna", "organization": "cn-440100"}).status_code == 422
    # Agency staff may not assess (the office's rankings); an administrator must name a profile.
    assess = {"kind": "assess", "organization": "cn-440100", "profile": "cn-2019-website", "period": "2026-01"}
    assert b_staff.api("POST", "/api/v1/jobs", json=assess).status_code == 403
    admin = world.client("admin")
    assert admin.api("POST", "/api/v1/jobs", json={"kind": "assess", "organization": "cn-440100"}).status_code == 422
    assert admin.api("POST", "/api/v1/jobs", json={**assess, "period": "2026Q5"}).status_code == 422
    assert admin.api("POST", "/api/v1/jobs", json={"kind": "scan", "organization": "cn-999999"}).status_code == 404
    with world.engine.connect() as conn:
        assert conn.execute(select(JOBS)).all() == []
    # The dashboard's form says why, on the page the form was on.
    refused = world.client("a_viewer").post_form("/jobs", {**a_org, "from": "/orgs/cn-440300"})
    assert refused.headers["location"] == "/orgs/cn-440300" and "runs.start" in flash_of(refused)["error"]


def test_a_second_identical_start_answers_the_running_one_and_starts_are_audited(world):
    world.settings.web.run_jobs = False  # they stay queued: this test is about starting them
    staff = world.client("a_staff")
    body = {"kind": "scan", "organization": "cn-440305"}
    first = staff.api("POST", "/api/v1/jobs", json=body)
    assert first.status_code == 201 and first.json()["state"] == "queued"
    again = staff.api("POST", "/api/v1/jobs", json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = staff.api("POST", "/api/v1/jobs", json={"kind": "crawl", "organization": "cn-440305"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    form = staff.post_form("/jobs", body)  # the dashboard's button: to the same job's page
    assert form.headers["location"] == f"/jobs/{first.json()['id']}" and flash_of(form)["done"] == "job_running"
    with world.engine.connect() as conn:
        logged = conn.execute(select(AUDIT_LOG.c.actor, AUDIT_LOG.c.action, AUDIT_LOG.c.subject, AUDIT_LOG.c.detail)
                              .where(AUDIT_LOG.c.action == "job.started").order_by(AUDIT_LOG.c.id)).all()
    assert [(r.actor, r.subject, r.detail) for r in logged] == [
        ("a_staff", f"job:{first.json()['id']}", {"job_kind": "scan", "organization": "cn-440305"}),
        ("a_staff", f"job:{other.json()['id']}", {"job_kind": "crawl", "organization": "cn-440305"})]
    listed = staff.api("GET", "/api/v1/jobs").json()["items"]
    assert [j["id"] for j in listed] == [other.json()["id"], first.json()["id"]]
    assert world.client("b_admin").api("GET", "/api/v1/jobs").json()["items"] == []  # not B's to see
    assert world.client("b_admin").get(f"/jobs/{first.json()['id']}").status_code == 404
    zh = staff.get(f"/jobs/{first.json()['id']}", headers={"Accept-Language": "zh-CN"})
    assert "排队中" in zh.text and 'http-equiv="refresh"' in zh.text  # it reloads itself while queued


def test_a_job_whose_server_stopped_reads_as_interrupted_and_may_be_started_again(world):
    world.settings.web.run_jobs = False
    admin = world.client("admin")
    job = admin.api("POST", "/api/v1/jobs", json={"kind": "crawl", "organization": "cn-440305"}).json()
    long_ago = clock.now() - dt.timedelta(minutes=5)
    with world.engine.begin() as conn:  # a runner claimed it, then its process ended (no heartbeat since)
        conn.execute(update(JOBS).where(JOBS.c.id == job["id"]).values(state="running", started_at=long_ago,
                                                                         heartbeat_at=long_ago, run_id=7))
    seen = admin.api("GET", f"/api/v1/jobs/{job['id']}").json()
    assert (seen["state"], seen["active"]) == ("interrupted", False)
    page = admin.get(f"/jobs/{job['id']}").text
    assert "mgov crawl --resume --run 7" in page and 'http-equiv="refresh"' not in page
    again = admin.api("POST", "/api/v1/jobs", json={"kind": "crawl", "organization": "cn-440305"})
    assert again.status_code == 201 and again.json()["id"] != job["id"]
    with world.engine.connect() as conn:
        assert conn.execute(select(JOBS.c.state).where(JOBS.c.id == job["id"])).scalar() == "interrupted"
    # One another live server runs (its heartbeat is fresh) keeps running.
    with world.engine.begin() as conn:
        conn.execute(update(JOBS).where(JOBS.c.id == again.json()["id"]).values(
            state="running", started_at=clock.now(), heartbeat_at=clock.now()))
        assert jobs.recover(conn) == 0
    assert admin.api("GET", f"/api/v1/jobs/{again.json()['id']}").json()["state"] == "running"


def test_a_crawl_started_through_the_api_runs_to_its_findings(world, site):
    staff = world.client("a_staff")  # agency staff, within their own organization's subtree
    started = staff.api("POST", "/api/v1/jobs", json={"kind": "crawl", "channel": world.ids["site"]})
    assert started.status_code == 201, started.text
    # A second job while the first is under way: queued, then run after it.
    scan = staff.api("POST", "/api/v1/jobs", json={"kind": "scan", "organization": "cn-440305"})
    job = wait(staff, started.json()["id"])
    assert job["state"] == "done", job
    scanned = wait(staff, scan.json()["id"])
    assert scanned["state"] == "done" and scanned["run_id"] > job["run_id"], scanned
    assert (job["done"], job["total"], job["error"]) == (1, 1, None) and job["run_id"]
    with world.engine.connect() as conn:
        found = {r.check_id: r.status for r in conn.execute(
            select(FINDINGS.c.check_id, FINDINGS.c.status).where(FINDINGS.c.run_id == job["run_id"]))}
    assert found["links.dead"] == "fail", found  # /missing.html
    # The channel's page shows the new finding, as a failing row of its latest findings, and the job.
    page = staff.get(f"/channels/{world.ids['site']}").text
    assert f'href="/jobs/{job["id"]}"' in page and f'href="/jobs/{scanned["id"]}"' not in page  # the org's scan
    failing = re.search(r'<tr class="row-fail"><td><a href="/findings/(\d+)">Dead links', page)
    assert failing, page
    with world.engine.connect() as conn:
        assert conn.execute(select(FINDINGS.c.run_id).where(FINDINGS.c.id == int(failing.group(1)))).scalar() == \
            job["run_id"]


def test_without_the_allowance_a_private_target_fails_with_the_reason(world, site):
    world.settings.allow_private = False  # as an installation on the public internet
    admin = world.client("admin")
    started = admin.api("POST", "/api/v1/jobs", json={"kind": "scan", "channel": world.ids["site"]})
    job = wait(admin, started.json()["id"])
    assert job["state"] == "done" and job["run_id"]
    with world.engine.connect() as conn:
        statuses = {r.status for r in conn.execute(select(FINDINGS.c.status).where(FINDINGS.c.run_id == job["run_id"]))}
    assert "pass" not in statuses and "error" in statuses  # the SSRF guard refused every fetch


def test_schedules_read_with_their_next_time_within_scope(world):
    world.settings.schedule = [ScheduleEntry(kind="scan", at="0 2 * * *", organization="cn-440300",
                                             time_zone="Asia/Shanghai"),
                               ScheduleEntry(kind="crawl", at="30 3 * * 6", channel="https://www.gz.gov.cn"),
                               ScheduleEntry(kind="assess", at="0 6 1 1,4,7,10 *", profile="cn-2019-website")]
    admin = world.client("admin").api("GET", "/api/v1/schedules").json()["items"]
    assert [s["kind"] for s in admin] == ["scan", "crawl", "assess"]
    assert admin[0]["command"] == "mgov scan --org cn-440300" and admin[0]["reads"] == {"every": "day",
                                                                                         "time": "02:00"}
    assert admin[2]["command"].startswith("mgov assess --profile cn-2019-website --period ")
    staff_a = world.client("a_staff").api("GET", "/api/v1/schedules").json()["items"]
    assert [s["number"] for s in staff_a] == [1]  # Shenzhen's only (Guangzhou's and everything's are not theirs)
    page = world.client("a_staff").get("/schedules", headers={"Accept-Language": "zh-CN"}).text
    assert "每天 02:00" in page and "mgov scan --org cn-440300" in page


def test_next_times_follow_cron_in_the_entrys_zone():
    at = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)  # a Sunday, 04:00 on Monday in Shanghai
    daily = ScheduleEntry(kind="scan", at="0 2 * * *", time_zone="Asia/Shanghai")
    assert next_time(daily, at, "Asia/Shanghai") == dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)
    weekly = ScheduleEntry(kind="crawl", at="30 3 * * 6")
    assert next_time(weekly, at, "UTC") == dt.datetime(2026, 12, 12, 3, 30, tzinfo=dt.UTC)
    assert reading(weekly) == {"every": "week", "time": "03:30", "weekday": 6}
    quarterly = ScheduleEntry(kind="assess", at="0 6 1 1,4,7,10 *", profile="cn-2019-website")
    assert next_time(quarterly, at, "UTC") == dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.UTC)
    either = ScheduleEntry(kind="scan", at="0 0 13 * 5")  # cron: the 13th, or any Friday
    assert next_time(either, at, "UTC") == dt.datetime(2026, 12, 11, 0, 0, tzinfo=dt.UTC)
    assert next_time(ScheduleEntry(kind="scan", at="0 0 30 2 *"), at, "UTC") is None  # 30 February
    assert previous_period("quarter", dt.date(2026, 12, 6)) == "2026Q3"
    assert previous_period("quarter", dt.date(2026, 2, 1)) == "2025Q4"
    assert previous_period("month", dt.date(2026, 1, 6)) == "2025-12"
    for bad in ("0 2 * *", "60 2 * * *", "0 2 * * mon", "*/0 * * * *"):
        with pytest.raises(ValueError, match="cron time"):
            ScheduleEntry(kind="scan", at=bad)
    with pytest.raises(ValueError, match="names its profile"):
        ScheduleEntry(kind="assess", at="0 6 1 1 *")
    with pytest.raises(ValueError, match="not both"):
        ScheduleEntry(kind="scan", at="0 6 * * *", organization="cn-440300", channel="https://www.sz.gov.cn")


def test_the_documented_schedules_are_valid_settings(tmp_path, monkeypatch):
    text = (Path(__file__).resolve().parents[1] / "docs" / "dashboard.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- example: schedules -->\n```toml\n(.*?)```", text, re.DOTALL).group(1)
    (tmp_path / "mgov.toml").write_text(example, encoding="utf-8")
    monkeypatch.setenv("MGOV_CONFIG", str(tmp_path / "mgov.toml"))
    entries = Settings().schedule
    assert [(e.kind, e.at, e.organization) for e in entries] == [
        ("scan", "0 2 * * *", "cn-440000"), ("crawl", "30 3 * * 6", "cn-440000"), ("assess", "0 6 1 1,4,7,10 *", None)]
    assert [reading(e)["every"] for e in entries] == ["day", "week", None]


def test_an_assessment_started_from_the_reports_page_runs_to_its_result(world):
    admin = world.client("admin")
    reports = admin.get("/reports").text
    assert 'name="kind" value="assess"' in reports and 'value="cn-2019-website"' in reports
    assert 'value="assess"' not in world.client("a_admin").get("/reports").text  # agencies do not assess
    answer = admin.post_form("/jobs", {"kind": "assess", "profile": "cn-2019-website", "period": "2026-01",
                                       "organization": "cn-440000", "from": "/reports"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/jobs/"), flash_of(answer)
    job = wait(admin, int(answer.headers["location"].rsplit("/", 1)[1]))
    assert job["state"] == "done" and job["assessment_id"] > world.ids["assessment"], job
    assert (job["done"], job["total"]) == (3, 3)  # the province's websites: Shenzhen's, Guangzhou's, the district's
    page = admin.get(f"/jobs/{job['id']}").text
    assert f'href="/rankings?assessment={job["assessment_id"]}"' in page


def test_the_start_buttons_show_to_the_roles_that_may_press_them(world):
    org, channel = "/orgs/cn-440305", f"/channels/{world.ids['site']}"
    for user, shown in (("a_staff", True), ("a_admin", True), ("admin", True), ("a_viewer", False),
                        ("reviewer", False)):
        browser = world.client(user)
        for url in (org, channel):
            text = browser.get(url).text
            assert ('value="crawl"' in text and 'value="scan"' in text) == shown, (user, url)


def test_a_job_that_cannot_run_fails_with_the_reason(world):
    with world.engine.begin() as conn:
        service.write(conn, Batch(organizations=[OrgRecord("cn-440399", Origin("test"), name_zh="无网站的单位",
                                                           jurisdiction="cn", tier="county", parent="cn-440300")]))
    staff = world.client("a_staff")
    body = {"kind": "scan", "organization": "cn-440399"}
    job = wait(staff, staff.api("POST", "/api/v1/jobs", json=body).json()["id"])
    assert job["state"] == "failed" and "no registered web channel matches" in job["error"], job
    page = staff.get(f"/jobs/{job['id']}", headers={"Accept-Language": "zh-CN"}).text
    assert "作业失败" in page and "no registered web channel matches" in page
    again = staff.api("POST", "/api/v1/jobs", json=body)
    assert again.status_code == 201  # an ended job holds its target no more
