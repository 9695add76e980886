"""The effective indicators of a profile for one channel kind and tier (分级分类)."""

from __future__ import annotations

import dataclasses

from mgov.profiles.model import Indicator, Profile, ProfileError
from mgov.registry.vocab import TIERS


def resolve_indicators(profile: Profile, kind: str, tier: str) -> list[tuple[Indicator, str]]:
    """Each applicable indicator with the origin of the last override that changed it ('' if none).

    An indicator applies when kind is in its kinds (empty: the profile's kinds) and tier in its
    tiers (empty: every tier). Then the overrides matching (kind, tier) apply in order, parents'
    first: `set` replaces fields (params and aggregate are merged), `disable` drops the indicator.
    """
    out: list[tuple[Indicator, str]] = []
    for ind in profile.indicators:
        if kind not in (ind.kinds or profile.kinds) or (ind.tiers and tier not in ind.tiers):
            continue
        origin = ""
        current: Indicator | None = ind
        for ov in profile.overrides:
            if current is None or not ov.matches(kind, tier) or (ov.indicators and ind.id not in ov.indicators):
                continue
            if ov.disable:
                current = None
                continue
            changes = dict(ov.set)
            for table in ("params", "aggregate"):
                if table in changes:
                    changes[table] = {**getattr(current, table), **changes[table]}
            current = dataclasses.replace(current, **changes)
            origin = ov.origin
        if current is not None:
            out.append((current, origin))
    return out


def resolve(profile: Profile, kind: str, tier: str) -> list[Indicator]:
    """The effective indicators of profile for a channel of this kind and tier, in profile order."""
    if kind not in profile.kinds:
        raise ProfileError([f"profile '{profile.id}' does not cover kind {kind!r} "
                            f"(its kinds: {', '.join(profile.kinds)})"])
    tiers = TIERS[profile.jurisdiction]
    if tier not in tiers:
        raise ProfileError([f"unknown tier {tier!r} for jurisdiction {profile.jurisdiction} "
                            f"(choose from: {', '.join(tiers)})"])
    return [ind for ind, _ in resolve_indicators(profile, kind, tier)]
