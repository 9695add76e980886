"""mgov serve: the dashboard and the REST API under uvicorn."""

from __future__ import annotations

import typer

from mgov.cli.common import state


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", help="Worker processes."),
    log_level: str = typer.Option("info", "--log-level"),
) -> None:
    """Serve the web dashboard and the REST API (/api/v1, OpenAPI at /api/v1/openapi.json).

    [dim]Example: mgov serve --port 8000   then open http://127.0.0.1:8000/[/dim]
    """
    # Deferred: the server (uvicorn) loads only when serving.
    import uvicorn

    # Deferred: the web face (mgov.web, whose app brings FastAPI) loads only when serving.
    from mgov.web import create_app

    st = state(ctx)
    st.engine()  # refuse to start on a database at an old schema
    if workers > 1:
        # Each worker builds its own app from the same settings (environment and mgov.toml).
        uvicorn.run("mgov.web:app_from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, proxy_headers=False)
    else:
        uvicorn.run(create_app(st.settings), host=host, port=port, log_level=log_level, proxy_headers=False)
