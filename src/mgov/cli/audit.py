"""mgov audit: the one audit log (every change from the web, the API and the command line)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from mgov.act.audit_log import KINDS, AuditFilter, list_entries
from mgov.actors import FACES
from mgov.cli.common import JSON_OPTION, print_json, print_table, state
from mgov.cli.words import names_for
from mgov.formats import fields
from mgov.i18n import t
from mgov.profiles import audit_words
from mgov.profiles.names import action_label, subject_label

app = typer.Typer(help="The audit log: who changed what, when, and through which face (web, api, cli). "
                       "[dim]Example: mgov audit list --object channel --since 2026-12-01[/dim]",
                  no_args_is_help=True)
COLUMNS = ["id", "at", "actor", "face", "action", "subject", "change"]
ACTOR_OPTION = typer.Option(None, "--actor", help="Only this actor (a user name, or os:LOGIN).")
ACTION_OPTION = typer.Option(None, "--action", help="Only this action (channel.updated), or its kind (channel.).")
OBJECT_OPTION = typer.Option(None, "--object", help=f"Only entries about this kind of object: {', '.join(KINDS)}.")
SUBJECT_OPTION = typer.Option(None, "--subject", help="Only one object's entries (kind:key, e.g. channel:12).")
FACE_OPTION = typer.Option(None, "--face", help=f"Only changes made through {', '.join(FACES)}.")
SINCE_OPTION = typer.Option(None, "--since", help="From this day (YYYY-MM-DD, in the display time zone).")
UNTIL_OPTION = typer.Option(None, "--until", help="Up to and including this day (YYYY-MM-DD).")
PARENT_OPTION = typer.Option(None, "--import", help="Only the records of the import with this entry id.")
LIMIT_OPTION = typer.Option(50, "--limit", min=1, max=10_000, help="Show at most this many entries (newest first).")


def _change(detail: dict[str, Any], lang: str, found: Any) -> str:
    """An entry's change on one line: field before → after (a new value alone); field value for a fact."""
    return ("；" if lang == "zh" else "; ").join(
        f"{field}{'：' if lang == 'zh' else ': '}{f'{before} → ' if before not in ('', '—') else ''}{after}"
        for field, before, after, _ in audit_words.rows(detail, lang, found))


@app.command("list")
def list_(
    ctx: typer.Context,
    actor: str | None = ACTOR_OPTION,
    action: str | None = ACTION_OPTION,
    kind: str | None = OBJECT_OPTION,
    subject: str | None = SUBJECT_OPTION,
    face: str | None = FACE_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    parent: int | None = PARENT_OPTION,
    limit: int = LIMIT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List the audit log, newest first: every change, whoever made it and however.

    [dim]Example: mgov audit list --actor os:root --object organization --json[/dim]
    """
    st = state(ctx)
    zone = st.settings.time_zone or "UTC"
    f = AuditFilter(subject=subject, actor=actor, action=action, kind=kind, face=face, parent=parent,
                    since=_day(since, "since"), until=_day(until, "until"), zone=zone).checked()
    with st.connect() as conn:
        rows, more = list_entries(conn, f, limit=limit)
    if as_json:
        print_json({"items": rows, "more": more is not None})
        return
    lang, found = st.lang, names_for(st.settings)
    shown = [{**r, "face": audit_words.face_label(r["face"], lang), "action": action_label(r["action"], lang),
              "subject": subject_label(r["subject"], lang), "change": _change(r["detail"], lang, found)}
             for r in rows]
    print_table(lang, shown, COLUMNS, max_rows=limit)
    if more is not None:
        typer.echo(t(lang, "audit_more", limit=limit))


def _day(value: str | None, what: str) -> dt.date | None:
    return fields.date(value, what) if value else None
