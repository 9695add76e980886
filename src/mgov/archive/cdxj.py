"""An index row as a CDXJ line: pywb's fields first, as cdxj-indexer writes them (strings,
in its order), then mgov's."""

from __future__ import annotations

import json
from typing import Any

PYWB = ("url", "mime", "status", "digest")


def cdxj_line(row: dict[str, Any]) -> str:
    """`<SURT key> <timestamp> <JSON>` of one archive_records row (joined with its file name,
    channel address and organization code)."""
    fields: dict[str, Any] = {k: row[k] for k in PYWB if row.get(k) is not None}
    fields.update(length=str(row["length"]), offset=str(row["offset"]), filename=row["filename"])
    if row.get("record_digest"):
        fields["recordDigest"] = row["record_digest"]
    fields["recordType"] = row["record_type"]
    extra = row.get("extra") or {}
    for key in ("refersTo", "refersToUri", "refersToDate", "truncated"):
        if key in extra:
            fields[key] = extra[key]
    for key, column in (("contentDigest", "content_digest"), ("run", "run_id"), ("channel", "channel"),
                        ("org", "org"), ("textId", "text_id")):
        if row.get(column) is not None and (column != "text_id" or row[column]):  # 0: read, nothing to index
            fields[key] = row[column]
    return f"{row['urlkey']} {row['timestamp']} {json.dumps(fields)}"
