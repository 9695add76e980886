"""mgov person: the named people behind each role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import typer

from mgov.cli import choices
from mgov.cli.common import (
    ALL_OPTION,
    JSON_OPTION,
    LIMIT_OPTION,
    TABLE_ROWS,
    UNMASK_OPTION,
    console,
    parse_date,
    print_json,
    print_record,
    print_table,
    state,
)
from mgov.i18n import t
from mgov.registry import service, vocab
from mgov.registry.addresses import normalize_email
from mgov.registry.masking import mask_person
from mgov.registry.records import Batch, PersonRecord, RoleRecord

app = typer.Typer(help="People and their contact details (masked unless --unmask). "
                       "[dim]Example: mgov person list --org cn-440300[/dim]", no_args_is_help=True)
COLUMNS = ["key", "name", "email", "phone"]
# --sort: by key; by name (then key); newest: the last added first.
SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "key": lambda p: p["key"], "name": lambda p: ((p["name"] or "").casefold(), p["key"]), "newest": lambda p: -p["id"]}
SORT_OPTION = typer.Option("key", "--sort", help="key, name or newest (the last added first).")


def _shown(person: dict[str, Any], unmask: bool) -> dict[str, Any]:
    row = {c: person.get(c) for c in COLUMNS}
    return row if unmask else mask_person(row)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Full name."),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
    key: str | None = typer.Option(None, "--key", help="Unique key (default: the e-mail address)."),
) -> None:
    """Register a person.

    [dim]Example: mgov person add --name 张伟 --email zhangwei@sz.gov.cn --phone 0755-88888888[/dim]
    """
    st = state(ctx)
    email = normalize_email(email) if email else None
    key = key or (email.lower() if email else None)
    if not key:
        raise typer.BadParameter("give --key or --email")
    with st.begin() as conn:
        service.must_be_new(conn, service.PERSON, key=key)
        service.write(conn, Batch(people=[PersonRecord(key, service.CLI, name=name, email=email, phone=phone)]))
    console.print(t(st.lang, "created", what=t(st.lang, "person"), key=key))


@app.command("list")
def list_(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only people holding a role at this organization."),
    role: str | None = typer.Option(None, "--role", help="Only holders of this role."),
    search: str | None = typer.Option(None, "--search", "-s", help="Text in the key or the name."),
    sort: str = SORT_OPTION,
    limit: int | None = LIMIT_OPTION,
    show_all: bool = ALL_OPTION,
    unmask: bool = UNMASK_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List people, by key (--sort name, or newest: the last added first).

    A terminal shows the first 200 and says how many there are; --all shows every one, and
    piped output (TSV) has every row.

    [dim]Example: mgov person list --role security_officer --json   (mgov person list --sort newest)[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--role", role, vocab.ROLES)
    choices.choose(st.lang, "--sort", sort, SORTS)
    with st.connect() as conn:
        choices.org_code(conn, st.lang, org)
        found = service.list_people(conn, organization=org, role=role, search=search)
    found.sort(key=SORTS[sort])
    rows = [_shown(p, unmask) for p in found[:limit]]
    if as_json:
        print_json(rows)
        return
    print_table(st.lang, rows, COLUMNS, total=len(found), max_rows=None if show_all else TABLE_ROWS,
                hint=t(st.lang, "people_newest") if sort != "newest" else None)


@app.command("show")
def show(ctx: typer.Context, key: str = typer.Argument(...), unmask: bool = UNMASK_OPTION,
         as_json: bool = JSON_OPTION) -> None:
    """Show a person and the roles they hold or held.

    [dim]Example: mgov person show zhangwei@sz.gov.cn --unmask[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        person = service.person_row(conn, key)
        roles = service.roles_of(conn, person_id=person["id"])
    detail = {**_shown(person, unmask),
              "roles": [{k: r[k] for k in ("organization", "role", "since", "until")} for r in roles]}
    if as_json:
        print_json(detail)
        return
    print_record(st.lang, detail, COLUMNS)
    print_table(st.lang, detail["roles"], ["organization", "role", "since", "until"])


@app.command("edit")
def edit(
    ctx: typer.Context,
    key: str = typer.Argument(...),
    name: str | None = typer.Option(None, "--name"),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
) -> None:
    """Change the given fields of a person; the key stays.

    [dim]Example: mgov person edit zhangwei@sz.gov.cn --phone 0755-88886666[/dim]
    """
    st = state(ctx)
    fields = {"name": name, "email": normalize_email(email) if email else None, "phone": phone}
    with st.begin() as conn:
        service.person_row(conn, key)
        report = service.write(conn, Batch(people=[PersonRecord(
            key, service.CLI, **{k: v for k, v in fields.items() if v is not None})]))
    console.print(t(st.lang, "updated" if report.changes else "unchanged", what=t(st.lang, "person"), key=key))


@app.command("close")
def close(ctx: typer.Context, key: str = typer.Argument(...),
          on: str | None = typer.Option(None, "--on", help="Last day in the roles (default: today).")) -> None:
    """End every role a person holds (they left); channels naming them then show in the audit.

    [dim]Example: mgov person close zhangwei@sz.gov.cn --on 2026-11-30[/dim]
    """
    st = state(ctx)
    until = parse_date(on) or dt.date.today()
    with st.begin() as conn:
        person = service.person_row(conn, key)
        # Terms that start after the last day are left for the user to end or keep.
        current = [r for r in service.roles_of(conn, person_id=person["id"])
                   if (r["until"] is None or r["until"] >= until) and (r["since"] is None or r["since"] <= until)]
        service.write(conn, Batch(roles=[RoleRecord(key, r["organization"], r["role"], service.CLI,
                                                    since=r["since"], until=until) for r in current]))
    console.print(t(st.lang, "closed", what=t(st.lang, "person"), key=key))
