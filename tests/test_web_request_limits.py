"""Request body limits on a real uvicorn server on loopback: a 10.9 MB PATCH of 100,000 channel
attributes is refused with 413 before its body is read, a chunked body is cut off as soon as it
passes the limit, and in both cases nothing is stored; normal bodies pass, a route declaring a
larger limit takes more; a channel carries at most 50 attributes; an audit entry keeps at most
MAX_DETAIL characters of a change."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import Request
from sqlalchemy import func, select

from mgov.accounts import access
from mgov.act.audit_log import MAX_DETAIL, bounded
from mgov.db.tables import AUDIT_LOG, CHANNELS, USERS
from mgov.web.body_limit import DEFAULT_LIMIT, MiB, body_limit
from webserver import Server
from webworld import Browser, build_world

# 100,000 attributes of ~100 bytes each: the finding's 10.9 MB PATCH.
HUGE = {"attributes": {f"k{i:06d}": "x" * 96 for i in range(100_000)}}


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


async def _upload_probe(request: Request) -> dict[str, Any]:
    """Stands for an upload route: reads what the middleware lets through."""
    return {"bytes": len(await request.body())}


@pytest.fixture
def served(world) -> Iterator[Server]:
    app = world.app()
    # A route declaring a larger limit next to itself, as an upload route would.
    app.add_api_route("/api/v1/_upload_probe", body_limit(4 * MiB)(_upload_probe), methods=["POST"])
    server = Server(app)
    server.start()
    yield server
    server.stop()


def _token(world, username: str) -> dict[str, str]:
    with world.engine.begin() as conn:
        user_id = conn.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar_one()
        token, _row = access.create_token(conn, user_id, "limits")
    return {"Authorization": f"Bearer {token}"}


def _stored(world) -> tuple[Any, int]:
    with world.engine.connect() as conn:
        attributes = conn.execute(select(CHANNELS.c.attributes).where(CHANNELS.c.id == world.ids["channel_a"])
                                  ).scalar_one()
        return attributes, conn.execute(select(func.count()).select_from(AUDIT_LOG)).scalar_one()


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text[:300]
    error = answer.json()["error"]
    assert error["status"] == 413 and error["type"] == "PayloadTooLarge" and "1 MiB" in error["message"]
    assert answer.headers["x-content-type-options"] == "nosniff"  # the usual headers on the refusal too


def test_a_huge_patch_is_refused_before_it_is_read_and_nothing_is_stored(world, served):
    body = json.dumps(HUGE).encode()
    assert len(body) > 10_800_000
    url = f"{served.url}/api/v1/channels/{world.ids['channel_a']}"
    token = _token(world, "a_admin")  # made before counting: a token's creation is in the audit log too
    before = _stored(world)
    _refused(httpx.patch(url, content=body, headers={**token, "Content-Type": "application/json"},
                         timeout=60))
    assert _stored(world) == before
    # Refused on the declared length alone: the answer comes while not a byte of the body was sent.
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        head = (f"PATCH /api/v1/channels/{world.ids['channel_a']} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {token['Authorization']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        sock.sendall(head.encode())
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413 ") and '"PayloadTooLarge"' in answer
    assert _stored(world) == before


def test_a_chunked_body_is_cut_off_at_the_limit(world, served):
    def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start:start + size]

    body = json.dumps(HUGE).encode()
    url = f"{served.url}/api/v1/channels/{world.ids['channel_a']}"
    token = _token(world, "a_admin")  # made before counting: a token's creation is in the audit log too
    before = _stored(world)
    answer = httpx.patch(url, content=chunks(body), timeout=60,
                         headers={**token, "Content-Type": "application/json"})
    assert "content-length" not in answer.request.headers and answer.request.headers["transfer-encoding"] == "chunked"
    _refused(answer)
    assert _stored(world) == before

    # The dashboard: a signed-in form post, chunked, gets the error page in the user's language.
    browser = Browser(httpx.Client(base_url=served.url, follow_redirects=False, timeout=60))
    assert browser.login("a_admin").status_code == 303
    form = f"csrf={browser.csrf}&name={'y' * (2 * MiB)}".encode()
    page = browser.http.post(f"/channels/{world.ids['channel_a']}/edit", content=chunks(form),
                             headers={"Content-Type": "application/x-www-form-urlencoded",
                                      "Accept-Language": "zh-CN"})
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]
    assert "内容过大" in page.text and "1 MiB" in page.text
    assert _stored(world) == before


def test_normal_bodies_pass_and_an_upload_route_takes_more(world, served):
    token = _token(world, "a_admin")
    url = f"{served.url}/api/v1/channels/{world.ids['channel_a']}"
    fifty = {f"fact{i}": str(i) for i in range(50)}
    edited = httpx.patch(url, json={"attributes": {**fifty, "site_code": "4403000001"}}, headers=token, timeout=10)
    assert edited.status_code == 422  # 51 attributes: more than a channel carries
    edited = httpx.patch(url, json={"attributes": fifty, "name": "深圳政府在线"}, headers=token, timeout=10)
    assert edited.status_code == 200, edited.text
    assert _stored(world)[0] == fifty  # committed before the answer went out (deps.connection)
    assert httpx.patch(url, json={"attributes": {"k" * 101: "v"}}, headers=token, timeout=10).status_code == 422
    # A dashboard form the ordinary size.
    browser = Browser(httpx.Client(base_url=served.url, follow_redirects=False, timeout=30))
    browser.login("a_admin")
    saved = browser.post_form(f"/channels/{world.ids['channel_a']}/edit", {"name": "深圳政府在线（新）"})
    assert saved.status_code == 303
    # Under a route's own larger limit: 3 MiB passes there, 5 MiB does not, by length or chunked.
    probe = f"{served.url}/api/v1/_upload_probe"
    assert httpx.post(probe, content=b"a" * (3 * MiB), timeout=30).json() == {"bytes": 3 * MiB}
    assert httpx.post(probe, content=b"a" * (5 * MiB), timeout=30).status_code == 413
    assert httpx.post(probe, content=iter([b"a" * MiB] * 5), timeout=30).status_code == 413
    # ... and elsewhere the default still holds.
    assert httpx.post(f"{served.url}/api/v1/people", content=b"a" * (DEFAULT_LIMIT + 1), headers=token,
                      timeout=30).status_code == 413


def test_an_audit_entry_keeps_a_bounded_detail(world, served):
    token = _token(world, "a_admin")
    url = f"{served.url}/api/v1/channels/{world.ids['channel_a']}"
    wide = {f"fact{i}": "长" * 2000 for i in range(50)}  # within every cap: 50 attributes of 2,000 characters
    assert httpx.patch(url, json={"attributes": wide}, headers=token, timeout=10).status_code == 200

    def newest() -> Any:
        with world.engine.connect() as conn:
            found = conn.execute(select(AUDIT_LOG.c.detail).order_by(AUDIT_LOG.c.id.desc()).limit(1)).scalar_one()
        return found if "attributes" in found.get("changes", {}) else None

    entry = newest()
    assert len(json.dumps(entry, ensure_ascii=False)) <= MAX_DETAIL
    assert entry["_truncated"]["characters"] > 100_000
    before, after = entry["changes"]["attributes"]  # the change, before and after
    assert before == {}
    assert len(after) == 21 and after["…"] == "30 more"
    assert re.fullmatch("长{500}… \\(2000 characters\\)", after["fact0"])
    # Small details are kept whole; one that even shortened is too large keeps its field names.
    assert bounded({"status": "suspended"}) == {"status": "suspended"}
    many = bounded({f"field{i}": ["x" * 1000] * 100 for i in range(50)})
    assert set(many) == {"_truncated"} and many["_truncated"]["fields"][:2] == ["field0", "field1"]
