"""The real-world forms a farm site publishes (contract.FORMS; docs/demo-farm.md, "Real-world
forms"): which ones each site gets, and the ICP and 公网安备 numbers written in them."""

from __future__ import annotations

import random

from mgov.demo.farm.contract import CN_FORMS, FORMS, LIAR_LABELS
from mgov.demo.farm.manifest import Site

_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def icp_text(site: Site, prefix: str, number: int, suffix: int) -> str:
    """The ICP filing as the site's footer writes it (Site.forms["icp"])."""
    form = site.form("icp")
    if form == "spaced":
        return f"{prefix}ICP备 {number}号"
    if form == "fullwidth":
        return f"{prefix}ICP备{number}号-{suffix}".translate(_FULLWIDTH)
    if form == "bare":
        return f"{prefix}ICP备{number}号"
    return f"{prefix}ICP备{number}号-{suffix}"


def psb_text(site: Site, prefix: str, number: str) -> str:
    """The 公网安备 number as the site's footer writes it (Site.forms["psb"])."""
    return {"colon_fw": f"{prefix}公网安备：{number}号", "colon": f"{prefix}公网安备:{number}",
            "hao_first": f"{prefix}公网安备号{number}", "tight": f"{prefix}公网安备{number}号",
            }.get(site.form("psb"), f"{prefix}公网安备 {number}号")


class Forms:
    """The real-world forms of each site (contract.FORMS), from an RNG of their own: each form
    once per round, in an order shuffled per round, separately for healthy and defective sites
    of each jurisdiction, so every form shows on healthy sites as soon as there are enough of
    them, and the forms of one site are not tied to each other."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}/forms")
        self.rounds: dict[tuple[str, str, bool], list[str]] = {}
        self.liars = 0

    def pick(self, site: Site) -> dict[str, str]:
        out = {}
        for name, options in FORMS.items():
            if name in CN_FORMS and site.jurisdiction != "cn":
                continue
            left = self.rounds.setdefault((name, site.jurisdiction, not site.defects), [])
            if not left:
                left += self.rng.sample(options, len(options))
            out[name] = left.pop()
        return out

    def liar_label(self) -> str:
        """The unknown Content-Type charset of the next page.charset_liar site."""
        self.liars += 1
        return LIAR_LABELS[(self.liars - 1) % len(LIAR_LABELS)]
