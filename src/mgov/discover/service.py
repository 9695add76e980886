"""`mgov discover`: ask every platform adapter that offers search for accounts whose names
claim a registered unit's name (discover.match), and store the ones that are not registered
as candidates (私开账号 or imposters) for a reviewer.

Each unit's names (full and short) are searched on each platform; every search goes through
the collect layer's client, so its answer is archived as WARC and that record is the
candidate's evidence. A search that fails is reported and the rest goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from mgov.collect.platforms.base import FoundAccount, SearchingAdapter, all_adapters
from mgov.collect.settings import CollectSettings
from mgov.collect.site import CollectContext
from mgov.config import Settings
from mgov.discover import store
from mgov.discover.match import UnitNames, best_claim
from mgov.errors import InvalidValue, MgovError
from mgov.runs.context import RoutingOptions, open_context

SEARCH_LIMIT = 20  # accounts asked of one search
CONCURRENCY = 8  # searches at once (platforms rate-limit their search)
DEFAULT_PLATFORM_RATE = CollectSettings().platform_rate  # requests a second to one platform host


@dataclass
class DiscoverResult:
    units: int = 0
    platforms: list[str] = field(default_factory=list)
    searches: int = 0
    returned: int = 0  # accounts the searches returned (each once)
    registered: int = 0  # of them, registered already
    unclaimed: int = 0  # of them, whose names claim no unit searched
    new: int = 0
    seen_again: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def searching_adapters(platforms: list[str] | None) -> list[SearchingAdapter]:
    """The registered adapters that offer search (only the platforms named, when some are)."""
    offering = [a for a in all_adapters() if isinstance(a, SearchingAdapter) and callable(a.search)]
    if not platforms:
        return offering
    names = {a.name for a in offering}
    unknown = [p for p in platforms if p not in names]
    if unknown:
        raise InvalidValue(f"no platform adapter offers search for {', '.join(unknown)} "
                           f"(choose from: {', '.join(sorted(names)) or 'none installed'})")
    return [a for a in offering if a.name in platforms]


@dataclass
class _Seen:
    account: FoundAccount
    units: dict[int, UnitNames] = field(default_factory=dict)  # the units whose searches returned it
    evidence: list[dict[str, Any]] = field(default_factory=list)


def run_discovery(engine: Engine, settings: Settings, options: RoutingOptions, *, org: str | None = None,
                  platforms: list[str] | None = None, search_hosts: tuple[str, ...] = (),
                  on_progress: Callable[[int, int], None] | None = None, orgs: Sequence[str] = (),
                  platform_rate: float = DEFAULT_PLATFORM_RATE) -> DiscoverResult:
    """Search, match and store; the result counts what happened (on_progress: searches done, total).

    org: that organization and those below it (None: every one); orgs: these organizations and
    those below them instead (the demo's farm units among a registry of thousands);
    platform_rate: requests a second to one platform host, every search together."""
    adapters = searching_adapters(platforms)
    if not adapters:
        raise MgovError("no platform adapter offers search: install one (entry points mgov.platforms)")
    with engine.connect() as conn:
        if orgs:
            chosen = {u.org_id: u for code in [*orgs, *([org] if org else [])] for u in store.units(conn, code)}
            units = [chosen[k] for k in sorted(chosen)]
        else:
            units = store.units(conn, org)
        registered = store.registered_keys(conn)
    result = DiscoverResult(units=len(units), platforms=[a.name for a in adapters])
    seen = asyncio.run(_search_all(settings, options, units, adapters, result, on_progress, search_hosts,
                                   platform_rate))
    found: list[store.Found] = []
    for item in seen.values():
        account = item.account
        if store.is_registered(registered, account.platform, account.kind, account.address):
            result.registered += 1
            continue
        claimed = best_claim(account.name, list(item.units.values()))
        if claimed is None:
            result.unclaimed += 1
            continue
        unit, matched = claimed
        found.append(store.Found(account.platform, account.kind, account.address, account.name, unit.org_id,
                                 matched, account.url, account.certification, item.evidence))
    with engine.begin() as conn:
        counts = store.save(conn, found)
    result.new, result.seen_again = counts["new"], counts["seen_again"]
    return result


async def _search_all(settings: Settings, options: RoutingOptions, units: list[UnitNames],
                      adapters: list[SearchingAdapter], result: DiscoverResult,
                      on_progress: Callable[[int, int], None] | None,
                      search_hosts: tuple[str, ...] = (),
                      platform_rate: float = DEFAULT_PLATFORM_RATE) -> dict[tuple[str, str], _Seen]:
    asking: dict[str, list[UnitNames]] = {}  # a name two units share is searched once, for both
    for unit in units:
        for query in unit.queries:
            asking.setdefault(query, []).append(unit)
    jobs = [(query, adapter) for query in asking for adapter in adapters]
    seen: dict[tuple[str, str], _Seen] = {}
    gate = asyncio.Semaphore(CONCURRENCY)
    done = 0

    async def one(ctx: CollectContext, query: str, adapter: SearchingAdapter) -> None:
        nonlocal done
        async with gate:
            try:
                accounts = await adapter.search(query, ctx, SEARCH_LIMIT)
            except Exception as exc:  # noqa: BLE001 - one failed search must not stop the others
                accounts = []
                result.errors.append(f"{adapter.name} search {query!r}: {type(exc).__name__}: {exc}")
        result.searches += 1
        for account in accounts:
            item = seen.setdefault((account.kind, account.address), _Seen(account))
            item.account = account
            item.units.update((u.org_id, u) for u in asking[query])
            item.evidence += [r.as_dict() for r in account.warc if r.as_dict() not in item.evidence]
        done += 1
        if on_progress:
            on_progress(done, len(jobs))

    if on_progress:
        on_progress(0, len(jobs))
    collect = CollectSettings(activitypub_search=search_hosts, platform_rate=platform_rate)
    async with open_context(settings, options, collect) as ctx:
        await asyncio.gather(*(one(ctx, *job) for job in jobs))
    result.returned = len(seen)
    return seen
