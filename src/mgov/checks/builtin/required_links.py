"""Whether a homepage link is one of the required links (links.required), by what it says.

A required link is named in the check's parameters (defaults and profiles) as a pair of
patterns: one for the link text, one for the link's path (the host never counts). Agencies
word these links in many ways ("Submit a Freedom of Information Act (FOIA) request", "Privacy
and Security Notice", "No FEAR Act Data", 隐私声明, 依申请公开), so a link also counts when its
text carries one of the wordings of WORDINGS for that name. The rule, in order of preference
(the first link found in the first way is the one reported):

1. a short text (at most SHORT characters: a menu or footer entry) matching the text pattern;
2. a path matching the path pattern;
3. a text of at most MAX_WORDS words (MAX_CJK characters in Chinese) that contains one of the
   name's wordings as a whole word, or matches the text pattern. A headline that mentions FOIA
   counts (the link leads somewhere about FOIA); a long paragraph-link does not, nor a wording
   that is part of a domain name ("FOIA.gov" names the national portal, not the agency's page).

The wordings follow GSA Site Scanning's required-links scan (text contains about us,
accessibility, budget and performance, no fear act, foia, freedom of information act, inspector
general, privacy policy, vulnerability disclosure, usa.gov...) and the wordings of real agency
footers; the Chinese ones the footers of gov.cn sites (国办发〔2017〕47号 页面底部功能区).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from mgov.checks.html import Link

SHORT = 24
MAX_WORDS = 12
MAX_CJK = 30
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_DOMAIN = r"(?!\.(?:gov|mil|com|org|net|cn)\b)"

# name -> wordings (regular expressions on the folded text: lower case, punctuation as spaces
# except "." and "&", CJK without spaces). Names are the ones of the defaults and profiles.
WORDINGS: dict[str, tuple[str, ...]] = {
    "privacy": (r"\bprivacy\b" + _NOT_DOMAIN, "隐私"),
    "contact": (r"^contact\b", r"\bcontact (?:us|the|our|information|a?n? ?\w+ office)\b", "联系我们", "联系方式"),
    "about": (r"^about\b", r"\babout us\b", r"^who we are$", r"^our (?:mission|agency|organization)$", "关于我们"),
    "accessibility": (r"\baccessibility\b", r"\bsection ?508\b", "无障碍"),
    "foia": (r"\bfoia\b" + _NOT_DOMAIN, r"\bfreedom of information\b", "依申请公开"),
    "no_fear": (r"\bno ?fear act\b", r"\bno ?fear\b"),
    "oig": (r"\binspector general\b", r"\boig\b"),
    "budget": (r"\bbudget (?:and|&) performance\b", r"\bperformance (?:and|&) accountability\b", r"\bbudget\b"),
    "usagov": (r"\busa\.gov\b", r"\busagov\b"),
    "vdp": (r"\bvulnerability disclosure\b", r"\breport a vulnerability\b"),
    "网站地图": ("网站地图", "站点地图", "网站导航"),
    "联系我们": ("联系我们", "联系方式", "联系本网"),
    "关于我们": ("关于我们", "网站介绍", "关于本网", "关于本站", "本网介绍"),
    "隐私政策": ("隐私",),
    "政府信息公开": ("政府信息公开", "信息公开"),
    "依申请公开": ("依申请公开", "申请公开"),
    "无障碍": ("无障碍", "适老化", "关怀版", "长者模式"),
}


def fold(text: str) -> str:
    """A link text for matching: NFKC, lower case, punctuation as spaces, whitespace folded;
    with Chinese in it, no spaces at all (联系 我们 is 联系我们)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w.&\s]|(?<!\w)\.|\.(?!\w)|_", " ", text)
    return re.sub(r"\s+", "" if _CJK.search(text) else " ", text).strip()


def _short(text: str) -> bool:
    return bool(text) and len(text) <= SHORT


def _bounded(text: str) -> bool:
    if _CJK.search(text):
        return len(text) <= MAX_CJK
    return bool(text) and len(text.split()) <= MAX_WORDS


def find(links: list[Link], name: str, text_rx: str, path_rx: str) -> Link | None:
    """The link that names the required page `name`, or None (the rule of the module)."""
    folded = [(link, fold(link.text)) for link in links]
    wordings = WORDINGS.get(name, ())
    for stage in ("short", "path", "wording"):
        for link, text in folded:
            if stage == "short":
                hit = _short(text) and re.search(text_rx, text, re.I) is not None
            elif stage == "path":
                hit = re.search(path_rx, urlsplit(link.href).path, re.I) is not None
            else:
                hit = _bounded(text) and (any(re.search(w, text) for w in wordings)
                                          or re.search(text_rx, text, re.I) is not None)
            if hit:
                return link
    return None
