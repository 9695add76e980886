"""Alembic environment: the engine comes from mgov (config.attributes), never from an ini."""

from alembic import context

from mgov.db.tables import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    context.run_migrations()
