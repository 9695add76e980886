"""The defects a farm site can carry, which check should flag each, and which ones combine.

The ids are a contract with the checks' tests and the benchmark: keep them stable. A
combination is refused when one defect would hide the other (a site without HTTPS cannot
also show a weak HSTS header), so every defect in a manifest is observable on its site.

Three kinds: "scan" defects are seen by the protocol checks, "crawl" defects (the content
ones) by the checks of the site crawl (CRAWL_CHECKS), "render" defects by the checks on
rendered pages (RENDER_CHECKS, a real browser: defects_render.py). A comparison of one run
with the manifest counts only the defects of its kind (mgov.demo.verify).
"""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

from mgov.demo.farm.defects_notices import (
    NOTICE_CRAWL_CHECKS,
    NOTICE_MOOT,
    NOTICE_OBSCURED,
    NOTICE_RENDER_CHECKS,
    NOTICE_SPECS,
)
from mgov.demo.farm.defects_render import RENDER_CHECKS, RENDER_MOOT, RENDER_OBSCURED, RENDER_SPECS

# The checks of the crawl pass (a scan run of kind "crawl", docs/crawl-design.md); every
# other check id belongs to the protocol scan.
CRAWL_CHECKS: frozenset[str] = frozenset({
    "links.dead", "content.homepage_fresh", "content.columns_stale", "content.columns_blank",
    "interaction.channel", "interaction.unanswered", "content.expressions", "content.bad_links",
    "content.backdated", "content.tampering", "privacy.pii_exposed",
})
CRAWL_CHECKS |= NOTICE_CRAWL_CHECKS  # the privacy notice's (defects_notices.py)
RENDER_CHECKS |= NOTICE_RENDER_CHECKS


class Defect(NamedTuple):
    id: str
    checks: tuple[str, ...]  # the check ids expected to flag it, the first one above all
    summary: str  # what the farm does
    cn_only: bool = False
    # The kind of run whose checks observe it: "scan" (the protocol checks) or "crawl" (the
    # content checks of the site crawl). A comparison of one run with the manifest counts
    # only the defects of its kind.
    run_kind: str = "scan"
    # The first epoch in which the farm shows it (Farm.set_epoch): 2 for the defects a crawl
    # can only see against the previous crawl (backdating, tampering).
    epoch: int = 1
    # Checks of the other run kind that the defect may make fail or err on its site (a site
    # the crawler cannot fetch): a comparison neither requires them nor calls them false alarms.
    obscures: tuple[str, ...] = ()
    # Checks that must PASS on the site in a run of the defect's kind: the defect is a trap
    # for false alarms (a footer JavaScript writes: the bytes lack it, the rendered page has it).
    passes: tuple[str, ...] = ()


_D = Defect
_ALL_CRAWL = tuple(sorted(CRAWL_CHECKS))  # a site the crawler cannot fetch obscures them all


def _C(id: str, checks: tuple[str, ...], summary: str, cn_only: bool = False,
       epoch: int = 1) -> Defect:
    return Defect(id, checks, summary, cn_only, run_kind="crawl", epoch=epoch)

