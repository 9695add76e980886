"""The attachments' reader, in a process of its own: a hostile document can neither stall
the crawl nor take its memory.

The process is spawned on the first attachment of the run (a site with none costs nothing),
runs privacy.document.read_document one document at a time under a CPU-time limit (its own
CPU seconds, so a busy machine does not change what is read) and an address-space limit,
and is killed and replaced when it overruns the wall-clock guard or dies (a reader crashed).
In a process that may not start processes (a --workers daemon) documents are read in a
thread instead, bounded only by the readers' own caps.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import multiprocessing as mp
import resource
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

from mgov.evidence.exchange import WarcRef
from mgov.evidence.privacy import Unscanned
from mgov.privacy.document import DocumentResult, read_document
from mgov.privacy.extract import sniff

CPU_SECONDS = 30.0  # one document's CPU time
MEMORY = 1 << 30  # the process's address space (1 GiB)
GRACE = 30.0  # wall seconds past 3 x the CPU limit after which the process is killed


class _CpuTimeUp(BaseException):
    """Raised by the CPU-time signal; a BaseException, so no reader's `except Exception` keeps it."""


def _time_up(signum: int, frame: FrameType | None) -> None:
    raise _CpuTimeUp


def _serve(conn: Connection, memory: int, cpu_seconds: float) -> None:
    """The reader process: documents in, results out, until the pipe closes."""
    with contextlib.suppress(ValueError, OSError):  # a limit above the hard one: the system's stays
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGVTALRM, _time_up)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        url, hint, data, ref, today = job
        signal.setitimer(signal.ITIMER_VIRTUAL, cpu_seconds)
        try:
            result = read_document(url, hint, data, ref, today)
        except _CpuTimeUp:
            result = _failed(url, hint, data, ref, "timeout", f"reading took over {cpu_seconds:g} CPU seconds")
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        conn.send(result)


def _failed(url: str, hint: str, data: bytes, ref: WarcRef | None, reason: str, detail: str) -> DocumentResult:
    try:
        fmt = sniff(data, hint)
    except Exception:  # noqa: BLE001 - the format is only a label here
        fmt = hint or "unknown"
    return DocumentResult(fmt, unscanned=Unscanned(url, fmt, reason, detail, ref))


class DocumentReader:
    """read_document in a guarded process (see the module docstring), one document at a time."""

    def __init__(self, *, cpu_seconds: float = CPU_SECONDS, memory: int = MEMORY) -> None:
        self.cpu_seconds, self.memory = cpu_seconds, memory
        self._lock = asyncio.Lock()
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self.in_process = not mp.current_process().daemon  # a daemon may not start processes
        self.restarts = 0  # processes killed or found dead (for statistics and tests)

    def _start(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._stop()
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child, self.memory, self.cpu_seconds), daemon=True,
                           name="mgov-documents")
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        return parent

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        self._proc = self._conn = None

    async def read(self, url: str, hint: str, data: bytes, ref: WarcRef | None,
                   today: dt.date | None) -> DocumentResult:
        if not self.in_process:
            return await asyncio.to_thread(read_document, url, hint, data, ref, today)
        async with self._lock:
            loop = asyncio.get_running_loop()
            conn = self._start()
            job: Any = (url, hint, data, ref, today)
            try:
                await loop.run_in_executor(None, conn.send, job)
                ready = await loop.run_in_executor(None, conn.poll, self.cpu_seconds * 3 + GRACE)
                if not ready:
                    self.restarts += 1
                    self._stop()
                    return _failed(url, hint, data, ref, "timeout", "the reader did not answer in time")
                result: DocumentResult = await loop.run_in_executor(None, conn.recv)
                return result
            except (EOFError, OSError, BrokenPipeError):
                self.restarts += 1
                self._stop()  # it died (a reader crashed, or the memory limit ended it)
                return _failed(url, hint, data, ref, "failed", "the reader process ended while reading it")

    def close(self) -> None:
        self._stop()
