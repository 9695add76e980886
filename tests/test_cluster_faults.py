"""Distributed runs under faults (issue 20): a run sent to two real `mgov worker` processes on a
real Redis of the test's own (its own port and directory, so it can be restarted), against the
loopback farm. A worker killed with SIGKILL mid-run, Redis restarted mid-run, the database
lost for a few seconds: each time the run ends with every channel stored once, and the same
findings per (channel, check) as an embedded run of the same channels."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from mgov import clock
from mgov.act import jobs
from mgov.cluster import service, tasks
from mgov.cluster import store as cluster_store
from mgov.cluster.app import make_app
from mgov.cluster.dispatch import celery_dispatch
from mgov.config import ScheduleEntry, load_settings
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, FINDINGS, JOBS, RUN_TASKS, SCAN_ITEMS, SCAN_RUNS
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run
from mgov.scheduler.dispatch import inline
from mgov.scheduler.executors import job_runner
from mgov.scheduler.tick import Scheduler
from redis_server import RedisServer, Workers, free_port, own_redis

pytestmark = pytest.mark.database
ROOT = Path(__file__).resolve().parents[1]
CHANNELS = 8
VISIBILITY = 4.0  # seconds before a vanished worker's task is handed to another


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from own_redis(tmp_path_factory)


@pytest.fixture(scope="module")
def farm() -> Iterator[Any]:
    with run_in_thread(generate(23, CHANNELS, latency_ms=150)) as running:
        yield running


class Setup:
    def __init__(self, engine: Engine, db_url: str, farm: Any, redis: RedisServer, tmp_path: Path) -> None:
        path = tmp_path / "farm.yaml"
        path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
        assert import_file(engine, path).problems == []
        self.engine, self.farm, self.redis = engine, farm, redis
        self.home = tmp_path / "home"
        self.addresses = [s.registry.address for s in farm.manifest.sites]
        self.routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                                      ca_bundle=str(farm.ca_pem), allow_private=True)
        self.env = {**os.environ, "MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(self.home),
                    "MGOV_CLUSTER__BROKER": redis.url, "MGOV_CLUSTER__VISIBILITY_TIMEOUT": str(VISIBILITY),
                    "MGOV_CONFIG": str(tmp_path / "none.toml"), "PYTHONPATH": str(ROOT / "src")}

    def settings(self, cluster: bool) -> Any:
        settings = load_settings(home=self.home)
        if cluster:
            settings.cluster.broker = self.redis.url
            settings.cluster.visibility_timeout = VISIBILITY
        return settings

    def embedded(self) -> collections.Counter[tuple[int, str, str | None]]:
        run_id = start_run(self.engine, run_params(channels=self.addresses, routing=self.routing))
        execute_run(self.engine, self.settings(False), run_id)
        return counts(self.engine, run_id)

    def distributed(self) -> int:
        run_id = start_run(self.engine, run_params(channels=self.addresses, routing=self.routing))
        assert service.enqueue_run(self.engine, self.settings(True), run_id) == CHANNELS
        return run_id

    def follow(self, run_id: int) -> dict[str, Any]:
        return service.follow(self.engine, self.settings(True), run_id, poll=0.2, stall=40, timeout=150)

    def wait_done(self, run_id: int, at_least: int) -> None:
        deadline = time.monotonic() + 60
        while service.progress(self.engine, run_id)["done"] < at_least:
            assert time.monotonic() < deadline, service.progress(self.engine, run_id)
            time.sleep(0.1)


def counts(engine: Engine, run_id: int) -> collections.Counter[tuple[int, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(FINDINGS.c.channel_id, FINDINGS.c.check_id, FINDINGS.c.variant)
                            .where(FINDINGS.c.run_id == run_id)).all()
    return collections.Counter((cid, check, variant) for cid, check, variant in rows)


def assert_complete(setup: Setup, run_id: int, baseline: collections.Counter[Any],
                    killed: frozenset[str] = frozenset()) -> None:
    """killed: worker processes killed mid-run (a task's row names only its last taker, and a
    killed one may have stored its channel, WARC records and all, before the kill)."""
    result = setup.follow(run_id)
    assert result["failed"] == 0
    engine = setup.engine
    with engine.connect() as conn:
        items = conn.execute(select(SCAN_ITEMS.c.channel_id, func.count()).where(SCAN_ITEMS.c.run_id == run_id)
                             .group_by(SCAN_ITEMS.c.channel_id)).all()
        files = conn.execute(select(ARCHIVE_FILES.c.name).join(ARCHIVE_RECORDS, ARCHIVE_RECORDS.c.file_id ==
                                                               ARCHIVE_FILES.c.id)
                             .where(ARCHIVE_RECORDS.c.run_id == run_id).distinct()).scalars().all()
        status = conn.execute(select(FINDINGS.c.status).limit(1)).scalar()
        takers = set(conn.execute(select(RUN_TASKS.c.worker).where(RUN_TASKS.c.run_id == run_id)).scalars())
    assert len(items) == CHANNELS and all(n == 1 for _, n in items)
    got = counts(engine, run_id)
    assert got == collections.Counter({(cid, check, v): n for (cid, check, v), n in baseline.items()}), (
        sorted((got - baseline).items()), sorted((baseline - got).items()))
    assert all(n == 1 for n in got.values()) and status is not None
    # Each worker process writes WARC files of its own, named after it.
    assert files and {name.rsplit("-", 2)[0] for name in files} <= {f"mgov-{w}" for w in takers | killed}, (
        files, takers, killed)


@pytest.fixture
def setup(engine: Engine, db_url: str, farm: Any, redis_server: RedisServer, tmp_path: Path) -> Setup:
    return Setup(engine, db_url, farm, redis_server, tmp_path)


def _running_workers(engine: Engine, run_id: int) -> set[int]:
    """Process ids (of pool processes) with a task of run_id running."""
    with engine.connect() as conn:
        names = conn.execute(select(RUN_TASKS.c.worker).where(RUN_TASKS.c.run_id == run_id,
                                                              RUN_TASKS.c.state == "running")).scalars().all()
    return {int(name.rsplit("-", 1)[1]) for name in names if name}


def test_worker_killed_mid_run(setup: Setup, tmp_path: Path) -> None:
    baseline = setup.embedded()
    workers = Workers(setup.env, tmp_path)
    first, _second = workers.start("w1"), workers.start("w2")
    try:
        run_id = setup.distributed()
        setup.wait_done(run_id, 1)
        deadline = time.monotonic() + 30
        while not (held := {pid for pid in _running_workers(setup.engine, run_id) if _group_of(pid) == first.pid}):
            assert time.monotonic() < deadline, "the first worker never took a task"
            time.sleep(0.05)
        workers.kill(first)  # SIGKILL to its whole group: the task it held is redone by the other
        assert_complete(setup, run_id, baseline, frozenset(f"{socket.gethostname()}-{pid}" for pid in held))
        with setup.engine.connect() as conn:
            again = conn.execute(select(func.max(RUN_TASKS.c.attempts)).where(RUN_TASKS.c.run_id == run_id)).scalar()
        assert again is not None and again >= 2
    finally:
        workers.stop()


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def test_redis_restarted_mid_run(setup: Setup, tmp_path: Path) -> None:
    baseline = setup.embedded()
    workers = Workers(setup.env, tmp_path)
    workers.start("w1"), workers.start("w2")
    try:
        run_id = setup.distributed()
        setup.wait_done(run_id, 2)
        setup.redis.stop()
        time.sleep(2)
        setup.redis.start()
        assert_complete(setup, run_id, baseline)
    finally:
        workers.stop()


def test_database_lost_for_a_few_seconds(setup: Setup, db_url: str, tmp_path: Path) -> None:
    baseline = setup.embedded()
    proxy = None
    if db_url.startswith("postgresql"):
        proxy = TcpProxy(5432)
        setup.env["MGOV_DATABASE_URL"] = db_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    workers = Workers(setup.env, tmp_path)
    workers.start("w1"), workers.start("w2")
    try:
        run_id = setup.distributed()
        setup.wait_done(run_id, 2)
        if proxy is not None:
            proxy.cut(4.0)
        else:
            lock_sqlite(db_url.removeprefix("sqlite:///"), 12.0)  # past the 10 s busy timeout: commits fail
        assert_complete(setup, run_id, baseline)
    finally:
        workers.stop()
        if proxy is not None:
            proxy.close()


def lock_sqlite(path: str, seconds: float) -> None:
    """Hold the database's write lock for `seconds` (as a long migration or a backup would)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


