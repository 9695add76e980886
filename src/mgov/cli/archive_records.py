"""mgov archive schedules|policy|hold|disposition|transfer: keeping the records archive by
schedule (docs/archive.md, "Retention", "Capture policy", "Transfer").

Reading is the operator's. Holds are placed and released by the operator, or with --as by a
user whose role allows records.hold; a disposition is reported by anyone and approved only
by a user (--as) whose role allows records.dispose: the approval carries it out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from mgov import actors
from mgov.cli.common import JSON_OPTION, console, print_json, state
from mgov.errors import Forbidden, MgovError

MESSAGES: dict[str, tuple[str, str]] = {
    "hold_placed": ("Placed legal hold {id}: nothing it covers will be destroyed until it is released",
                    "已设置法律保全 {id}：解除前，其范围内的记录不会被销毁"),
    "hold_released": ("Released legal hold {id}", "已解除法律保全 {id}"),
    "nothing_due": ("Nothing is due for disposition on {day}", "截至 {day} 没有到期应处置的记录"),
    "reported": ("Disposition {id} reported: a records officer approves it with `mgov --as USER archive "
                 "disposition approve {id}`", "处置报告 {id} 已生成：须由档案负责人执行 `mgov --as 用户 archive "
                 "disposition approve {id}` 批准"),
    "item_line": ("{item} ({authority}): {captures} captures, {records} records, {mb} MB in {files} files of "
                  "{channels} channels; {held} records held, {waiting} waiting",
                  "{item}（{authority}）：{captures} 次采集，{records} 条记录，{mb} MB，{files} 个文件，"
                  "{channels} 个渠道；保全中 {held} 条，待定 {waiting} 条"),
    "unscheduled": ("{n} channels have no schedule item (nothing of them is ever due); {p} are kept permanently",
                    "{n} 个渠道未指定保管期限（其记录不会到期）；{p} 个渠道永久保存"),
    "approved": ("Disposition {id} approved by {user}", "处置报告 {id} 已由 {user} 批准"),
    "disposed": ("Disposition {id}: {destroyed} records ({mb} MB) destroyed in {files} files, tombstones left; "
                 "{held} held back",
                 "处置 {id}：已销毁 {files} 个文件中的 {destroyed} 条记录（{mb} MB），留有销毁记录；"
                 "{held} 条因保全等原因保留"),
    "already_done": ("Disposition {id} was carried out already", "处置 {id} 已执行完毕"),
    "cancelled": ("Disposition {id} cancelled", "处置报告 {id} 已撤销"),
    "transferred": ("{what}: {path}", "{what}：{path}"),
    "need_user": ("approving a disposition is a records officer's act: say who you are with --as USER "
                  "(a user whose role allows records.dispose)",
                  "批准处置须由档案负责人执行：请用 --as 用户 指明身份（该用户的角色须有 records.dispose 权限）"),
}


def _t(lang: str, key: str, **kw: Any) -> str:
    en, zh = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kw)


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: a day as YYYY-MM-DD", param_hint=option) from None


def _contexts(st: Any, channel: str | None) -> list[Any]:
    """The channels' retention contexts (archive.retention_assign), or the one asked for."""
    # The archive's modules load only for this command group.
    from mgov.archive.retention_assign import channel_contexts

    with st.connect() as conn:
        contexts = channel_contexts(conn)
    if channel is not None:
        contexts = [c for c in contexts if c.address == channel]
        if not contexts:
            raise MgovError(f"no channel {channel!r}")
    return contexts


def _schedule_dirs(st: Any) -> list[Path]:
    folder = st.settings.home / "schedules"
    return [folder] if folder.is_dir() else []


def _user(conn: Any, permission: str, *, required: bool) -> Any:
    """The --as user, who must hold the permission; None for the operator when allowed."""
    # The accounts' queries load only for the commands that act for a user.
    from mgov.accounts.users import user_from_row, user_query
    from mgov.db.tables import USERS

    name = actors.current().name
    if name.startswith("os:"):
        if required:
            raise MgovError(_t("en", "need_user"))
        return None
    row = conn.execute(user_query().where(USERS.c.username == name, USERS.c.active.is_(True))).first()
    if row is None:
        raise MgovError(f"no active user {name!r}")
    user = user_from_row(row)
    if not user.can(permission):
        raise Forbidden(f"your role ({user.role}) does not allow {permission}")
    return user


