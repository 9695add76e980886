"""mgov capture: read registered new-media accounts through their platform adapters (or an
import file) and keep every version of their posts; mgov posts: what was captured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from mgov.cli import choices
from mgov.cli.common import JSON_OPTION, console, err_console, print_json, print_table, state
from mgov.cli.fetching import ALLOW_PRIVATE, CA_BUNDLE, CHANNELS, CLUSTER, CONNECT_TO, DETACH, DNS
from mgov.cli.scan import run_pass
from mgov.i18n import t

ACCOUNT_KINDS = typer.Option(None, "--kind", "-k", help="wechat_account, weibo_account, other_social or "
                                                        "mini_program; repeatable.")
IMPORT = typer.Option(None, "--import", metavar="FILE", help="Read the one --channel's posts (and account facts) "
                                                              "from this CSV, JSON or XLSX file (docs/newmedia.md).")


def capture(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only accounts of this organization and those below it."),
    kind: list[str] | None = ACCOUNT_KINDS,
    channel: list[str] | None = CHANNELS,
    import_file: Path | None = IMPORT,
    checks: str | None = typer.Option(None, "--checks", help="Comma-separated check ids (default: every "
                                                            "new-media check)."),
    profile: str | None = typer.Option(None, "--profile", help="Only the checks this guideline profile binds."),
    window_days: int = typer.Option(30, "--window-days", min=1, help="Posts of this many days back are read."),
    max_posts: int = typer.Option(100, "--max-posts", min=1, help="Posts read per account at most."),
    max_pages: int = typer.Option(10, "--max-pages", min=1, help="Pages of a timeline or outbox read at most."),
    platform_rate: float = typer.Option(2.0, "--platform-rate", min=0.01, help="Requests a second to one platform "
                                                                              "host, the whole run together."),
    reread_days: int = typer.Option(7, "--reread-days", min=0, help="Posts held from an earlier capture and older "
                                                                  "than this are not read again (0: read all)."),
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    resume: bool = typer.Option(False, "--resume", help="Finish the newest unfinished capture (or --run); its "
                                                        "selection, limits and options are kept."),
    run: int | None = typer.Option(None, "--run", help="With --resume: the run to finish."),
    concurrency: int = typer.Option(50, "--concurrency", min=1, help="Accounts captured at once."),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes (0: one per core for runs of 500+ "
                                                           "accounts, else one)."),
    cluster: bool = CLUSTER,
    detach: bool = DETACH,
    as_json: bool = JSON_OPTION,
) -> None:
    """Capture registered new-media accounts (WeChat, Weibo, other social accounts, mini
    programs): each one's profile and recent posts through its platform adapter, or from an
    import file; every exchange and import file archived as WARC; every version of every post
    kept, edits and deletions recorded; the new-media checks judge them.

    Each account is committed when it is done; a capture that was killed continues with --resume.

    [dim]Example: mgov capture --org cn-440300 && mgov posts --format jsonl[/dim]
    """
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.runs.context import RoutingOptions

    if resume and (org or kind or channel or checks or profile or connect_to or dns or ca_bundle or import_file):
        raise typer.BadParameter("--resume keeps the run's own selection, checks, limits and routing: give none of "
                                 "--org, --kind, --channel, --import, --checks, --profile, --connect-to, --dns, "
                                 "--ca-bundle")
    st = state(ctx)
    limits: dict[str, Any] = {"window_days": window_days, "max_posts": max_posts, "max_pages": max_pages,
                              "platform_rate": platform_rate, "reread_days": reread_days}
    if import_file is not None:
        if len(channel or []) != 1:
            raise typer.BadParameter("--import reads the posts of one account: name it with one --channel")
        limits["import_file"] = str(_checked_import(st.lang, import_file, channel[0] if channel else ""))
    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    run_pass(ctx, "capture", resume=resume, run=run, concurrency=concurrency, workers=workers, as_json=as_json,
             cluster=cluster, detach=detach,
             selection={"org": org, "kinds": kind, "channels": channel, "checks": (checks or "").split(","),
                        "routing": routing}, profile=profile, limits=limits, after=_print_counts)


def _checked_import(lang: str, path: Path, address: str) -> Path:
    """The import file, read once before the run so that its bad rows are reported here (the
    capture skips them too, and is then `partial`); a file nothing can be read from is refused."""
    # Deferred: the import adapter (and openpyxl for a workbook) loads only when a file is imported.
    from mgov.collect.platforms.base import AccountRef
    from mgov.collect.platforms.import_file import read_import
    from mgov.collect.platforms.import_table import UnreadableFile

    path = path.expanduser().resolve()
    try:
        read = read_import(path, path.read_bytes(), AccountRef("other_social", address))
    except OSError as exc:
        choices.refuse(lang, "import_unreadable", exit_code=1, file=str(path), reason=exc.strerror or str(exc))
    except UnreadableFile as exc:
        choices.refuse(lang, "import_unreadable", exit_code=1, file=str(path), reason=str(exc))
    for note in read.notes:
        err_console.print(escape(f"{path.name}: {note}"), soft_wrap=True)
    if read.problems:
        err_console.print(f"[yellow]{escape(t(lang, 'import_rows_skipped', n=len(read.problems), file=path.name))}[/]")
        for problem in read.problems:
            err_console.print(escape(f"  {problem}"), soft_wrap=True)
    return path


def _print_counts(ctx: typer.Context, result: dict[str, Any], as_json: bool) -> None:
    # Deferred: the capture's store loads only for the commands that capture or read posts.
    from mgov.newmedia.service import capture_counts

    st = state(ctx)
    with st.connect() as conn:
        counts = capture_counts(conn, result["run"])
    result["captured"] = counts
    if not as_json:
        console.print(t(st.lang, "capture_counts", **counts))


def posts(
    ctx: typer.Context,
    channel: str | None = typer.Option(None, "--channel", help="Only this account's posts."),
    versions: str | None = typer.Option(None, "--versions", metavar="POST_ID",
                                        help="Every kept version of this post of the --channel, oldest first."),
    deleted: bool = typer.Option(False, "--deleted", help="Only posts found deleted."),
    changed: bool = typer.Option(False, "--changed", help="Only posts edited or deleted since first seen."),
    limit: int = typer.Option(1000, "--limit", min=1, help="Posts listed at most."),
    fmt: str = typer.Option("table", "--format", help="table, json or jsonl."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Captured posts, newest first per account, with how many versions were kept and whether
    the post was found deleted; --versions lists every version of one post.

    [dim]Example: mgov posts --channel gh_sz_gov --changed; mgov posts --channel gh_sz_gov --versions 4987[/dim]
    """
    # Deferred: the capture's store loads only for the commands that capture or read posts.
    from mgov.newmedia import service

    st = state(ctx)
    fmt = choices.stdout_format(st.lang, fmt, as_json, ("table", "json", "jsonl"))
    if versions is not None and channel is None:
        raise typer.BadParameter("--versions needs the post's --channel")
    with st.connect() as conn:
        address = choices.channel_address(conn, st.lang, channel)
        if versions is not None and address is not None:
            rows = service.post_versions(conn, address, versions)
            columns = ["version", "change", "seen_at", "title", "text", "digest"]
        else:
            rows = service.list_posts(conn, address=address, deleted=True if deleted else None, changed=changed,
                                      limit=limit)
            columns = ["address", "post_id", "published", "title", "versions", "edits", "deleted", "last_seen"]
    if fmt == "json":
        print_json(rows)
    elif fmt == "jsonl":
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
    else:
        print_table(st.lang, rows, columns, id_columns=("post_id",))
