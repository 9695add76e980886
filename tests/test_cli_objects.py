"""The CLI objects where it should (issue 15, item 8): unknown filter values and unknown
channels are refused with the choices, findings say which runs they show, --json works where
the README says, output files' formats follow their names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from mgov.db.tables import CHANNELS, FINDINGS, SCAN_RUNS

SZ = "https://www.sz.gov.cn"
GD = "https://www.gd.gov.cn"


def _run(conn, kind: str, day: int) -> int:
    return int(conn.execute(insert(SCAN_RUNS).values(
        kind=kind, status="finished", params={}, started_at=dt.datetime(2026, 12, day, 2, 0, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 12, day, 3, 0, tzinfo=dt.UTC)).returning(SCAN_RUNS.c.id)).scalar_one())


def _finding(conn, run: int, address: str, check: str, status: str) -> None:
    channel = conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address == address)).scalar_one()
    conn.execute(insert(FINDINGS).values(
        run_id=run, channel_id=channel, check_id=check, status=status, value=None, message=f"{check} {status}",
        evidence=[{"file": "a.warc.gz", "offset": 10, "length": 5}],
        observed_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)))


@pytest.fixture
def runs(cli, engine: Engine, cn_sample: Path) -> dict[str, int]:
    """An old scan (hsts fails), a newer scan (hsts passes) and a crawl (a dead link)."""
    cli("import", str(cn_sample))
    with engine.begin() as conn:
        old = _run(conn, "scan", 1)
        _finding(conn, old, SZ, "hsts", "fail")
        scan = _run(conn, "scan", 2)
        _finding(conn, scan, SZ, "hsts", "pass")
        _finding(conn, scan, GD, "hsts", "fail")
        crawl = _run(conn, "crawl", 3)
        _finding(conn, crawl, SZ, "links.dead", "fail")
    return {"old": old, "scan": scan, "crawl": crawl}


def test_findings_show_the_newest_run_of_each_kind_and_say_so(cli, runs) -> None:
    out = cli.json("findings")
    assert [r["id"] for r in out["runs"]] == [runs["scan"], runs["crawl"]]
    assert {(f["run"], f["check"]) for f in out["findings"]} == {
        (runs["scan"], "hsts"), (runs["crawl"], "links.dead")}
    fails = cli("findings", "--status", "fail")
    assert f"scan run {runs['scan']} of 2026-12-02" in fails.stderr
    assert f"crawl run {runs['crawl']} of 2026-12-03" in fails.stderr
    assert "links.dead" in fails.stdout and GD in fails.stdout
    zh = cli("findings", MGOV_LANG="zh", MGOV_TIME_ZONE="Asia/Shanghai")
    assert f"2026-12-02 10:00 的扫描运行 {runs['scan']}" in zh.stderr  # 02:00 UTC is 10:00 in UTC+8
    assert f"抓取运行 {runs['crawl']}" in zh.stderr
    # --run and --all-runs choose otherwise; --format json is the same as --json.
    only_old = cli.json("findings", "--run", str(runs["old"]))
    assert [r["id"] for r in only_old["runs"]] == [runs["old"]] and len(only_old["findings"]) == 1
    every = json.loads(cli("findings", "--all-runs", "--format", "json").stdout)
    assert len(every["runs"]) == 3 and len(every["findings"]) == 4
    assert "run" in cli("findings", "--all-runs").stdout.splitlines()[0].lower()


def test_findings_refuse_unknown_values_and_channels(cli, runs) -> None:
    bad = cli("findings", "--status", "failed", code=2)
    assert "pass, fail, warn, error, not_applicable" in bad.stderr
    assert "可选" in cli("findings", "--status", "failed", code=2, MGOV_LANG="zh").stderr
    assert "links.dead" in cli("findings", "--check", "link.dead", code=2).stderr
    nope = cli("findings", "--channel", "https://nope.gov.cn", code=1)
    assert "no such channel: https://nope.gov.cn" in nope.stderr and "(none)" not in nope.stdout
    assert "没有这个渠道" in cli("findings", "--channel", "https://nope.gov.cn", code=1, MGOV_LANG="zh").stderr
    assert "json" in cli("findings", "--json", "--format", "csv", code=2).stderr
    assert cli.json("findings", "--channel", "www.sz.gov.cn")["findings"]  # the address as a user types it
