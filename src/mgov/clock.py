"""mgov's clock: the time its records carry (findings, probes, crawl dates, inputs, tasks, audit).

One seam, so that a simulation can drive the real pipeline through a period day by day
(tests/quarter.py runs a quarter of daily scans in minutes): `with clock.fixed(at): ...`.
Outside it, the system clock. Facts of the wire stay real: WARC capture dates, and TLS
certificate validity, which OpenSSL checks against the system clock. The setting is
process-wide and not inherited by worker processes (`mgov scan --workers`), so a simulation
scans in one process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _fixed if _fixed is not None else dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The current date (UTC)."""
    return now().date()


@contextmanager
def fixed(at: dt.datetime) -> Iterator[None]:
    """Within the block, now() is at (naive values are taken as UTC)."""
    global _fixed
    before = _fixed
    _fixed = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    try:
        yield
    finally:
        _fixed = before
