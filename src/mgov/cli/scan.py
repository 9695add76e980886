"""mgov scan: check channels now; mgov probe: repeated availability probes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mgov import clock
from mgov.cli.common import JSON_OPTION, console, err_console, print_json, print_table, state
from mgov.cli.fetching import ALLOW_PRIVATE, CA_BUNDLE, CHANNELS, CLUSTER, CONNECT_TO, DETACH, DNS, KINDS
from mgov.i18n import t


def scan(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    kind: list[str] | None = KINDS,
    channel: list[str] | None = CHANNELS,
    checks: str | None = typer.Option(None, "--checks", help="Comma-separated check ids (default: all)."),
    profile: str | None = typer.Option(None, "--profile", help="Only the checks this guideline profile binds "
                                                              "(see `mgov profiles show ID`)."),
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    resume: bool = typer.Option(False, "--resume", help="Finish the newest unfinished run (or --run) instead of "
                                                        "starting a new one; its selection and options are kept."),
    run: int | None = typer.Option(None, "--run", help="With --resume: the run to finish."),
    concurrency: int = typer.Option(150, "--concurrency", min=1, help="Channels collected at once."),
    workers: int = typer.Option(0, "--workers", min=0, help="Scanner processes (0: one per core for runs of "
                                                           "500+ channels, else one)."),
    cluster: bool = CLUSTER,
    detach: bool = DETACH,
    as_json: bool = JSON_OPTION,
) -> None:
    """Scan web channels: collect evidence (archived as WARC) and run the checks on it.

    Each channel's findings are committed as soon as it is done; a scan that was killed
    continues with --resume and neither loses nor repeats results.

    [dim]Example: mgov scan --org cn-440300 --checks availability,hsts,tls.valid[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.runs.context import RoutingOptions

    if resume and (org or kind or channel or checks or profile or connect_to or dns or ca_bundle):
        raise typer.BadParameter("--resume keeps the run's own selection, checks and routing: give none of "
                                 "--org, --kind, --channel, --checks, --profile, --connect-to, --dns, --ca-bundle")
    st = state(ctx)
    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    run_pass(ctx, "scan", resume=resume, run=run, concurrency=concurrency, workers=workers, as_json=as_json,
             cluster=cluster, detach=detach,
             selection={"org": org, "kinds": kind, "channels": channel, "checks": (checks or "").split(","),
                        "routing": routing}, profile=profile)


def run_pass(ctx: typer.Context, pass_kind: str, *, resume: bool, run: int | None, concurrency: int,
             workers: int, as_json: bool, selection: dict[str, Any], limits: dict[str, Any] | None = None,
             profile: str | None = None, after: Callable[[typer.Context, dict[str, Any], bool], None] | None = None,
             cluster: bool = False, detach: bool = False) -> None:
    """Start (or resume) a scan or crawl run, show its progress, print its summary. With a
    profile, the checks it binds run with its parameters (and --checks adds to them). after:
    what the kind adds to the summary (to the JSON before it is printed, else printed after it)."""
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.runs.select import run_params
    from mgov.runs.service import execute_run, resumable_run, start_run

    st = state(ctx)
    engine = st.engine()
    if resume:
        run_id = resumable_run(engine, run, kind=pass_kind)
    else:
        run_id = start_run(engine, run_params(kind=pass_kind, limits=limits, profile=profile,
                                               profile_dirs=st.settings.profile_dirs, **selection))
    if cluster or st.settings.cluster.configured:
        result = run_on_cluster(ctx, pass_kind, run_id, detach=detach, as_json=as_json)
        if result is None:
            return
    else:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True, disable=as_json) as progress:
            task = progress.add_task(f"{pass_kind} {run_id}", total=None)
            result = execute_run(
                engine, st.settings, run_id, concurrency=concurrency, workers=workers or None,
                on_start=lambda total, done: progress.update(task, total=total, completed=done),
                on_channel=lambda facts, counts: progress.advance(task))
    result["tasks_rechecked"] = honour_rechecks(ctx, run_id)
    if as_json:
        if after is not None:
            after(ctx, result, True)
        print_json(result)
        return
    print_summary(st.lang, result)
    if after is not None:
        after(ctx, result, False)


def run_on_cluster(ctx: typer.Context, pass_kind: str, run_id: int, *, detach: bool,
                   as_json: bool) -> dict[str, Any] | None:
    """Send run_id's channels to the cluster's workers; follow it to its end (None with detach)."""
    # Deferred: Celery loads only for the commands that use a cluster.
    from mgov.cluster.service import enqueue_run, follow

    st = state(ctx)
    engine = st.engine()
    sent = enqueue_run(engine, st.settings, run_id)
    if detach:
        if as_json:
            print_json({"run": run_id, "kind": pass_kind, "sent": sent})
        else:
            console.print(t(st.lang, "cluster_sent", kind=pass_kind, run=run_id, sent=sent))
        return None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[states]}"), TimeElapsedColumn(), console=err_console, transient=True,
                  disable=as_json) as progress:
        task = progress.add_task(f"{pass_kind} {run_id}", total=None, states="")

        def show(p: dict[str, int]) -> None:
            progress.update(task, total=p["total"], completed=p["done"] + p["failed"],
                            states=t(st.lang, "cluster_states", **p))

        return follow(engine, st.settings, run_id, on_progress=show)


