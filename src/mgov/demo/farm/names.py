"""Site identities: host, twin, organization and site name, drawn from a seeded RNG.

Hosts are unique across the farm (twins included); `taken` is shared between the two
jurisdictions so that a cn twin can never collide with a us host.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from mgov.demo.farm import places_cn as cn
from mgov.demo.farm import places_us as us
from mgov.demo.farm.manifest import Organization


@dataclass
class Identity:
    jurisdiction: str
    host: str
    twin: str
    slug: str  # a short unique label, used for a non-.gov host
    www: bool  # the canonical host is the www one
    org: Organization
    site_name: str
    region_code: str | None = None  # cn: the site code's region (first 6 digits)
    bm: str | None = None  # cn ministries: the two digits after "bm"


def _twin(host: str) -> str:
    return host[4:] if host.startswith("www.") else "www." + host


def _claim(taken: set[str], host: str) -> bool:
    twin = _twin(host)
    if host in taken or twin in taken:
        return False
    taken.update((host, twin))
    return True


def cn_identities(rng: random.Random, n: int, taken: set[str]) -> list[Identity]:
    places: list[cn.Place] = [*cn.PROVINCES, *cn.PREFECTURES, *cn.COUNTIES]
    unused_portals = list(places)
    rng.shuffle(unused_portals)
    ministries = list(cn.MINISTRIES)
    rng.shuffle(ministries)
    labels = {p.label for p in places} | {m.label for m in ministries}
    out: list[Identity] = []

    def new_place() -> cn.Place:
        # A synthetic county under a real prefecture: a pinyin name, the prefecture's code.
        while True:
            (a, za), (b, zb) = rng.sample(cn.SYLLABLES, 2)
            if a + b not in labels:
                break
        labels.add(a + b)
        pref = rng.choice(cn.PREFECTURES)
        place = cn.Place(pref.code, f"{pref.zh}{za}{zb}县", a + b,
                         f"{(a + b).capitalize()} County, {pref.en}", "county")
        places.append(place)
        return place

    while len(out) < n:
        r = rng.random()
        if r < 0.08 and ministries:
            m = ministries.pop()
            host = f"www.{m.label}.gov.cn"
            if _claim(taken, host):
                org = Organization(f"cn-{m.label}", m.zh, m.en, "cn", "national")
                out.append(Identity("cn", host, _twin(host), m.label, True, org, f"{m.zh}门户网站",
                                    bm=m.bm))
            continue
        if r < 0.4:
            place = unused_portals.pop() if unused_portals else new_place()
            host = f"www.{place.label}.gov.cn"
            if _claim(taken, host):
                org = Organization(f"cn-{place.label}", f"{place.zh}人民政府",
                                   f"People's Government of {place.en}", "cn", place.tier, place.code)
                out.append(Identity("cn", host, _twin(host), place.label, True, org,
                                    f"{place.zh}人民政府门户网站", region_code=place.code))
            continue
        for _ in range(20):
            place, dept = rng.choice(places), rng.choice(cn.DEPARTMENTS)
            host = f"{dept.label}.{place.label}.gov.cn"
            if _claim(taken, host):
                break
        else:
            place = new_place()
            host = f"{dept.label}.{place.label}.gov.cn"
            _claim(taken, host)
        org = Organization(f"cn-{place.label}-{dept.label}", f"{place.zh}{dept.zh}",
                           f"{place.en} {dept.en}", "cn", place.tier, place.code)
        out.append(Identity("cn", host, _twin(host), f"{dept.label}{place.label}", False, org,
                            f"{place.zh}{dept.zh}网站", region_code=place.code))
    return out


def us_identities(rng: random.Random, n: int, taken: set[str]) -> list[Identity]:
    states = list(us.STATES)
    rng.shuffle(states)
    out: list[Identity] = []
    while len(out) < n:
        if rng.random() < 0.05 and states:
            st = states.pop()
            kind, city = us.STATE_KIND, us.City("", "")
        else:
            st, kind, city = rng.choice(us.STATES), rng.choice(us.KINDS), rng.choice(us.CITIES)
        label = kind.label.format(city=city.name.lower(), st=st.abbr,
                                  state_label=st.name.lower().replace(" ", ""))
        www = rng.random() < 0.3
        host = f"{'www.' if www else ''}{label}.gov"
        if not _claim(taken, host):
            continue
        name_en = kind.en.format(city=city.name, state=st.name)
        name_zh = kind.zh.format(city_zh=city.zh, state_zh=st.zh)
        org = Organization(f"us-{label}", name_zh, name_en, "us", kind.tier)
        out.append(Identity("us", host, _twin(host), label, www, org, name_en))
    return out


def non_gov_host(ident: Identity, taken: set[str]) -> str:
    """A host outside .gov.cn/.gov for the same organization (domain.non_gov)."""
    base = f"{ident.slug}-gov.com.cn" if ident.jurisdiction == "cn" else f"{ident.slug}.org"
    for i in range(100):
        name = base if i == 0 else base.replace(ident.slug, f"{ident.slug}{i}", 1)
        host = f"www.{name}" if ident.www else name
        if _claim(taken, host):
            return host
    raise RuntimeError(f"no free non-gov host for {ident.host}")  # cannot happen: 100 tries
