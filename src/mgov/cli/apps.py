"""mgov app analyze: one APK or IPA judged by the app checks, nothing stored; mgov app scan:
registered app channels judged from the package file the registry gives."""

from __future__ import annotations

from pathlib import Path

import typer

from mgov.cli import choices
from mgov.cli.common import print_json, print_table, state
from mgov.cli.fetching import CLUSTER, DETACH
from mgov.cli.words import labelled, names_for, with_titles
from mgov.i18n import t

app = typer.Typer(help="App packages (APK, IPA): analyse one, or judge the registered app channels. "
                       "[dim]Example: mgov app analyze gov.apk[/dim]", no_args_is_help=True)

PACKAGE = typer.Argument(..., help="The APK or IPA file.")
POLICY = typer.Option(None, "--policy", help="The app's privacy policy as a text file: permissions and SDKs it "
                                            "never mentions fail.")
KINDS = typer.Option(None, "--kind", "-k", help="app_android or app_ios; repeatable.")
CHANNELS = typer.Option(None, "--channel", help="Only this app id; repeatable.")
FACTS = ("platform", "package", "app_name", "version_name", "version_code", "min_sdk", "target_sdk", "min_os",
         "sha256", "size")


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    file: Path = PACKAGE,
    fmt: str = typer.Option("table", "--format", help="table or json."),
    policy: Path | None = POLICY,
    checks: str | None = typer.Option(None, "--checks", help="Comma-separated app check ids (default: all)."),
) -> None:
    """Analyse an app package (Android APK or iOS IPA) and judge it with the app checks:
    permissions, trackers, cleartext traffic, debuggable, backup, exported components, SDK
    levels, signing, secrets, WebView bridges; for an IPA usage strings and ATS. Nothing is
    stored.

    [dim]Example: mgov app analyze gov.apk --policy privacy.txt --format json[/dim]
    """
    # Deferred: androguard and the checks load only for the command that analyses a package.
    from mgov.apps.package import analyze_file
    from mgov.checks.plugins import select
    from mgov.evidence.app import APP_KEY
    from mgov.evidence.site import ChannelFacts, SiteEvidence
    from mgov.scan.app_kind import read_policy

    st = state(ctx)
    lang = st.lang
    fmt = choices.stdout_format(lang, fmt, False, ("table", "json"))
    wanted = [c.strip() for c in (checks or "").split(",") if c.strip()]
    chosen = [c for c in select(wanted) if APP_KEY in c.needs]
    if wanted and len(chosen) != len(wanted):
        raise typer.BadParameter(f"not app checks: {', '.join(w for w in wanted if w not in {c.id for c in chosen})}")
    policy_text = read_policy(policy) if policy is not None else None
    evidence = analyze_file(file, policy_text=policy_text)
    kind = "app_android" if evidence.platform == "android" else "app_ios"
    facts = ChannelFacts(kind=kind, address=evidence.package or file.name, host="")
    site = SiteEvidence(channel=facts, collected_at=evidence.analysed_at, app=evidence)
    findings = [f for f in (c.run(site) for c in chosen) if f.status.value != "not_applicable"]
    rows = [{"check": f.check, "status": f.status.value, "message": (f.message_zh if lang == "zh" else f.message),
             "value": f.value} for f in findings]
    if fmt == "json":
        print_json({"file": str(file), "app": evidence.as_dict(), "findings": rows})
        return
    print_table(lang, [{"fact": k, "value": getattr(evidence, k)} for k in FACTS if getattr(evidence, k) is not None],
                ["fact", "value"], title=t(lang, "app_analysed", file=file.name))
    shown = labelled(lang, with_titles(lang, rows, names_for(st.settings), check="check"), status="finding")
    print_table(lang, shown, ["check", "title", "status", "message"])


@app.command("scan")
def scan(
    ctx: typer.Context,
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    kind: list[str] | None = KINDS,
    channel: list[str] | None = CHANNELS,
    checks: str | None = typer.Option(None, "--checks", help="Comma-separated check ids (default: every app check)."),
    profile: str | None = typer.Option(None, "--profile", help="Only the checks this guideline profile binds "
                                                              "(see `mgov profiles show ID`)."),
    resume: bool = typer.Option(False, "--resume", help="Finish the newest unfinished app run (or --run)."),
    run: int | None = typer.Option(None, "--run", help="With --resume: the run to finish."),
    concurrency: int = typer.Option(2, "--concurrency", min=1, help="Packages analysed at once."),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes (0: one per core for runs of 500+ "
                                                           "channels, else one)."),
    cluster: bool = CLUSTER,
    detach: bool = DETACH,
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
) -> None:
    """Judge registered app channels (app_android, app_ios) from the package file the registry
    gives (channel attribute package_file; privacy_policy_file optional): each package is
    archived once per SHA-256 (WARC), and the findings point at it (docs/apps.md).

    [dim]Example: mgov app scan --org cn-440300 && mgov findings --check app.trackers[/dim]
    """
    # Deferred: the run stack and androguard load only for commands that run.
    from mgov.cli.scan import run_pass
    from mgov.runs.context import RoutingOptions

    if resume and (org or kind or channel or checks or profile):
        raise typer.BadParameter("--resume keeps the run's own selection and checks: give none of --org, --kind, "
                                 "--channel, --checks, --profile")
    run_pass(ctx, "app", resume=resume, run=run, concurrency=concurrency, workers=workers, as_json=as_json,
             cluster=cluster, detach=detach,
             selection={"org": org, "kinds": kind, "channels": channel, "checks": (checks or "").split(","),
                        "routing": RoutingOptions()}, profile=profile)
