"""The one tokenizer of the archive's search, applied in Python so SQLite and PostgreSQL index
and match the very same tokens (docs/archive.md, "Search"). Pure.

A document becomes a string of ASCII tokens both databases read alike (FTS5's unicode61 and
PostgreSQL's 'simple' parser split it on the spaces and keep every token as it is):

- Latin letters and digits: words, NFKC-folded (full-width forms), accents dropped, lowercased.
- CJK runs (Han, kana, Hangul): the run's overlapping bigrams in sequence, then each distinct
  single character. A 1-character query matches the unigram, 2 the bigram, 3 or more the
  bigrams in sequence as a phrase. A separator token between runs keeps a phrase from
  matching across two runs.
- CJK tokens are spelled in ASCII letters (the code points in hex, digits 0-f written a-p,
  after `q` and a letter naming the kind), so no database locale or parser decides how a
  Han character is split. A Latin word that starts with `q` is written with `qq` before it,
  so no word can be read as a CJK token.

PostgreSQL keeps positions up to 16383 only: a document's tokens stop at MAX_TOKENS, the
same for both databases, so a phrase never matches in one and not in the other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

MAX_TOKENS = 16000  # of one document (PostgreSQL's tsvector positions stop at 16383)
MAX_WORD = 60  # longer Latin runs (hashes, base64) are not words anyone searches for
MAX_TERMS = 8  # of one query
SEPARATOR = "qzz"  # between two CJK runs: a phrase never spans them
_CJK = (r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
        r"\U00020000-\U0002fa1f")
_RUNS = re.compile(rf"([{_CJK}]+)|([a-z0-9]+)")
_HEX = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def fold(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), accents dropped, lowercased."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _char(c: str) -> str:
    return format(ord(c), "05x").translate(_HEX)


def unigram(c: str) -> str:
    return "qu" + _char(c)


def bigram(a: str, b: str) -> str:
    return "qb" + _char(a) + _char(b)


def word(w: str) -> str:
    return "q" + w if w.startswith("q") else w


def document_tokens(text: str) -> str:
    """The token string indexed for a document's text (title and body joined by the caller)."""
    out: list[str] = []
    unigrams: list[str] = []
    seen: set[str] = set()
    previous_cjk = False
    for cjk, latin in (m.groups() for m in _RUNS.finditer(fold(text))):
        if len(out) + len(unigrams) >= MAX_TOKENS:
            break
        if cjk:
            if previous_cjk:
                out.append(SEPARATOR)
            out.extend(bigram(a, b) for a, b in pairwise(cjk))
            for c in cjk:
                if c not in seen:
                    seen.add(c)
                    unigrams.append(unigram(c))
            previous_cjk = True
        elif len(latin) <= MAX_WORD:
            out.append(word(latin))
    return " ".join((out + unigrams)[:MAX_TOKENS])


@dataclass(frozen=True)
class Term:
    """One term of a query as the reader typed it, and the tokens that must appear in sequence."""

    text: str
    tokens: tuple[str, ...]


def parse_query(query: str) -> list[Term]:
    """The query's terms: each Latin word, and each CJK run (a phrase of its bigrams, or one
    unigram). Every term must match (AND). Punctuation and operators are not syntax here."""
    terms: list[Term] = []
    for cjk, latin in (m.groups() for m in _RUNS.finditer(fold(query))):
        if cjk:
            tokens = (unigram(cjk),) if len(cjk) == 1 else tuple(bigram(a, b) for a, b in pairwise(cjk))
            terms.append(Term(cjk, tokens))
        elif len(latin) <= MAX_WORD:
            terms.append(Term(latin, (word(latin),)))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def fts5_match(terms: list[Term]) -> str:
    """The FTS5 MATCH expression: each term a quoted phrase, all of them required."""
    return " AND ".join('"' + " ".join(t.tokens) + '"' for t in terms)


def pg_tsquery(terms: list[Term]) -> str:
    """The same query for to_tsquery('simple', ...): phrases with <->, all of them with &."""
    return " & ".join("(" + " <-> ".join(t.tokens) + ")" for t in terms)
