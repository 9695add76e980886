"""Signing in under attack: the throttle holds under 30 parallel attempts on a real server,
locks out the attacker's address and not the user, backs off, and a user manager can unlock;
X-Forwarded-For and -Proto count only from trusted proxies; Secure cookies over HTTPS."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import Counter

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mgov import clock
from mgov.accounts import throttle
from mgov.db.tables import LOGIN_ATTEMPTS
from mgov.web.proxy import forwarded_client, parse_networks
from webserver import Server
from webworld import PASSWORD, Browser, build_world

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
ATTACKER, USER_HOME, PROXY = "203.0.113.9", "198.51.100.7", "127.0.0.1"


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def _from(world, address: str) -> Browser:
    """A browser whose TCP peer is address (the TestClient's client)."""
    return Browser(TestClient(world.app(), follow_redirects=False, client=(address, 50000)))


def _sign_in(http: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    page = http.get("/login", headers=headers)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return http.post("/login", data={"username": username, "password": password, "csrf": token, "next": "/"},
                     headers=headers)


def _parallel_sign_ins(world, passwords: list[str], last_delay: float = 0.0) -> list[int]:
    """Sign in as a_staff with each password at once (the last one last_delay later), each over
    its own connection to a real server; the answers' status codes."""
    server = Server(world.app())
    server.start()
    # A long timeout: on a busy machine 30 argon2 checks queue for the two cores.
    clients = [httpx.Client(base_url=server.url, follow_redirects=False, trust_env=False, timeout=120)
               for _ in passwords]
    try:
        tokens = [re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1) for c in clients]
        barrier = threading.Barrier(len(passwords))
        codes = [0] * len(passwords)

        def attempt(i: int) -> None:
            barrier.wait()
            if i == len(passwords) - 1:
                time.sleep(last_delay)
            codes[i] = clients[i].post("/login", data={"username": "a_staff", "password": passwords[i],
                                                       "csrf": tokens[i], "next": "/"}).status_code

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(passwords))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    finally:
        for c in clients:
            c.close()
        server.stop()
    return codes


def test_thirty_parallel_wrong_passwords_get_no_more_checks_than_the_limit(world):
    """Against a real server: the limit (5 failures in a row) holds for 30 attempts at once."""
    codes = _parallel_sign_ins(world, [f"wrong password {i}" for i in range(30)])
    seen = Counter(codes)
    assert set(seen) == {401, 429} and seen[401] == throttle.FREE, seen
    with world.engine.connect() as conn:
        logged = conn.execute(select(func.count()).select_from(LOGIN_ATTEMPTS)
                              .where(LOGIN_ATTEMPTS.c.username == "a_staff")).scalar_one()
    assert logged == 30  # every attempt is on record, refused ones too


def test_the_right_password_after_29_parallel_wrong_ones_is_refused(world):
    """The finding: 29 wrong passwords and the right one last, all at once, gave 401 x29 and
    303 x1 against a limit of 5."""
    codes = _parallel_sign_ins(world, [f"wrong password {i}" for i in range(29)] + [PASSWORD], last_delay=0.3)
    seen = Counter(codes[:-1])
    assert seen[401] <= throttle.FREE and seen[401] + seen[429] == 29, seen
    assert codes[-1] == 429


def test_the_attacker_locks_out_their_own_address_not_the_user_and_backs_off(world):
    with clock.fixed(START):
        attacker = _from(world, ATTACKER)
        for _ in range(5):
            assert attacker.login("a_staff", "wrong password").status_code == 401
        refused = attacker.login("a_staff", PASSWORD)  # the right password, from the attacker's address
        assert refused.status_code == 429 and 55 <= int(refused.headers["retry-after"]) <= 61
        # The user, from their own address, is not locked out; nor are others from the attacker's.
        assert _from(world, USER_HOME).login("a_staff", PASSWORD).status_code == 303
        assert _from(world, ATTACKER).login("b_staff", PASSWORD).status_code == 303
        # Many names failed from one address (one office's NAT) lock out none of the others.
        for name in [f"nobody{i}" for i in range(25)]:
            assert _from(world, ATTACKER).login(name, "wrong password").status_code == 401
        assert _from(world, ATTACKER).login("a_admin", PASSWORD).status_code == 303
    # The back-off doubles: after a minute one more try, then two minutes.
    with clock.fixed(START + dt.timedelta(seconds=61)):
        assert _from(world, ATTACKER).login("a_staff", "wrong again").status_code == 401
        again = _from(world, ATTACKER).login("a_staff", PASSWORD)
        assert again.status_code == 429 and 115 <= int(again.headers["retry-after"]) <= 121
    with clock.fixed(START + dt.timedelta(seconds=61 + 121)):
        assert _from(world, ATTACKER).login("a_staff", PASSWORD).status_code == 303  # a success clears
        assert _from(world, ATTACKER).login("a_staff", "wrong").status_code == 401
        assert _from(world, ATTACKER).login("a_staff", PASSWORD).status_code == 303


