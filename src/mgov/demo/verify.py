"""Compare a scan of the demo farm with the farm's manifest: every defect must be reported by
its checks, and no check may fail or warn on a site that lacks every defect mapped to it.

On a hostile network (the manifest's runtime.options say so) the faults are transient and
never defects: a finding they cause is a false alarm like any other, and on a site without a
seeded defect a check that ends in "error" (its evidence lost to a dropped query or a reset
connection) is one too. mgov must produce none: it retries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mgov.demo.farm import DEFECTS, Manifest
from mgov.demo.farm.defects_newmedia import NEWMEDIA_DEFECTS

FLAGGED = ("fail", "warn")
# A flapping site answers every other request: one scan may or may not catch it; the probe
# series is where it shows (mgov probe-stats).
UNDECIDABLE_IN_ONE_SCAN = {"availability.flapping": {"availability"}}
# The defects that make a site's homepage not answer: any other site reported down is up.
DOWN = frozenset({"availability.failing", "availability.flapping"})


@dataclass
class Verification:
    defects: int = 0
    detected: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)  # defect not reported by a check
    false_alarms: list[dict[str, Any]] = field(default_factory=list)  # flagged without a defect
    down_but_up: list[str] = field(default_factory=list)  # hosts reported down that the farm serves
    hostile: bool = False  # the farm ran a hostile network (errors on healthy sites count)

    @property
    def ok(self) -> bool:
        return not self.missed and not self.false_alarms

    @property
    def recall(self) -> float:
        """Detected defects over seeded defects (1.0 with none to find)."""
        return self.detected / self.defects if self.defects else 1.0

    @property
    def precision(self) -> float:
        """Detections over detections and false alarms (1.0 with neither)."""
        flagged = self.detected + len(self.false_alarms)
        return self.detected / flagged if flagged else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"defects": self.defects, "detected": self.detected, "missed": self.missed,
                "false_alarms": self.false_alarms, "down_but_up": self.down_but_up,
                "precision": self.precision, "recall": self.recall, "hostile": self.hostile,
                "ok": self.ok}


def hostile(manifest: Manifest) -> bool:
    """Whether the farm that served the manifest ran a hostile network."""
    return bool(manifest.runtime is not None and manifest.runtime.options.get("hostile_network"))


def verify(manifest: Manifest, findings: dict[str, dict[str, dict[str, Any]]], *,
           run_kind: str = "scan", epoch: int = 1) -> Verification:
    """findings: host -> check id -> {"status", "message"} from one run of the farm.

    Only the defects of the run's kind count ("scan": the protocol checks; "crawl": the
    content checks; "render": the checks on rendered pages), a defect's `passes` must have
    passed, and of those only the ones the farm's epoch shows; a defect's
    `obscures` (checks of the other kind it may spoil) are explained, never required."""
    out = Verification(hostile=hostile(manifest))
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
            # A trap for false alarms (render.js_footer): its checks must have passed.
            missing += [c for c in d.passes if got.get(c, {}).get("status") != "pass"]
            if missing:
                out.missed.append({"host": site.host, "defect": defect, "checks": missing,
                                   "got": {c: got.get(c, {}).get("status") for c in missing}})
            else:
                out.detected += 1
        # A transient fault leaves a healthy site's checks nothing to err about.
        alarming = (*FLAGGED, "error") if out.hostile and not site.defects else FLAGGED
        for check, f in got.items():
            if f.get("status") in alarming and check not in explained:
                out.false_alarms.append({"host": site.host, "check": check, "status": f["status"],
                                         "message": f.get("message"), "defects": sorted(site.defects)})
        if got.get("availability", {}).get("status") == "fail" and not DOWN & set(site.defects):
            out.down_but_up.append(site.host)
    return out


def verify_capture(manifest: Manifest, findings: dict[str, dict[str, dict[str, Any]]], *,
                   epoch: int = 1) -> Verification:
    """A capture run (run kind "capture") against the manifest's new-media defects.

    findings: channel address -> check id -> {"status", "message"}. Every defect the farm shows
    in that epoch must be flagged by its checks on its account; no check may fail or warn on
    an account that lacks every defect mapped to it (a defect's `obscures` explain, never
    require). The unregistered accounts are not the registry's: `mgov discover` finds them
    (Manifest.discover_entries), and a finding on one is a false alarm."""
    out = Verification()
    for account in manifest.accounts:
        got = findings.get(account.address, {})
        explained: set[str] = set()
        for defect in account.defects:
            d = NEWMEDIA_DEFECTS[defect]
            explained |= set(d.checks) | set(d.obscures)
            if d.epoch > epoch:
                continue
            out.defects += 1
            missing = [c for c in d.checks if got.get(c, {}).get("status") not in FLAGGED]
            if missing:
                out.missed.append({"address": account.address, "kind": account.kind, "defect": defect,
                                   "checks": missing, "got": {c: got.get(c, {}).get("status") for c in missing}})
            else:
                out.detected += 1
        for check, f in got.items():
            if f.get("status") in FLAGGED and check not in explained:
                out.false_alarms.append({"address": account.address, "kind": account.kind, "check": check,
                                         "status": f["status"], "message": f.get("message"),
                                         "defects": sorted(account.defects)})
    return out
