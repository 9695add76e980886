"""How late mgov's own event loop runs, so that timings of the sites leave it out.

A scan is many coroutines on one loop; when the machine is busy (another process, a page
being parsed, the scanner's own Python) a coroutine resumes late, and a stopwatch around
an exchange would charge the site for mgov's delay. A monitor task sleeps a short period
over and over and records by how much each wake-up overshot: the intervals in which the
loop could not run. Lateness while the exchange waits for the site costs nothing (the site
was not answering anyway); lateness when the answer came delays the stopwatch: so an
exchange's time is its stopwatch time less the stall it resumed from (`stall_before`), and
its total lateness (`late_between`) tells whether the timing is too rough to judge on.
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
            await asyncio.sleep(PERIOD)
            now = time.perf_counter()
            late = now - before - PERIOD
            if late > NOISE:
                self._samples.append((now, late))
                self.worst = max(self.worst, late)
                self.total += late
                while self._samples and self._samples[0][0] < now - KEEP:
                    self._samples.popleft()

    def late_between(self, start: float, end: float) -> float:
        """Seconds of [start, end] during which the loop could not run (a sample woke at w
        after being stuck since w - late)."""
        total = 0.0
        for woke, late in reversed(self._samples):
            if woke - late >= end:
                continue
            if woke <= start:
                break
            total += max(0.0, min(woke, end) - max(woke - late, start))
        return total

    def stall_before(self, at: float) -> float:
        """How long the loop had been stuck when it resumed at `at`: an event that came
        during that stall was seen that much late (at most)."""
        for woke, late in reversed(self._samples):
            if woke > at + PERIOD:
                continue
            if woke < at - 2 * PERIOD:
                break
            return max(0.0, min(late, at - (woke - late)))
        return 0.0
