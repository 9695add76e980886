"""mgov crawl: crawl web channels and run the content checks; mgov links: a crawl's dead links."""

from __future__ import annotations

import json
from typing import Any

import typer

from mgov.cli import choices
from mgov.cli.common import JSON_OPTION, console, print_json, print_table, state
from mgov.cli.fetching import ALLOW_PRIVATE, CA_BUNDLE, CHANNELS, CLUSTER, CONNECT_TO, DETACH, DNS, KINDS
from mgov.cli.scan import run_pass


def crawl(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    kind: list[str] | None = KINDS,
    channel: list[str] | None = CHANNELS,
    checks: str | None = typer.Option(None, "--checks", help="Comma-separated check ids (default: every crawl check)."),
    profile: str | None = typer.Option(None, "--profile", help="Only the checks this guideline profile binds "
                                                              "(see `mgov profiles show ID`)."),
    max_pages: int = typer.Option(500, "--max-pages", min=1, help="Pages fetched per site at most."),
    max_depth: int = typer.Option(5, "--max-depth", min=0, help="Clicks from the homepage at most."),
    subdomains: bool = typer.Option(False, "--subdomains", help="Also crawl the site's subdomains."),
    delay: float = typer.Option(0.0, "--delay", min=0.0, help="Seconds between two requests to one host."),
    per_host: int = typer.Option(4, "--per-host", min=1, max=16, help="Requests in flight to one host "
                                                                  "(politeness; also the page workers of a site)."),
    max_seconds: float = typer.Option(600.0, "--max-seconds", min=1.0, help="Time budget of one site's crawl, in "
                                      "the site's time (its requests in flight; mgov's own delays on a busy "
                                      "machine do not count); what was crawled by then is judged, as incomplete."),
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    resume: bool = typer.Option(False, "--resume", help="Finish the newest unfinished crawl (or --run); its "
                                                        "selection, limits and options are kept."),
    run: int | None = typer.Option(None, "--run", help="With --resume: the run to finish."),
    concurrency: int = typer.Option(20, "--concurrency", min=1, help="Sites crawled at once."),
    workers: int = typer.Option(0, "--workers", min=0, help="Crawler processes (0: one per core for runs of "
                                                           "500+ channels, else one)."),
    cluster: bool = CLUSTER,
    detach: bool = DETACH,
    as_json: bool = JSON_OPTION,
) -> None:
    """Crawl web channels (bounded, robots.txt honoured, every page archived as WARC), check
    every link once, and judge content: dead links, homepage and column freshness, blank
    columns, interaction, and red flags for review.

    Each channel's findings, link graph and pages are committed when it is done; a crawl
    that was killed continues with --resume.

    [dim]Example: mgov crawl --org cn-440300 --max-pages 2000 && mgov links[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.runs.context import RoutingOptions

    if resume and (org or kind or channel or checks or profile or connect_to or dns or ca_bundle):
        raise typer.BadParameter("--resume keeps the run's own selection, checks, limits and routing: give none of "
                                 "--org, --kind, --channel, --checks, --profile, --connect-to, --dns, --ca-bundle")
    st = state(ctx)
    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    run_pass(ctx, "crawl", resume=resume, run=run, concurrency=concurrency, workers=workers, as_json=as_json,
             cluster=cluster, detach=detach,
             selection={"org": org, "kinds": kind, "channels": channel, "checks": (checks or "").split(","),
                        "routing": routing}, profile=profile,
             limits={"max_pages": max_pages, "max_depth": max_depth, "subdomains": subdomains, "delay": delay,
                     "max_seconds": max_seconds, "per_host": per_host}, after=index_for_search)


def index_for_search(ctx: typer.Context, result: dict[str, Any], as_json: bool) -> None:
    """The crawl's committed pages and attachments made searchable (docs/archive.md, "Search")."""
    # Deferred: the search's readers load only once a crawl has committed.
    from mgov.search.service import index_pending

    st = state(ctx)
    counts = index_pending(st.engine(), st.settings.resolved_archive_dir)
    result["search_indexed"] = counts.indexed
    if not as_json:
        console.print(f"search: +{counts.indexed}", markup=False)


def links(
    ctx: typer.Context,
    run: int | None = typer.Option(None, "--run", help="Crawl run id (default: the newest crawl)."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel's address."),
    limit: int = typer.Option(1000, "--limit", min=1, help="Dead link targets listed at most."),
    fmt: str = typer.Option("table", "--format", help="table, json or jsonl."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Dead links of a crawl, each with every page that carries it (homepage first in the counts).

    [dim]Example: mgov links --channel https://www.example.gov.cn/ --format jsonl[/dim]
    """
    # Deferred: the crawl and run stores (mgov.crawl, mgov.runs) load only for the commands that read runs.
    from mgov.crawl.store import crawl_counts, dead_links
    from mgov.runs import store

    st = state(ctx)
    fmt = choices.stdout_format(st.lang, fmt, as_json, ("table", "json", "jsonl"))
    with st.connect() as conn:
        address = choices.channel_address(conn, st.lang, channel)
        run_row = store.get_run(conn, run, kind="crawl")
        rows = dead_links(conn, run_row["id"], address=address, limit=limit)
        counts = crawl_counts(conn, run_row["id"])
    if fmt == "json":
        print_json({"run": run_row["id"], **counts, "dead_links": rows})
    elif fmt == "jsonl":
        for r in rows:
            typer.echo(json.dumps({"run": run_row["id"], **r}, ensure_ascii=False, default=str))
    else:
        print_table(st.lang, [{"address": r["address"], "url": r["url"], "outcome": r["outcome"],
                               "status": r["status"], "homepage": r["on_homepage"], "pages": len(r["pages"])}
                              for r in rows], ["address", "url", "outcome", "status", "homepage", "pages"])
