"""`mgov user` and `mgov serve`: accounts from the command line, and the application served
by a real uvicorn (two worker processes) answering a token made by the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def test_user_commands(cli):
    cli("org", "add", "cn-440300", "-j", "cn", "--tier", "prefecture", "--name-zh", "深圳市人民政府")
    cli("user", "add", "li.na", "--role", "agency_admin", "--org", "cn-440300", "--name", "李娜",
        "--password-stdin", input="a long passphrase\n")
    short = cli("user", "add", "short", "--role", "viewer", "--password", "short", code=1)
    assert "at least 10 characters" in short.output
    assert "unknown role" in cli("user", "add", "x.y", "--role", "boss", "--password", "0123456789", code=1).output
    listed = cli.json("user", "list")
    assert [(u["username"], u["role"], u["organization"], u["display_name"]) for u in listed] == \
        [("li.na", "agency_admin", "cn-440300", "李娜")]
    assert "password_hash" not in listed[0]
    token = cli("user", "token", "li.na", "--name", "export", "--days", "7").stdout.strip()
    assert token.startswith("mgov_") and len(token) > 40
    cli("user", "edit", "li.na", "--disabled")
    assert cli.json("user", "list")[0]["active"] is False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_with_two_workers(cli):
    cli("user", "add", "ops", "--role", "admin", "--password-stdin", input="a long passphrase\n")
    token = cli("user", "token", "ops", "--name", "smoke").stdout.strip()
    port = _free_port()
    env = {**os.environ, **cli.env}
    server = subprocess.Popen([sys.executable, "-m", "mgov", "serve", "--port", str(port), "--workers", "2",
                               "--log-level", "warning"], env=env, cwd=cli.env["MGOV_HOME"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"mgov serve did not answer: {server.stdout.read1() if server.stdout else ''!r}")
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
        assert me["username"] == "ops" and me["role"] == "admin"
        assert httpx.get(f"{base}/api/v1/channels", timeout=5).status_code == 401
        assert httpx.get(f"{base}/api/v1/openapi.json", timeout=5).json()["info"]["title"] == "mgov API"
    finally:
        server.terminate()
        server.wait(timeout=15)
