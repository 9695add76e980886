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
from mgov.db.tables import Base

PG_URL = os.environ.get("MGOV_TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"mgov test database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run the tests that reach the test database (through `_template`, or
    marked `database` when they open it themselves): the rest (parsers, checks, collectors,
    SQLite-only fixtures such as the demo server) would only run again what the SQLite run
    ran, on the two cores the SQLite run needs; so would the browser tests (marked browser:
    their SQL is the API tests')."""
    if not PG_URL or os.environ.get("MGOV_PG_EVERY_TEST") == "1":
        return
    keep = [i for i in items if ("_template" in getattr(i, "fixturenames", ()) or i.get_closest_marker("database"))
            and not i.get_closest_marker("browser")]
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[i for i in items if id(i) not in kept])
        items[:] = keep


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy, or a PostgreSQL schema of this session."""
    if PG_URL:
        schema = f"mgov_test_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        upgrade(engine)
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
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
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
