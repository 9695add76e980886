"""Which accounts claim a unit's name: the matching rules of `mgov discover` (pure).

An account claims a unit when its name, normalized, **is** or **contains** one of the unit's
names, normalized:

- the unit's names: its Chinese and English names as registered, and their short forms:
  `中华人民共和国` dropped from the front (中华人民共和国外交部 → 外交部), `人民政府` said as
  `政府` (深圳市人民政府 → 深圳市政府), `The`, `U.S.` and `United States` dropped from the
  front of an English name; and the English name's initials (General Services Administration
  → GSA) when they are at least three letters;
- normalized: Unicode NFKC (full-width letters, digits and punctuation become their ASCII
  forms), case folded, and every run of punctuation, symbols and whitespace (中点 ·, brackets
  （）, dashes, quotes) removed, so `深圳市 人民政府（官方）`, `深圳市人民政府·发布` and
  `ＳＨＥＮＺＨＥＮ` compare as written without them;
- initials are matched as a whole word of the account's name (`GSA`, `US GSA`, `GSA_News`,
  not `GSAX`), never inside a word; names are matched anywhere in the account's name;
- a name (after normalization) shorter than two Chinese characters or four Latin letters is
  never used: it would claim half the platform.

When several of a unit's names match, the longest is the one recorded (`matched`); across
units, the unit whose matched name is longest claims the account (深圳市人民政府办公厅发布
claims 深圳市人民政府办公厅 rather than 深圳市人民政府).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_STOP_WORDS = frozenset({"of", "the", "and", "for", "on", "in", "to", "a", "an", "at"})
_EN_PREFIXES = ("the ", "u.s. ", "us ", "united states ")


def normalize(text: str) -> str:
    """NFKC, case folded, punctuation, symbols and whitespace removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def words(text: str) -> list[str]:
    """The account name's words (NFKC, case folded), split at punctuation, spaces and underscores."""
    return [w for w in _SEPARATORS.split(unicodedata.normalize("NFKC", text).casefold()) if w]


def _usable(name: str) -> bool:
    """Long enough to mean a unit: two Chinese characters, or four other letters or digits."""
    return len(_CJK.findall(name)) >= 2 or len(name) >= 4


@dataclass(frozen=True)
class UnitNames:
    """The forms of one unit's name an account may claim."""

    org_id: int
    code: str
    names: tuple[str, ...]  # as written (for the record), longest first
    keys: tuple[str, ...]  # normalized, same order
    initials: str | None  # matched as a whole word, lower case

    @property
    def queries(self) -> tuple[str, ...]:
        """What to ask a platform's search: the names as written (the full names and short forms)."""
        return self.names


def unit_names(org_id: int, code: str, name_zh: str | None, name_en: str | None) -> UnitNames:
    forms: list[str] = []
    if name_zh:
        zh = name_zh.strip()
        forms.append(zh)
        short = zh.removeprefix("中华人民共和国")
        forms += [short, short.replace("人民政府", "政府")]
    rest = None
    if name_en:
        rest = " ".join(name_en.split())
        forms.append(rest)
        for prefix in _EN_PREFIXES:
            if rest.lower().startswith(prefix):
                rest = rest[len(prefix):]
                forms.append(rest)
    seen: dict[str, str] = {}
    for form in forms:
        key = normalize(form)
        if key and _usable(key) and key not in seen:
            seen[key] = form
    ordered = sorted(seen.items(), key=lambda kv: (-len(kv[0]), kv[0]))
    initials = None
    if rest:  # the English name without The / U.S. / United States in front
        letters = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", rest) if w.lower() not in _STOP_WORDS)
        initials = letters.lower() if len(letters) >= 3 else None
    return UnitNames(org_id, code, tuple(v for _, v in ordered), tuple(k for k, _ in ordered), initials)


def claim(account_name: str, unit: UnitNames) -> str | None:
    """The unit's name (as written) the account's name claims, the longest; None: no claim."""
    key = normalize(account_name)
    if not key:
        return None
    for form, form_key in zip(unit.names, unit.keys, strict=True):
        if form_key in key:
            return form
    if unit.initials and unit.initials in words(account_name):
        return unit.initials.upper()
    return None


def best_claim(account_name: str, units: list[UnitNames]) -> tuple[UnitNames, str] | None:
    """The unit the account claims most specifically (its longest matched name), and that name."""
    best: tuple[UnitNames, str] | None = None
    for unit in units:
        found = claim(account_name, unit)
        if found is not None and (best is None or len(normalize(found)) > len(normalize(best[1]))):
            best = (unit, found)
    return best
