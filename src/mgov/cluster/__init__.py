"""Distributed runs: a run's channels as Celery tasks on a Redis broker, taken by `mgov worker`
processes on any number of machines (docs/architecture.md, README "From the embedded default
to PostgreSQL + Redis + N workers")."""
