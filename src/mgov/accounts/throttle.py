"""The sign-in throttle: failed sign-ins in a row per user name *and* client address, with a
back-off that doubles.

Keyed on the pair (an IPv6 client by its /64: see source), an attacker guessing a password
locks out themselves, not the user: the same account from another address, and other accounts
from the attacker's address, still sign in. (A limit per address alone would lock a whole
office behind one NAT or proxy; a limit per account alone lets anyone lock any named account,
administrators included. What the pair cannot stop, guessing one account from very many
networks at once, each within its limit, is left to argon2's cost and the policy's
guessability floor: docs/security.md.)

Each attempt is charged before its password is checked, in a transaction of its own, with one
atomic UPDATE ... RETURNING: of 30 parallel attempts only the first FREE are numbered within
the limit, the rest are refused without a password check (and refunded, so they do not
lengthen the streak). A success clears the pair; a user manager can clear a user's pairs.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, delete, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError

from mgov.db import audit
from mgov.db.tables import SIGN_IN_THROTTLE, USERS

FREE = 5  # failed attempts in a row before the first back-off
FIRST_BACKOFF = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(minutes=15)
# A streak with no attempt and no lock for this long is forgotten.
QUIET = dt.timedelta(minutes=15)

T = SIGN_IN_THROTTLE


@dataclass(frozen=True)
class Admission:
    number: int  # the attempt's number in the streak
    wait: int  # seconds until the pair may try again; 0: admitted

    @property
    def admitted(self) -> bool:
        return self.wait == 0


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    return at if at is None or at.tzinfo else at.replace(tzinfo=dt.UTC)


def backoff(number: int) -> dt.timedelta:
    """The lock after the failed attempt with this number (FREE and later): 1, 2, 4 ... 15 min."""
    doubled: dt.timedelta = FIRST_BACKOFF * 2 ** min(max(number - FREE, 0), 10)
    return min(doubled, MAX_BACKOFF)


def source(client: str) -> str:
    """The address a streak is kept for: an IPv6 client's /64 (one subscriber's network, in which
    a host may take any address it likes: per address, an attacker would never run out of
    tries), an IPv4-mapped address as IPv4, anything else as given."""
    try:
        address = ipaddress.ip_address(client.strip().strip("[]"))
    except ValueError:
        return client[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _key(username: str, client: str) -> tuple[str, str]:
    return username[:120], source(client)


def _bump(conn: Connection, username: str, client: str, now: dt.datetime) -> Any:
    """Count one more attempt on the pair's row (a streak gone quiet starts again at 1); the
    row after it, or None when the pair has none yet. One statement: parallel attempts each
    get a number of their own."""
    stale = and_(T.c.updated_at < now - QUIET, or_(T.c.locked_until.is_(None), T.c.locked_until < now - QUIET))
    return conn.execute(update(T).where(T.c.username == username, T.c.client == client).values(
        failures=case((stale, 1), else_=T.c.failures + 1), allowed=case((stale, FREE), else_=T.c.allowed),
        locked_until=case((stale, null()), else_=T.c.locked_until), updated_at=now)
        .returning(T.c.failures, T.c.allowed, T.c.locked_until)).first()


def charge(conn: Connection, username: str, client: str, now: dt.datetime) -> Admission:
    """Count an attempt before its password is checked; commit before checking it."""
    username, client = _key(username, client)
    row = _bump(conn, username, client, now)
    if row is None:  # the pair's first attempt (or a parallel one makes the row first)
        try:
            with conn.begin_nested():
                conn.execute(insert(T).values(username=username, client=client, failures=0, allowed=FREE,
                                              locked_until=None, updated_at=now))
        except IntegrityError:
            pass
        row = _bump(conn, username, client, now)
    number, locked_until = int(row.failures), _aware(row.locked_until)
    if locked_until is not None and locked_until > now:
        wait = locked_until - now
    elif number > int(row.allowed):
        # Parallel attempts beyond the limit, before the ones within it have failed.
        wait = backoff(number)
    else:
        return Admission(number, 0)
    conn.execute(update(T).where(T.c.username == username, T.c.client == client).values(
        failures=case((T.c.failures > 0, T.c.failures - 1), else_=0)))
    return Admission(number, max(1, int(wait.total_seconds() + 0.999)))


def settle(conn: Connection, username: str, client: str, admission: Admission, ok: bool, now: dt.datetime) -> None:
    """After the password check: a success ends the pair's streak; a failure at or past the
    limit locks the pair for its back-off."""
    username, client = _key(username, client)
    where = (T.c.username == username, T.c.client == client)
    if ok:
        # Only the attempts charged up to this one were "in a row" before it; attempts still in
        # flight stay counted (a success cannot open the door to a burst already knocking).
        conn.execute(update(T).where(*where).values(
            failures=case((T.c.failures > admission.number, T.c.failures - admission.number), else_=0),
            allowed=FREE, locked_until=None, updated_at=now))
        conn.execute(delete(T).where(*where, T.c.failures == 0))
        return
    if admission.number >= FREE:
        conn.execute(update(T).where(*where, T.c.allowed <= admission.number).values(
            locked_until=now + backoff(admission.number), allowed=admission.number + 1, updated_at=now))


def unlock(conn: Connection, username: str) -> int:
    """Forget every streak of this user name (a user manager's way in for a locked-out user);
    the number of addresses that were throttled."""
    count = conn.execute(delete(T).where(T.c.username == username[:120])).rowcount or 0
    user = conn.execute(select(USERS.c.id, USERS.c.organization_id).where(USERS.c.username == username)).first()
    audit.record(conn, "user.unlocked", f"user:{user.id if user else username}", {"addresses": count},
                 organization_id=user.organization_id if user else None)
    return count


def locked(conn: Connection, username: str, now: dt.datetime) -> list[dict[str, object]]:
    """The addresses currently locked out of this user name, and until when."""
    rows = conn.execute(select(T.c.client, T.c.failures, T.c.locked_until)
                        .where(T.c.username == username[:120]).order_by(T.c.client))
    out: list[dict[str, object]] = []
    for r in rows:
        until = _aware(r.locked_until)
        if until is not None and until > now:
            out.append({"client": r.client, "failures": int(r.failures), "locked_until": until})
    return out