class TcpProxy:
    """A loopback TCP proxy to a port, whose connections can be cut and refused for a while."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._closed = False
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if time.monotonic() < self._down_until:
                client.close()  # refused while the database is "away"
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self, seconds: float) -> None:
        """Every open connection cut now, new ones refused for `seconds`."""
        self._down_until = time.monotonic() + seconds
        with self._lock:
            for s in self._open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self._open.clear()
        time.sleep(seconds)

    def close(self) -> None:
        self._closed = True
        self._listener.close()


def test_cli_sends_a_run_and_runs_shows_its_progress(cli: Any, db_url: str, engine: Engine, farm: Any,
                                                     redis_server: RedisServer, tmp_path: Path) -> None:
    """`mgov scan --cluster --detach` sends the run and returns; `mgov runs` shows it queued; the
    task's body, run in this process as a worker runs it, stores a channel once however often."""
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    env = {"MGOV_CLUSTER__BROKER": redis_server.url, "MGOV_CLUSTER__QUEUE": f"cli-{free_port()}"}
    result = cli("scan", "--cluster", "--detach", "--json", "--allow-private", "--dns", f"127.0.0.1:{farm.dns_port}",
                 "--ca-bundle", str(farm.ca_pem), *[a for c in farm.connect_to for a in ("--connect-to", c)], **env)
    sent = json.loads(result.stdout)
    assert sent["sent"] == CHANNELS
    rows = json.loads(cli("runs", "--json", **env).stdout)
    assert rows[0]["run"] == sent["run"] and rows[0]["distributed"]
    assert (rows[0]["total"], rows[0]["queued"], rows[0]["done"], rows[0]["status"]) == (
        CHANNELS, CHANNELS, 0, "running")
    with engine.connect() as conn:
        first = conn.execute(select(func.min(RUN_TASKS.c.channel_id)).where(RUN_TASKS.c.run_id == sent["run"])).scalar()
    tasks.configure(load_settings(home=tmp_path / "home", database_url=db_url))
    try:
        counts = tasks.run_channel(None, sent["run"], first, "scan")
        assert counts and sum(counts.values()) > 10
        assert tasks.run_channel(None, sent["run"], first, "scan") is None  # delivered again: stored already
    finally:
        tasks.close_work()
    rows = json.loads(cli("runs", "--json", **env).stdout)
    assert (rows[0]["done"], rows[0]["queued"], rows[0]["running"]) == (1, CHANNELS - 1, 0)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SCAN_ITEMS)
                            .where(SCAN_ITEMS.c.run_id == sent["run"])).scalar() == 1
        assert conn.execute(select(func.count()).select_from(FINDINGS)
                            .where(FINDINGS.c.run_id == sent["run"])).scalar() == sum(counts.values())


