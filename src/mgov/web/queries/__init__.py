"""What the API and the dashboard read, always within a user's scope: one function per
question, shared by both faces so a page and its API route cannot disagree."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

MAX_LIMIT = 500
T = TypeVar("T")


def page(rows: list[dict[str, Any]], limit: int, key: str = "id") -> tuple[list[dict[str, Any]], Any]:
    """Rows fetched with limit + 1: (the page, the key to continue after, or None at the end)."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, rows[-1][key]
    return rows, None


class Memo:
    """Answers about data that does not change once written, kept per application: a stored
    assessment's verdict counts, histogram and trend (an assessment is written in one
    transaction and never updated; a re-assessment is a new one). Bounded in size, and in
    age as a safety net against changes made behind mgov's back (a restored database)."""

    def __init__(self, size: int = 4096, seconds: float = 600.0) -> None:
        self._data: collections.OrderedDict[Any, tuple[float, Any]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self.size, self.seconds = size, seconds

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            found = self._data.get(key)
            if found is not None and now - found[0] < self.seconds:
                self._data.move_to_end(key)
                return cast(T, found[1])  # stored by compute() under the same key
        value = compute()  # outside the lock: two threads may compute once each, harmlessly
        with self._lock:
            self._data[key] = (now, value)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value
