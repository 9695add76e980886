"""What the render defects serve beyond their marks (render_marks.py): a site's own scripts
(the footer's identifiers, the JS-only tracker), the shared ones (the keyboard trap, the
floating ad), the 适老版 page of cn sites, and the manifest's facts of each render defect.
"""

from __future__ import annotations

import json
import random
from html import escape
from typing import Any
from urllib.parse import quote

from mgov.demo.farm import contract as c
from mgov.demo.farm.content import Plan, item_path
from mgov.demo.farm.manifest import Site
from mgov.demo.farm.pages import Page, content_page, html_page, jiucuo_entry
from mgov.demo.farm.render_marks import ELDER_PATH, FLOAT_JS, FOOTER_JS, STATS_JS, TRAP_ID, TRAP_JS, tracker_host

_JS = "text/javascript; charset=utf-8"

TRAP = f"""// A map widget that keeps the keyboard focus (mgov demo farm: render.keyboard_trap).
(function () {{
  var map = document.createElement("div");
  map.id = "{TRAP_ID}"; map.className = "map"; map.tabIndex = 0;
  map.setAttribute("role", "application");
  map.setAttribute("aria-label", document.documentElement.lang === "en" ? "Office map" : "办事大厅地图");
  map.textContent = document.documentElement.lang === "en" ? "Map of our offices" : "办事大厅分布图";
  map.addEventListener("keydown", function (e) {{
    if (e.key === "Tab") {{ e.preventDefault(); map.focus(); }}
  }});
  (document.querySelector("main") || document.body).appendChild(map);
}})();
"""

FLOAT = f"""// A floating ad (飘窗) over the page (mgov demo farm: render.popup_ad).
(function () {{
  var ad = document.createElement("div");
  ad.className = "float-ad"; ad.id = "piaochuang";
  ad.setAttribute("role", "complementary"); ad.setAttribute("aria-label", "广告");
  var tag = document.createElement("p"); tag.textContent = "广告";
  var link = document.createElement("a"); link.href = "{ELDER_PATH}"; link.textContent = "点击领取惠民补贴";
  var close = document.createElement("button"); close.type = "button"; close.textContent = "关闭";
  close.addEventListener("click", function () {{ ad.remove(); }});
  ad.append(tag, link, close);
  document.body.appendChild(ad);
}})();
"""

SCRIPTS = {TRAP_JS: TRAP, FLOAT_JS: FLOAT}  # the same on every site that has them


def footer_js(site: Site, identity: str, jiucuo: str | None) -> str:
    """render.js_footer: document.write of the identity line, DOM calls for the 找错 entry."""
    lines = ["// The footer's identifiers, written by script (mgov demo farm: render.js_footer).",
             f"document.write({json.dumps(identity, ensure_ascii=False)});"]
    if jiucuo:
        lines += ["(function () {",
                  "  var p = document.createElement('p');",
                  f"  p.innerHTML = {json.dumps(jiucuo, ensure_ascii=False)};",
                  "  document.currentScript.parentNode.appendChild(p);",
                  "})();"]
    return "\n".join(lines) + "\n"


def _jiucuo_link(site: Site, code: str) -> str:
    """The 找错 entry as a link (scripts inserted by innerHTML would not run)."""
    if site.form("jiucuo") in ("link", "former", ""):
        return jiucuo_entry(site, code)
    home = quote(f"https://{site.host}/", safe="")
    return f'<a href="https://{c.JIUCUO_HOST}/exposure/jiucuo.html?site_code={code}&url={home}">我为政府网站找错</a>'


def stats_js(site: Site, seed: int) -> str:
    """render.js_tracker: the tracker's loader, as tag managers and 统计 snippets do it."""
    rng = random.Random(f"{seed}/{site.host}/stats")
    if site.jurisdiction == "cn":
        src = f"https://{c.BAIDU_HOST}/hm.js?{rng.getrandbits(128):032x}"
        extra = "window._hmt = window._hmt || [];"
    else:
        ga = f"G-{rng.getrandbits(40):010X}"
        src = f"https://{c.GA_HOST}/gtag/js?id={ga}"
        extra = ("window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} "
                 f"gtag('js', new Date()); gtag('config', '{ga}');")
    return ("// Site statistics (mgov demo farm: render.js_tracker).\n(function () {\n"
            f"  {extra}\n  var s = document.createElement('script'); s.async = true;\n"
            f"  s.src = {json.dumps(src)};\n  document.head.appendChild(s);\n}})();\n")


def elder_page(site: Site, plan: Plan) -> Page:
    """The 适老版: large text and targets (MIIT: text >= 18 pt, targets >= 60x60)."""
    items = "".join(f'<li><a href="{escape(item_path(site, i))}">{escape(i.title)}</a></li>'
                    for i in plan.latest("news", 6))
    main = ('<h2>长者模式</h2><p>本页为适老化版本：字号放大，按钮加大，无广告。</p>'
            f'<ul class="elder-list">{items}</ul><p><a href="/">返回标准版</a></p>')
    if site.has("render.popup_ad"):
        main += f'<script src="{FLOAT_JS}" defer></script>'
    text = content_page(site, plan.seed, "长者模式", main).replace("<body>", '<body class="elder">', 1)
    return html_page(site, text)


def site_pages(site: Site, plan: Plan, identity: str) -> dict[str, Page]:
    """The render pages of a site, by path: its 适老版 (cn), and its defects' scripts."""
    out: dict[str, Page] = {}
    if site.jurisdiction == "cn":
        out[ELDER_PATH] = elder_page(site, plan)
    if site.has("render.js_footer"):
        code = site.identifiers.get("jiucuo_site_code")
        out[FOOTER_JS] = Page(200, _JS, footer_js(site, identity, _jiucuo_link(site, code) if code else None
                                                  ).encode())
    if site.has("render.js_tracker"):
        out[STATS_JS] = Page(200, _JS, stats_js(site, plan.seed).encode())
    for path, body in SCRIPTS.items():
        out[path] = Page(200, _JS, body.encode())
    return out


def render_facts(site: Site) -> dict[str, Any]:
    """The manifest's facts of a site's render defects (Site.details[defect id])."""
    facts: dict[str, Any] = {}
    if site.has("render.js_footer"):
        facts["render.js_footer"] = {"script": FOOTER_JS, "shows": sorted(
            k for k in ("site_code", "icp", "psb", "jiucuo_site_code") if site.identifiers.get(k))}
    if site.has("render.js_tracker"):
        facts["render.js_tracker"] = {"script": STATS_JS, "host": tracker_host(site)}
    if site.has("render.keyboard_trap"):
        facts["render.keyboard_trap"] = {"script": TRAP_JS, "selector": f"#{TRAP_ID}"}
    if site.has("render.popup_ad"):
        facts["render.popup_ad"] = {"script": FLOAT_JS, "pages": [ELDER_PATH, "/"],
                                    "selector": "#piaochuang"}
    for defect, selector in (("render.overflow", "table.wide"), ("render.tap_targets", ".share button"),
                             ("render.no_alt", ".photo img"), ("render.low_contrast", "p.faint"),
                             ("render.unlabeled_field", 'input[name="q"]')):
        if site.has(defect):
            facts[defect] = {"selector": selector, "page": "/"}
    return facts