def test_an_ipv6_attacker_cannot_step_to_the_next_address_of_its_network(world):
    """Any address of a /64 is the same source (a host picks its own there); the next network
    is another source, and an IPv4-mapped address is its IPv4 address."""
    with clock.fixed(START):
        for i in range(5):
            assert _from(world, f"2001:db8:1:2::{i + 10:x}").login("a_staff", "wrong password").status_code == 401
        assert _from(world, "2001:db8:1:2:ffff::1").login("a_staff", PASSWORD).status_code == 429
        assert _from(world, "2001:db8:1:3::1").login("a_staff", PASSWORD).status_code == 303
        for _ in range(5):
            assert _from(world, ATTACKER).login("b_staff", "wrong password").status_code == 401
        assert _from(world, f"::ffff:{ATTACKER}").login("b_staff", PASSWORD).status_code == 429


def test_a_user_manager_unlocks_a_locked_out_user(world, cli):
    with clock.fixed(START):
        for _ in range(6):
            _from(world, USER_HOME).login("a_staff", "wrong password")
        assert _from(world, USER_HOME).login("a_staff", PASSWORD).status_code == 429
        with world.engine.connect() as conn:
            assert [r["client"] for r in throttle.locked(conn, "a_staff", clock.now())] == [USER_HOME]
        admin = world.client("a_admin")
        staff_id = next(u["id"] for u in admin.api("GET", "/api/v1/users").json()["items"]
                        if u["username"] == "a_staff")
        # Another agency's manager cannot (and does not learn the user exists).
        assert world.client("b_admin").api("POST", f"/api/v1/users/{staff_id}/unlock").status_code == 404
        unlocked = admin.api("POST", f"/api/v1/users/{staff_id}/unlock")
        assert unlocked.status_code == 200 and unlocked.json()["unlocked"] == 1
        assert _from(world, USER_HOME).login("a_staff", PASSWORD).status_code == 303
        # The dashboard's button and the command line do the same.
        for _ in range(6):
            _from(world, USER_HOME).login("a_staff", "wrong password")
        assert admin.post_form(f"/users/{staff_id}/unlock").status_code == 303
        assert _from(world, USER_HOME).login("a_staff", PASSWORD).status_code == 303
        for _ in range(6):
            _from(world, USER_HOME).login("a_staff", "wrong password")
        assert "1 address" in cli("user", "unlock", "a_staff").output
        assert _from(world, USER_HOME).login("a_staff", PASSWORD).status_code == 303
        assert cli("user", "unlock", "no.such.user", code=None).exit_code != 0


def test_forwarded_headers_count_only_from_trusted_proxies(world):
    with clock.fixed(START):
        # Straight from a client: X-Forwarded-For is its own claim, ignored; it is throttled
        # by its real address whatever it sends.
        for _ in range(5):
            assert _from(world, ATTACKER).login("a_staff", "wrong password").status_code == 401
        spoofed = _from(world, ATTACKER)
        spoofed.http.headers["X-Forwarded-For"] = "192.0.2.77"
        assert spoofed.login("a_staff", PASSWORD).status_code == 429
        # Through a trusted proxy, each client is itself.
        world.settings.web.trusted_proxies = [PROXY]
        via_proxy = _from(world, PROXY)
        via_proxy.http.headers["X-Forwarded-For"] = f"{ATTACKER}, {PROXY}"  # a second hop, also trusted
        assert via_proxy.login("a_staff", PASSWORD).status_code == 429  # the attacker, seen through the proxy
        user = _from(world, PROXY)
        user.http.headers["X-Forwarded-For"] = USER_HOME
        assert user.login("a_staff", PASSWORD).status_code == 303
        # A client's made-up hop to the left of what the proxy saw changes nothing.
        liar = _from(world, PROXY)
        liar.http.headers["X-Forwarded-For"] = f"{USER_HOME}, {ATTACKER}"
        assert liar.login("a_staff", PASSWORD).status_code == 429


