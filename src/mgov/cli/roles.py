"""mgov role: who holds which role at which organization, from when until when."""

from __future__ import annotations

import datetime as dt

import typer

from mgov.cli.common import JSON_OPTION, console, parse_date, print_json, print_table, state
from mgov.cli.words import labelled
from mgov.errors import NotFound
from mgov.i18n import t
from mgov.registry import service
from mgov.registry.records import Batch, RoleRecord

app = typer.Typer(help="Role assignments. Roles: head, cio, security_officer, records_officer, privacy_officer, "
                       "content_manager, web_operator, new_media_operator. "
                       "[dim]Example: mgov role assign zhangwei@sz.gov.cn cn-440300 cio[/dim]",
                  no_args_is_help=True)


@app.command("assign")
def assign(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Person key."),
    organization: str = typer.Argument(..., help="Organization code."),
    role: str = typer.Argument(..., help="Role id, e.g. security_officer."),
    since: str | None = typer.Option(None, "--since", help="First day (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Last day, if already known."),
) -> None:
    """Give a person a role at an organization.

    [dim]Example: mgov role assign zhangwei@sz.gov.cn cn-440300 security_officer --since 2026-01-01[/dim]
    """
    st = state(ctx)
    rec = RoleRecord(person, organization, role, service.CLI, since=parse_date(since))
    if until:
        rec.until = parse_date(until)
    with st.begin() as conn:
        report = service.write(conn, Batch(roles=[rec]))
    what = f"{person} → {organization} {role}"
    # --until on an assignment already stored updates it: say so, not "created".
    counts = report.counts["roles"]
    key = "created" if counts.created else "updated" if counts.updated else "unchanged"
    console.print(t(st.lang, key, what=t(st.lang, "role"), key=what))


@app.command("end")
def end(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Person key."),
    organization: str = typer.Argument(..., help="Organization code."),
    role: str = typer.Argument(..., help="Role id."),
    on: str | None = typer.Option(None, "--on", help="Last day in the role (default: today)."),
) -> None:
    """End a person's current role at an organization.

    [dim]Example: mgov role end zhangwei@sz.gov.cn cn-440300 security_officer --on 2026-11-30[/dim]
    """
    st = state(ctx)
    until = parse_date(on) or dt.date.today()
    with st.begin() as conn:
        org = service.org_row(conn, organization)
        current = [r for r in service.roles_of(conn, organization_id=org["id"])
                   if r["person"] == person and r["role"] == role and (r["until"] is None or r["until"] >= until)]
        if not current:
            raise NotFound(f"{person} holds no current {role} role at {organization}")
        service.write(conn, Batch(roles=[RoleRecord(person, organization, role, service.CLI,
                                                    since=r["since"], until=until) for r in current]))
    console.print(t(st.lang, "closed", what=t(st.lang, "role"), key=f"{person} → {organization} {role}"))


@app.command("list")
def list_(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only at this organization."),
    person: str | None = typer.Option(None, "--person", help="Only this person's."),
    current: bool = typer.Option(False, "--current", help="Only assignments in force today."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List role assignments.

    [dim]Example: mgov role list --org cn-440300 --current[/dim]
    """
    st = state(ctx)
    today = dt.date.today()
    with st.connect() as conn:
        org_id = service.org_row(conn, org)["id"] if org else None
        person_id = service.person_row(conn, person)["id"] if person else None
        rows = service.roles_of(conn, organization_id=org_id, person_id=person_id)
    rows = [{k: r[k] for k in ("person", "organization", "role", "since", "until")} for r in rows
            if not current or ((r["since"] is None or r["since"] <= today)
                               and (r["until"] is None or r["until"] >= today))]
    print_json(rows) if as_json else print_table(st.lang, labelled(st.lang, rows, role="role"),
                                                 ["organization", "role", "person", "since", "until"])
