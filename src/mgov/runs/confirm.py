"""Confirm before failing: a verdict against a channel that may rest on a passing fault
(`Finding.recheck`: a timeout, a reset, a 5xx, no DNS answer, a slow answer) counts only
when a second attempt, made apart (a pause after the first, at low concurrency, over new
connections, while the run goes on with other channels), agrees.

When the second attempt's verdict rests on solid evidence (no passing fault of its own), it is
the one recorded: the site was seen as it is, whichever way. When it is shaky too, the better
of the two is (pass < warn < error < fail: a failure must be seen twice to stand), unless
the first attempt passed: a pass that asked for a re-check (a time that counted as slow
before mgov's own stalls were taken off it) is settled by the re-check. Either way
the record keeps the evidence of both attempts and a note saying what the re-check found."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mgov.checks.base import Finding, Status

# How much a verdict counts against a channel; a failure stands only if seen twice.
_WEIGHT = {Status.PASS: 0, Status.NOT_APPLICABLE: 0, Status.WARN: 1, Status.ERROR: 2, Status.FAIL: 3}


@dataclass(frozen=True)
class RecheckPolicy:
    delay: float = 2.0  # seconds between a channel's first attempt and its re-check (a passing fault passes)
    # Channels re-checked at once (apart, not in a burst); None: a quarter of the run's, at least 4.
    concurrency: int | None = None
    enabled: bool = True


@dataclass
class PassTimes:
    """What a run's two passes took: for the run's summary and the benchmarks."""

    first_seconds: float = 0.0
    recheck_seconds: float = 0.0  # what the re-checks added after the first pass
    rechecked: int = 0  # channels re-checked
    findings_rechecked: int = 0
    recovered: int = 0  # findings better on re-check (a passing fault, not recorded against the channel)

    def add(self, other: PassTimes) -> None:
        """Another process's share of the same run (times: the longest share's)."""
        self.first_seconds = max(self.first_seconds, other.first_seconds)
        self.recheck_seconds = max(self.recheck_seconds, other.recheck_seconds)
        self.rechecked += other.rechecked
        self.findings_rechecked += other.findings_rechecked
        self.recovered += other.recovered

    def as_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)


def needs_recheck(findings: list[Finding]) -> list[str]:
    """The ids of the checks whose verdict must be confirmed."""
    return sorted({f.check for f in findings if f.recheck})


def settle(first: list[Finding], again: list[Finding]) -> list[Finding]:
    """The findings to record: each re-checked one settled against its second attempt."""
    second = {(f.check, f.variant): f for f in again}
    out = []
    for f in first:
        s = second.get((f.check, f.variant))
        out.append(f if not f.recheck or s is None else _settle(f, s))
    return out


def _settle(first: Finding, second: Finding) -> Finding:
    evidence = [*second.evidence, *(r for r in first.evidence if r not in second.evidence)]
    better, worse = _WEIGHT[second.status] < _WEIGHT[first.status], _WEIGHT[second.status] > _WEIGHT[first.status]
    if better and second.recheck and second.unconfirmed is not None:  # recovered, but shaky itself
        kept, other = dataclasses.replace(second, status=second.unconfirmed), first
        note, note_zh = ("recovered on re-check, whose own reading was not confirmed",
                         "复查恢复正常，复查读数未经确认")
    elif better:
        kept, other = second, first
        note, note_zh = "recovered on re-check", "复查恢复正常"
    elif worse and second.recheck and first.status is not Status.PASS:  # shaky again, and worse: not confirmed
        kept, other = first, second
        note, note_zh = "not confirmed on re-check", "复查结果不一致"
    elif worse:  # seen properly this time (the first attempt could not see it)
        kept, other = second, first
        note, note_zh = "observed on re-check", "复查时查明"
    else:
        kept, other = second, first
        note, note_zh = "confirmed on re-check", "复查确认"
    message = f"{kept.message} ({note}; other attempt: {other.status.value}" + (
        f": {other.message})" if other.message else ")")
    message_zh = f"{kept.message_zh}（{note_zh}；另一次：{other.status.value}" + (
        f"：{other.message_zh}）" if other.message_zh else "）")
    return dataclasses.replace(kept, evidence=evidence, message=message.lstrip(), message_zh=message_zh,
                               value=_with_attempts(kept.value, first, second), recheck=False)


def _with_attempts(value: Any, first: Finding, second: Finding) -> Any:
    if not isinstance(value, dict):
        return value
    return {**value, "attempts": [first.status.value, second.status.value]}
