"""The web face of mgov: the REST API under /api/v1 and the server-rendered dashboard.

    from mgov.web import create_app
    app = create_app(settings)        # a FastAPI (ASGI) application
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine

    from mgov.config import Settings


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The application; without settings, those of the environment and mgov.toml."""
    # Deferred: FastAPI and the whole app load only when an app is built, not with mgov.web.i18n or the queries.
    from mgov.web.app import build

    return build(settings, engine)


def app_from_environment() -> Any:
    """For `uvicorn --factory` with several workers: settings from the environment and mgov.toml."""
    return create_app()  # build() loads the settings when given none
