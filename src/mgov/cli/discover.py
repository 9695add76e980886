"""mgov discover: search the platforms for accounts that claim a registered unit's name but are
not registered (私开账号, imposters), list them, and confirm or dismiss each."""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mgov.cli import choices
from mgov.cli.common import (
    JSON_OPTION,
    LIMIT_OPTION,
    console,
    err_console,
    login_name,
    print_json,
    print_table,
    state,
)
from mgov.cli.fetching import ALLOW_PRIVATE, CA_BUNDLE, CONNECT_TO, DNS
from mgov.cli.words import labelled
from mgov.discover import store
from mgov.i18n import t

app = typer.Typer(help="Accounts on the platforms that claim a registered unit's name but are not registered. "
                       "[dim]Example: mgov discover --org cn-440300 --platform weibo; mgov discover list[/dim]",
                  invoke_without_command=True)
SEARCH_HOST_OPTION = typer.Option(None, "--search-host", metavar="HOST",
                                  help="An ActivityPub (Mastodon) server to search, repeatable (the fediverse has "
                                       "no one search; none given: none searched).")
PLATFORM_OPTION = typer.Option(None, "--platform", help="Only this platform's search (an adapter name: weibo, "
                                                      "activitypub...); repeatable.")
COLUMNS = ["id", "platform", "address", "name", "organization", "matched", "state", "confirmed_as", "last_seen"]


@app.callback()
def discover(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only this organization and those below it."),
    platform: list[str] | None = PLATFORM_OPTION,
    search_host: list[str] | None = SEARCH_HOST_OPTION,
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    platform_rate: float = typer.Option(2.0, "--platform-rate", min=0.01, help="Requests a second to one platform "
                                                                              "host, every search together."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Search every platform that offers search for accounts whose names claim a registered
    unit's name (docs/newmedia-registry.md: the matching rules), and keep the ones that are not
    registered as candidates for a reviewer, each with the archived search answer (WARC) as
    evidence. Seen again, a candidate keeps its decision.

    [dim]Examples: mgov discover --org cn-440300   mgov discover list --state new
    mgov discover confirm 3 --verdict private --note "单位承认未备案"   mgov discover dismiss 4[/dim]
    """
    if ctx.invoked_subcommand is not None:
        if org or platform or search_host or connect_to or dns or ca_bundle or allow_private or as_json:
            raise typer.BadParameter(f"the options of a discovery go with `mgov discover` alone, not with "
                                     f"`{ctx.invoked_subcommand}`")
        return
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.discover.service import run_discovery
    from mgov.runs.context import RoutingOptions

    st = state(ctx)
    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("discover", total=None)
        result = run_discovery(st.engine(), st.settings, routing, org=org, platforms=platform,
                               search_hosts=tuple(h.strip().lower() for h in search_host or [] if h.strip()),
                               platform_rate=platform_rate,
                               on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        print_json(result.as_dict())
        return
    for error in result.errors[:20]:
        err_console.print(error)
    console.print(t(st.lang, "discover_summary", units=result.units, platforms=", ".join(result.platforms),
                    searches=result.searches, returned=result.returned, registered=result.registered,
                    new=result.new, again=result.seen_again, errors=len(result.errors)))


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--state", help="new, confirmed or dismissed (default: all)."),
    org: str | None = typer.Option(None, "--org", help="Only accounts claiming this organization or one below it."),
    platform: str | None = typer.Option(None, "--platform", help="Only this platform's."),
    limit: int | None = LIMIT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List the discovered accounts, oldest first, with the unit each claims.

    [dim]Example: mgov discover list --state new --json[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--state", status, store.STATES)
    with st.connect() as conn:
        org_ids = None
        if org:
            org_ids = [u.org_id for u in store.units(conn, org)] or [-1]
        rows, _ = store.listing(conn, state=status, org_ids=org_ids, platform=platform, limit=limit or 100_000)
    if as_json:
        print_json(rows)
        return
    print_table(st.lang, labelled(st.lang, rows, state="discovered", confirmed_as="confirmed_as"), COLUMNS)


def _decided(ctx: typer.Context, row: dict[str, Any], as_json: bool) -> None:
    st = state(ctx)
    if as_json:
        print_json(row)
    else:
        shown = labelled(st.lang, [row], state="discovered", confirmed_as="confirmed_as")[0]
        console.print(t(st.lang, "discover_decided", id=row["id"], address=row["address"], state=shown["state"]))


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    discovered_id: int = typer.Argument(..., help="The discovered account's id (mgov discover list)."),
    verdict: str = typer.Option(..., "--verdict", help="private (私开账号: opened by the unit's staff without "
                                                         "filing) or imposter (仿冒: not the unit's)."),
    note: str = typer.Option(..., "--note", help="Why: the evidence seen, who was asked."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Confirm a discovered account as the unit's unfiled account or an imposter.

    [dim]Example: mgov discover confirm 3 --verdict imposter --note "冒用单位名称和标识，已报平台处理"[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--verdict", verdict, store.CONFIRMED_AS)
    with st.begin() as conn:
        row = store.decide(conn, discovered_id, "confirmed", confirmed_as=verdict, note=note, by=login_name())
    _decided(ctx, row, as_json)


@app.command("dismiss")
def dismiss(
    ctx: typer.Context,
    discovered_id: int = typer.Argument(..., help="The discovered account's id (mgov discover list)."),
    note: str | None = typer.Option(None, "--note", help="Why it is not the unit's (a namesake, a fan page...)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Dismiss a discovered account: it does not speak for the unit (it keeps its decision when seen again).

    [dim]Example: mgov discover dismiss 4 --note "同名企业账号"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        row = store.decide(conn, discovered_id, "dismissed", note=note, by=login_name())
    _decided(ctx, row, as_json)
