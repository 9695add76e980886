"""A mini program's inspection filled in a real browser (Debian's Chromium, Playwright) against
the real app in a real uvicorn server: the reviewer finds it under "Assigned to me", answers
every item in its form (the veto not met with a screenshot chosen in the file input), submits;
a second reviewer confirms the veto from the same page; the assessment of the quarter fails the
mini program on it, and the screenshot downloads as it was uploaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from mgov.accounts import users
from mgov.act import inspections as ins
from mgov.assess.service import run_assessment, summary
from mgov.config import Settings
from mgov.db.tables import CHANNELS
from mgov.demo.farm.assets import png
from mgov.formats.load import import_file
from mgov.profiles import load
from mgov.web import create_app

pytest.register_assert_rewrite("webserver")
from webserver import Server, launch_chromium, sign_in  # noqa: E402 - after its assert rewriting

pytestmark = pytest.mark.browser  # left out of the PostgreSQL run (tests/conftest.py)

PASSWORD = "correct horse battery"
MINI = "wechat:wx1234567890abcdef"
SHOT = png(390, 844, (240, 248, 255))
REGISTRY = {"format": "mgov-registry/1",
            "organizations": [{"code": "cn-440300", "name_zh": "深圳市人民政府", "jurisdiction": "cn",
                               "tier": "prefecture"}],
            "channels": [{"kind": "mini_program", "address": "wx1234567890abcdef", "owner": "cn-440300",
                          "name": "i深圳"}]}


@pytest.fixture
def served(engine: Any, tmp_path: Any) -> Iterator[tuple[str, int, Any]]:
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    settings = Settings(home=tmp_path, database_url=str(engine.url.render_as_string(hide_password=False)))
    with engine.begin() as conn:
        for name, role in (("wang.shen", "supervisor"), ("li.shen", "reviewer"), ("zhao.fu", "reviewer")):
            users.create_user(conn, name, PASSWORD, role)
        channel = conn.execute(CHANNELS.select().where(CHANNELS.c.address == MINI)).one().id
        made = ins.create(conn, users.load_user(conn, users.user_id_of(conn, "wang.shen")), load("cn-2019-newmedia"),
                          channel, dt.date(2026, 7, 1), dt.date(2026, 9, 30), reviewer="li.shen")
    server = Server(create_app(settings, engine=engine))
    server.start()
    yield server.url, made["id"], settings
    server.stop()


@pytest.fixture
def page() -> Iterator[Any]:
    with launch_chromium() as browser:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        ctx.set_default_timeout(20_000)
        yield ctx.new_page()
        ctx.close()


def test_a_reviewer_fills_a_mini_program_inspection_in_the_browser(served, page, engine):
    base, inspection, _settings = served
    sign_in(page, base, "li.shen", PASSWORD, "/inspections?mine=true")
    with page.expect_navigation():
        page.click(f"#inspections a[href='/inspections/{inspection}']")
    items = page.locator("article.item")
    count = items.count()
    assert count >= 7
    for n in range(count):
        item = page.locator("article.item").nth(n)
        indicator = item.get_attribute("data-indicator")
        form = item.locator("form.fill-form")
        if indicator == "mv3_no_interaction_reviewed":
            form.locator("input[value=not_met]").check()
            form.locator("textarea[name=note]").fill("留言入口点击无响应")
            form.locator("input[type=file]").set_input_files(
                files=[{"name": "留言入口.png", "mimeType": "image/png", "buffer": SHOT}])
        else:
            form.locator("input[value=met]").check()
            form.locator("textarea[name=note]").fill("已检查")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.get_by_role("status").inner_text() == "Saved.", page.locator("main").inner_text()[:500]
    veto = page.locator("article.item[data-indicator=mv3_no_interaction_reviewed]")
    assert "awaiting confirmation" in veto.inner_text() and "留言入口.png" in veto.inner_text()
    assert veto.locator("form.confirm-form").count() == 0  # not for the one who filled it
    with page.expect_navigation():
        page.click("#submit-form button[type=submit]")
    assert "submitted" in page.get_by_role("status").inner_text()
    href = veto.locator("a[download]").get_attribute("href")
    download = page.request.get(f"{base}{href}")
    assert download.status == 200 and download.body() == SHOT and download.headers["content-type"] == "image/png"

    page.context.clear_cookies()
    sign_in(page, base, "zhao.fu", PASSWORD, f"/inspections/{inspection}")
    veto = page.locator("article.item[data-indicator=mv3_no_interaction_reviewed]")
    veto.locator("form.confirm-form input[name=note]").fill("复核属实")
    with page.expect_navigation():
        veto.locator("form.confirm-form button[type=submit]").click()
    assert "confirmed" in veto.locator(".confirmation").inner_text()
    assert f"{count} counted in the assessment" in page.locator("#progress").inner_text()

    out = run_assessment(engine, "cn-2019-newmedia", "2026Q3")
    result = next(c for c in summary(engine, out["assessment"], detail=True)["channels"] if c["address"] == MINI)
    assert (result["verdict"], result["vetoes"]) == ("fail", ["mv3_no_interaction_reviewed"])
