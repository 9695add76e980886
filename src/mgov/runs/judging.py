"""Judging off the event loop: the checks of a channel run in another process when the run
has a core to spare (else in a thread), so a page that takes long to parse never stalls the
collection of other channels, and within a time budget (a document too large or too deep
for it has been cut to a parser's budget at collection: evidence.budget).
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing as mp
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mgov.checks.base import Check, Finding, Status, params_variant
from mgov.checks.plugins import select
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import SiteEvidence

Variants = dict[str, list[dict[str, Any]]]  # check id -> parameter sets of a profile ({}: the check's own)
BUDGET = 60.0  # seconds of judging one channel at most


def judge(evidence: SiteEvidence, checks: list[Check], params: dict[str, dict[str, Any]],
          variants: Variants | None = None) -> list[Finding]:
    """Each check's finding; a check with variants yields one per parameter set, marked."""
    out = []
    for c in checks:
        for extra in (variants or {}).get(c.id) or [{}]:
            f = c.run(evidence, {**params.get(c.id, {}), **extra})
            out.append(dataclasses.replace(f, variant=params_variant(extra)) if extra else f)
    return out


def error_findings(checks: list[Check], variants: Variants | None, message: str, message_zh: str,
                   status: ScanStatus = ScanStatus.UNKNOWN_ERROR) -> list[Finding]:
    """One error finding per check and parameter set: the channel could not be judged."""
    return [Finding(c.id, Status.ERROR, message=message, message_zh=message_zh, scan_status=status,
                    variant=params_variant(extra))
            for c in checks for extra in (variants or {}).get(c.id) or [{}]]


_STATE: dict[str, Any] = {}  # in a judging process: its checks, parameters and variants


def _init(ids: list[str], params: dict[str, dict[str, Any]], variants: Variants) -> None:
    _STATE.update(checks=select(ids), params=params, variants=variants)


def _remote(evidence: SiteEvidence, only: list[str] | None) -> list[Finding]:
    checks = [c for c in _STATE["checks"] if only is None or c.id in only]
    return judge(evidence, checks, _STATE["params"], _STATE["variants"])


class Judge:
    """The run's checks, judged elsewhere than on the event loop."""

    def __init__(self, checks: list[Check], params: dict[str, dict[str, Any]], variants: Variants | None, *,
                 process: bool | None = None) -> None:
        self.checks, self.params, self.variants = checks, params, variants or {}
        # A process of its own needs a core to spare, and a process that may have children
        # (a worker process of --workers is a daemon: it judges in a thread).
        if process is None:
            process = (os.cpu_count() or 1) > 1 and not mp.current_process().daemon
        self._process = process
        self._pool: Executor = self._make_pool()

    def _make_pool(self) -> Executor:
        if self._process:
            return ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"), initializer=_init,
                                       initargs=([c.id for c in self.checks], self.params, self.variants))
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="mgov-judge")

    async def __call__(self, evidence: SiteEvidence, only: list[str] | None = None) -> list[Finding]:
        """The findings of the run's checks on evidence (of the checks named in only)."""
        checks = [c for c in self.checks if only is None or c.id in only]
        loop = asyncio.get_running_loop()
        try:
            if isinstance(self._pool, ProcessPoolExecutor):
                work = loop.run_in_executor(self._pool, _remote, evidence, only)
            else:
                work = loop.run_in_executor(self._pool, judge, evidence, checks, self.params, self.variants)
            return await asyncio.wait_for(work, BUDGET)
        except TimeoutError:
            self._restart()  # the stuck judgement is abandoned with its process
            return error_findings(checks, self.variants, f"judging took longer than {BUDGET:g} s",
                                  f"判定超过 {BUDGET:g} 秒")
        except BrokenProcessPool:  # the process died (OOM, killed): judge here from now on
            self._process = False
            self._pool = self._make_pool()
            return judge(evidence, checks, self.params, self.variants)

    def _restart(self) -> None:
        old = self._pool
        self._pool = self._make_pool()
        if isinstance(old, ProcessPoolExecutor):
            for proc in list(getattr(old, "_processes", {}).values()):  # no public way to stop one task
                proc.terminate()
        old.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
