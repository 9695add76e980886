"""The scheduler's core on a clock the test controls: due times with runs a day and jitter
(predictable per entry and day), a missed run caught up once, a job still active not started
again, the lease (a second scheduler waits and takes over when the first dies), overdue
entries in `mgov schedule`, and working days from the maintained calendars."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from mgov import clock
from mgov.act import jobs, schedule
from mgov.act.workdays import add_working_days, deadline_for, load_calendar
from mgov.config import ScheduleEntry, load_settings
from mgov.db.tables import JOBS
from mgov.profiles import Deadline
from mgov.scheduler import store
from mgov.scheduler.entries import all_entries
from mgov.scheduler.tick import Scheduler

UTC = dt.UTC
T0 = dt.datetime(2026, 9, 28, 0, 0, tzinfo=UTC)  # a Monday


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=day, hours=hour, minutes=minute)


class Recorder:
    """A dispatch that leaves the jobs queued, and says which it was handed."""

    def __init__(self) -> None:
        self.jobs: list[dict] = []

    def __call__(self, job: dict) -> None:
        self.jobs.append(job)


def make(engine, tmp_path, entries, **kw):
    settings = load_settings(home=tmp_path / "home")
    dispatch = Recorder()
    return Scheduler(engine, settings, dispatch, entries=entries, **kw), dispatch


def finish_all(engine):
    with engine.begin() as conn:
        for job_id in conn.execute(select(JOBS.c.id).where(JOBS.c.active_key.is_not(None))).scalars():
            jobs.finish(conn, job_id, "done")


def test_times_a_day_and_jitter_are_predictable():
    entry = ScheduleEntry(kind="probe", at="0 0 * * *", times_a_day=4, jitter=30)
    day = dt.date(2026, 9, 28)
    times = schedule.due_times(entry, day, "UTC")
    assert times == schedule.due_times(entry, day, "UTC")  # the same every time it is asked
    k = schedule.key(entry)
    expected = sorted(dt.datetime.combine(day, dt.time(6 * i), UTC) + schedule.jitter_of(k, day, i, 30)
                      for i in range(4))
    assert times == expected
    offsets = [schedule.jitter_of(k, day, i, 30) for i in range(4)]
    assert all(dt.timedelta(0) <= o < dt.timedelta(minutes=30) for o in offsets)
    assert len(set(offsets)) > 1  # spread, not one fixed delay
    assert schedule.due_times(entry, day + dt.timedelta(days=1), "UTC") != [t + dt.timedelta(days=1) for t in times]
    # In a zone: 02:00 Asia/Shanghai is 18:00 UTC the day before.
    daily = ScheduleEntry(kind="scan", at="0 2 * * *", time_zone="Asia/Shanghai")
    assert schedule.next_due(daily, T0, "Asia/Shanghai") == dt.datetime(2026, 9, 28, 18, 0, tzinfo=UTC)


def test_assess_defaults_to_its_period_end_and_kinds_are_checked():
    entry = ScheduleEntry(kind="assess", profile="cn-2019-website", period="month")
    assert entry.at == "0 4 1 * *"
    assert schedule.next_due(entry, T0, "UTC") == dt.datetime(2026, 10, 1, 4, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="choose scan"):
        ScheduleEntry(kind="reindex", at="0 1 * * *")
    with pytest.raises(ValueError, match="runs on everything"):
        ScheduleEntry(kind="digest", at="0 8 * * *", organization="X")
    with pytest.raises(ValueError, match="needs `at`"):
        ScheduleEntry(kind="scan")


def test_a_missed_run_runs_once_and_the_next_is_after_now(engine, tmp_path):
    entry = ScheduleEntry(kind="digest", at="0 2 * * *")
    sched, sent = make(engine, tmp_path, [entry])
    assert sched.tick(at(0)) == []  # first sight: due at 02:00
    with engine.connect() as conn:
        assert store.states(conn)[schedule.key(entry)]["next_due_at"] == at(0, 2)
    assert sched.tick(at(0, 1, 59)) == []
    first = sched.tick(at(0, 2, 1))
    assert [j["kind"] for j in first] == ["digest"] and sent.jobs == first
    finish_all(engine)
    # The machine is down from day 0 to day 3, 03:00: three due times passed, one run.
    caught_up = sched.tick(at(3, 3))
    assert len(caught_up) == 1
    with engine.connect() as conn:
        state = store.states(conn)[schedule.key(entry)]
    assert state["missed"] == 2 and state["last_due_at"] == at(1, 2) and state["next_due_at"] == at(4, 2)
    assert state["last_job_id"] == caught_up[0]["id"] and state["last_outcome"] == "started"
    assert sched.tick(at(3, 3, 10)) == []
    with engine.connect() as conn:
        assert conn.execute(select(JOBS.c.id).where(JOBS.c.kind == "digest")).scalars().all() == \
            [first[0]["id"], caught_up[0]["id"]]


def test_a_job_still_active_is_not_started_again(engine, tmp_path):
    entry = ScheduleEntry(kind="probe", at="0 0 * * *", times_a_day=24)
    sched, _ = make(engine, tmp_path, [entry])
    sched.tick(at(0))
    started = sched.tick(at(0, 1, 30))
    assert len(started) == 1  # queued, never run
    assert sched.tick(at(0, 2, 30)) == []
    with engine.connect() as conn:
        state = store.states(conn)[schedule.key(entry)]
        count = len(conn.execute(select(JOBS.c.id)).all())
    assert state["last_outcome"] == "still_active" and state["last_job_id"] == started[0]["id"]
    assert state["next_due_at"] == at(0, 3) and count == 1
    finish_all(engine)
    assert len(sched.tick(at(0, 3, 1))) == 1


def test_one_scheduler_at_a_time_and_takeover(engine, tmp_path):
    entry = ScheduleEntry(kind="digest", at="* * * * *")  # every minute
    first, _ = make(engine, tmp_path, [entry], holder="first", lease_seconds=60)
    second, sent_second = make(engine, tmp_path, [entry], holder="second", lease_seconds=60)

    def s(seconds):
        return T0 + dt.timedelta(seconds=seconds)

    first.tick(s(0))
    assert second.tick(s(10)) == []  # the lease is first's: second waits
    assert len(first.tick(s(70))) == 1  # due at 00:01; first renews its lease to 130 s
    finish_all(engine)
    assert second.tick(s(120)) == []
    # first has died (ticks no more): once its lease has expired, second takes over.
    taken = second.tick(s(140))
    assert len(taken) == 1 and sent_second.jobs == taken
    with engine.connect() as conn:
        assert store.holder(conn)["holder"] == "second"
    assert first.tick(s(150)) == []  # back, it finds the lease taken and waits in turn
    second.release()  # second stops cleanly: first takes over at once
    finish_all(engine)
    assert len(first.tick(s(190))) == 1


def test_a_tick_that_outlives_its_lease_starts_nothing_once_another_took_over(engine, tmp_path):
    """first's tick stalls in tend() (a broker away) past its lease, and second takes the
    lease meanwhile: first, resuming, starts nothing (second, with entries of its own here,
    has not touched first's entry, which is due)."""
    entry = ScheduleEntry(kind="digest", at="* * * * *")
    settings = load_settings(home=tmp_path / "home")
    second = Scheduler(engine, settings, Recorder(), entries=[], holder="second", lease_seconds=60)
    stall = {"armed": False}

    class Stalling(Recorder):
        def tend(self) -> None:  # while first is stuck here, its lease expires and second ticks
            if stall["armed"]:
                second.tick(T0 + dt.timedelta(seconds=200))

    sent = Stalling()
    first = Scheduler(engine, settings, sent, entries=[entry], holder="first", lease_seconds=60)
    first.tick(T0)  # first sight: due at 00:01
    stall["armed"] = True
    assert first.tick(T0 + dt.timedelta(seconds=70)) == [] and sent.jobs == []
    with engine.connect() as conn:
        assert store.holder(conn)["holder"] == "second"
        assert conn.execute(select(JOBS.c.id)).all() == []
        assert store.states(conn)[schedule.key(entry)]["next_due_at"] == T0 + dt.timedelta(seconds=60)


def test_workdays_only_skips_holidays_and_counts_makeup_days(engine, tmp_path):
    cn = ScheduleEntry(kind="digest", at="0 9 * * *", workdays_only=True, calendar="cn")
    cal = load_calendar(country="cn")
    # National Day 2026: 1-7 October off, Saturday 10 October worked (调休).
    start = dt.datetime(2026, 9, 30, 10, tzinfo=UTC)
    assert schedule.next_due(cn, start, "UTC", working_day=cal.is_working_day) == \
        dt.datetime(2026, 10, 8, 9, tzinfo=UTC)
    sat = dt.datetime(2026, 10, 9, 10, tzinfo=UTC)
    assert schedule.next_due(cn, sat, "UTC", working_day=cal.is_working_day) == \
        dt.datetime(2026, 10, 10, 9, tzinfo=UTC)
    us = ScheduleEntry(kind="digest", at="0 9 * * *", workdays_only=True, calendar="us")
    sched, _ = make(engine, tmp_path, [us])
    sched.tick(dt.datetime(2026, 6, 18, 10, tzinfo=UTC))  # Thursday; Friday 19 June is Juneteenth
    with engine.connect() as conn:
        assert store.states(conn)[schedule.key(us)]["next_due_at"] == dt.datetime(2026, 6, 22, 9, tzinfo=UTC)


def test_working_day_deadlines_cn_makeup_saturday_and_us_juneteenth():
    cn, us = load_calendar(), load_calendar(country="us")
    assert cn.is_working_day(dt.date(2026, 2, 14))  # Saturday worked (调休) before 春节
    assert add_working_days(dt.date(2026, 2, 13), 1, cn) == dt.date(2026, 2, 14)
    assert not us.is_working_day(dt.date(2026, 6, 19))  # Juneteenth, a federal holiday
    assert us.is_working_day(dt.date(2026, 10, 1)) and not cn.is_working_day(dt.date(2026, 10, 1))
    assert deadline_for(Deadline.parse("1 working days"), dt.date(2026, 6, 18), us) == dt.date(2026, 6, 22)
    assert deadline_for(Deadline.parse("5 working days"), dt.date(2026, 6, 15), us) == dt.date(2026, 6, 23)
    assert us.warning(dt.date(2030, 1, 1), dt.date(2030, 2, 1)) is None  # federal holidays are known every year


def test_profile_defaults_and_the_list_command(cli, tmp_path):
    (cli_home := tmp_path / "home").mkdir(exist_ok=True)
    (cli_home / "mgov.toml").write_text(
        'schedule_profiles = ["cn-2019-website"]\n[[schedule]]\nkind = "digest"\nat = "0 8 * * 1"\n', encoding="utf-8")
    env = {"MGOV_CONFIG": str(cli_home / "mgov.toml")}
    out = json.loads(cli("schedule", "--json", **env).stdout)
    kinds = [r["kind"] for r in out["items"]]
    assert kinds[0] == "digest" and {"scan", "probe", "crawl", "assess"} <= set(kinds)
    assert not any(r["overdue"] for r in out["items"]) and out["scheduler"] is None
    assessed = next(r for r in out["items"] if r["kind"] == "assess")
    assert assessed["profile"] == "cn-2019-website"
    # A scheduler saw the entries on Monday, then stopped: eight days later they are overdue,
    # all but the profile's digest on working Mondays (5 October is in the National Day holiday).
    with clock.fixed(T0):
        assert "Nothing is due" in cli("schedule", "run-due", **env).stdout
    with clock.fixed(T0 + dt.timedelta(days=8)):
        late = json.loads(cli("schedule", "--json", **env).stdout)["items"]
    assert {r["kind"] for r in late if r["overdue"]} == {"digest", "scan", "probe", "crawl", "assess", "archive_audit"}
    assert [r["workdays_only"] for r in late if not r["overdue"]] == [True]
    text = cli("schedule", **env).stdout
    assert "digest" in text and "No scheduler is running" in text


def test_entries_of_settings_and_profiles_are_one_list(tmp_path):
    settings = load_settings(home=tmp_path, schedule_profiles=["us-federal"])
    entries = all_entries(settings)
    assert entries and all(e.kind in jobs.KINDS for e in entries)
    assert all(e.profile == "us-federal" for e in entries if e.kind == "assess")


def test_a_dispatch_that_fails_leaves_the_job_queued_and_it_is_sent_again_when_next_due(engine, tmp_path):
    """A broker away when the job is sent: the tick goes on (no exception), and the job, still
    queued, is sent again at the entry's next due time (no second job is made)."""
    entry = ScheduleEntry(kind="probe", at="0 0 * * *", times_a_day=24)
    sent: list[int] = []

    def flaky(job):
        if not sent:
            sent.append(-1)
            raise ConnectionError("broker away")
        sent.append(job["id"])

    sched = Scheduler(engine, load_settings(home=tmp_path / "home"), flaky, entries=[entry])
    sched.tick(at(0))
    first = sched.tick(at(0, 1, 30))
    assert len(first) == 1 and sent == [-1]  # made, its dispatch failed, the tick went on
    assert sched.tick(at(0, 2, 30)) == []  # nothing new started...
    assert sent == [-1, first[0]["id"]]  # ...and the queued job sent again
    with engine.connect() as conn:
        assert len(conn.execute(select(JOBS.c.id)).all()) == 1
