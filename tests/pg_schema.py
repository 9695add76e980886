"""A PostgreSQL schema of a test's own, beside the test database's (for tests that compare the
two databases or migrate one themselves): made, migrated, yielded as an engine, dropped. The
test is skipped when no server answers, unless MGOV_REQUIRE_POSTGRES=1."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from mgov.db.engine import make_engine, upgrade

SERVER = os.environ.get("MGOV_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


def own_schema(prefix: str, revision: str = "head") -> Iterator[Engine]:
    """An engine on a new schema `<prefix>_<random>`, migrated to revision."""
    base = SERVER.split("?", 1)[0]
    admin = make_engine(base)
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("MGOV_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"no PostgreSQL server answers: {exc}")
    engine = make_engine(f"{base}?options=-csearch_path%3D{schema}")
    try:
        upgrade(engine, revision)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