def test_the_schedulers_jobs_go_to_the_workers(setup: Setup, tmp_path: Path) -> None:
    """With a cluster configured, the scheduler's dispatch seam sends each job to the workers,
    which claim and run it as the embedded default's jobs runner does: the same outcome."""
    start = dt.datetime(2026, 9, 27, 4, 0, tzinfo=dt.UTC)  # a Sunday, before 05:00
    entries = [ScheduleEntry(kind="archive_audit", at="0 5 * * 0")]

    def week(dispatch: Any, weeks: int) -> list[Any]:
        sched = Scheduler(setup.engine, setup.settings(True), dispatch, entries=entries)
        sched.tick(start + dt.timedelta(weeks=weeks))  # seen first: due at 05:00 (later: due already)
        started = sched.tick(start + dt.timedelta(weeks=weeks, hours=1, minutes=5))
        sched.release()
        return started

    setup.settings(False).resolved_archive_dir.mkdir(parents=True)
    execute_run(setup.engine, setup.settings(False),  # an archive to audit
                start_run(setup.engine, run_params(channels=setup.addresses[:2], routing=setup.routing)))
    inline_jobs = week(inline(job_runner(setup.engine, setup.settings(False))), 0)
    workers = Workers(setup.env, tmp_path)
    workers.start("w1")
    try:
        sent = week(celery_dispatch(setup.settings(True)), 1)
        assert len(inline_jobs) == len(sent) == 1
        deadline = time.monotonic() + 60
        while True:
            with setup.engine.connect() as conn:
                row = conn.execute(select(JOBS).where(JOBS.c.id == sent[0]["id"])).one()
            if row.state in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        workers.stop()
    with setup.engine.connect() as conn:
        first = conn.execute(select(JOBS).where(JOBS.c.id == inline_jobs[0]["id"])).one()
    assert (row.state, row.error) == (first.state, first.error), (row.error, first.error)
    assert row.state == "done"
    assert row.result == first.result and row.kind == "archive_audit"


