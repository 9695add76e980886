"""pywb as a process of its own, on loopback (docs/archive.md, "Replay"): started from its
virtual environment with mgov's launcher, ready when it says it listens."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from mgov.archive.replay_setup import CONFIG_FILE, KEY_FILE, LAUNCHER, ReplayError, venv_python

HOST = "127.0.0.1"
START_SECONDS = 60.0


@dataclass
class RunningReplay:
    process: subprocess.Popen[bytes]
    port: int
    key: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> RunningReplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(venv: Path, replay_dir: Path, port: int, *, log: Path | None = None) -> RunningReplay:
    """pywb started on 127.0.0.1:port (0: any free port), once it listens; its output past the
    ready line goes to log (default <replay dir>/pywb.log)."""
    python = venv_python(venv)
    if not python.exists():
        raise ReplayError(f"pywb is not installed in {venv}: run `mgov archive replay --setup-only`")
    log = log or replay_dir / "pywb.log"
    out = log.open("ab")
    command = [str(python), str(replay_dir / LAUNCHER), HOST, str(port), str(replay_dir / KEY_FILE),
               str(replay_dir / CONFIG_FILE)]
    process = subprocess.Popen(  # noqa: S603 - our launcher in pywb's venv, no shell
        command, cwd=replay_dir, stdout=subprocess.PIPE, stderr=out, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    out.close()
    try:
        bound = _ready(process, log)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return RunningReplay(process, bound, (replay_dir / KEY_FILE).read_text().strip())


def _ready(process: subprocess.Popen[bytes], log: Path) -> int:
    """The port from the launcher's `READY <port> <pid>` line."""
    if process.stdout is None:
        raise ReplayError("pywb's output is not readable")
    deadline = time.monotonic() + START_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        buffered = b""
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.5):
                if process.poll() is not None:
                    break
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            buffered += chunk
            for line in buffered.splitlines():
                if line.startswith(b"READY "):
                    return int(line.split()[1])
    process.poll()
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise ReplayError(f"pywb did not start (exit {process.returncode}); its log {log} ends: {tail}")
