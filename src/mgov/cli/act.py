"""mgov tasks: rectification tasks (整改); mgov disputes: contested findings (申诉)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from mgov.act.disputes import STATUSES as DISPUTE_STATUSES
from mgov.act.disputes import channel_in_assessment, decide, file, list_disputes
from mgov.act.tasks import STATUSES as TASK_STATUSES
from mgov.act.tasks import close_task, finding_recheck, get_task, list_tasks, open_tasks, review_due
from mgov.act.workdays import load_calendar
from mgov.cli import choices
from mgov.cli.common import (
    JSON_OPTION,
    console,
    login_name,
    parse_date,
    print_json,
    print_record,
    print_table,
    state,
)
from mgov.cli.words import detail, labelled, names_for, with_titles
from mgov.profiles.names import Names, action_label, audit_detail, label, names

tasks_app = typer.Typer(help="Rectification tasks (整改) opened from assessments. "
                             "[dim]Example: mgov tasks open --assessment 3 && mgov tasks list --status open[/dim]",
                        no_args_is_help=True)
disputes_app = typer.Typer(help="Disputes (申诉) against assessment findings. "
                                "[dim]Example: mgov disputes list[/dim]", no_args_is_help=True)

TASK_COLUMNS = ["id", "address", "indicator_id", "indicator", "status", "opened_on", "due_on", "assignee",
                "escalated_to"]
TASK_RECORD = ["id", "assessment_id", "profile_id", "address", "indicator_id", "indicator", "status", "opened_on",
               "due_on", "assignee", "assignees", "escalated_to", "escalation_level", "recheck_requested_at",
               "closed_on", "note", "evidence"]
DISPUTE_COLUMNS = ["id", "assessment_id", "address", "indicator_id", "indicator", "status", "filed_by", "filed_at",
                   "reviewer", "decision_note"]


def _row(task: dict[str, Any], lang: str = "en", found: Names | None = None) -> dict[str, Any]:
    """A task as a table shows it: its indicator's name and status in lang, the assignees in one cell."""
    role = (lambda r: label("role", r, lang)) if lang == "zh" else str
    row = {**task, "assignees": ", ".join(f"{a['person']} ({role(a['role'])})" for a in task["assignees"]),
           "indicator": (found or names()).indicator(task["indicator_id"], lang, task.get("profile_id"))}
    return labelled(lang, [row], status="task")[0]


