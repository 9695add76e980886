"""Wording on a page: expression-dictionary hits, placeholder phrases, and the normalised
text whose hash stands for a page region."""

from __future__ import annotations

import hashlib
import re

from mgov.content.dates import strip_dates
from mgov.content.facts import MAX_FLAGS, ExpressionHit
from mgov.content.rules import ContentRules, ascii_lower, fold, nfkc

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# Text split over tags (国务<b>院总</b>里) is joined with spaces; Chinese uses none, so a
# space between two CJK characters is layout, not content.
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")
_CONTEXT = 40


def visible_text(raw: str) -> str:
    """NFKC-folded text with white space collapsed and layout gaps between CJK removed."""
    text = " ".join(nfkc(raw).split())
    return _CJK_GAP.sub("", text)


def _word_start(text: str, start: int, term: str) -> bool:
    # An English term must start a word ("teh" is no hit inside "Mateh"); it may end inside
    # one, since a misspelling stays one with a suffix (Goverments, Govermental).
    return not (_ASCII_WORD.match(term[0]) and start > 0 and _ASCII_WORD.match(text[start - 1]))


def expression_hits(text: str, rules: ContentRules) -> tuple[list[ExpressionHit], int]:
    """(hits up to the cap, total) of the dictionary's wrong terms and the forbidden terms in
    text (as given by visible_text). Overlapping hits keep the longest term."""
    lowered = ascii_lower(text)
    found: list[tuple[int, int, str, str | None]] = []
    for folded, term, suggestion in rules.expression_terms:
        pos = lowered.find(folded)
        while pos >= 0:
            if _word_start(lowered, pos, folded):
                found.append((pos, -len(folded), term, suggestion))
            pos = lowered.find(folded, pos + 1)
    found.sort()
    hits: list[ExpressionHit] = []
    total = 0
    covered = -1
    for pos, neg_len, term, suggestion in found:
        if pos < covered:
            continue
        covered = pos - neg_len
        total += 1
        if len(hits) < MAX_FLAGS:
            pad = max(0, (_CONTEXT + neg_len) // 2)
            context = text[max(0, pos - pad):pos - neg_len + pad][:_CONTEXT]
            hits.append(ExpressionHit(term, suggestion, context.strip()))
    return hits, total


def placeholder_in(text: str, rules: ContentRules) -> str | None:
    """The first placeholder phrase (as configured) found in text, or None."""
    folded = fold(text)
    return next((phrase for term, phrase in rules.placeholder_terms if term in folded), None)


_WEEKDAY = re.compile(r"星期[一二三四五六日天]|礼拜[一二三四五六日天]|周[一二三四五六日]"
                      r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_DIGITS = re.compile(r"\d+")


def region_hash(text: str, targets: list[str]) -> str:
    """sha256 of a region's text and link targets, normalised so that what changes by itself
    (dates, clocks, weekdays, visit counters, white space, query strings) does not count."""
    norm = _DIGITS.sub("", _WEEKDAY.sub("", strip_dates(text)))
    norm = "".join(norm.split())
    links = sorted({t.split("#", 1)[0].split("?", 1)[0] for t in targets})
    return hashlib.sha256("\n".join([norm, *links]).encode("utf-8", "replace")).hexdigest()
