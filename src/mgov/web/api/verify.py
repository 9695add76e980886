"""GET /api/v1/verify: is an account, app or site a registered official channel? Public: no
sign-in, no scope; rate-limited per client; cacheable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from mgov.web import verify
from mgov.web.deps import Conn

router = APIRouter(tags=["verify"])


@router.get("/verify", responses={200: {"description": "The public facts of the channel, or registered: false"},
                                  304: {"description": "Not modified (If-None-Match)"},
                                  429: {"description": "Too many requests from this address: see Retry-After"}})
def verify_channel(request: Request, conn: Conn,
                   url: Annotated[str | None, Query(max_length=2000, description=(
                       "A link to the account, app or site: https://m.weibo.cn/u/123, weibo.com/123, "
                       "an mp.weixin.qq.com URL with __biz, an app store page, a page of a site."))] = None,
                   kind: Annotated[str | None, Query(max_length=30, description="Or: a channel kind ...")] = None,
                   address: Annotated[str | None, Query(max_length=2000, description="... and its address.")] = None,
                   lang: Annotated[str | None, Query(pattern="^(zh|en)$", description=(
                       "The organization's name in this language (default: its own)."))] = None) -> Response:
    """Whether the channel is registered and official, of which organization, since when and,
    if closed, when: `registered`, `official`, `kind`, `address`, `name`, `organization`,
    `status`, `since`, `closed_on`, and nothing else. No sign-in; at most `[web]
    verify_per_minute` answers per client and minute (429 with Retry-After past it); answers
    carry Cache-Control and an ETag (If-None-Match: 304)."""
    found = verify.ask(request, conn, url, kind, address, lang)
    response = JSONResponse(found)
    tag = verify.etag(bytes(response.body))
    headers = {"ETag": tag, "Cache-Control": verify.CACHE_CONTROL}
    if verify.fresh(request, tag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