CHANNEL = typer.Option(None, "--channel", help="A channel (its address).")
ORG = typer.Option(None, "--org", help="An organization (its code) and its subtree.")
FROM = typer.Option(None, "--from", help="From this capture day (YYYY-MM-DD).")
TO = typer.Option(None, "--to", help="To this capture day, inclusive (YYYY-MM-DD).")
REASON = typer.Option(..., "--reason", help="Why (kept in the hold and the audit log).")
ON = typer.Option(None, "--on", help="Also say what is due on this day (YYYY-MM-DD).")
EVERY = typer.Option(False, "--all", help="Released holds too.")
ID = typer.Argument(..., min=1, help="Its id.")
AS_OF = typer.Option(None, "--as-of", help="The day (YYYY-MM-DD; default today).")
OUT = typer.Option(..., "--out", file_okay=False, help="Folder to write to.")
FORMAT = typer.Option("both", "--format", help="both, bagit or wacz.")
TITLE = typer.Option(None, "--title", help="The transfer's title.")
RIGHTS = typer.Option(None, "--rights", help="The rights statement for the receiver.")


def register(archive: typer.Typer) -> None:
    """Add these commands to the `mgov archive` group."""
    holds = typer.Typer(help="Legal holds: what they cover is never destroyed while they stand.\n\n"
                             "[dim]Example: mgov archive hold add --org cn-440300 --reason litigation[/dim]",
                        no_args_is_help=True)
    dispositions = typer.Typer(help="Dispositions: what is due by schedule, reported, then approved by a records "
                                    "officer and destroyed with tombstones.\n\n[dim]Example: mgov archive disposition "
                                    "report[/dim]", no_args_is_help=True)
    archive.add_typer(holds, name="hold")
    archive.add_typer(dispositions, name="disposition")
    archive.command("schedules")(schedules)
    archive.command("policy")(policy)
    archive.command("transfer")(transfer)
    holds.command("add")(hold_add)
    holds.command("list")(hold_list)
    holds.command("release")(hold_release)
    dispositions.command("report")(disposition_report)
    dispositions.command("list")(disposition_list)
    dispositions.command("show")(disposition_show)
    dispositions.command("approve")(disposition_approve)
    dispositions.command("cancel")(disposition_cancel)


def schedules(ctx: typer.Context, channel: str | None = CHANNEL, as_json: bool = JSON_OPTION) -> None:
    """The retention schedules (shipped, and the office's in <home>/schedules), checked, and
    which item each channel's captures are kept under.

    [dim]Example: mgov archive schedules --channel https://www.example.gov.cn[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive.retention_assign import assign
    from mgov.archive.retention_load import load

    st = state(ctx)
    loaded = load(_schedule_dirs(st))
    contexts = _contexts(st, channel)
    rows = []
    for ch in contexts:
        assigned = assign(loaded, ch)
        rows.append({"channel": ch.address, "kind": ch.kind, "item": assigned.item.key if assigned else None,
                     "retain": (str(assigned.item.retain) if assigned.item.retain else "permanent") if assigned
                     else None, "how": assigned.how if assigned else None})
    items = [{"item": i.key, "title": i.title(st.lang), "disposition": i.disposition,
              "retain": str(i.retain) if i.retain else "permanent", "cutoff": i.cutoff, "authority": i.authority,
              "uncertain": i.uncertain} for i in loaded.items.values()]
    if as_json:
        print_json({"items": items, "channels": rows})
        return
    for i in items:
        console.print(f"{i['item']}  {i['retain']} ({i['cutoff']})  {i['title']}  [{i['authority']}]", markup=False)
    for r in rows if channel is not None or len(rows) <= 50 else []:
        console.print(f"{r['channel']} ({r['kind']}): {r['item'] or '-'} {r['retain'] or ''}  {r['how'] or ''}",
                      markup=False)


def policy(ctx: typer.Context, channel: str | None = CHANNEL,
           on: str | None = ON,
           as_json: bool = JSON_OPTION) -> None:
    """Each channel's capture policy (homepage, full crawl, attachments, posts), from mgov's
    defaults, the profiles' capture tables and the channel's attribute `capture`.

    [dim]Example: mgov archive policy --channel https://www.example.gov.cn --on 2026-12-07[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive.policy import due, policy_for, profile_tables

    st = state(ctx)
    day = _day(on, "--on")
    tables = profile_tables(st.settings.profile_dirs)
    contexts = _contexts(st, channel)
    out = []
    for ch in contexts:
        found, problems = policy_for(ch.kind, ch.jurisdiction, ch.attributes, tables)
        row = {"channel": ch.address, "kind": ch.kind, **found.as_dict(), "problems": problems}
        if day is not None:
            row["due"] = list(due(found, day, ch.id))
        out.append(row)
    if as_json:
        print_json(out)
        return
    for row in out:
        due_text = f"  due {on}: {', '.join(row['due']) or '-'}" if day is not None else ""
        console.print(f"{row['channel']} ({row['kind']}): homepage {row['homepage']}, crawl {row['crawl']}"
                      f"{' with attachments' if row['attachments'] else ''}, posts {row['posts']}{due_text}",
                      markup=False)
        for problem in row["problems"]:
            console.print(f"  ! {problem}", markup=False)


