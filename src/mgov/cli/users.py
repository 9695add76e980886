"""mgov user: the accounts that sign in to the dashboard and the API."""

from __future__ import annotations

import sys

import typer

from mgov.accounts import ROLES, Scope, access, throttle, users
from mgov.cli.common import JSON_OPTION, console, print_json, print_table, state
from mgov.cli.words import labelled
from mgov.errors import InvalidValue
from mgov.i18n import t

app = typer.Typer(help=f"Dashboard and API accounts. Roles: {', '.join(ROLES)}. "
                       "[dim]Example: mgov user add li.na --role supervisor --org cn-440000 --password-stdin[/dim]",
                  no_args_is_help=True)
COLUMNS = ["id", "username", "display_name", "role", "organization", "lang", "active", "last_login_at"]


def _password(value: str | None, from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return value


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="User name used to sign in."),
    role: str = typer.Option(..., "--role", help=f"One of {', '.join(ROLES)}."),
    org: str | None = typer.Option(None, "--org", help="Organization code: the user sees its whole subtree "
                                                       "(none: the whole registry)."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    email: str | None = typer.Option(None, "--email"),
    lang: str | None = typer.Option(None, "--lang", help="zh or en (default: from the browser)."),
    time_zone: str | None = typer.Option(None, "--time-zone", help="IANA zone, e.g. Asia/Shanghai (default: the "
                                                                    "organization's)."),
    password: str | None = typer.Option(None, "--password", help="Better: --password-stdin."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Add a user.

    [dim]Example: echo 'a long passphrase' | mgov user add li.na --role agency_admin --org cn-440300
    --password-stdin[/dim]
    """
    st = state(ctx)
    secret = _password(password, password_stdin)
    if not secret:
        raise InvalidValue("give a password with --password-stdin (or --password)")
    with st.begin() as conn:
        users.create_user(conn, username, secret, role, organization=org, display_name=name, email=email, lang=lang,
                          time_zone=time_zone)
    console.print(t(st.lang, "created", what=t(st.lang, "user"), key=username))


@app.command("edit")
def edit(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role"),
    org: str | None = typer.Option(None, "--org", help="Organization code ('' for the whole registry)."),
    name: str | None = typer.Option(None, "--name"),
    email: str | None = typer.Option(None, "--email"),
    lang: str | None = typer.Option(None, "--lang"),
    time_zone: str | None = typer.Option(None, "--time-zone", help="IANA zone; '-' for the organization's."),
    active: bool | None = typer.Option(None, "--active/--disabled", help="Let the user sign in, or not."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Set a new password read from stdin."),
) -> None:
    """Change a user's role, organization, details or password, or disable them.

    [dim]Example: mgov user edit li.na --role supervisor[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        users.edit_user(conn, users.user_id_of(conn, username), role=role, organization=org, display_name=name,
                        email=email, lang=lang, active=active, password=_password(None, password_stdin),
                        time_zone="" if time_zone == "-" else time_zone)
    console.print(t(st.lang, "updated", what=t(st.lang, "user"), key=username))


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the users.

    [dim]Example: mgov user list --json[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        rows = users.list_users(conn, Scope(None), limit=1_000_000)
    if as_json:
        print_json(rows)
    else:
        print_table(st.lang, labelled(st.lang, rows, role="user_role"), COLUMNS)


@app.command("token")
def token(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    name: str = typer.Option(..., "--name", help="What the token is for."),
    days: int | None = typer.Option(None, "--days", help="Expire after this many days (default: never)."),
) -> None:
    """Make a personal API token for a user and print it (it is shown only this once).

    [dim]Example: mgov user token li.na --name nightly-export --days 90[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        secret, _row = access.create_token(conn, users.user_id_of(conn, username), name, days=days)
    typer.echo(secret)


@app.command("unlock")
def unlock(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Let a user sign in again from addresses where failed sign-ins locked them out.

    [dim]Example: mgov user unlock li.na[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        users.user_id_of(conn, username)  # an unknown name is an error, not a silent no-op
        count = throttle.unlock(conn, username)
    console.print(t(st.lang, "user_unlocked", user=username, count=count))
