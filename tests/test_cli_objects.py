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


# Commands that list things besides the `... list` ones; each takes --json (the README's promise).
LISTING = {("findings",), ("links",), ("registry", "audit"), ("registry", "vocab"), ("probe-stats",), ("runs",)}
README = Path(__file__).resolve().parents[1] / "README.md"


def _leaves(command, path=()):
    subs = getattr(command, "commands", None)
    if not subs:
        yield path, command
        return
    for name, sub in subs.items():
        yield from _leaves(sub, (*path, name))


def _commands() -> dict[tuple[str, ...], object]:
    import typer.main

    from mgov.cli import app

    return dict(_leaves(typer.main.get_command(app)))


def _options(command) -> set[str]:
    return {o for p in command.params for o in getattr(p, "opts", [])}


def test_every_list_command_and_every_readme_json_takes_json(cli, runs) -> None:
    commands = _commands()
    lists = {path for path in commands if path[-1] == "list"} | LISTING
    assert lists - set(commands) == set()
    # The README's own --json examples name commands that take it.
    readme = README.read_text(encoding="utf-8")
    assert "list commands take `--json`" in readme
    named = set()
    for line in readme.splitlines():
        for fragment in line.split("mgov ")[1:]:
            if "--json" not in fragment:
                continue
            words = [w.strip("`") for w in fragment.split()]
            path = next(tuple(words[:n]) for n in range(len(words), 0, -1) if tuple(words[:n]) in commands)
            named.add(path)
    assert named, "the README shows --json somewhere"
    for path in sorted(lists | named):
        assert "--json" in _options(commands[path]), path
    # Each list runs with --json and prints JSON, on a small registry with a scan and a crawl.
    for path in sorted(lists):
        json.loads(cli(*path, "--json").stdout)
    # --format json, where there is a --format, is the same.
    for path in sorted(p for p in lists if "--format" in _options(commands[p])):
        assert json.loads(cli(*path, "--format", "json").stdout) == json.loads(cli(*path, "--json").stdout), path


def test_list_filters_refuse_unknown_values(cli, cn_sample) -> None:
    cli("import", str(cn_sample))
    refused = [
        (["channel", "list", "--kind", "websit"], "website, mobile_site"),
        (["channel", "list", "--status", "open"], "active, suspended"),
        (["org", "list", "--tier", "prefect"], "prefecture"),
        (["person", "list", "--role", "boss"], "security_officer"),
        (["person", "list", "--sort", "age"], "newest"),
        (["tasks", "list", "--status", "done"], "open, closed, escalated"),
        (["disputes", "list", "--status", "won"], "filed, upheld, overturned"),
        (["registry", "audit", "--role", "boss"], "content_manager"),
        (["checks", "list", "--format", "yaml"], "markdown"),
    ]
    for args, listed in refused:
        out = cli(*args, code=2)
        assert listed in out.stderr, (args, out.stderr)
    assert "可选" in cli("channel", "list", "--kind", "websit", code=2, MGOV_LANG="zh").stderr
    missing = [
        (["channel", "list", "--owner", "cn-nope"], "no such organization: cn-nope"),
        (["org", "list", "--parent", "cn-nope"], "no such organization: cn-nope"),
        (["person", "list", "--org", "cn-nope"], "no such organization: cn-nope"),
        (["tasks", "list", "--channel", "https://nope.gov.cn"], "no such channel"),
    ]
    for args, said in missing:
        out = cli(*args, code=1)
        assert said in out.stderr and "(none)" not in out.stdout, (args, out.output)
    assert "没有这个单位" in cli("org", "list", "--parent", "cn-nope", code=1, MGOV_LANG="zh").stderr


def test_piped_tables_are_tsv_and_terminal_tables_keep_ids_whole(cli, cn_sample, monkeypatch) -> None:
    from rich.console import Console

    from mgov.cli import common

    cli("import", str(cn_sample))
    piped = cli("channel", "list").stdout.splitlines()
    header = piped[0].split("\t")
    assert "Address" in header or "address" in [h.lower() for h in header], header
    rows = [line.split("\t") for line in piped[1:]]
    assert rows and all(len(r) == len(header) for r in rows)
    assert "https://www.sz.gov.cn" in {cell for r in rows for cell in r}  # whole, in its own cell
    # In a terminal narrower than the table, an id column is not folded mid-word.
    narrow = Console(force_terminal=True, width=60, color_system=None)
    monkeypatch.setattr(common, "console", narrow)
    with narrow.capture() as captured:
        cli("org", "list")
    text = captured.get()
    codes = [line.split("\t")[0] for line in cli_codes(cli, monkeypatch)]
    assert codes and all(code in text for code in codes), text