def test_a_jobs_run_fanned_out_outlives_its_messages(setup: Setup, tmp_path: Path) -> None:
    """A scheduler's scan job on a cluster: its channels sent as tasks, then lost with a Redis
    restarted without its data before any worker took them. The job, whose run nobody follows,
    is not read as interrupted for want of a heartbeat; the scheduler's dispatch tends it (sends
    the lost channels again once they have not moved for a stall's length), and the run's last
    task ends the job with the embedded run's findings."""
    baseline = setup.embedded()
    settings = setup.settings(True)
    app = make_app(settings.cluster)

    def hand_off(run_id: int) -> int:
        with setup.engine.begin() as conn:
            kind, channels = cluster_store.to_send(conn, run_id)
        tasks.send_tasks(app, settings.cluster.queue, run_id, kind, channels)
        return len(channels)

    with setup.engine.begin() as conn:
        job, _ = jobs.create(conn, "scan", jobs.Target(), {}, "test")
    try:
        assert job_runner(setup.engine, settings, routing=setup.routing, hand_off=hand_off).run_queued(job["id"])
    finally:
        app.close()
    setup.redis.stop()  # the eight messages, never taken, are gone with it
    setup.redis.start()
    later = clock.now() + jobs.STALE * 3
    with setup.engine.begin() as conn, clock.fixed(later):
        assert jobs.recover(conn) == 0
        shown = jobs.get(conn, job["id"])
    assert (shown["state"], shown["distributed"], shown["done"], shown["total"]) == ("running", True, 0, CHANNELS)
    celery_dispatch(settings, setup.engine).tend()  # the scheduler's call, on each tick
    assert service.tend(setup.engine, settings) == 0  # within the stall: nothing is sent again
    assert service.progress(setup.engine, shown["run_id"])["queued"] == CHANNELS
    workers = Workers(setup.env, tmp_path)
    workers.start("w1"), workers.start("w2")
    try:
        with clock.fixed(clock.now() + dt.timedelta(seconds=VISIBILITY + 61)):
            assert service.tend(setup.engine, settings) == CHANNELS
        deadline = time.monotonic() + 120
        while (row := _job(setup.engine, job["id"])).state == "running":
            assert time.monotonic() < deadline, service.progress(setup.engine, shown["run_id"])
            time.sleep(0.2)
    finally:
        workers.stop()
    assert (row.state, row.error, row.done, row.total) == ("done", None, CHANNELS, CHANNELS)
    assert counts(setup.engine, row.run_id) == baseline
    with setup.engine.connect() as conn:
        run = conn.execute(select(SCAN_RUNS.c.status).where(SCAN_RUNS.c.id == row.run_id)).scalar_one()
    assert run == "finished"


def _job(engine: Engine, job_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(JOBS).where(JOBS.c.id == job_id)).one()
