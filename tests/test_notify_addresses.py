"""Webhook targets meet one address rule, at registration and at send time: loopback in every
spelling the system's resolver reads (0x7f000001, 2130706433, 127.1, 0177.0.0.1, [::1],
::ffff:127.0.0.1), private, link-local and unspecified addresses, and names that resolve to any
of them are refused when the target is added, through the API as through the library; the
delivery log says "refused: not a public address" and never what a name resolved to; the
allow_private switch still lets loopback targets in (the demo and the tests use it)."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from mgov.act.notify import add_target, run_notifications
from mgov.act.notify_send import NOT_PUBLIC, refused_destination
from mgov.collect.routing import blocked_reason
from mgov.config import Settings
from mgov.db.tables import NOTIFICATIONS_SENT
from mgov.errors import InvalidValue
from webworld import build_world

LOOPBACK_SPELLINGS = ["0x7f000001", "2130706433", "127.1", "0177.0.0.1", "017700000001", "0x7f.1", "127.0.0.1",
                      "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:0:0:1]"]
UNSPECIFIED = "0.0.0.0"  # noqa: S104 - a webhook target that must be refused, not an address bound
NOT_PUBLIC_HOSTS = [*LOOPBACK_SPELLINGS, "10.0.0.8", "0xa000008", "172.16.0.1", "192.168.1.1", "100.64.0.1",
                    "169.254.169.254", "[fe80::1]", "[fd00::1]", UNSPECIFIED, "0", "localhost", "LocalHost.",
                    "api.localhost", "[::ffff:10.0.0.1]"]


def _own_name() -> str | None:
    """This machine's name, when it resolves to a non-public address (/etc/hosts usually says
    127.0.1.1 or the container's private address): a name that resolves to the refused."""
    name = socket.gethostname()
    try:
        found = {i[4][0] for i in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
    except OSError:
        return None
    return name if found and all(blocked_reason(ipaddress.ip_address(a.split("%")[0])) for a in found) else None


@pytest.mark.parametrize("host", NOT_PUBLIC_HOSTS)
def test_every_spelling_of_a_non_public_host_is_refused_at_registration(engine, host):
    url = f"http://{host}:8080/hook"
    assert refused_destination(url, allow_private=False) == NOT_PUBLIC
    with engine.begin() as conn, pytest.raises(InvalidValue, match=r"not a public address.*allow_private") as caught:
        add_target(conn, org_code=None, kind="webhook", address=url)
    assert "127.0.0.1" not in str(caught.value).replace(url, "")  # says nothing of what it resolved to
    assert refused_destination(url, allow_private=True) is None  # the explicit switch


def test_a_name_that_resolves_to_a_private_address_is_refused(engine):
    name = _own_name()
    if name is None:
        pytest.skip("this machine's name resolves to no private or loopback address")
    with engine.begin() as conn, pytest.raises(InvalidValue, match="not a public address") as caught:
        add_target(conn, org_code=None, kind="webhook", address=f"https://{name}/hook")
    resolved = {i[4][0] for i in socket.getaddrinfo(name, 443)}
    assert not any(a in str(caught.value) for a in resolved)


def test_public_and_not_yet_resolvable_targets_are_accepted(engine):
    with engine.begin() as conn:
        for url in ("https://93.184.215.14/hook", "https://[2606:4700::6810:84e5]/hook",
                    "https://hooks.example.gov/mgov"):  # the last resolves nowhere here: checked at each send
            assert add_target(conn, org_code=None, kind="webhook", address=url)["address"] == url


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_delivery_log_says_refused_not_where_a_name_led(engine, receiver):
    spellings = [f"http://{host}:{receiver}/{n}" for n, host in
                 enumerate(["0x7f000001", "2130706433", "127.1", "localhost", _own_name() or "127.0.0.1"])]
    with engine.begin() as conn:
        targets = [add_target(conn, org_code=None, kind="webhook", address=url, events=["digest"],
                              allow_private=True) for url in spellings]
    out = run_notifications(engine, Settings(allow_private=False, lang="en"), digest=True)
    assert out["failed"] == len(targets) and _Receiver.received == []
    with engine.connect() as conn:
        errors = [r.detail["error"] for r in conn.execute(select(NOTIFICATIONS_SENT).order_by(NOTIFICATIONS_SENT.c.id))]
    assert errors == [f"refused: {NOT_PUBLIC}"] * len(targets)
    # The switch: the same targets are delivered to when allowed.
    assert run_notifications(engine, Settings(allow_private=True, lang="en"), digest=True)["sent"] == len(targets)
    assert sorted(_Receiver.received) == sorted(f"/{n}" for n in range(len(targets)))


def test_the_api_refuses_them_too(engine, tmp_path):
    world = build_world(engine, tmp_path)
    sup = world.client("supervisor")
    for host in ("0x7f000001", "2130706433", "127.1", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "10.1.2.3",
                 "169.254.169.254", "localhost"):
        answer = sup.api("POST", "/api/v1/notification-targets", json={
            "kind": "webhook", "address": f"http://{host}/hook", "organization": "cn-440300"})
        assert answer.status_code == 422, (host, answer.text)
        message = answer.json()["error"]["message"]
        assert NOT_PUBLIC in message and "127.0.0.1" not in message.replace(f"http://{host}/hook", ""), message
    assert sup.api("GET", "/api/v1/notification-targets").json()["items"] == []
