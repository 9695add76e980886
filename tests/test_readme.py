"""The README is checked by the tests: its two commands are the ones CI runs, and every
`mgov` line of the five-minute tour works as written."""

import re
import shlex
from pathlib import Path

import pytest

from demo_checks import check_demo_output

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks():
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_the_two_commands_exist_and_ci_runs_the_test_command():
    blocks = [b.strip() for b in shell_blocks()]
    assert "./scripts/demo" in blocks and "./scripts/test" in blocks
    for script in ("scripts/demo", "scripts/test", ".ci/run"):
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert "./scripts/test" in (ROOT / ".ci" / "run").read_text()


def tour_commands():
    tour = next(b for b in shell_blocks() if "mgov init" in b)
    joined = tour.replace("\\\n", " ")
    for line in joined.splitlines():
        line = line.split("  #")[0].strip()
        words = shlex.split(line, comments=True)
        env = {}
        while words and re.match(r"^[A-Z_]+=", words[0]):
            k, _, v = words.pop(0).partition("=")
            env[k] = v
        if words and words[0] == "mgov":
            yield words[1:], env


@pytest.mark.heavy
def test_tour_runs_as_written(cli, monkeypatch):
    monkeypatch.chdir(ROOT)  # the tour uses paths relative to the checkout
    ran = 0
    demo_ran = False
    for args, env in tour_commands():
        if args[:1] == ["export"]:
            args = ["export", str(cli.env["MGOV_HOME"]) + "/" + args[1]]
        if args[:1] == ["demo"]:
            assert args == ["demo", "--no-serve"]  # the tour must not stop at the served dashboard
            check_demo_output(cli, cli(*args, **env, COLUMNS="200").stdout)
            demo_ran = True
        else:
            cli(*args, **env)
        ran += 1
    assert ran >= 15 and demo_ran
    shown = cli.json("channel", "show", "https://lh.sz.gov.cn")
    assert shown["status"] == "merged" and shown["history"][-1]["event"] == "merged"
