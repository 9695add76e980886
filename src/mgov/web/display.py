"""What the dashboard and the API show beside the ids they store: names and labels in the
reader's language (indicator names, check titles, enum labels), and times in the reader's zone.
Ids stay; the API adds fields (indicator_name, check_title, status_label...) beside them."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from mgov import zones
from mgov.assess.wording import detail_text
from mgov.config import Settings
from mgov.profiles import audit_words
from mgov.profiles.names import Names, action_label, label, names, subject_label
from mgov.web import i18n
from mgov.web.deps import Principal


def names_of(settings: Settings) -> Names:
    return names(tuple(str(d) for d in settings.profile_dirs))


def words(request: Request, principal: Principal) -> tuple[str, Names]:
    """The API reader's language and the names to show."""
    return api_lang(request, principal), names_of(request.app.state.settings)


def zone_of(settings: Settings, principal: Principal | None) -> str:
    """The reader's zone: the user's (own or their organization's), else the installation's, else UTC."""
    return (principal.user.zone if principal else None) or settings.time_zone or zones.UTC


def api_lang(request: Request, principal: Principal) -> str:
    """The language of the API's display fields: Accept-Language, else the user's, else en."""
    header = request.headers.get("accept-language")
    if header:
        return i18n.negotiate(header, principal.user.lang or "en")
    return principal.user.lang if principal.user.lang in i18n.LANGS else "en"


def task(row: dict[str, Any], lang: str, found: Names) -> dict[str, Any]:
    return {**row, "indicator_name": found.indicator(row.get("indicator_id"), lang, row.get("profile_id")),
            "status_label": label("task", row.get("status"), lang)}


def dispute(row: dict[str, Any], lang: str, found: Names) -> dict[str, Any]:
    out = {**row, "indicator_name": found.indicator(row.get("indicator_id"), lang, row.get("profile_id")),
           "status_label": label("dispute", row.get("status"), lang)}
    if "log" in row:
        out["log"] = [audit_entry(e, lang) for e in row["log"]]
    return out


def finding(row: dict[str, Any], lang: str, found: Names) -> dict[str, Any]:
    return {**row, "check_title": found.check(row.get("check_id"), lang),
            "status_label": label("finding", row.get("status"), lang)}


def audit_entry(row: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**row, "action_label": action_label(str(row.get("action", "")), lang),
            "face_label": audit_words.face_label(row.get("face"), lang),
            "subject_label": subject_label(str(row.get("subject", "")), lang)}


def result(row: dict[str, Any], lang: str, found: Names, profile_id: str | None = None) -> dict[str, Any]:
    """An assessment result with each indicator's name, rule, outcome and detail in lang."""
    if "indicators" not in row:
        return row
    return {**row, "indicators": [
        {**i, "name": found.indicator(i.get("id"), lang, profile_id), "rule_label": label("rule", i.get("rule"), lang),
         "status_label": label("outcome", i.get("status"), lang), "detail_text": detail_text(i.get("detail"), lang)}
        for i in row["indicators"]]}
