"""mgov render: web channels in a real browser, judged by the rendered checks; mgov inspect:
pages that are not registered, rendered and judged, nothing stored unless --store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from mgov.cli import choices
from mgov.cli.common import print_json, print_table, state
from mgov.cli.fetching import ALLOW_PRIVATE, CA_BUNDLE, CHANNELS, CLUSTER, CONNECT_TO, DETACH, DNS, KINDS
from mgov.cli.scan import run_pass
from mgov.cli.words import labelled, names_for, with_titles

URLS = typer.Argument(None, help="Pages to inspect (http or https).")
URLS_FILE = typer.Option(None, "--urls-file", help="A file of URLs, one a line (# starts a comment).")
INSPECT_CHECKS = typer.Option(None, "--checks", help="Comma-separated check ids (default: every rendered check).")
INSPECT_FORMAT = typer.Option("table", "--format", help="table, json or jsonl.")
STORE = typer.Option(False, "--store", help="Archive the screenshots, DOM snapshots and exchanges (WARC) and "
                                            "point the findings at them (the database is never written).")
JURISDICTION = typer.Option(None, "--jurisdiction", help="cn or us: also the checks of that jurisdiction apply.")
VIEWPORTS = typer.Option("desktop,phone", "--viewports", help="Comma-separated: desktop, phone, phone320.")
PAGE_BUDGET = typer.Option(30.0, "--page-budget", min=1.0, help="Seconds one page in one viewport may take.")
SLOTS = typer.Option(4, "--slots", min=1, max=32, help="Pages rendered at once by the browser.")


def render(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    kind: list[str] | None = KINDS,
    channel: list[str] | None = CHANNELS,
    checks: str | None = typer.Option(None, "--checks", help="Comma-separated check ids (default: every rendered "
                                                            "check)."),
    profile: str | None = typer.Option(None, "--profile", help="Only the checks this guideline profile binds "
                                                              "(see `mgov profiles show ID`)."),
    viewports: str = VIEWPORTS,
    slots: int = SLOTS,
    page_budget: float = PAGE_BUDGET,
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    resume: bool = typer.Option(False, "--resume", help="Finish the newest unfinished render (or --run); its "
                                                        "selection, limits and options are kept."),
    run: int | None = typer.Option(None, "--run", help="With --resume: the run to finish."),
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="Channels rendered at once."),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes, each with its own browser (0: one per "
                                                           "core for runs of 500+ channels, else one)."),
    cluster: bool = CLUSTER,
    detach: bool = DETACH,
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
) -> None:
    """Render web channels' start pages in Debian's Chromium (desktop and phone), every request
    the page makes passing mgov's SSRF guard and routing; screenshots and DOM snapshots are
    archived as WARC; the rendered checks judge them (accessibility, phone layout, 适老化,
    page experience, what JavaScript builds and loads).

    [dim]Example: mgov render --org cn-440300 && mgov findings --status fail[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, playwright) loads only for commands that fetch.
    from mgov.runs.context import RoutingOptions

    if resume and (org or kind or channel or checks or profile or connect_to or dns or ca_bundle):
        raise typer.BadParameter("--resume keeps the run's own selection, checks, limits and routing: give none of "
                                 "--org, --kind, --channel, --checks, --profile, --connect-to, --dns, --ca-bundle")
    st = state(ctx)
    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    run_pass(ctx, "render", resume=resume, run=run, concurrency=concurrency, workers=workers, as_json=as_json,
             cluster=cluster, detach=detach,
             selection={"org": org, "kinds": kind, "channels": channel, "checks": (checks or "").split(","),
                        "routing": routing}, profile=profile,
             limits={"viewports": _split(viewports), "slots": slots, "page_budget": page_budget})


def inspect(
    ctx: typer.Context,
    urls: list[str] | None = URLS,
    urls_file: Path | None = URLS_FILE,
    checks: str | None = INSPECT_CHECKS,
    fmt: str = INSPECT_FORMAT,
    viewports: str = VIEWPORTS,
    page_budget: float = PAGE_BUDGET,
    jurisdiction: str | None = JURISDICTION,
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    store: bool = STORE,
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="Pages inspected at once."),
) -> None:
    """Inspect pages that are not registered (as pa11y or Lighthouse do): render each in
    Chromium and run the rendered checks (or --checks); jsonl prints one object per URL with
    its findings, in the rows of `mgov findings`.

    [dim]Example: mgov inspect https://www.example.gov.cn/ --format jsonl[/dim]
    """
    # Deferred: the render stack (playwright, aiohttp) loads only for commands that render.
    from mgov.render.inspect import InspectRequest, finding_row, inspect_checks, inspect_urls
    from mgov.render.kind import limits_of
    from mgov.runs.context import RoutingOptions

    st = state(ctx)
    lang = st.lang
    fmt = choices.stdout_format(lang, fmt, False, ("table", "json", "jsonl"))
    wanted = list(urls or [])
    if urls_file is not None:
        lines = urls_file.read_text(encoding="utf-8").splitlines()
        wanted += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not wanted:
        raise typer.BadParameter("give URLs, or --urls-file")
    bad = [u for u in wanted if not u.startswith(("http://", "https://"))]
    if bad:
        raise typer.BadParameter(f"not an http(s) URL: {', '.join(bad)}")
    chosen = inspect_checks(_split(checks or ""))
    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    request = InspectRequest(wanted, [c.id for c in chosen], routing,
                             archive_dir=st.settings.resolved_archive_dir if store else None,
                             jurisdiction=jurisdiction, concurrency=concurrency,
                             limits=limits_of({"viewports": _split(viewports), "page_budget": page_budget}))
    collected: list[dict[str, Any]] = []

    def on_url(url: str, findings: list[Any]) -> None:
        rows = [finding_row(url, f, lang) for f in findings]
        if fmt == "jsonl":
            typer.echo(json.dumps({"url": url, "findings": rows}, ensure_ascii=False, default=str))
        else:
            collected.append({"url": url, "findings": rows})

    inspect_urls(request, chosen, on_url)
    if fmt == "json":
        print_json(collected)
    elif fmt == "table":
        shown = [{k: v for k, v in row.items() if k != "evidence"} for item in collected for row in item["findings"]]
        shown = labelled(lang, with_titles(lang, shown, names_for(st.settings), check="check"), status="finding")
        print_table(lang, shown, ["address", "check", "title", "status", "message"])


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
