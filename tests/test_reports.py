"""Reports of a real assessment: the demo farm scanned and crawled, assessed with the shipped
cn-2019-website profile (an earlier period first, for the trend), then rendered in every format
and read back: HTML, PDF (pdftotext), CSV, XLSX (openpyxl), the SVG charts and the bulletin."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mgov.assess.service import run_assessment
from mgov.cli import app
from mgov.config import load_settings
from mgov.db.engine import make_engine
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.profiles.names import names
from mgov.reports import (
    PeriodPoint,
    histogram_svg,
    load_report,
    period_label,
    ranking_svg,
    render_html,
    trend_svg,
    write,
)
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

HEALTHY, DEAD_LINKS, NO_CHANNEL = "slj.jl.gov.cn", "www.szlh.gov.cn", "www.yinchuan.gov.cn"
SVG = "{http://www.w3.org/2000/svg}"
YEAR = dt.date.today().year


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def assessed(_template, tmp_path_factory):
    """A database holding two assessments (last year's, with nothing observed, and this year's)
    of farm channels: one healthy, one with deductions, one vetoed (no consultation channel)."""
    tmp = tmp_path_factory.mktemp("reports")
    if os.environ.get("MGOV_TEST_DATABASE_URL"):
        from sqlalchemy import text

        from mgov.db.tables import Base

        url = _template
        eng = make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                              + " RESTART IDENTITY CASCADE"))
    else:
        shutil.copy(_template, tmp / "mgov.db")
        url = f"sqlite:///{tmp / 'mgov.db'}"
        eng = make_engine(url)
    manifest = generate(7, 60)
    with run_in_thread(manifest) as farm:
        path = tmp / "farm.yaml"
        path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
        assert import_file(eng, path).problems == []
        routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                                 ca_bundle=str(farm.ca_pem), allow_private=True)
        addresses = [manifest.site(h).registry.address for h in (HEALTHY, DEAD_LINKS, NO_CHANNEL)]
        settings = load_settings(home=tmp / "home")
        for kind in ("scan", "crawl"):
            execute_run(eng, settings, start_run(eng, run_params(kind=kind, channels=addresses, routing=routing)))
    before = run_assessment(eng, "cn-2019-website", str(YEAR - 1))
    summary = run_assessment(eng, "cn-2019-website", str(YEAR))
    owners = {manifest.site(h).registry.address: manifest.site(h).organization for h in (HEALTHY, DEAD_LINKS,
                                                                                          NO_CHANNEL)}
    yield {"engine": eng, "url": url, "summary": summary, "before": before, "addresses": addresses,
           "owners": owners, "tmp": tmp}
    eng.dispose()


def _by_address(summary):
    return {c["address"]: c for c in summary["channels"]}


def test_model_joins_organizations_and_titles(assessed):
    summary, (_healthy, dead, vetoed) = assessed["summary"], assessed["addresses"]
    report = load_report(assessed["engine"], summary["assessment"], lang="zh")
    assert [c.address for c in report.channels] == [c["address"] for c in summary["channels"]]
    views = {c.address: c for c in report.channels}
    owner = assessed["owners"][vetoed]
    assert (views[vetoed].org_code, views[vetoed].org_name) == (owner.code, owner.name_zh)
    assert views[vetoed].verdict == "fail" and views[vetoed].veto_titles == ("未提供有效咨询建言渠道",)
    assert views[dead].score == _by_address(summary)[dead]["score"] and views[dead].verdict_label == "合格"
    assert report.counts == {"pass": summary["verdicts"].get("pass", 0), "fail": summary["verdicts"].get("fail", 0),
                             "not_assessed": summary["verdicts"].get("not_assessed", 0)}
    assert report.counts["pass"] == 2 and report.counts["fail"] == 1 and report.pass_rate == pytest.approx(66.7)
    problems = {p.id: p for p in report.problems()}
    assert problems["v5_no_channel"].channels == 1 and problems["d_ipv6"].title == "未完成IPv6改造"
    # Per organization: every channel in exactly one group; per tier: the rank order, the
    # incomplete channels (here: the unscanned ones, nothing observed) after the ranked, unranked.
    assert sum(len(g.channels) for g in report.by_org) == len(report.channels)
    for g in report.by_tier:
        ranks = [c.rank for c in g.channels if c.complete]
        assert ranks == list(range(1, len(ranks) + 1))
        assert [c.complete for c in g.channels] == sorted((c.complete for c in g.channels), reverse=True)
        assert all(c.rank is None for c in g.channels if not c.complete)
    # The trend: last year's assessment (nothing observed) and this year's.
    assert [p.period for p in report.history] == [str(YEAR - 1), str(YEAR)]
    assert report.history[0].mean_score is None and report.history[1].mean_score == report.mean_score


def test_org_scope_keeps_only_that_organization(assessed):
    vetoed = assessed["addresses"][2]
    owner = assessed["owners"][vetoed]
    report = load_report(assessed["engine"], assessed["summary"]["assessment"], org=owner.code, lang="en")
    assert report.scope is not None and report.scope.code == owner.code
    assert vetoed in {c.address for c in report.channels}
    from sqlalchemy import select

    from mgov.db.tables import ORGS
    from mgov.registry.accountability import subtree

    with assessed["engine"].connect() as conn:
        codes = subtree({r.id: dict(r._mapping) for r in conn.execute(select(ORGS))}, owner.code)
    assert {c.org_code for c in report.channels} <= codes  # the organization and those below it
    everyone = load_report(assessed["engine"], assessed["summary"]["assessment"], lang="en")
    assert {c.address for c in report.channels} == {c.address for c in everyone.channels if c.org_code in codes}
    assert len(report.channels) < len(assessed["summary"]["channels"])


def test_csv_rows_equal_the_channels(assessed):
    summary = assessed["summary"]
    report = load_report(assessed["engine"], summary["assessment"], lang="zh")
    path = write(report, assessed["tmp"] / "r.csv", "csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    head, body = rows[0], rows[1:]
    assert head[:5] == ["单位代码", "单位", "层级", "类型", "地址"]
    assert len(body) == len(summary["channels"])
    col = {h: i for i, h in enumerate(head)}
    for row, ch in zip(body, summary["channels"], strict=True):
        assert row[col["地址"]] == ch["address"]
        assert row[col["得分"]] == ("" if ch["score"] is None else str(ch["score"]))
        assert row[col["排名"]] == ("" if ch["rank"] is None else str(ch["rank"]))  # incomplete: not ranked
        assert row[col["监测不完整"]] == ("否" if ch["complete"] else "是")
        # The vetoes by their names in the profile, not their ids (issue 15).
        assert row[col["单项否决"]] == "；".join(names().indicator(v, "zh") for v in ch["vetoes"])
        assert row[col["结论"]] == {"pass": "合格", "fail": "不合格", "not_assessed": "未评估"}[ch["verdict"]]


def test_xlsx_cells_equal_the_summary(assessed):
    from openpyxl import load_workbook

    summary = assessed["summary"]
    report = load_report(assessed["engine"], summary["assessment"], lang="en")
    path = write(report, assessed["tmp"] / "r.xlsx", "xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Channels", "Indicators"]
    rows = list(wb["Channels"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    got = {r[col["Address"]]: (r[col["Score"]], r[col["Rank"]], r[col["Verdict"]]) for r in rows[1:]}
    want = {c["address"]: (c["score"], c["rank"], {"pass": "Pass", "fail": "Fail",
                                                   "not_assessed": "Not assessed"}[c["verdict"]])
            for c in summary["channels"]}
    assert got == want
    scored = [r[col["Score"]] for r in rows[1:] if r[col["Score"]] is not None]
    assert scored and all(isinstance(s, (int, float)) for s in scored)
    lines = list(wb["Indicators"].iter_rows(values_only=True))[1:]
    assert len(lines) == sum(len(c["indicators"]) for c in summary["channels"])
    dead = _by_address(summary)[assessed["addresses"][1]]
    homepage = next(r for r in lines if r[0] == dead["address"] and r[2] == "d_homepage_links")
    assert (homepage[5], homepage[6]) == ("failed", 1)
    cells = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    # Every channel of the assessment counts as inspected, as in every other view (assess.counts).
    assert (cells["Pass"], cells["Fail"], cells["Channels inspected"]) == (2, 1, len(summary["channels"]))
    assert cells["Channels inspected"] == summary["counts"]["channels"] == sum(summary["verdicts"].values())


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, re.S)]  # noqa: S314 - our own charts


def test_html_has_well_formed_charts_one_bar_per_ranked_channel(assessed):
    summary = assessed["summary"]
    report = load_report(assessed["engine"], summary["assessment"], lang="zh")
    html = render_html(report)
    assert "政府网站检查报告" in html and assessed["addresses"][0] in html
    svgs = _svgs(html)  # ET.fromstring raises on malformed XML
    bars = [r for s in svgs for r in s.iter(f"{SVG}rect") if "bar" in (r.get("class") or "").split()]
    ranked = [c for c in summary["channels"] if c["rank"] is not None]
    assert sorted(b.get("data-address") for b in bars) == sorted(c["address"] for c in ranked)
    vetoed = next(b for b in bars if b.get("data-address") == assessed["addresses"][2])
    assert float(vetoed.get("width")) == 0 and "bar-fail" in vetoed.get("class")
    bins = [r for s in svgs for r in s.iter(f"{SVG}rect") if r.get("class") == "bin"]
    assert sum(int(b.get("data-count")) for b in bins) == sum(c["score"] is not None for c in summary["channels"])
    assert any(s.find(f"{SVG}polyline") is not None for s in svgs)  # the trend, with an earlier period


def test_chart_functions_directly():
    from mgov.reports.model import ChannelView

    def ch(addr: str, rank: int, score: float | None) -> ChannelView:
        return ChannelView(addr, "website", "网站", "county", "县级", "o", "O", "pass" if score else "fail", "",
                           score, None, rank, 3, None, "", (), (), 0, (), ())

    ranking = ranking_svg([ch("a", 1, 90), ch("b<&>", 2, 45.5), ch("c", 3, None)], "排名 & <x>")
    svg = ET.fromstring(ranking)  # noqa: S314 - our own chart
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class", "").startswith("bar")]
    assert widths == [270.0, 136.5, 0.0]  # 300 px for 100 points
    hist = ET.fromstring(histogram_svg([0, 59.9, 60, 100, 100], "h"))  # noqa: S314 - our own chart
    assert [int(r.get("data-count")) for r in hist.iter(f"{SVG}rect")] == [1, 0, 0, 0, 0, 1, 1, 0, 0, 2]
    points = [PeriodPoint(1, "2026Q1", 50, 40), PeriodPoint(2, "2026Q2", 100, None)]
    trend = ET.fromstring(trend_svg(points, "t"))  # noqa: S314 - our own chart
    lines = [p.get("points") for p in trend.iter(f"{SVG}polyline")]
    assert lines == ["40.0,105.0 460.0,30.0", "40.0,120.0"]
    assert period_label("2026Q4", "zh") == "2026年第四季度" and period_label("2026-11", "zh") == "2026年11月"


def test_bulletin_lists_the_failing_channel_with_its_veto_in_chinese(assessed):
    summary = assessed["summary"]
    report = load_report(assessed["engine"], summary["assessment"], lang="zh")
    html = render_html(report, bulletin=True)
    assert f"关于{YEAR}年度政府网站检查情况的通报" in html
    assert "完成评估3个，合格2个，不合格1个" in html and "总体合格率为66.7%" in html
    failing = html.split("二、不合格政府网站")[1].split("三、存在的主要问题")[0]
    vetoed = assessed["addresses"][2]
    assert vetoed in failing and "单项否决：未提供有效咨询建言渠道" in failing
    assert assessed["addresses"][0] not in failing and assessed["addresses"][1] not in failing
    problems = html.split("三、存在的主要问题")[1].split("四、各层级排名")[0]
    assert "未完成IPv6改造：1个渠道存在此问题，共1处" in problems
    en = render_html(load_report(assessed["engine"], summary["assessment"], lang="en"), bulletin=True)
    assert "Bulletin on the inspection of government websites" in en and "veto: " in en


def _pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext missing: run scripts/system-deps (poppler-utils)"
    return subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _require_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401 - imported only to see whether it loads here
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot be imported here: {exc!r}")


def test_pdf_report_and_bulletin_render_chinese(assessed):
    _require_weasyprint()
    summary = assessed["summary"]
    report = load_report(assessed["engine"], summary["assessment"], lang="zh")
    path = write(report, assessed["tmp"] / "r.pdf", "pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    text = _squash(_pdf_text(path))
    assert f"{YEAR}年度政府网站检查报告" in text
    assert _squash(assessed["addresses"][2]) in text
    bulletin = write(report, assessed["tmp"] / "b.pdf", "pdf", bulletin=True)
    text = _squash(_pdf_text(bulletin))
    assert f"关于{YEAR}年度政府网站检查情况的通报" in text and "未提供有效咨询建言渠道" in text


def _cli(assessed, *args: str, code: int = 0, lang: str = "en"):
    home = assessed["tmp"] / "clihome"
    home.mkdir(exist_ok=True)
    result = CliRunner().invoke(app, ["report", *args], env={"MGOV_DATABASE_URL": assessed["url"],
                                                             "MGOV_HOME": str(home), "MGOV_LANG": lang},
                                catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def test_cli_writes_every_format_and_explains_errors(assessed):
    aid, tmp = str(assessed["summary"]["assessment"]), assessed["tmp"]
    _cli(assessed, "--assessment", aid, "--out", str(tmp / "c.html"), lang="zh")
    assert "政府网站检查报告" in (tmp / "c.html").read_text(encoding="utf-8")
    _cli(assessed, "--assessment", aid, "--out", str(tmp / "c.xlsx"))  # the file's name chooses the format
    assert (tmp / "c.xlsx").read_bytes()[:2] == b"PK"
    _cli(assessed, "--assessment", aid, "--format", "json", "--out", str(tmp / "c.json"))
    data = json.loads((tmp / "c.json").read_text(encoding="utf-8"))
    assert data["assessment"] == int(aid) and data["counts"] and assessed["addresses"][2] in json.dumps(data)
    refused = _cli(assessed, "--assessment", aid, "--format", "xlsx", "--out", str(tmp / "c.bin"), code=2).output
    assert ".xlsx" in refused and not (tmp / "c.bin").exists()
    owner = assessed["owners"][assessed["addresses"][2]].code
    _cli(assessed, "--assessment", aid, "--org", owner, "--out", str(tmp / "c.csv"))
    assert assessed["addresses"][2] in (tmp / "c.csv").read_text(encoding="utf-8-sig")
    _cli(assessed, "--assessment", aid, "--bulletin", "--out", str(tmp / "b.html"), lang="zh")
    assert "检查情况的通报" in (tmp / "b.html").read_text(encoding="utf-8")

    for args, message, code in ((["--assessment", "999"], "no assessment 999", 1),
                                (["--assessment", aid, "--org", "nope"], "no organization 'nope'", 1),
                                (["--assessment", aid, "--format", "docx"], "unknown --format 'docx'", 2),
                                (["--assessment", aid, "--format", "pdf"], "--format pdf contradicts", 2),
                                (["--assessment", aid, "--bulletin", "--out", str(tmp / "b.csv")],
                                 "--bulletin is written as html or pdf", 1),
                                (["--assessment", aid, "--out", str(tmp / "missing" / "x.html")], "does not exist", 1)):
        if "--out" not in args:
            args = [*args, "--out", str(tmp / "e.html")]
        out = _cli(assessed, *args, code=code).output
        assert message in out, out
