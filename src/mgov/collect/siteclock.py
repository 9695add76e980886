"""How long a site kept its crawl waiting: the clock of a crawl's time budget.

A crawl's wall clock counts mgov's own delays with the site's: on a busy machine (other
processes on the cores, other sites' pages parsed on the same event loop, pages queued for
the analysis process) the same site takes twice as long to read, and a wall-clock budget
then cut it at fewer pages: verdicts changed with the machine's load. The site clock runs
only while the site owes the crawl an answer (one of its requests in flight, from the moment
it holds its connection slots to its body's last byte) and mgov is there to see it come:
the time mgov's event loop could not run (`collect.lag`) is left out, since the answer may
have come meanwhile. A site is never charged for mgov's delays, only for what mgov saw it
take; slots, the analysis process and the loop between two requests are not its time.

So the clock gives the site the benefit of the doubt: it never runs faster on a busy
machine than on an idle one, so a busy machine never cuts a crawl an idle one reads whole. A
site answering in milliseconds spends a small part of its budget on any machine; one that
takes seconds per answer, or never answers, spends it, and is cut. Such a slow site is read
further on a busy machine (its waits overlap mgov's lateness, which is left out: twice as far
or more when the loop is late most of the time), never less far.

The client charges every exchange made where `SITE_CLOCK` is set: the crawl's workers and
the tasks they start (robots.txt, link checks). A link check another crawl started, that
this one only waits for, is the other crawl's.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

from mgov.collect.lag import LoopLag


class SiteClock:
    def __init__(self, lag: LoopLag) -> None:
        """lag: the client's, on the loop the requests run on."""
        self.lag = lag
        self.requests = 0  # requests charged
        self._open = 0  # requests in flight
        self._spent = 0.0  # seconds of the waits that ended
        self._since = 0.0  # when the wait in progress began (perf_counter), ...
        self._late = 0.0  # ... the loop's lateness by then (LoopLag.total), ...
        self._end = 0.0  # ... and its last answer so far

    def start(self) -> None:
        """A request begins (its slots held)."""
        if self._open == 0:
            self._since = self._end = time.perf_counter()
            self._late = self.lag.total
        self._open += 1

    def stop(self, at: float | None = None) -> None:
        """A request ended: its body's last byte came at `at` (perf_counter), or now (it failed)."""
        self._open -= 1
        self.requests += 1
        self._end = max(self._end, time.perf_counter() if at is None else at)
        if self._open == 0:
            self._spent += self._waited(self._end)

    def seconds(self) -> float:
        """The site's time so far, the wait in progress included."""
        return self._spent + (self._waited(time.perf_counter()) if self._open else 0.0)

    def _waited(self, end: float) -> float:
        # The loop's lateness as a running total: a look costs nothing, however long the wait.
        return max(0.0, end - self._since - (self.lag.total - self._late))


SITE_CLOCK: ContextVar[SiteClock | None] = ContextVar("mgov_site_clock", default=None)


@contextlib.contextmanager
def charging(clock: SiteClock) -> Iterator[None]:
    """Requests made inside (tasks started inside included) are charged to clock."""
    token = SITE_CLOCK.set(clock)
    try:
        yield
    finally:
        SITE_CLOCK.reset(token)
