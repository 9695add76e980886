"""Capture policy per channel: how often its homepage is captured, how often it is crawled
whole (and whether the crawl fetches attachments), how often its new-media posts are read.

Where it comes from, each later source overriding the earlier for the keys it sets:

1. mgov's defaults for the channel's kind (`DEFAULTS`);
2. the `[capture]` table of the guideline profiles that cover the channel's kind and its
   owner's jurisdiction (when several set a key, the most frequent capture wins);
3. the channel's attribute `capture` (a table of the same keys), set in the registry.

`due(policy, day, anchor)` is what a scheduler asks: what is due for this channel on this
day. Weekly and monthly captures fall on the policy's `day` (a weekday name, or a day of the
month 1-28), else on a day taken from the channel's id, so that a thousand channels do not
all crawl on the same day. Pure: plain data and dates; the profiles are read as files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mgov.errors import MgovError
from mgov.profiles.loader import chain, discover
from mgov.profiles.model import ProfileError

FREQUENCIES = ("daily", "weekly", "monthly", "never")  # most frequent first
CAPTURES = ("homepage", "crawl", "posts")
KEYS = (*CAPTURES, "attachments", "day")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ATTRIBUTE = "capture"


class PolicyError(MgovError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid capture policy:\n  " + "\n  ".join(errors))


@dataclass(frozen=True)
class CapturePolicy:
    homepage: str = "never"
    crawl: str = "never"
    posts: str = "never"
    attachments: bool = False  # the crawl fetches attachments (PDF, DOC/DOCX, XLS/XLSX)
    day: str | int | None = None  # weekly: a weekday name; monthly: 1-28; None: from the channel's id
    sources: dict[str, str] = field(default_factory=dict, compare=False)  # key -> where its value came from

    def as_dict(self) -> dict[str, Any]:
        return {"homepage": self.homepage, "crawl": self.crawl, "posts": self.posts,
                "attachments": self.attachments, "day": self.day, "sources": dict(self.sources)}


WEB = CapturePolicy(homepage="daily", crawl="monthly", attachments=True)
ACCOUNTS = CapturePolicy(posts="daily")
DEFAULTS: dict[str, CapturePolicy] = {
    "website": WEB, "mobile_site": WEB,
    "wechat_account": ACCOUNTS, "weibo_account": ACCOUNTS, "other_social": ACCOUNTS, "mini_program": ACCOUNTS,
    "app_android": CapturePolicy(), "app_ios": CapturePolicy(), "sms": CapturePolicy(),
}


def check(table: Any, where: str) -> list[str]:
    """What is wrong with a [capture] table (or a channel's attribute), each naming where."""
    if not isinstance(table, Mapping):
        return [f"{where}: must be a table of {', '.join(KEYS)}"]
    errors = [f"{where}.{k}: unknown key (allowed: {', '.join(KEYS)})" for k in table if k not in KEYS]
    for key in CAPTURES:
        if key in table and table[key] not in FREQUENCIES:
            errors.append(f"{where}.{key}: {table[key]!r} is not one of {', '.join(FREQUENCIES)}")
    if "attachments" in table and not isinstance(table["attachments"], bool):
        errors.append(f"{where}.attachments: must be true or false")
    day = table.get("day")
    if day is not None and not ((isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 28)
                                or (isinstance(day, str) and day.lower() in WEEKDAYS)):
        errors.append(f"{where}.day: {day!r} is neither a weekday name nor a day of the month 1-28")
    return errors


def _applied(policy: CapturePolicy, table: Mapping[str, Any], source: str, *, most_frequent: bool) -> CapturePolicy:
    changes: dict[str, Any] = {}
    sources = dict(policy.sources)
    for key in KEYS:
        if key not in table:
            continue
        value = table[key].lower() if key == "day" and isinstance(table[key], str) else table[key]
        if (most_frequent and key in CAPTURES and key in sources and sources[key].startswith("profile")
                and FREQUENCIES.index(value) >= FREQUENCIES.index(getattr(policy, key))):
            continue  # another profile asks for it as often or more
        changes[key] = value
        sources[key] = source
    return replace(policy, **changes, sources=sources)


@dataclass(frozen=True)
class ProfileCapture:
    """A profile's [capture] table, with the kinds and jurisdiction it covers."""

    profile: str
    kinds: tuple[str, ...]
    jurisdiction: str | None
    table: dict[str, Any]


def profile_tables(dirs: Iterable[Path] = ()) -> list[ProfileCapture]:
    """Every profile's [capture] table (its extends chain merged, the child's keys last);
    PolicyError listing every bad table."""
    out, errors = [], []
    try:
        index = discover(list(dirs))
    except ProfileError as exc:
        raise PolicyError(exc.errors) from None
    for pid in sorted(index):
        try:
            layers = chain(pid, index)
        except ProfileError as exc:
            errors += exc.errors
            continue
        table: dict[str, Any] = {}
        kinds: tuple[str, ...] = ()
        jurisdiction = None
        for layer_path, data in layers:
            if "capture" in data:
                errors += check(data["capture"], f"{layer_path}: capture")
                if isinstance(data["capture"], Mapping):
                    table.update(data["capture"])
            kinds = tuple(data.get("kinds", kinds))
            jurisdiction = data.get("jurisdiction", jurisdiction)
        if table:
            out.append(ProfileCapture(pid, kinds, jurisdiction, table))
    if errors:
        raise PolicyError(errors)
    return out


def policy_for(kind: str, jurisdiction: str | None, attributes: Mapping[str, Any],
               profiles: list[ProfileCapture]) -> tuple[CapturePolicy, list[str]]:
    """A channel's policy, and what is wrong with its own attribute (then left out)."""
    policy = replace(DEFAULTS.get(kind, CapturePolicy()), sources=dict.fromkeys(KEYS, "mgov default"))
    for p in profiles:
        if kind in p.kinds and (p.jurisdiction is None or p.jurisdiction == jurisdiction):
            policy = _applied(policy, p.table, f"profile {p.profile}", most_frequent=True)
    problems: list[str] = []
    own = attributes.get(ATTRIBUTE)
    if own is not None:
        problems = check(own, f"attribute {ATTRIBUTE}")
        if not problems:
            policy = _applied(policy, own, f"attribute {ATTRIBUTE}", most_frequent=False)
    return policy, problems


def _falls_on(frequency: str, day: dt.date, chosen: str | int | None, anchor: int) -> bool:
    if frequency == "daily":
        return True
    if frequency == "weekly":
        weekday = WEEKDAYS.index(chosen) if isinstance(chosen, str) else anchor % 7
        return day.weekday() == weekday
    if frequency == "monthly":
        return day.day == (chosen if isinstance(chosen, int) else anchor % 28 + 1)
    return False


def due(policy: CapturePolicy, day: dt.date, anchor: int = 0) -> tuple[str, ...]:
    """What is due for a channel with this policy on this day: some of homepage, crawl,
    attachments (with the crawl) and posts. `anchor` (the channel's id) spreads weekly and
    monthly captures over the days when the policy names no day."""
    out = [name for name in CAPTURES if _falls_on(getattr(policy, name), day, policy.day, anchor)]
    if "crawl" in out and policy.attachments:
        out.insert(out.index("crawl") + 1, "attachments")
    return tuple(out)