def hold_add(ctx: typer.Context, reason: str = REASON, channel: str | None = CHANNEL, org: str | None = ORG,
             since: str | None = FROM, until: str | None = TO) -> None:
    """Place a legal hold on a channel, an organization (and its subtree) or everything,
    optionally within capture days.

    [dim]Example: mgov archive hold add --org cn-440300 --from 2026-01-01 --reason "litigation 2026-17"[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import retention_holds

    st = state(ctx)
    with st.engine().begin() as conn:
        _user(conn, "records.hold", required=False)
        hold_id = retention_holds.place(conn, reason, channel=channel, organization=org, since=_day(since, "--from"),
                                        until=_day(until, "--to"))
    console.print(_t(st.lang, "hold_placed", id=hold_id))


def hold_list(ctx: typer.Context, every: bool = EVERY,
              as_json: bool = JSON_OPTION) -> None:
    """The legal holds in force (--all: released ones too).

    [dim]Example: mgov archive hold list[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import retention_holds

    st = state(ctx)
    with st.connect() as conn:
        rows = retention_holds.listing(conn, every=every)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        what = r["channel"] or (f"organization {r['organization']}" if r["organization"] else "everything")
        span = f" {r['since'] or '…'}..{r['until'] or '…'}" if r["since"] or r["until"] else ""
        released = f" (released {r['released_at']:%Y-%m-%d} by {r['released_by']})" if r["released_at"] else ""
        console.print(f"{r['id']}: {what}{span}: {r['reason']} [{r['placed_by']}]{released}", markup=False)


def hold_release(ctx: typer.Context, hold_id: int = ID, reason: str = REASON) -> None:
    """Release a legal hold (what it covered is due again by its schedule).

    [dim]Example: mgov archive hold release 3 --reason closed[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import retention_holds

    st = state(ctx)
    with st.engine().begin() as conn:
        _user(conn, "records.hold", required=False)
        retention_holds.release(conn, hold_id, reason)
    console.print(_t(st.lang, "hold_released", id=hold_id))


def _print_summary(lang: str, summary: dict[str, Any]) -> None:
    for c in summary["items"]:
        console.print(_t(lang, "item_line", item=c["item"], authority=c["authority"], captures=c["captures"],
                         records=c["records"], mb=f"{c['bytes'] / 1e6:.1f}", files=c["files"], channels=c["channels"],
                         held=c["held"], waiting=c["waiting"]), markup=False)


def disposition_report(ctx: typer.Context, org: str | None = ORG,
                       as_of: str | None = AS_OF,
                       as_json: bool = JSON_OPTION) -> None:
    """Report what is due for disposition by schedule item (captures, records, bytes), and
    store it for a records officer to approve.

    [dim]Example: mgov archive disposition report --org cn-440300[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov import clock
    from mgov.archive import disposition, service
    from mgov.archive.retention_load import load

    st = state(ctx)
    loaded = load(_schedule_dirs(st))
    day = _day(as_of, "--as-of") or clock.now().date()
    service.fold(st.engine(), st.settings.resolved_archive_dir)
    with st.engine().begin() as conn:
        found = disposition.report(conn, loaded, day, organization=org)
    if as_json:
        print_json({"disposition": found.disposition_id, **found.summary()})
        return
    _print_summary(st.lang, found.summary())
    console.print(_t(st.lang, "unscheduled", n=found.unscheduled_channels, p=found.permanent_channels))
    if found.disposition_id is None:
        console.print(_t(st.lang, "nothing_due", day=day))
    else:
        console.print(_t(st.lang, "reported", id=found.disposition_id))


def disposition_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every disposition, newest first.

    [dim]Example: mgov archive disposition list[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import disposition

    st = state(ctx)
    with st.connect() as conn:
        rows = disposition.listing(conn)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        total = sum(c["records"] for c in r["summary"].get("items", []))
        console.print(f"{r['id']}: {r['status']} as of {r['as_of']:%Y-%m-%d} ({r['organization'] or 'all'}): "
                      f"{total} records; reported by {r['reported_by']}"
                      + (f", approved by {r['approved_by']}" if r["approved_by"] else ""), markup=False)


def disposition_show(ctx: typer.Context, disposition_id: int = ID,
                     as_json: bool = JSON_OPTION) -> None:
    """One disposition: its summary by schedule item and the state of its records.

    [dim]Example: mgov archive disposition show 2[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import disposition

    st = state(ctx)
    with st.connect() as conn:
        found = disposition.disposition(conn, disposition_id)
    if as_json:
        print_json(found)
        return
    console.print(f"{found['id']}: {found['status']}; records {found['states']}", markup=False)
    _print_summary(st.lang, found["summary"])


def disposition_approve(ctx: typer.Context, disposition_id: int = ID,
                        as_json: bool = JSON_OPTION) -> None:
    """Approve a reported disposition as a records officer (--as USER, role with
    records.dispose) and carry it out: exactly its records are destroyed, each leaving a
    tombstone; run again, it takes up an interrupted one.

    [dim]Example: mgov --as chen.jing archive disposition approve 3[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import disposition, disposition_run

    st = state(ctx)
    engine = st.engine()
    with engine.begin() as conn:
        user = _user(conn, disposition.PERMISSION, required=True)
        status = disposition.disposition(conn, disposition_id)["status"]
        if status == "reported":
            disposition.approve(conn, disposition_id, user)
    if status == "reported" and not as_json:
        console.print(_t(st.lang, "approved", id=disposition_id, user=user.username))
    done = disposition_run.execute(engine, st.settings.resolved_archive_dir, disposition_id)
    if as_json:
        print_json(done)
    elif done.get("already"):
        console.print(_t(st.lang, "already_done", id=disposition_id))
    else:
        console.print(_t(st.lang, "disposed", id=disposition_id, destroyed=done["destroyed"],
                         mb=f"{done['bytes'] / 1e6:.1f}", files=len(done["files"]), held=done["held"]))


def disposition_cancel(ctx: typer.Context, disposition_id: int = ID,
                       reason: str = REASON) -> None:
    """Cancel a reported disposition (nothing of it is destroyed).

    [dim]Example: mgov archive disposition cancel 2[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import disposition

    st = state(ctx)
    with st.engine().begin() as conn:
        disposition.cancel(conn, disposition_id, reason)
    console.print(_t(st.lang, "cancelled", id=disposition_id))


def transfer(ctx: typer.Context, out: Path = OUT,
             channel: str | None = CHANNEL, org: str | None = ORG, since: str | None = FROM, until: str | None = TO,
             form: str = FORMAT, title: str | None = TITLE, rights: str | None = RIGHTS,
             as_json: bool = JSON_OPTION) -> None:
    """Package a selection (channel, organization, period) for a receiving archive: a BagIt
    bag and a WACZ with descriptive metadata, each validated by its own tool.

    [dim]Example: mgov archive transfer --org cn-440300 --from 2026-01-01 --to 2026-06-30 --out transfers/[/dim]
    """
    # The archive's modules (bagit, py-wacz) load only for this command.
    from mgov.archive import service, transfer_run
    from mgov.archive.retention_load import load
    from mgov.archive.transfer import Selection

    st = state(ctx)
    if form not in ("both", "bagit", "wacz"):
        raise typer.BadParameter(f"{form!r}: both, bagit or wacz", param_hint="--format")
    sel = Selection(channel, org, _day(since, "--from"), _day(until, "--to"))
    service.fold(st.engine(), st.settings.resolved_archive_dir)
    made = transfer_run.make(st.engine(), st.settings.resolved_archive_dir, load(_schedule_dirs(st)), sel, out,
                             form=form, title=title, rights=rights)
    if as_json:
        print_json(made)
        return
    for what in ("bag", "wacz"):
        if made.get(what):
            console.print(_t(st.lang, "transferred", what=what, path=made[what]), markup=False)
