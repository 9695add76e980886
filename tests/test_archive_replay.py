"""Replay and change history over a real crawl of demo-farm sites in both epochs: captures
sampled from the index replay through mgov's web app and a real pywb (in its own virtual
environment, over real HTTP on loopback) with the archived bytes (pywb's `id_`); another
agency's reader cannot replay them; the homepage's diff across the epochs shows the item
epoch 2 adds; the channel's changes and the calendar list the captures.

pywb is installed from PyPI once into a cached virtual environment (MGOV_TEST_PYWB_VENV, else
<tmp>/mgov-test-pywb-venv); when PyPI cannot be reached the pywb tests skip, saying so (CI
reaches PyPI)."""

from __future__ import annotations

import fcntl
import http.client
import os
import random
import socket
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from mgov.accounts import users
from mgov.archive import history_service, replay_service
from mgov.archive.replay_index import EMPTY
from mgov.archive.replay_links import replay_url
from mgov.archive.replay_setup import ReplayError, ensure_venv
from mgov.collect.warc import read_record
from mgov.config import Settings
from mgov.db.tables import ARCHIVE_FILES, ARCHIVE_RECORDS, CHANNELS, ORGS
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run
from webworld import PASSWORD, World

SAMPLE = 40


@pytest.fixture(scope="session")
def pywb_venv() -> Path:
    """pywb in its own venv, installed once and kept between sessions (a lock: the SQLite and
    PostgreSQL runs may ask at once)."""
    venv = Path(os.environ.get("MGOV_TEST_PYWB_VENV") or Path(tempfile.gettempdir()) / "mgov-test-pywb-venv")
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            ensure_venv(venv)
        except ReplayError as exc:
            if not _pypi_reachable():
                pytest.skip(f"PyPI cannot be reached to install pywb in its own environment ({exc})")
            raise
    return venv


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def farm() -> Any:
    manifest = generate(23, 3, defect_rate=0.0)
    with run_in_thread(manifest) as running:
        yield running


def _crawl(engine: Any, settings: Settings, farm: Any, sites: list[Any]) -> int:
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    run_id = start_run(engine, run_params(kind="crawl", channels=[s.registry.address for s in sites],
                                          routing=routing, limits={"max_pages": 25, "max_seconds": 60.0}))
    execute_run(engine, settings, run_id, concurrency=4)
    return run_id


@pytest.fixture
def crawled(engine: Any, farm: Any, tmp_path: Path, pywb_venv: Path) -> dict[str, Any]:
    """Two sites crawled in epoch 1, then again in epoch 2; users of their agencies."""
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=str(engine.url.render_as_string(hide_password=False)),
                        archive={"pywb_venv": str(pywb_venv)})
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    sites = [s for s in farm.manifest.sites if s.role == "site"][:2]
    assert sites[0].organization.code != sites[1].organization.code
    farm.set_epoch(1)
    try:
        first = _crawl(engine, settings, farm, sites)
        time.sleep(1.1)  # the second crawl's captures in later seconds than the first's (WARC-Date)
        farm.set_epoch(2)
        second = _crawl(engine, settings, farm, sites)
    finally:
        farm.set_epoch(1)
    with engine.begin() as conn:
        users.create_user(conn, "office", PASSWORD, "admin", organization=None)
        for n, site in enumerate(sites):
            users.create_user(conn, f"agency{n}", PASSWORD, "agency_staff", organization=site.organization.code)
    return {"settings": settings, "sites": sites, "runs": (first, second)}


@pytest.fixture
def replaying(crawled: dict[str, Any], engine: Any) -> Any:
    settings = crawled["settings"]
    replay_service.prepare(settings, engine)
    running = replay_service.start(settings, 0)
    try:
        yield running
    finally:
        running.stop()
        replay_service.forget(settings.resolved_replay_dir, running.process.pid)


def _captures(engine: Any) -> list[dict[str, Any]]:
    r = ARCHIVE_RECORDS
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(
            select(r.c.urlkey, r.c.timestamp, r.c.url, r.c.status, r.c.digest, r.c.offset, r.c.length, r.c.org_id,
                   r.c.record_type, ARCHIVE_FILES.c.name.label("file"), ORGS.c.code.label("org"))
            .join(ARCHIVE_FILES, ARCHIVE_FILES.c.id == r.c.file_id).outerjoin(ORGS, ORGS.c.id == r.c.org_id)
            .where(r.c.record_type == "response", r.c.state == "ok", r.c.pywb_default.is_(True)))]


def _raw_replay(browser: Any, url: str) -> tuple[int, bytes, Any]:
    """The plain replay link (scope checked, 303 to a capability) followed, with pywb's own
    redirects (a URL without a path gets its slash), the body as sent."""
    first = browser.get(url)
    if first.status_code != 303:
        return first.status_code, first.content, first
    target = first.headers["location"]
    for _hop in range(3):
        with browser.http.stream("GET", target) as answer:
            body = b"".join(answer.iter_raw())
        if answer.status_code not in (301, 302, 307, 308):
            break
        target = answer.headers["location"].removeprefix("http://testserver")
        assert target.startswith("/replay/~"), target
    return answer.status_code, body, answer


