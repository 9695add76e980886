"""The demo's new-media passes: every registered account of the farm captured through the
farm's platforms (as `mgov capture` routes it) and verified against the manifest's new-media
defects (`verify_capture`), and `mgov discover` over the farm's platforms, compared with the
accounts the manifest says claim a unit without being registered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from mgov.config import Settings
from mgov.demo.farm import Manifest, RunningFarm
from mgov.demo.verify import verify_capture
from mgov.discover import store as discovered
from mgov.discover.service import run_discovery
from mgov.runs import store
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

# Loopback answers at once: the platforms' pace (2 requests a second to a real one) would make
# the demo's accounts, which share four platform hosts, wait minutes for nothing.
DEMO_PLATFORM_RATE = 500.0
DEMO_CAPTURE_LIMITS = {"platform_rate": DEMO_PLATFORM_RATE}
DEMO_SEARCH_HOSTS = ("social.gov-farm.example",)  # the farm's Mastodon-like server


def farm_routing(farm: RunningFarm) -> RoutingOptions:
    """The farm's DNS, ports and CA: how `mgov demo` routes every pass to it."""
    return RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                          ca_bundle=str(farm.ca_pem), allow_private=True)


def capture_on_farm(engine: Engine, settings: Settings, manifest: Manifest, farm: RunningFarm, *,
                    epoch: int = 1) -> dict[str, Any]:
    """Capture every registered account of the farm; verify against the epoch's defects."""
    accounts = [a.address for a in manifest.accounts if a.registered]
    run_id = start_run(engine, run_params(kind="capture", channels=accounts, routing=farm_routing(farm),
                                          limits=DEMO_CAPTURE_LIMITS))
    # One process: a few dozen accounts take a second or two, less than starting workers.
    result = execute_run(engine, settings, run_id, workers=1)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_address: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_address.setdefault(r["address"], {})[r["check_id"]] = {"status": r["status"], "message": r["message"]}
    return {"scan": result, "accounts": len(accounts),
            "verification": verify_capture(manifest, by_address, epoch=epoch).as_dict()}


def discover_on_farm(engine: Engine, settings: Settings, manifest: Manifest, farm: RunningFarm) -> dict[str, Any]:
    """`mgov discover` for the farm's units that have new-media accounts (the others' searches
    would only find the same nothing, slower) on the farm's platforms: the accounts found that
    are not registered, against the manifest's (exactly those, none missed, none more)."""
    units = sorted({a.organization.code for a in manifest.accounts})
    result = run_discovery(engine, settings, farm_routing(farm), orgs=units, search_hosts=DEMO_SEARCH_HOSTS,
                           platform_rate=DEMO_PLATFORM_RATE)
    expected = {(e["kind"], e["address"]) for e in manifest.discover_entries()}
    with engine.connect() as conn:
        rows, _ = discovered.listing(conn, limit=100_000)
    found = {(r["kind"], r["address"]) for r in rows}
    missed, extra = sorted(expected - found), sorted(found - expected)
    return {"units": result.units, "searches": result.searches, "expected": len(expected),
            "found": len(expected & found), "missed": missed, "extra": extra, "errors": result.errors,
            "ok": not missed and not extra and not result.errors}
