"""The rendering probes (src/mgov/collect/probes/*.js) run for real in Debian's Chromium on small
pages served from loopback (tests/assets/rendered/): each probe finds the defect it is for on a
page that has it, and the rendered checks judge the probes' output as the collector stores it;
a clean page gives no failure.

The probes are run the way the rendering collector runs them: the vendored library named on a
probe's `// requires:` line is added to the page first, then the file's function expression is
evaluated and its JSON result kept.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mgov.collect
from mgov.checks.base import Status
from mgov.checks.builtin import rendered_a11y, rendered_aging, rendered_facts, rendered_mobile
from mgov.evidence.rendered import DESKTOP, NARROW, PHONE, Rendering, RenderStatus, Viewport
from rendered_evidence import evidence_of
from webserver import launch_chromium

PAGES = Path(__file__).parent / "assets" / "rendered"
PROBES_DIR = Path(mgov.collect.__file__).parent / "probes"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as b:
        yield b


def run_probe(page: Any, name: str) -> Any:
    source = (PROBES_DIR / f"{name}.js").read_text(encoding="utf-8")
    first = source.splitlines()[0]
    if first.startswith("// requires:"):
        page.add_script_tag(content=(PROBES_DIR / first.split(":", 1)[1].strip()).read_text(encoding="utf-8"))
    return page.evaluate(source)


def render(browser: Any, url: str, viewport: Viewport) -> Rendering:
    context = browser.new_context(viewport={"width": viewport.width, "height": viewport.height},
                                  is_mobile=viewport.mobile, has_touch=viewport.touch,
                                  user_agent=viewport.user_agent, device_scale_factor=viewport.scale)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        # every probe file, in name order (keyboard before layout: the walk must leave the page as it was)
        probes = {path.stem: run_probe(page, path.stem) for path in sorted(PROBES_DIR.glob("*.js"))}
        return Rendering(url, viewport, RenderStatus.OK, final_url=page.url, http_status=200, title=page.title(),
                         dom=page.content(), probes=probes)
    finally:
        context.close()


@pytest.fixture(scope="module")
def rendered(site: str, browser: Any) -> dict[str, dict[str, Rendering]]:
    return {name: {vp.name: render(browser, f"{site}/{name}.html", vp) for vp in (DESKTOP, PHONE, NARROW)}
            for name in ("clean", "defects")}


def _rule(r: Rendering, rule: str) -> dict[str, Any]:
    return next(x for x in r.probes["axe"]["rules"] if x["id"] == rule)


def test_axe_probe_reports_every_rule_with_its_outcome_and_act_ids(rendered: dict[str, dict[str, Rendering]]) -> None:
    defects = rendered["defects"]["desktop"]
    assert defects.probes["axe"]["version"] == "4.14.1"
    for rule in ("image-alt", "color-contrast", "label"):
        found = _rule(defects, rule)
        assert found["outcome"] == "failed", rule
        assert found["nodes"] and found["nodes"][0]["selector"] and found["nodes"][0]["html"].startswith("<")
    contrast = _rule(defects, "color-contrast")["nodes"][0]
    assert contrast["selector"] == "p.faint" or ".faint" in contrast["selector"], contrast
    x, y, w, h = contrast["box"]
    assert x >= 0 and y > 0 and w > 100 and h > 10  # where to outline it on the screenshot
    image = _rule(defects, "image-alt")
    assert "1.1.1" in image["sc"] and "23a2a8" in image["actIds"]
    clean = rendered["clean"]["desktop"].probes["axe"]["rules"]
    assert next(r for r in clean if r["id"] == "frame-title")["outcome"] == "passed"
    assert not [r["id"] for r in clean if r["outcome"] == "failed"]
    assert {r["outcome"] for r in clean} >= {"passed", "inapplicable"}


def test_layout_probe_sees_overflow_small_targets_and_tiny_text(rendered: dict[str, dict[str, Rendering]]) -> None:
    layout = rendered["defects"]["phone"].probes["layout"]
    assert layout["viewport"]["width"] == 390 and "user-scalable=no" in layout["viewport"]["meta"]
    assert layout["scroll_width"] > 390 and layout["overflow"][0]["width"] >= 900
    assert any(t["width"] <= 10 and t["gap"] is not None and t["gap"] < 12 for t in layout["targets"]["small"])
    assert layout["text"]["small"] and min(float(k) for k in layout["text"]["px"]) == 9
    clean = rendered["clean"]["phone"].probes["layout"]
    assert clean["scroll_width"] <= 390 and not clean["text"]["small"]


def test_aging_probe_finds_the_entry_and_the_floating_ad(rendered: dict[str, dict[str, Rendering]]) -> None:
    aging = rendered["defects"]["phone"].probes["aging"]
    assert [e["text"] for e in aging["entries"]] == ["适老版"]
    ad = aging["floating"][0]
    assert ad["selector"] == "#ad" and ad["media"] and ad["close"] and ad["share"] > 0.1
    assert rendered["clean"]["phone"].probes["aging"]["floating"] == []


def test_keyboard_probe_finds_the_trap(rendered: dict[str, dict[str, Rendering]]) -> None:
    keyboard = rendered["defects"]["desktop"].probes["keyboard"]
    assert keyboard["trap"] is not None and set(keyboard["trap"]["cycle"]) == {"#t1", "#t2"}
    assert not keyboard["reached_end"]
    assert rendered["defects"]["phone"].probes["keyboard"]["skipped"] == "touch"  # no Tab key on a phone
    clean = rendered["clean"]["desktop"].probes["keyboard"]
    assert clean["trap"] is None and clean["reached_end"] and clean["steps"] == clean["focusables"]


def test_keyboard_probe_finds_a_trap_built_on_blur_timers(site: str, browser: Any) -> None:
    """W3C ACT rule a1b64e's failed example: each button refocuses the other 10 ms after blur."""
    page = browser.new_page()
    try:
        page.goto(f"{site}/blurtrap.html")
        keyboard = run_probe(page, "keyboard")
    finally:
        page.close()
    assert keyboard["trap"] is not None and keyboard["trap"]["how"] == "focus_pulled", keyboard
    assert "Button3" not in str(keyboard["path"]) and not keyboard["reached_end"]


