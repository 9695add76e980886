"""mgov notify: where notifications go (targets), and a run that sends what is new."""

from __future__ import annotations

from typing import Any

import typer

from mgov.act.notify import add_target, list_targets, remove_target, run_notifications
from mgov.cli.common import (
    JSON_OPTION,
    console,
    err_console,
    print_json,
    print_table,
    state,
)
from mgov.i18n import t

app = typer.Typer(help="E-mail and webhook notifications: veto failures, overdue and escalated tasks, a weekly "
                       "digest. "
                       "[dim]Example: mgov notify target add --org cn-440303 --email ops@example.gov[/dim]",
                  no_args_is_help=True)
target_app = typer.Typer(help="Notification targets of organizations. [dim]Example: mgov notify target list[/dim]",
                         no_args_is_help=True)
app.add_typer(target_app, name="target")

COLUMNS = ["id", "organization", "kind", "address", "events", "lang", "active", "created_at"]
PRIVATE_OPTION = typer.Option(False, "--allow-private", help="Allow webhooks to private and loopback addresses "
                                                             "(an intranet receiver; also MGOV_ALLOW_PRIVATE).")


def _event(lang: str, event: str) -> str:
    return t(lang, f"notify_event_{event}")


@target_app.command("add")
def target_add(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="The organization's code; it hears about its whole subtree "
                                                       "(omit: the whole registry)."),
    email: str | None = typer.Option(None, "--email", help="Send e-mail to this address."),
    webhook: str | None = typer.Option(None, "--webhook", help="POST signed JSON to this http(s) URL."),
    secret: str | None = typer.Option(None, "--secret", help="The webhook's signing secret (default: generated "
                                                             "and shown once)."),
    events: str = typer.Option("veto,overdue,escalated,digest", "--events",
                               help="Comma-separated: veto, overdue, escalated, digest."),
    lang: str | None = typer.Option(None, "--lang", help="zh or en for e-mail (default: mgov's language)."),
    allow_private: bool = PRIVATE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a notification target: an e-mail address or a webhook URL.

    [dim]Example: mgov notify target add --org cn-440300 --webhook https://hooks.example.gov/mgov --events veto[/dim]
    """
    if (email is None) == (webhook is None):
        raise typer.BadParameter("give exactly one of --email and --webhook")
    st = state(ctx)
    with st.begin() as conn:
        out = add_target(conn, org_code=org, kind="email" if email else "webhook", address=email or webhook or "",
                         events=events.split(","), secret=secret, lang=lang or st.lang,
                         allow_private=allow_private or st.settings.allow_private)
    if as_json:
        print_json(out)
        return
    console.print(t(st.lang, "notify_added", id=out["id"], kind=out["kind"], address=out["address"],
                    scope=out["organization"] or t(st.lang, "notify_everyone"),
                    events=("、" if st.lang == "zh" else ", ").join(_event(st.lang, e) for e in out["events"])))
    if out["kind"] == "webhook" and secret is None:
        console.print(t(st.lang, "notify_secret", secret=out["secret"]), soft_wrap=True)


@target_app.command("list")
def target_list(ctx: typer.Context,
                include_inactive: bool = typer.Option(False, "--all", help="Deactivated targets too."),
                as_json: bool = JSON_OPTION) -> None:
    """List notification targets (secrets are never shown).

    [dim]Example: mgov notify target list --json[/dim]
    """
    st = state(ctx)
    with st.connect() as conn:
        rows = list_targets(conn, include_inactive=include_inactive)
    if as_json:
        print_json(rows)
    else:
        print_table(st.lang, [{**r, "organization": r["organization"] or t(st.lang, "notify_everyone")}
                              for r in rows], COLUMNS)


@target_app.command("remove")
def target_remove(ctx: typer.Context, target_id: int = typer.Argument(..., help="Target id."),
                  as_json: bool = JSON_OPTION) -> None:
    """Deactivate a target: nothing more is sent to it; its delivery record stays.

    [dim]Example: mgov notify target remove 3[/dim]
    """
    st = state(ctx)
    with st.begin() as conn:
        out = remove_target(conn, target_id)
    if as_json:
        print_json(out)
    else:
        console.print(t(st.lang, "notify_removed", id=target_id))


def _print_run(lang: str, out: dict[str, Any]) -> None:
    key = {"sent": "notify_sent", "failed": "notify_failed", "dry_run": "notify_would_send"}
    for target in out["targets"]:
        for send in target["sends"]:
            line = t(lang, key[send["status"]], target=target["target"], address=target["address"],
                     event=_event(lang, send["event"]), items=send["items"], error=send.get("error", ""))
            (err_console if send["status"] == "failed" else console).print(line, soft_wrap=True)
    if not any(target["sends"] for target in out["targets"]):
        console.print(t(lang, "notify_nothing"))
    elif not out["dry_run"]:
        console.print(t(lang, "notify_summary", sent=out["sent"], failed=out["failed"]))


@app.command("run")
def run(ctx: typer.Context,
        digest: bool = typer.Option(False, "--digest", help="Send the weekly digest too (once per ISO week and "
                                                            "target, so a daily --digest run sends it on the "
                                                            "first run of each week)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent; send and record nothing."),
        allow_private: bool = PRIVATE_OPTION,
        as_json: bool = JSON_OPTION) -> None:
    """Send each target what is new for it since its last delivery.

    New veto failures of the newest assessment of each profile, tasks past due, and with
    --digest the weekly digest. Failed deliveries are recorded and tried again on the next
    run; the exit code is then 1.

    [dim]Example: mgov notify run --digest   (daily, from cron)[/dim]
    """
    st = state(ctx)
    settings = st.settings.model_copy(update={"allow_private": True}) if allow_private else st.settings
    out = run_notifications(st.engine(), settings, digest=digest, dry_run=dry_run)
    if as_json:
        print_json(out)
    else:
        _print_run(st.lang, out)
    if out["failed"]:
        raise typer.Exit(1)
