"""Actions from the web in a real browser (Debian's Chromium, Playwright) against the real app in
a real uvicorn server on loopback: an administrator opens an organization, presses "Crawl now",
follows the job's page (it reloads itself) until it is done, and finds the crawl's new findings
on the organization's website's page, and the finding's own page. The world is the web tests'
small one with one district whose website is a loopback site (tests/test_web_jobs.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_web_jobs import jobs_world, serve_site
from webworld import PASSWORD

pytest.register_assert_rewrite("webserver")
from webserver import CHROMIUM, CHROMIUM_ARGS, Server, sign_in  # noqa: E402 - after its assert rewriting

pytestmark = pytest.mark.browser  # left out of the PostgreSQL run (tests/conftest.py)

TIMEOUT_MS = 20_000
JOB_MS = 180_000  # the crawl of a two-page site, on two busy cores: a ceiling, not a measure


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed (scripts/system-deps installs it as root)"
        if os.environ.get("MGOV_REQUIRE_BROWSER") == "1":  # CI: a missing browser is a failure
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_an_administrator_crawls_an_organization_from_the_web_and_sees_the_new_findings(engine, tmp_path, browser):
    with serve_site() as site:
        world = jobs_world(engine, tmp_path, site)
        channel = world.ids["site"]
        server = Server(world.app())
        server.start()
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            sign_in(page, server.url, "admin", PASSWORD, "/orgs/cn-440305")
            page.goto(f"{server.url}/channels/{channel}")
            assert page.locator("tr.row-fail").count() == 0  # nothing found on it yet

            page.goto(f"{server.url}/orgs/cn-440305")
            with page.expect_navigation():
                page.click("button[name=start][value=crawl]")
            assert "/jobs/" in page.url
            assert page.get_by_role("status").first.inner_text() == "The job is queued: this page follows it."
            # The page reloads itself until the job ends.
            page.wait_for_selector("#job-state[data-state=done]", timeout=JOB_MS)
            assert page.locator("#job-state").inner_text() == "done"
            assert "1 of 1 channels" in page.locator("dl.facts").inner_text()
            assert page.locator("meta[http-equiv=refresh]").count() == 0

            with page.expect_navigation():
                page.click("text=See the organization's channels")
            with page.expect_navigation():
                page.click(f"a[href='/channels/{channel}']")
            dead = page.locator("tr.row-fail a[href^='/findings/']", has_text="Dead links")
            assert dead.count() == 1, page.content()
            with page.expect_navigation():
                dead.click()
            assert "Dead links" in page.locator("h1").inner_text()

            page.goto(f"{server.url}/jobs")
            assert "done" in page.locator("table.data tbody tr").first.inner_text()
            context.close()
        finally:
            server.stop()
