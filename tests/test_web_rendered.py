"""The finding page of a rendered check (issue 16): the desktop and phone screenshots (WARC
resource records, served by a scoped route), the failing elements outlined on them, the rule
list with WCAG success criteria, ACT rules and outcomes; in Chinese and in English."""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from mgov.web.queries import rendered
from webworld import World, add_rendered_finding, build_world


@pytest.fixture
def world(engine, tmp_path) -> World:
    w = build_world(engine, tmp_path)
    w.ids["shot"] = add_rendered_finding(w)
    w.ids["shot_b"] = add_rendered_finding(w, "channel_b")
    return w


def test_finding_page_shows_screenshots_outlines_and_rules(world: World) -> None:
    browser = world.client("a_staff")
    fid = world.ids["shot"]
    for lang, words in (("zh", ("页面渲染", "桌面端", "手机端", "已执行的规则", "不通过", "需人工复核", "不适用")),
                        ("en", ("Rendered page", "desktop", "phone", "Rules run", "failed", "needs review",
                                "inapplicable"))):
        browser.http.cookies.set("mgov_lang", lang)
        page = browser.get(f"/findings/{fid}")
        assert page.status_code == 200
        tree = HTMLParser(page.text)
        for word in words:
            assert word in page.text, (lang, word)
        figures = tree.css("figure.shot")
        assert [f.attributes["class"] for f in figures] == ["shot shot-desktop", "shot shot-phone"]
        imgs = [f.css_first("img").attributes["src"] for f in figures]
        assert imgs == [f"/findings/{fid}/screenshot/1", f"/findings/{fid}/screenshot/2"]
        # The two failing elements with boxes are outlined on the desktop screenshot, in its CSS px.
        svg = figures[0].css_first("svg.outlines")
        assert svg.attributes["viewBox"] == "0 0 1366.0 1000.0"
        rects = [(r.attributes["x"], r.attributes["y"], r.attributes["width"], r.attributes["height"])
                 for r in svg.css("rect")]
        assert rects == [("40.0", "300.0", "120.0", "80.0"), ("400.0", "120.0", "300.0", "60.0")]
        assert figures[1].css_first("svg") is None
        rows = tree.css("table.rules tbody tr")
        assert [r.css_first("code").text() for r in rows] == ["image-alt", "object-alt", "role-img-alt",
                                                             "svg-img-alt"]
        first = rows[0].css("td")
        assert first[1].text() == "1.1.1" and first[2].text() == "23a2a8"
        assert "p.photo &gt; img" in rows[0].html and "#hero-photo" in rows[0].html
    for n, size in ((1, (1366, 1000)), (2, (390, 1200))):
        shot = browser.get(f"/findings/{fid}/screenshot/{n}")
        assert shot.status_code == 200 and shot.headers["content-type"] == "image/png"
        assert rendered.png_size(shot.content) == size
    assert browser.get(f"/findings/{fid}/screenshot/0").status_code == 404  # the response record: no image
    assert browser.get(f"/findings/{fid}/screenshot/3").status_code == 404


def test_screenshots_are_scoped(world: World) -> None:
    a, b = world.ids["shot"], world.ids["shot_b"]
    intruder = world.client("b_staff")
    assert intruder.get(f"/findings/{a}/screenshot/1").status_code == 404
    assert intruder.get(f"/findings/{a}").status_code == 404
    own = intruder.get(f"/findings/{b}/screenshot/1")
    assert own.status_code == 200 and own.content.startswith(b"\x89PNG")
    assert world.client().get(f"/findings/{a}/screenshot/1").status_code in (303, 401)  # not signed in


def test_rules_and_boxes_read_loosely() -> None:
    value = {"rules": [{"rule": "label", "actIds": "97a4e1", "sc": "4.1.2", "outcome": "failed",
                        "elements": [{"target": ["form", "input"], "html": "<input>",
                                      "box": [1, 2, 3, 4], "viewport": "phone"},
                                     {"target": "x", "box": [1, 2, 0, 4]}]}, "junk"]}
    rules = rendered.rules(value)
    assert rules[0]["id"] == "label" and rules[0]["act"] == ["97a4e1"] and rules[0]["wcag"] == ["4.1.2"]
    assert rules[0]["nodes"][0]["selector"] == "form input"
    assert [b["viewport"] for b in rendered.boxes(value)] == ["phone"]  # an empty box is no outline
    assert rendered.rules({"host": "x"}) == [] and rendered.boxes(None) == []
    assert rendered.png_size(b"GIF89a") is None
    assert re.fullmatch(r"\d+", str(rendered.MAX_NODES))
