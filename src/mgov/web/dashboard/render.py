"""Rendering dashboard pages: Jinja2 environments per language with gettext, and the
formatting helpers templates use."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from mgov.registry import vocab
from mgov.web import i18n
from mgov.web.dashboard.flash import clear_flash, take_flash
from mgov.web.deps import Principal


def _term_filter(lang: str) -> Any:
    tables: dict[str, dict[str, vocab.Term]] = {
        "kind": vocab.CHANNEL_KINDS, "status": vocab.CHANNEL_STATUSES, "role": vocab.ROLES,
        "jurisdiction": vocab.JURISDICTIONS,
        "tier": {code: term for tiers in vocab.TIERS.values() for code, term in tiers.items()}}

    def term(code: Any, table: str) -> str:
        if code is None:
            return "—"
        found = tables[table].get(str(code))
        return vocab.label(found, lang) if found else str(code)

    return term


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
                datetime=lambda v: i18n.fmt_datetime(v, lang), term=_term_filter(lang), json_script=_json_script,
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
        html = self.env(lang).get_template(template).render(
            request=request, lang=lang, user=principal.user if principal else None,
            csrf=principal.csrf if principal else context.pop("csrf", ""), path=request.url.path,
            query=request.url.query, page_url=lambda after: _page_url(request, after), flash=take_flash(request),
            **context)
        response = HTMLResponse(html, status_code=http_status, headers=headers)
        clear_flash(request, response)  # shown once: not again on reload
        response.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
        return response

    def error(self, request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> HTMLResponse:
        return self.render(request, "error.html", None, http_status=status, headers=headers, status_code=status,
                           message=message)
