"""Listening sockets, and the TLS listener that can refuse a host before the handshake.

ipv6.unreachable must look like a dead IPv6 path: the connection is reset without a byte in
reply. Over plain HTTP the handler can do that once it sees the Host header; over TLS the
handshake (and its alerts) would come first, so this listener peeks at the ClientHello,
reads the SNI without consuming anything, and either resets the connection or hands the
untouched socket to asyncio's TLS server (loop.connect_accepted_socket). It serves ::1, and
127.0.0.1 too on a hostile network (a site's first connection reset, hostile.FirstContact).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import ssl
import struct
from collections.abc import Callable
from typing import Any

BACKLOG = 4096
PEEK_BYTES = 16 * 1024 + 5  # one TLS record
HELLO_TIMEOUT = 10.0  # seconds a client may take to send its ClientHello


def bind_pair(port: int, v6: bool) -> tuple[socket.socket, socket.socket | None]:
    """TCP sockets on 127.0.0.1 and ::1 listening on the same port (ephemeral when 0)."""
    for _ in range(100):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s4.bind(("127.0.0.1", port))
        chosen = s4.getsockname()[1]
        s6 = None
        if v6:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s6.bind(("::1", chosen))
            except OSError as e:
                s4.close()
                s6.close()
                # The ephemeral port is taken on ::1: try another; a given port is an error.
                if port or e.errno != errno.EADDRINUSE:
                    raise
                continue
        for s in (s4, s6):
            if s is not None:
                s.listen(BACKLOG)
                s.setblocking(False)
        return s4, s6
    raise OSError(errno.EADDRINUSE, "no port free on both 127.0.0.1 and ::1")


def bind_one(address: str, port: int) -> socket.socket:
    """A listening TCP socket on one IPv4 address (127.0.0.2 for the HTTP-only sites)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, port))
        s.listen(BACKLOG)
        s.setblocking(False)
    except OSError:
        s.close()
        raise
    return s


def parse_sni(data: bytes) -> tuple[bool, str | None]:
    """(complete, server name) from the start of a TLS stream; complete=False: need more."""
    if len(data) < 5:
        return False, None
    if data[0] != 0x16:  # not a handshake record: let the TLS server fail it
        return True, None
    end = 5 + int.from_bytes(data[3:5], "big")
    if len(data) < end:
        return False, None
    hello = data[5:end]
    try:
        if hello[0] != 1:  # not a ClientHello
            return True, None
        p = 4 + 2 + 32  # handshake header, version, random
        p += 1 + hello[p]  # session id
        p += 2 + int.from_bytes(hello[p:p + 2], "big")  # cipher suites
        p += 1 + hello[p]  # compression methods
        stop = min(len(hello), p + 2 + int.from_bytes(hello[p:p + 2], "big"))
        p += 2
        while p + 4 <= stop:
            kind, size = struct.unpack_from(">HH", hello, p)
            p += 4
            if kind == 0:  # server_name: list length, then (type, length, name)...
                q, last = p + 2, p + size
                while q + 3 <= last:
                    ntype, nlen = hello[q], int.from_bytes(hello[q + 1:q + 3], "big")
                    if ntype == 0:
                        return True, hello[q + 3:q + 3 + nlen].decode("ascii", "replace").lower()
                    q += 3 + nlen
                return True, None
            p += size
    except IndexError:
        pass
    return True, None


def reset_socket(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class PeekingTlsListener:
    """Accepts TLS connections, refusing (RST) those whose SNI `blocked` names."""

    def __init__(self, sock: socket.socket, ctx: ssl.SSLContext, factory: Callable[[], Any],
                 blocked: Callable[[str | None], bool]) -> None:
        self.sock, self.ctx, self.factory, self.blocked = sock, ctx, factory, blocked
        self.loop = asyncio.get_running_loop()
        self.pending: dict[socket.socket, asyncio.TimerHandle] = {}
        self.tasks: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        self.loop.add_reader(self.sock.fileno(), self._accept)

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        for conn in list(self.pending):
            self._forget(conn)
            conn.close()
        for t in self.tasks:
            t.cancel()

    def _accept(self) -> None:
        for _ in range(128):
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. out of file descriptors: try again on the next event
                return
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.pending[conn] = self.loop.call_later(HELLO_TIMEOUT, self._expire, conn)
            self.loop.add_reader(conn.fileno(), self._peek, conn)

    def _forget(self, conn: socket.socket) -> None:
        timer = self.pending.pop(conn, None)
        if timer is not None:
            timer.cancel()
        with contextlib.suppress(ValueError, OSError):
            self.loop.remove_reader(conn.fileno())

    def _expire(self, conn: socket.socket) -> None:
        self._forget(conn)
        conn.close()

    def _peek(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(PEEK_BYTES, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._expire(conn)
            return
        complete, name = parse_sni(data)
        if not complete:
            # The rest of the ClientHello is in flight. The reader is level-triggered and
            # the peeked bytes stay unread, so stop watching for a moment instead of spinning.
            self.loop.remove_reader(conn.fileno())
            self.loop.call_later(0.005, self._rewatch, conn)
            return
        self._forget(conn)
        if self.blocked(name):
            reset_socket(conn)
            return
        task = self.loop.create_task(self._serve(conn))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _rewatch(self, conn: socket.socket) -> None:
        if conn in self.pending and conn.fileno() >= 0:
            self.loop.add_reader(conn.fileno(), self._peek, conn)

    async def _serve(self, conn: socket.socket) -> None:
        # A failed handshake is the client's business (and a defect may cause it on purpose).
        with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError, ConnectionError):
            await self.loop.connect_accepted_socket(self.factory, conn, ssl=self.ctx,
                                                    ssl_handshake_timeout=HELLO_TIMEOUT)
