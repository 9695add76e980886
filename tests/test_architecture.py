"""The architecture holds: the layer contracts pass, the pure layers load no I/O library,
docs/architecture.md names every module and draws the contracts' layers, and the code's
exceptions to its own rules (noqa, type: ignore, imports inside functions) say why."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mgov"
DOC = ROOT / "docs" / "architecture.md"
HEAVY = ("aiohttp", "dns", "warcio", "sqlalchemy", "sqlite3")


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def modules() -> set[str]:
    """Every module of mgov as a path below src/mgov (packages as their folder, `x/`)."""
    out = set()
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[:2] == ("db", "migrations"):
            continue  # Alembic's scripts and the applied migrations: data, not modules
        out.add(f"{rel.parent.as_posix()}/" if rel.name == "__init__.py" else rel.as_posix())
    out.discard("./")
    return out


def test_import_contracts_pass() -> None:
    """lint-imports with the contracts of pyproject.toml (CI runs it too, before the tests)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_pure_layers_load_no_io_library() -> None:
    """Checks (every plugin loaded), content analysis, profiles (every shipped one loaded and
    validated) and the assessment's scoring, imported in a fresh interpreter."""
    code = (
        "import sys\n"
        "from mgov.checks.plugins import all_checks\n"
        "all_checks()\n"
        "import mgov.content.site, mgov.content.page\n"
        "from mgov.profiles import load_all\n"
        "load_all()\n"
        "import mgov.assess.score, mgov.assess.rank, mgov.assess.aggregate\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_architecture_names_every_module_and_only_real_ones() -> None:
    text = DOC.read_text(encoding="utf-8")
    named: set[str] = set()
    for row in re.findall(r"^\| *(`[^|]+)\|", text, flags=re.MULTILINE):
        # A row names `pkg/` and its modules in parentheses, or modules by path (`clock.py`).
        package = None
        for token in re.findall(r"`([^`]+)`", row):
            if token.endswith("/") and package and (SRC / package / token).is_dir():
                if (SRC / package / token / "__init__.py").exists():
                    named.add(f"{package}{token}")  # a subpackage; a data folder is not a module
            elif token.endswith("/"):
                package = token
                named.add(token)
            elif token.endswith(".py"):
                named.add(f"{package or ''}{token}")
            elif package and re.fullmatch(r"[a-z_0-9]+", token):
                sub = f"{package}{token}/"
                named.add(sub if (SRC / sub).is_dir() else f"{package}{token}.py")
    actual = modules()
    assert not named - actual, f"docs/architecture.md names modules that do not exist: {sorted(named - actual)}"
    assert not actual - named, f"docs/architecture.md does not name: {sorted(actual - named)}"


def test_architecture_draws_the_contracts_layers() -> None:
    """The ```layers block of the doc is the layers contract, layer for layer."""
    block = re.search(r"^```layers\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert block, "docs/architecture.md has no ```layers block"
    drawn = [" | ".join(sorted(re.findall(r"\(?[a-z_0-9]+\)?", line))) for line in block.group(1).splitlines()
             if line.strip()]
    layers = next(c for c in contracts() if c["id"] == "layers")["layers"]
    assert isinstance(layers, list)
    expected = [" | ".join(sorted(x.strip() for x in layer.split("|"))) for layer in layers]
    assert drawn == expected


def _sources() -> list[Path]:
    return [p for d in ("src", "tests", "bench") for p in (ROOT / d).rglob("*.py")
            if "migrations/versions" not in p.as_posix()]


@pytest.mark.parametrize("marker", ["noqa", "type: ignore"])
def test_suppressions_name_their_rule_and_reason(marker: str) -> None:
    """A noqa comment names its rule codes and, after a dash, a reason; a type-ignore names
    its error codes and, in a comment after it, a reason: never a bare silence."""
    rule = {"noqa": re.compile(r"#\s*noqa:\s*[A-Z]+[0-9]+(,\s*[A-Z]+[0-9]+)*\s+[-—]\s*\S"),
            "type: ignore": re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,\s*[a-z-]+)*\]\s*#\s*\S")}[marker]
    bad = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if f"# {marker}" in line and not rule.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_imports_inside_functions_say_why() -> None:
    """An import inside a function defers a heavy dependency, and the comment above its block
    says so (a block: imports on consecutive lines)."""
    bad = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for func in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            found = [n for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom))]
            ends = {n.end_lineno for n in found}
            for node in found:
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                if node.lineno - 1 not in ends and not above.startswith("#"):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not bad, "imports inside functions need a reason comment above them:\n" + "\n".join(sorted(set(bad)))
