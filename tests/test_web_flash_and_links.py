"""What the dashboard says and where the API points, on the real app and database: no page
shows text from its URL (a crafted link cannot make it say "call this number"); a refused form
shows its error once, on the page it went back to, and not on reload; a message cookie signed
for another session, or forged, shows nothing; paging links never come from the Host header."""

from __future__ import annotations

import re

import pytest

from mgov.web.dashboard.flash import FLASH_COOKIE
from webworld import build_world, flash_of

PHISH = "Your session expired, call +86 10 5555 0199 to restore access"
ALERT = re.compile(r'<p class="(error|notice)" role="(alert|status)">(.*?)</p>', re.S)


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def _said(page) -> list[str]:
    return [m.group(3) for m in ALERT.finditer(page.text)]


def _text(page) -> str:
    """What the page shows (its links may carry their own URL along, as the language switch does)."""
    return re.sub(r"<[^>]*>", " ", page.text)


def test_no_page_shows_text_from_its_url(world):
    staff = world.client("a_admin")
    channel = world.ids["channel_a"]
    for path in ("/", f"/channels/{channel}", "/tasks", "/account", "/orgs/cn-440300", "/channels/999999"):
        for query in ({"error": PHISH}, {"done": PHISH}, {"error": PHISH, "done": "saved"}):
            page = staff.get(path, params=query)
            assert page.status_code in (200, 404), path
            assert "session expired" not in _text(page) and "5555" not in _text(page), (path, query)
            assert _said(page) == [], (path, query)
    login = world.client().get("/login", params={"error": PHISH})
    assert "session expired" not in _text(login) and _said(login) == []


def test_a_refused_form_says_why_once(world):
    admin = world.client("a_admin")
    channel = world.ids["channel_a"]
    refused = admin.post_form(f"/channels/{channel}/edit", {"status": "bogus"})
    assert refused.status_code == 303 and refused.headers["location"] == f"/channels/{channel}"  # no text in the URL
    shown = admin.get(f"/channels/{channel}")
    assert len(_said(shown)) == 1 and "bogus" in _said(shown)[0]
    assert _said(admin.get(f"/channels/{channel}")) == []  # a reload says nothing more
    # A notice is a fixed message in the page's language.
    assert admin.post_form(f"/channels/{channel}/edit", {"name": "深圳政府在线"}).status_code == 303
    assert _said(admin.get(f"/channels/{channel}", headers={"Accept-Language": "zh-CN"})) == ["已保存。"]
    assert _said(admin.get(f"/channels/{channel}")) == []
    # A message is for the page the form went back to: another page shows nothing and drops it.
    admin.post_form(f"/channels/{channel}/edit", {"status": "bogus"})
    assert _said(admin.get("/tasks")) == [] and _said(admin.get(f"/channels/{channel}")) == []


def test_a_message_signed_for_another_session_or_forged_shows_nothing(world):
    channel = world.ids["channel_a"]
    first = world.client("a_admin")
    refused = first.post_form(f"/channels/{channel}/edit", {"status": "bogus"})
    assert "bogus" in flash_of(refused)["error"]
    stolen = refused.cookies[FLASH_COOKIE]
    other = world.client("a_admin")  # the same user, another session
    other.http.cookies.set(FLASH_COOKIE, stolen)
    assert _said(other.get(f"/channels/{channel}")) == []
    forged = stolen.rpartition(".")[0] + "." + "0" * 64
    first.http.cookies.set(FLASH_COOKIE, forged)
    assert _said(first.get(f"/channels/{channel}")) == []


def test_paging_links_never_come_from_the_host_header(world):
    admin = world.client("admin")
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for url in ("/api/v1/channels?limit=1", "/api/v1/organizations?limit=1", "/api/v1/audit?limit=1"):
        nxt = admin.api("GET", url, headers=evil).json()["next"]
        assert nxt and "evil.example" not in nxt and nxt.startswith(url.split("?")[0] + "?"), nxt
        assert "after=" in nxt and "limit=1" in nxt
    assert "evil.example" not in admin.get("/channels", headers=evil).text
    # With the public URL configured, links are absolute on it (a path prefix kept).
    world.settings = world.settings.model_copy(update={"public_url": "https://mgov.example.gov/console"})
    configured = world.client("admin")
    nxt = configured.api("GET", "/api/v1/channels?limit=1", headers=evil).json()["next"]
    assert nxt.startswith("https://mgov.example.gov/console/api/v1/channels?") and "evil" not in nxt
