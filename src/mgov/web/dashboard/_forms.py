"""Form handling shared by the dashboard's POST routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from mgov.errors import InvalidValue, MgovError
from mgov.web.dashboard.flash import set_flash
from mgov.web.deps import begin


async def form(request: Request) -> dict[str, str]:
    """The submitted fields, trimmed; empty ones left out."""
    data = await request.form()
    fields = {k: str(v).strip() for k, v in data.items() if isinstance(v, str) and str(v).strip() and k != "csrf"}
    if any("\x00" in k or "\x00" in v for k, v in fields.items()):
        raise InvalidValue("NUL characters are not allowed")
    return fields


def safe_next(target: str | None, default: str = "/") -> str:
    """Only paths on this site: no scheme, no host, no protocol-relative //host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def back(request: Request, path: str, *, error: str | None = None, done: str | None = None) -> RedirectResponse:
    """303 to path, whose page then shows the error (the refusal, in words) or the notice (done,
    a key of flash.NOTICES) once: in a signed cookie, never in the URL."""
    response = RedirectResponse(path, status_code=303)
    set_flash(request, response, path, error=error, done=done)
    return response


def tags(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").replace("，", ",").split(",") if t.strip()]


async def run_action(request: Request, path: str, action: Callable[[Connection], Any], done: str = "saved") -> Response:
    """Run a change in a transaction of its own (all or nothing), then go back to path with a
    notice, or with the error when the change was refused."""

    def run() -> str | None:
        try:
            with begin(request) as conn:
                action(conn)
            return None
        except MgovError as exc:
            return str(exc)

    error = await run_in_threadpool(run)
    return back(request, path, error=error) if error else back(request, path, done=done)
