"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against the real
app in a real uvicorn server on loopback, over the data `mgov demo` makes (its farm scanned,
crawled and assessed; see tests/webserver.py).

A person's flows: signing in through the form, the rankings with the demo's channels, a
failing finding and its archived evidence, filing a dispute as an agency's staff, switching
the language, and the staff of another organization kept out. Then the screenshots of the
documentation (docs/dashboard.md): always taken into a temporary folder, copied into the
checkout only when MGOV_SCREENSHOTS names the folder (MGOV_SCREENSHOTS=docs/screenshots).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("webserver")
from webserver import AGENCY, OTHER, SUPERVISOR, Demo, Server, sign_in  # noqa: E402 - after its assert rewriting

pytest_plugins = ["webserver"]  # its fixtures: the demo once a session, the server and Chromium
# The demo pipeline alone takes 30-60 s on two busy cores, the module 1.5-2 minutes: the
# SQLite pass only (these tests use a database of their own, never the PostgreSQL one).
pytestmark = pytest.mark.heavy

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies), English by default."""
    ctx = chromium.new_context(viewport=DESKTOP, locale="en-US")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def as_user(page: Any, dashboard: Server, demo: Demo, username: str, next_url: str = "/") -> Any:
    sign_in(page, dashboard.url, username, demo.passwords[username], next_url)
    return page


def test_sign_in_through_the_form_with_the_demo_login(page: Any, dashboard: Server, demo: Demo) -> None:
    answer = page.goto(f"{dashboard.url}/rankings")
    assert answer.status == 200 and "/login?next=%2Frankings" in page.url  # sent to sign in first
    assert page.locator("h1").inner_text() == "Sign in"
    page.fill("#username", "demo-admin")
    page.fill("#password", "not the password")
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    page.fill("#password", demo.passwords["demo-admin"])  # the user name stays filled in
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert page.url == f"{dashboard.url}/rankings"  # back where they were going
    assert page.locator("h1").inner_text() == "Rankings"
    assert page.locator("header .who").inner_text() == "demo-admin"
    assert page.locator("nav a[href='/audit']").count() == 1  # an admin reads the audit log

    with page.expect_navigation():
        page.click("header button:has-text('Sign out')")
    assert "/login" in page.url
    assert page.goto(f"{dashboard.url}/").url.startswith(f"{dashboard.url}/login")


def ranked_channels(page: Any, dashboard: Server) -> dict[int, str]:
    """Every channel the rankings page lists, over all its tier and kind tabs: id -> name."""
    page.goto(f"{dashboard.url}/rankings")
    tabs = [a.get_attribute("href") for a in page.locator("nav.tabs a").all()]
    found: dict[int, str] = {}
    for href in tabs:
        page.goto(f"{dashboard.url}{href}")
        for link in page.locator("table.ranking tbody a[href^='/channels/']").all():
            found[int(link.get_attribute("href").rsplit("/", 1)[1])] = link.inner_text()
    return found


def test_the_rankings_list_the_demos_channels(page: Any, dashboard: Server, demo: Demo) -> None:
    as_user(page, dashboard, demo, SUPERVISOR, "/rankings")
    assert page.locator("select#assessment option").first.inner_text().startswith(
        demo.outcome["assessment"]["period"])
    listed = ranked_channels(page, dashboard)
    assert {demo.agency_channel, demo.other_channel} <= set(listed)
    assert len(listed) >= demo.outcome["assessment"]["verdicts"].get("pass", 0)

    # The tab of the agency's channel ranks it, with its score and outcome.
    page.goto(f"{dashboard.url}{rankings_tab_of(page, dashboard, demo.agency_channel)}")
    row = page.locator("table.ranking tbody tr", has=page.locator(f"a[href='/channels/{demo.agency_channel}']"))
    cells = row.locator("td").all_inner_texts()
    # The outcome is the cell before the vetoes (no grade column: the China profile gives none).
    assert re.fullmatch(r"\d+", cells[0]) and cells[2] == demo.agency_org and cells[-2] in ("pass", "fail")


def rankings_tab_of(page: Any, dashboard: Server, channel_id: int) -> str:
    """The rankings tab that lists the channel (the first tab may be another tier)."""
    page.goto(f"{dashboard.url}/rankings")
    for href in [a.get_attribute("href") for a in page.locator("nav.tabs a").all()]:
        page.goto(f"{dashboard.url}{href}")
        if page.locator(f"table.ranking a[href='/channels/{channel_id}']").count():
            return href
    raise AssertionError(f"channel {channel_id} is not ranked")


def test_a_failing_finding_shows_its_archived_response(page: Any, dashboard: Server, demo: Demo) -> None:
    as_user(page, dashboard, demo, SUPERVISOR, f"/channels/{demo.agency_channel}")
    assert page.locator("h1").inner_text()  # the channel's name
    assert demo.agency_address in page.locator("dl.facts").inner_text()
    failing = page.locator("tr.row-fail a[href^='/findings/']")
    assert failing.count() >= 1
    link = page.locator(f"tr.row-fail a[href='/findings/{demo.failing_finding}']")
    check_id = link.inner_text().split(" · ")[0]
    with page.expect_navigation():
        link.click()
    assert page.url == f"{dashboard.url}/findings/{demo.failing_finding}"
    # The check's title and id, and the outcome.
    assert page.locator("h1").inner_text().split() == [*check_id.split(), "fail"]
    assert page.locator("h2", has_text="Evidence").count() == 1

    # The archived response: its status line, its headers and its body.
    response = page.locator("section.evidence", has=page.locator("h3", has_text="response"))
    assert response.count() >= 1
    record = response.first
    assert re.fullmatch(r"HTTP/1\.[01] 200 OK", record.locator("code").first.inner_text())
    headers = dict(tuple(r.locator("th, td").all_inner_texts()) for r in record.locator("table.kv tr").all())
    assert headers["Content-Type"].startswith("text/html")
    body = record.locator("pre.body")
    assert not body.is_visible()  # folded until asked for
    record.locator("summary", has_text="Body").click()
    assert body.is_visible() and "<html" in body.inner_text().lower()
    # The request that got it is labelled as the request.
    request = page.locator("section.evidence", has=page.locator("h3", has_text="request"))
    if request.count():
        assert request.first.locator("h4").inner_text() == "Request"
        assert request.first.locator("code").first.inner_text().startswith("GET ")


def test_a_tls_finding_shows_the_certificate(page: Any, dashboard: Server, demo: Demo) -> None:
    if demo.tls_finding is None:
        pytest.skip("no farm site's certificate was archived")
    as_user(page, dashboard, demo, SUPERVISOR, f"/findings/{demo.tls_finding}")
    assert "tls.valid" in page.locator("h1").inner_text().split()  # beside the check's title
    record = page.locator("section.evidence").first
    assert "metadata" in record.locator("h3").inner_text() and "tls:" in record.locator("h3").inner_text()
    assert record.locator("h4").inner_text() == "Certificate"
    facts = dict(tuple(r.locator("th, td").all_inner_texts()) for r in record.locator("table.kv tr").all())
    assert "O=mgov demo farm" in facts["subject"] and facts["not_after"] and facts["issuer"]


def _exactly(text: str) -> re.Pattern[str]:
    return re.compile(f"^{re.escape(text)}$")


def test_agency_staff_file_a_dispute_from_the_channel_page(page: Any, dashboard: Server, demo: Demo) -> None:
    as_user(page, dashboard, demo, AGENCY, f"/channels/{demo.agency_channel}")
    assert page.locator("nav a[href='/audit']").count() == 0  # staff do not read the audit log
    row = page.locator("tr", has=page.locator("td small.id", has_text=_exactly(demo.failed_indicator)))
    assert row.locator(".badge").first.inner_text() == "failed"
    row.locator("summary", has_text="File a dispute").click()
    reason = "The public security filing number on the footer is correct; the bureau checked it."
    row.locator("textarea[name=reason]").fill(reason)
    row.locator("input[name=evidence_url]").fill("https://example.org/filing-record")
    with page.expect_navigation():
        row.locator("button", has_text="File dispute").click()
    assert page.url.startswith(f"{dashboard.url}/channels/{demo.agency_channel}")
    assert page.get_by_role("status").inner_text() == "The dispute is filed."
    row = page.locator("tr", has=page.locator("td small.id", has_text=_exactly(demo.failed_indicator)))
    assert "disputed" in row.inner_text() and row.locator("summary").count() == 0  # not twice

    page.click("nav a[href='/disputes']")
    filed = page.locator("table.data tbody tr", has=page.locator(f"a[href='/channels/{demo.agency_channel}']"))
    assert filed.count() == 1
    cells = filed.locator("td").all_inner_texts()
    assert demo.failed_indicator in cells[2].split() and cells[3] == AGENCY and cells[5] == "filed"
    with page.expect_navigation():
        filed.locator("a[href^='/disputes/']").click()
    assert reason in page.locator("main").inner_text()

    # The supervisor who decides finds it in the queue.
    page.context.clear_cookies()
    as_user(page, dashboard, demo, SUPERVISOR, "/disputes")
    assert page.locator(f"table.data a[href='/channels/{demo.agency_channel}']").count() == 1


def test_switching_the_language(page: Any, dashboard: Server, demo: Demo) -> None:
    as_user(page, dashboard, demo, SUPERVISOR, "/tasks")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Rectification board"
    with page.expect_navigation():
        page.click("header a[hreflang='zh-CN']")
    assert page.url == f"{dashboard.url}/tasks"  # the same page, in Chinese
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "整改看板"
    assert page.locator("nav a[href='/rankings']").inner_text() == "排名"
    page.goto(f"{dashboard.url}/")  # the choice stays
    assert page.locator("h1").inner_text() == "总览" and page.title() == "总览 · mgov"
    with page.expect_navigation():
        page.click("header a[hreflang='en']")
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("h1").inner_text() == "Overview"


def test_the_browsers_language_is_the_default(chromium: Any, dashboard: Server) -> None:
    ctx = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(f"{dashboard.url}/login")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.locator("h1").inner_text() == "登录"
    finally:
        ctx.close()


def test_another_organizations_staff_are_kept_out(page: Any, dashboard: Server, demo: Demo) -> None:
    as_user(page, dashboard, demo, OTHER)
    own = page.goto(f"{dashboard.url}/channels/{demo.other_channel}")
    assert own.status == 200 and demo.other_address in page.locator("dl.facts").inner_text()

    # Out of scope reads as absent: not found, not forbidden.
    for url in (f"/channels/{demo.agency_channel}", f"/findings/{demo.failing_finding}",
                f"/orgs/{demo.agency_org}"):
        answer = page.goto(f"{dashboard.url}{url}")
        assert answer.status == 404, url
        assert page.locator("h1").inner_text() == "Not found"
        assert demo.agency_address not in page.content()
    answer = page.goto(f"{dashboard.url}/api/v1/findings/{demo.failing_finding}/evidence/0")
    assert answer.status == 404 and answer.json()["error"]["type"] == "NotFound"

    listed = ranked_channels(page, dashboard)
    assert demo.other_channel in listed and demo.agency_channel not in listed
    page.goto(f"{dashboard.url}/channels?q={demo.agency_address.split('//')[1]}")
    assert page.locator(f"a[href='/channels/{demo.agency_channel}']").count() == 0


def test_the_api_reference_renders_from_local_files(page: Any, dashboard: Server) -> None:
    """Swagger UI at /api/v1/docs comes from mgov's static files, under the dashboard's CSP."""
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(dashboard.url) else None)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{dashboard.url}/api/v1/docs")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert page.locator(".opblock").count() >= 40  # every operation of the document
    assert not outside and not [e for e in errors if "Content Security Policy" in e]


# The screenshots of docs/dashboard.md: (file name, URL, what to wait for or open).
def screenshot_pages(demo: Demo) -> list[tuple[str, str]]:
    return [("overview", "/"), ("organization", f"/orgs/{demo.agency_org}"),
            ("channel", f"/channels/{demo.agency_channel}"), ("finding", f"/findings/{demo.failing_finding}"),
            ("rankings", "/rankings"), ("tasks", "/tasks"), ("disputes", "/disputes?status=all"),
            ("reports", "/reports"), ("audit", "/audit")]


def shoot(page: Any, path: Path, max_height: int = 2200) -> None:
    """A full-page screenshot, cut at max_height on long pages."""
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width,
                                                          "height": min(height, max_height)})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screenshots(chromium: Any, dashboard: Server, demo: Demo, lang: str,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every main page with the demo's data, as the demo's admin sees it; written to a
    temporary folder, and copied to $MGOV_SCREENSHOTS/<lang>/ when that is set."""
    out = tmp_path_factory.mktemp(f"screenshots-{lang}")
    problems: list[str] = []
    ctx = chromium.new_context(viewport=DESKTOP, locale="en-US")
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        page = ctx.new_page()
        page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto(f"{dashboard.url}/lang/{lang}?next=/login")
        assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
        shoot(page, out / "login.png")
        sign_in(page, dashboard.url, "demo-admin", demo.passwords["demo-admin"])
        for name, url in screenshot_pages(demo):
            answer = page.goto(f"{dashboard.url}{url}")
            assert answer.status == 200, url
            if name == "rankings":
                page.goto(f"{dashboard.url}{rankings_tab_of(page, dashboard, demo.agency_channel)}")
            if name == "overview":
                page.wait_for_selector("[data-chart] canvas")  # the charts drew
            if name == "finding":
                page.locator("section.evidence summary").last.click()  # the response's body
            shoot(page, out / f"{name}.png")
        phone = chromium.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True,
                                     device_scale_factor=1)
        try:
            mobile = phone.new_page()
            mobile.goto(f"{dashboard.url}/lang/{lang}?next=/")
            sign_in(mobile, dashboard.url, "demo-admin", demo.passwords["demo-admin"])
            mobile.wait_for_selector("[data-chart] canvas")
            # Mobile-friendly: nothing wider than the screen (wide tables scroll inside themselves).
            assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            shoot(mobile, out / "overview-mobile.png", max_height=2 * PHONE["height"])
        finally:
            phone.close()
    finally:
        ctx.close()
    assert problems == []
    shots = sorted(p.name for p in out.iterdir())
    assert len(shots) == len(screenshot_pages(demo)) + 2 and all((out / s).stat().st_size > 5000 for s in shots)
    if target := os.environ.get("MGOV_SCREENSHOTS"):
        if lang == "zh":  # without a CJK font Chromium draws boxes: never publish those
            fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
            assert fonts.strip(), "no Chinese font (fonts-noto-cjk, scripts/system-deps): not writing zh screenshots"
        folder = Path(target) / lang
        folder.mkdir(parents=True, exist_ok=True)
        for name in shots:
            shutil.copyfile(out / name, folder / name)
