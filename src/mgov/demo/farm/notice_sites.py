"""Which farm sites carry the privacy-notice defects (defects_notices.py): a pass of its own, from
`random.Random(f"{seed}/notices")` after every other, so a seed keeps its other defects.

Each defect goes to sites that already have defects (the share of healthy sites stays the defect
rate's), one notice defect a site, never beside a defect that hides it (defects.allowed), as many
times a jurisdiction as COPIES says: a few pages each, not a share of the farm. The policy
missing items twice per jurisdiction where a farm has room, so both the typical short 隐私声明
and a fuller policy without its 个人信息保护负责人 appear."""

from __future__ import annotations

import random

from mgov.demo.farm.defects import DEFECTS, allowed
from mgov.demo.farm.defects_notices import NOTICE_DEFECTS, US_ONLY
from mgov.demo.farm.manifest import Site
from mgov.demo.farm.notice_pages import MISSING, notice_facts

COPIES = {"privacy.policy_incomplete": 2}  # per jurisdiction (else 1)


def assign_notice_defects(seed: int, sites: list[Site]) -> None:
    """Add the notice defects to sites (in place), with their facts in Site.details."""
    rng = random.Random(f"{seed}/notices")
    order = list(DEFECTS)
    taken: set[str] = set()
    for jurisdiction in ("cn", "us"):
        for defect in NOTICE_DEFECTS:
            if (DEFECTS[defect].cn_only and jurisdiction != "cn") or (defect in US_ONLY and jurisdiction != "us"):
                continue
            for copy in range(COPIES.get(defect, 1)):
                fits = [s for s in sites if s.role == "site" and s.jurisdiction == jurisdiction and s.defects
                        and s.host not in taken and allowed(defect, jurisdiction, set(s.defects))]
                if not fits:
                    continue
                site = rng.choice(fits)
                taken.add(site.host)
                site.defects = sorted({*site.defects, defect}, key=order.index)
                variants = MISSING[jurisdiction]  # privacy.policy_incomplete: each variant in turn
                site.details.update(notice_facts(site, variants[copy % len(variants)]))
