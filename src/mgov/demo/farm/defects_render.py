"""The render defects: what only a real browser sees (issue 16), and what the scan and crawl
defects spoil in a rendered page.

Kept apart from defects.py as plain data (defects.py builds the `Defect`s). A render defect
is judged by a run of kind "render"; the byte-level checks it blinds are in its `obscures`,
and a defect whose point is that a rendered check must NOT fail lists that check in `passes`.
The markup and scripts are in render_pages.py; docs/demo-farm.md ("Render defects").
"""

from __future__ import annotations

# The checks of the render pass (a run of kind "render": a real browser), issue 16.
RENDER_CHECKS: frozenset[str] = frozenset({
    "a11y.images", "a11y.contrast", "a11y.forms", "a11y.keyboard", "a11y.names", "a11y.structure",
    "mobile.overflow", "mobile.tap_targets", "mobile.text_size", "mobile.zoom", "aging.entry",
    "aging.popups", "aging.sizes", "pagexp.lcp", "pagexp.cls", "pagexp.blocking", "pagexp.console",
    "rendered.identity", "rendered.trackers",
})
_ALL = tuple(sorted(RENDER_CHECKS))
_IDENTITY_BYTES = ("cn.site_code", "cn.icp", "cn.psb", "cn.jiucuo")

# (id, checks, summary, cn_only, obscures, passes)
RENDER_SPECS: tuple[tuple[str, tuple[str, ...], str, bool, tuple[str, ...], tuple[str, ...]], ...] = (
    ("render.js_footer", (),
     "the footer's 网站标识码, ICP备案 and 公网安备 are written by /js/footer.js (document.write), "
     "its 找错 entry built with DOM calls: the bytes lack them, the rendered page has them",
     True, _IDENTITY_BYTES, ("rendered.identity",)),
    ("render.overflow", ("mobile.overflow",),
     "a 1100 px wide table on the homepage: horizontal scrolling at 320 and 390 px", False,
     # A phone browser zooms a page wider than the screen out to fit: its text and targets shrink.
     ("mobile.text_size", "mobile.tap_targets"), ()),
    ("render.tap_targets", ("mobile.tap_targets",),
     "four 16×16 share buttons side by side on the homepage", False,
     ("a11y.structure",), ()),  # axe's target-size rule (WCAG 2.5.8) finds them too
    ("render.no_alt", ("a11y.images",),
     "a news photo on the homepage without alt", False, (), ()),
    ("render.low_contrast", ("a11y.contrast",),
     "a homepage notice in #c0c0c0 on white (1.8:1)", False, (), ()),
    ("render.unlabeled_field", ("a11y.forms",),
     "the search field has no label (no <label>, aria-label, title or placeholder)", False, (), ()),
    ("render.keyboard_trap", ("a11y.keyboard",),
     "a map widget on the homepage (/js/trap.js) that keeps the focus on Tab and Shift+Tab",
     False, (), ()),
    ("render.popup_ad", ("aging.popups",),
     "a floating ad (飘窗, /js/float.js) on the 适老版 (/elder/) and the homepage", True, (), ()),
    ("render.js_tracker", ("rendered.trackers",),
     "/js/stats.js inserts 百度统计 (cn) or Google Analytics (us): no tracker in the bytes",
     False, (), ()),
)
RENDER_IDS = tuple(spec[0] for spec in RENDER_SPECS)

# Scan and crawl defects -> the rendered checks they may make fail on their site (neither
# required nor false alarms in a comparison of a render run).
RENDER_OBSCURED: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("tls.expired", "tls.self_signed", "tls.wrong_host", "availability.slow",
                     "availability.failing", "availability.flapping", "ipv6.unreachable"), _ALL),
    "mobile.no_viewport": ("mobile.overflow", "mobile.tap_targets", "mobile.text_size",
                           "mobile.zoom", "aging.sizes"),
    "page.no_title": ("a11y.structure",),
    "html.no_lang": ("a11y.structure",),
    # The healthy CSP does not name their hosts: the browser refuses them (console errors).
    "analytics.trackers": ("rendered.trackers", "pagexp.console"),
    "cookies.third_party": ("rendered.trackers", "pagexp.console"),
    "mixed_content": ("pagexp.console",),
    "page.heavy": ("pagexp.lcp",),
    "page.charset_liar": ("rendered.identity", "a11y.structure"),
    "page.no_charset": ("rendered.identity", "a11y.structure"),
    **dict.fromkeys(("cn.site_code.missing", "cn.site_code.malformed", "cn.site_code.mismatch",
                     "cn.icp.missing", "cn.psb.missing", "cn.psb.mismatch", "cn.jiucuo.missing",
                     "cn.jiucuo.mismatch"), ("rendered.identity",)),
    "redflag.hidden_link": ("pagexp.console",),  # an inline style attribute the CSP refuses
}

# Scan defects -> the render defects they hide (never on one site).
_ALL_RENDER = frozenset(RENDER_IDS)
RENDER_MOOT: dict[str, frozenset[str]] = {
    **dict.fromkeys(("tls.expired", "tls.self_signed", "tls.wrong_host", "availability.slow",
                     "availability.failing", "availability.flapping", "ipv6.unreachable"), _ALL_RENDER),
    "mobile.no_viewport": frozenset({"render.overflow", "render.tap_targets"}),
    "search.missing": frozenset({"render.unlabeled_field"}),
    "page.charset_liar": frozenset({"render.js_footer"}),
    "page.no_charset": frozenset({"render.js_footer"}),
    **dict.fromkeys(("cn.site_code.missing", "cn.site_code.malformed", "cn.site_code.mismatch",
                     "cn.icp.missing", "cn.psb.missing", "cn.psb.mismatch", "cn.jiucuo.missing",
                     "cn.jiucuo.mismatch"), frozenset({"render.js_footer"})),
    "analytics.trackers": frozenset({"render.js_tracker"}),
}
