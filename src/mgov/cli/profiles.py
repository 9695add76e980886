"""mgov profiles: the guideline profiles (indicator trees) shipped and in user folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from mgov.cli.common import JSON_OPTION, console, err_console, print_json, show_value, state
from mgov.i18n import header
from mgov.profiles import ProfileError, load, load_all, resolve
from mgov.profiles.describe import summary_row, tree

app = typer.Typer(help="Guideline profiles: indicators, rules and scoring. [dim]Example: mgov profiles list[/dim]",
                  no_args_is_help=True)

MESSAGES: dict[str, tuple[str, str]] = {
    "count": ("{n} profiles", "共 {n} 个指标体系"),
    "scoring_deduction": ("Veto gate, then {total:g} points by deduction; fails below {pass_mark:g}",
                          "单项否决，扣分指标 {total:g} 分，低于 {pass_mark:g} 分为不合格"),
    "scoring_bonus": ("bonus up to {bonus_max:g} above {bonus_gate:g} for '{scope}' channels",
                      "高于 {bonus_gate:g} 分的“{scope}”渠道可获加分，最多 {bonus_max:g} 分"),
    "scoring_no_service": ("without external services: out of {no_service_total:g}, × {mult:.4g}",
                           "无对外服务职能：按 {no_service_total:g} 分计，乘以 {mult:.4g}"),
    "scoring_percentage": ("Equal-weight percentage of requirements met; grades {grades}",
                           "按达标要求所占百分比计分（等权）；等级 {grades}"),
    "scoring_incomplete": ("incomplete (no score, not ranked, a task to restore monitoring due in {deadline}) "
                           "when {share:.0%} or more of the monitored indicators are not assessed",
                           "监测指标未评估达 {share:.0%} 及以上为监测不完整"
                           "（不计分、不参与排名，恢复监测期限 {deadline}）"),
    "resolved": ("Effective indicators for {kind}, tier {tier}: {n}", "适用于 {kind}、{tier} 的指标：{n} 项"),
    "all_indicators": ("All {n} indicators (use --kind and --tier for one channel class)",
                       "全部 {n} 项指标（用 --kind 和 --tier 查看某类渠道适用的指标）"),
    "valid": ("valid: {id} ({n} indicators, {path})", "有效：{id}（{n} 项指标，{path}）"),
    "invalid": ("{n} errors", "{n} 处错误"),
    "kind_and_tier": ("--kind and --tier go together", "--kind 与 --tier 须同时给出"),
}
HEADERS_ZH = {"category": "类别", "rule": "规则", "source": "来源", "points": "每处扣分", "cap": "上限",
              "weight": "权重", "deadline": "整改时限", "kinds": "渠道类型", "indicators": "指标数",
              "uncertain": "存疑", "extends": "继承"}
RULES_ZH = {"veto": "单项否决", "deduct": "扣分", "weight": "权重", "bonus": "加分"}
SOURCES_ZH = {"check": "检查", "manual": "人工", "rating": "好差评", "usage": "访问量", "probe": "探测"}

DIRS_OPTION = typer.Option(None, "--dir", help="A folder of user profiles (repeatable; "
                           "<home>/profiles is always searched when it exists).")


def msg(lang: str, key: str, **kwargs: Any) -> str:
    en, zh = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kwargs)


def _table(lang: str, rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    table = Table(title=title)
    for col in columns:
        table.add_column(HEADERS_ZH.get(col) or header(lang, col) if lang == "zh" else header(lang, col),
                         overflow="fold")
    for row in rows:
        table.add_row(*(show_value(row.get(c)) for c in columns))
    console.print(table, soft_wrap=False)


def _num(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _dirs(ctx: typer.Context, dirs: list[Path] | None) -> list[Path]:
    return state(ctx).settings.profile_dirs + list(dirs or [])


@app.command("list")
def list_(ctx: typer.Context, dirs: list[Path] | None = DIRS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the profiles: shipped ones and those in user folders.

    [dim]Example: mgov profiles list --dir ./my-profiles[/dim]
    """
    lang = state(ctx).lang
    profiles = load_all(_dirs(ctx, dirs))
    rows = [summary_row(p, lang) for p in profiles.values()]
    if as_json:
        print_json(rows)
        return
    _table(lang, rows, ["id", "title", "jurisdiction", "kinds", "indicators"])
    console.print(msg(lang, "count", n=len(rows)))


