"""Ranks and re-runs, on a real database: ties share a rank (1, 1, 3) in the summary, the CLI,
the API, the dashboard and the reports; every view of an assessment gives the same counts; a
profile without grades shows no grade column; the zh charts name every tier in Chinese; and
assessing the same profile and period again makes a new version, the previous kept as history,
with no task opened twice."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from mgov.accounts import users
from mgov.act import load_calendar, open_tasks
from mgov.assess import manual
from mgov.assess.service import run_assessment, summary
from mgov.config import Settings
from mgov.db.engine import make_engine, upgrade
from mgov.db.tables import ASSESSMENTS, CHANNELS, RECTIFICATION_TASKS, SCAN_RUNS
from mgov.formats.load import import_file
from mgov.profiles import load
from mgov.registry import vocab
from mgov.reports import load_report, render_csv, render_html, render_xlsx
from rows import insert_finding, monitored
from webworld import PASSWORD, World

A, B, C, D, E, P = (f"https://www.{x}.gov.cn" for x in "abcdep")
IDENTITY = ("cn.site_code", "cn.icp", "cn.psb", "cn.conac_badge", "cn.jiucuo")  # 6 points: 94
COUNTY = (A, B, C, D, E)
END = date(2026, 1, 31)
REGISTRY = {
    "format": "mgov-registry/1",
    "organizations": [
        {"code": "cn-440000", "name_zh": "广东省人民政府", "jurisdiction": "cn", "tier": "provincial"},
        *({"code": f"cn-4403{n:02}", "name_zh": f"区{n}人民政府", "name_en": f"District {n}", "jurisdiction": "cn",
           "tier": "county", "parent": "cn-440000"} for n in range(1, 6))],
    "people": [{"key": "li.na", "name": "李娜", "email": "li.na@d.example"}],
    "channels": [*({"kind": "website", "address": a, "owner": f"cn-4403{n:02}", "name": f"网站{n}"}
                   for n, a in enumerate(COUNTY, 1)),
                 {"kind": "website", "address": P, "owner": "cn-440000", "name": "省网站"}],
}


def build(engine: Any, tmp: Path) -> dict[str, Any]:
    """January 2026: county websites A and B both clean (100, tied), C with six points of
    identity defects (94), D vetoed, E never resolved (incomplete); a clean provincial one."""
    path = tmp / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        run_id = conn.execute(insert(SCAN_RUNS).values(status="finished", params={}, kind="scan")
                              .returning(SCAN_RUNS.c.id)).scalar_one()
        for day in (date(2026, 1, 10), date(2026, 1, 20)):
            for address in (A, B, C, D, P):
                monitored(conn, run_id, ids[address], day, tier="provincial" if address == P else "county")
            monitored(conn, run_id, ids[E], day, status="error", scan_status="dns_error")
        for check in IDENTITY:
            insert_finding(conn, run_id, ids[C], check, "fail", date(2026, 1, 20))
        insert_finding(conn, run_id, ids[D], "interaction.channel", "fail", date(2026, 1, 20))
        profile = load("cn-2019-website")
        for address in (*COUNTY, P):
            manual.review(conn, profile, date(2026, 1, 1), END, address, "v1_secrets", "met", note="未发现涉密信息")
        users.create_user(conn, "admin", PASSWORD, "admin", display_name="admin")
    first = run_assessment(engine, "cn-2019-website", "2026-01")
    settings = Settings(home=tmp, database_url=str(engine.url.render_as_string(hide_password=False)))
    return {"engine": engine, "ids": ids, "summary": first, "aid": first["assessment"],
            "web": World(engine, settings)}


@pytest.fixture
def world(engine, tmp_path) -> dict[str, Any]:
    return build(engine, tmp_path)


def _county(channels: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(c["address"], c["rank"]) for c in channels if c["tier"] == "county"]


RANKS = [(A, 1), (B, 1), (C, 3), (D, 4), (E, None)]


def test_ties_share_a_rank_in_every_view(world, cli) -> None:
    assert _county(world["summary"]["channels"]) == RANKS
    assert _county(summary(world["engine"], world["aid"])["channels"]) == RANKS
    assert [c["position"] for c in world["summary"]["channels"] if c["tier"] == "county"] == [1, 2, 3, 4, 5]
    assert [c["of"] for c in world["summary"]["channels"] if c["tier"] == "county"] == [4] * 5

    admin, aid = world["web"].client("admin"), world["aid"]
    items = admin.api("GET", "/api/v1/rankings", params={"tier": "county", "kind": "website"}).json()["items"]
    assert [(r["address"], r["rank"]) for r in items] == RANKS
    page = admin.get(f"/rankings?assessment={aid}&tier=county&kind=website").text
    shown = re.findall(r'<tr(?: class="incomplete")?><td>([^<]*)</td><td><a href="/channels/(\d+)">', page)
    by_id = {str(v): k for k, v in world["ids"].items()}
    assert [(by_id[cid], rank) for rank, cid in shown] == [(A, "1"), (B, "1"), (C, "3"), (D, "4"), (E, "—")]

    text = cli("assessment", str(aid), COLUMNS="250").stdout
    lines = [line for line in text.splitlines() if re.search(r"www\.[a-e]\.gov\.cn", line)]
    assert [re.search(r"(\d+/\d+|—)", line).group(1) for line in lines] == ["1/4", "1/4", "3/4", "4/4", "—"]

    zh = load_report(world["engine"], aid, lang="zh")
    rows = list(csv.reader(io.StringIO(render_csv(zh))))
    col = {h: i for i, h in enumerate(rows[0])}
    assert [(r[col["地址"]], r[col["排名"]]) for r in rows[1:] if r[col["地址"]] in COUNTY] == [
        (A, "1"), (B, "1"), (C, "3"), (D, "4"), (E, "")]
    html = render_html(zh)
    ranking = re.sub(r"\s+", "", html.split("按层级排名")[1])
    assert "1/4" in ranking and ranking.count(">1/4<") == 2 and ">3/4<" in ranking and ">2/4<" not in ranking
    labels = re.findall(r">(\d+)\. (https://www\.[a-e]\.gov\.cn)<", html)  # the ranking chart's bars
    assert labels == [("1", A), ("1", B), ("3", C), ("4", D)]


def _counts_of(page: str) -> int:
    return int(re.search(r'data-count="channels">([\d,]+)<', page).group(1).replace(",", ""))


def test_every_view_counts_the_same(world, tmp_path) -> None:
    # Six channels inspected: five assessed (4 pass, 1 fail... D vetoed), E not assessed.
    counts = world["summary"]["counts"]
    assert (counts["channels"], counts["assessed"], counts["passed"], counts["failed"], counts["not_assessed"],
            counts["incomplete"]) == (6, 5, 4, 1, 1, 1)
    admin, aid = world["web"].client("admin"), world["aid"]
    assert admin.api("GET", f"/api/v1/assessments/{aid}").json()["counts"] == counts
    assert admin.api("GET", "/api/v1/overview").json()["assessment"]["counts"] == counts
    assert _counts_of(admin.get("/").text) == 6
    assert _counts_of(admin.get("/", headers={"Accept-Language": "zh-CN"}).text) == 6
    for lang, sheet, label in (("zh", "汇总", "检查渠道数"), ("en", "Summary", "Channels inspected")):
        report = load_report(world["engine"], aid, lang=lang)
        assert report.totals.as_dict() == counts
        assert _counts_of(render_html(report)) == _counts_of(render_html(report, bulletin=True)) == 6
        (tmp_path / f"{lang}.xlsx").write_bytes(render_xlsx(report))
        cells = {r[0]: r[1] for r in load_workbook(tmp_path / f"{lang}.xlsx")[sheet].iter_rows(values_only=True)
                 if r and r[0]}
        assert cells[label] == 6
    pdf_html = render_html(load_report(world["engine"], aid, lang="zh"))  # what the PDF prints
    assert _counts_of(pdf_html) == 6


def test_no_grade_column_for_a_profile_without_grades(world, cli) -> None:
    admin, aid = world["web"].client("admin"), world["aid"]
    page = admin.get(f"/rankings?assessment={aid}&tier=county&kind=website")
    assert "<th scope=\"col\">Grade</th>" not in page.text and "Rank" in page.text
    zh = load_report(world["engine"], aid, lang="zh")
    assert "等级" not in next(csv.reader(io.StringIO(render_csv(zh))))
    header = next(line for line in cli("assessment", str(aid), COLUMNS="250").stdout.splitlines() if "address" in line)
    assert "grade" not in header and "verdict" in header
    # A profile with grades (us-federal: A to F) keeps the column.
    assert "等级" in next(csv.reader(io.StringIO(render_csv(dataclasses.replace(zh, graded=True)))))


def test_zh_charts_name_every_tier_in_chinese(world) -> None:
    admin = world["web"].client("admin")
    page = admin.get("/", headers={"Accept-Language": "zh-CN"}).text
    series = json.loads(re.search(r'<script type="application/json" id="histogram-data">(.*?)</script>',
                                  page, re.S).group(1))["series"]
    assert set(series) == {"县级", "省级"}  # not 县 (the US county) beside 省级
    cn = {t.zh for t in vocab.TIERS["cn"].values()}
    english = {t.en for tiers in vocab.TIERS.values() for t in tiers.values()}
    html = render_html(load_report(world["engine"], world["aid"], lang="zh"))
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    texts = [t for svg in svgs for t in re.findall(r"<(?:text|title)[^>]*>([^<]*)<", svg)]
    assert any("县级" in t for t in texts) and any("省级" in t for t in texts)
    assert not [t for t in texts for word in english if re.search(rf"\b{word}\b", t)]
    assert all(label in cn for label in ("县级", "省级"))


def test_a_rerun_is_a_new_version_and_the_previous_stays_history(world, cli) -> None:
    engine, first = world["engine"], world["aid"]
    with engine.begin() as conn:
        opened = open_tasks(conn, first, load_calendar(), today=date(2026, 2, 2))["opened"]
        tasks = conn.execute(select(func.count()).select_from(RECTIFICATION_TASKS)).scalar_one()
    assert opened and tasks == len(opened)
    admin = world["web"].client("admin")  # one server: it has read (and memoized) the first version
    assert "replaced by a later assessment" not in admin.get(f"/rankings?assessment={first}").text
    again = run_assessment(engine, "cn-2019-website", "2026-01")
    second = again["assessment"]
    assert (again["version"], again["superseded_by"]) == (2, None) and _county(again["channels"]) == RANKS
    with engine.begin() as conn:
        out = open_tasks(conn, second, load_calendar(), today=date(2026, 2, 3))
        assert out["opened"] == []  # the first version's tasks are not opened again
        assert conn.execute(select(func.count()).select_from(RECTIFICATION_TASKS)).scalar_one() == tasks
        heads = conn.execute(select(ASSESSMENTS.c.id, ASSESSMENTS.c.version, ASSESSMENTS.c.superseded_by)
                             .order_by(ASSESSMENTS.c.id)).all()
    assert [tuple(h) for h in heads] == [(first, 1, second), (second, 2, None)]
    old = summary(engine, first)  # history stays readable
    assert (old["version"], old["superseded_by"]) == (1, second) and _county(old["channels"]) == RANKS
    assert summary(engine)["assessment"] == second

    listed = admin.api("GET", "/api/v1/assessments").json()["items"]
    assert [(a["id"], a["version"]) for a in listed] == [(second, 2)]
    everything = admin.api("GET", "/api/v1/assessments", params={"versions": "true"}).json()["items"]
    assert [(a["id"], a["superseded_by"]) for a in everything] == [(second, None), (first, second)]
    assert admin.api("GET", "/api/v1/rankings", params={"tier": "county", "kind": "website"}).json()[
        "assessment"] == second
    assert [t["period"] for t in admin.api("GET", "/api/v1/overview").json()["trend"]] == ["2026-01"]
    latest = admin.get("/rankings").text
    assert f'<option value="{second}" selected>' in latest and f'<option value="{first}"' not in latest
    history = admin.get(f"/rankings?assessment={first}", headers={"Accept-Language": "zh-CN"}).text
    assert "这是第 1 版，已被同一周期的后续考核取代。" in history and f"/rankings?assessment={second}" in history
    assert "第 2 版" in render_html(load_report(engine, second, lang="zh"))
    assert "version" not in render_html(load_report(engine, first, lang="en")).split("<h2>")[0].lower()
    assert cli.json("assessment")["assessment"] == second
    assert f"assessment {second} (version 2)" in cli("assessment", COLUMNS="250").stdout

    # Another selection (one organization) is a series of its own; a third run supersedes the second.
    one = run_assessment(engine, "cn-2019-website", "2026-01", org="cn-440301")
    third = run_assessment(engine, "cn-2019-website", "2026-01")
    assert (one["version"], third["version"]) == (1, 3)
    assert (summary(engine, one["assessment"])["superseded_by"], summary(engine, second)["superseded_by"]) == (
        None, third["assessment"])


def test_migration_0016_shares_stored_ranks_and_numbers_versions(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine, "0013")
    with engine.begin() as conn:
        for n in range(1, 5):
            conn.exec_driver_sql("INSERT INTO channels (id, kind, address, status, tags, attributes, created_at, "
                                 "updated_at) VALUES (?, 'website', ?, 'active', '[]', '{}', CURRENT_TIMESTAMP, "
                                 "CURRENT_TIMESTAMP)", (n, f"https://{n}.gov.cn"))
        conn.exec_driver_sql("INSERT INTO assessments (id, profile_id, period, start, \"end\", created_at, params) "
                             "VALUES (1, 'cn-2019-website', '2025', '2025-01-01', '2025-12-31', CURRENT_TIMESTAMP, "
                             "'{}'), (2, 'cn-2019-website', '2025', '2025-01-01', '2025-12-31', CURRENT_TIMESTAMP, "
                             "'{}')")
        conn.exec_driver_sql("INSERT INTO assessment_results (assessment_id, channel_id, verdict, score, rank, "
                             "rank_of, tier, kind, complete, result, inputs) VALUES "
                             "(2, 1, 'pass', 100, 1, 3, 'county', 'website', 1, '{}', '{}'), "
                             "(2, 2, 'pass', 100, 2, 3, 'county', 'website', 1, '{}', '{}'), "
                             "(2, 3, 'pass', 90, 3, 3, 'county', 'website', 1, '{}', '{}'), "
                             "(2, 4, 'not_assessed', NULL, 4, 3, 'county', 'website', 0, '{}', '{}')")
    upgrade(engine)
    with engine.connect() as conn:
        places = conn.exec_driver_sql("SELECT channel_id, place FROM assessment_results ORDER BY channel_id").all()
        versions = conn.exec_driver_sql("SELECT id, version, superseded_by FROM assessments ORDER BY id").all()
    engine.dispose()
    assert [tuple(r) for r in places] == [(1, 1), (2, 1), (3, 3), (4, None)]
    assert [tuple(r) for r in versions] == [(1, 1, 2), (2, 2, None)]


FONTLESS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""
REFUSE = """
from mgov.errors import MgovError
from mgov.reports.render import render_pdf
try:
    render_pdf('<html lang="zh"><body><h1>2026年第一季度政府网站检查报告</h1></body></html>')
