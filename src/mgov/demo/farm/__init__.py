"""The demo farm: many simulated government sites on loopback, with a DNS server and a
manifest of their defects, and new-media platforms (Weibo, WeChat, feeds, a Mastodon-like
server) with accounts and their defects. The fixture for tests, the load for benchmarks, and
the demo.

    manifest = generate(seed=1, count=100)
    with run_in_thread(manifest) as farm:
        ...  # farm.https_port, farm.ca_pem, farm.dns_port
        farm.set_epoch(2)  # the content's second epoch

Importing does no work: certificates and sockets are made by Farm.start.
See docs/demo-farm.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mgov.demo.farm.defects import CRAWL_CHECKS, DEFECTS, compatibility_table, compatible
from mgov.demo.farm.defects_newmedia import CAPTURE_CHECKS, NEWMEDIA_DEFECTS
from mgov.demo.farm.defects_render import RENDER_CHECKS
from mgov.demo.farm.generate import generate
from mgov.demo.farm.manifest import Account, Manifest, Organization, RegistryEntry, Runtime, Site

if TYPE_CHECKING:
    from mgov.demo.farm.farm import Farm, RunningFarm, run_in_thread

__all__ = ["CAPTURE_CHECKS", "CRAWL_CHECKS", "DEFECTS", "NEWMEDIA_DEFECTS", "RENDER_CHECKS", "Account", "Farm",
           "Manifest", "Organization", "RegistryEntry", "RunningFarm", "Runtime", "Site", "compatibility_table",
           "compatible", "generate", "run_in_thread"]


def __getattr__(name: str) -> Any:
    """Farm, RunningFarm and run_in_thread, on first use: code that only generates manifests
    (check tests) does not pay for the servers."""
    if name in ("Farm", "RunningFarm", "run_in_thread"):
        # Deferred: the servers (aiohttp, trustme, cryptography) load only for code that runs a farm.
        from mgov.demo.farm import farm

        return getattr(farm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