def test_every_sampled_capture_replays_with_its_archived_bytes(crawled, replaying, engine):
    settings = crawled["settings"]
    archive = settings.resolved_archive_dir
    # Every page and file captured with GET (HEAD answers, archived without a body, are not
    # replayed: see mgov.archive.replay_index.EMPTY).
    captures = [c for c in _captures(engine) if c["org_id"] is not None and str(c["status"]).startswith("2")
                and c["url"].startswith(("http://", "https://")) and c["digest"] not in EMPTY]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in captures:
        groups[(c["urlkey"], c["timestamp"])].append(c)
    payload = {}
    for c in captures:
        payload[(c["file"], c["offset"])] = read_record(archive, c).payload
    sample = random.Random(19).sample(captures, min(SAMPLE, len(captures)))
    assert len(sample) >= 20
    browser = World(engine, settings).client("office")
    kinds = set()
    for c in sample:
        link = replay_url(c, modifier="id_")
        status, body, answer = _raw_replay(browser, link)
        assert status == int(c["status"]), (link, status, body[:300])
        # The archived bytes: this capture's, or (captures of one URL key in one second, which
        # the Wayback URL cannot tell apart) one of its twins'.
        twins = {payload[(t["file"], t["offset"])] for t in groups[(c["urlkey"], c["timestamp"])]}
        assert body in twins, (link, len(body), [len(t) for t in twins])
        if len(groups[(c["urlkey"], c["timestamp"])]) == 1:
            assert body == payload[(c["file"], c["offset"])]
        assert "sandbox" in answer.headers["content-security-policy"]
        kinds.add(answer.headers.get("content-type", "").split(";")[0])
    assert "text/html" in kinds and len(kinds) >= 2, kinds

    # The page as a reader sees it: pywb's rewriting, links back through mgov's prefix.
    home = next(c for c in sample if c["url"].endswith("/") and c["url"].count("/") == 3) if any(
        c["url"].endswith("/") and c["url"].count("/") == 3 for c in sample) else sample[0]
    status, body, _ = _raw_replay(browser, replay_url(home))
    assert status == 200 and b"/replay/~" in body


def test_replay_follows_the_readers_scope(crawled, replaying, engine):
    settings = crawled["settings"]
    site_a, site_b = crawled["sites"]
    mine = next(c for c in _captures(engine) if c["org"] == site_a.organization.code
                and str(c["status"]).startswith("2"))
    link = replay_url(mine, modifier="id_")
    own = World(engine, settings).client("agency0")
    status, _body, _ = _raw_replay(own, link)
    assert status == 200
    other = World(engine, settings).client("agency1")
    assert other.get(link).status_code == 404
    # A capability made for B's own collection does not open A's.
    theirs = other.get(link.replace(f"/replay/{site_a.organization.code}/", f"/replay/{site_b.organization.code}/"))
    assert theirs.status_code == 303
    token = theirs.headers["location"].split("/")[2]
    forged = other.get(f"/replay/{token}/{site_a.organization.code}/{link.split('/', 3)[3]}")
    assert forged.status_code == 404
    # Nobody signed in: to the sign-in page.
    assert World(engine, settings).client().get(link).status_code == 303
    # pywb itself answers only mgov (its key), on loopback.
    conn = http.client.HTTPConnection("127.0.0.1", replaying.port, timeout=10)
    conn.request("GET", link.removeprefix("/replay"))
    assert conn.getresponse().status == 403


def test_the_homepages_diff_across_the_epochs_and_the_channels_changes(crawled, engine):
    settings = crawled["settings"]
    site = crawled["sites"][0]
    first, second = crawled["runs"]
    from mgov.accounts import Scope

    with engine.connect() as conn:
        stamps = {run: conn.execute(select(ARCHIVE_RECORDS.c.timestamp).where(
            ARCHIVE_RECORDS.c.run_id == run).order_by(ARCHIVE_RECORDS.c.timestamp)).scalars().all()
            for run in (first, second)}
        home = f"https://{site.host}/"
        diff = history_service.diff_url(conn, Scope(None), settings.resolved_archive_dir, home,
                                        stamps[first][-1], stamps[second][-1])
        assert diff.before["timestamp"] <= stamps[first][-1] < diff.after["timestamp"]
        assert diff.kind == "html" and diff.changed
        fresh = [link for link in diff.links_added if link["href"].endswith("_990003.html")]
        assert fresh, diff.links_added
        assert any(fresh[0]["text"] in line for line in diff.added), (fresh, diff.added)
        assert not diff.links_removed or all("990003" not in link["href"] for link in diff.links_removed)

        # The calendar: every capture of the homepage, counted by year, month and day.
        found = history_service.url_history(conn, Scope(None), home)
        assert found["count"] >= 2
        days = [d for y in found["calendar"] for m in y["months"] for d in m["days"]]
        assert sum(d["count"] for d in days) == found["count"]
        assert [c["timestamp"] for c in found["captures"]] == sorted(c["timestamp"] for c in found["captures"])

        # What changed on the channel since the first crawl: the new item is new, the homepage changed.
        channel = conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address == site.registry.address)).scalar_one()
        result = history_service.channel_changes(conn, Scope(None), channel, since=stamps[first][-1])["changes"]
        assert result.crawled
        assert any(c["url"].endswith("_990003.html") for c in result.new), [c["url"] for c in result.new]
        assert home.rstrip("/") in [c["url"].rstrip("/") for c in result.changed]  # one SURT key: one URL
        assert result.counts["unchanged"] > 0
        assert result.counts["new"] == len(result.new) and result.counts["changed"] == len(result.changed)
