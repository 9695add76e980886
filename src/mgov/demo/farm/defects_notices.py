"""The privacy-notice and consent defects (issue 18): a policy missing items, a placeholder where
the policy should be, a US site without its Privacy Program page, tracker cookies set on the
first load, a tracker on a page with a personal-data form, a tracker the policy does not name.

Plain data, like defects_render.py; defects.py builds the `Defect`s and notice_sites.py gives
them to sites (from an RNG of their own, after every other pass, so a seed keeps its other
defects). The pages are notice_pages.py's, the scripts' tags notice_marks.py's.
docs/privacy-notices.md ("Demo farm")."""

from __future__ import annotations

# The crawl checks of the notice and the render checks of consent (issue 18).
NOTICE_CRAWL_CHECKS: frozenset[str] = frozenset({
    "privacy.policy_present", "privacy.policy_complete", "privacy.program_page"})
NOTICE_RENDER_CHECKS: frozenset[str] = frozenset({
    "privacy.cookies_before_consent", "privacy.trackers_on_forms", "privacy.policy_names_third_parties"})
_NAMES = "privacy.policy_names_third_parties"
_COOKIES = "privacy.cookies_before_consent"

# (id, checks, summary, cn_only, run_kind, obscures): the farm's notice defects.
NOTICE_SPECS: tuple[tuple[str, tuple[str, ...], str, bool, str, tuple[str, ...]], ...] = (
    ("privacy.policy_incomplete", ("privacy.policy_complete",),
     "the privacy policy lacks items (site.details: which; the typical short 隐私声明 or a fuller policy without "
     "the 个人信息保护负责人, retention and updates; us: without retention, sharing, consent, security, opt-out)",
     False, "crawl", (_NAMES,)),  # a policy without its web measurement section leaves DAP unnamed
    ("privacy.policy_absent", ("privacy.policy_present",),
     "the 隐私政策 link leads to a page under construction (栏目正在建设中): no privacy policy anywhere",
     True, "crawl", (_NAMES,)),
    ("privacy.program_missing", ("privacy.program_page",),
     "us: /privacy answers 404 (the Privacy Policy link goes to /privacy-policy.html)", False, "crawl", ()),
    # rendered.trackers fails the cn one (百度统计 is commercial); on a us site DAP's presence
    # makes Google Analytics DAP's own to that check: may fail.
    ("privacy.tracker_cookies", (_COOKIES,),
     "the homepage loads 百度统计 (cn) or Google Analytics (us), whose script sets its visitor cookies on the "
     "first load (Hm_lvt_…, _ga); the policy names it", False, "render",
     ("rendered.trackers", "analytics", "third_party")),
    ("privacy.tracker_on_form", ("privacy.trackers_on_forms",),
     "the consultation form page (姓名, 联系电话; Name, Email) loads 百度统计 (cn) or Google Analytics (us); "
     "the homepage does not; the policy names it", False, "render", ()),
    ("privacy.third_parties_unnamed", (_NAMES,),
     "the homepage loads CNZZ (cn) or Crazy Egg (us), which sets no cookie, and the policy names neither",
     False, "render", ("rendered.trackers", "analytics", "third_party")),
)
NOTICE_DEFECTS: tuple[str, ...] = tuple(spec[0] for spec in NOTICE_SPECS)
US_ONLY = frozenset({"privacy.program_missing"})

# Other defects -> the notice checks they may make fail on their site (neither required nor
# false alarms in a comparison of a run).
_RENDER_ALL = tuple(sorted(NOTICE_RENDER_CHECKS))
NOTICE_OBSCURED: dict[str, tuple[str, ...]] = {
    # A page the browser cannot load, or loads slowly, spoils every rendered check.
    **dict.fromkeys(("tls.expired", "tls.self_signed", "tls.wrong_host", "availability.slow", "availability.failing",
                     "availability.flapping", "ipv6.unreachable"), _RENDER_ALL),
    # Their trackers set cookies and go unnamed (where the CSP lets them load at all).
    "render.js_tracker": (_COOKIES, _NAMES),
    "analytics.trackers": (_COOKIES, _NAMES, "privacy.trackers_on_forms"),
    "cookies.third_party": (_COOKIES, _NAMES),
    # Two required links dropped: the policy's may be one (then it is linked from nowhere).
    "links.missing": ("privacy.policy_present", _NAMES),
}
# Other defects -> the notice defects they hide (never on one site).
_ALL = frozenset(NOTICE_DEFECTS)
_RENDERED = frozenset(spec[0] for spec in NOTICE_SPECS if spec[4] == "render")
NOTICE_MOOT: dict[str, frozenset[str]] = {
    **dict.fromkeys(("tls.expired", "tls.self_signed", "tls.wrong_host", "https.none", "availability.failing",
                     "availability.flapping"), _ALL),
    **dict.fromkeys(("availability.slow", "ipv6.unreachable", "render.js_tracker", "analytics.trackers",
                     "cookies.third_party", "security_headers.missing"), _RENDERED),
    "links.missing": _ALL,
    "not_found.soft404": frozenset({"privacy.program_missing"}),
    "interaction.none": frozenset({"privacy.tracker_on_form"}),
    # One notice defect a site: each is seen alone.
    **{d: _ALL - {d} for d in NOTICE_DEFECTS},
}
