"""Storage: SQLAlchemy models, engine factory, Alembic migrations."""
