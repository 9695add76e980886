"""mgov import / mgov export."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from mgov.cli import choices
from mgov.cli.common import JSON_OPTION, console, err_console, print_json, print_table, state
from mgov.formats.export import export_registry
from mgov.formats.load import ImportResult, import_file
from mgov.i18n import t

IMPORT_ARGS = typer.Argument(..., metavar="[dotgov|usdr] FILE",
                             help="A native file (.yaml, .csv) or directory; or 'dotgov' and a "
                                  ".gov registry CSV (current-full.csv, current-federal.csv); or 'usdr' and a "
                                  "U.S. Digital Registry export (JSON: agencies, social_media, mobile_apps).")
SOURCES = ("dotgov", "usdr")
EXPORT_PATH = typer.Argument(..., metavar="FILE", help="registry.yaml (or .yml), registry.csv, or a directory "
                                                     "(a name without an extension): the name chooses the format.")


def import_(
    ctx: typer.Context,
    args: list[str] = IMPORT_ARGS,
    strict: bool = typer.Option(False, "--strict", help="Store nothing and exit 1 if any row is bad."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and count, store nothing."),
    encoding: str | None = typer.Option(None, "--encoding", help="Force the encoding (default: UTF-8, else GB18030)."),
    show: int = typer.Option(20, "--show", help="Bad rows to list in the table output."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a registry file. Re-importing updates in place; nothing stored is ever deleted.

    Bad rows are listed with file, line and reason; good rows are still imported. Exits 1
    when nothing could be imported, or (with --strict) when any row is bad.

    [dim]Examples: mgov import registry.yaml   mgov import dotgov current-full.csv --json
    mgov import usdr digital-registry.json[/dim]
    """
    if len(args) == 2 and args[0] in SOURCES:
        fmt, path = args[0], Path(args[1])
    elif len(args) == 1:
        fmt, path = "native", Path(args[0])
    else:
        raise typer.BadParameter("give FILE, or dotgov FILE, or usdr FILE", param_hint="[dotgov|usdr] FILE")
    st = state(ctx)
    engine = st.engine()
    total = path.stat().st_size if path.is_file() else None
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=as_json or total is None) as progress:
        task = progress.add_task(path.name, total=total)
        result = import_file(engine, path, fmt, strict=strict, dry_run=dry_run, encoding=encoding,
                             on_bytes=lambda n: progress.advance(task, n))
    if as_json:
        print_json(result.as_dict())
    else:
        _print_result(st.lang, result, show)
    if not result.ok:
        err_console.print(t(st.lang, "nothing_imported", file=path))
        raise typer.Exit(1)
    if strict and result.problems:
        err_console.print(t(st.lang, "strict_refused", bad=len(result.problems)))
        raise typer.Exit(1)


def _print_result(lang: str, result: ImportResult, show: int) -> None:
    rows = [{"type": kind, **vars(c)} for kind, c in result.report.counts.items()]
    print_table(lang, rows, ["type", "created", "updated", "unchanged"])
    if result.problems:
        bad = [p.as_dict() for p in result.problems[:show]]
        print_table(lang, bad, ["source", "line", "record_type", "reason"],
                    title=t(lang, "bad_rows"))
        if len(result.problems) > show:
            console.print(t(lang, "more_rows", n=len(result.problems) - show))
    console.print(t(lang, "import_summary", read=result.rows_read, file=result.path,
                    bad=len(result.problems), changes=result.report.changes))
    if not result.stored:
        console.print(t(lang, "dry_run"))


def export(
    ctx: typer.Context,
    path: Path = EXPORT_PATH,
    as_json: bool = JSON_OPTION,
) -> None:
    """Export the whole registry in the native format; importing it back changes nothing.

    [dim]Examples: mgov export registry.yaml   mgov export registry/   (one CSV per record type)[/dim]
    """
    st = state(ctx)
    if path.suffix and not path.is_dir():  # a name without an extension is a folder of CSVs
        choices.out_format(st.lang, path, None, ("yaml", "csv"), aliases={"yml": "yaml"})
    with st.connect() as conn:
        counts = export_registry(conn, path)
    if as_json:
        print_json({"file": str(path), "counts": counts})
    else:
        console.print(t(st.lang, "exported", file=path, counts=", ".join(f"{k} {v}" for k, v in counts.items())))
