"""The render pass end to end: `mgov render` stores a run of kind "render" whose findings a
check on the rendered evidence gave (a tiny check of the test's own: the rendered checks are
registered elsewhere), and `mgov inspect` prints one jsonl object per URL with its findings
in the rows of `mgov findings`, storing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine, select

from mgov.checks import plugins
from mgov.checks.base import Check, Finding, Status
from mgov.evidence.site import SiteEvidence
from render_world import Server, html, serve


class RenderedHeading(Check):
    """Passes when every viewport's DOM has the page's heading (built by JavaScript)."""

    id = "test.rendered_heading"
    title_en = title_zh = "rendered heading"
    fix_en = fix_zh = "-"
    needs: ClassVar[frozenset[str]] = frozenset({"rendered"})

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        assert ev.rendered is not None
        pages = ev.rendered.pages
        seen = {p.viewport.name: "built by js" in (p.dom or "") for p in pages}
        return self.finding(Status.PASS if pages and all(seen.values()) else Status.FAIL, seen,
                            message=f"{len(pages)} renderings",
                            evidence=[ref for p in pages for ref in (p.screenshot, p.dom_ref) if ref is not None])


@pytest.fixture(autouse=True)
def _own_check(monkeypatch: pytest.MonkeyPatch) -> None:
    found = dict(plugins.all_checks())
    found[RenderedHeading.id] = RenderedHeading()
    monkeypatch.setattr(plugins, "all_checks", lambda: found)
    monkeypatch.setattr("mgov.render.inspect.all_checks", lambda: found)


@pytest.fixture(scope="module")
def site() -> Iterator[Server]:
    page = html("<main id=m></main><script>document.getElementById('m').innerHTML = '<h1>built by js</h1>';"
                "</script>")
    server = serve({"/": page, "/other": html("<p>static</p><img src=\"/x.png\" width=\"40\" height=\"40\">")})
    yield server
    server.stop()


def test_render_stores_a_run(cli: Any, engine: Engine, site: Server) -> None:
    from mgov.db.tables import FINDINGS
    from mgov.db.tables import SCAN_RUNS as RUNS

    cli("org", "add", "cn-test", "-j", "cn", "--tier", "county", "--name-zh", "测试")
    cli("channel", "add", "website", "http://render.test/", "--owner", "cn-test")
    result = cli("render", "--checks", RenderedHeading.id, "--connect-to", f"render.test:80:127.0.0.1:{site.port}",
                 "--allow-private", "--json")
    summary = json.loads(result.stdout)
    with engine.connect() as conn:
        run = conn.execute(select(RUNS.c.kind).where(RUNS.c.id == summary["run"])).scalar_one()
        rows = conn.execute(select(FINDINGS.c.check_id, FINDINGS.c.status, FINDINGS.c.value, FINDINGS.c.evidence)
                            .where(FINDINGS.c.run_id == summary["run"])).all()
    assert run == "render"
    assert [(r.check_id, r.status) for r in rows] == [(RenderedHeading.id, "pass")]
    value = rows[0].value if isinstance(rows[0].value, dict) else json.loads(rows[0].value)
    assert value == {"desktop": True, "phone": True}
    assert len(rows[0].evidence if isinstance(rows[0].evidence, list) else json.loads(rows[0].evidence)) == 4


def test_inspect_prints_jsonl_per_url(cli: Any, engine: Engine, site: Server, tmp_path: Any) -> None:
    from mgov.db.tables import SCAN_RUNS as RUNS

    urls = tmp_path / "urls.txt"
    urls.write_text("# two pages\nhttp://render.test/other\n", encoding="utf-8")
    out = cli("inspect", "http://render.test/", "--urls-file", str(urls), "--format", "jsonl",
              "--connect-to", f"render.test:80:127.0.0.1:{site.port}", "--allow-private").stdout
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["url"] for line in lines] == ["http://render.test/", "http://render.test/other"]
    first, second = (line["findings"] for line in lines)
    checks = {f["check"] for f in first}  # the checks of the render pass: the test's and the built-in ones
    assert RenderedHeading.id in checks and {"a11y.images", "mobile.overflow", "pagexp.lcp"} <= checks
    assert not checks & {"availability", "links.dead"}  # byte-level and crawl checks are other passes
    mine, theirs = (next(f for f in found if f["check"] == RenderedHeading.id) for found in (first, second))
    assert mine["status"] == "pass" and theirs["status"] == "fail"
    assert set(mine) >= {"address", "check", "status", "value", "message", "scan_status", "evidence"}
    assert all(f["evidence"] == [] for f in first)  # nothing archived without --store
    # Per rule: its outcome, WCAG success criteria and W3C ACT rule ids (axe-core's actIds).
    images = next(f for f in second if f["check"] == "a11y.images")
    assert images["status"] == "fail"
    rules = {r["id"]: r for r in images["value"]["rules"]}
    assert rules["image-alt"]["outcome"] == "failed" and rules["image-alt"]["act"]
    assert "1.1.1" in rules["image-alt"]["sc"] and rules["image-alt"]["nodes"][0]["selector"]
    assert all(r["outcome"] in ("passed", "failed", "inapplicable", "incomplete") for r in rules.values())
    with engine.connect() as conn:
        assert conn.execute(select(RUNS.c.id)).first() is None


def test_inspect_refuses_loopback_without_allow_private(cli: Any, site: Server) -> None:
    before = len(site.hits)
    out = cli("inspect", f"http://127.0.0.1:{site.port}/", "--format", "json").stdout
    [item] = json.loads(out)
    assert next(f for f in item["findings"] if f["check"] == RenderedHeading.id)["status"] == "fail"
    assert all(f["status"] in ("fail", "error", "not_applicable") for f in item["findings"])  # none passes
    assert site.hits[before:] == []
