"""Rendering dashboard pages: Jinja2 environments per language with gettext, and the
formatting helpers templates use."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from mgov.assess.wording import detail_text
from mgov.profiles import audit_words
from mgov.profiles.names import action_label, audit_detail, label, subject_label
from mgov.web import display, i18n
from mgov.web.dashboard.flash import clear_flash, take_flash
from mgov.web.deps import Principal


def _word_filters(lang: str) -> dict[str, Any]:
    """The filters that put the reader's words on stored codes and ids (mgov.profiles.names):
    `code | term('kind')` (the registry's vocabularies and every other label table),
    `id | indicator(profile_id)`, `id | check_title`, `text | detail` (an indicator's detail),
    `action | action`, and `when | datetime` in the reader's time zone."""

    @pass_context
    def indicator(ctx: Context, indicator_id: Any, profile_id: str | None = None) -> str:
        return str(ctx["names"].indicator(indicator_id, lang, profile_id))

    @pass_context
    def check_title(ctx: Context, check_id: Any) -> str:
        return str(ctx["names"].check(check_id, lang))

    @pass_context
    def profile_title(ctx: Context, profile_id: Any) -> str:
        return str(ctx["names"].profile(profile_id, lang))

    @pass_context
    def datetime(ctx: Context, value: Any) -> str:
        return i18n.fmt_datetime(value, lang, ctx.get("zone") or "UTC")

    @pass_context
    def audit_fields(ctx: Context, detail: Any) -> list[tuple[str, str, bool]]:
        return audit_detail(detail if isinstance(detail, dict) else {}, lang, ctx["names"])

    @pass_context
    def audit_rows(ctx: Context, detail: Any) -> list[tuple[str, str, str, bool]]:
        return audit_words.rows(detail if isinstance(detail, dict) else {}, lang, ctx["names"])

    return {"term": lambda code, table: label(table, code, lang), "audit_fields": audit_fields,
            "audit_rows": audit_rows, "face": lambda face: audit_words.face_label(face, lang),
            "object_kind": lambda kind: audit_words.kind_label(str(kind), lang),
            "subject": lambda subject: subject_label(str(subject), lang), "indicator": indicator,
            "check_title": check_title, "profile_title": profile_title, "detail": lambda text: detail_text(text, lang),
            "action": lambda action: action_label(str(action), lang), "datetime": datetime}


def _json_script(value: Any) -> Markup:
    """Data for a page's script, safe inside <script type="application/json">."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)  # noqa: S704 - trusted on purpose: with <, > and & escaped it cannot end the <script>


def _page_url(request: Request, after: Any) -> str:
    url = request.url.include_query_params(after=after)
    return f"{url.path}?{url.query}"


class Pages:
    def __init__(self) -> None:
        self._envs: dict[str, Environment] = {}

    def env(self, lang: str) -> Environment:
        if lang not in self._envs:
            env = Environment(loader=PackageLoader("mgov.web.dashboard", "templates"),
                              autoescape=select_autoescape(default=True), extensions=["jinja2.ext.i18n"],
                              trim_blocks=True, lstrip_blocks=True)
            env.install_gettext_translations(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n at runtime
                i18n.translations(lang), newstyle=True)
            env.filters.update(
                num=lambda v, d=2: i18n.fmt_number(v, lang, d), date=lambda v: i18n.fmt_date(v, lang),
                json_script=_json_script, **_word_filters(lang),
                message=lambda row: ((row.get("message_zh") or row.get("message")) if lang == "zh"
                                     else (row.get("message") or row.get("message_zh"))) or "")
            # Measured values hold Chinese text: show it, not \u escapes (<, >, & and ' stay escaped).
            env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
            self._envs[lang] = env
        return self._envs[lang]

    @staticmethod
    def of(request: Request) -> Pages:
        """The application's renderer (made once, in app.build)."""
        pages: Pages = request.app.state.pages
        return pages

    @staticmethod
    def lang_of(request: Request, principal: Principal | None) -> str:
        return i18n.choose(request.cookies.get(i18n.LANG_COOKIE), principal.user.lang if principal else None,
                           request.headers.get("accept-language"))

    def render(self, request: Request, template: str, principal: Principal | None, *, http_status: int = 200,
               headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        lang = self.lang_of(request, principal)
        settings = request.app.state.settings
        html = self.env(lang).get_template(template).render(
            names=display.names_of(settings), zone=display.zone_of(settings, principal),
            request=request, lang=lang, user=principal.user if principal else None,
            csrf=principal.csrf if principal else context.pop("csrf", ""), path=request.url.path,
            query=request.url.query, page_url=lambda after: _page_url(request, after), flash=take_flash(request),
            **context)
        response = HTMLResponse(html, status_code=http_status, headers=headers)
        clear_flash(request, response)  # shown once: not again on reload
        response.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
        return response

    def error(self, request: Request, status: int, message: str, headers: dict[str, str] | None = None,
              principal: Principal | None = None) -> HTMLResponse:
        """An error in the normal frame: the reader's navigation and language when known."""
        return self.render(request, "error.html", principal, http_status=status, headers=headers,
                           status_code=status, message=message)
