"""`mgov archive replay` as a service: pywb set up (its venv, configuration, indexes from
mgov's) and run on loopback, its indexes refreshed while it runs; and where the web app finds
the running pywb (docs/archive.md, "Replay")."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from mgov.archive import replay_index, replay_server, replay_setup
from mgov.archive.service import fold
from mgov.config import Settings

RUNNING = "running.json"  # {"port", "pid"} of the pywb this replay dir's `mgov archive replay` runs
REFRESH_SECONDS = 30.0


@dataclass
class Prepared:
    installed: bool  # pywb was installed in its venv now
    refreshed: replay_index.Refreshed
    config: Path


def prepare(settings: Settings, engine: Engine, mode: str | None = None) -> Prepared:
    """pywb's venv (installed when missing), its configuration and the collections' indexes
    (per-org or all: mode, default mgov.toml's) brought up to the database's (the archive's
    files folded in first)."""
    installed = replay_setup.ensure_venv(settings.resolved_pywb_venv)
    config = replay_setup.write_config(settings.resolved_replay_dir, settings.resolved_archive_dir)
    refreshed = refresh(settings, engine, mode)
    return Prepared(installed, refreshed, config)


def refresh(settings: Settings, engine: Engine, mode: str | None = None) -> replay_index.Refreshed:
    archive = settings.resolved_archive_dir
    if archive.is_dir():
        fold(engine, archive)
    with engine.connect() as conn:
        return replay_index.refresh(conn, settings.resolved_replay_dir, mode or settings.archive.replay_collections)


def start(settings: Settings, port: int | None = None, mode: str | None = None) -> replay_server.RunningReplay:
    """pywb started (after prepare), and recorded as this replay dir's running pywb with the
    collections' layout it serves (which the web app's links and scope checks follow)."""
    replay_dir = settings.resolved_replay_dir
    running = replay_server.start(settings.resolved_pywb_venv, replay_dir,
                                  settings.archive.replay_port if port is None else port)
    _write_running(replay_dir, running.port, running.process.pid, mode or settings.archive.replay_collections)
    return running


def serve(settings: Settings, engine: Engine, running: replay_server.RunningReplay,
          on_refresh: Callable[[replay_index.Refreshed], None], *, mode: str | None = None,
          seconds: float = REFRESH_SECONDS) -> int:
    """Keep the indexes fresh while pywb runs (until it exits or the user interrupts); its exit code."""
    try:
        while running.process.poll() is None:
            try:
                running.process.wait(seconds)
            except subprocess.TimeoutExpired:  # time to refresh
                on_refresh(refresh(settings, engine, mode))
        return running.process.returncode or 0
    finally:
        running.stop()
        forget(settings.resolved_replay_dir, running.process.pid)


def _write_running(replay_dir: Path, port: int, pid: int, mode: str) -> None:
    path = replay_dir / RUNNING
    aside = path.with_name(RUNNING + ".part")
    aside.write_text(json.dumps({"port": port, "pid": pid, "mode": mode}), encoding="utf-8")
    aside.replace(path)


def forget(replay_dir: Path, pid: int) -> None:
    path = replay_dir / RUNNING
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


@dataclass(frozen=True)
class Endpoint:
    """Where the web app reaches pywb: loopback port and the key it must send."""

    port: int
    key: str
    mode: str  # per-org or all


def endpoint(settings: Settings) -> Endpoint | None:
    """The running pywb of this installation, or None when none runs."""
    replay_dir = settings.resolved_replay_dir
    try:
        found = json.loads((replay_dir / RUNNING).read_text(encoding="utf-8"))
        port, pid, mode = int(found["port"]), int(found["pid"]), str(found["mode"])
        key = (replay_dir / replay_setup.KEY_FILE).read_text().strip()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    return Endpoint(port, key, mode)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
