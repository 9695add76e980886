"""mgov findings: what a scan found, with the WARC records behind each verdict."""

from __future__ import annotations

import json
import sys

import typer

from mgov.checks.base import Status
from mgov.checks.plugins import select
from mgov.cli.common import print_json, print_table, state
from mgov.cli.words import labelled, names_for, with_titles
from mgov.formats.cells import csv_writer
from mgov.registry.addresses import normalize_url

FIELDS = ["run", "address", "check", "status", "value", "message", "scan_status", "evidence"]


def findings(
    ctx: typer.Context,
    run: int | None = typer.Option(None, "--run", help="Scan run id (default: the newest)."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel's address."),
    check: str | None = typer.Option(None, "--check", help="Only this check id."),
    status: str | None = typer.Option(None, "--status", help="pass, fail, warn, error or not_applicable."),
    fmt: str = typer.Option("table", "--format", help="table, json, jsonl or csv."),
) -> None:
    """Show a scan's findings; every row names the WARC records (file, offset, length) it was judged on.

    [dim]Example: mgov findings --status fail --format jsonl[/dim]
    """
    # Deferred: the run/collect stack (mgov.runs) loads only for commands that read or make runs.
    from mgov.runs import store

    if status is not None and status not in {s.value for s in Status}:
        raise typer.BadParameter(f"--status must be one of {', '.join(s.value for s in Status)}")
    if check is not None:
        select([check])  # an unknown check id is an error, not an empty list
    st = state(ctx)
    with st.connect() as conn:
        run_row = store.get_run(conn, run)
        rows = store.findings_of(conn, run_id=run_row["id"], address=normalize_url(channel) if channel else None,
                                 check=check, status=status)
    lang = st.lang
    out = [{"run": r["run_id"], "address": r["address"], "check": r["check_id"], "status": r["status"],
            "value": r["value"], "message": (r["message_zh"] if lang == "zh" else r["message"]) or "",
            "scan_status": r["scan_status"], "evidence": r["evidence"]} for r in rows]
    if fmt == "json":
        print_json(out)
    elif fmt == "jsonl":
        for row in out:
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
    elif fmt == "csv":
        writer = csv_writer(sys.stdout, lineterminator="\n")  # messages quote what scanned sites say
        writer.writerow(FIELDS)
        for row in out:
            writer.writerow(json.dumps(row[f], ensure_ascii=False) if isinstance(row[f], (dict, list))
                            else ("" if row[f] is None else row[f]) for f in FIELDS)
    elif fmt == "table":
        shown = [{**row, "evidence": ", ".join(f"{e['file']}@{e['offset']}" for e in row["evidence"][-1:])}
                 for row in out]
        shown = labelled(lang, with_titles(lang, shown, names_for(st.settings), check="check"), status="finding")
        print_table(lang, shown, ["address", "check", "title", "status", "message", "evidence"])
    else:
        raise typer.BadParameter("--format must be table, json, jsonl or csv")
