"""SpillQueue: a queue ordered by (depth, arrival) with a bounded head in memory and the
rest in an SQLite table, so a crawl's frontier never holds a whole site in memory.

Invariant: every item of the head comes before every item of the table. New items go to
the table when they sort after its smallest depth, else into the head in order (almost
always at its end: a breadth-first crawl pushes depths in order), and the head's last item
moves to the table when the head is full. The head refills from the table, in order,
when it runs empty.
"""

from __future__ import annotations

import sqlite3
from collections import deque


class SpillQueue:
    def __init__(self, db: sqlite3.Connection, table: str, head_size: int) -> None:
        # table: (seq INTEGER PRIMARY KEY, depth INTEGER, url TEXT) with an index on (depth, seq)
        self._db = db
        self._table = table
        self._size = max(1, head_size)
        self._head: deque[tuple[int, int, str]] = deque()  # (depth, seq, url)
        self._spilled = 0
        self._table_min = 0  # the smallest depth in the table, when _spilled
        self._seq = 0
        self.spilled_total = 0  # items ever written to the table (statistics, tests)

    def __len__(self) -> int:
        return len(self._head) + self._spilled

    @property
    def in_memory(self) -> int:
        return len(self._head)

    def push(self, url: str, depth: int = 0) -> None:
        self._seq += 1
        item = (depth, self._seq, url)
        if self._spilled and depth >= self._table_min:
            self._to_table(item)
            return
        head = self._head
        if not head or head[-1][0] <= depth:
            head.append(item)
        else:  # a shallower item after deeper ones: after the last of its depth
            index = len(head)
            while index > 0 and head[index - 1][0] > depth:
                index -= 1
            head.insert(index, item)
        if len(head) > self._size:
            self._to_table(head.pop())

    def _to_table(self, item: tuple[int, int, str]) -> None:
        depth, seq, url = item
        self._db.execute(f"INSERT INTO {self._table} (seq, depth, url) VALUES (?, ?, ?)",  # noqa: S608 - a fixed table name, values bound
                         (seq, depth, url))
        self._table_min = depth if not self._spilled else min(self._table_min, depth)
        self._spilled += 1
        self.spilled_total += 1

    def pop(self) -> tuple[str, int] | None:
        """(url, depth) of the first item, or None when the queue is empty."""
        if not self._head and self._spilled:
            self._refill()
        if not self._head:
            return None
        depth, _, url = self._head.popleft()
        return url, depth

    def _refill(self) -> None:
        rows = self._db.execute(f"SELECT depth, seq, url FROM {self._table} "  # noqa: S608 - a fixed table name, values bound
                                "ORDER BY depth, seq LIMIT ?", (self._size,)).fetchall()
        if not rows:
            self._spilled = 0
            return
        last_depth, last_seq, _ = rows[-1]
        self._db.execute(f"DELETE FROM {self._table} WHERE depth < ? OR (depth = ? AND seq <= ?)",  # noqa: S608 - a fixed table name, values bound
                         (last_depth, last_depth, last_seq))
        self._head.extend((int(d), int(s), str(u)) for d, s, u in rows)
        self._spilled -= len(rows)
        if self._spilled:
            self._table_min = int(self._db.execute(
                f"SELECT MIN(depth) FROM {self._table}").fetchone()[0])  # noqa: S608 - a fixed table name, values bound