DEFECTS: dict[str, Defect] = {d.id: d for d in (
    _D("tls.expired", ("tls.valid", "tls.expiry"), "certificate from the farm CA that expired",
       obscures=_ALL_CRAWL),
    _D("tls.self_signed", ("tls.valid",), "self-signed certificate (not from the farm CA)",
       obscures=_ALL_CRAWL),
    _D("tls.wrong_host", ("tls.valid",), "valid certificate for another name", obscures=_ALL_CRAWL),
    _D("tls.expiring_soon", ("tls.expiry",), "valid certificate that expires within 30 days"),
    _D("tls.old_protocol", ("tls.protocol",), "also accepts TLS 1.0 and 1.1"),
    # Without a handshake there is no certificate or protocol to judge: the TLS checks fail too.
    _D("https.none", ("https.available", "https.redirect", "tls.valid", "tls.expiry", "tls.protocol"),
       "TLS handshake aborted for the host; HTTP serves the site with 200", obscures=_ALL_CRAWL),
    _D("https.no_redirect", ("https.redirect",), "HTTP serves the site with 200, no redirect"),
    # Nothing listens on 443 (connection refused); HTTP serves the site, so a crawl that starts
    # from the scheme that works reaches the content: it obscures nothing.
    _D("https.absent", ("https.available", "https.redirect", "tls.valid", "tls.expiry", "tls.protocol"),
       "nothing listens for the host on 443; HTTP serves the site with 200"),
    _D("hsts.none", ("hsts",), "no Strict-Transport-Security header"),
    _D("hsts.weak", ("hsts",), "Strict-Transport-Security: max-age=86400"),
    _D("ipv6.no_aaaa", ("ipv6",), "no AAAA record"),
    _D("ipv6.unreachable", ("ipv6",), "AAAA present, the IPv6 listeners reset the connection"),
    _D("mobile.no_viewport", ("mobile.viewport",), "no viewport meta tag"),
    _D("links.missing", ("links.required",), "two required links dropped from the homepage"),
    _D("page.no_title", ("page.title",), "no <title>"),
    _D("html.no_lang", ("html.lang",), "<html> without lang"),
    _D("search.missing", ("search",), "no search form"),
    # The site's pages are GBK; what they declare is wrong, or nothing (cn only: GBK sites).
    _D("page.charset_liar", ("page.encoding",),
       "Content-Type names a charset browsers do not know (gbk2312, x-unknown), <meta charset> says "
       "utf-8, the bytes are GBK: browsers show mojibake", True),
    _D("page.no_charset", ("page.encoding",), "no charset in Content-Type or <meta>; the bytes are GBK",
       True),
    _D("cn.site_code.missing", ("cn.site_code",), "no SiteIDCode meta, no 网站标识码 text", True),
    _D("cn.site_code.malformed", ("cn.site_code",), "site code of 9 digits on the page", True),
    _D("cn.site_code.mismatch", ("cn.site_code",),
       "well-formed site code that differs from the registry's", True),
    _D("cn.icp.missing", ("cn.icp",), "no ICP备案 number", True),
    _D("cn.psb.missing", ("cn.psb",), "no 公网安备 number", True),
    _D("cn.psb.mismatch", ("cn.psb",),
       "公网安备 province character does not match the number", True),
    _D("cn.conac.missing", ("cn.conac_badge",), "no 党政机关 badge", True),
    _D("cn.jiucuo.missing", ("cn.jiucuo",), "no 我为政府网站找错 entry", True),
    _D("cn.jiucuo.mismatch", ("cn.jiucuo",), "找错 link carries another site_code than the page",
       True),
    _D("not_found.soft404", ("not_found",), "unknown paths answer 200 with a page"),
    _D("robots.missing", ("robots",), "/robots.txt answers 404"),
    _D("sitemap.missing", ("sitemap",), "/sitemap.xml answers 404"),
    _D("security_txt.missing", ("security_txt",), "/.well-known/security.txt answers 404"),
    _D("analytics.trackers", ("analytics", "third_party"),
       "Google Analytics (gtag), 百度统计 and CNZZ scripts (GA only on us sites)"),
    _D("cookies.third_party", ("cookies", "third_party"),
       "pixel from track.adnetwork.example, which sets a SameSite=None cookie"),
    _D("mixed_content", ("mixed_content",), "http:// script and image on the HTTPS page"),
    _D("security_headers.missing", ("security_headers",),
       "no CSP, X-Content-Type-Options, X-Frame-Options, Referrer-Policy"),
    _D("domain.non_gov", ("domain.naming",), "host outside .gov.cn / .gov"),
    _D("www.inconsistent", ("www.consistency",), "the www/apex twin does not resolve"),
    _D("page.heavy", ("page.weight",), "homepage plus subresources over 5 MB"),
    _D("availability.slow", ("availability",), "every response delayed 3 s"),
    _D("availability.failing", ("availability",), "every homepage request answers 503",
       obscures=_ALL_CRAWL),
    _D("availability.flapping", ("availability",), "homepage alternates 200 and 503",
       obscures=_ALL_CRAWL),
    # Content defects: seen by the crawl pass (mgov.demo.farm.content*).
    _C("content.home_stale", ("content.homepage_fresh", "content.columns_stale"),
       "every homepage item older than 14 days, and every timely column stale with them"),
    _C("content.home_undated", ("content.homepage_fresh",), "homepage items without dates"),
    _C("content.columns_stale", ("content.columns_stale",),
       "5+ timely columns stale (news over 14 days, notices and policies over 6 months)"),
    _C("content.columns_blank", ("content.columns_blank",),
       "5 blank columns: a placeholder (暂无信息, 正在建设中, Coming soon) or an empty list"),
    _C("links.dead_internal", ("links.dead",), "3 internal links answer 404, one on the homepage"),
    _C("links.dead_external", ("links.dead",),
       "2 external links: a farm host answering 404, and one answering 500 or with no DNS record"),
    _C("interaction.none", ("interaction.channel",), "no consultation column, link or form", True),
    _C("interaction.broken", ("interaction.channel",),
       "the consultation form's action answers 500 or 404", True),
    _C("interaction.unanswered", ("interaction.unanswered",),
       "2 messages submitted 100-300 days ago, never answered", True),
    _C("redflag.expression", ("content.expressions",), "an article misspells an official title",
       True),
    _C("redflag.bad_link", ("content.bad_links",), "a homepage link to a gambling host"),
    _C("redflag.hidden_link", ("content.bad_links",),
       'an off-site homepage link inside <div style="display:none">'),
    _C("redflag.backdated", ("content.backdated",),
       "epoch 2: a new notice dated 200 days ago", epoch=2),
    _C("redflag.tampered", ("content.tampering",),
       "epoch 2: the homepage's header and footer text changed", epoch=2),
    # Personal data (issue 18; content_privacy.py): a leak to find, and decoys not to flag.
    _C("privacy.pii_leak", ("privacy.pii_exposed",),
       "a notice links an XLSX and a PDF listing people with full ID numbers (cn) or SSNs (us) and contacts"),
    Defect("privacy.pii_decoys", (), "a notice and an XLSX of masked values, invalid checksums, order and "
           "document numbers, timestamps and phone-like ids: nothing to flag", run_kind="crawl",
           passes=("privacy.pii_exposed",)),
    *(Defect(*spec[:4], run_kind="render", obscures=spec[4], passes=spec[5]) for spec in RENDER_SPECS),
    *(Defect(*spec[:4], run_kind=spec[4], obscures=spec[5]) for spec in NOTICE_SPECS),
)}
# What scan and crawl defects spoil in a rendered page (a real browser sees them too).
DEFECTS.update({d: DEFECTS[d]._replace(obscures=DEFECTS[d].obscures + extra)
                for d, extra in RENDER_OBSCURED.items()})
