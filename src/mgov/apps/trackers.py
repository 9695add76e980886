"""Trackers by code signature: the bundled Exodus Privacy list matched on class names.

Like Exodus: each tracker's `code_signature` is a regular expression (package prefixes joined
with `|`, where `.` also matches the `/` of a class name) searched in every class name of the
app; a signature of 3 characters or fewer is skipped. The class names are searched as one
text, a line per class (`.` never matches the line break), each signature first looked up by
its longest literal piece, so the cost is a few fast substring scans per tracker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from mgov.content.trackers import exodus_trackers
from mgov.evidence.app import TrackerHit

LIST_SOURCE = "Exodus Privacy tracker list (ODbL 1.0), via MobSF's offline copy"
LIST_DATE = "2023-12-05"  # the newest creation_date in the bundled copy (copied 2026-11-26)
MIN_SIGNATURE = 4  # characters; shorter signatures match too much (Exodus and MobSF skip them)
PROOF_CLASSES = 3  # matching class names kept per tracker


@dataclass(frozen=True)
class Tracker:
    id: int
    name: str
    categories: tuple[str, ...]
    website: str | None
    signatures: tuple[tuple[str, re.Pattern[str], str], ...]  # (signature, its regex, its longest literal)


def _literal(signature: str) -> str:
    """The longest piece of the signature between its dots (a prefilter: the text must contain
    it for the signature to match); none for a signature with other regex syntax."""
    if re.search(r"[\\^$*+?()\[\]{}|]", signature):
        return ""
    return max(signature.split("."), key=len)


@cache
def load_trackers() -> tuple[Tracker, ...]:
    """The bundled list, signatures compiled (once per process)."""
    out = []
    for item in exodus_trackers().values():
        compiled = []
        for s in str(item.get("code_signature") or "").split("|"):
            if len(s) < MIN_SIGNATURE:
                continue
            try:
                compiled.append((s, re.compile(s), _literal(s)))
            except re.error:  # one broken signature of a newer list must not stop every analysis
                continue
        if compiled:
            out.append(Tracker(int(item["id"]), str(item["name"]), tuple(item.get("categories") or ()),
                               item.get("website") or None, tuple(compiled)))
    return tuple(sorted(out, key=lambda t: t.id))


def list_facts() -> dict[str, object]:
    """What the findings say of the list they were judged with."""
    return {"source": LIST_SOURCE, "date": LIST_DATE, "count": len(load_trackers()), "licence": "ODbL-1.0"}


def class_name(descriptor: str) -> str:
    """`Lcom/foo/Bar;` as the list searches it: `com/foo/Bar`."""
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1]
    return descriptor


def match_trackers(class_names: Iterable[str], trackers: Iterable[Tracker] | None = None) -> list[TrackerHit]:
    """The trackers whose code signature matches any of the class names (slash-separated, as
    `class_name` gives them), with the signatures that matched and a few matching classes."""
    text = "\n".join(class_names)
    hits = []
    for tracker in load_trackers() if trackers is None else trackers:
        matched: list[str] = []
        proof: list[str] = []
        for signature, regex, literal in tracker.signatures:
            if literal not in text:
                continue
            found = regex.search(text)
            if found is None:
                continue
            matched.append(signature)
            if len(proof) < PROOF_CLASSES:
                proof.append(_line_at(text, found.start()))
        if matched:
            hits.append(TrackerHit(tracker.id, tracker.name, list(tracker.categories), tracker.website, matched,
                                   list(dict.fromkeys(proof))))
    return hits


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:end if end >= 0 else len(text)]
