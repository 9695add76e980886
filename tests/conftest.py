"""Fixtures: a real database per test (SQLite, or PostgreSQL when MGOV_TEST_DATABASE_URL is
set), and the CLI driven in-process through Typer's runner against it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from mgov.cli import app
from mgov.db.engine import make_engine, upgrade

PG_URL = os.environ.get("MGOV_TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"mgov test database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


# The test files that take minutes, longest first: they start first, one on each pytest-xdist
# worker, and the short files fill in around them (in name order, the tour and the farms
# came last, and one worker ran them alone for minutes while the other was idle).
LONG_FIRST = ("test_readme.py", "test_assess_quarter.py", "test_crawl_farm.py", "test_scheduler_week.py",
              "test_cluster_faults.py", "test_crawl_load.py", "test_web_layouts.py", "test_scan_farm.py",
              "test_farm_hostile.py", "test_render_farm.py", "test_web_browser.py", "test_notice_farm.py",
              "test_scheduler_processes.py", "test_collect_hostile.py", "test_dotgov.py", "test_web_schema.py")


def _long_first(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda i: rank.get(i.path.name, len(rank)))  # stable: the rest keep their order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long files first (LONG_FIRST). On PostgreSQL, run the tests that reach the test database (through `_template`, or
    marked `database` when they open it themselves): the rest (parsers, checks, collectors,
    SQLite-only fixtures such as the demo server) would only run again what the SQLite run
    ran, on the two cores the SQLite run needs; so would the browser tests (marked browser:
    their SQL is the API tests')."""
    _long_first(items)
    if not PG_URL or os.environ.get("MGOV_PG_EVERY_TEST") == "1":
        return
    keep = [i for i in items if ("_template" in getattr(i, "fixturenames", ()) or i.get_closest_marker("database"))
            and not i.get_closest_marker("browser")]
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[i for i in items if id(i) not in kept])
        items[:] = keep


# Each test starts from empty tables and sequences at 1: the tables a test filled are truncated
# and the sequences it advanced restarted, in one call (TRUNCATE of every table took 0.1-1 s a
# test, most of them touching a few tables).
_PG_RESET = """
CREATE FUNCTION mgov_test_reset() RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record; filled text[] := '{}'; has boolean;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c
           WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
             AND NOT c.relispartition AND c.relname <> 'alembic_version' LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', r.relname) INTO has;
    IF has THEN filled := filled || quote_ident(r.relname); END IF;
  END LOOP;
  IF array_length(filled, 1) > 0 THEN
    EXECUTE 'TRUNCATE ' || array_to_string(filled, ', ') || ' CASCADE';
  END IF;
  FOR r IN SELECT s.sequencename FROM pg_sequences s
           WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL LOOP
    EXECUTE format('ALTER SEQUENCE %I RESTART', r.sequencename);
  END LOOP;
END $$;
"""


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy, or a PostgreSQL schema of this session."""
    if PG_URL:
        schema = f"mgov_test_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        # synchronous_commit off: a test's commits do not wait for the WAL to reach the disk
        # (nothing here must survive a crash of the server; the tests' own crashes are mgov's).
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text(_PG_RESET))
        engine.dispose()
        yield url
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield str(path)


@pytest.fixture
def db_url(_template: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        engine = make_engine(_template)
        with engine.begin() as conn:
            conn.execute(text("SELECT mgov_test_reset()"))
        engine.dispose()
        yield _template
    else:
        path = tmp_path / "mgov.db"
        shutil.copy(_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


class Cli:
    """Runs `mgov ...` in-process against the test database; asserts the exit code."""

    def __init__(self, db_url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runner = CliRunner()
        self.env = {"MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(home), "MGOV_LANG": "en"}
        monkeypatch.chdir(home)  # no stray mgov.toml from the working directory

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None, **env: str) -> Any:
        result = self.runner.invoke(app, list(args), env={**self.env, **env}, input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, f"exit {result.exit_code}\n{result.output}"
        return result

    def json(self, *args: str, code: int | None = 0) -> Any:
        import json

        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(db_url, home, monkeypatch)


@pytest.fixture
def dotgov_full() -> Path:
    """The real .gov registry snapshot shipped with the demo."""
    return Path(__file__).resolve().parents[1] / "src" / "mgov" / "demo" / "data" / "current-full.csv"


@pytest.fixture
def cn_sample() -> Path:
    return Path(__file__).resolve().parents[1] / "src" / "mgov" / "demo" / "data" / "cn-sample.yaml"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the smallest cost: the tests sign in hundreds of times; the product keeps
    argon2-cffi's defaults (64 MiB, 3 passes), which take a good part of a second here."""
    from argon2 import PasswordHasher

    from mgov.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "dummy_hash", lambda: cheap.hash("not a password of anyone"))