def cli_codes(cli, monkeypatch) -> list[str]:
    """The organization codes, read from the piped (TSV) table."""
    from rich.console import Console

    from mgov.cli import common

    monkeypatch.setattr(common, "console", Console(file=None, force_terminal=False))
    return cli("org", "list").stdout.splitlines()[1:]


def test_a_person_just_added_is_shown_or_the_table_says_how(cli, monkeypatch) -> None:
    from rich.console import Console

    from mgov.cli import common

    yaml_people = "format: mgov-registry/1\npeople:\n" + "".join(
        f"- key: p{i:03d}@a.example\n  name: Person {i}\n" for i in range(205))
    path = Path(cli.env["MGOV_HOME"]) / "people.yaml"
    path.write_text(yaml_people, encoding="utf-8")
    cli("import", str(path))
    cli("person", "add", "--name", "Zhou Zhen", "--email", "zz.new@a.example")
    # Piped: every row, the new one too.
    assert "zz.new@a.example" in cli("person", "list", "--unmask").stdout
    terminal = Console(force_terminal=True, width=200, color_system=None)
    monkeypatch.setattr(common, "console", terminal)
    with terminal.capture() as captured:
        cli("person", "list", "--unmask")
    first_page = captured.get()
    assert "zz.new@a.example" not in first_page  # 200 by key come first ...
    assert "showing 200 of 206" in first_page and "--sort newest" in first_page  # ... and it says so
    with terminal.capture() as captured:
        cli("person", "list", "--unmask", "--sort", "newest", "--limit", "5")
    assert "zz.new@a.example" in captured.get()
    with terminal.capture() as captured:
        cli("person", "list", "--unmask", "--all")
    assert "zz.new@a.example" in captured.get()


def test_output_files_take_their_format_from_their_name(cli, cn_sample, tmp_path) -> None:
    cli("import", str(cn_sample))
    docx = cli("report", "--assessment", "1", "--out", str(tmp_path / "x.docx"), code=2)
    assert ".pdf" in docx.stderr and ".xlsx" in docx.stderr and ".json" in docx.stderr
    assert not (tmp_path / "x.docx").exists()
    assert "文件类型" in cli("report", "--assessment", "1", "--out", str(tmp_path / "x.docx"), code=2,
                          MGOV_LANG="zh").stderr
    clash = cli("report", "--assessment", "1", "--format", "html", "--out", str(tmp_path / "x.pdf"), code=2)
    assert "contradicts" in clash.stderr
    # A known extension passes the check (and then there is no assessment 1).
    for name in ("x.pdf", "x.json", "x.HTML", "x.csv"):
        assert cli("report", "--assessment", "1", "--out", str(tmp_path / name), code=1).exit_code == 1
    refused = cli("export", str(tmp_path / "registry.docx"), code=2)
    assert ".yaml" in refused.stderr and ".csv" in refused.stderr
    cli("export", str(tmp_path / "registry.yml"))
    assert (tmp_path / "registry.yml").read_text(encoding="utf-8").startswith("format: mgov-registry/1")


def test_demo_prints_passwords_only_when_it_serves(cli, monkeypatch) -> None:
    import uvicorn

    import mgov.demo
    import mgov.web

    login = {"username": "demo-admin", "password": "Secret-pass-1234", "role": "admin", "organization": ""}
    monkeypatch.setattr(mgov.demo, "run_demo", lambda *a, **k: {"ok": True, "logins": [login]})
    served = []
    monkeypatch.setattr(mgov.web, "create_app", lambda *a, **k: object())
    monkeypatch.setattr(uvicorn, "run", lambda app, **k: served.append(k))
    quiet = cli("demo", "--no-serve")
    assert "Secret-pass-1234" not in quiet.output and "printed when the dashboard is served" in quiet.output
    assert not served
    serving = cli("demo")
    assert "Secret-pass-1234" in serving.output and served