def honour_rechecks(ctx: typer.Context, run_id: int) -> dict[str, list[int]]:
    """The rectification tasks whose re-check was asked for and which this run re-checked:
    judged by its findings (closed when fixed)."""
    # Deferred: the act layer's re-check (and its run stack) loads only for commands that run.
    from mgov.act.recheck import honour_requests

    st = state(ctx)
    with st.engine().begin() as conn:
        return honour_requests(conn, run_id, profile_dirs=st.settings.profile_dirs)


def print_summary(lang: str, result: dict[str, Any]) -> None:
    statuses = ("pass", "fail", "warn", "error", "not_applicable")
    print_table(lang, [{"check": c, **{s: counts.get(s, 0) for s in statuses}}
                       for c, counts in result["summary"].items()], ["check", *statuses])
    before = result["resumed_from"]
    console.print(f"run {result['run']}: {result['channels']} channels" + (f" ({before} done before)" if before else "")
                  + f" · mgov findings --run {result['run']}")
    rechecked = result.get("tasks_rechecked") or {}
    if any(rechecked.values()):
        console.print(t(lang, "task_rechecked", **{k: ", ".join(map(str, v)) or "-" for k, v in
                                                   (("closed", rechecked["closed"]),
                                                    ("still", rechecked["still_failing"]),
                                                    ("unchecked", rechecked["unchecked"]))}))
    passes = result.get("passes") or {}
    if passes.get("rechecked"):
        console.print(t(lang, "rechecked", channels=passes["rechecked"], findings=passes["findings_rechecked"],
                        recovered=passes["recovered"], seconds=f"{passes['recheck_seconds']:.1f}"))


def probe(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    per_day: int = typer.Option(24, "--per-day", min=1, help="Probe rounds a day."),
    rounds: int | None = typer.Option(None, "--rounds", min=1, help="Stop after this many rounds (default: run on)."),
    once: bool = typer.Option(False, "--once", help="One round, then exit (same as --rounds 1)."),
    timeout: float = typer.Option(15.0, "--timeout", min=0.1, help="Seconds before a probe counts as failed."),
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
) -> None:
    """Probe homepages repeatedly (default 24 rounds a day, with jitter) and store each probe.

    A week of probes gives the failure ratio of China's availability veto (≥ 5% failed,
    with ≥ 20 probes a day): see `mgov probe-stats`.

    [dim]Example: mgov probe --once   (or from cron; or leave it running)[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.collect.settings import CollectSettings
    from mgov.runs import store
    from mgov.runs.context import RoutingOptions, open_context
    from mgov.scan import probes

    st = state(ctx)
    engine = st.engine()
    options = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    options.routing()
    with engine.connect() as conn:
        channels = store.select_channels(conn, org=org)
    total = 1 if once else rounds
    interval = 86400 / max(per_day, 1)

    async def go() -> None:
        async with open_context(st.settings, options, CollectSettings(total_timeout=timeout)) as cctx:
            done = 0
            served: dict[int, str] = {}  # where each homepage answered last: tried first next round
            while total is None or done < total:
                started, ok = await probes.probe_round(cctx.client, engine, channels, served)
                console.print(f"{started:%Y-%m-%d %H:%M:%S}Z probe round {done + 1}: {ok}/{len(channels)} answered")
                done += 1
                if total is None or done < total:
                    # Jitter spreads the rounds so a site's daily maintenance window is not always hit.
                    await asyncio.sleep(max(0.0, interval * random.uniform(0.75, 1.25)))  # noqa: S311 - jitter, not security

    asyncio.run(go())


def probe_stats(
    ctx: typer.Context,
    days: int = typer.Option(7, "--days", help="The window, ending now."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Failure ratio of each channel's probes over the window, and the availability veto.

    [dim]Example: mgov probe-stats --days 7 --json[/dim]
    """
    # Deferred: the scan layer (mgov.scan) loads only for the commands that read or make probes.
    from mgov.scan.probes import probe_stats as stats

    st = state(ctx)
    with st.connect() as conn:
        rows = [s.as_dict() for s in stats(conn, clock.now(), days)]
    if as_json:
        print_json(rows)
    else:
        print_table(st.lang, rows, ["address", "probes", "failed", "failure_ratio", "enough_probes", "veto"])