def test_a_page_without_viewport_meta_is_laid_out_for_a_desktop_and_shrunk(site: str, browser: Any) -> None:
    """No viewport meta: the phone lays the page out 980 px wide and scales it down; no
    sideways scrolling, yet it is not adapted, and its 16 px text shows at about 6 px."""
    page = render(browser, f"{site}/nometa.html", PHONE)
    assert page.probes["layout"]["viewport"] == {"width": 980, "height": page.probes["layout"]["viewport"]["height"],
                                                 "meta": None}
    ev = evidence_of([page])
    overflow = rendered_mobile.Overflow().run(ev)
    assert overflow.status is Status.FAIL and "no viewport meta tag" in overflow.message
    assert rendered_mobile.TextSize().run(ev).status is Status.FAIL
    assert rendered_mobile.Zoom().run(ev).status is Status.PASS


CHECKS = [*rendered_a11y.CHECKS, *rendered_mobile.CHECKS, *rendered_aging.CHECKS, *rendered_facts.IDENTITY]


def test_checks_on_real_renderings(rendered: dict[str, dict[str, Rendering]]) -> None:
    clean = evidence_of(list(rendered["clean"].values()), jurisdiction="cn")
    defects = evidence_of(list(rendered["defects"].values()), jurisdiction="cn",
                          static_html=(PAGES / "defects.html").read_text(encoding="utf-8"))
    verdicts = {c.id: (c().run(defects).status, c().run(clean)) for c in CHECKS}
    bad = {cid: (f.status, f.message) for cid, (_, f) in verdicts.items() if f.status in (Status.FAIL, Status.ERROR)}
    assert not bad, bad  # the clean page fails nothing
    expect_fail = {"a11y.images", "a11y.contrast", "a11y.forms", "a11y.keyboard", "mobile.overflow",
                   "mobile.tap_targets", "mobile.text_size", "mobile.zoom", "aging.popups"}
    assert {cid for cid, (s, _) in verdicts.items() if s is Status.FAIL} >= expect_fail
    assert verdicts["aging.entry"][0] is Status.PASS and verdicts["rendered.identity"][0] is Status.PASS
    # the footer only the page's script wrote: every identity fact of it is script-built
    identity = rendered_facts.Identity().run(defects)
    assert identity.value["script_built"] == ["icp", "jiucuo", "psb", "site_code"], identity.value
    assert identity.value["psb"]["province"] == "川" and identity.value["jiucuo"]["site_code"] == "5101000001"
