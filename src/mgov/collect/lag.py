"""How late mgov's own event loop runs, so that timings of the sites leave it out.

A scan is many coroutines on one loop; when the machine is busy (another process, a page
being parsed, the scanner's own Python) a coroutine resumes late, and a stopwatch around
an exchange would charge the site for mgov's delay. A monitor task sleeps a short period
over and over and records by how much each wake-up overshot: the intervals in which the
loop could not run. Lateness while the exchange waits for the site costs nothing (the site
was not answering anyway); lateness when the answer came delays the stopwatch: so an
exchange's time is its stopwatch time less the stall it resumed from (`stall_before`), and
its total lateness (`late_between`) tells whether the timing is too rough to judge on.

A stall the monitor has not yet woken from counts too (`_pending`): when the loop resumes,
the callback that finishes an exchange may run before the monitor's, and on a busy machine
the process may even be descheduled between the two; so a sample is read as "stuck from
woke - late", and its end is whichever came first, the monitor's wake-up or the mark read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

PERIOD = 0.01  # seconds between wake-ups of the monitor
NOISE = 0.002  # overshoot below this is the timer's own jitter
KEEP = 120.0  # seconds of history kept


class LoopLag:
    """Started on the loop it measures; `late_between` works in time.perf_counter() units."""

    def __init__(self) -> None:
        self._samples: deque[tuple[float, float]] = deque()  # (woke at, overshoot)
        self._task: asyncio.Task[None] | None = None
        self._due: float | None = None  # when the monitor should next wake
        self.worst = 0.0
        self.total = 0.0  # seconds late in all, a running sum (collect.siteclock reads it: a look costs nothing)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._watch(), name="mgov-loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            self._due = before + PERIOD
            await asyncio.sleep(PERIOD)
            now = time.perf_counter()
            self._due = None
            late = now - before - PERIOD
            if late > NOISE:
                self._samples.append((now, late))
                self.worst = max(self.worst, late)
                self.total += late
                while self._samples and self._samples[0][0] < now - KEEP:
                    self._samples.popleft()

    def _pending(self) -> list[tuple[float, float]]:
        """The samples, newest last, and the stall in progress if the monitor is overdue."""
        samples = list(self._samples)
        if self._due is not None:
            now = time.perf_counter()
            if now - self._due > NOISE:
                samples.append((now, now - self._due))
        return samples

    def late_between(self, start: float, end: float) -> float:
        """Seconds of [start, end] during which the loop could not run (a sample woke at w
        after being stuck since w - late)."""
        total = 0.0
        for woke, late in reversed(self._pending()):
            if woke - late >= end:
                continue
            if woke <= start:
                break
            total += max(0.0, min(woke, end) - max(woke - late, start))
        return total

    def stall_before(self, at: float) -> float:
        """How long the loop had been stuck when it resumed at `at`: an event that came
        during that stall was seen that much late (at most). The loop ran at `at` (a
        coroutine read the clock), so a stall that the monitor saw end later ended by then."""
        for woke, late in reversed(self._pending()):
            stuck_from = woke - late
            if stuck_from >= at:
                continue
            if woke < at - 2 * PERIOD:
                break
            return max(0.0, min(late, at - stuck_from))
        return 0.0
