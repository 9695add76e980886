"""Starting a job from the web or the API (mgov.act.jobs), for the dashboard and the API alike:
the permission its kind needs, a target within the user's scope, its parameters checked
before it is queued; then the server's runner is woken."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from mgov.act import jobs
from mgov.assess.period import parse_period
from mgov.config import ScheduleEntry
from mgov.errors import Forbidden, InvalidValue, MgovError, NotFound
from mgov.profiles import load
from mgov.profiles.model import ProfileError
from mgov.registry import service
from mgov.runs.kinds import WEB_CHANNEL_KINDS, kind_of
from mgov.web.deps import Principal
from mgov.web.queries import registry as reg_q

WEB_KINDS = ("website", "mobile_site")  # the channels a scan or crawl reaches
PERMISSION = {"scan": "runs.start", "crawl": "runs.start", "assess": "assess.start"}


def runner(request: Request) -> Any:
    """The application's jobs runner, made on first use."""
    state = request.app.state
    if getattr(state, "jobs", None) is None:
        # Deferred: the run engine (aiohttp, dnspython, warcio) loads when a job is first started or shown.
        from mgov.scheduler.executors import job_runner

        state.jobs = job_runner(state.engine, state.settings)
    return state.jobs


def wake(request: Request) -> None:
    """Have the runner take the queued jobs, unless this server leaves them to another ([web] run_jobs)."""
    if request.app.state.settings.web.run_jobs:
        runner(request).wake()


def _target(conn: Connection, p: Principal, organization: str | None, channel: int | None) -> jobs.Target:
    """The target, within the user's scope. A scoped user naming what is not theirs, or what
    does not exist, is refused alike (403: neither says whether it exists)."""
    if organization is not None and channel is not None:
        raise InvalidValue("give an organization or a channel, not both")
    scope = p.user.scope
    refused = Forbidden("you may start jobs only within your own organization's subtree")
    if channel is not None:
        try:
            row = reg_q.channel_in_scope(conn, scope, channel)
        except NotFound:
            if scope.everything:
                raise
            raise refused from None
        if row["kind"] not in WEB_KINDS:
            raise InvalidValue("only websites and mobile sites are scanned and crawled")
        owner = row["owner_id"]
        return jobs.Target(owner, service.org_code(conn, owner), channel, row["address"])
    if organization is not None:
        try:
            return jobs.Target(reg_q.org_id_in_scope(conn, scope, organization), organization)
        except NotFound:
            if scope.everything:
                raise
            raise refused from None
    if not scope.everything:
        raise InvalidValue("give an organization or a channel of your own")
    return jobs.Target()


def _params(request: Request, kind: str, target: jobs.Target, profile: str | None,
            period: str | None) -> dict[str, Any]:
    if kind != "assess":
        if profile or period:
            raise InvalidValue(f"a {kind} takes no profile or period")
        return {}
    if target.channel_id is not None:
        raise InvalidValue("an assessment covers an organization's subtree (or everything), not one channel")
    if not profile or not period:
        raise InvalidValue("an assessment needs a profile and a period (2026Q4, 2026-11 or 2026)")
    try:
        load(profile, dirs=request.app.state.settings.profile_dirs)
        parse_period(period)
    except (ProfileError, ValueError) as exc:
        raise InvalidValue(str(exc)) from exc
    return {"profile": profile, "period": period.strip()}


def start(request: Request, conn: Connection, p: Principal, kind: str, *, organization: str | None = None,
          channel: int | None = None, profile: str | None = None,
          period: str | None = None) -> tuple[dict[str, Any], bool]:
    """Queue a job (or find the identical one queued or running): (job, created). The caller
    wakes the runner (wake(request)) once conn has committed."""
    if kind not in PERMISSION:
        raise InvalidValue(f"unknown job kind {kind!r} (choose from: {', '.join(PERMISSION)})")
    if not p.user.can(PERMISSION[kind]):
        raise Forbidden(f"your role ({p.user.role}) does not allow {PERMISSION[kind]}")
    target = _target(conn, p, organization, channel)
    params = _params(request, kind, target, profile, period)
    return jobs.create(conn, kind, target, params, p.user.username)


def seen(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Jobs about to be shown: a queued one (left by a server that stopped) gets the runner going."""
    if any(r["state"] == "queued" for r in rows):
        wake(request)
    return rows


def schedule_in_scope(conn: Connection, p: Principal, entry: ScheduleEntry) -> bool:
    """Whether the reader may see a schedule: its target is in their scope (one with no target,
    or whose target is not in the registry, only whole-registry users see)."""
    scope = p.user.scope
    if scope.everything:
        return True
    try:
        if entry.channel:
            return scope.has_org(conn, service.channel_row(conn, entry.channel)["owner_id"])
        if entry.organization:
            return scope.has_org(conn, service.org_row(conn, entry.organization)["id"])
    except MgovError:
        return False
    return False


def _names_web_channels(kind: str) -> bool:
    """A run of kind runs on websites and mobile sites only (scan, crawl, render, and any such
    kind a plugin adds)."""
    try:
        return kind_of(kind).channel_kinds <= WEB_CHANNEL_KINDS
    except MgovError:  # a kind no longer installed: its names' forms are unknown
        return False


def run_in_scope(conn: Connection, p: Principal, run: dict[str, Any]) -> bool:
    """Whether the reader may see a run (cluster.listing's row): its organization is in their
    scope, or every channel it names is owned within it; a run of everything only whole-registry
    users see."""
    scope = p.user.scope
    if scope.everything:
        return True
    if run["organization"]:
        try:
            return scope.has_org(conn, service.org_row(conn, run["organization"])["id"])
        except MgovError:
            return False
    named = run["channels"]
    if not named:
        return False
    found = reg_q.channel_owners(conn, named)  # address -> owner, of those registered
    # A web run names each channel by its one normalized URL: one no longer registered (whose
    # owner is unknown) hides the run. Other kinds store a few forms of each address given.
    if _names_web_channels(run["kind"]) and len(found) < len(set(named)):
        return False
    return bool(found) and all(scope.has_org(conn, owner) for owner in set(found.values()))
