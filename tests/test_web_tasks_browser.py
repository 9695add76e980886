"""Rectification as work in a real browser (Debian's Chromium, Playwright) against the real app
in a real uvicorn server, over the data `mgov demo` makes (tests/webserver.py).

An agency's staff take the task assigned to their colleague for their channel's failed 找错
indicator: they find it on the board, reassign it, comment, attach the fix's evidence (a link
and a screenshot), and ask for a re-check. The site is fixed (the demo farm serves it again
with the entry back), `mgov tasks recheck` runs the check on loopback and closes the task; the
staff see it closed with its whole history, and the administrator's audit log holds each step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from mgov.profiles.names import action_label

pytest.register_assert_rewrite("webserver")
from webserver import AGENCY, PASSWORD, Demo, Server, sign_in  # noqa: E402 - after its assert rewriting

pytest_plugins = ["webserver"]  # the demo once a session, the server and Chromium
pytestmark = pytest.mark.heavy  # the demo pipeline alone takes 30-150 s on two busy cores

DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 20_000
SHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # the screenshot of the fixed footer
COLLEAGUE, STAFF_PERSON = "xfj.operator", "xfj.content"
TASK_STAFF = "test-task-staff"  # staff of the agency whose task the test works, when not AGENCY's


def _fix_jiucuo(site: Any) -> None:
    site.defects[:] = [d for d in site.defects if not d.startswith("cn.jiucuo.")]
    site.identifiers["jiucuo_site_code"] = site.identifiers.get("site_code") or site.registry.attributes["site_code"]


def _fix_site_code(site: Any) -> None:
    site.defects[:] = [d for d in site.defects if not d.startswith("cn.site_code.")]
    site.identifiers["site_code"] = site.registry.attributes["site_code"]


# The checks whose defects the test can undo on the farm, as the agency would on its site.
REPAIRS: dict[str, Callable[[Any], None]] = {"cn.jiucuo": _fix_jiucuo, "cn.site_code": _fix_site_code}


@pytest.fixture(scope="module")
def work(demo: Demo) -> dict[str, Any]:
    """The agency's task to work on, its people in the registry, assigned to the colleague."""
    from mgov.accounts import users
    from mgov.act import task_work
    from mgov.db.tables import CHANNELS, ORGS, RECTIFICATION_TASKS
    from mgov.registry import service
    from mgov.registry.records import Batch, Origin, PersonRecord, RoleRecord

    with demo.engine.begin() as conn:
        rows = conn.execute(select(RECTIFICATION_TASKS.c.id, RECTIFICATION_TASKS.c.evidence, CHANNELS.c.address,
                                   ORGS.c.code)
                            .join(CHANNELS, CHANNELS.c.id == RECTIFICATION_TASKS.c.channel_id)
                            .join(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                            .where(RECTIFICATION_TASKS.c.status == "open")
                            .order_by(RECTIFICATION_TASKS.c.id)).all()
        found = [(r.id, _json(r.evidence).get("check"), r.address, r.code) for r in rows]
        # The test agency's own task when it has one the test can repair (which sites carry which
        # defects changes with the farm), else another agency's, whose staff the test makes.
        repairable = sorted((f for f in found if f[1] in REPAIRS), key=lambda f: (f[3] != demo.agency_org, f[0]))
        assert repairable, f"no open task on a check the test can repair ({sorted(REPAIRS)}): {found}"
        task, check, address, org = repairable[0]
        user = AGENCY
        if org != demo.agency_org:
            user = TASK_STAFF
            users.create_user(conn, user, PASSWORD, "agency_staff", organization=org, display_name=user)
            demo.passwords[user] = PASSWORD
        origin = Origin("test")
        service.write(conn, Batch(
            people=[PersonRecord(COLLEAGUE, origin, name="王运维"), PersonRecord(STAFF_PERSON, origin, name="李内容")],
            roles=[RoleRecord(COLLEAGUE, org, "web_operator", origin),
                   RoleRecord(STAFF_PERSON, org, "content_manager", origin)]))
        task_work.assign(conn, task, COLLEAGUE, by="test-supervisor")
    return {"task": task, "check": check, "address": address, "user": user}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else (value or {})


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    ctx = chromium.new_context(viewport=DESKTOP, locale="en-US")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx.new_page()
    ctx.close()


def _recheck_on_a_fixed_farm(demo: Demo, work: dict[str, Any]) -> dict[str, Any]:
    """The agency's site fixed: the farm serves it again without the defect; then the command an
    operator (or cron) runs, `mgov tasks recheck`, against the demo's own home and database."""
    from mgov.demo.farm import Manifest, run_in_thread

    manifest = Manifest.from_json((demo.home / "demo-farm-manifest.json").read_text(encoding="utf-8"))
    host = work["address"].split("//", 1)[1].split("/", 1)[0]
    REPAIRS[work["check"]](manifest.site(host))
    env = {**os.environ, "MGOV_DATABASE_URL": demo.settings.resolved_database_url, "MGOV_HOME": str(demo.home),
           "MGOV_LANG": "en"}
    with run_in_thread(manifest) as farm:
        routing = [a for rule in farm.connect_to for a in ("--connect-to", rule)]
        # Its own process, as from cron (Playwright's loop holds this thread).
        result = subprocess.run([sys.executable, "-m", "mgov", "tasks", "recheck", *routing, "--dns",
                                 f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem), "--allow-private",
                                 "--by", "cron", "--json"], env=env, capture_output=True, text=True, timeout=300,
                                check=False)
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_agency_staff_take_a_task_through_comment_evidence_recheck_and_close(
        page: Any, dashboard: Server, demo: Demo, work: dict[str, Any]) -> None:
    task_id = work["task"]
    sign_in(page, dashboard.url, work["user"], demo.passwords[work["user"]], "/tasks")
    # On the board: their organization's task, assigned to the colleague.
    row = page.locator("table.data tbody tr", has=page.locator(f"a[href='/tasks/{task_id}']"))
    assert row.count() == 1 and "王运维" in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href='/tasks/{task_id}']").click()
    assert page.locator("h1").inner_text().startswith(f"Task #{task_id}")
    assert "王运维" in page.locator("#assignee").inner_text()
    assert page.locator("#close-form").count() == 0  # closing by hand is the supervisor's

    # The staff member takes it over.
    colleague = page.locator("#assign-person option", has_text="李内容").get_attribute("value")
    page.select_option("#assign-person", colleague)
    page.fill("#assign-note", "I maintain the footer")
    with page.expect_navigation():
        page.click("#assign-form button[type=submit]")
    assert page.get_by_role("status").inner_text() == "Saved."
    assert "李内容" in page.locator("#assignee").inner_text()

    page.fill("#comment-text", "The 找错 entry was dropped by the new template; restored today.")
    with page.expect_navigation():
        page.click("#comment-form button[type=submit]")
    assert "restored today" in page.locator("#history").inner_text()

    # Evidence of the fix: a link, then a screenshot.
    page.fill("#ev-url", f"{work['address']}/")
    with page.expect_navigation():
        page.click("#evidence-form button[type=submit]")
    page.set_input_files("#ev-file", files=[{"name": "footer.png", "mimeType": "image/png", "buffer": SHOT}])
    page.fill("#ev-note", "the footer with the entry")
    with page.expect_navigation():
        page.click("#evidence-form button[type=submit]")
    assert page.get_by_role("status").inner_text() == "Saved."
    evidence = page.locator("#fix-evidence tbody")
    assert work["address"] in evidence.inner_text() and "footer.png" in evidence.inner_text()
    href = evidence.locator("a[download]").get_attribute("href")
    download = page.request.get(f"{dashboard.url}{href}")
    assert download.status == 200 and download.body() == SHOT
    assert download.headers["content-disposition"].startswith("attachment;")

    # Fixed: ask for a re-check.
    page.fill("#recheck-note", "please check again")
    with page.expect_navigation():
        page.click("#recheck-form button[type=submit]")
    assert f"asked for by {work['user']}" in page.locator("#recheck").inner_text()
    assert page.locator("#recheck-form").count() == 0

    # The re-check runs (the site now shows the entry): the task closes.
    out = _recheck_on_a_fixed_farm(demo, work)
    assert task_id in out["closed"], out
    page.reload()
    assert page.locator("h1 .badge").inner_text() == "closed"
    history = page.locator("#history li")
    actions = [li.get_attribute("data-action") for li in history.all()]
    assert actions[-6:] == ["assigned", "commented", "evidence_added", "evidence_added", "recheck_requested",
                            "closed"], actions
    assert "the re-check passed" in history.last.inner_text() and "cron" in history.last.inner_text()
    assert page.locator("#work form").count() == 1  # only the comment form stays
    page.goto(f"{dashboard.url}/tasks?status=closed")
    assert page.locator(f"table.data a[href='/tasks/{task_id}']").count() == 1

    # Every step is on record, with who took it.
    page.context.clear_cookies()
    sign_in(page, dashboard.url, "demo-admin", demo.passwords["demo-admin"], f"/audit?subject=task:{task_id}")
    log = page.locator("main").inner_text()
    for action in ("task.assigned", "task.commented", "task.evidence_added", "task.recheck_requested",
                   "task.closed"):
        assert action_label(action, "en") in log, action  # the audit page says actions in words
    assert work["user"] in log and "cron" in log
