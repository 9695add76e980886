"""What a finding on rendered pages shows (issue 16): its screenshots (WARC resource records
of image/png, read within scope), the failing elements' boxes to outline on them, and the
rule list of its value (id, WCAG success criteria, ACT rules, outcome, elements).

A screenshot's viewport is named by the record (a `WARC-Viewport`-like header, or the target
URI's `viewport=` or `#name`), else by its place: desktop first, then phone, then phone320.
Element boxes are `[x, y, w, h]` in CSS px of the full-page screenshot of their viewport
(`node["viewport"]`, desktop by default).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

from mgov.collect.warc import ArchivedRecord, read_record
from mgov.errors import NotFound
from mgov.evidence.rendered import DESKTOP, NARROW, PHONE

VIEWPORTS = {v.name: v for v in (DESKTOP, PHONE, NARROW)}
ORDER = (DESKTOP.name, PHONE.name, NARROW.name)  # a record that names no viewport: by its place
OUTCOMES = ("failed", "incomplete", "passed", "inapplicable")  # the rule list's order
MAX_NODES = 50  # elements listed (and outlined) per rule; the value keeps them all
_PNG = b"\x89PNG\r\n\x1a\n"


def content_type(record: ArchivedRecord) -> str:
    return (record.warc_header("Content-Type") or "").split(";")[0].strip().lower()


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR, or None when it is no PNG."""
    if len(data) < 24 or not data.startswith(_PNG) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def viewport_named(record: ArchivedRecord) -> str | None:
    for name, value in record.warc_headers:
        if name.lower().endswith("viewport") and value.strip() in VIEWPORTS:
            return value.strip()
    uri = record.warc_header("WARC-Target-URI") or ""
    found = re.search(r"(?:[?&#]viewport=|#)(desktop|phone320|phone)\b", uri)
    return found.group(1) if found else None


def resource(out: dict[str, Any], record: ArchivedRecord) -> dict[str, Any]:
    """A resource or conversion record for the finding page: a screenshot's size and viewport,
    or the text of a DOM snapshot."""
    out["content_type"] = content_type(record)
    size = png_size(record.payload) if out["content_type"] == "image/png" else None
    if size:
        out["image"], out["pixels"], out["viewport"] = True, size, viewport_named(record)
        return out
    out["text"] = record.payload[:256 * 1024].decode("utf-8", errors="replace")
    out["charset"], out["truncated"] = "utf-8", len(record.payload) > 256 * 1024
    return out


def screenshot(archive_dir: Path, found: dict[str, Any], n: int) -> bytes:
    """The PNG bytes of a finding's n-th evidence record, when it is a screenshot (`found`: the
    finding as monitoring.finding read it, within the reader's scope)."""
    finding_id, refs = found["id"], found["evidence"] or []
    if not 0 <= n < len(refs):
        raise NotFound(f"finding {finding_id} has no evidence {n} (it has {len(refs)})")
    try:
        record = read_record(archive_dir, refs[n])
    except (OSError, ValueError, StopIteration) as exc:
        raise NotFound(f"evidence {n} of finding {finding_id} cannot be read from the archive: {exc}") from exc
    if record.rec_type not in ("resource", "conversion") or png_size(record.payload) is None:
        raise NotFound(f"evidence {n} of finding {finding_id} is not a screenshot")
    return record.payload


def _scale(name: str, pixels: tuple[int, int]) -> float:
    """Device pixels per CSS px of a screenshot: a phone's is taken at its scale unless it is
    no wider than the viewport's CSS width could make it (a CSS-scaled screenshot)."""
    vp = VIEWPORTS[name]
    return vp.scale if vp.scale > 1 and pixels[0] > vp.width * 2 else 1.0


def shots(records: list[dict[str, Any]], value: Any) -> list[dict[str, Any]]:
    """The screenshots among a finding's records, desktop first, with the boxes to outline."""
    found = [r for r in records if r.get("image")]
    taken: set[str] = set()
    out = []
    for place, r in enumerate(found):
        name = r.get("viewport") or next((v for v in ORDER[place:] + ORDER if v not in taken), DESKTOP.name)
        taken.add(name)
        scale = _scale(name, r["pixels"])
        width, height = r["pixels"][0] / scale, r["pixels"][1] / scale
        out.append({"index": r["index"], "viewport": name, "width": round(width, 1), "height": round(height, 1),
                    "boxes": [b for b in boxes(value) if b["viewport"] == name]})
    return sorted(out, key=lambda s: ORDER.index(s["viewport"]) if s["viewport"] in ORDER else 9)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) and value else []


def _box(node: dict[str, Any]) -> list[float] | None:
    box = node.get("box")
    if isinstance(box, dict):
        box = [box.get(k) for k in ("x", "y", "w", "h")]
    if isinstance(box, list) and len(box) == 4 and all(isinstance(x, int | float) for x in box):
        return [float(x) for x in box] if box[2] > 0 and box[3] > 0 else None
    return None


def rules(value: Any) -> list[dict[str, Any]]:
    """The value's rule list, normalized: failed first, then incomplete, passed, inapplicable."""
    raw = value.get("rules") if isinstance(value, dict) else None
    out = []
    for n, rule in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(rule, dict):
            continue
        nodes = [x for x in _list(rule.get("nodes") or rule.get("elements")) if isinstance(x, dict)]
        out.append({
            "n": n, "id": str(rule.get("id") or rule.get("rule") or "?"),
            "wcag": [str(x) for x in _list(rule.get("wcag") or rule.get("sc") or rule.get("wcag_sc"))],
            "act": [str(x) for x in _list(rule.get("act") or rule.get("act_ids") or rule.get("actIds"))],
            "outcome": str(rule.get("outcome") or ""),
            "nodes": [{"selector": _selector(x), "snippet": str(x.get("snippet") or x.get("html") or ""),
                       "box": _box(x)} for x in nodes[:MAX_NODES]],
            "more": max(0, len(nodes) - MAX_NODES)})
    return sorted(out, key=lambda r: (OUTCOMES.index(r["outcome"]) if r["outcome"] in OUTCOMES else 4, r["n"]))


def _selector(node: dict[str, Any]) -> str:
    target = node.get("selector") or node.get("target") or ""
    return " ".join(map(str, target)) if isinstance(target, list) else str(target)


def boxes(value: Any) -> list[dict[str, Any]]:
    """Every failing element with a box: its rule, viewport and [x, y, w, h]."""
    raw = value.get("rules") if isinstance(value, dict) else None
    out = []
    for rule in raw if isinstance(raw, list) else []:
        if not isinstance(rule, dict) or rule.get("outcome") not in ("failed", "incomplete"):
            continue
        for node in [x for x in _list(rule.get("nodes") or rule.get("elements")) if isinstance(x, dict)][:MAX_NODES]:
            if (box := _box(node)) is not None:
                out.append({"rule": str(rule.get("id") or "?"), "outcome": rule["outcome"], "box": box,
                            "selector": _selector(node), "viewport": str(node.get("viewport") or DESKTOP.name)})
    return out
