"""pywb's own virtual environment and configuration (docs/archive.md, "Replay").

pywb pins werkzeug, gevent, redis and more to versions mgov's own environment does not want,
so it lives in a virtual environment of its own (`<home>/pywb-venv`, pip-installed at the
version below) and runs as a process of its own. mgov writes its configuration: automatic
collections under `<replay dir>/collections/<name>/indexes/` (the CDXJ files written from
mgov's index, mgov.archive.replay_index), every WARC file read from mgov's archive directory,
frameless replay; and a launcher that serves it on loopback behind a key only mgov's web app
sends (the key file is readable by mgov's user alone).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from mgov.errors import MgovError

PYWB_VERSION = "2.10.0"
PYWB_REQUIREMENT = f"pywb=={PYWB_VERSION}"
MARKER = ".mgov-pywb"  # in the venv: the requirement installed, written when pip succeeded
KEY_FILE = "replay.key"
CONFIG_FILE = "config.yaml"
LAUNCHER = "serve_pywb.py"
COLLECTIONS = "collections"
PIP_SECONDS = 900

# The launcher runs in pywb's interpreter, not mgov's: it is written out as a file.
LAUNCHER_SOURCE = '''"""pywb for mgov: written by `mgov archive replay`, run by pywb's own interpreter.

Serves pywb (FrontEndApp) on the given loopback address; a request without mgov's key
(header X-Replay-Key) is refused, so only mgov's web app, which checks each reader's
scope, reaches it. X-Replay-Prefix names the path under which mgov serves replay, so that
pywb's rewritten links go back through mgov.
"""
from gevent.monkey import patch_all; patch_all()  # noqa: E702,I001 - pywb's server needs it first

import hmac
import os
import sys

from gevent.pywsgi import WSGIServer
from pywb.apps.frontendapp import FrontEndApp
from pywb.utils.geventserver import RequestURIWSGIHandler


def main():
    host, port, key_file, config = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(key_file, "rb") as fh:
        key = fh.read().strip()
    app = FrontEndApp(config_file=config)

    def guarded(environ, start_response):
        given = environ.get("HTTP_X_REPLAY_KEY", "").encode("latin-1")
        if not hmac.compare_digest(given, key):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"forbidden\\n"]
        prefix = environ.get("HTTP_X_REPLAY_PREFIX", "").rstrip("/")
        if prefix.startswith("/") and not prefix.startswith("//"):
            environ["SCRIPT_NAME"] = prefix
            environ["REQUEST_URI"] = prefix + environ.get("REQUEST_URI", environ.get("PATH_INFO", ""))
        return app(environ, start_response)

    server = WSGIServer((host, port), guarded, handler_class=RequestURIWSGIHandler, log=None)
    server.init_socket()
    print("READY %d %d" % (server.address[1], os.getpid()), flush=True)
    os.dup2(2, 1)  # anything pywb prints from now on goes to the log, not to a pipe nobody reads
    server.serve_forever()


if __name__ == "__main__":
    main()
'''


class ReplayError(MgovError):
    """pywb could not be set up or started."""


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def venv_ready(venv: Path) -> bool:
    marker = venv / MARKER
    return venv_python(venv).exists() and marker.exists() and marker.read_text().strip() == PYWB_REQUIREMENT


def ensure_venv(venv: Path) -> bool:
    """pywb installed in its own virtual environment; True when it had to be installed now."""
    if venv_ready(venv):
        return False
    if venv.exists():
        shutil.rmtree(venv)  # half made, or another version: made again whole
    venv.parent.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "venv", str(venv)], "python -m venv")
    _run([str(venv_python(venv)), "-m", "pip", "install", "--quiet", PYWB_REQUIREMENT], "pip install pywb")
    (venv / MARKER).write_text(PYWB_REQUIREMENT + "\n")
    return True


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - python and pip, no shell
            command, capture_output=True, text=True, timeout=PIP_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ReplayError(f"{what} took more than {PIP_SECONDS} s") from exc
    if done.returncode != 0:
        said = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise ReplayError(f"{what} failed (exit {done.returncode}): {said}")


def write_config(replay_dir: Path, archive_dir: Path) -> Path:
    """pywb's config.yaml, the launcher and the key (made once, kept); the config's path."""
    replay_dir.mkdir(parents=True, exist_ok=True)
    (replay_dir / COLLECTIONS).mkdir(exist_ok=True)
    config = {
        "collections_root": str((replay_dir / COLLECTIONS).resolve()),
        "index_paths": "indexes",  # <collections_root>/<collection>/indexes/*.cdxj
        "archive_paths": str(archive_dir.resolve()) + os.sep,  # the index's file names are relative to it
        "framed_replay": False,  # one document per capture: no top frame for mgov's pages to allow
        "enable_memento": True,
        "redirect_to_exact": True,
    }
    path = replay_dir / CONFIG_FILE
    _write(path, "# Written by `mgov archive replay`; changes are overwritten.\n"
           + yaml.safe_dump(config, sort_keys=True))
    _write(replay_dir / LAUNCHER, LAUNCHER_SOURCE)
    replay_key(replay_dir)
    return path


def replay_key(replay_dir: Path) -> str:
    """The key pywb's launcher asks of every request (made on first use, mode 0600)."""
    path = replay_dir / KEY_FILE
    if not path.exists():
        replay_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def _write(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    aside = path.with_name(path.name + ".part")
    aside.write_text(text, encoding="utf-8")
    aside.replace(path)
