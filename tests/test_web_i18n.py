"""The dashboard's two languages: every message in the templates has its Chinese translation
(extracted the way pybabel does, with the catalog's own configuration), and the language of
a response follows the switch, then the user, then the browser."""

from __future__ import annotations

from importlib.resources import files

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from mgov.web import i18n

WEB = files("mgov.web")


def _template_messages() -> set[str]:
    """The messages of the templates, and of the exports' columns (`w.t("...")`, web.export_columns)."""
    method_map = [("dashboard/templates/**.html", "jinja2"), ("export_columns.py", "python")]
    options = {"dashboard/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    keywords = {**DEFAULT_KEYWORDS, "t": None}
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), method_map, options,
                                                                       keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_template_message_is_translated():
    with (WEB / "locale" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id: m.string for m in catalog if m.id}
    used = _template_messages()
    assert len(used) > 150
    missing = sorted(m for m in used if not translated.get(m))
    assert not missing, f"add zh translations to messages.po: {missing}"
    stale = sorted(set(translated) - used)
    assert not stale, f"messages no template uses any more: {stale}"
    assert not [m.id for m in catalog if m.fuzzy and m.id]


def test_translations_compile_and_apply():
    zh = i18n.translations("zh")
    assert zh.gettext("Rankings") == "排名"
    assert zh.gettext("Scope: %(org)s and the organizations under it") % {"org": "cn-440300"} == \
        "范围：cn-440300 及其下级单位"
    assert i18n.translations("en").gettext("Rankings") == "Rankings"


def test_language_choice():
    assert i18n.parse_accept_language("en;q=0.5, zh-CN, zh;q=0.9, *;q=0.1") == ["zh-CN", "zh", "en"]
    assert i18n.negotiate("zh-TW,zh;q=0.9") == "zh"
    assert i18n.negotiate("fr-FR,de;q=0.8") == "en"  # neither: English
    assert i18n.negotiate("de, en-GB;q=0.7, zh;q=0.3") == "en"
    assert i18n.negotiate("en;q=0, zh;q=0.1") == "zh"  # q=0 means "not this"
    assert i18n.choose("en", "zh", "zh-CN") == "en"  # the switch first
    assert i18n.choose(None, "zh", "en-US") == "zh"  # then the user's own
    assert i18n.choose("xx", None, "zh-CN,zh") == "zh"  # then the browser


def test_dates_and_numbers_by_locale():
    import datetime as dt

    assert i18n.fmt_number(12345.5, "en") == "12,345.5"
    assert i18n.fmt_date(dt.date(2026, 11, 26), "zh") == "2026年11月26日"
    assert i18n.fmt_date(dt.date(2026, 11, 26), "en") == "Nov 26, 2026"
    assert i18n.fmt_number(None, "zh") == "—"
