"""What a cookie a page set is for, judged by its name and who set it (pure).

- tracker: a name the analytics and advertising scripts use (_ga, Hm_lvt_…, CNZZDATA…, _fbp),
  or a cookie of a host the tracker lists know as a tracker (content.trackers);
- third_party: another site's cookie that no list calls a tracker (a government site needs none
  of its own pages' function from a third-party cookie);
- essential: a first-party cookie a site needs to work (sessions, load balancing, CSRF tokens,
  a web firewall's, the language, the visitor's consent choice);
- session: another first-party cookie that ends with the browser session;
- unknown: another first-party cookie that outlives the session (its purpose unsaid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mgov.content.trackers import classify_host

# name pattern -> the tracker whose scripts set it
TRACKER_NAMES: tuple[tuple[str, str], ...] = (
    (r"_ga(_\w+)?|_gid|_gat(_\w+)?|__utm[abcvz]", "Google Analytics"),
    (r"_gcl_\w+|IDE|DSID|test_cookie|NID|1P_JAR|__gads|__gpi", "Google advertising"),
    (r"Hm_(lvt|lpvt|ck|up)_\w*|HMACCOUNT(_BFESS)?|BAIDUID(_BFESS)?", "Baidu Analytics"),
    (r"CNZZDATA\w*|UM_distinctid|cna", "CNZZ (友盟+)"),
    (r"_fbp|_fbc|fr", "Facebook"),
    (r"_hj\w+", "Hotjar"),
    (r"_uet\w+|MUID|_clck|_clsk", "Microsoft"),
    (r"_pk_(id|ses|ref)\.\w+", "Matomo"),
    (r"mp_\w+_mixpanel", "Mixpanel"),
    (r"ajs_(anonymous|user)_id", "Segment"),
    (r"_ym_\w+|yandexuid", "Yandex Metrica"),
    (r"__qca", "Quantcast"),
    (r"_tt_enable_cookie|_ttp", "TikTok"),
    (r"LF_session|_51cke|_51laig|__51\w+", "51.LA (51啦)"),
)
_TRACKER = [(re.compile(rf"^(?:{p})$", re.I), who) for p, who in TRACKER_NAMES]
# Names short or plain enough that a site's own cookie may carry them (a cookie-support probe
# called test_cookie, a language cookie fr): a tracker's only when another site sets them.
THIRD_PARTY_ONLY = frozenset({"ide", "dsid", "test_cookie", "nid", "1p_jar", "fr", "cna", "muid"})
ESSENTIAL = re.compile(
    r"^(jsessionid|phpsessid|asp\.net_sessionid|aspsessionid\w*|sessionid|session(_id)?|sid|"
    r"csrftoken|_csrf|csrf_token|xsrf-token|__requestverificationtoken|serverid|route|bigipserver\S*|"
    r"awsalb(cors)?|__cf_bm|cf_clearance|acw_tc|acw_sc__v2|wzws_\w+|yunsuo_session_verify|"
    r"security_session_verify|cookieconsent_status|cookie_?consent\w*|cookielawinfo\S*|lang(uage)?|locale)$",
    re.I)
_SESSIONISH = re.compile(r"sess|token|csrf|xsrf", re.I)


@dataclass(frozen=True)
class CookieKind:
    kind: str  # tracker, third_party, essential, session, unknown
    who: str | None = None  # the tracker or third party, when known


def classify_cookie(name: str, domain: str, third_party: bool, persistent: bool) -> CookieKind:
    """What the cookie name@domain is for; third_party: another site's than the page's;
    persistent: it outlives the browser session."""
    for pattern, who in _TRACKER:
        if pattern.match(name) and (third_party or name.lower() not in THIRD_PARTY_ONLY):
            return CookieKind("tracker", who)
    party = classify_host(domain.lstrip("."))
    if party is not None and party.tracker and not party.government:
        return CookieKind("tracker", party.entity)
    if third_party:
        return CookieKind("third_party", party.entity if party else domain.lstrip("."))
    if ESSENTIAL.match(name) or (not persistent and _SESSIONISH.search(name)):
        return CookieKind("essential")
    return CookieKind("unknown" if persistent else "session")
