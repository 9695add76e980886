"""Profiles as plain data, for `mgov profiles --json` and the API alike."""

from __future__ import annotations

from typing import Any

from mgov.profiles.model import Profile
from mgov.profiles.resolve import resolve


def summary_row(p: Profile, lang: str) -> dict[str, Any]:
    return {"id": p.id, "title": p.title(lang), "title_zh": p.title_zh, "title_en": p.title_en,
            "jurisdiction": p.jurisdiction, "kinds": list(p.kinds), "indicators": len(p.indicators),
            "extends": list(p.extends), "source": p.source}


def tree(profile: Profile, kind: str | None = None, tier: str | None = None) -> dict[str, Any]:
    """The indicator tree (resolved for kind and tier when both are given)."""
    indicators = resolve(profile, kind, tier) if kind and tier else list(profile.indicators)
    categories = [{"id": c.id, "title_zh": c.title_zh, "title_en": c.title_en, "points": c.points,
                   "weight": c.weight, "indicators": [i.as_dict() for i in indicators if i.category == c.id]}
                  for c in profile.categories]
    return {"id": profile.id, "title_zh": profile.title_zh, "title_en": profile.title_en,
            "jurisdiction": profile.jurisdiction, "kinds": list(profile.kinds), "extends": list(profile.extends),
            "spec": profile.spec, "kind": kind, "tier": tier, "scoring": profile.scoring.as_dict(),
            "categories": categories}
