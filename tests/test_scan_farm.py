"""Scanning the demo farm end to end: real HTTP(S) servers, DNS and certificates on loopback.

The farm's manifest says which defects each site has; the scan must report every one with
its checks, and no check may flag a site that lacks the defects mapped to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from sqlalchemy import func, select

from mgov.checks.plugins import all_checks
from mgov.config import load_settings
from mgov.db.tables import FINDINGS, SCAN_ITEMS
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.verify import verify
from mgov.formats.load import import_file
from mgov.runs import store
from mgov.runs.context import RoutingOptions
from mgov.runs.kinds import kind_of
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run


@pytest.fixture(scope="module")
def farm():
    manifest = generate(7, 60)
    with run_in_thread(manifest) as running:
        yield running


def register(engine, manifest, tmp_path):
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []


def routing(farm):
    return RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                          ca_bundle=str(farm.ca_pem), allow_private=True)


def test_scan_reports_every_defect_and_nothing_else(engine, farm, tmp_path):
    register(engine, farm.manifest, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    run_id = start_run(engine, run_params(channels=[s.registry.address for s in farm.manifest.sites],
                                           routing=routing(farm)))
    result = execute_run(engine, settings, run_id)
    assert result["channels"] == 60
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_host: dict = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1], {})[r["check_id"]] = r
    report = verify(farm.manifest, by_host)
    assert report.missed == [] and report.false_alarms == [], json.dumps(report.as_dict(), ensure_ascii=False,
                                                                         indent=1)[:4000]
    assert report.detected == report.defects > 30
    # Real-world forms on healthy sites pass as such; the charset liar is read right and reported.
    m = farm.manifest
    liar = by_host[next(s.host for s in m.sites if s.has("page.charset_liar"))]
    assert liar["page.encoding"]["status"] == "fail"
    assert (liar["page.encoding"]["value"]["declared"], liar["page.encoding"]["value"]["decoded_as"]) == (
        "utf-8", "gb18030")
    bare = by_host[next(s.host for s in m.sites if s.has("page.no_charset"))]["page.encoding"]
    assert bare["status"] == "warn" and bare["value"]["declared_in"] is None
    healthy = m.healthy_sites()
    for form, check, key, want in (("jiucuo", "cn.jiucuo", "hosted", {"former": "former", "local": "local",
                                                                       "script": "platform", "link": "platform"}),
                                   ("links", "links.required", "missing", {"long": [], "short": []})):
        for value, expected in want.items():
            sites = [s for s in healthy if s.form(form) == value]
            assert sites, (form, value)
            for s in sites:
                f = by_host[s.host][check]
                assert f["status"] == "pass" and f["value"][key] == expected, (s.host, f)
    # Every verdict on a fetched page points at archived bytes that can be read back.
    from mgov.collect.warc import read_record

    failing = next(r for r in rows if r["status"] == "fail" and r["check_id"] == "mobile.viewport")
    ref = failing["evidence"][-1]
    record = read_record(settings.resolved_archive_dir, ref)
    assert record.rec_type == "response"
    assert b"<html" in record.payload.lower() and b'name="viewport"' not in record.payload
    # Verdicts on DNS and TLS point at the archived answers and handshakes (WARC metadata).
    tls = next(r for r in rows if r["check_id"] == "tls.valid" and r["status"] == "fail")
    meta = read_record(settings.resolved_archive_dir, tls["evidence"][0])
    assert meta.rec_type == "metadata" and meta.warc_header("WARC-Target-URI").startswith("tls:")
    assert json.loads(meta.payload)["verified"] is False
    no_aaaa = next(r for r in rows if r["check_id"] == "ipv6" and r["value"] == {"aaaa": []})
    dns = read_record(settings.resolved_archive_dir, no_aaaa["evidence"][0])
    assert dns.rec_type == "metadata" and json.loads(dns.payload)["aaaa"] == []


def test_kill_9_and_resume_neither_loses_nor_duplicates(db_url, tmp_path, engine):
    manifest = generate(11, 40, latency_ms=150)
    with run_in_thread(manifest) as running:
        register(engine, manifest, tmp_path)
        env = {**os.environ, "MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(tmp_path / "home")}
        base = [sys.executable, "-m", "mgov", "scan", "--concurrency", "4", "--allow-private",
                "--dns", f"127.0.0.1:{running.dns_port}", "--ca-bundle", str(running.ca_pem)]
        for rule in running.connect_to:
            base += ["--connect-to", rule]
        proc = subprocess.Popen([*base, "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done = conn.execute(select(func.count()).select_from(SCAN_ITEMS)).scalar()
            if done >= 5:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 5 <= done < 40, done
        out = subprocess.run([*base[:3], "scan", "--resume", "--json"], env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout)
        assert result["channels"] == 40 and result["resumed_from"] >= 5
    with engine.connect() as conn:
        items = conn.execute(select(SCAN_ITEMS.c.channel_id)).scalars().all()
        assert len(items) == len(set(items)) == 40
        per_channel = conn.execute(select(FINDINGS.c.channel_id, func.count()).group_by(FINDINGS.c.channel_id)).all()
        scan_checks = sum(kind_of("scan").owns(check) for check in all_checks().values())
        assert len(per_channel) == 40 and {n for _, n in per_channel} == {scan_checks}
        dupes = conn.execute(select(FINDINGS.c.channel_id, FINDINGS.c.check_id, func.count())
                             .group_by(FINDINGS.c.channel_id, FINDINGS.c.check_id)
                             .having(func.count() > 1)).all()
        assert dupes == []


def test_findings_formats_and_probes(cli, farm, tmp_path, engine):
    register(engine, farm.manifest, tmp_path)
    flags = ["--allow-private", "--dns", f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem)]
    for rule in farm.connect_to:
        flags += ["--connect-to", rule]
    hosts = [s.registry.address for s in farm.manifest.sites[:5]]
    channel_args = [a for h in hosts for a in ("--channel", h)]
    cli("scan", *channel_args, "--checks", "availability,hsts,mobile.viewport", *flags)
    lines = cli("findings", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 15
    row = json.loads(lines[0])
    assert {"run", "address", "check", "status", "value", "evidence"} <= set(row)
    assert all(set(ref) == {"file", "offset", "length"} for ref in row["evidence"])
    csv_out = cli("findings", "--format", "csv", "--check", "hsts").stdout.splitlines()
    assert csv_out[0] == "run,address,check,status,value,message,scan_status,evidence" and len(csv_out) == 6
    passed = json.loads(cli("findings", "--status", "pass", "--format", "json").stdout)["findings"]
    assert passed and all(r["status"] == "pass" for r in passed)
    cli("probe", "--once", *flags)
    stats = cli.json("probe-stats")
    assert len(stats) == 60 and all(s["probes"] == 1 for s in stats)
    assert not any(s["veto"] for s in stats)  # one round is not enough probes to judge


def test_ssrf_guard_refuses_loopback_without_allow_private(cli, farm, tmp_path, engine):
    register(engine, farm.manifest, tmp_path)
    site = farm.manifest.healthy_sites()[0]
    flags = ["--dns", f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem)]
    for rule in farm.connect_to:
        flags += ["--connect-to", rule]
    cli("scan", "--channel", site.registry.address, "--checks", "availability", *flags)
    row = json.loads(cli("findings", "--format", "jsonl").stdout.splitlines()[0])
    assert row["status"] == "fail" and row["scan_status"] == "blocked_address"


def test_selections_that_match_nothing_start_no_run(cli, cn_sample):
    cli("import", str(cn_sample))
    for args in (["--org", "nope"], ["--kind", "email"], ["--channel", "https://nowhere.gov.cn"],
                 ["--checks", "no.such.check"]):
        out = cli("scan", *args, code=None)
        assert out.exit_code in (1, 2), (args, out.output)
    assert "no unfinished scan run" in cli("scan", "--resume", code=1).stderr
    assert "no scan has run yet" in cli("findings", code=1).stderr


def test_scan_in_two_worker_processes_reports_the_same(engine, farm, tmp_path):
    """--workers 2: the channels are shared between two processes, each committing its own;
    every channel gets exactly one scan item and the manifest is matched as with one."""
    register(engine, farm.manifest, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    run_id = start_run(engine, run_params(channels=[s.registry.address for s in farm.manifest.sites],
                                           routing=routing(farm)))
    seen: list[str] = []
    result = execute_run(engine, settings, run_id, workers=2, on_channel=lambda facts, _: seen.append(facts.host))
    assert result["channels"] == 60 and sorted(seen) == sorted(s.host for s in farm.manifest.sites)
    with engine.connect() as conn:
        items = conn.execute(select(SCAN_ITEMS.c.channel_id, func.count()).where(SCAN_ITEMS.c.run_id == run_id)
                             .group_by(SCAN_ITEMS.c.channel_id)).all()
        rows = store.findings_of(conn, run_id=run_id)
    assert len(items) == 60 and {n for _, n in items} == {1}
    by_host: dict = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1], {})[r["check_id"]] = r
    report = verify(farm.manifest, by_host)
    assert report.missed == [] and report.false_alarms == []
