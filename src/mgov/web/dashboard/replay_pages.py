"""Replay through mgov (docs/archive.md, "Replay"): `/replay/<collection>/<timestamp>/<url>`
checks the reader's scope and sends them on with a short-lived capability; `/replay/~<token>/
...` checks it again on every request (the page's own resources included) and forwards to pywb
on loopback (mgov.web.replay_proxy)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from mgov.accounts import users
from mgov.archive.replay_service import Endpoint, endpoint
from mgov.errors import NotFound
from mgov.web import replay_proxy
from mgov.web.dashboard.render import Pages
from mgov.web.deps import Conn, PageReader
from mgov.web.queries.archive_history import collection_in_scope, replay_mode

router = APIRouter()
PREFIX = "/replay"


def _running(request: Request) -> Endpoint | Response:
    found = endpoint(request.app.state.settings)
    if found is None:
        return Pages.of(request).error(request, 503, "replay is not running: start it with `mgov archive replay`")
    return found


def _rest(request: Request, skip: int) -> str:
    """The raw path after its first `skip` segments, with the query: pywb reads the archived
    URL as it was sent (percent escapes kept)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    parts = raw.decode("latin-1").split("/", skip + 1)
    rest = "/" + (parts[skip + 1] if len(parts) > skip + 1 else "")
    query = request.scope.get("query_string", b"").decode("latin-1")
    return rest + (f"?{query}" if query else "")


@router.get(PREFIX + "/~{token}/{collection}/{path:path}")
def replay_with_token(request: Request, token: str, collection: str, path: str, conn: Conn) -> Response:
    """A replay request under a capability (the page and everything it loads)."""
    running = _running(request)
    if isinstance(running, Response):
        return running
    if collection != replay_proxy.STATIC:  # pywb's own scripts hold no archive data
        user_id = replay_proxy.check_token(running.key, token, collection)
        user = users.load_user(conn, user_id) if user_id is not None else None
        if user is None or not user.can("read") or not collection_in_scope(conn, user.scope, collection,
                                                                          running.mode):
            raise NotFound(f"no collection {collection} to replay")
    root = request.scope.get("root_path", "")
    try:
        answer = replay_proxy.forward(running.port, running.key, _rest(request, 2), host=request.headers.get(
            "host", "localhost"), scheme=request.url.scheme, prefix=f"{root}{PREFIX}/~{token}",
            headers=dict(request.headers))
    except OSError as exc:
        return Pages.of(request).error(request, 502, f"replay did not answer: {exc}")
    return StreamingResponse(answer.body, status_code=answer.status, headers=dict(answer.headers))


@router.get(PREFIX + "/{collection}/{path:path}")
def replay(request: Request, collection: str, path: str, p: PageReader, conn: Conn) -> Response:
    """The dashboard's replay link: the reader's scope checked, then on under a capability."""
    if collection.startswith("~") or not collection_in_scope(conn, p.user.scope, collection,
                                                              replay_mode(request.app.state.settings)):
        raise NotFound(f"no collection {collection} to replay")
    running = _running(request)
    if isinstance(running, Response):
        return running
    token = replay_proxy.make_token(running.key, p.user.id, collection)
    root = request.scope.get("root_path", "")
    target = f"{root}{PREFIX}/~{quote(token)}/{collection}{_rest(request, 2)}"
    return RedirectResponse(target, status_code=303)
