"""mgov registry: the accountability audit and the vocabularies."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import typer

from mgov.cli import choices
from mgov.cli.common import JSON_OPTION, console, parse_date, print_json, print_table, state
from mgov.cli.words import labelled
from mgov.errors import NotFound
from mgov.i18n import t
from mgov.registry import vocab
from mgov.registry.accountability import RULES, load_inputs, run_audit, subtree

app = typer.Typer(help="Registry-wide views. [dim]Example: mgov registry audit --json[/dim]", no_args_is_help=True)


RULE_OPTION = typer.Option(None, "--rule", help="Only this rule id; repeatable.")


@app.command("audit")
def audit(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only this organization and those below it."),
    rule: list[str] | None = RULE_OPTION,
    role: str | None = typer.Option(None, "--role", help="Only missing or ended roles of this kind."),
    on: str | None = typer.Option(None, "--on", help="Audit as of this date (default: today)."),
    limit: int = typer.Option(50, "--limit", help="Findings listed in the table output (JSON lists all)."),
    fail_on: str | None = typer.Option(None, "--fail-on", help="Exit 1 if any finding is at least this severe: "
                                                         "error or warning."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Find channels nobody owns or answers for (建而不管), and units over their channel quota.

    Rules: channel.no_owner, channel.missing_role, channel.inactive_owner,
    channel.role_holder_ended, org.multiple_websites, org.multiple_accounts. The roles each kind
    needs and the tiers of the quota rules are set in mgov.toml under [audit].

    [dim]Example: mgov registry audit --rule channel.missing_role --role security_officer --json[/dim]
    """
    st = state(ctx)
    for one in rule or ():
        choices.choose(st.lang, "--rule", one, RULES)
    choices.choose(st.lang, "--role", role, vocab.ROLES)
    levels = {"warning": {"warning", "error"}, "error": {"error"}}
    # A misspelt level would otherwise never fail: a CI gate that silently passes.
    choices.choose(st.lang, "--fail-on", fail_on, ("error", "warning"))
    today = parse_date(on) or dt.date.today()
    with st.connect() as conn:
        inputs = load_inputs(conn)
    findings = run_audit(inputs, st.settings.audit, today)
    if org:
        scope = subtree(inputs.orgs, org)
        if not scope:
            raise NotFound(f"no organization with code {org!r}")
        findings = [f for f in findings if f.organization in scope]
    if rule:
        findings = [f for f in findings if f.rule in rule]
    if role:
        findings = [f for f in findings if f.details.get("role") == role]
    rows = [f.as_dict(st.lang) for f in findings]
    shown = [{**r, "subject": _subject(r, st.lang)} for r in rows]
    by_rule = Counter(f.rule for f in findings)
    if as_json:
        print_json({"date": today, "channels_audited": len(inputs.channels),
                    "summary": dict(sorted(by_rule.items())), "findings": rows})
    else:
        print_table(st.lang, labelled(st.lang, [{"rule": r, "severity": RULES[r]["severity"], "count": n}
                                                for r, n in sorted(by_rule.items())], severity="severity"),
                    ["rule", "severity", "count"])
        print_table(st.lang, shown[:limit], ["rule", "subject", "organization", "reason"])
        if len(rows) > limit:
            console.print(t(st.lang, "more_rows", n=len(rows) - limit))
        console.print(t(st.lang, "audit_summary", n=len(rows), channels=len(inputs.channels))
                      if rows else t(st.lang, "audit_clean"))
    if fail_on and any(RULES[f.rule]["severity"] in levels[fail_on] for f in findings):
        raise typer.Exit(1)


def _subject(finding: dict[str, Any], lang: str) -> str:
    """A channel subject ("website https://...") with its kind in lang."""
    if finding["subject_type"] != "channel":
        return str(finding["subject"])
    kind, _, address = str(finding["subject"]).partition(" ")
    return f"{labelled(lang, [{'kind': kind}], kind='kind')[0]['kind']} {address}"


@app.command("vocab")
def vocabularies(as_json: bool = JSON_OPTION) -> None:
    """Print the vocabularies: channel kinds, statuses, events, roles, tiers per jurisdiction.

    [dim]Example: mgov registry vocab --json[/dim]
    """
    data = {
        "channel_kinds": vocab.CHANNEL_KINDS, "channel_statuses": vocab.CHANNEL_STATUSES,
        "channel_events": vocab.CHANNEL_EVENTS, "roles": vocab.ROLES,
        **{f"tiers_{j}": tiers for j, tiers in vocab.TIERS.items()},
    }
    if as_json:
        print_json({name: [term._asdict() for term in terms.values()] for name, terms in data.items()})
        return
    for name, terms in data.items():
        print_table("en", [term._asdict() for term in terms.values()], ["code", "zh", "en"], title=name)