def test_forwarded_hops_with_ports_are_one_client():
    """Some proxies append the client's port; ports differ per connection, so each hop is read
    as its address alone (else every attempt would be a new client to the throttle)."""
    networks = parse_networks([PROXY])
    for hop, client in (("203.0.113.9:50123", ATTACKER), ("[2001:db8::7]:443", "2001:db8::7"),
                        ("2001:db8::7", "2001:db8::7"), (ATTACKER, ATTACKER)):
        assert forwarded_client(PROXY, f"{hop}, {PROXY}:8080", networks) == client


def _cookies_set(browser: Browser, **headers: str) -> dict[str, str]:
    """Sign in as a_staff, passing the login page's CSRF cookie by hand (a client on plain
    http keeps back a Secure cookie, as it should); the Set-Cookie lines by cookie name."""
    page = browser.http.get("/login", headers=headers)
    sets = {v.split("=", 1)[0]: v for k, v in page.headers.multi_items() if k == "set-cookie"}
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    browser.http.cookies.clear()
    answer = browser.http.post("/login", data={"username": "a_staff", "password": PASSWORD, "csrf": csrf,
                                               "next": "/"}, headers={**headers, "Cookie": f"mgov_login_csrf={csrf}"})
    assert answer.status_code == 303
    for k, v in answer.headers.multi_items():
        if k == "set-cookie":
            sets.setdefault(v.split("=", 1)[0], v)
    return sets


def _secure(line: str) -> bool:
    return "secure" in [part.strip().lower() for part in line.split(";")]


def test_secure_cookies_over_https_through_a_trusted_proxy_only(world):
    https = {"X-Forwarded-Proto": "https"}
    untrusted = _cookies_set(_from(world, PROXY), **https)  # no proxy is trusted yet
    assert not _secure(untrusted["mgov_session"]) and not _secure(untrusted["mgov_login_csrf"])
    world.settings.web.trusted_proxies = ["127.0.0.0/8"]
    proxied = _cookies_set(_from(world, PROXY), **https)
    assert _secure(proxied["mgov_session"]) and _secure(proxied["mgov_login_csrf"])
    assert not _secure(_cookies_set(_from(world, PROXY))["mgov_session"])  # the proxy says http
    assert not _secure(_cookies_set(_from(world, ATTACKER), **https)["mgov_session"])  # not the proxy


def test_mgov_serve_over_tls_sets_secure_cookies(db_url, tmp_path):
    """`mgov serve --ssl-certfile --ssl-keyfile`, for real: HTTPS, and Secure cookies."""
    import os
    import socket
    import ssl
    import subprocess
    import sys

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MGOV_DATABASE_URL": db_url, "MGOV_HOME": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "mgov", "serve", "--port", str(port), "--log-level", "warning",
                               "--ssl-certfile", str(cert_file), "--ssl-keyfile", str(key_file)],
                              env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with ca.cert_pem.tempfile() as ca_file, httpx.Client(
                verify=ssl.create_default_context(cafile=ca_file), trust_env=False) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    page = http.get(f"https://127.0.0.1:{port}/login")
                    break
                except httpx.TransportError:
                    assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()
                    time.sleep(0.2)
        assert page.status_code == 200
        assert _secure(page.headers["set-cookie"])
    finally:
        server.terminate()
        server.wait(15)
    half = subprocess.run([sys.executable, "-m", "mgov", "serve", "--ssl-certfile", str(cert_file)], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert half.returncode != 0 and "--ssl-keyfile" in half.stdout + half.stderr
