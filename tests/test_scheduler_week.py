"""A simulated week on the embedded default: a small farm, the scheduler ticking every ten
minutes on a clock the test controls, each job run through the dispatch seam (inline: the
jobs runner in this thread; parametrizable for another engine). Every scheduled job runs on
time, once per due time, and produces its results (findings, probes, an assessment)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy import func, select

from mgov import clock
from mgov.act import schedule
from mgov.act.workdays import load_calendar
from mgov.config import ScheduleEntry, load_settings
from mgov.db.tables import ASSESSMENTS, FINDINGS, JOBS, PROBES
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.runs.context import RoutingOptions
from mgov.scheduler.dispatch import inline
from mgov.scheduler.executors import job_runner
from mgov.scheduler.tick import Scheduler

START = dt.datetime(2026, 9, 28, 0, 0, tzinfo=dt.UTC)  # Monday; 1-7 October is the National Day holiday
STEP = dt.timedelta(minutes=10)
ENTRIES = [
    ScheduleEntry(kind="scan", at="0 2 * * *", time_zone="Asia/Shanghai", workdays_only=True),
    ScheduleEntry(kind="probe", at="0 0 * * *", times_a_day=4, jitter=30),
    ScheduleEntry(kind="crawl", at="0 3 * * 6"),
    ScheduleEntry(kind="assess", profile="cn-2019-website", period="month"),
    ScheduleEntry(kind="digest", at="0 8 * * *"),
    ScheduleEntry(kind="archive_audit", at="0 5 * * 0"),
    ScheduleEntry(kind="capture", at="0 6 * * *", limits={"platform_rate": 500.0}),
]


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    with run_in_thread(generate(11, 3, exports_dir=tmp_path_factory.mktemp("exports"))) as running:
        yield running


def expected_times(entry: ScheduleEntry) -> list[dt.datetime]:
    """The due times of the week, as the entry says them (its jitter predicted from its seed)."""
    cal = load_calendar()
    zone = entry.time_zone or "UTC"
    out, when = [], START
    while (when := schedule.next_due(entry, when, zone, working_day=cal.is_working_day)) < START + dt.timedelta(7):
        out.append(when)
    return out


def inline_dispatch(engine, settings, routing):
    return inline(job_runner(engine, settings, routing=routing))


@pytest.mark.parametrize("make_dispatch", [inline_dispatch], ids=["in-process"])
def test_a_week_of_schedules_runs_every_job_on_time(engine, farm, tmp_path, make_dispatch):
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    settings = load_settings(home=tmp_path / "home")
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    # The render pass (Chromium) on one site only: a browser per site is the week's costliest job.
    entries = [*ENTRIES, ScheduleEntry(kind="render", at="0 7 * * 5", channel=farm.manifest.sites[0].registry.address)]
    sched = Scheduler(engine, settings, make_dispatch(engine, settings, routing), entries=entries)
    now = START
    while now < START + dt.timedelta(days=7):
        with clock.fixed(now):
            sched.tick()
        now += STEP
    with engine.connect() as conn:
        rows = conn.execute(select(JOBS).order_by(JOBS.c.id)).all()
    assert all(r.state == "done" for r in rows), [(r.kind, r.state, r.error) for r in rows if r.state != "done"]
    for entry in entries:
        due = expected_times(entry)
        mine = [r for r in rows if r.schedule_key == schedule.key(entry)]
        assert len(mine) == len(due), (entry.kind, [r.created_at for r in mine], due)
        for row, when in zip(mine, due, strict=True):
            started = row.created_at.replace(tzinfo=dt.UTC)
            assert when <= started < when + STEP, (entry.kind, started, when)  # on the first tick after its time
    counts = {e.kind: len(expected_times(e)) for e in entries}
    # Scans at 02:00 in Shanghai on working days only (29 and 30 September: 28 September's ran
    # before the week's first UTC hour), probes four a day, the rest as their time says.
    assert counts == {"scan": 2, "probe": 28, "crawl": 1, "assess": 1, "digest": 7, "archive_audit": 1,
                      "capture": 7, "render": 1}
    with engine.connect() as conn:
        for row in rows:
            if row.kind in ("scan", "crawl", "capture", "render"):
                assert conn.execute(select(func.count()).select_from(FINDINGS)
                                    .where(FINDINGS.c.run_id == row.run_id)).scalar_one() > 0, row.kind
            if row.kind == "probe":
                assert row.result["probes"] == 3
        assert conn.execute(select(func.count()).select_from(PROBES)).scalar_one() == 28 * 3
        assessment = conn.execute(select(ASSESSMENTS)).one()
        assert assessment.period == "2026-09" and assessment.profile_id == "cn-2019-website"
