"""robots.txt for the site crawl: fetched through the HttpClient, matched per RFC 9309.

urllib.robotparser is not used: it knows no "*" or "$" in paths (`Disallow: /*?*` is
common on government sites) and lets the first matching line win where RFC 9309 says the
longest match wins, Allow on a tie. The rules here are the RFC's: the groups naming our
product token ("mgov"), else the "*" groups, merged; an empty Disallow allows.

A robots.txt that is missing (4xx) allows everything. One that cannot be had (5xx,
timeout, refused) also allows everything here, unlike the RFC's "assume disallowed": a
monitoring crawl of a public site must not stop at a broken server; the state is kept so
the report can say so.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from mgov.collect.client import HttpClient
from mgov.evidence.exchange import WarcRef
from mgov.evidence.urls import normalize_escapes

AGENT = "mgov"
MAX_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least 500 KiB; the rest is ignored
RobotsState = Literal["rules", "missing", "unavailable"]


@dataclass(frozen=True)
class _Rule:
    allow: bool
    length: int  # the pattern's length: the longest matching pattern decides
    pattern: re.Pattern[str]


def _compile(path: str) -> re.Pattern[str]:
    path = normalize_escapes(path)
    anchored = path.endswith("$")
    body = ".*".join(re.escape(part) for part in (path[:-1] if anchored else path).split("*"))
    return re.compile(body + ("$" if anchored else ""), re.DOTALL)


def _agent_matches(value: str, agent: str) -> bool:
    token = value.strip().split("/", 1)[0].strip().lower()
    return token == agent.lower()


def parse_robots(text: str, agent: str = AGENT) -> tuple[list[_Rule], float | None]:
    """The rules that apply to agent (and its Crawl-delay), from a robots.txt body."""
    groups: list[tuple[list[str], list[tuple[bool, str]], list[float]]] = []
    in_rules = True  # a User-agent line after rules starts a new group
    for raw in text[:MAX_BYTES].splitlines():
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key in ("user-agent", "useragent"):
            if in_rules or not groups:
                groups.append(([], [], []))
                in_rules = False
            groups[-1][0].append(value)
        elif key in ("allow", "disallow") and groups:
            in_rules = True
            if value:  # "Disallow:" with no path allows everything: no rule
                groups[-1][1].append((key == "allow", value))
        elif key == "crawl-delay" and groups:
            in_rules = True
            with contextlib.suppress(ValueError):  # an unreadable delay is no delay
                groups[-1][2].append(float(value))
    mine = [g for g in groups if any(_agent_matches(a, agent) for a in g[0])]
    if not mine:
        mine = [g for g in groups if any(a.strip() == "*" for a in g[0])]
    rules = [_Rule(allow, len(path), _compile(path)) for g in mine for allow, path in g[1]]
    delays = [d for g in mine for d in g[2]]
    return rules, (delays[0] if delays else None)


@dataclass
class Robots:
    """The robots.txt of one origin, and whether it could be had."""

    url: str
    state: RobotsState
    status: int | None = None
    detail: str | None = None
    ref: WarcRef | None = None
    crawl_delay: float | None = None  # recorded, not applied: limits.delay is the operator's
    rules: list[_Rule] = field(default_factory=list, repr=False)

    def allowed(self, url: str) -> bool:
        """Whether the crawler may fetch url (a URL of this robots.txt's origin)."""
        if not self.rules:
            return True
        try:
            parts = urlsplit(url)
        except ValueError:
            return True
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if target == "/robots.txt":
            return True
        best: _Rule | None = None
        for rule in self.rules:
            if rule.pattern.match(target) and (
                    best is None or rule.length > best.length
                    or (rule.length == best.length and rule.allow)):
                best = rule
        return best is None or best.allow


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def fetch_robots(client: HttpClient, origin: str, agent: str = AGENT) -> Robots:
    """GET origin/robots.txt (redirects followed) and read the rules for agent."""
    url = origin.rstrip("/") + "/robots.txt"
    fetch = await client.fetch(url)
    final = fetch.final
    if not fetch.ok or final is None or final.status is None:
        detail = (final.error_detail if final is not None else None) or fetch.error_detail
        status = fetch.status.value if fetch.status is not None else "no response"
        return Robots(url, "unavailable", detail=f"{status}: {detail or ''}".rstrip(": "))
    robots = Robots(url, "rules", status=final.status, ref=final.response_ref)
    if 400 <= final.status < 500:
        robots.state = "missing"
    elif not 200 <= final.status < 300:
        robots.state, robots.detail = "unavailable", f"HTTP {final.status}"
    else:
        text = final.text if final.text is not None else final.body.decode("utf-8", "replace")
        robots.rules, robots.crawl_delay = parse_robots(text, agent)
    return robots


class RobotsCache:
    """The robots.txt of each origin a crawl visits, fetched once, on first need."""

    def __init__(self, client: HttpClient, agent: str = AGENT) -> None:
        self._client = client
        self._agent = agent
        self._tasks: dict[str, asyncio.Task[Robots]] = {}

    async def get(self, url: str) -> Robots:
        origin = origin_of(url)
        task = self._tasks.get(origin)
        if task is None:
            task = self._tasks[origin] = asyncio.ensure_future(
                fetch_robots(self._client, origin, self._agent))
        return await asyncio.shield(task)

    async def allowed(self, url: str) -> bool:
        return (await self.get(url)).allowed(url)

    def cancel(self) -> None:
        """Stop fetches still in flight (a crawl cut short)."""
        for task in self._tasks.values():
            task.cancel()

    def fetched(self) -> list[Robots]:
        """The robots.txt files fetched so far (done ones only)."""
        return [t.result() for t in self._tasks.values() if t.done() and not t.cancelled()
                and t.exception() is None]
