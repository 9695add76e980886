"""The render defects' marks in a page's HTML (defects_render.py): what the homepage and the
footer carry on a site with them. The scripts they load and the 适老版 page are in
render_pages.py. Every class used here is styled by the shared stylesheet (assets.CSS), and
nothing is inline (the healthy CSP refuses inline scripts and styles).
"""

from __future__ import annotations

from mgov.demo.farm import contract as c
from mgov.demo.farm import notice_marks
from mgov.demo.farm.manifest import Site

FOOTER_JS = "/js/footer.js"  # render.js_footer: the identifiers, written by script
STATS_JS = "/js/stats.js"  # render.js_tracker: the tracker, inserted by script
TRAP_JS = "/js/trap.js"  # render.keyboard_trap
FLOAT_JS = "/js/float.js"  # render.popup_ad
ELDER_PATH = "/elder/"  # the 适老版 (cn sites); site.js's toolbar links to it
TRAP_ID = "map"


def tracker_host(site: Site) -> str:
    return c.BAIDU_HOST if site.jurisdiction == "cn" else c.GA_HOST


def csp(site: Site) -> str:
    """The site's Content-Security-Policy: the contract's, and the hosts of the trackers it embeds
    on purpose (the JS-only tracker; the privacy defects' trackers, notice_marks.py): a site that
    embeds a tracker allows it, or the browser would refuse it."""
    base = c.SECURITY_HEADERS["Content-Security-Policy"]
    hosts = ([tracker_host(site)] if site.has("render.js_tracker") else []) + notice_marks.script_hosts(site)
    if not hosts:
        return base
    return base.replace("script-src 'self'", "script-src 'self' " + " ".join(f"https://{h}" for h in hosts), 1)


def home_marks(site: Site) -> str:
    """The homepage's render defects, inside <main>."""
    zh = site.language == "zh"
    out = []
    if site.has("render.overflow"):
        cells = (("办事事项", "承办科室", "办理时限", "咨询电话", "办理地点") if zh
                 else ("Service", "Office", "Time limit", "Phone", "Where"))
        out.append('<table class="wide"><tr>' + "".join(f"<td>{x}</td>" for x in cells) + "</tr></table>")
    if site.has("render.tap_targets"):
        names = (("分享到微信", "分享到微博", "分享到QQ", "打印本页") if zh
                 else ("Share on Facebook", "Share on X", "Share by email", "Print this page"))
        out.append('<div class="share">' + "".join(
            f'<button type="button" aria-label="{n}"></button>' for n in names) + "</div>")
    if site.has("render.no_alt"):
        out.append('<p class="photo"><img src="/images/news.png" width="120" height="80"></p>')
    if site.has("render.low_contrast"):
        text = ("温馨提示：本网站部分办事事项已迁移至政务服务平台办理。" if zh
                else "Note: some services have moved to the online services portal.")
        out.append(f'<p class="faint">{text}</p>')
    for defect, src in (("render.keyboard_trap", TRAP_JS), ("render.popup_ad", FLOAT_JS),
                        ("render.js_tracker", STATS_JS)):
        if site.has(defect):
            out.append(f'<script src="{src}" defer></script>')
    if marks := notice_marks.home_marks(site):  # the privacy defects' trackers
        out.append(marks)
    return "\n".join(out)


def search_aria(site: Site, label: str) -> str:
    """The search field's accessible name: none on a site with render.unlabeled_field."""
    return "" if site.has("render.unlabeled_field") else f' aria-label="{label}"'
