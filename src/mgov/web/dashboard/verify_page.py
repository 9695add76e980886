"""/verify: the public page that answers whether an account, app or site is a registered
official channel (the API's answer, in the reader's language). No sign-in: whoever asks is
answered the same, so the page is cacheable (it shows no one's name, whoever reads it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mgov.errors import InvalidValue
from mgov.registry import vocab
from mgov.web import verify
from mgov.web.dashboard.render import Pages
from mgov.web.deps import Conn

router = APIRouter()
Text = Annotated[str | None, Query(max_length=2000)]


@router.get("/verify")
def verify_page(request: Request, conn: Conn, url: Text = None,
                kind: Annotated[str | None, Query(max_length=30)] = None, address: Text = None) -> Response:
    pages = Pages.of(request)
    lang = pages.lang_of(request, None)
    found, error = None, None
    if verify.asked(url, kind, address):
        try:
            found = verify.ask(request, conn, url, kind, address, lang)
        except InvalidValue as exc:
            error = str(exc)
    response = pages.render(request, "verify.html", None, http_status=422 if error else 200, found=found,
                            error=error, url=url or "", kind=kind or "", address=address or "",
                            kinds=vocab.CHANNEL_KINDS)
    response.headers["Vary"] = "Accept-Language, Cookie"
    if error or "set-cookie" in response.headers:  # a one-time message was cleared: this answer is the reader's
        response.headers["Cache-Control"] = "no-store"
        return response
    tag = verify.etag(bytes(response.body))
    headers = {"ETag": tag, "Cache-Control": verify.CACHE_CONTROL, "Vary": "Accept-Language, Cookie"}
    if verify.fresh(request, tag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
