"""mgov channel: websites, apps, accounts... each with its owner, people and history."""

from __future__ import annotations

import typer

from mgov.cli import choices
from mgov.cli.common import (
    ALL_OPTION,
    JSON_OPTION,
    LIMIT_OPTION,
    TABLE_ROWS,
    console,
    parse_date,
    parse_pairs,
    print_json,
    print_record,
    print_table,
    state,
)
from mgov.cli.words import labelled
from mgov.i18n import t
from mgov.registry import service, vocab
from mgov.registry.addresses import normalize_address
from mgov.registry.records import Batch, ChannelRecord

app = typer.Typer(help="Channels. Kinds: website, mobile_site, app_android, app_ios, mini_program, wechat_account, "
                       "weibo_account, other_social (platform:account), sms. "
                       "[dim]Example: mgov channel list --kind website --owner cn-440300[/dim]",
                  no_args_is_help=True)
COLUMNS = ["kind", "address", "name", "owner", "status", "tags"]


def parse_attrs(values: list[str] | None, current: dict[str, str]) -> dict[str, str]:
    """--attr key=value on top of current; key= removes key."""
    out = dict(current)
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"--attr {item!r}: write key=value")
        if value.strip():
            out[key.strip()] = value.strip()
        else:
            out.pop(key.strip(), None)
    return out


KIND_OPTION = typer.Option(None, "--kind", "-k", help="Channel kind, where one address has several.")
ADD_TAGS = typer.Option(None, "--tag", help="A tag; repeatable.")
ADD_RESPONSIBLE = typer.Option(None, "--responsible", help="role=person; repeatable.")
ADD_ATTRS = typer.Option(None, "--attr", help="key=value registered fact, e.g. site_code=4403000002; repeatable.")