DEFECTS.update({d: DEFECTS[d]._replace(obscures=DEFECTS[d].obscures + extra)
                for d, extra in NOTICE_OBSCURED.items()})

# At most one defect of each group: they are alternatives of one property.
EXCLUSIVE_GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g) for g in (
    {"tls.expired", "tls.self_signed", "tls.wrong_host", "tls.expiring_soon"},
    {"https.none", "https.no_redirect"},
    {"https.absent", "https.none", "https.no_redirect"},
    {"hsts.none", "hsts.weak"},
    {"ipv6.no_aaaa", "ipv6.unreachable"},
    {"cn.site_code.missing", "cn.site_code.malformed", "cn.site_code.mismatch"},
    {"page.charset_liar", "page.no_charset"},
    {"cn.psb.missing", "cn.psb.mismatch"},
    {"cn.jiucuo.missing", "cn.jiucuo.mismatch"},
    {"availability.slow", "availability.failing", "availability.flapping"},
    # home_stale makes every timely column stale: columns_stale would add nothing to see.
    {"content.home_stale", "content.columns_stale"},
    # Undated homepage items cannot show that they are stale.
    {"content.home_stale", "content.home_undated"},
))

_CRAWL_DEFECTS = frozenset(d for d, v in DEFECTS.items() if v.run_kind == "crawl")
_RENDER_DEFECTS = frozenset(d for d, v in DEFECTS.items() if v.run_kind == "render")

