"""mgov demo: the demo library's pipeline, printed as it goes, then the dashboard served."""

from __future__ import annotations

from collections import Counter
from typing import Any

import typer

from mgov.cli.common import State, console, print_table, state
from mgov.cli.scan import print_summary
from mgov.cli.words import labelled
from mgov.formats.load import ImportResult
from mgov.i18n import t
from mgov.registry.accountability import RULES


class ConsoleReporter:
    """The demo's steps on the terminal, in the user's language (a DemoReporter)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def imported(self, file: str, result: ImportResult) -> None:
        console.print(t(self.lang, "import_summary", read=result.rows_read, file=file,
                        bad=len(result.problems), changes=result.report.changes))

    def run_finished(self, result: dict[str, Any]) -> None:
        print_summary(self.lang, result)

    def verified(self, message: str, sites: int, verification: dict[str, Any], **extra: Any) -> None:
        console.print(t(self.lang, message, sites=sites, defects=verification["defects"],
                        detected=verification["detected"], false_alarms=len(verification["false_alarms"]), **extra))
        for miss in verification["missed"][:10]:  # a site's host, or an account's address
            console.print(f"  missed {miss['defect']} on {miss.get('host') or miss.get('address')}: {miss['got']}")
        for alarm in verification["false_alarms"][:10]:
            console.print(f"  false alarm {alarm['check']} on {alarm.get('host') or alarm.get('address')}: "
                          f"{alarm['message']}")

    def discovered(self, discovery: dict[str, Any]) -> None:
        d = discovery
        console.print(t(self.lang, "demo_discovered", units=d["units"], searches=d["searches"], found=d["found"],
                        expected=d["expected"], extra=len(d["extra"])))
        for kind, address in d["missed"][:10]:
            console.print(f"  not found: {kind} {address}")
        for kind, address in d["extra"][:10]:
            console.print(f"  found, not expected: {kind} {address}")
        for error in d["errors"][:10]:
            console.print(f"  {error}")

    def accountability(self, by_rule: Counter[str], findings: int, channels: int) -> None:
        print_table(self.lang, labelled(self.lang, [{"rule": r, "severity": RULES[r]["severity"], "count": n}
                                                   for r, n in sorted(by_rule.items())], severity="severity"),
                    ["rule", "severity", "count"])
        console.print(t(self.lang, "audit_summary", n=findings, channels=channels))

    def assessed(self, profile: str, assessment: dict[str, Any]) -> None:
        a = assessment
        console.print(t(self.lang, "demo_assessed", profile=profile, tasks=a["tasks"], assessment=a["assessment"],
                        period=a["period"], verdicts=", ".join(f"{k} {v}" for k, v in sorted(a["verdicts"].items()))))


def demo(ctx: typer.Context,
         serve: bool = typer.Option(True, "--serve/--no-serve", help="End by serving the dashboard (Ctrl-C stops)."),
         port: int = typer.Option(8000, "--port", help="Port of the dashboard."),
         host: str = typer.Option("127.0.0.1", "--host", help="Address of the dashboard."),
         hostile_network: bool = typer.Option(
             False, "--hostile-network",
             help="The farm drops and SERVFAILs DNS queries, delays responses and resets first "
                  "connections (transient faults: they must cost no detection and no false alarm).")) -> None:
    """The whole loop on this machine: registries, the demo farm, a scan, two crawls, two
    captures of the new-media accounts, a discovery, the audit.

    Imports the bundled US .gov registry snapshot and a sample Chinese registry, starts the
    demo farm of simulated government sites and new-media platforms on loopback, scans and
    crawls the sites, captures the accounts (Weibo, WeChat, feeds, Mastodon) and searches the
    platforms for unregistered ones, checks the findings against the farm's defects manifest
    (exit 1 on a miss or a false alarm), audits who owns and answers for every channel,
    assesses the Chinese sites and accounts and opens their rectification tasks; then serves
    the dashboard and prints its URL and two demo logins (with --no-serve, no logins: they are
    only of use to the server).

    [dim]Example: mgov demo   (or: mgov demo --no-serve, mgov demo --hostile-network)[/dim]
    """
    # Deferred: the demo pulls in the farm's servers (aiohttp, trustme): loaded when it runs, not at every command.
    from mgov.demo import DemoEnv, run_demo

    st = state(ctx)
    outcome = run_demo(DemoEnv(st.settings, st.engine(check_schema=False)), ConsoleReporter(st.lang),
                       hostile=hostile_network)
    if serve and outcome["ok"]:
        _serve(st, outcome["logins"], host, port)
    else:  # the passwords open only the server this run did not start: not printed
        console.print(t(st.lang, "demo_logins_when_serving"))
    if not outcome["ok"]:
        raise typer.Exit(1)  # a missed defect or a false alarm: the demo's own claim failed


def _print_logins(lang: str, logins: list[dict[str, str]]) -> None:
    for login in logins:
        console.print(t(lang, "demo_login", **login))


def _serve(st: State, logins: list[dict[str, str]], host: str, port: int) -> None:
    # Deferred: the server (uvicorn) loads only when serving.
    import uvicorn

    # Deferred: the web face (mgov.web, whose app brings FastAPI) loads only when serving.
    from mgov.web import create_app

    app = create_app(st.settings, engine=st.engine())
    console.print(t(st.lang, "demo_serving", url=f"http://{host}:{port}/"))
    _print_logins(st.lang, logins)
    uvicorn.run(app, host=host, port=port, log_level="warning")
