"""Where a capture replays: its pywb collection and the dashboard's replay URL
(docs/archive.md, "Replay"). Pure: rows in, paths out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

ALL = "all"
PER_ORG = "per-org"
ID_PREFIX = "org-id-"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
RESERVED = frozenset({"static", "_", "collinfo.json", "proxy-fetch", "cdx", ALL})
# Records a reader can open as a page (or a file) as captured; requests, DNS and TLS facts are not.
REPLAYABLE = frozenset({"response", "revisit", "resource"})
MODIFIERS = frozenset({"", "id_", "mp_", "if_", "im_", "js_", "cs_", "oe_"})


def collection_name(code: str | None, org_id: int | None, mode: str) -> str | None:
    """The collection a record of this organization is replayed from: its code when that is a
    safe path segment, else org-id-<id>; None for a record of no organization (per-org)."""
    if mode == ALL:
        return ALL
    if org_id is None:
        return None
    if code and _SAFE.match(code) and code.lower() not in RESERVED and not code.startswith(ID_PREFIX):
        return code
    return f"{ID_PREFIX}{org_id}"


def replay_url(record: Mapping[str, Any], mode: str = PER_ORG, *, modifier: str = "") -> str | None:
    """The dashboard's link to the page as captured at that moment: `/replay/<collection>/
    <timestamp><modifier>/<url>` (pywb's Wayback form; `id_` serves the archived bytes as
    they are). record holds `url`, `timestamp` (14 digits), `org_id` and `org` (the
    organization's code) and, when known, `record_type`. None when the record cannot be
    replayed (no URL, not a page, of no organization under per-org collections)."""
    if modifier not in MODIFIERS:
        raise ValueError(f"not a pywb modifier: {modifier!r}")
    url, stamp = record.get("url"), str(record.get("timestamp") or "")
    kind = record.get("record_type")
    if not url or not stamp.isdigit() or (kind is not None and kind not in REPLAYABLE):
        return None
    if not str(url).lower().startswith(("http://", "https://")):
        return None
    collection = collection_name(record.get("org"), record.get("org_id"), mode)
    if collection is None:
        return None
    return f"/replay/{collection}/{stamp}{modifier}/{quote(str(url), safe=_URL_SAFE)}"


# Characters left as they are in the archived URL after the timestamp (pywb reads it raw).
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
