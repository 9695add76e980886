"""mgov findings: what a scan found, with the WARC records behind each verdict."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import typer
from rich.markup import escape

from mgov import zones
from mgov.checks.base import Status
from mgov.checks.plugins import all_checks
from mgov.cli import choices, common
from mgov.cli.common import err_console, print_json, print_table, state
from mgov.cli.words import labelled, names_for, with_titles
from mgov.formats.cells import csv_writer
from mgov.i18n import MESSAGES, t

FIELDS = ["run", "address", "check", "status", "value", "message", "scan_status", "evidence"]
FORMATS = ("table", "json", "jsonl", "csv")
RUN_OPTION = typer.Option(None, "--run", help="Only this run (scan or crawl) id (default: the newest of each kind).")
ALL_RUNS_OPTION = typer.Option(False, "--all-runs", help="Findings of every run, not only the newest of each kind.")
FINDINGS_JSON_OPTION = typer.Option(False, "--json", help="Same as --format json.")


def findings(
    ctx: typer.Context,
    run: int | None = RUN_OPTION,
    all_runs: bool = ALL_RUNS_OPTION,
    channel: str | None = typer.Option(None, "--channel", help="Only this channel's address."),
    check: str | None = typer.Option(None, "--check", help="Only this check id."),
    status: str | None = typer.Option(None, "--status", help="pass, fail, warn, error or not_applicable."),
    fmt: str = typer.Option("table", "--format", help="table, json, jsonl or csv."),
    as_json: bool = FINDINGS_JSON_OPTION,
) -> None:
    """Show findings of the newest scan and the newest crawl (say which), or of --run, or
    --all-runs; every row names the WARC records (file, offset, length) it was judged on.

    [dim]Example: mgov findings --status fail --format jsonl   (mgov findings --run 3 --json)[/dim]
    """
    # Deferred: the run/collect stack (mgov.runs) loads only for commands that read or make runs.
    from mgov.runs import store

    st = state(ctx)
    lang = st.lang
    fmt = choices.stdout_format(lang, fmt, as_json, FORMATS)
    choices.choose(lang, "--status", status, [s.value for s in Status])
    choices.choose(lang, "--check", check, all_checks())
    with st.connect() as conn:
        address = choices.channel_address(conn, lang, channel)
        if run is not None:
            runs = [store.get_run(conn, run)]
        else:
            runs = store.all_runs(conn) if all_runs else store.latest_runs(conn)
            if not runs:
                store.get_run(conn)  # says no scan has run yet
        rows = [r for run_row in runs
                for r in store.findings_of(conn, run_id=run_row["id"], address=address, check=check, status=status)]
    out = [{"run": r["run_id"], "address": r["address"], "check": r["check_id"], "status": r["status"],
            "value": r["value"], "message": (r["message_zh"] if lang == "zh" else r["message"]) or "",
            "scan_status": r["scan_status"], "evidence": r["evidence"]} for r in rows]
    shown_runs = [{"id": r["id"], "kind": r["kind"], "started_at": r["started_at"], "finished_at": r["finished_at"]}
                  for r in runs]
    if fmt == "json":
        print_json({"runs": shown_runs, "findings": out})
        return
    err_console.print(escape(t(lang, "findings_runs", runs=", ".join(_run_label(lang, r) for r in shown_runs))),
                      soft_wrap=True)
    if fmt == "jsonl":
        for row in out:
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
    elif fmt == "csv":
        writer = csv_writer(sys.stdout, lineterminator="\n")  # messages quote what scanned sites say
        writer.writerow(FIELDS)
        for row in out:
            writer.writerow(json.dumps(row[f], ensure_ascii=False) if isinstance(row[f], (dict, list))
                            else ("" if row[f] is None else row[f]) for f in FIELDS)
    else:
        shown = [{**row, "evidence": ", ".join(f"{e['file']}@{e['offset']}" for e in row["evidence"][-1:])}
                 for row in out]
        shown = labelled(lang, with_titles(lang, shown, names_for(st.settings), check="check"), status="finding")
        columns = ["address", "check", "title", "status", "message", "evidence"]
        print_table(lang, shown, ["run", *columns] if len(runs) > 1 else columns)


def _run_label(lang: str, run: dict[str, Any]) -> str:
    kind = t(lang, f"run_kind_{run['kind']}") if f"run_kind_{run['kind']}" in MESSAGES else run["kind"]
    started = run["started_at"]
    aware = started if started.tzinfo is not None else started.replace(tzinfo=dt.UTC)
    when = zones.local(aware, common.DISPLAY_ZONE) if common.DISPLAY_ZONE else aware.astimezone()
    return t(lang, "findings_run", kind=kind, id=run["id"], date=when.strftime("%Y-%m-%d %H:%M"))
