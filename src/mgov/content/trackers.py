"""Who a host a page calls belongs to, by the bundled tracker lists (data/trackers/TRACKERS.md):
third-party-web's entities (exact hosts and `*.` wildcards, with a category), Exodus Privacy's
network signatures (regular expressions of the hosts a tracker calls), and mgov's own short
list of what both lack (the Chinese statistics services CNZZ/友盟+ and 51.LA, the US
government's Digital Analytics Program). mgov's list is asked first, then third-party-web,
then Exodus.

The lists are read on first use and kept (no work at import time). Pure: no network."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "trackers"
# (file, what it is, copied on): shown with findings so a reader knows which list said so.
LISTS = {
    "third-party-web": ("third-party-web-entities.json", "patrickhulce/third-party-web 424dc03 (MIT)", "2026-11-26"),
    "exodus": ("exodus_trackers.json", "Exodus Privacy tracker list (ODbL 1.0)", "2026-11-26"),
}
# Categories of third-party-web that track people (the others: CDNs, hosting, fonts, video...).
TRACKING = frozenset({"ad", "analytics", "social", "tag-manager", "marketing"})
_EXODUS_CATEGORIES = {"Advertisement": "ad", "Analytics": "analytics", "Profiling": "ad", "Location": "analytics",
                      "Identification": "analytics", "Crash reporting": "analytics"}


@dataclass(frozen=True)
class ThirdParty:
    """What a host is, by a list."""

    entity: str
    category: str  # third-party-web's category ("analytics", "ad", "tag-manager", ...)
    source: str  # "mgov", "third-party-web", "exodus"
    company: str | None = None
    aliases: tuple[str, ...] = ()  # other names a privacy policy may use (百度统计, 友盟)
    government: bool = False  # run by a government for its sites (DAP)

    @property
    def tracker(self) -> bool:
        return self.category in TRACKING

    @property
    def names(self) -> tuple[str, ...]:
        """The names a privacy policy may give it by, longest first."""
        found = {self.entity, *self.aliases, *([self.company] if self.company else [])}
        bare = re.sub(r"\s*\(.*?\)\s*", " ", self.entity).strip()  # "CNZZ (友盟+)" -> "CNZZ"
        found.add(bare)
        return tuple(sorted((n for n in found if n), key=lambda n: (-len(n), n)))


# mgov's own entries: host suffix -> the third party (asked before the lists).
MGOV: dict[str, ThirdParty] = {
    "dap.digitalgov.gov": ThirdParty("Digital Analytics Program (DAP)", "analytics", "mgov",
                                     "U.S. General Services Administration",
                                     ("Digital Analytics Program", "DAP"), government=True),
    "cnzz.com": ThirdParty("CNZZ (友盟+)", "analytics", "mgov", "Umeng", ("CNZZ", "友盟", "站长统计")),
    "umeng.com": ThirdParty("Umeng (友盟+)", "analytics", "mgov", "Umeng", ("友盟", "CNZZ")),
    "51.la": ThirdParty("51.LA (51啦)", "analytics", "mgov", None, ("51LA", "51.la", "51啦")),
}
# Names policies use for the lists' entities (Chinese names above all).
ALIASES: dict[str, tuple[str, ...]] = {
    "Baidu Analytics": ("百度统计", "百度", "Baidu"),
    "Google Analytics": ("谷歌分析", "谷歌", "Google"),
    "Google Tag Manager": ("谷歌", "Google"),
    "Google/Doubleclick Ads": ("谷歌", "Google", "DoubleClick"),
    "Facebook": ("Meta", "脸书"),
    "Tencent": ("腾讯",),
    "Yandex Metrica": ("Yandex",),
    "Hotjar": (),
}


@cache
def _third_party_web() -> tuple[dict[str, ThirdParty], dict[str, ThirdParty]]:
    """(exact host -> entity, wildcard suffix -> entity)."""
    exact: dict[str, ThirdParty] = {}
    wild: dict[str, ThirdParty] = {}
    entities = json.loads((DATA / LISTS["third-party-web"][0]).read_text(encoding="utf-8"))
    for e in entities:
        party = ThirdParty(e["name"], e.get("category") or "other", "third-party-web", e.get("company"),
                           ALIASES.get(e["name"], ()))
        for domain in e.get("domains") or ():
            domain = domain.lower()
            if domain.startswith("*."):
                wild.setdefault(domain[2:], party)
            else:
                exact.setdefault(domain, party)
    return exact, wild


@cache
def exodus_trackers() -> dict[str, dict[str, Any]]:
    """The Exodus Privacy list, by id as a string: the network signatures classify the hosts a
    page calls (here), the code signatures the classes of an app (mgov.apps.trackers)."""
    text = (DATA / LISTS["exodus"][0]).read_text(encoding="utf-8")
    trackers: dict[str, dict[str, Any]] = json.loads(text)["trackers"]
    return trackers


@cache
def _exodus() -> list[tuple[re.Pattern[str], ThirdParty]]:
    out = []
    for t in sorted(exodus_trackers().values(), key=lambda t: int(t["id"])):
        if not t.get("network_signature"):
            continue
        try:
            pattern = re.compile(t["network_signature"], re.I)
        except re.error:  # a broken signature must not break every lookup
            continue
        category = next((_EXODUS_CATEGORIES[c] for c in t.get("categories") or () if c in _EXODUS_CATEGORIES),
                        "analytics")
        out.append((pattern, ThirdParty(t["name"], category, "exodus", None, ALIASES.get(t["name"], ()))))
    return out


def _suffixes(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


@lru_cache(maxsize=8192)
def classify_host(host: str) -> ThirdParty | None:
    """The third party the host belongs to, or None when no list knows it."""
    host = host.lower().rstrip(".")
    if not host:
        return None
    suffixes = _suffixes(host) or [host]
    for suffix in suffixes:
        if suffix in MGOV:
            return MGOV[suffix]
    exact, wild = _third_party_web()
    if host in exact:
        return exact[host]
    for suffix in suffixes:
        if suffix in wild:
            return wild[suffix]
    for pattern, party in _exodus():
        if pattern.search(host):
            return party
    return None


def named_in(party: ThirdParty, host: str, text: str) -> str | None:
    """The name under which text (a privacy policy) names the party that host belongs to, or
    None. Latin names match as words, case-insensitively; the host or its registrable domain
    counts too."""
    low = text.casefold()
    labels = host.lower().split(".")
    candidates = [*party.names, host.lower(), ".".join(labels[-2:]) if len(labels) >= 2 else host]
    for name in candidates:
        key = name.casefold()
        if not key:
            continue
        if re.search(r"[\u4e00-\u9fff]", key):
            if key in low:
                return name
        elif re.search(r"(?<![\w.])" + re.escape(key) + r"(?![\w])", low):
            return name
    return None
