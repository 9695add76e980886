"""mgov assess: score channels against a profile over a period; mgov assessment: show one."""

from __future__ import annotations

from typing import Any

import typer

from mgov.assess.service import run_assessment, summary
from mgov.cli.common import JSON_OPTION, console, print_json, print_table, state
from mgov.cli.words import detail, labelled, names_for
from mgov.errors import NotFound
from mgov.i18n import t
from mgov.profiles.names import label, names
from mgov.registry.addresses import normalize_url

COLUMNS = ["rank", "address", "tier", "kind", "verdict", "score", "grade", "vetoes", "not_assessed", "trend",
           "complete"]


def assess(
    ctx: typer.Context,
    profile: str = typer.Option(..., "--profile", help="Profile id (see `mgov profiles list`)."),
    period: str = typer.Option(..., "--period", help="2026Q4, 2026-11, 2026 or 2026-10-01..2026-12-31."),
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    workers: int | None = typer.Option(None, "--workers", min=0,
                                       help="Processes scoring the channels (default: one a core, up to four, "
                                            "for more than 600 channels; 0: this process only)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Assess channels (综合考核): the period's daily findings and probes, aggregated per the
    profile's indicators, give each channel a verdict, a score, its rank within tier and kind,
    and its change from the previous period. Reviews (mgov review), 好差评 ratings and usage
    figures (mgov ratings/usage import) entered for the same period count too; indicators
    without any input are reported as not assessed, never guessed. A channel with half (the
    profile's incomplete_share) or more of its monitored indicators not assessed is incomplete:
    no score, no rank, listed after the ranked ones. Inputs are stored with the results, so the
    assessment can be recomputed and gives the same.

    [dim]Example: mgov assess --profile cn-2019-website --period 2026Q4 --org cn-440300[/dim]
    """
    st = state(ctx)
    # The breakdown of every indicator of every channel is for `mgov assessment N --channel`.
    result = run_assessment(st.engine(), profile, period, org=org, profile_dirs=st.settings.profile_dirs,
                            detail=False, workers=workers)
    _show(st.lang, result, as_json)


def assessment(
    ctx: typer.Context,
    assessment_id: int | None = typer.Argument(None, help="Assessment id (default: the newest)."),
    channel: str | None = typer.Option(None, "--channel", help="One channel's indicator breakdown."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an assessment: verdicts, scores and ranks, or one channel's indicators with the
    evidence behind each deduction.

    [dim]Example: mgov assessment 3 --channel https://www.sz.gov.cn[/dim]
    """
    st = state(ctx)
    result = summary(st.engine(), assessment_id, detail=channel is not None)
    if channel is None:
        _show(st.lang, result, as_json)
        return
    address = normalize_url(channel)
    one = next((c for c in result["channels"] if c["address"] == address), None)
    if one is None:
        raise NotFound(f"{address} is not in assessment {result['assessment']}")
    if as_json:
        print_json(one)
        return
    found = names_for(st.settings)
    rows = [{"id": i["id"], "title": found.indicator(i["id"], st.lang, result.get("profile")), "rule": i["rule"],
             "status": i["status"], "count": i["instances"], "points": i["points"], "evidence": len(i["evidence"]),
             "note": detail(st.lang, i["detail"])} for i in one["indicators"]]
    print_table(st.lang, labelled(st.lang, rows, rule="rule", status="outcome"),
                ["id", "title", "rule", "status", "count", "points", "evidence", "note"])
    verdict = label("verdict", one["verdict"], st.lang)
    console.print(f"{one['address']}: {verdict} {one['score'] if one['score'] is not None else ''}")
    if not one["complete"]:
        share, observed = one["not_assessed_share"], one["observed_score"]
        console.print(t(st.lang, "assess_incomplete", share="?" if share is None else f"{share:.0%}",
                        observed="—" if observed is None else f"{observed:g}"))


def _show(lang: str, result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    found = names()
    sep = "、" if lang == "zh" else ", "
    rows = [{**c, "vetoes": sep.join(found.indicator(v, lang, result.get("profile")) for v in c["vetoes"]),
             "rank": f"{c['rank']}/{c['of']}" if c["rank"] is not None else "—"} for c in result["channels"]]
    # A profile without grades (China 2019) has no grade column rather than one of dashes.
    columns = COLUMNS if found.graded(result.get("profile")) else [c for c in COLUMNS if c != "grade"]
    print_table(lang, labelled(lang, rows, verdict="verdict", tier="tier", kind="kind", trend="trend"), columns)
    counts = " · ".join([t(lang, "assess_channels_n", n=result["counts"]["channels"]),
                         *(f"{k} {v}" for k, v in sorted(result["verdicts"].items()))])
    if result["incomplete"]:
        counts += " · " + t(lang, "assess_incomplete_n", n=result["incomplete"])
    version = t(lang, "assess_version", n=result["version"]) if result.get("version", 1) > 1 else ""
    console.print(f"assessment {result['assessment']}{version}: {result['profile']} {result['period']} "
                  f"({result['start']}..{result['end']}): {counts} · mgov assessment {result['assessment']} "
                  "--channel ADDRESS")
    if result.get("superseded_by"):
        console.print(t(lang, "assess_superseded", n=result["version"], newer=result["superseded_by"]))
