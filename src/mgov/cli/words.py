"""The command line's tables in the reader's language: codes shown by their labels in Chinese
(statuses, rules, severities, kinds...), and beside an indicator or check id its name. Ids stay
in their own columns (what --rule, --check and the API take); JSON output is left as stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mgov.assess.wording import detail_text
from mgov.config import Settings
from mgov.profiles.names import Names, label, names


def names_for(settings: Settings) -> Names:
    return names(tuple(str(d) for d in settings.profile_dirs))


def labelled(lang: str, rows: Sequence[dict[str, Any]], **tables: str) -> list[dict[str, Any]]:
    """rows with the values of each column given (column=table of mgov.profiles.names.LABELS)
    shown by their Chinese labels; in English the codes stay (they are English already)."""
    if lang != "zh":
        return [dict(r) for r in rows]
    return [{**r, **{col: label(table, r.get(col), lang) for col, table in tables.items() if r.get(col) is not None}}
            for r in rows]


def with_titles(lang: str, rows: Sequence[dict[str, Any]], found: Names, *, indicator: str | None = None,
                check: str | None = None, profile: str | None = None, into: str = "title") -> list[dict[str, Any]]:
    """rows with a column `into` holding the name of the indicator (or check) id in column
    indicator (or check); profile names the column of the row's profile id, if any."""
    out = []
    for r in rows:
        if indicator is not None:
            name = found.indicator(r.get(indicator), lang, r.get(profile) if profile else None)
        else:
            name = found.check(r.get(check or "check"), lang)
        out.append({**r, into: name})
    return out


def detail(lang: str, text: str | None) -> str:
    return detail_text(text, lang)
