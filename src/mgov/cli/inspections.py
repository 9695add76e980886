"""mgov inspection create|list|show|fill|confirm|assign|submit|file: reviewer inspections (人工检查)
of what mgov cannot read itself (mini programs, SMS services, in-app flows, the profiles'
manual indicators), through the same services as the dashboard and the API.

Who acts is a user of mgov's (the root's --as USER, or MGOV_USER) whose role may carry out
inspections: a verdict, a confirmation or a submission is that person's, and the second
reviewer of a veto must be someone else. Reading (list, show, file) is the operator's, as the
other lists of the command line are, or, with --as, that user's within their scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mgov import actors
from mgov.accounts import Scope
from mgov.accounts.users import User
from mgov.act import inspection_evidence, inspection_work
from mgov.act import inspections as ins
from mgov.assess.period import parse_period
from mgov.cli.common import JSON_OPTION, console, print_json, print_table, state
from mgov.cli.words import labelled, names_for, with_titles
from mgov.errors import InvalidValue, MgovError
from mgov.profiles import load
from mgov.registry.service import channel_row

app = typer.Typer(help="Reviewer inspections (人工检查): a checklist from the profile for a channel and period, "
                       "filled by a reviewer, feeding the assessment. [dim]Example: mgov --as wang.shen inspection "
                       "create --channel wechat:wx1234567890abcdef --profile cn-2019-newmedia --period 2026Q3[/dim]",
                  no_args_is_help=True)

MESSAGES: dict[str, tuple[str, str]] = {
    "created": ("Created inspection {id} of {address} ({profile}, {period}): {items} items, assigned to {reviewer}",
                "已创建人工检查 {id}：{address}（{profile}，{period}），检查项 {items} 个，由 {reviewer} 填写"),
    "filled": ("Inspection {id}: {name} ({indicator}) {verdict}", "人工检查 {id}：{name}（{indicator}）{verdict}"),
    "attached": ("Attached {file} ({size} bytes, SHA-256 {sha256})", "已附加 {file}（{size} 字节，SHA-256 {sha256}）"),
    "awaits": ("A veto not met ({name}) counts once a second reviewer confirms it: mgov --as OTHER inspection "
               "confirm {id} --item {indicator}",
               "否决项（{name}）不符合，须经另一名审核人员复核确认后才计入考核：mgov --as 其他人员 inspection "
               "confirm {id} --item {indicator}"),
    "confirmed": ("Inspection {id}: {name} ({indicator}) confirmed", "人工检查 {id}：{name}（{indicator}）已复核确认"),
    "rejected": ("Inspection {id}: {name} ({indicator}) rejected", "人工检查 {id}：{name}（{indicator}）复核驳回"),
    "counted": ("It counts now (input {input}).", "现已计入考核（录入 {input}）。"),
    "assigned": ("Inspection {id} is assigned to {reviewer}", "人工检查 {id} 已改由 {reviewer} 填写"),
    "submitted": ("Submitted inspection {id}: {counted} items count in the assessment of {profile} {period}; "
                  "{pending} vetoes wait for their second reviewer",
                  "已提交人工检查 {id}：{counted} 个检查项计入 {profile} {period} 的考核；{pending} 个否决项待复核"),
    "next": ("Run `mgov assess --profile {profile} --period {period}` to apply them.",
             "运行 `mgov assess --profile {profile} --period {period}` 使其生效。"),
    "saved": ("Saved {file}", "已保存 {file}"),
    "summary": ("Inspection {id} of {address} ({kind}), {profile} {period}: {status}, reviewer {reviewer}; "
                "{answered} of {items} items answered, {pending} awaiting confirmation, {counted} counted",
                "人工检查 {id}：{address}（{kind}），{profile} {period}：{status}，审核人 {reviewer}；"
                "已填写 {answered}/{items} 项，待复核 {pending} 项，已计入考核 {counted} 项"),
}
LIST_COLUMNS = ["id", "address", "kind", "profile_id", "period", "status", "reviewer", "answered", "items"]
ITEM_COLUMNS = ["indicator_id", "title", "rule", "verdict", "instances", "note", "files", "confirmation", "counted"]


def _t(lang: str, key: str, **kw: Any) -> str:
    en, zh = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kw)


def _me(conn: Any) -> User:
    """The user who acts (--as): inspections are a reviewer's work, never an anonymous one's."""
    name = actors.current().name
    if name.startswith("os:"):
        raise MgovError("inspections are a reviewer's work: say who you are with --as USER "
                        "(a user with the reviewer role or above)")
    return ins.reviewer_named(conn, name)


def _scope(conn: Any) -> Scope:
    """Whose view a read takes: the --as user's scope (any role that reads), else the whole
    registry (the operator's, as every list of the command line)."""
    name = actors.current().name
    if name.startswith("os:"):
        return Scope(None)
    user = ins.user_named(conn, name)
    if not user.can("read"):
        raise MgovError(f"your role ({user.role}) does not allow read")
    return user.scope


def _period(text: str) -> tuple[Any, Any]:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise MgovError(str(exc)) from None


def _period_text(row: dict[str, Any]) -> str:
    return f"{row['period_start']}..{row['period_end']}"


ID = typer.Argument(..., min=1, help="The inspection's id (see `mgov inspection list`).")
ITEM = typer.Option(..., "--item", help="The item's indicator id (see `mgov inspection show ID`).")
NOTE = typer.Option(None, "--note", help="What was found, in a few words.")
FILES = typer.Option(None, "--file", exists=True, dir_okay=False,
                     help=f"Evidence: a screenshot, a PDF or a text (at most {inspection_evidence.MAX_FILE // 2**20} "
                          "MiB); repeatable.")
OUT = typer.Option(..., "--out", dir_okay=False, help="Where to save it.")


@app.command("create")
def create(
    ctx: typer.Context,
    channel: str = typer.Option(..., "--channel", help="The channel's address (a mini program: wechat:wx…)."),
    kind: str | None = typer.Option(None, "--kind", help="The channel's kind, where one address has several."),
    profile: str = typer.Option(..., "--profile", help="Profile id (see `mgov profiles list`)."),
    period: str = typer.Option(..., "--period", help="The assessment's period: 2026Q4, 2026-11, 2026 or "
                                                     "2026-10-01..2026-12-31."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who fills it (a user; default: you)."),
    every: bool = typer.Option(False, "--all", help="Every indicator that applies, not only the manual ones "
                                                    "(a reviewer's verdict outranks a check's findings)."),
    note: str | None = NOTE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an inspection of a channel for a period: its checklist is the profile's indicators
    for the channel's kind and tier whose source is manual (or every one, --all).

    [dim]Example: mgov --as wang.shen inspection create --channel wechat:wx1234567890abcdef
    --profile cn-2019-newmedia --period 2026Q3 --reviewer li.shen[/dim]
    """
    st = state(ctx)
    start, end = _period(period)
    prof = load(profile, dirs=st.settings.profile_dirs)
    with st.begin() as conn:
        found = ins.create(conn, _me(conn), prof, int(channel_row(conn, channel, kind)["id"]), start, end,
                           reviewer=reviewer, every=every, note=note)
    if as_json:
        print_json(found)
        return
    console.print(_t(st.lang, "created", id=found["id"], address=found["address"], profile=profile, period=period,
                     items=len(found["items"]), reviewer=found["assignee"]))


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="draft or submitted."),
    mine: bool = typer.Option(False, "--mine", help="Only those assigned to you (--as)."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel's (its address)."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many, newest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List inspections, newest first.

    [dim]Example: mgov --as li.shen inspection list --mine --status draft[/dim]
    """
    st = state(ctx)
    if status is not None and status not in ins.STATUSES:
        raise typer.BadParameter(f"{status!r}: one of {', '.join(ins.STATUSES)}", param_hint="--status")
    with st.connect() as conn:
        channel_id = int(channel_row(conn, channel)["id"]) if channel else None
        rows, _ = ins.list_inspections(conn, _scope(conn), status=status, assignee=_me(conn).username if mine else None,
                                       channel_id=channel_id, limit=limit)
    if as_json:
        print_json(rows)
        return
    shown = [{**r, "period": _period_text(r), "reviewer": r["assignee"], "items": r["item_count"]} for r in rows]
    print_table(st.lang, labelled(st.lang, shown, status="inspection", kind="kind"), LIST_COLUMNS, id_columns=["id"])


@app.command("show")
def show(ctx: typer.Context, inspection_id: int = ID, as_json: bool = JSON_OPTION) -> None:
    """Show an inspection: its checklist with each item's verdict, note, files and confirmation.

    [dim]Example: mgov --as li.shen inspection show 3[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        found = ins.detail(conn, _scope(conn), inspection_id)
    if as_json:
        print_json(found)
        return
    rows = [{**i, "files": len(i["files"]), "counted": i["counted"]} for i in found["items"]]
    rows = with_titles(st.lang, rows, names_for(st.settings), indicator="indicator_id")
    print_table(st.lang, labelled(st.lang, rows, rule="rule", verdict="inspection_verdict",
                                  confirmation="confirmation"), ITEM_COLUMNS)
    shown = labelled(st.lang, [found], status="inspection", kind="kind")[0]
    console.print(_t(st.lang, "summary", id=found["id"], address=found["address"], kind=shown["kind"],
                     profile=found["profile_id"], period=_period_text(found), status=shown["status"],
                     reviewer=found["assignee"], answered=found["answered"], items=len(found["items"]),
                     pending=found["pending"], counted=found["counted"]))


@app.command("fill")
def fill(
    ctx: typer.Context,
    inspection_id: int = ID,
    item: str = ITEM,
    verdict: str = typer.Option(..., "--verdict", help="met, not_met or not_applicable."),
    note: str = typer.Option(..., "--note", help="What was found (required)."),
    instances: int | None = typer.Option(None, "--instances", min=0, help="How many instances were found not met "
                                                                         "(default 1; a deduction's points multiply)."),
    files: list[Path] | None = FILES,
    as_json: bool = JSON_OPTION,
) -> None:
    """Give an item of your inspection its verdict, a note and evidence files.

    [dim]Example: mgov --as li.shen inspection fill 3 --item mv3_no_interaction --verdict not_met
    --note "留言入口点击无响应" --file 留言入口.png[/dim]
    """
    if verdict not in ins.VERDICTS:
        raise typer.BadParameter(f"{verdict!r}: one of {', '.join(ins.VERDICTS)}", param_hint="--verdict")
    st = state(ctx)
    archive = st.settings.resolved_archive_dir
    with st.begin() as conn:
        me = _me(conn)
        row = inspection_work.fill(conn, me, inspection_id, item, verdict, note, instances=instances)
        attached = []
        for path in files or []:
            if path.stat().st_size > inspection_evidence.MAX_FILE:
                raise InvalidValue(f"{path} has {path.stat().st_size} bytes: at most {inspection_evidence.MAX_FILE}")
            attached.append(inspection_evidence.attach(conn, archive, me, inspection_id, row["id"], path.name,
                                                       path.read_bytes()))
        row = ins.item_of(conn, inspection_id, row["id"])
        profile_id = ins.inspection(conn, me.scope, inspection_id)["profile_id"]
    if as_json:
        print_json({**row, "files": attached})
        return
    shown = labelled(st.lang, [row], verdict="inspection_verdict")[0]
    name = names_for(st.settings).indicator(row["indicator_id"], st.lang, profile_id)
    console.print(_t(st.lang, "filled", id=inspection_id, name=name, indicator=row["indicator_id"],
                     verdict=shown["verdict"]))
    for f in attached:
        console.print(_t(st.lang, "attached", file=f["filename"], size=f["size"], sha256=f["sha256"]))
    if ins.needs_confirmation(row):
        console.print(_t(st.lang, "awaits", id=inspection_id, name=name, indicator=row["indicator_id"]))


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    inspection_id: int = ID,
    item: str = ITEM,
    reject: bool = typer.Option(False, "--reject", help="Reject it instead (say why with --note)."),
    note: str | None = NOTE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Confirm (or reject) a veto another reviewer found not met: only then does it count.

    [dim]Example: mgov --as zhao.fu inspection confirm 3 --item mv3_no_interaction --note "复核属实"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        me = _me(conn)
        row = inspection_work.confirm(conn, me, inspection_id, item, agree=not reject, note=note)
        profile_id = ins.inspection(conn, me.scope, inspection_id)["profile_id"]
    if as_json:
        print_json(row)
        return
    console.print(_t(st.lang, "rejected" if reject else "confirmed", id=inspection_id, indicator=row["indicator_id"],
                     name=names_for(st.settings).indicator(row["indicator_id"], st.lang, profile_id)))
    if row["input_id"] is not None:
        console.print(_t(st.lang, "counted", input=row["input_id"]))


@app.command("assign")
def assign(ctx: typer.Context, inspection_id: int = ID,
           reviewer: str = typer.Option(..., "--to", help="The reviewer who fills it (a user)."),
           note: str | None = NOTE, as_json: bool = JSON_OPTION) -> None:
    """Give a draft inspection to another reviewer.

    [dim]Example: mgov --as wang.shen inspection assign 3 --to zhao.fu[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        found = ins.assign(conn, _me(conn), inspection_id, reviewer, note)
    if as_json:
        print_json(found)
        return
    console.print(_t(st.lang, "assigned", id=inspection_id, reviewer=found["assignee"]))


@app.command("submit")
def submit(ctx: typer.Context, inspection_id: int = ID, note: str | None = NOTE,
           as_json: bool = JSON_OPTION) -> None:
    """Submit your inspection once every item has a verdict: the items count in the assessment
    of its profile and period as reviewers' decisions (vetoes not met: once confirmed).

    [dim]Example: mgov --as li.shen inspection submit 3[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        found = inspection_work.submit(conn, _me(conn), inspection_id, note)
    if as_json:
        print_json(found)
        return
    period = _period_text(found)
    console.print(_t(st.lang, "submitted", id=inspection_id, counted=found["counted"], pending=found["pending"],
                     profile=found["profile_id"], period=period))
    console.print(_t(st.lang, "next", profile=found["profile_id"], period=period))


@app.command("file")
def file(ctx: typer.Context, inspection_id: int = ID,
         file_id: int = typer.Argument(..., min=1, help="The file's id (see `mgov inspection show ID --json`)."),
         out: Path = OUT) -> None:
    """Save an evidence file of an inspection.

    [dim]Example: mgov --as li.shen inspection file 3 7 --out 留言入口.png[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        _row, data = inspection_evidence.evidence_file(conn, _scope(conn), st.settings.resolved_archive_dir,
                                                       inspection_id, file_id)
    out.write_bytes(data)
    console.print(_t(st.lang, "saved", file=out))
