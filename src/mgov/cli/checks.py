"""mgov checks: what each check verifies, in a table, JSON, or the Markdown of docs/checks.md."""

from __future__ import annotations

import typer

from mgov.checks.docs import check_metadata, markdown
from mgov.checks.plugins import all_checks
from mgov.cli import choices
from mgov.cli.common import console, print_json, print_table, state

app = typer.Typer(help="The checks scans run. [dim]Example: mgov checks list[/dim]", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context,
          fmt: str = typer.Option("table", "--format", help="table, json or markdown."),
          as_json: bool = typer.Option(False, "--json", help="Same as --format json.")) -> None:
    """List every registered check with its id, title, evidence and fix.

    [dim]Example: mgov checks list --format markdown > docs/checks.md[/dim]
    """
    checks = list(all_checks().values())
    fmt = choices.stdout_format(state(ctx).lang, fmt, as_json, ("table", "json", "markdown"))
    if fmt == "json":
        print_json([check_metadata(c) for c in checks])
    elif fmt == "markdown":
        typer.echo(markdown(checks), nl=False)
    elif fmt == "table":
        lang = state(ctx).lang
        rows = [{"id": c.id, "title": c.title_zh if lang == "zh" else c.title_en,
                 "evidence": ", ".join(sorted(c.needs))} for c in checks]
        print_table(lang, rows, ["id", "title", "evidence"])
        console.print(f"{len(checks)} checks")