def _deadline(lang: str, d: Any) -> str:
    if lang != "zh":
        return str(d)
    return {"immediate": "立即", "working_days": f"{d.days} 个工作日", "calendar_days": f"{d.days} 天"}[d.kind]


def _scoring_lines(lang: str, s: Any) -> list[str]:
    incomplete = msg(lang, "scoring_incomplete", share=s.incomplete_share,
                     deadline=_deadline(lang, s.incomplete_deadline))
    if s.method == "percentage":
        grades = ", ".join(f"{g.letter} ≥ {g.min:g}" for g in s.grades)
        return [msg(lang, "scoring_percentage", grades=grades), incomplete]
    lines = [msg(lang, "scoring_deduction", total=s.total, pass_mark=s.pass_mark)]
    if s.bonus_max:
        lines.append(msg(lang, "scoring_bonus", bonus_max=s.bonus_max, bonus_gate=s.bonus_gate or 0,
                         scope=s.bonus_scope or "*"))
    if s.no_service_total:
        lines.append(msg(lang, "scoring_no_service", no_service_total=s.no_service_total,
                         mult=s.no_service_multiplier))
    return [*lines, incomplete]


@app.command("show")
def show(ctx: typer.Context, profile_id: str = typer.Argument(..., metavar="ID"),
         kind: str | None = typer.Option(None, "--kind", help="Channel kind, e.g. website."),
         tier: str | None = typer.Option(None, "--tier", help="Tier, e.g. county."),
         dirs: list[Path] | None = DIRS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show a profile's indicator tree, resolved for a kind and tier when given.

    [dim]Example: mgov profiles show cn-2019-website --kind website --tier township[/dim]
    """
    lang = state(ctx).lang
    if (kind is None) != (tier is None):
        raise typer.BadParameter(msg(lang, "kind_and_tier"))
    profile = load(profile_id, _dirs(ctx, dirs))
    indicators = resolve(profile, kind, tier) if kind and tier else list(profile.indicators)
    if as_json:
        print_json(tree(profile, kind, tier))
        return
    rows = []
    for cat in profile.categories:
        for ind in (i for i in indicators if i.category == cat.id):
            rows.append({"category": cat.title(lang), "id": ind.id, "title": ind.title(lang),
                         "rule": RULES_ZH[ind.rule] if lang == "zh" else ind.rule,
                         "source": SOURCES_ZH[ind.source] if lang == "zh" else ind.source,
                         "check": ind.check, "points": _num(ind.points), "cap": _num(ind.cap),
                         "weight": _num(ind.weight), "deadline": str(ind.deadline) if ind.deadline else None,
                         "uncertain": "?" if ind.uncertain else None})
    _table(lang, rows, ["category", "id", "title", "rule", "source", "check", "points", "cap", "weight",
                        "deadline", "uncertain"], title=f"{profile.id}: {profile.title(lang)}")
    for line in _scoring_lines(lang, profile.scoring):
        console.print(line)
    console.print(msg(lang, "resolved", kind=kind, tier=tier, n=len(rows)) if kind else
                  msg(lang, "all_indicators", n=len(rows)))


PATHS_ARGUMENT = typer.Argument(None, help="Profile files or folders of them.")


@app.command("validate")
def validate(ctx: typer.Context,
             paths: list[Path] | None = PATHS_ARGUMENT,
             dirs: list[Path] | None = DIRS_OPTION) -> None:
    """Validate the shipped profiles, the user folders and the given files; exit 1 on errors.

    [dim]Example: mgov profiles validate ./my-profiles/county-website.toml[/dim]
    """
    lang = state(ctx).lang
    folders = _dirs(ctx, dirs) + [p for p in paths or [] if p.is_dir()]
    files = [p for p in paths or [] if not p.is_dir()]
    try:
        profiles = load_all(folders, files)
    except ProfileError as exc:
        for line in exc.errors:
            err_console.print(line, markup=False, highlight=False, soft_wrap=True)
        err_console.print(msg(lang, "invalid", n=len(exc.errors)))
        raise typer.Exit(1) from None
    for p in profiles.values():
        console.print(msg(lang, "valid", id=p.id, n=len(p.indicators), path=p.source), markup=False,
                      highlight=False, soft_wrap=True)
