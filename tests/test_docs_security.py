"""docs/security.md is true to the code: its roles table is PERMISSIONS, and its mgov.toml
example is valid settings that mgov serve accepts."""

from __future__ import annotations

import re
from pathlib import Path

from mgov.accounts import PERMISSIONS
from mgov.config import Settings
from mgov.web.proxy import forwarded_client, parse_networks

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def test_the_roles_table_is_the_code():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- roles -->", 1)[1].split("\n\n", 1)[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[2:]]
    documented = {role.strip(): frozenset(p.strip() for p in perms.split(",")) for role, perms in rows}
    assert documented == PERMISSIONS


def test_the_proxy_example_is_valid_settings(tmp_path, monkeypatch):
    text = DOC.read_text(encoding="utf-8")
    example = re.search(r"<!-- example: mgov.toml -->\n```toml\n(.*?)```", text, re.DOTALL).group(1)
    (tmp_path / "mgov.toml").write_text(example, encoding="utf-8")
    monkeypatch.setenv("MGOV_CONFIG", str(tmp_path / "mgov.toml"))
    settings = Settings()
    assert settings.public_url == "https://mgov.example.gov.cn"
    networks = parse_networks(settings.web.trusted_proxies)
    # As the nginx example sends it: the client's address, seen through the trusted proxy.
    assert forwarded_client("127.0.0.1", "203.0.113.9", networks) == "203.0.113.9"
    assert forwarded_client("198.51.100.1", "203.0.113.9", networks) == "198.51.100.1"
