"""Benchmark: `mgov export registry.yaml` for the US .gov registry against the issue's 5 s
limit, beside the old way (PyYAML's pure-Python safe_dump of the same document).

Imports current-full.csv into a fresh SQLite database, then times the real CLI in a
subprocess (interpreter start-up included), and the old emitter on the same rows in this
process; checks that both files load (yaml.safe_load) to the same document.

    .venv/bin/python bench/export_registry.py
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from mgov.db.engine import make_engine
from mgov.formats.export import registry_document, registry_rows

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "mgov" / "demo" / "data" / "current-full.csv"
LIMIT_S = 5.0


def mgov(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the command (CPU: what it costs on a machine others share)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mgov", *args], env=env, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, cpu


def old_way(url: str, path: Path) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    engine = make_engine(url)
    with engine.connect() as conn:
        doc = registry_document(registry_rows(conn))
    with path.open("w", encoding="utf-8") as fh:
        yaml.safe_dump(doc, fh, allow_unicode=True, sort_keys=False, width=120)
    engine.dispose()
    return time.perf_counter() - start, time.process_time() - cpu


def load(path: Path) -> object:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only to compare; the C loader is quicker
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader, chosen above


def main() -> None:
    print(f"{time.strftime('%Y-%m-%d')} · {platform.node()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · PyYAML {yaml.__version__}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        url = f"sqlite:///{tmp}/bench.db"
        env = {**os.environ, "MGOV_DATABASE_URL": url, "MGOV_HOME": str(tmp / "home"), "MGOV_LANG": "en"}
        mgov(env, "db", "upgrade")
        mgov(env, "import", "dotgov", str(DATA), "--json")
        new, new_cpu = mgov(env, "export", str(tmp / "new.yaml"))
        old, old_cpu = old_way(url, tmp / "old.yaml")
        same = load(tmp / "new.yaml") == load(tmp / "old.yaml")
        print(f"mgov export registry.yaml   {new:6.2f} s, CPU {new_cpu:5.2f} s  "
              f"({new / LIMIT_S:.2f} × the {LIMIT_S:.0f} s limit)")
        print(f"old way (yaml.safe_dump)    {old:6.2f} s, CPU {old_cpu:5.2f} s  "
              f"({old / new:.1f} × the new export; no interpreter start-up)")
        print(f"same document on safe_load: {same}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
