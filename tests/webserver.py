"""The dashboard served for real, over the demo's data, for the browser tests
(tests/test_web_browser.py, tests/test_web_own_checks.py; they load this module as a pytest
plugin, so the demo runs once a session however many of them run).

- `demo` (session): `mgov demo`'s own pipeline (run_demo, not serving) on a small farm, in a
  temporary home on SQLite, plus users with known passwords: a supervisor of the whole
  registry, the staff of an agency whose channel failed an indicator of the demo's
  assessment (the demo-agency's organization when its channel did), and the staff of
  another farm organization.
- `dashboard` (module): the real app (create_app) in a real uvicorn server on 127.0.0.1, on an
  ephemeral port, in a background thread.
- `chromium` (module): Debian's /usr/bin/chromium driven by Playwright (never a downloaded
  browser), with every name but 127.0.0.1 unresolvable: the tests talk to loopback only.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
# The demo farm's size: 19 sites take 30-60 s end to end on two busy cores, and with the demo's
# seed the demo-agency's own channel fails an indicator (cn.psb), so the dispute flow runs
# as the demo's agency. The fixture does not rely on it: it picks another agency otherwise.
DEMO_SITES = 19
PASSWORD = "correct horse battery staple"
SUPERVISOR, AGENCY, OTHER = "test-supervisor", "test-agency", "test-other"


@dataclass
class Demo:
    """The demo's home and database, who can sign in, and the channels the tests visit."""

    home: Path
    settings: Any
    engine: Engine
    outcome: dict[str, Any]
    seconds: float  # how long the demo pipeline took
    passwords: dict[str, str] = field(default_factory=dict)  # username -> password
    agency_org: str = ""  # its staff: AGENCY
    agency_channel: int = 0  # a channel of agency_org with a failed indicator
    agency_address: str = ""
    failed_indicator: str = ""  # an indicator agency_channel failed in the demo's assessment
    failing_finding: int = 0  # a failed finding of agency_channel, with archived responses
    other_org: str = ""  # its staff: OTHER
    other_channel: int = 0  # a channel of other_org in the demo's assessment
    other_address: str = ""
    tls_finding: int | None = None  # a tls.valid finding of some farm site (certificate facts)
    assessment: int = 0

    def app(self) -> Any:
        from mgov.web import create_app

        return create_app(self.settings, engine=self.engine)


def _settings(home: Path) -> Any:
    from mgov.config import Settings

    return Settings(home=home, database_url=f"sqlite:///{home / 'mgov.db'}", archive_dir=home / "archive", lang="en")


def run_demo_home(home: Path, count: int = DEMO_SITES) -> Demo:
    from mgov.cli.demo import ConsoleReporter
    from mgov.demo import DemoEnv, run_demo

    settings = _settings(home)
    env = DemoEnv(settings)
    started = time.monotonic()
    outcome = run_demo(env, ConsoleReporter("en"), count=count)
    return _finish(Demo(home, settings, env.engine(), outcome, time.monotonic() - started))


def shared_demo_home(home: Path, shared: Path, count: int = DEMO_SITES) -> Demo:
    """The demo built once for every pytest-xdist worker of the session (in `shared`, under a
    lock: the first worker builds it, the others wait), each worker working on a copy of its
    own in `home` (tests write to it: users, tasks, re-checks)."""
    import fcntl
    import pickle
    import shutil

    from mgov.cli.demo import ConsoleReporter
    from mgov.db.engine import make_engine
    from mgov.demo import DemoEnv, run_demo

    shared.mkdir(parents=True, exist_ok=True)
    built = shared / "outcome.pickle"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            env = DemoEnv(_settings(shared / "home"))
            started = time.monotonic()
            outcome = run_demo(env, ConsoleReporter("en"), count=count)
            env.engine().dispose()
            built.write_bytes(pickle.dumps((outcome, time.monotonic() - started)))
        outcome, seconds = pickle.loads(built.read_bytes())  # noqa: S301 - written by this session
        shutil.copytree(shared / "home", home)
    settings = _settings(home)
    return _finish(Demo(home, settings, make_engine(settings.resolved_database_url), outcome, seconds))


def _finish(demo: Demo) -> Demo:
    outcome = demo.outcome
    demo.passwords = {login["username"]: login["password"] for login in outcome["logins"]}
    demo.assessment = outcome["assessment"]["assessment"]
    _pick(demo)
    _make_users(demo)
    return demo


def _farm_orgs(home: Path) -> list[str]:
    document = yaml.safe_load((home / "demo-farm.yaml").read_text(encoding="utf-8"))
    return [o["code"] for o in document["organizations"]]


