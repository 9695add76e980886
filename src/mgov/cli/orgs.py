"""mgov org: organizations at every tier."""

from __future__ import annotations

from typing import Any

import typer

from mgov import zones
from mgov.cli import choices
from mgov.cli.common import (
    ALL_OPTION,
    JSON_OPTION,
    LIMIT_OPTION,
    TABLE_ROWS,
    console,
    print_json,
    print_record,
    print_table,
    state,
)
from mgov.cli.words import labelled
from mgov.i18n import t
from mgov.registry import service
from mgov.registry.records import Batch, OrgRecord

app = typer.Typer(help="Organizations: code, names, tier, parent. [dim]Example: mgov org list --tier county[/dim]",
                  no_args_is_help=True)
COLUMNS = ["code", "name_zh", "name_en", "jurisdiction", "tier", "parent", "region_code", "active"]
DETAIL = [*COLUMNS, "no_external_service"]
TIME_ZONE_OPTION = typer.Option(None, "--time-zone", help="IANA zone its times are shown in, e.g. Asia/Shanghai "
                                                          "(default: the jurisdiction's: Asia/Shanghai for cn, "
                                                          "America/New_York for us).")


def _record(code: str, **fields: Any) -> OrgRecord:
    return OrgRecord(code, service.CLI, **{k: v for k, v in fields.items() if v is not None})


@app.command("add")
def add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Unique code, e.g. cn-440300 or us-fed-gsa."),
    jurisdiction: str = typer.Option(..., "--jurisdiction", "-j", help="cn or us."),
    tier: str = typer.Option(..., "--tier", help="national, provincial, prefecture, county, township (cn); "
                                                 "executive_branch, department, agency, bureau, state, city... (us)."),
    name_zh: str | None = typer.Option(None, "--name-zh", help="Name in Chinese."),
    name_en: str | None = typer.Option(None, "--name-en", help="Name in English."),
    parent: str | None = typer.Option(None, "--parent", help="Code of the parent organization."),
    region_code: str | None = typer.Option(None, "--region", help="Region code (GB/T 2260 for China, e.g. 440300)."),
    no_external_service: bool = typer.Option(False, "--no-external-service",
                                             help="The unit offers no services to the public (75 × 4/3 rule)."),
    time_zone: str | None = TIME_ZONE_OPTION,
) -> None:
    """Register an organization.

    [dim]Example: mgov org add cn-440300 -j cn --tier prefecture --name-zh 深圳市人民政府 --parent cn-440000
    --region 440300[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        service.must_be_new(conn, service.ORG, code=code)
        service.write(conn, Batch(organizations=[_record(
            code, jurisdiction=jurisdiction.lower(), tier=tier.lower(), name_zh=name_zh, name_en=name_en,
            parent=parent, region_code=region_code, no_external_service=no_external_service,
            time_zone=zones.check(time_zone))]))
    console.print(t(st.lang, "created", what=t(st.lang, "organization"), key=code))


@app.command("list")
def list_(
    ctx: typer.Context,
    tier: str | None = typer.Option(None, "--tier", help="Only this tier."),
    parent: str | None = typer.Option(None, "--parent", help="Only the children of this organization."),
    search: str | None = typer.Option(None, "--search", "-s", help="Text in the code or a name."),
    limit: int | None = LIMIT_OPTION,
    show_all: bool = ALL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List organizations, by code.

    [dim]Example: mgov org list --parent us-executive --json[/dim]
    """
    st = state(ctx)
    choices.choose(st.lang, "--tier", tier, choices.all_tiers())
    with st.connect() as conn:
        choices.org_code(conn, st.lang, parent)
        rows = service.list_orgs(conn, tier=tier, parent=parent, search=search)
    total = len(rows)
    rows = [{c: r[c] for c in DETAIL} for r in rows[:limit]]
    if as_json:
        print_json(rows)
    else:
        print_table(st.lang, labelled(st.lang, rows, tier="tier", jurisdiction="jurisdiction"), COLUMNS,
                    total=total, max_rows=None if show_all else TABLE_ROWS, hint=t(st.lang, "all_hint"))


@app.command("show")
def show(ctx: typer.Context, code: str = typer.Argument(..., help="Organization code."),
         as_json: bool = JSON_OPTION) -> None:
    """Show an organization, its children, role holders and channels.

    [dim]Example: mgov org show us-fed-general-services-administration[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        org = service.org_row(conn, code)
        detail = {**{c: org.get(c) for c in DETAIL}, "parent": service.org_code(conn, org["parent_id"]),
                  "time_zone": org.get("time_zone") or zones.default_for(org.get("jurisdiction"))}
        children = service.list_orgs(conn, parent=code)
        roles = service.roles_of(conn, organization_id=org["id"])
        channels = service.list_channels(conn, owner=code)
    held = [{k: r[k] for k in ("person", "role", "since", "until")} for r in roles]
    owned = [{k: c[k] for k in ("kind", "address", "status")} for c in channels]
    if as_json:
        print_json({**detail, "children": [c["code"] for c in children], "roles": held, "channels": owned})
        return
    print_record(st.lang, labelled(st.lang, [detail], tier="tier", jurisdiction="jurisdiction")[0],
                 [*DETAIL, "time_zone"])
    if children:
        print_table(st.lang, labelled(st.lang, children, tier="tier"), ["code", "name_zh", "name_en", "tier"],
                    title="下级单位" if st.lang == "zh" else "children")
    print_table(st.lang, labelled(st.lang, held, role="role"), ["person", "role", "since", "until"],
                title="职务" if st.lang == "zh" else "roles")
    print_table(st.lang, labelled(st.lang, owned, kind="kind", status="status"), ["kind", "address", "status"],
                title="渠道" if st.lang == "zh" else "channels")


@app.command("edit")
def edit(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Organization code."),
    name_zh: str | None = typer.Option(None, "--name-zh"),
    name_en: str | None = typer.Option(None, "--name-en"),
    tier: str | None = typer.Option(None, "--tier"),
    parent: str | None = typer.Option(None, "--parent", help="New parent code; '-' makes it a root."),
    region_code: str | None = typer.Option(None, "--region"),
    no_external_service: bool | None = typer.Option(None, "--no-external-service/--external-service"),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    time_zone: str | None = typer.Option(None, "--time-zone", help="IANA zone, e.g. Asia/Shanghai; '-' for the "
                                                                    "jurisdiction's default."),
) -> None:
    """Change the given fields of an organization; the others stay.

    [dim]Example: mgov org edit cn-440300 --name-en "Shenzhen Municipal People's Government"[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        service.org_row(conn, code)
        rec = _record(code, name_zh=name_zh, name_en=name_en, tier=tier and tier.lower(),
                      region_code=region_code, no_external_service=no_external_service, active=active)
        if time_zone is not None:
            rec.time_zone = None if time_zone == "-" else zones.check(time_zone)
        if parent is not None:
            rec.parent = None if parent == "-" else parent
        report = service.write(conn, Batch(organizations=[rec]))
    key = "updated" if report.changes else "unchanged"
    console.print(t(st.lang, key, what=t(st.lang, "organization"), key=code))


@app.command("close")
def close(ctx: typer.Context, code: str = typer.Argument(..., help="Organization code.")) -> None:
    """Mark an organization inactive (abolished or merged); its channels then show in the audit.

    [dim]Example: mgov org close cn-440300-old-bureau[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        service.org_row(conn, code)
        service.write(conn, Batch(organizations=[_record(code, active=False)]))
    console.print(t(st.lang, "closed", what=t(st.lang, "organization"), key=code))