except MgovError as exc:
    print("refused:", exc)
else:
    print("written")
"""


def test_a_chinese_pdf_without_a_cjk_font_is_refused_and_with_one_renders(world, tmp_path) -> None:
    import os
    import sys

    if not shutil.which("fc-list"):
        pytest.skip("no fontconfig here (scripts/system-deps installs it)")
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTLESS.format(cache=tmp_path / "cache"), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    assert subprocess.run(["fc-list", ":lang=zh"], env=env, capture_output=True, text=True).stdout.strip() == ""
    out = subprocess.run([sys.executable, "-c", REFUSE], env=env, capture_output=True, text=True, timeout=300)
    assert out.stdout.startswith("refused:"), out.stdout + out.stderr
    assert "fonts-noto-cjk" in out.stdout
    assert "未找到中文（CJK）字体" in out.stdout and "No CJK font found" in out.stdout

    from mgov.reports.fonts import cjk_families
    from mgov.reports.render import render_pdf

    assert cjk_families(), "the tests need a CJK font: run scripts/system-deps as root"
    html = render_html(load_report(world["engine"], world["aid"], lang="zh"))
    try:
        pdf = render_pdf(html)
    except Exception as exc:  # noqa: BLE001 - no WeasyPrint or Pango here: the refusal above is the test
        pytest.skip(f"no PDF here: {exc}")
    pdftotext = shutil.which("pdftotext")
    assert pdf[:5] == b"%PDF-" and pdftotext
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(tmp_path / "r.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "检查渠道数" in re.sub(r"\s+", "", text)


def _fake(bin_dir: Path, name: str, output: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\nprintf '%s' '{output}'\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.mark.parametrize("families", ["", "Noto Sans CJK SC\n"])
def test_the_demo_checks_for_cjk_fonts_and_says_how_to_get_them(tmp_path, families) -> None:
    """scripts/cjk-fonts (run by scripts/demo): silent with a CJK font; without one and not
    root, it names the package in both languages and lets the demo go on (exit 0)."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake(bin_dir, "fc-list", families)
    _fake(bin_dir, "id", "1000\n")  # not root: nothing is installed
    script = Path(__file__).resolve().parents[1] / "scripts" / "cjk-fonts"
    out = subprocess.run(["bash", str(script)], env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    if families:
        assert out.stdout == out.stderr == ""
    else:
        assert "sudo apt-get install fonts-noto-cjk" in out.stderr and "未找到中文（CJK）字体" in out.stderr
    assert "cjk-fonts" in (Path(__file__).resolve().parents[1] / "scripts" / "demo").read_text(encoding="utf-8")