@app.command("add")
def add(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="Channel kind."),
    address: str = typer.Argument(..., help="URL, package id, account id (platform:account), or number."),
    name: str | None = typer.Option(None, "--name"),
    owner: str | None = typer.Option(None, "--owner", help="Owner organization code."),
    tags: list[str] | None = ADD_TAGS,
    responsible: list[str] | None = ADD_RESPONSIBLE,
    attrs: list[str] | None = ADD_ATTRS,
    opened: str | None = typer.Option(None, "--opened", help="Date it opened (开设), YYYY-MM-DD."),
    note: str | None = typer.Option(None, "--note", help="Note for the opening event, e.g. the filing number."),
) -> None:
    """Register a channel; files an 'opened' (开设) event.

    [dim]Example: mgov channel add website https://www.sz.gov.cn --owner cn-440300 --name 深圳政府在线
    --responsible content_manager=zhangwei@sz.gov.cn[/dim]
    """
    st = state(ctx)
    address = normalize_address(kind, address)
    rec = ChannelRecord(kind, address, service.CLI, name=name, owner=owner, tags=tags or [],
                        attributes=parse_attrs(attrs, {}), event_on=parse_date(opened), event_note=note)
    if responsible:
        rec.responsible = parse_pairs(responsible)
    with st.begin() as conn:
        service.must_be_new(conn, service.CHANNEL, kind=kind, address=address)
        service.write(conn, Batch(channels=[rec]))
    console.print(t(st.lang, "created", what=t(st.lang, "channel"), key=f"{kind} {address}"))


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", "-k"),
    owner: str | None = typer.Option(None, "--owner", help="Owner organization code."),
    status: str | None = typer.Option(None, "--status", help="active, suspended, merged or closed."),
    tag: str | None = typer.Option(None, "--tag"),
    search: str | None = typer.Option(None, "--search", "-s", help="Text in the address or name."),
    limit: int | None = LIMIT_OPTION,
    show_all: bool = ALL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List channels, by kind and address.

    [dim]Example: mgov channel list --kind wechat_account --status active --json[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--kind", kind, vocab.CHANNEL_KINDS)
    choices.choose(st.lang, "--status", status, vocab.CHANNEL_STATUSES)
    with st.connect() as conn:
        choices.org_code(conn, st.lang, owner)
        rows = service.list_channels(conn, kind=kind, owner=owner, status=status, tag=tag, search=search)
    total = len(rows)
    rows = [{c: r[c] for c in COLUMNS} for r in rows[:limit]]
    if as_json:
        print_json(rows)
    else:
        print_table(st.lang, labelled(st.lang, rows, kind="kind", status="status"), COLUMNS, total=total,
                    max_rows=None if show_all else TABLE_ROWS, hint=t(st.lang, "all_hint"))


@app.command("show")
def show(ctx: typer.Context, address: str = typer.Argument(...), kind: str = KIND_OPTION,
         as_json: bool = JSON_OPTION) -> None:
    """Show a channel, its responsible people and its filed history.

    [dim]Example: mgov channel show https://gsa.gov[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        detail = service.channel_detail(conn, service.channel_row(conn, address, kind))
    detail = {k: v for k, v in detail.items() if k not in ("id", "owner_id")}
    if as_json:
        print_json(detail)
        return
    shown = labelled(st.lang, [detail], kind="kind", status="status")[0]
    roles = labelled(st.lang, [{"role": r} for r in detail.get("responsible") or {}], role="role")
    shown["responsible"] = {r["role"]: people for r, people in zip(roles, (detail.get("responsible") or {}).values(),
                                                                    strict=True)}
    print_record(st.lang, shown, [*COLUMNS, "responsible", "attributes"])
    print_table(st.lang, labelled(st.lang, detail["history"], event="event"), ["event", "date", "note"],
                title="历史" if st.lang == "zh" else "history")


EDIT_TAGS = typer.Option(None, "--tag", help="Replace the tags; repeatable.")
EDIT_ADD_TAGS = typer.Option(None, "--add-tag", help="Add a tag; repeatable.")
EDIT_RESPONSIBLE = typer.Option(None, "--responsible",
                                help="role=person, replacing the people of that role; repeatable.")
EDIT_ATTRS = typer.Option(None, "--attr", help="key=value to set (key= to remove); repeatable.")


@app.command("edit")
def edit(
    ctx: typer.Context,
    address: str = typer.Argument(...),
    kind: str = KIND_OPTION,
    name: str | None = typer.Option(None, "--name"),
    owner: str | None = typer.Option(None, "--owner", help="New owner code; '-' for none."),
    tags: list[str] | None = EDIT_TAGS,
    add_tags: list[str] | None = EDIT_ADD_TAGS,
    responsible: list[str] | None = EDIT_RESPONSIBLE,
    attrs: list[str] | None = EDIT_ATTRS,
    status: str | None = typer.Option(None, "--status", help="active, suspended, merged or closed (files an event)."),
    on: str | None = typer.Option(None, "--on", help="Date of the status change (default: today)."),
    note: str | None = typer.Option(None, "--note", help="Note for the status change."),
) -> None:
    """Change the given fields of a channel; changes file a 变更 event.

    [dim]Example: mgov channel edit https://www.sz.gov.cn --responsible security_officer=liqiang@sz.gov.cn[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        row = service.channel_row(conn, address, kind)
        rec = ChannelRecord(row["kind"], row["address"], service.CLI, event_on=parse_date(on), event_note=note,
                            tags_add=tuple(add_tags or ()))
        for field, value in (("name", name), ("status", status)):
            if value is not None:
                setattr(rec, field, value)
        if tags:
            rec.tags = tags
        if owner is not None:
            rec.owner = None if owner == "-" else owner
        if responsible:
            rec.responsible = parse_pairs(responsible)
            rec.responsible_roles = frozenset(rec.responsible)
        if attrs:
            rec.attributes = parse_attrs(attrs, row["attributes"] or {})
        report = service.write(conn, Batch(channels=[rec]))
    key = f"{row['kind']} {row['address']}"
    console.print(t(st.lang, "updated" if report.changes else "unchanged", what=t(st.lang, "channel"), key=key))


@app.command("close")
def close(
    ctx: typer.Context,
    address: str = typer.Argument(...),
    kind: str = KIND_OPTION,
    status: str = typer.Option("closed", "--status", help="closed (注销), suspended (关停) or merged (整合)."),
    on: str | None = typer.Option(None, "--on", help="Date (default: today)."),
    note: str | None = typer.Option(None, "--note", help="Why, or the filing number; for merged, where it went."),
) -> None:
    """Close, suspend or merge a channel; files the event in its history.

    [dim]Example: mgov channel close https://old.sz.gov.cn --status merged --note "merged into https://www.sz.gov.cn"[/dim]
    """
    st = state(ctx)
    if status not in ("closed", "suspended", "merged"):
        raise typer.BadParameter("--status must be closed, suspended or merged")
    with st.begin() as conn:
        row = service.channel_row(conn, address, kind)
        service.write(conn, Batch(channels=[ChannelRecord(row["kind"], row["address"], service.CLI, status=status,
                                                          event_on=parse_date(on), event_note=note)]))
    console.print(t(st.lang, "closed", what=t(st.lang, "channel"), key=f"{row['kind']} {row['address']}"))
