"""Guideline profiles as data: indicator trees in TOML, validated against the check registry.

    from mgov.profiles import load, resolve
    profile = load("cn-2019-website")
    indicators = resolve(profile, "website", "county")
"""

from mgov.profiles.loader import SHIPPED_DIR, discover, load, load_all
from mgov.profiles.model import (
                                 RULES,
                                 SOURCES,
                                 Category,
                                 Deadline,
                                 Grade,
                                 Indicator,
                                 Override,
                                 Profile,
                                 ProfileError,
                                 Scoring,
)
from mgov.profiles.resolve import resolve

__all__ = ["RULES", "SHIPPED_DIR", "SOURCES", "Category", "Deadline", "Grade", "Indicator", "Override",
           "Profile", "ProfileError", "Scoring", "discover", "load", "load_all", "resolve"]
