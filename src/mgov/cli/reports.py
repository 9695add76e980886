"""mgov report: an assessment as HTML, PDF, CSV or XLSX, or its bulletin (检查情况通报)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import typer

from mgov.cli import choices
from mgov.cli.common import console, state
from mgov.errors import MgovError

OUT_OPTION = typer.Option(..., "--out", help="File to write: its name's extension (.html, .pdf, .csv, .xlsx, "
                                              ".json) chooses the format.")
# The file types a report is written as: the renderers' and the report's data as JSON.
JSON_REPORT = "json"


def report(
    ctx: typer.Context,
    assessment: int = typer.Option(..., "--assessment", help="Assessment id (see `mgov assessment`)."),
    org: str | None = typer.Option(None, "--org", help="Only channels of this organization and those below it."),
    fmt: str | None = typer.Option(None, "--format", help="html, pdf, csv, xlsx or json: must agree with --out's "
                                                           "extension, which chooses it."),
    bulletin: bool = typer.Option(False, "--bulletin", help="The bulletin (检查情况通报) instead: html or pdf."),
    out: Path = OUT_OPTION,
) -> None:
    """Write a report of an assessment: totals, rankings per tier, per organization and per
    channel with the reasons of every failure, and SVG charts (ranking, score distribution,
    trend over earlier periods of the same profile); or, with --bulletin, the inspection
    bulletin in the style of the State Council's quarterly notices. In the user's language.

    [dim]Example: mgov report --assessment 3 --org cn-440300 --format pdf --out report.pdf[/dim]
    """
    # Deferred: the report renderers (Jinja2, WeasyPrint, openpyxl) load only when a report is written.
    from mgov.reports import FORMATS, load_report, write

    st = state(ctx)
    fmt = choices.out_format(st.lang, out, fmt, (*FORMATS, JSON_REPORT), aliases={"htm": "html"})
    if bulletin and fmt not in ("html", "pdf"):
        raise MgovError(f"--bulletin is written as html or pdf, not {fmt}")
    if out.is_dir():
        raise MgovError(f"--out {out} is a folder: name the file to write")
    if not out.parent.is_dir():
        raise MgovError(f"--out {out}: folder {out.parent} does not exist")
    rep = load_report(st.engine(), assessment, org=org, lang=st.lang, profile_dirs=st.settings.profile_dirs)
    if fmt == JSON_REPORT:
        data = {**dataclasses.asdict(rep), "counts": rep.counts}
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    else:
        write(rep, out, fmt, bulletin=bulletin)
    what = ("通报" if bulletin else "报告") if st.lang == "zh" else ("bulletin" if bulletin else "report")
    console.print(f"{what}: {out} ({fmt}, {len(rep.channels)} channels)" if st.lang != "zh"
                  else f"已生成{what}：{out}（{fmt}，{len(rep.channels)} 个渠道）")