@tasks_app.command("list")
def tasks_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="open, closed or escalated."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel's address."),
    assessment: int | None = typer.Option(None, "--assessment", help="Only tasks of this assessment."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List rectification tasks, oldest first.

    [dim]Example: mgov tasks list --status escalated[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--status", status, TASK_STATUSES)
    with st.connect() as conn:
        channel = choices.channel_address(conn, st.lang, channel)
        rows = list_tasks(conn, status=status, channel=channel, assessment_id=assessment)
    if as_json:
        print_json(rows)
    else:
        found = names_for(st.settings)
        print_table(st.lang, [_row(r, st.lang, found) for r in rows], TASK_COLUMNS)


@tasks_app.command("show")
def tasks_show(ctx: typer.Context, task_id: int = typer.Argument(..., help="Task id."),
               as_json: bool = JSON_OPTION) -> None:
    """Show a task with its evidence and history.

    [dim]Example: mgov tasks show 12[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        task = get_task(conn, task_id)
    if as_json:
        print_json(task)
        return
    ev = task["evidence"] or {}
    shown = _row(task, st.lang, names_for(st.settings))
    refs = len(ev.get("refs", []))
    said = detail(st.lang, ev.get("detail"))
    evidence = f"{said}（{refs} 条存档记录）" if st.lang == "zh" else f"{said} ({refs} ref(s))"
    # One line for the indicator: its name, its id after it.
    shown["indicator"] = f"{shown['indicator']} ({task['indicator_id']})"
    print_record(st.lang, {**shown, "evidence": evidence}, [c for c in TASK_RECORD if c != "indicator_id"])
    found = names_for(st.settings)
    for h in task["history"]:
        rest = {k: v for k, v in h.items() if k not in ("at", "action", "by")}
        sep, colon = ("；", "：") if st.lang == "zh" else ("; ", ": ")
        extra = sep.join(f"{k}{colon}{v}" for k, v, _code in audit_detail(rest, st.lang, found))
        console.print(f"  {h['at']}  {action_label('task.' + h['action'], st.lang)}  {h['by']}  {extra}")


@tasks_app.command("close")
def tasks_close(ctx: typer.Context, task_id: int = typer.Argument(..., help="Task id."),
                note: str = typer.Option(..., "--note", help="What was fixed, and how it was confirmed."),
                by: str | None = typer.Option(None, "--by", help="Who closes it (default: the login name)."),
                as_json: bool = JSON_OPTION) -> None:
    """Close a task by hand.

    [dim]Example: mgov tasks close 12 --note "备案编号已更正，截图见附件"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        task = close_task(conn, task_id, note, by=by or login_name())
    if as_json:
        print_json(task)
    else:
        console.print(f"task {task_id}: closed on {task['closed_on']}")


CALENDAR_OPTION = typer.Option(None, "--calendar", help="A holiday calendar file or folder "
                                                      "(TOML, one year a file) replacing the shipped years.")


@tasks_app.command("open")
def tasks_open(ctx: typer.Context, assessment: int = typer.Option(..., "--assessment", help="Assessment id."),
               calendar: Path | None = CALENDAR_OPTION,
               on: str | None = typer.Option(None, "--on", help="The opening day (default: today)."),
               as_json: bool = JSON_OPTION) -> None:
    """Open a task for every failed indicator of an assessment, and one to restore monitoring
    (monitoring.incomplete) for every incomplete result (re-running opens nothing twice).

    Deadlines are the profile's, in working days with China's holidays and 调休 (veto items at
    once; restoring monitoring: the profile's incomplete_deadline, 5 working days); a year
    without a holiday schedule counts Monday to Friday and is flagged.

    [dim]Example: mgov tasks open --assessment 3[/dim]
    """
    st = state(ctx)
    cal = load_calendar(calendar)
    with st.begin() as conn:
        out = open_tasks(conn, assessment, cal, today=parse_date(on) or dt.date.today(),
                         profile_dirs=st.settings.profile_dirs, actor=login_name())
    if as_json:
        print_json(out)
        return
    console.print(f"assessment {assessment}: {len(out['opened'])} task(s) opened, {out['existing']} already open, "
                  f"{out['still_failing']} still failing from earlier, {len(out['skipped'])} overturned, "
                  f"{len(out['closed'])} closed")
    for w in out["calendar_warnings"]:
        console.print(f"[yellow]warning:[/] {w}")


@tasks_app.command("review")
def tasks_review(ctx: typer.Context,
                 on: str | None = typer.Option(None, "--on", help="Review as of this day (default: today)."),
                 as_json: bool = JSON_OPTION) -> None:
    """Recheck the tasks past due: fixed ones close, the others escalate to the supervising
    organization; tasks no check can confirm stay open (close them by hand).

    [dim]Example: mgov tasks review[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        out = review_due(conn, parse_date(on) or dt.date.today(),
                         finding_recheck(conn, st.settings.profile_dirs), actor="review")
    if as_json:
        print_json(out)
    else:
        console.print(" · ".join(f"{k.replace('_', ' ')} {len(v)}" for k, v in out.items()))


EVIDENCE_OPTION = typer.Option(None, "--evidence", help="A URL or file reference; repeatable.")


@disputes_app.command("file")
def disputes_file(
    ctx: typer.Context,
    assessment: int = typer.Option(..., "--assessment", help="Assessment id."),
    channel: str = typer.Option(..., "--channel", help="The channel's address."),
    indicator: str = typer.Option(..., "--indicator", help="The failed indicator's id."),
    reason: str = typer.Option(..., "--reason", help="Why the finding is wrong."),
    evidence: list[str] | None = EVIDENCE_OPTION,
    by: str | None = typer.Option(None, "--by", help="Who files it (default: the login name)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Contest a failed indicator of a channel in an assessment.

    [dim]Example: mgov disputes file --assessment 3 --channel https://www.sz.gov.cn --indicator v5_no_channel
    --reason "留言板在 /hdjl，检查时被防火墙拦截"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        d = file(conn, assessment, channel_in_assessment(conn, assessment, channel), indicator, reason,
                 evidence=[{"ref": e} for e in evidence or []], by=by or login_name())
    if as_json:
        print_json(d)
    else:
        console.print(f"dispute {d['id']} filed: "
                      f"mgov disputes decide {d['id']} --uphold|--overturn --note TEXT --by NAME")


@disputes_app.command("decide")
def disputes_decide(
    ctx: typer.Context,
    dispute_id: int = typer.Argument(..., help="Dispute id."),
    uphold: bool = typer.Option(False, "--uphold", help="The finding stands."),
    overturn: bool = typer.Option(False, "--overturn", help="The finding stops counting."),
    note: str = typer.Option(..., "--note", help="The reasons for the decision."),
    by: str = typer.Option(..., "--by", help="The reviewer."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Decide a dispute: uphold or overturn (which closes the finding's tasks).

    [dim]Example: mgov disputes decide 4 --overturn --note "复核确认留言板可用" --by 王审核[/dim]
    """
    if uphold == overturn:
        raise typer.BadParameter("give exactly one of --uphold and --overturn")
    st = state(ctx)
    with st.begin() as conn:
        d = decide(conn, dispute_id, overturn=overturn, note=note, by=by)
    if as_json:
        print_json(d)
    else:
        closed = f"; task(s) closed: {', '.join(map(str, d['tasks_closed']))}" if d["tasks_closed"] else ""
        console.print(f"dispute {dispute_id}: {d['status']}{closed}")


@disputes_app.command("list")
def disputes_list(
    ctx: typer.Context,
    assessment: int | None = typer.Option(None, "--assessment", help="Only this assessment's disputes."),
    status: str | None = typer.Option(None, "--status", help="filed, upheld or overturned."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List disputes, oldest first.

    [dim]Example: mgov disputes list --status filed[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--status", status, DISPUTE_STATUSES)
    with st.connect() as conn:
        rows = list_disputes(conn, assessment_id=assessment, status=status)
    if as_json:
        print_json(rows)
    else:
        rows = with_titles(st.lang, rows, names_for(st.settings), indicator="indicator_id", into="indicator")
        print_table(st.lang, labelled(st.lang, rows, status="dispute"), DISPUTE_COLUMNS)
