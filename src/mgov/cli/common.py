"""What every command shares: settings, the database, output in tables or JSON."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine

from mgov import actors, zones
from mgov.config import Settings
from mgov.db.engine import make_engine, require_current
from mgov.formats import fields
from mgov.i18n import header, t

# Messages are not folded at the console's width (a terminal wraps a long line itself; a
# folded one breaks an address or a figure a script reads); tables lay out at the width.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@dataclass
class State:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return self.settings.language

    def engine(self, check_schema: bool = True) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.resolved_database_url)
            if check_schema:
                require_current(self._engine)
        return self._engine

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine().begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine().connect() as conn:
            yield conn

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj  # type: ignore[no-any-return]  # click's ctx.obj is Any; _root sets a State


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, default=_default, ensure_ascii=False, indent=2))


# The zone tables show times in: the time_zone setting (MGOV_TIME_ZONE), else the machine's
# (set by the root command; JSON keeps UTC).
DISPLAY_ZONE: str | None = None


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, dt.datetime):  # stored in UTC (SQLite gives it back naive)
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return (zones.local(aware, DISPLAY_ZONE) if DISPLAY_ZONE else aware.astimezone()).isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show_value(v)}" for k, v in value.items())
    return str(value)


# Rendering is what costs in a terminal table; more rows than this want --limit, --all or --json.
TABLE_ROWS = 200


def piped() -> bool:
    """Output goes to a file or a pipe, not a terminal: tables are printed as plain TSV."""
    return not console.is_terminal


def _tsv_cell(value: Any) -> str:
    # A tab or line break inside a cell would shift every column after it.
    return show_value(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def print_table(lang: str, rows: Sequence[dict[str, Any]], columns: Sequence[str],
                title: str | None = None, max_rows: int | None = TABLE_ROWS, total: int | None = None,
                id_columns: Sequence[str] = (), hint: str | None = None) -> None:
    """rows as a table: plain TSV when piped (every row, nothing wrapped or cut); in a terminal
    a rich table of at most max_rows, whose id columns are never folded, saying when rows are
    left out (total: how many there are in all, when rows are already a --limit's slice; hint:
    how else to find one)."""
    total = len(rows) if total is None else total
    if piped():
        if title:
            typer.echo(title)
        if not rows:
            typer.echo(t(lang, "no_rows"))
            return
        typer.echo("\t".join(header(lang, c) for c in columns))
        for row in rows:
            typer.echo("\t".join(_tsv_cell(row.get(c)) for c in columns))
        if total > len(rows):
            err_console.print(t(lang, "showing_of", n=len(rows), total=total), soft_wrap=True)
            if hint:
                err_console.print(hint, soft_wrap=True)
        return
    if not rows:
        console.print(t(lang, "no_rows"))
        return
    table = Table(title=title, show_lines=False)
    ids = set(id_columns) | ID_COLUMNS
    for col in columns:
        if col in ids:  # an identifier is copied whole: never folded mid-word, its column as wide as the widest
            widest = max((len(show_value(r.get(col))) for r in rows[:max_rows]), default=0)
            table.add_column(header(lang, col), no_wrap=True, overflow="ignore", min_width=widest)
        else:
            table.add_column(header(lang, col), overflow="fold")
    shown = rows if max_rows is None else rows[:max_rows]
    for row in shown:
        table.add_row(*(show_value(row.get(c)) for c in columns))
    console.print(table, soft_wrap=False)
    if total > len(shown):
        console.print(t(lang, "showing_of", n=len(shown), total=total), soft_wrap=True)
        if hint:
            console.print(hint, soft_wrap=True)


# Columns holding identifiers (codes, keys, addresses, check ids) in every table.
ID_COLUMNS = frozenset({"id", "key", "code", "address", "check", "url", "username", "indicator_id", "profile_id",
                        "organization", "owner", "parent", "person", "rule", "email", "run"})


def print_record(lang: str, record: dict[str, Any], columns: Sequence[str]) -> None:
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for col in columns:
        table.add_row(header(lang, col), show_value(record.get(col)))
    console.print(table, soft_wrap=False)


def parse_date(value: str | None) -> dt.date | None:
    return fields.date(value, "date")


def parse_pairs(values: list[str] | None) -> dict[str, list[str]] | None:
    """--responsible role=person, repeatable."""
    if not values:
        return None
    return fields.responsible(";".join(values))


def login_name() -> str:
    """Who runs the command, for the records it files (--by's default): the --as user, else the
    login name."""
    named = actors.current().name
    if not named.startswith("os:"):
        return named
    try:
        return getpass.getuser()
    except (ImportError, KeyError, OSError):  # no login name (containers): say so rather than guess
        return "unknown"


JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")
UNMASK_OPTION = typer.Option(False, "--unmask", help="Show e-mail addresses and phone numbers in full.")
LIMIT_OPTION = typer.Option(None, "--limit", help="Show at most this many rows.")
ALL_OPTION = typer.Option(False, "--all", help=f"Every row in the table (a terminal shows the first {TABLE_ROWS}).")
