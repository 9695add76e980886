"""A per-client rate limit for public routes that anyone may ask without signing in (the
official-account verification): a sliding window of request times per client address, in
the server process's memory.

Memory is bounded: at most `max_clients` addresses are tracked; past that the one seen least
recently is forgotten (a flood of new addresses cannot grow it, and a forgotten client only
starts afresh). Each server process keeps its own counts: behind N worker processes a client
may get up to N times the limit, which bounds the load all the same.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from mgov.errors import RateLimited


class RateLimiter:
    def __init__(self, limit: int, window: float = 60.0, max_clients: int = 10_000,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.max_clients, self.now = limit, window, max_clients, now
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def hit(self, client: str) -> None:
        """Count one request of client; RateLimited (with the seconds to wait) past the limit.
        A refused request is not counted: waiting Retry-After is always enough."""
        with self._lock:
            now = self.now()
            times = self._hits.pop(client, None) or deque()
            while times and times[0] <= now - self.window:
                times.popleft()
            self._hits[client] = times  # the most recently seen last
            if len(times) >= self.limit:
                wait = max(1, math.ceil(times[0] + self.window - now))
                raise RateLimited(f"too many verification requests from this address: try again in {wait} s", wait)
            times.append(now)
            while len(self._hits) > self.max_clients:
                self._hits.popitem(last=False)
