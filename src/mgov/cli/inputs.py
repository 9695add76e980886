"""mgov review: a reviewer's decision on an indicator; mgov ratings import: 好差评 counts;
mgov usage import: visits and mobile share. The assessment of the same --period reads them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from mgov.assess import manual
from mgov.assess.period import parse_period
from mgov.cli.common import JSON_OPTION, console, login_name, print_json, print_table, state
from mgov.errors import ImportFailed, MgovError
from mgov.profiles import load

ratings_app = typer.Typer(help="好差评 (user ratings) for assessments. "
                               "[dim]Example: mgov ratings import ratings.csv --profile cn-2019-website "
                               "--period 2026Q4[/dim]", no_args_is_help=True)
usage_app = typer.Typer(help="Usage figures (visits, mobile share) for assessments. "
                             "[dim]Example: mgov usage import all-domains.csv --profile us-federal "
                             "--period 2026Q4[/dim]", no_args_is_help=True)

MESSAGES: dict[str, tuple[str, str]] = {
    "reviewed": ("Recorded review {id}: {address} {indicator} {status} ({rule}) for {profile} {period}",
                 "已记录人工评审 {id}：{address} {indicator} {status}（{rule}），{profile} {period}"),
    "supersedes": ("It supersedes input(s) {ids}", "取代此前的录入 {ids}"),
    "imported": ("{file}: {rows} rows read, {n} {what} inputs stored for {profile} {period}; "
                 "{bad} bad rows, {unknown} unknown channels",
                 "{file}：读取 {rows} 行，为 {profile} {period} 保存{what}数据 {n} 条；错误 {bad} 行，"
                 "未知渠道 {unknown} 个"),
    "unscored": ("No usage indicator of {profile} scores these channels (figures stored): {addresses}",
                 "{profile} 中没有适用于这些渠道的使用量指标（数据已保存）：{addresses}"),
    "rating": ("rating", "好差评"),
    "usage": ("usage", "使用量"),
    "met": ("met", "达标"),
    "failed": ("failed", "不达标"),
    "next": ("Run `mgov assess --profile {profile} --period {period}` to apply them.",
             "运行 `mgov assess --profile {profile} --period {period}` 使其生效。"),
}


def _t(lang: str, key: str, **kw: Any) -> str:
    en, zh = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kw)


def _setup(st: Any, profile_id: str, period: str) -> tuple[Any, dt.date, dt.date]:
    try:
        start, end = parse_period(period)
    except ValueError as exc:
        raise MgovError(str(exc)) from None
    return load(profile_id, dirs=st.settings.profile_dirs), start, end


PROFILE = typer.Option(..., "--profile", help="Profile id (see `mgov profiles list`).")
PERIOD = typer.Option(..., "--period", help="The assessment's period: 2026Q4, 2026-11, 2026 or "
                                            "2026-10-01..2026-12-31 (inputs count for exactly this period).")
BY = typer.Option(None, "--by", help="Who enters it (default: the login name).")
EVIDENCE = typer.Option(None, "--evidence", help="A URL or reference; repeatable.")


def review(
    ctx: typer.Context,
    profile: str = PROFILE,
    period: str = PERIOD,
    channel: str = typer.Option(..., "--channel", help="The channel's address."),
    indicator: str = typer.Option(..., "--indicator", help="Indicator id (see `mgov profiles show P`)."),
    met: bool | None = typer.Option(None, "--met/--failed", help="The reviewer's decision."),
    instances: int | None = typer.Option(None, "--instances", min=0,
                                         help="How many instances (default 1 when failed)."),
    note: str = typer.Option(..., "--note", help="What the reviewer found."),
    evidence: list[str] | None = EVIDENCE,
    by: str | None = BY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a reviewer's decision (人工评审) on one indicator of a channel for a period: the
    indicators checks cannot decide (泄露国家秘密, 办事指南要素缺失 …), or confirming or rejecting
    a check's candidate (严重表述错误): the decision outranks the findings. A newer decision
    for the same channel, indicator and period supersedes the older, which stays as history.

    [dim]Example: mgov review --profile cn-2019-website --period 2026Q4 --channel https://www.szlh.gov.cn
    --indicator v6_guides_incomplete --failed --instances 6 --note "6 个事项缺少 4 类要素"
    --evidence https://www.szlh.gov.cn/bszn/1.html --by 王审核[/dim]
    """
    if met is None:
        raise MgovError("say --met or --failed")
    st = state(ctx)
    prof, start, end = _setup(st, profile, period)
    with st.begin() as conn:
        out = manual.review(conn, prof, start, end, channel, indicator, "met" if met else "failed", note=note,
                            instances=instances, evidence=evidence or [], by=by or login_name())
    if as_json:
        print_json(out)
        return
    console.print(_t(st.lang, "reviewed", id=out["id"], address=out["address"], indicator=out["indicator_id"],
                     status=_t(st.lang, out["status"]), rule=out["rule"], profile=profile, period=period))
    if out["supersedes"]:
        console.print(_t(st.lang, "supersedes", ids=", ".join(map(str, out["supersedes"]))))
    console.print(_t(st.lang, "next", profile=profile, period=period))


