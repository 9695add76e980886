"""The farm's new-media accounts: which units have which, their names, ids and posting
pace, the duplicates and the unregistered accounts the platform search finds, and the one
defect of each defective account with its facts (defects_newmedia). From an RNG of its own
(`{seed}/accounts`), so the sites of a seed stay what they were.

Units are the farm's organizations, in site order: a cn unit has a Weibo and a WeChat
account (every third one an RSS feed too), a us unit a Mastodon account and a feed. Asked
for more accounts than they have, the farm adds units without a site (bureaus of real
places); by default it does not (DEFAULT_ACCOUNTS, capped by what the units have).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Iterator

from mgov.demo.farm import contract as c
from mgov.demo.farm import places_cn, places_us
from mgov.demo.farm import platform_words as w
from mgov.demo.farm.defects_newmedia import DUPLICATE, FIRST_ROUND, PLACEMENTS, SUPPORTED
from mgov.demo.farm.manifest import Account, Organization, Site
from mgov.demo.farm.platform_facts import account_facts

DEFAULT_ACCOUNTS = 36
ACCOUNT_DEFECT_RATE = 0.5  # share of the registered accounts with a defect (duplicates apart)
KEEP_HEALTHY = 1  # accounts of each platform that stay healthy (where it has more)
MAX_ACCOUNTS = 99_999  # post ids hold the account's serial in five digits
KINDS = {"weibo": "weibo_account", "wechat": "wechat_account", "activitypub": "other_social",
         "feed": "other_social"}
PACES = (1.0, 1.0, 2.0, 3.0, 0.5)  # posts a day of the healthy accounts (0.5: every other day)
FEED_FORMATS = ("rss", "atom", "json")
US_DEPARTMENTS = (("police", "Police Department", "警察局"), ("fire", "Fire Department", "消防局"),
                  ("parks", "Parks and Recreation", "公园与休闲局"), ("library", "Public Library", "公共图书馆"),
                  ("health", "Health Department", "卫生局"), ("publicworks", "Public Works", "公共工程局"),
                  ("oem", "Office of Emergency Management", "应急管理办公室"))
ZH_SHORT = {"公安局": "平安{p}", "卫生健康委员会": "健康{p}", "教育局": "{p}教育", "交通运输局": "{p}交通",
            "应急管理局": "{p}应急管理", "生态环境局": "{p}生态环境", "市场监督管理局": "{p}市场监管"}


def platforms_of(org: Organization, r: random.Random) -> list[str]:
    if org.jurisdiction == "cn":
        return ["weibo", "wechat"] + (["feed"] if r.random() < 1 / 3 else [])
    return ["activitypub", "feed"]


def generate_accounts(seed: int, sites: list[Site], today: dt.date, count: int | None = None, *,
                      defect_rate: float = ACCOUNT_DEFECT_RATE,
                      posts_per_day: float | None = None) -> list[Account]:
    """count registered accounts (None: DEFAULT_ACCOUNTS, as far as the farm's units have
    them), then the unregistered ones; every account posts posts_per_day (None: varied)."""
    if count is not None and not 0 <= count <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be within [0, {MAX_ACCOUNTS}]")
    if not 0 <= defect_rate <= 1:
        raise ValueError("the accounts' defect rate must be within [0, 1]")
    r = random.Random(f"{seed}/accounts")
    homes = {}  # org code -> its healthy site's URL
    units: list[Organization] = []
    for s in sites:
        if s.organization.code not in homes:
            units.append(s.organization)
            homes[s.organization.code] = f"https://{s.host}/" if s.healthy and s.role == "site" else None
    plans = [(u, p) for u in units for p in platforms_of(u, r)]
    if count is None:
        count = min(DEFAULT_ACCOUNTS, len(plans))
    extra = _extra_units(r, {u.code for u in units})
    while len(plans) < count:
        u = next(extra)
        plans += [(u, p) for p in platforms_of(u, r)]
    plans = plans[:count]
    dups = [i for i, (u, p) in enumerate(plans) if p in ("weibo", "activitypub")][: max(1, count // 60)]
    if count >= 10:  # a duplicate replaces a later account, so the count stays
        for n, i in enumerate(dups):
            plans[len(plans) - 1 - n] = (plans[i][0], plans[i][1] + "+dup")
    accounts: list[Account] = []
    handles: set[str] = set()
    for unit, platform in plans:
        acct = _account(r, len(accounts), unit, platform.removesuffix("+dup"), handles,
                        dup=platform.endswith("+dup"), home=homes.get(unit.code))
        accounts.append(acct)
    _pace(r, accounts, posts_per_day)
    _pair_duplicates(accounts)
    _place_defects(r, accounts, defect_rate)
    for a in accounts:
        if a.has("newmedia.stale"):
            a.stale_days = r.randint(16, 24)
    accounts += _unregistered(r, accounts, handles, max(2, count // 25) if count >= 10 else 0)
    healthy = [s for s in sites if s.healthy and s.role == "site"]
    for a in accounts:
        a.details.update(account_facts(seed, a, today, healthy))
    return accounts


def _extra_units(r: random.Random, taken: set[str]) -> Iterator[Organization]:
    """Units without a site, cn and us in turn: bureaus of real places and departments of
    cities, each name once (shuffled), then numbered."""
    cn = [(p, d) for p in (*places_cn.PREFECTURES, *places_cn.COUNTIES) for d in places_cn.DEPARTMENTS]
    us = [(s, c_, d) for s in places_us.STATES for c_ in places_us.CITIES for d in US_DEPARTMENTS]
    r.shuffle(cn)
    r.shuffle(us)
    for n in itertools.count(1):
        for (place, dept), (st, city, (label, en, zh)) in zip(cn, us, strict=False):
            for org in (Organization(f"cn-{place.label}-{dept.label}", f"{place.zh}{dept.zh}",
                                     f"{place.en} {dept.en}", "cn", place.tier, place.code),
                        Organization(f"us-{city.name.lower()}{st.abbr}-{label}", f"{st.zh}{city.zh}市{zh}",
                                     f"{city.name} {en}, {st.name}", "us", "city")):
                if n > 1:  # every name is taken: number them
                    org = Organization(f"{org.code}-{n}", f"{org.name_zh}{n}", f"{org.name_en} {n}",
                                       org.jurisdiction, org.tier, org.region_code)
                if org.code not in taken:
                    taken.add(org.code)
                    yield org


def _slug(org: Organization) -> str:
    return org.code.split("-", 1)[-1]


def _unique(handles: set[str], base: str, sep: str) -> str:
    name, i = base, 1
    while name in handles:
        i += 1
        name = f"{base}{sep}{i}"
    handles.add(name)
    return name


def display_name(org: Organization, platform: str, dup: bool = False) -> str:
    if org.jurisdiction != "cn":
        return f"{org.name_en} Updates" if dup else f"{org.name_en} News" if platform == "feed" else org.name_en
    if dup:
        return f"{org.name_zh}政务服务"
    if platform == "feed":
        return f"{org.name_zh}政务信息"
    place = w.place_of(org.name_zh)
    if org.name_zh.endswith("人民政府"):
        return f"{w.short_place(place)}发布"
    dept = org.name_zh[len(place):]
    if platform == "weibo" and dept in ZH_SHORT and place != org.name_zh:
        return ZH_SHORT[dept].format(p=w.short_place(place))
    return org.name_zh


def _account(r: random.Random, no: int, org: Organization, platform: str, handles: set[str], *,
             dup: bool = False, home: str | None = None, registered: bool = True) -> Account:
    zh = org.jurisdiction == "cn"
    slug = _slug(org) + ("" if registered else "-info")
    if platform == "weibo":
        handle = str(1_700_000_000 + no * 9_973 + r.randrange(9_973))
    elif platform == "wechat":
        digest = hashlib.blake2b(f"{org.code}/{no}".encode(), digest_size=6).hexdigest()
        handle = _unique(handles, f"gh_{digest}", "")
    elif platform == "activitypub":
        handle = _unique(handles, "@" + slug.replace("-", "_") + ("_news" if dup else ""), "_")[1:]
    else:
        handle = _unique(handles, "rss:" + slug + ("-updates" if dup else ""), "-")[4:]
    name = display_name(org, platform, dup)
    org_name = org.name_zh if zh else org.name_en
    cert = {"weibo": f"{org.name_zh}官方微博", "wechat": org.name_zh}.get(platform) if registered else None
    descr = {"weibo": f"{org.name_zh}官方微博，发布权威政务信息，回应社会关切。",
             "wechat": f"{org.name_zh}官方公众号，提供政务信息发布与政务服务。",
             "activitypub": f"Official account of {org.name_en}. Replies are moderated.",
             "feed": f"{org_name}发布的政务信息" if zh else f"News and notices from {org.name_en}."}[platform]
    attrs: dict[str, object] = {}
    if platform == "feed":
        attrs["feed_url"] = f"https://{c.FEEDS_HOST}/{handle}.{FEED_FORMATS[no % 3]}"
    if cert:
        attrs["certification"] = cert
    address = {"weibo": handle, "wechat": handle, "activitypub": f"mastodon:@{handle}@{c.SOCIAL_HOST}",
               "feed": f"rss:{handle}"}[platform]
    return Account(platform=platform, kind=KINDS[platform], address=address, name=name, organization=org,
                   language="zh" if zh else "en", no=no, handle=handle, description=descr,
                   certification=cert, site=home, utc_offset=8 if zh else -5, registered=registered,
                   attributes=attrs, defects=[DUPLICATE] if dup else [])


def _pace(r: random.Random, accounts: list[Account], fixed: float | None) -> None:
    for a in accounts:
        a.posts_per_day = fixed if fixed is not None else r.choice(PACES)
        a.phase = 0 if fixed is not None or a.posts_per_day >= 1 else r.randrange(2)


def _pair_duplicates(accounts: list[Account]) -> None:
    """Each duplicate names its sibling (the unit's first account on the platform)."""
    first: dict[tuple[str, str], Account] = {}
    for a in accounts:
        key = (a.organization.code, a.platform)
        if a.has(DUPLICATE):
            sib = first[key]
            sib.defects = [DUPLICATE]
            a.details[DUPLICATE] = {"siblings": [sib.address]}
            sib.details[DUPLICATE] = {"siblings": [a.address]}
        else:
            first.setdefault(key, a)


def _place_defects(r: random.Random, accounts: list[Account], rate: float) -> None:
    """Every defect once first (on its platform, else another that shows it), then the
    placements in order, again and again, until round(count x rate) accounts carry one. Each
    platform keeps a healthy account (KEEP_HEALTHY) where it has any."""
    if rate <= 0:
        return
    free: dict[str, list[Account]] = {}
    for a in accounts:
        if not a.defects:
            free.setdefault(a.platform, []).append(a)
    for pool in free.values():
        r.shuffle(pool)

    def take(defect: str, platforms: tuple[str, ...]) -> bool:
        for p in platforms:
            if len(free.get(p, ())) > KEEP_HEALTHY:
                free[p].pop().defects = [defect]
                return True
        return False

    placed = sum(take(d, (p, *SUPPORTED[d])) for d, p in PLACEMENTS[:FIRST_ROUND])
    want = round(len(accounts) * rate)
    while placed < want:
        before = placed
        for defect, platform in PLACEMENTS[FIRST_ROUND:] + PLACEMENTS[:FIRST_ROUND]:
            if placed < want:
                placed += take(defect, (platform,))
        if placed == before:
            break


def _unregistered(r: random.Random, accounts: list[Account], handles: set[str], n: int) -> list[Account]:
    """Accounts that claim a registered unit's name (私开账号): on Weibo for cn units, on
    Mastodon for us units, each of a unit that has a registered account there."""
    out: list[Account] = []
    claimed: set[str] = set()
    units = {p: [a.organization for a in accounts if a.platform == p and a.registered]
             for p in ("weibo", "activitypub")}
    for platform in ("weibo", "activitypub") * n:
        if len(out) >= n or not units[platform]:
            continue
        org = r.choice(units[platform])
        if org.code in claimed:
            continue
        claimed.add(org.code)
        a = _account(r, len(accounts) + len(out), org, platform, handles, registered=False)
        zh = platform == "weibo"
        a.name = f"{org.name_zh}{r.choice(('资讯', '服务', '青年'))}" if zh else f"{org.name_en} Info"
        a.description = (f"{org.name_zh}信息发布，欢迎关注。" if zh else f"News from {org.name_en}.")
        a.attributes = {}
        a.posts_per_day, a.phase = 1.0, 0
        a.details["query"] = org.name_zh if zh else org.name_en
        out.append(a)
    return out
