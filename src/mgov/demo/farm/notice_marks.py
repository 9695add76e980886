"""The consent defects' marks (defects_notices.py): the tracker scripts a page carries, the hosts
the site's Content-Security-Policy must then allow, the stand-in tracker scripts the farm serves
(百度统计's hm.js and Google's gtag.js set their visitor cookies as the real ones do), and the
Privacy Policy link of a US site without /privacy. Imports no page module (pages.py and
render_marks.py import this one)."""

from __future__ import annotations

import hashlib
import json

from mgov.demo.farm import contract as c
from mgov.demo.farm.manifest import Site

PROGRAM_POLICY = "/privacy-policy.html"  # privacy.program_missing: where its Privacy Policy link goes


def _id(site: Site, what: str, n: int) -> str:
    return hashlib.sha256(f"{site.host}/{what}".encode()).hexdigest()[:n]


def tracker_url(site: Site) -> str:
    """The tracker of privacy.tracker_cookies and privacy.tracker_on_form: 百度统计 (cn), Google
    Analytics' gtag.js (us)."""
    if site.jurisdiction == "cn":
        return f"https://{c.BAIDU_HOST}/hm.js?{_id(site, 'hm', 32)}"
    return f"https://{c.GA_HOST}/gtag/js?id=G-{_id(site, 'ga', 10).upper()}"


def unnamed_url(site: Site) -> str:
    """privacy.third_parties_unnamed's script: CNZZ (cn), Crazy Egg (us); neither sets a cookie here."""
    if site.jurisdiction == "cn":
        n = int(_id(site, "cnzz", 8), 16) % 1_000_000_000 + 1_000_000_000
        return f"https://{c.CNZZ_HOST}/z_stat.php?id={n}&web_id={n}"
    return f"https://{c.CRAZYEGG_HOST}/pages/scripts/{_id(site, 'ce', 4)}/{_id(site, 'ce2', 4)}.js"


def tracker_cookie_names(site: Site) -> list[str]:
    """The cookies tracker_url's script sets on the site (stand-in scripts below)."""
    if site.jurisdiction == "cn":
        sid = _id(site, "hm", 32)
        return [f"Hm_lvt_{sid}", f"Hm_lpvt_{sid}"]
    return ["_ga", f"_ga_{_id(site, 'ga', 10).upper()}"]


def script_hosts(site: Site) -> list[str]:
    """The hosts of the scripts the site's notice defects load (its CSP allows them)."""
    hosts = []
    if site.has("privacy.tracker_cookies") or site.has("privacy.tracker_on_form"):
        hosts.append(c.BAIDU_HOST if site.jurisdiction == "cn" else c.GA_HOST)
    if site.has("privacy.third_parties_unnamed"):
        hosts.append(c.CNZZ_HOST if site.jurisdiction == "cn" else c.CRAZYEGG_HOST)
    return hosts


def home_marks(site: Site) -> str:
    """The homepage's tracker scripts (inside <main>)."""
    out = []
    if site.has("privacy.tracker_cookies"):
        out.append(f'<script async src="{tracker_url(site)}"></script>')
    if site.has("privacy.third_parties_unnamed"):
        out.append(f'<script async src="{unnamed_url(site)}"></script>')
    return "\n".join(out)


def form_marks(site: Site) -> str:
    """The consultation form page's tracker script (privacy.tracker_on_form)."""
    return f'<script async src="{tracker_url(site)}"></script>' if site.has("privacy.tracker_on_form") else ""


def footer_links(site: Site, links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The required links as the site shows them: a US site without /privacy links its policy elsewhere."""
    if not site.has("privacy.program_missing"):
        return links
    return [(text, PROGRAM_POLICY if href == "/privacy" else href) for text, href in links]


# The stand-in scripts: what the real ones do to cookies (a visitor id on the page's own host).
_HM = """/* hm.baidu.com/hm.js: stand-in for 百度统计's script, served by the mgov demo farm. Like the real
   one it sets its visit cookies on the page's own host as soon as it runs. */
(function () {
  var src = (document.currentScript && document.currentScript.src) || "";
  var id = (src.split("?")[1] || "0").slice(0, 32), now = Math.floor(Date.now() / 1000);
  document.cookie = "Hm_lvt_" + id + "=" + now + "; path=/; max-age=31536000; SameSite=Lax";
  document.cookie = "Hm_lpvt_" + id + "=" + now + "; path=/; SameSite=Lax";
})();
"""
_GTAG = """/* www.googletagmanager.com/gtag/js: stand-in for Google Analytics' gtag.js, served by the mgov demo
   farm. Like the real one it sets the _ga client id and the _ga_<ID> session cookie on first run. */
(function () {
  var src = (document.currentScript && document.currentScript.src) || "";
  var m = src.match(/[?&]id=G-([A-Za-z0-9]+)/), id = m ? m[1] : "0", now = Math.floor(Date.now() / 1000);
  var client = Math.floor(Math.random() * 1e9);
  document.cookie = "_ga=GA1.1." + client + "." + now + "; path=/; max-age=63072000; SameSite=Lax";
  document.cookie = "_ga_" + id + "=GS1.1." + now + ".1.0." + now + ".0; path=/; max-age=63072000; SameSite=Lax";
})();
"""
_CRAZYEGG = "/* {host}: stand-in for Crazy Egg's page script, served by the mgov demo farm (no cookie) */\n"


def tracker_script(host: str, path: str) -> str | None:
    """The stand-in script the farm serves at host and path, or None (not one of these)."""
    if (host, path) == (c.BAIDU_HOST, "/hm.js"):
        return _HM
    if (host, path) == (c.GA_HOST, "/gtag/js"):
        return _GTAG
    if host == c.CRAZYEGG_HOST and path.startswith("/pages/scripts/") and path.endswith(".js"):
        return _CRAZYEGG.format(host=json.dumps(host)[1:-1])
    return None