def _pick(demo: Demo) -> None:
    """The channels the tests visit, read from what the demo produced."""
    from mgov.db.tables import ASSESSMENT_RESULTS, CHANNELS, FINDINGS, ORGS
    from mgov.web.queries import monitoring

    farm = _farm_orgs(demo.home)
    agency_of_demo = next(login["organization"] for login in demo.outcome["logins"]
                          if login["username"] == "demo-agency")
    with demo.engine.connect() as conn:
        rows = conn.execute(select(ASSESSMENT_RESULTS.c.channel_id, ASSESSMENT_RESULTS.c.result, CHANNELS.c.address,
                                   ORGS.c.code).join(CHANNELS, CHANNELS.c.id == ASSESSMENT_RESULTS.c.channel_id)
                            .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                            .where(ASSESSMENT_RESULTS.c.assessment_id == demo.assessment)
                            .order_by(ASSESSMENT_RESULTS.c.channel_id)).all()
        results = [r for r in rows if r.code in farm]
        failed = {r.channel_id: [i["id"] for i in _json(r.result)["indicators"] if i["status"] == "failed"]
                  for r in results}
        # The demo-agency's own channel when it failed an indicator, else another farm agency's.
        chosen = sorted((r for r in results if failed[r.channel_id]),
                        key=lambda r: (r.code != agency_of_demo, r.channel_id))
        assert chosen, "no farm channel failed an indicator of the demo's assessment"
        # A failure the channel's page lists (its newest run of each kind), not a certificate's,
        # whose evidence holds an archived page (a failure seen over a reset connection, IPv6's
        # say, has only its DNS facts): the first chosen channel that has one.
        certificate = ("tls.valid", "tls.expiry", "tls.protocol")
        agency, finding = chosen[0], None
        for candidate in chosen:
            failures = sorted((f for f in monitoring.latest_findings(conn, candidate.channel_id)
                               if f["status"] == "fail" and f["check_id"] not in certificate), key=lambda f: -f["id"])
            finding = next((f["id"] for f in failures
                            if _has_response(conn, demo, f["id"], _json(f["evidence"]) or [])), None)
            if finding is not None:
                agency = candidate
                break
        other = next(r for r in results if r.code != agency.code)
        assert finding is not None, f"{agency.address} has no failed finding with an archived response"
        # A certificate to show: a failed tls.valid finding with one first, else any with one.
        tls = conn.execute(select(FINDINGS.c.id, FINDINGS.c.status, FINDINGS.c.value)
                           .join(CHANNELS, CHANNELS.c.id == FINDINGS.c.channel_id)
                           .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                           .where(FINDINGS.c.check_id == "tls.valid", ORGS.c.code.in_(farm))
                           .order_by(FINDINGS.c.id)).all()
        with_certificate = sorted((r for r in tls if (_json(r.value) or {}).get("subject")),
                                  key=lambda r: (r.status != "fail", r.id))
    demo.agency_org, demo.agency_channel, demo.agency_address = agency.code, agency.channel_id, agency.address
    demo.failed_indicator = failed[agency.channel_id][0]
    demo.failing_finding = finding
    demo.other_org, demo.other_channel, demo.other_address = other.code, other.channel_id, other.address
    demo.tls_finding = with_certificate[0].id if with_certificate else None


def _has_response(conn: Any, demo: Demo, finding_id: int, refs: list[Any]) -> bool:
    """Whether the first archived response the finding was judged on is an HTML page served
    with 200 (what the evidence test reads; a failure's evidence may begin with a 404)."""
    from mgov.accounts import Scope
    from mgov.web.queries import monitoring

    archive = demo.settings.resolved_archive_dir
    records = (monitoring.evidence(conn, Scope(None), archive, finding_id, n) for n in range(len(refs)))
    first = next((r for r in records if r["record_type"] == "response"), None)
    return first is not None and " 200 " in f"{first['start_line']} " and any(
        k.lower() == "content-type" and v.startswith("text/html") for k, v in first["headers"])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _make_users(demo: Demo) -> None:
    from mgov.accounts import users

    wanted = [(SUPERVISOR, "supervisor", None), (AGENCY, "agency_staff", demo.agency_org),
              (OTHER, "agency_staff", demo.other_org)]
    with demo.engine.begin() as conn:
        for username, role, org in wanted:
            users.create_user(conn, username, PASSWORD, role, organization=org, display_name=username)
            demo.passwords[username] = PASSWORD


class Server:
    """uvicorn serving app on 127.0.0.1 (an ephemeral port) in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True,
                                       name="mgov-dashboard")

    def start(self, timeout: float = 30.0) -> None:
        self.thread.start()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        deadline = time.monotonic() + timeout
        while True:
            try:
                with opener.open(f"{self.url}/login", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the dashboard did not answer on {self.url}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()
        assert not self.thread.is_alive(), "the dashboard's server did not stop"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Demo:
    own = tmp_path_factory.mktemp("demo") / "home"
    if worker_id == "master":  # no xdist workers
        found = run_demo_home(own)
    else:  # the workers' temporary directories share a parent: the demo is built there once
        found = shared_demo_home(own, tmp_path_factory.getbasetemp().parent / "demo-shared")
    print(f"\nthe demo pipeline ({DEMO_SITES} farm sites) took {found.seconds:.1f} s")
    return found


@pytest.fixture(scope="module")
def dashboard(demo: Demo) -> Iterator[Server]:
    served = Server(demo.app())
    served.start()
    yield served
    served.stop()


@pytest.fixture(scope="module")
def chromium(demo: Demo) -> Iterator[Any]:
    """Chromium, started after the demo (whose scanner starts worker processes)."""
    with launch_chromium() as browser:
        yield browser


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright with the isolation flags; a missing browser skips the
    test (fails it on CI)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed (scripts/system-deps installs it as root)"
        if os.environ.get("MGOV_REQUIRE_BROWSER") == "1":  # CI: a missing browser is a failure
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base: str, username: str, password: str, next_url: str = "/") -> None:
    """Through the login form, as a person would."""
    from urllib.parse import quote

    page.goto(f"{base}/login?next={quote(next_url, safe='')}")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert "/login" not in page.url, f"{username} could not sign in: {page.url}"
