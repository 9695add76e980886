"""Who acts: the faces say it, the audit log (mgov.db.audit) reads it.

The web tags its request's transaction with the signed-in user (`act_as`); the command line
says who acts for the command it runs (`acting`: --as / MGOV_USER, else the OS user
"os:<login>"), as may any other caller (the demo, a test). On the lowest floor, importing nothing of mgov, so every
face may say who acts without reaching for the database code.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

FACES = ("web", "api", "cli")
_OPTION = "mgov_actor"  # the execution option a request's transaction carries its actor in


@dataclass(frozen=True)
class Actor:
    """A user name (or "os:<login>" for a command-line user who gave none) and the face used."""

    name: str
    face: str = "cli"


def os_actor() -> Actor:
    try:
        login = getpass.getuser()
    except (ImportError, KeyError, OSError):  # no login name (containers): say so rather than guess
        login = "unknown"
    return Actor(f"os:{login}", "cli")


_ACTOR: ContextVar[Actor | None] = ContextVar("mgov_actor", default=None)


@contextlib.contextmanager
def acting(actor: Actor) -> Iterator[Actor]:
    """Everything recorded in this context (thread or task) is done by actor."""
    token = _ACTOR.set(actor)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)


def act_as(conn: Any, actor: Actor) -> None:
    """Tag a transaction (a SQLAlchemy Connection) with who acts in it: the option lives and
    dies with that Connection object, so a pooled connection carries nothing on."""
    conn.execution_options(**{_OPTION: actor})


def current(conn: Any = None) -> Actor:
    """Who acts: the transaction's actor, else the context's, else the OS user."""
    if conn is not None:
        tagged = conn.get_execution_options().get(_OPTION)
        if isinstance(tagged, Actor):
            return tagged
    return _ACTOR.get() or os_actor()
