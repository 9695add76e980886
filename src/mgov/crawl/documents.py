"""The attachments' reader, in a process of its own: a hostile document can neither stall
the crawl, take its memory, nor crash it (PDFium is C code, and not thread-safe).

The process (`python -m mgov.crawl.documents`, a plain subprocess: a --workers process, a
daemon, may not start multiprocessing children but may start this) is started on the run's
first attachment (a site with none costs nothing). It runs privacy.document.read_document
one document at a time under a CPU-time limit (its own CPU seconds, so a busy machine does
not change what is read) and an address-space limit, and is killed and replaced when it
overruns the wall-clock guard or dies (a reader crashed): the document is reported, the
crawl goes on. Jobs and results are pickles, length-prefixed, over its stdin and stdout
(the process is mgov's own, started here: nothing else writes to that pipe).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import pickle
import resource
import signal
import struct
import sys
from types import FrameType
from typing import Any, BinaryIO

from mgov.evidence.exchange import WarcRef
from mgov.evidence.privacy import Unscanned
from mgov.privacy.document import DocumentResult, read_document
from mgov.privacy.extract import sniff

CPU_SECONDS = 30.0  # one document's CPU time
MEMORY = 1 << 30  # the process's address space (1 GiB)
GRACE = 30.0  # wall seconds past 3 x the CPU limit after which the process is killed
_LENGTH = struct.Struct(">Q")


class _CpuTimeUp(BaseException):
    """Raised by the CPU-time signal; a BaseException, so no reader's `except Exception` keeps it."""


def _time_up(signum: int, frame: FrameType | None) -> None:
    raise _CpuTimeUp


def _failed(url: str, hint: str, data: bytes, ref: WarcRef | None, reason: str, detail: str) -> DocumentResult:
    try:
        fmt = sniff(data, hint)
    except Exception:  # noqa: BLE001 - the format is only a label here
        fmt = hint or "unknown"
    return DocumentResult(fmt, unscanned=Unscanned(url, fmt, reason, detail, ref))


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    return stream.read(size)


def main(memory: int = MEMORY, cpu_seconds: float = CPU_SECONDS) -> None:
    """The reader process: documents in on stdin, results out on stdout, until stdin closes."""
    with contextlib.suppress(ValueError, OSError):  # a limit above the hard one: the system's stays
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGVTALRM, _time_up)
    # The results go out on a copy of stdout; what a library prints (C code included) goes to
    # stderr, so nothing can break a frame.
    source, sink = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    while (frame := _read_frame(source)) is not None:
        url, hint, data, ref, today = pickle.loads(frame)  # noqa: S301 - from the crawl that started us
        signal.setitimer(signal.ITIMER_VIRTUAL, cpu_seconds)
        try:
            result = read_document(url, hint, data, ref, today)
        except _CpuTimeUp:
            result = _failed(url, hint, data, ref, "timeout", f"reading took over {cpu_seconds:g} CPU seconds")
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        out = pickle.dumps(result)
        sink.write(_LENGTH.pack(len(out)) + out)
        sink.flush()


class DocumentReader:
    """read_document in a guarded process (see the module docstring), one document at a time."""

    def __init__(self, *, cpu_seconds: float = CPU_SECONDS, memory: int = MEMORY) -> None:
        self.cpu_seconds, self.memory = cpu_seconds, memory
        self._lock = asyncio.Lock()
        self._proc: asyncio.subprocess.Process | None = None
        self.restarts = 0  # processes killed or found dead (for statistics and tests)

    async def _start(self) -> asyncio.subprocess.Process:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        await self._stop()
        code = f"from mgov.crawl.documents import main; main({self.memory}, {self.cpu_seconds!r})"
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        return self._proc

    async def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            proc.kill()
        with contextlib.suppress(ProcessLookupError, asyncio.TimeoutError):
            await asyncio.wait_for(proc.wait(), 5)

    async def read(self, url: str, hint: str, data: bytes, ref: WarcRef | None,
                   today: dt.date | None) -> DocumentResult:
        async with self._lock:
            proc = await self._start()
            assert proc.stdin is not None and proc.stdout is not None  # noqa: S101 - made with pipes
            job: Any = pickle.dumps((url, hint, data, ref, today))
            try:
                proc.stdin.write(_LENGTH.pack(len(job)) + job)
                await proc.stdin.drain()
                async with asyncio.timeout(self.cpu_seconds * 3 + GRACE):
                    (size,) = _LENGTH.unpack(await proc.stdout.readexactly(_LENGTH.size))
                    result: DocumentResult = pickle.loads(await proc.stdout.readexactly(size))  # noqa: S301 - ours
                return result
            except TimeoutError:
                self.restarts += 1
                await self._stop()
                return _failed(url, hint, data, ref, "timeout", "the reader did not answer in time")
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                self.restarts += 1
                await self._stop()  # it died (a reader crashed, or the memory limit ended it)
                return _failed(url, hint, data, ref, "failed", "the reader process ended while reading it")
            except BaseException:
                # Cancelled (a crawl's time budget) with its answer unread: that answer would
                # be the next document's, so the process goes (killed, not awaited: cancelled).
                self.restarts += 1
                self.close()
                raise

    async def aclose(self) -> None:
        async with self._lock:
            if self._proc is not None and self._proc.stdin is not None:
                self._proc.stdin.close()
            await self._stop()

    def close(self) -> None:
        """End the process if one runs, without awaiting (the run kind's opener closes it)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
        # asyncio's Process has no close(); its transport's closes the pipes and kills what is
        # left, so nothing is released after the run's loop has closed.
        transport = getattr(proc, "_transport", None)
        if transport is not None:
            with contextlib.suppress(RuntimeError):
                transport.close()