def _import(ctx: typer.Context, kind: str, file: Path, profile: str, period: str, by: str | None,
            encoding: str | None, as_json: bool) -> None:
    st = state(ctx)
    prof, start, end = _setup(st, profile, period)
    run = manual.import_ratings if kind == "rating" else manual.import_usage
    with st.begin() as conn:
        report = run(conn, prof, start, end, file, by=by or login_name(), encoding=encoding)
    if as_json:
        print_json(report.as_dict())
    else:
        if report.problems:
            print_table(st.lang, report.problems, ["line", "problem"])
        console.print(_t(st.lang, "imported", file=file, rows=report.rows, n=len(report.imported),
                         what=_t(st.lang, kind), profile=profile, period=period, bad=len(report.problems),
                         unknown=len(report.unknown)))
        if report.unscored:
            console.print(_t(st.lang, "unscored", profile=profile, addresses=", ".join(report.unscored)))
    if not report.imported and report.rows:
        raise ImportFailed(f"nothing could be imported from {file}")


FILE = typer.Argument(..., exists=True, dir_okay=False, help="The CSV file (UTF-8 or GB18030/GBK).")
ENCODING = typer.Option(None, "--encoding", help="The file's encoding (default: detected, UTF-8 or GB18030).")


@ratings_app.command("import")
def ratings_import(
    ctx: typer.Context,
    file: Path = FILE,
    profile: str = PROFILE,
    period: str = PERIOD,
    by: str | None = BY,
    encoding: str | None = ENCODING,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import 好差评 counts per channel: columns channel (address), indicator (optional: default
    the profile's rating indicator), 非常满意,满意,基本满意,不满意,非常不满意 (or very_satisfied,
    satisfied, basically_satisfied, dissatisfied, very_dissatisfied) and overdue (差评 not
    rectified in time, optional). Bad rows are reported with their line; the rest are stored.

    [dim]Example: mgov ratings import 好差评-2026Q4.csv --profile cn-2019-website --period 2026Q4[/dim]
    """
    _import(ctx, "rating", file, profile, period, by, encoding, as_json)


@usage_app.command("import")
def usage_import(
    ctx: typer.Context,
    file: Path = FILE,
    profile: str = PROFILE,
    period: str = PERIOD,
    by: str | None = BY,
    encoding: str | None = ENCODING,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import usage figures shaped like analytics.usa.gov exports: domain (or hostname) and
    visits, with a device column (desktop, mobile, tablet: mobile share = mobile + tablet) or a
    mobile_share / mobile_visits column; rows with a date are summed over the period. Domains
    match channels by host name. Bad rows are reported with their line; the rest are stored.

    [dim]Example: mgov usage import devices.csv --profile us-federal --period 2026Q4[/dim]
    """
    _import(ctx, "usage", file, profile, period, by, encoding, as_json)
