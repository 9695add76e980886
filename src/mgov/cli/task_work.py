"""mgov tasks assign / comment / evidence / escalate / recheck: working on a rectification task
from the command line, through the same services as the dashboard and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mgov.act import task_evidence, task_work
from mgov.cli.common import JSON_OPTION, console, login_name, print_json, state
from mgov.cli.fetching import ALLOW_PRIVATE, CA_BUNDLE, CONNECT_TO, DNS
from mgov.errors import InvalidValue
from mgov.i18n import t

BY_OPTION = typer.Option(None, "--by", help="Who does it (default: the login name).")
NOTE_OPTION = typer.Option(None, "--note", help="Why, in a few words (kept in the task's history).")
FILE_OPTION = typer.Option(None, "--file", exists=True, dir_okay=False,
                           help=f"A file showing the fix (at most {task_evidence.MAX_FILE // 2**20} MiB).")
TASK_IDS = typer.Argument(None, help="Task ids (default: every re-check asked for).")


def _done(as_json: bool, out: Any, lang: str, message: str, **words: Any) -> None:
    if as_json:
        print_json(out)
    else:
        console.print(t(lang, message, **words))


def assign(ctx: typer.Context, task_id: int = typer.Argument(..., help="Task id."),
           person: str = typer.Option(..., "--to", help="The person's key: one of the channel's responsible people "
                                                        "or of its owner's role holders."),
           note: str | None = NOTE_OPTION, by: str | None = BY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Assign (or reassign) a task to a person.

    [dim]Example: mgov tasks assign 12 --to zhao.lei --note "负责网站运维"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        task = task_work.assign(conn, task_id, person, by=by or login_name(), note=note)
    _done(as_json, task, st.lang, "task_assigned", id=task_id, person=person)


def comment(ctx: typer.Context, task_id: int = typer.Argument(..., help="Task id."),
            text: str = typer.Option(..., "--text", help="The comment."), by: str | None = BY_OPTION,
            as_json: bool = JSON_OPTION) -> None:
    """Comment on a task (kept in its history).

    [dim]Example: mgov tasks comment 12 --text "已联系供应商，本周五前更新"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        task = task_work.comment(conn, task_id, text, by=by or login_name())
    _done(as_json, task, st.lang, "task_commented", id=task_id)


def evidence(ctx: typer.Context, task_id: int = typer.Argument(..., help="Task id."),
             url: str | None = typer.Option(None, "--url", help="A link showing the fix."),
             file: Path | None = FILE_OPTION,
             note: str | None = NOTE_OPTION, by: str | None = BY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Add evidence of the fix to a task: a URL or a file (kept under the archive).

    [dim]Example: mgov tasks evidence 12 --file footer.png --note "页脚已补公网安备号"[/dim]
    """
    if (url is None) == (file is None):
        raise typer.BadParameter("give exactly one of --url and --file")
    st = state(ctx)
    with st.begin() as conn:
        if file is not None:
            if file.stat().st_size > task_evidence.MAX_FILE:
                raise InvalidValue(f"{file} has {file.stat().st_size} bytes: at most {task_evidence.MAX_FILE}")
            row = task_evidence.add_file(conn, st.settings.resolved_archive_dir, task_id, file.name,
                                         file.read_bytes(), by=by or login_name(), note=note)
        else:
            row = task_evidence.add_url(conn, task_id, url or "", by=by or login_name(), note=note)
    _done(as_json, row, st.lang, "task_evidence_added", id=task_id, evidence=row["id"])


def escalate(ctx: typer.Context, task_id: int = typer.Argument(..., help="Task id."),
             note: str = typer.Option(..., "--note", help="Why it goes to the supervising organization."),
             by: str | None = BY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Escalate a task one level up the registry (督办): the owner's supervising organization,
    then the one above it.

    [dim]Example: mgov tasks escalate 12 --note "逾期两周未整改"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        task = task_work.escalate(conn, task_id, by=by or login_name(), note=note)
    _done(as_json, task, st.lang, "task_escalated", id=task_id, to=task["escalated_to"],
          level=task["escalation_level"])


def recheck(
    ctx: typer.Context,
    task_ids: list[int] | None = TASK_IDS,
    later: bool = typer.Option(False, "--later", help="Only ask for the re-check: the next `mgov tasks recheck`, "
                                                     "scan or crawl that runs the checks decides."),
    connect_to: list[str] | None = CONNECT_TO,
    dns: str | None = DNS,
    ca_bundle: str | None = CA_BUNDLE,
    allow_private: bool = ALLOW_PRIVATE,
    by: str | None = BY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Re-check tasks now: run the checks behind each task's indicator on its channel (a scan or
    a crawl of those channels), close the tasks they find fixed, note the others in their history.

    [dim]Example: mgov tasks recheck 12   (or, from cron, just: mgov tasks recheck)[/dim]
    """
    st = state(ctx)
    actor = by or login_name()
    if later:
        if not task_ids:
            raise typer.BadParameter("--later needs the task ids to re-check")
        with st.begin() as conn:
            for task_id in task_ids:
                task_work.request_recheck(conn, task_id, by=actor)
        _done(as_json, {"requested": task_ids}, st.lang, "task_recheck_requested",
              ids=", ".join(map(str, task_ids)))
        return
    # Deferred: the run/collect stack (aiohttp, dnspython, warcio) loads only for commands that fetch.
    from mgov.act.recheck import recheck_tasks
    from mgov.runs.context import RoutingOptions

    routing = RoutingOptions.given(st.settings, connect_to, dns, ca_bundle, allow_private)
    out = recheck_tasks(st.engine(), st.settings, task_ids or None, routing=routing, actor=actor,
                        on_run=None if as_json else lambda kind, run: console.print(
                            t(st.lang, "task_recheck_run", kind=kind, run=run)))
    _done(as_json, out, st.lang, "task_rechecked", closed=_ids(out["closed"]),
          still=_ids(out["still_failing"]), unchecked=_ids(out["unchecked"]))


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids)) or "-"


def register(app: typer.Typer) -> None:
    """Add the commands to `mgov tasks`."""
    for name, command in (("assign", assign), ("comment", comment), ("evidence", evidence),
                          ("escalate", escalate), ("recheck", recheck)):
        app.command(name)(command)
