"""The counts of one assessment, one definition for every view (the CLI, the dashboard's
overview, the API, the HTML/PDF report and the spreadsheets): how many channels it inspected,
how many of them were assessed (pass or fail), passed, failed, could not be assessed, and
had incomplete monitoring."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

VERDICTS = ("pass", "fail", "not_assessed")


@dataclass(frozen=True)
class Counts:
    """channels: every channel the assessment inspected (each has a result); assessed: those
    with a verdict (pass or fail), the base of the pass rate."""

    channels: int
    assessed: int
    passed: int
    failed: int
    not_assessed: int
    incomplete: int

    @property
    def pass_rate(self) -> float | None:
        """Percent of the assessed channels that passed, to one decimal."""
        return round(100 * self.passed / self.assessed, 1) if self.assessed else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pass_rate": self.pass_rate}


def tally(verdicts: Mapping[str, int], incomplete: int = 0) -> Counts:
    """The counts from the number of results per verdict."""
    n = {v: int(verdicts.get(v, 0)) for v in VERDICTS}
    return Counts(channels=sum(int(x) for x in verdicts.values()), assessed=n["pass"] + n["fail"],
                  passed=n["pass"], failed=n["fail"], not_assessed=n["not_assessed"], incomplete=incomplete)


def count(results: Iterable[tuple[str, bool]]) -> Counts:
    """The counts from (verdict, complete) of each result."""
    verdicts: dict[str, int] = {}
    incomplete = 0
    for verdict, complete in results:
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        incomplete += 0 if complete else 1
    return tally(verdicts, incomplete)
