"""Engine factory and schema migrations (Alembic, batch mode for SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from mgov.config import normalize_database_url
from mgov.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _alembic_config(engine: Engine) -> Any:
    # Deferred: alembic loads only when a schema is checked or migrated, not for `mgov --help`.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    # Deferred: alembic loads only when a schema is checked or migrated, not for `mgov --help`.
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def head_revision() -> str:
    # Deferred: alembic loads only when a schema is checked or migrated, not for `mgov --help`.
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def current_revision(engine: Engine) -> str | None:
    # Deferred: alembic loads only when a schema is checked or migrated, not for `mgov --help`.
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:
        raise DatabaseError(f"cannot open database {engine.url!r}: {exc}") from exc


def require_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or behind."""
    rev = current_revision(engine)
    if rev is None and not inspect(engine).get_table_names():
        raise DatabaseError(
            f"database {engine.url!r} is not initialized: run `mgov init` or `mgov db upgrade`"
        )
    if rev != head_revision():
        raise DatabaseError(
            f"database schema is at {rev}, this mgov needs {head_revision()}: run `mgov db upgrade`"
        )
