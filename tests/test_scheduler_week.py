"""A simulated week: a small farm, the scheduler ticking every ten minutes on a clock the test
controls, each job run through the dispatch seam: inline (the embedded default's jobs runner,
in this thread), and sent to two real `mgov worker` processes on a Redis of the test's own
(Celery; the workers run each job at its dispatcher's time, [cluster] simulated_clock; a run
job's channels fanned out to both workers, a task each, the last of which ends the job). Every
scheduled job runs on time, once per due time, and produces its results (findings, probes, an
assessment), and the workers' week finds what the embedded default's week found."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from mgov import clock
from mgov.act import schedule
from mgov.act.workdays import load_calendar
from mgov.cluster.dispatch import celery_dispatch
from mgov.config import ScheduleEntry, load_settings
from mgov.db.engine import make_engine
from mgov.db.tables import ASSESSMENTS, CHANNELS, FINDINGS, JOBS, PROBES, RUN_TASKS, SEARCH_DOCUMENTS
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.runs.context import RoutingOptions
from mgov.scheduler.dispatch import inline
from mgov.scheduler.executors import job_runner
from mgov.scheduler.tick import Scheduler
from pg_schema import own_schema
from redis_server import RedisServer, Workers, own_redis

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


class Week:
    """One week's jobs run one way; `settle()` after a tick waits for what that tick sent."""

    def __init__(self, dispatch: Any, engine: Engine) -> None:
        self.dispatch, self.engine, self.sent = dispatch, engine, []

    def __call__(self, job: dict[str, Any]) -> None:
        self.dispatch(job)
        self.sent.append(int(job["id"]))

    def settle(self, timeout: float = 300.0) -> None:
        """The jobs sent so far ended (an hour of the simulated clock passes while they run)."""
        deadline = time.monotonic() + timeout
        while self.sent:
            with self.engine.connect() as conn:
                states = dict(conn.execute(select(JOBS.c.id, JOBS.c.state).where(JOBS.c.id.in_(self.sent))).all())
            self.sent = [i for i in self.sent if states.get(i) not in ("done", "failed")]
            assert not self.sent or time.monotonic() < deadline, f"jobs {self.sent} still {states}"
            if self.sent:
                time.sleep(0.1)


def run_week(engine: Engine, farm: Any, home: Path, dispatch: Callable[[Any], Week]) -> dict[str, Any]:
    """The week on engine's database, every job checked against its due times; what it found."""
    path = home.parent / f"{home.name}-farm.yaml"
    path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    settings = load_settings(home=home)
    entries = week_entries(farm)
    week = dispatch(settings)
    sched = Scheduler(engine, settings, week, entries=entries)
    now = START
    while now < START + dt.timedelta(days=7):
        with clock.fixed(now):
            sched.tick()
        week.settle()
        now += STEP
    sched.release()
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
    found: dict[str, collections.Counter[tuple[str, str, str]]] = collections.defaultdict(collections.Counter)
    with engine.connect() as conn:
        for row in rows:
            if row.kind in ("scan", "crawl", "capture", "render"):
                got = conn.execute(select(CHANNELS.c.address, FINDINGS.c.check_id, FINDINGS.c.status)
                                   .join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
                                   .where(FINDINGS.c.run_id == row.run_id)).all()
                assert got, row.kind
                found[row.kind].update((a, c, str(st)) for a, c, st in got)
            if row.kind == "probe":
                assert row.result["probes"] == 3
        assert conn.execute(select(func.count()).select_from(PROBES)).scalar_one() == 28 * 3
        assessment = conn.execute(select(ASSESSMENTS)).one()
        assert assessment.period == "2026-09" and assessment.profile_id == "cn-2019-website"
        # The crawl's captures were made searchable after it, as `mgov crawl` makes them.
        searchable = set(conn.execute(select(SEARCH_DOCUMENTS.c.url)).scalars())
    assert searchable
    return {"jobs": collections.Counter(r.kind for r in rows), "findings": dict(found), "searchable": searchable}


def week_entries(farm: Any) -> list[ScheduleEntry]:
    # The render pass (Chromium) on one site only: a browser per site is the week's costliest job.
    return [*ENTRIES, ScheduleEntry(kind="render", at="0 7 * * 5", channel=farm.manifest.sites[0].registry.address)]


def test_the_weeks_due_times() -> None:
    """Scans at 02:00 in Shanghai on working days only (29 and 30 September: 28 September's ran
    before the week's first UTC hour), probes four a day, the rest as their time says."""
    counts = {e.kind: len(expected_times(e)) for e in [*ENTRIES, ScheduleEntry(kind="render", at="0 7 * * 5")]}
    assert counts == {"scan": 2, "probe": 28, "crawl": 1, "assess": 1, "digest": 7, "archive_audit": 1,
                      "capture": 7, "render": 1}


_WEEKS: dict[str, dict[str, Any]] = {}  # the in-process week's findings, for the Celery week to match


def inline_week(engine: Engine, farm: Any, home: Path) -> dict[str, Any]:
    if "inline" not in _WEEKS:
        routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                                 ca_bundle=str(farm.ca_pem), allow_private=True)
        _WEEKS["inline"] = run_week(engine, farm, home, lambda settings: Week(
            inline(job_runner(engine, settings, routing=routing)), engine))
    return _WEEKS["inline"]


def test_a_week_of_schedules_runs_every_job_on_time(engine, farm, tmp_path):
    week = inline_week(engine, farm, tmp_path / "home")
    assert set(week["jobs"]) == {"scan", "probe", "crawl", "assess", "digest", "archive_audit", "capture", "render"}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from own_redis(tmp_path_factory)


@pytest.fixture
def second_db(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A database beside the test's own, for the in-process week when it has not run yet."""
    if db_url.startswith("sqlite"):
        path = tmp_path / "baseline.db"
        shutil.copy(db_url.removeprefix("sqlite:///"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    yield from own_schema("mgov_week")


def test_a_week_on_celery_with_two_workers_finds_the_same(engine, db_url, farm, tmp_path, redis_server,
                                                         request):
    if "inline" not in _WEEKS:  # run alone: the embedded default's week first, on a database of its own
        other = request.getfixturevalue("second_db")
        inline_week(other, farm, tmp_path / "inline-home")
    home = tmp_path / "home"
    env = {**os.environ, "MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(home),
           "MGOV_CONFIG": str(tmp_path / "none.toml"), "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
           "MGOV_CLUSTER__BROKER": redis_server.url, "MGOV_CLUSTER__QUEUE": "week",
           "MGOV_CLUSTER__SIMULATED_CLOCK": "true", "MGOV_ALLOW_PRIVATE": "true",
           "MGOV_ROUTING__DNS": f"127.0.0.1:{farm.dns_port}", "MGOV_ROUTING__CA_BUNDLE": str(farm.ca_pem),
           "MGOV_ROUTING__CONNECT_TO": json.dumps(list(farm.connect_to))}
    workers = Workers(env, tmp_path)
    workers.start("w1", "INFO"), workers.start("w2", "INFO")  # INFO: each task taken is logged

    def dispatch(settings: Any) -> Week:
        settings.cluster.broker, settings.cluster.queue = redis_server.url, "week"
        settings.cluster.simulated_clock = True  # each job sent with the simulated time
        return Week(celery_dispatch(settings, engine), engine)

    try:
        week = run_week(engine, farm, home, dispatch)
    finally:
        workers.stop()
    logs = {name: (tmp_path / f"{name}.log").read_text(errors="replace") for name in ("w1", "w2")}
    taken = {name: (log.count("mgov.run_job"), log.count("mgov.run_channel")) for name, log in logs.items()}
    baseline = _WEEKS["inline"]
    assert week["jobs"] == baseline["jobs"]
    for kind, found in baseline["findings"].items():
        assert week["findings"][kind] == found, (kind, sorted((week["findings"][kind] - found).items()),
                                                 sorted((found - week["findings"][kind]).items()))
    assert week["searchable"] == baseline["searchable"]  # the crawl's pages indexed on the workers too
    assert all(jobs and channels for jobs, channels in taken.values()), taken  # both took jobs and channels
    with engine.connect() as conn:
        runs = conn.execute(select(JOBS.c.kind, JOBS.c.run_id, JOBS.c.done, JOBS.c.total)
                            .where(JOBS.c.run_id.is_not(None))).all()
        fanned = set(conn.execute(select(RUN_TASKS.c.run_id).distinct()).scalars())
        undone = conn.execute(select(RUN_TASKS.c.run_id, RUN_TASKS.c.state).where(RUN_TASKS.c.state != "done")).all()
        tasks_by = set(conn.execute(select(RUN_TASKS.c.worker).distinct()).scalars())
    # Every run job went out channel by channel, each task done, and the job ended with its counts.
    assert not undone, undone
    assert runs and all(r.run_id in fanned and r.done == r.total > 0 for r in runs), (runs, fanned)
    assert len(tasks_by) == 2, tasks_by  # the channels of the week's runs ran on both workers
    # Each worker process wrote WARC files of its own, named after it.
    written = {p.name for p in load_settings(home=home).resolved_archive_dir.rglob("*.warc.gz")}
    assert written and all(n.startswith(f"mgov-{socket.gethostname()}-") for n in written), written
