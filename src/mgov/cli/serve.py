"""mgov serve: the dashboard and the REST API under uvicorn."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import typer

from mgov.cli.common import state
from mgov.errors import InvalidValue
from mgov.web.proxy import parse_networks

CERT_OPTION = typer.Option(None, "--ssl-certfile", help="Serve HTTPS with this certificate (PEM, the chain after "
                           "it); session cookies are then Secure.")
KEY_OPTION = typer.Option(None, "--ssl-keyfile", help="The certificate's private key (PEM).")
PROXY_OPTION = typer.Option(None, "--trusted-proxy", help="Address or network of a reverse proxy whose "
                            "X-Forwarded-For and X-Forwarded-Proto are believed (repeatable; default: [web] "
                            "trusted_proxies of mgov.toml).")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", help="Worker processes."),
    log_level: str = typer.Option("info", "--log-level"),
    ssl_certfile: Path | None = CERT_OPTION,
    ssl_keyfile: Path | None = KEY_OPTION,
    trusted_proxy: list[str] | None = PROXY_OPTION,
    scheduler: bool = typer.Option(False, "--scheduler", help="Run the scheduler too (a thread beside the jobs "
                                   "runner; one scheduler is active at a time: see mgov scheduler)."),
) -> None:
    """Serve the web dashboard and the REST API (/api/v1, OpenAPI at /api/v1/openapi.json).

    Behind a TLS reverse proxy, name it with --trusted-proxy (docs/security.md).

    [dim]Example: mgov serve --port 8000   then open http://127.0.0.1:8000/[/dim]
    """
    # Deferred: the server (uvicorn) loads only when serving.
    import uvicorn

    # Deferred: the web face (mgov.web, whose app brings FastAPI) loads only when serving.
    from mgov.web import create_app

    st = state(ctx)
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise InvalidValue("HTTPS needs both --ssl-certfile and --ssl-keyfile")
    for path in (ssl_certfile, ssl_keyfile):
        if path is not None and not path.is_file():
            raise InvalidValue(f"no such file: {path}")
    if trusted_proxy:
        parse_networks(trusted_proxy)  # a typo is an error now, not a proxy silently distrusted
        st.settings.web.trusted_proxies = list(trusted_proxy)
        # Workers build their settings from the environment: hand the list on that way.
        os.environ["MGOV_WEB__TRUSTED_PROXIES"] = json.dumps(list(trusted_proxy))
    st.engine()  # refuse to start on a database at an old schema
    stop_scheduler: Callable[[], None] = lambda: None  # noqa: E731 - nothing to stop without --scheduler
    if scheduler:
        # Deferred: the scheduler's jobs runner (aiohttp, dnspython, warcio) loads only with --scheduler.
        from mgov.cli.schedule import dispatch_for
        from mgov.scheduler import loop
        from mgov.scheduler.executors import job_runner
        from mgov.scheduler.tick import Scheduler

        # Its own jobs runner in this process (the web's may be in other worker processes).
        runner = job_runner(st.engine(), st.settings)
        thread, stop = loop.start_thread(Scheduler(st.engine(), st.settings, dispatch_for(st.settings, runner)))

        def stop_scheduler() -> None:  # after the server: the lease is let go, another takes over at once
            stop.set()
            thread.join(timeout=30)

    # mgov.web.proxy reads X-Forwarded-* from trusted proxies only: uvicorn's own handling stays off.
    cert, key = (str(ssl_certfile), str(ssl_keyfile)) if ssl_certfile else (None, None)
    try:
        if workers > 1:
            # Each worker builds its own app from the same settings (environment and mgov.toml).
            uvicorn.run("mgov.web:app_from_environment", factory=True, host=host, port=port, workers=workers,
                        log_level=log_level, proxy_headers=False, ssl_certfile=cert, ssl_keyfile=key)
        else:
            uvicorn.run(create_app(st.settings), host=host, port=port, log_level=log_level, proxy_headers=False,
                        ssl_certfile=cert, ssl_keyfile=key)
    finally:
        stop_scheduler()
