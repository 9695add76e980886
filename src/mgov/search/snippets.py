"""A hit's snippet, computed in Python from the stored text (so it reads the same on both
databases): the window around the first place most terms appear, with every occurrence of a
term marked. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mgov.search.tokens import Term

WIDTH = 160  # characters of a snippet


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: tuple[tuple[int, int], ...]  # [start, end) of each highlighted span in text

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, highlighted) pieces, for a face to render."""
        out: list[tuple[str, bool]] = []
        at = 0
        for start, end in self.marks:
            if start > at:
                out.append((self.text[at:start], False))
            out.append((self.text[start:end], True))
            at = end
        if at < len(self.text):
            out.append((self.text[at:], False))
        return out


def _pattern(terms: list[Term]) -> re.Pattern[str] | None:
    words = sorted({t.text for t in terms}, key=len, reverse=True)
    if not words:
        return None
    # Latin words match at word edges (as the index does); CJK terms anywhere.
    alternatives = [re.escape(w) if not w.isascii() else rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" for w in words]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def snippet(text: str, terms: list[Term], width: int = WIDTH) -> Snippet:
    """The window of `width` characters around the first match (the text's start when no term
    is found verbatim, e.g. a full-width spelling), white space folded, matches marked."""
    flat = " ".join(text.split())
    pattern = _pattern(terms)
    first = pattern.search(flat) if pattern else None
    start = 0 if first is None else max(0, first.start() - width // 4)
    end = min(len(flat), start + width)
    window = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    marks: list[tuple[int, int]] = []
    if pattern is not None:
        marks = [(m.start() + len(prefix), m.end() + len(prefix)) for m in pattern.finditer(window)]
    return Snippet(prefix + window + suffix, tuple(marks))
