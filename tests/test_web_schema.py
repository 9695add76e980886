"""schemathesis against the API's own OpenAPI document: requests generated for every
operation, as a signed-in admin (with a personal API token), never get a server error."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import text

from conftest import PG_URL
from mgov.accounts import access, users
from mgov.db.engine import make_engine, upgrade
from webworld import build_world

pytestmark = pytest.mark.database  # opens PostgreSQL itself (a schema of its own)

EXAMPLES = 12  # per operation; the suite's time matters more than the last rare input


@pytest.fixture(scope="module")
def api_world(tmp_path_factory):
    # One world for the whole module (building one per example would dominate), on the
    # database of the run: PostgreSQL refuses inputs SQLite takes (NUL, huge integers).
    home: Path = tmp_path_factory.mktemp("schemathesis")
    schema_name = f"mgov_st_{uuid.uuid4().hex[:8]}"
    if PG_URL:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        engine = make_engine(f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema_name}")
    else:
        engine = make_engine(f"sqlite:///{home / 'mgov.db'}")
    upgrade(engine)
    world = build_world(engine, home)
    world.settings.web.run_jobs = False  # the jobs it starts stay queued: no scan of the world's (public) addresses
    with engine.begin() as conn:
        token, _row = access.create_token(conn, users.user_id_of(conn, "admin"), "schemathesis")
    yield world, token
    engine.dispose()
    if PG_URL:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_answers_without_server_errors(api_world):
    world, token = api_world
    operations = _operations(world.app())
    assert len(operations) >= 40
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            check()
        except Exception as exc:  # name the operation: hypothesis reports only the example
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc
