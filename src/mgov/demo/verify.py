"""Compare a scan of the demo farm with the farm's manifest: every defect must be reported by
its checks, and no check may fail or warn on a site that lacks every defect mapped to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mgov.demo.farm import DEFECTS, Manifest

FLAGGED = ("fail", "warn")
# A flapping site answers every other request: one scan may or may not catch it; the probe
# series is where it shows (mgov probe-stats).
UNDECIDABLE_IN_ONE_SCAN = {"availability.flapping": {"availability"}}


@dataclass
class Verification:
    defects: int = 0
    detected: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)  # defect not reported by a check
    false_alarms: list[dict[str, Any]] = field(default_factory=list)  # flagged without a defect

    @property
    def ok(self) -> bool:
        return not self.missed and not self.false_alarms

    def as_dict(self) -> dict[str, Any]:
        return {"defects": self.defects, "detected": self.detected, "missed": self.missed,
                "false_alarms": self.false_alarms, "ok": self.ok}


def verify(manifest: Manifest, findings: dict[str, dict[str, dict[str, Any]]], *,
           run_kind: str = "scan", epoch: int = 1) -> Verification:
    """findings: host -> check id -> {"status", "message"} from one run of the farm.

    Only the defects of the run's kind count ("scan": the protocol checks; "crawl": the
    content checks), and of those only the ones the farm's epoch shows; a defect's
    `obscures` (checks of the other kind it may spoil) are explained, never required."""
    out = Verification()
    for site in manifest.sites:
        got = findings.get(site.host, {})
        explained: set[str] = set()
        for defect in site.defects:
            d = DEFECTS[defect]
            checks = set(d.checks)
            explained |= checks | set(d.obscures)
            if defect in UNDECIDABLE_IN_ONE_SCAN or d.run_kind != run_kind or d.epoch > epoch:
                continue
            out.defects += 1
            missing = [c for c in checks if got.get(c, {}).get("status") not in FLAGGED]
            if missing:
                out.missed.append({"host": site.host, "defect": defect, "checks": missing,
                                   "got": {c: got.get(c, {}).get("status") for c in missing}})
            else:
                out.detected += 1
        for check, f in got.items():
            if f.get("status") in FLAGGED and check not in explained:
                out.false_alarms.append({"host": site.host, "check": check, "status": f["status"],
                                         "message": f.get("message"), "defects": sorted(site.defects)})
    return out
