"""The `mgov` command line. Thin: parsing and printing; the work lives in the layers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from mgov.actors import Actor, acting, os_actor
from mgov.cli import (
    act,
    apps,
    archive,
    assess,
    audit,
    capture,
    channels,
    checks,
    cluster,
    common,
    crawl,
    demo,
    discover,
    findings,
    formats,
    inputs,
    inspections,
    notify,
    orgs,
    people,
    profiles,
    registry,
    render,
    reports,
    roles,
    scan,
    schedule,
    serve,
    task_work,
    users,
)
from mgov.cli.common import State, console, err_console, state
from mgov.config import load_settings
from mgov.db.engine import current_revision, head_revision, upgrade
from mgov.errors import MgovError
from mgov.i18n import t


class _Root(TyperGroup):
    """Prints mgov's own errors as one clear line, without a traceback, and exits 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MgovError as exc:
            lang = ctx.obj.lang if isinstance(ctx.obj, State) else "en"
            err_console.print(f"[bold red]{t(lang, 'error')}:[/] {exc}")
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Root,
    name="mgov",
    help="mgov: run a government's digital service channels as a system.\n\n"
         "mgov：把政府网站、政务新媒体等数字服务渠道作为一个体系来管理。",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="The database schema. [dim]Example: mgov db upgrade[/dim]", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(profiles.app, name="profiles")
task_work.register(act.tasks_app)
app.add_typer(act.tasks_app, name="tasks")
app.add_typer(act.disputes_app, name="disputes")
app.add_typer(notify.app, name="notify")
app.add_typer(inputs.ratings_app, name="ratings")
app.add_typer(inputs.usage_app, name="usage")
app.add_typer(inspections.app, name="inspection")
app.add_typer(orgs.app, name="org")
app.add_typer(people.app, name="person")
app.add_typer(channels.app, name="channel")
app.add_typer(roles.app, name="role")
app.add_typer(registry.app, name="registry")
app.add_typer(users.app, name="user")
app.add_typer(audit.app, name="audit")
app.add_typer(discover.app, name="discover")
app.add_typer(archive.app, name="archive")
app.command("import")(formats.import_)
app.command("export")(formats.export)
app.add_typer(checks.app, name="checks")
app.command("findings")(findings.findings)
app.command("scan")(scan.scan)
app.command("probe")(scan.probe)
app.command("probe-stats")(scan.probe_stats)
app.command("crawl")(crawl.crawl)
app.command("links")(crawl.links)
app.command("render")(render.render)
app.command("inspect")(render.inspect)
app.command("capture")(capture.capture)
app.command("posts")(capture.posts)
app.add_typer(apps.app, name="app")
app.command("assess")(assess.assess)
app.command("assessment")(assess.assessment)
app.command("report")(reports.report)
app.command("review")(inputs.review)
app.command("serve")(serve.serve)
app.add_typer(schedule.app, name="schedule")
app.command("scheduler")(schedule.scheduler)
app.command("worker")(cluster.worker)
app.command("runs")(cluster.runs)


HOME_OPTION = typer.Option(None, "--home", envvar="MGOV_HOME", help="mgov's home folder (default ./.mgov).")
DB_OPTION = typer.Option(None, "--db", envvar="MGOV_DATABASE_URL",
                         help="Database URL (default: SQLite in the home folder).")
LANG_OPTION = typer.Option(None, "--lang", envvar="MGOV_LANG", help="zh or en (default: from the locale).")
AS_OPTION = typer.Option(None, "--as", envvar="MGOV_USER",
                         help="Who acts, for the audit log (default: the OS user, recorded as os:NAME).")


@app.callback()
def _root(
    ctx: typer.Context,
    home: Path | None = HOME_OPTION,
    database_url: str | None = DB_OPTION,
    lang: str | None = LANG_OPTION,
    as_user: str | None = AS_OPTION,
) -> None:
    # Who acts for the audit log, for this command only (in-process callers run many).
    ctx.with_resource(acting(Actor(as_user.strip(), "cli") if as_user and as_user.strip() else os_actor()))
    ctx.obj = State(load_settings(home=home, database_url=database_url, lang=lang))
    common.DISPLAY_ZONE = ctx.obj.settings.time_zone
    ctx.call_on_close(ctx.obj.close)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the home folder and the database, at the newest schema.

    [dim]Example: mgov init   (or: MGOV_DATABASE_URL=postgresql://127.0.0.1/mgov mgov init)[/dim]
    """
    st = state(ctx)
    st.settings.home.mkdir(parents=True, exist_ok=True)
    st.settings.resolved_archive_dir.mkdir(parents=True, exist_ok=True)
    upgrade(st.engine(check_schema=False))
    console.print(t(st.lang, "initialized", home=st.settings.home.resolve(),
                    db=st.engine().url.render_as_string(hide_password=True)))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = typer.Option("head", help="Target revision.")) -> None:
    """Migrate the database schema to the newest revision (or --revision).

    [dim]Example: mgov db upgrade[/dim]
    """
    st = state(ctx)
    engine = st.engine(check_schema=False)
    upgrade(engine, revision)
    console.print(t(st.lang, "upgraded", rev=current_revision(engine)))


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the database's schema revision.

    [dim]Example: mgov db current[/dim]
    """
    st = state(ctx)
    console.print(t(st.lang, "current", rev=current_revision(st.engine(check_schema=False)),
                    head=head_revision()))


app.command("demo")(demo.demo)


def main() -> None:
    """Entry point of the console script."""
    app()
