"""Readable, stable organization codes from names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG = 60


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug or len(slug) > MAX_SLUG:
        slug = f"{slug[:MAX_SLUG - 7].rstrip('-')}-{short_hash(name)}".lstrip("-")
    return slug


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]


def unique_slugs(names: set[str]) -> dict[str, str]:
    """A slug per name; names sharing a slug all get a hash suffix, so the result does not
    depend on the order in which names were seen."""
    by_slug: dict[str, list[str]] = {}
    for name in names:
        by_slug.setdefault(slugify(name), []).append(name)
    out = {}
    for slug, group in by_slug.items():
        for name in group:
            out[name] = slug if len(group) == 1 else f"{slug}-{short_hash(name)}"
    return out
