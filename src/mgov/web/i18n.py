"""The dashboard's languages: zh and en, negotiated from Accept-Language with Babel, switchable
with a cookie; message catalogs are gettext .po files compiled in memory on first use."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from importlib.resources import files
from typing import Any

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from mgov import zones

LANGS = ("zh", "en")
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en_US"}
LANG_COOKIE = "mgov_lang"


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, most preferred first."""
    tags: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            tags.append((-q, i, tag.strip()))
    return [tag for _, _, tag in sorted(tags)]


def negotiate(header: str | None, default: str = "en") -> str:
    found = negotiate_locale(parse_accept_language(header), list(LANGS), sep="-")
    return found or default


def choose(cookie: str | None, user_lang: str | None, accept_language: str | None) -> str:
    """The language of a response: the switch (cookie), else the user's, else the browser's."""
    for lang in (cookie, user_lang):
        if lang in LANGS:
            return lang
    return negotiate(accept_language)


@cache
def translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()  # the msgids are the English text
    po = files("mgov.web") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=BABEL_LOCALES[lang])
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(lang, "en_US"))


def fmt_number(value: Any, lang: str, digits: int = 2) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=locale(lang))


def fmt_date(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="medium", locale=locale(lang))


def fmt_datetime(value: Any, lang: str, zone: str = zones.UTC) -> str:
    """A stored time (UTC) in the reader's zone, with its offset: 2026/1/20 11:00 UTC+8."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    here = zones.local(value, zone)
    shown = format_datetime(here, format="short", tzinfo=here.tzinfo, locale=locale(lang))
    return f"{shown} {zones.offset_label(here)}"