# Defects whose content lives on the homepage: a homepage that answers 503 hides them.
_HOMEPAGE = frozenset({
    "mobile.no_viewport", "links.missing", "page.no_title", "html.no_lang", "search.missing",
    "page.charset_liar", "page.no_charset",
    "analytics.trackers", "cookies.third_party", "mixed_content", "page.heavy",
    *(d for d in DEFECTS if d.startswith("cn.")),
})

# Pairs that hide one another, beyond the exclusive groups: (defect, the ones it makes moot).
_MOOT: dict[str, frozenset[str]] = {
    # Without HTTPS there is no certificate, no HSTS and no mixed content to see.
    "https.none": frozenset({"tls.expired", "tls.self_signed", "tls.wrong_host",
                             "tls.expiring_soon", "tls.old_protocol", "hsts.none", "hsts.weak",
                             "mixed_content"}),
    # A soft 404 answers 200 for a missing file, which would hide that it is missing.
    "not_found.soft404": frozenset({"robots.missing", "sitemap.missing", "security_txt.missing"}),
    "availability.failing": _HOMEPAGE | _CRAWL_DEFECTS,
    "availability.flapping": _HOMEPAGE | _CRAWL_DEFECTS,
    # Without a consultation channel there is no form to break and no message to answer.
    "interaction.none": frozenset({"interaction.broken", "interaction.unanswered"}),
}
# A site the crawler cannot fetch (no HTTPS, a certificate that does not verify, a homepage
# that answers 503) hides every content defect.
for _d, _v in DEFECTS.items():
    if set(_ALL_CRAWL) <= set(_v.obscures):
        _MOOT[_d] = _MOOT.get(_d, frozenset()) | _CRAWL_DEFECTS
# A soft 404 answers 200 for a dead internal link, and for a form action that answers 404.
_MOOT["not_found.soft404"] |= {"links.dead_internal", "interaction.broken"}
# An HTTP-only site hides what https.none hides; its content stays reachable over HTTP.
_MOOT["https.absent"] = _MOOT["https.none"] - _CRAWL_DEFECTS
# A page the browser cannot load, or loads differently, hides the render defects it spoils.
for _d, _moot in RENDER_MOOT.items():
    _MOOT[_d] = _MOOT.get(_d, frozenset()) | _moot
for _d, _moot in NOTICE_MOOT.items():  # the privacy-notice defects (defects_notices.py)
    _MOOT[_d] = _MOOT.get(_d, frozenset()) | _moot


def _conflict_pairs() -> frozenset[frozenset[str]]:
    pairs = {frozenset(p) for g in EXCLUSIVE_GROUPS for p in combinations(sorted(g), 2)}
    pairs |= {frozenset((a, b)) for a, moot in _MOOT.items() for b in moot}
    return frozenset(pairs)


CONFLICTS: frozenset[frozenset[str]] = _conflict_pairs()


def compatible(a: str, b: str) -> bool:
    """Whether two defects may sit on one site."""
    return a != b and frozenset((a, b)) not in CONFLICTS


def allowed(defect: str, jurisdiction: str, present: set[str] | frozenset[str]) -> bool:
    """Whether defect may be added to a site of this jurisdiction that already has present."""
    if defect in present or (DEFECTS[defect].cn_only and jurisdiction != "cn"):
        return False
    return all(compatible(defect, other) for other in present)


def run_kind_of(check: str) -> str:
    """The kind of run ("scan", "crawl" or "render") a check id belongs to."""
    return "crawl" if check in CRAWL_CHECKS else "render" if check in RENDER_CHECKS else "scan"


def compatibility_table() -> dict[str, list[str]]:
    """Each defect with the defects it must not be combined with (for docs and tooling)."""
    return {d: sorted(o for o in DEFECTS if o != d and not compatible(d, o)) for d in DEFECTS}
