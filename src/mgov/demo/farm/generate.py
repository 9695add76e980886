"""generate(seed, count): the farm's sites, their identities and their defects.

The sites and their scan defects come from one `random.Random(seed)`, consumed in a fixed
order; the content defects from a second one (`{seed}/content`) and the special sites from a
third, so a seed gives the same scan defects with or without them, and always the same
manifest (byte for byte, as JSON, for the same `today`).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from mgov.demo.farm import names
from mgov.demo.farm.content import base_url
from mgov.demo.farm.content_facts import site_facts
from mgov.demo.farm.content_privacy import expected as privacy_facts
from mgov.demo.farm.content_special import BigSite
from mgov.demo.farm.contract import ICP_PREFIX, LONG_LINKS, PSB_ALTERNATE, PSB_PREFIX, REQUIRED_LINKS, SERVICES
from mgov.demo.farm.defects import DEFECTS, allowed
from mgov.demo.farm.defects_notices import NOTICE_DEFECTS
from mgov.demo.farm.forms import Forms, icp_text, psb_text
from mgov.demo.farm.manifest import Manifest, RegistryEntry, Site
from mgov.demo.farm.notice_sites import assign_notice_defects
from mgov.demo.farm.places_cn import MINISTRY_REGION, PROVINCE_CHARS
from mgov.demo.farm.platform_accounts import ACCOUNT_DEFECT_RATE, generate_accounts
from mgov.demo.farm.render_pages import render_facts

SCAN_DEFECTS = [d for d, v in DEFECTS.items() if v.run_kind == "scan"]
# The personal-data defects come from a pass of their own (after the others, so a seed keeps
# its other defects): a leak to find and decoys not to flag (issue 18).
PRIVACY_DEFECTS = ["privacy.pii_leak", "privacy.pii_decoys"]
CONTENT_DEFECTS = [d for d, v in DEFECTS.items() if v.run_kind == "crawl" and d not in PRIVACY_DEFECTS]
RENDER_DEFECTS = [d for d, v in DEFECTS.items() if v.run_kind == "render"]
# The privacy-notice defects come from a pass of their own (notice_sites), after every other.
CONTENT_DEFECTS = [d for d in CONTENT_DEFECTS if d not in NOTICE_DEFECTS]
RENDER_DEFECTS = [d for d in RENDER_DEFECTS if d not in NOTICE_DEFECTS]

# From this many sites on, every defect occurs at least once.
FULL_COVERAGE_COUNT = 60
# Share of extra defects: after its first one, a defective site gets another with this
# probability, again and again.
EXTRA_DEFECT_P = 0.3
MAX_DEFECTS = 5
# Content defects (second pass): a defective site gets one with this probability, and again
# and again, up to MAX_CONTENT_DEFECTS.
CONTENT_DEFECT_P = 0.25
MAX_CONTENT_DEFECTS = 3
# Render defects (third pass, issue 16): the same way, from an RNG of their own.
RENDER_DEFECT_P = 0.2
MAX_RENDER_DEFECTS = 2


def generate(seed: int, count: int, *, latency_ms: float = 0, defect_rate: float = 0.5,
             today: dt.date | None = None, traps: bool = False, big_site_pages: int = 0,
             big_site_dead: float = 0.02, accounts: int | None = None,
             account_defect_rate: float = ACCOUNT_DEFECT_RATE, posts_per_day: float | None = None,
             exports_dir: str | Path | None = None) -> Manifest:
    """A farm of count sites; about defect_rate of them carry one or more defects.

    today: the content's today (item dates are relative to it; default date.today()).
    traps: add a calendar-trap and a session-id-trap site. big_site_pages: add one site with
    a tree of that many pages, round(pages x big_site_dead) of its link targets dead.
    The extra sites come after the count sites (Site.role tells them apart).
    accounts: the new-media accounts on the farm's platforms (None: up to DEFAULT_ACCOUNTS,
    as many as the farm's units have; more adds units without a site), account_defect_rate
    of them defective, each posting posts_per_day (None: varied); exports_dir: where the farm
    writes the WeChat article lists (None: Farm.start picks its state directory's "exports").
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if not 0 <= defect_rate <= 1:
        raise ValueError("defect_rate must be within [0, 1]")
    if big_site_pages < 0 or not 0 <= big_site_dead <= 0.5:
        raise ValueError("big_site_pages must be >= 0 and big_site_dead within [0, 0.5]")
    today = today or dt.date.today()
    rng = random.Random(seed)
    taken: set[str] = set()
    n_cn = (count * 11 + 10) // 20  # a little over half
    idents = names.cn_identities(rng, n_cn, taken) + names.us_identities(rng, count - n_cn, taken)
    rng.shuffle(idents)
    jurisdictions = [i.jurisdiction for i in idents]
    assigned = assign_defects(rng, jurisdictions, defect_rate)
    assign_content_defects(random.Random(f"{seed}/content"), jurisdictions, assigned)
    assign_content_defects(random.Random(f"{seed}/render"), jurisdictions, assigned,
                           pool=RENDER_DEFECTS, p=RENDER_DEFECT_P, cap=MAX_RENDER_DEFECTS)
    assign_privacy_defects(random.Random(f"{seed}/privacy"), jurisdictions, assigned)
    codes: dict[str, int] = {}
    sites = []
    n_cn_seen = 0
    forms = Forms(seed)
    for ident, defects in zip(idents, assigned, strict=True):
        ordered = [d for d in DEFECTS if d in defects]
        host = names.non_gov_host(ident, taken) if "domain.non_gov" in defects else ident.host
        twin = host[4:] if host.startswith("www.") else "www." + host
        site = Site(host=host, twin=twin, jurisdiction=ident.jurisdiction,
                    language="zh" if ident.jurisdiction == "cn" else "en",
                    encoding="utf-8", charset_declared=True, organization=ident.org,
                    registry=RegistryEntry(address=f"https://{host}", name=ident.site_name,
                                           owner=ident.org.code),
                    defects=ordered)
        site.forms = forms.pick(site)
        if ident.jurisdiction == "cn":
            # Every fourth cn site is GBK, and so is every site whose charset declaration is
            # wrong (a liar) or missing: those are defects.
            if n_cn_seen % 4 == 3 or defects & {"page.charset_liar", "page.no_charset"}:
                site.encoding = "gbk"
            site.charset_declared = "page.no_charset" not in defects
            if "page.charset_liar" in defects:
                site.details["page.charset_liar"] = {"header": forms.liar_label(), "meta": "utf-8",
                                                     "bytes": "gbk"}
            n_cn_seen += 1
            _cn_identifiers(rng, site, ident, codes)
        site.twin_cname = "www.inconsistent" not in defects and rng.random() < 0.35
        if "links.missing" in defects:
            dropped = rng.sample(REQUIRED_LINKS[site.jurisdiction], 2)
            shown = LONG_LINKS if site.form("links") == "long" else REQUIRED_LINKS
            by_position = [shown[site.jurisdiction][REQUIRED_LINKS[site.jurisdiction].index(d)] for d in dropped]
            site.details["links_dropped"] = sorted(href for _, href in by_position)
        site.details.update(site_facts(site, seed, today))
        for defect in PRIVACY_DEFECTS:
            if defect in defects:
                site.details[defect] = privacy_facts(site, seed, base_url(site))
        site.details.update(render_facts(site))
        sites.append(site)
    sites += _special_sites(seed, today, taken, codes, traps, big_site_pages, big_site_dead)
    assign_notice_defects(seed, sites)
    return Manifest(seed=seed, count=count, latency_ms=float(latency_ms),
                    defect_rate=float(defect_rate), sites=sites, services=list(SERVICES),
                    today=today.isoformat(), traps=traps, big_site_pages=big_site_pages,
                    big_site_dead=float(big_site_dead) if big_site_pages else 0.0,
                    accounts=generate_accounts(seed, sites, today, accounts, defect_rate=account_defect_rate,
                                               posts_per_day=posts_per_day),
                    exports_dir=str(exports_dir) if exports_dir is not None else None)


def _special_sites(seed: int, today: dt.date, taken: set[str], codes: dict[str, int],
                   traps: bool, big_pages: int, big_dead: float) -> list[Site]:
    """The trap sites and the big site: healthy cn sites with real names, from their own RNG."""
    roles = (["calendar_trap", "session_trap"] if traps else []) + (["big"] if big_pages else [])
    if not roles:
        return []
    rng = random.Random(f"{seed}/special")
    out = []
    for role, ident in zip(roles, names.cn_identities(rng, len(roles), taken), strict=True):
        site = Site(host=ident.host, twin=ident.twin, jurisdiction="cn", language="zh",
                    encoding="utf-8", charset_declared=True, organization=ident.org,
                    registry=RegistryEntry(address=f"https://{ident.host}", name=ident.site_name,
                                           owner=ident.org.code),
                    role=role)
        _cn_identifiers(rng, site, ident, codes)
        if role == "big":
            site.defects = ["links.dead_internal"]
            site.details["big_site"] = {"pages": big_pages, "dead": round(big_pages * big_dead)}
            site.details.update(BigSite(big_pages, round(big_pages * big_dead), today).facts(site))
        elif role == "session_trap":
            site.details["session_trap"] = {"params": [";jsessionid", "sid"]}
        else:
            site.details["calendar_trap"] = {"page": f"https://{site.host}/calendar/",
                                             "params": ["year", "month"]}
        out.append(site)
    return out


def assign_defects(rng: random.Random, jurisdictions: list[str], rate: float) -> list[set[str]]:
    """Defects per site: each defect round-robin first (so all occur), then random extras."""
    n = len(jurisdictions)
    out: list[set[str]] = [set() for _ in range(n)]
    if rate <= 0 or n == 0:
        return out
    chosen = rng.sample(range(n), max(1, min(n, round(n * rate))))
    picked = set(chosen)
    spare = [i for i in range(n) if i not in picked]
    rng.shuffle(spare)
    if n >= FULL_COVERAGE_COUNT:
        cursor = 0
        for d in SCAN_DEFECTS:
            fits = [k for k in range(len(chosen))
                    if allowed(d, jurisdictions[chosen[k]], out[chosen[k]])]
            if not fits:
                # No defective site can take it: recruit a healthy one that can.
                new = next((i for i in spare if allowed(d, jurisdictions[i], out[i])), None)
                if new is None:
                    continue
                spare.remove(new)
                chosen.append(new)
                fits = [len(chosen) - 1]
            # The least loaded site, ties broken round-robin from the cursor.
            k = min(fits, key=lambda k: (len(out[chosen[k]]), (k - cursor) % len(chosen)))
            out[chosen[k]].add(d)
            cursor = k + 1
    for i in chosen:
        while not out[i] or (len(out[i]) < MAX_DEFECTS and rng.random() < EXTRA_DEFECT_P):
            options = [d for d in SCAN_DEFECTS if allowed(d, jurisdictions[i], out[i])]
            if not options:
                break
            out[i].add(rng.choice(options))
    return out


def assign_content_defects(rng: random.Random, jurisdictions: list[str],
                           out: list[set[str]], *, pool: list[str] | None = None,
                           p: float = CONTENT_DEFECT_P, cap: int = MAX_CONTENT_DEFECTS) -> None:
    """Content defects, added to out in place. They go to sites that already have scan
    defects, so the share of healthy sites stays the defect rate's: from FULL_COVERAGE_COUNT
    sites on each one round-robin first (a healthy site is recruited only when no defective
    site can take it), then each defective site gets random ones (CONTENT_DEFECT_P). The
    render defects come the same way (pool, p, cap)."""
    pool = CONTENT_DEFECTS if pool is None else pool
    n = len(jurisdictions)
    chosen = [i for i in range(n) if out[i]]
    if not chosen:
        return
    load = dict.fromkeys(range(n), 0)
    if n >= FULL_COVERAGE_COUNT:
        spare = [i for i in range(n) if not out[i]]
        rng.shuffle(spare)
        cursor = 0
        for d in pool:
            # The least loaded site that can take it, ties broken round-robin from the cursor
            # (loads are small: scan level by level instead of sorting every site).
            pick = None
            for level in range(cap + 1):
                m = len(chosen)
                pick = next((k % m for k in range(cursor, cursor + m)
                             if load[chosen[k % m]] == level
                             and allowed(d, jurisdictions[chosen[k % m]], out[chosen[k % m]])), None)
                if pick is not None:
                    break
            if pick is None:
                new = next((i for i in spare if allowed(d, jurisdictions[i], out[i])), None)
                if new is None:
                    continue
                spare.remove(new)
                chosen.append(new)
                pick = len(chosen) - 1
            out[chosen[pick]].add(d)
            load[chosen[pick]] += 1
            cursor = pick + 1
    for i in chosen:
        while load[i] < cap and rng.random() < p:
            options = [d for d in pool if allowed(d, jurisdictions[i], out[i])]
            if not options:
                break
            out[i].add(rng.choice(options))
            load[i] += 1


def assign_privacy_defects(rng: random.Random, jurisdictions: list[str], out: list[set[str]]) -> None:
    """One site of each jurisdiction leaks personal data and another publishes the decoys, both
    among the sites with defects already (the share of healthy sites stays the defect rate's),
    whatever the farm's size: each is a few files a crawl reads, not a share of the farm."""
    for jurisdiction in ("cn", "us"):
        taken: set[int] = set()
        for defect in PRIVACY_DEFECTS:
            fits = [i for i, j in enumerate(jurisdictions)
                    if j == jurisdiction and out[i] and i not in taken and allowed(defect, j, out[i])]
            if fits:
                pick = rng.choice(fits)
                out[pick].add(defect)
                taken.add(pick)


def _cn_identifiers(rng: random.Random, site: Site, ident: names.Identity,
                    codes: dict[str, int]) -> None:
    """The site code, ICP, 公网安备 and CONAC ids, as the registry and as the pages show them."""
    if ident.bm:
        key = "bm" + ident.bm
        codes[key] = codes.get(key, 0) + 1
        code = f"{key}{codes[key]:06d}"
        other = f"{key}{(codes[key] + 500000) % 1_000_000:06d}"
        third = f"{key}{(codes[key] + 700000) % 1_000_000:06d}"
        region = MINISTRY_REGION
    else:
        region = ident.region_code or "110000"
        codes[region] = codes.get(region, 0) + 1
        code = f"{region}{codes[region]:04d}"
        other = f"{region}{(codes[region] + 5000) % 10_000:04d}"
        third = f"{region}{(codes[region] + 7000) % 10_000:04d}"
    site.registry.attributes["site_code"] = code
    prov = PROVINCE_CHARS[region[:2]]
    psb_number = f"{region}0{rng.randint(1, 4)}{rng.randint(1, 999_999):06d}"
    icp = icp_text(site, ICP_PREFIX.get(region[:2], prov), rng.randint(10_000_000, 99_999_999), rng.randint(1, 3))
    conac_id = f"{rng.getrandbits(128):032X}"
    d = site.defects
    page_code: str | None = code
    if "cn.site_code.missing" in d:
        page_code = None
    elif "cn.site_code.malformed" in d:
        page_code = code[:-1]
    elif "cn.site_code.mismatch" in d:
        page_code = other
    psb_prov = PSB_PREFIX.get(region[:2], prov)
    if region[:2] in PSB_ALTERNATE and site.form("psb") in ("colon", "tight"):
        psb_prov = PSB_ALTERNATE[region[:2]]  # 蜀公网安备, 黔公网安备: in use beside 川, 贵
    if "cn.psb.mismatch" in d:
        psb_prov = rng.choice(sorted(set(PROVINCE_CHARS.values()) - {prov}))
    site.identifiers = {
        "site_code": page_code,
        "icp": None if "cn.icp.missing" in d else icp,
        "psb": None if "cn.psb.missing" in d else psb_text(site, psb_prov, psb_number),
        "psb_number": None if "cn.psb.missing" in d else psb_number,
        "conac_id": None if "cn.conac.missing" in d else conac_id,
        # The 找错 link carries the code the page shows (one CMS variable), so a wrong code
        # on the page is cn.site_code's finding alone; jiucuo.mismatch uses a third code.
        "jiucuo_site_code": (None if "cn.jiucuo.missing" in d
                             else third if "cn.jiucuo.mismatch" in d else page_code or code),
    }

