"""Bounded per-site aggregates that `SiteContent` keeps: capped finding lists and columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from mgov.content.facts import MAX_FLAGS, ListItem
from mgov.content.rules import ContentRules
from mgov.evidence.content import ConsultLink, ExpressionFinding, FormSeen, LinkFinding

MAX_COLUMNS = 500
MAX_COLUMN_ITEMS = 500  # item URLs remembered per column (the most recent)
MAX_NAV_TARGETS = 5000
MAX_SEEN = 20000  # dedupe keys kept per kind of finding; past it, totals may count repeats

K = TypeVar("K")
V = TypeVar("V")


class Capped(Generic[K, V]):
    """Findings deduplicated by key: the first MAX_FLAGS kept, all distinct ones counted."""

    def __init__(self) -> None:
        self.kept: dict[K, V] = {}
        self.seen: set[K] = set()
        self.total = 0

    def add(self, key: K, value: V) -> V | None:
        """The value kept under key (the earlier one if any), or None when past the cap."""
        if key in self.kept:
            return self.kept[key]
        if key in self.seen:
            return None
        self.total += 1
        if len(self.seen) < MAX_SEEN:
            self.seen.add(key)
        if len(self.kept) < MAX_FLAGS:
            self.kept[key] = value
            return value
        return None


@dataclass
class ColumnAgg:
    url: str
    name: str | None
    column_type: str | None
    depth: int
    first_level: bool = False
    pages: int = 0
    items: int = 0
    dated: int = 0
    undated: int = 0
    last_update: date | None = None
    placeholder: str | None = None
    main_chars: int | None = None
    recent: dict[str, tuple[date | None, str]] = field(default_factory=dict)  # item URL -> (date, title)

    def add_items(self, items: list[ListItem]) -> None:
        for item in items:
            self.recent[item.url] = (item.date, item.title)
        if len(self.recent) > 2 * MAX_COLUMN_ITEMS:  # prune now and then, not on every item
            self.recent = dict(most_recent(self.recent))


def most_recent(recent: dict[str, tuple[date | None, str]]) -> list[tuple[str, tuple[date | None, str]]]:
    """The MAX_COLUMN_ITEMS newest entries, newest first; undated ones count as oldest."""
    return sorted(recent.items(), key=lambda kv: kv[1][0] or date.min, reverse=True)[:MAX_COLUMN_ITEMS]


def norm_url(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


def directory(url: str) -> str:
    # Pages of one column's list (index.html, index_1.html, list.jsp?page=2) share it.
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.netloc.lower()}{parts.path.rsplit('/', 1)[0]}/"


@dataclass
class HomeAgg:
    url: str
    items: int = 0
    dated: int = 0
    latest: date | None = None
    regions: dict[str, str] = field(default_factory=dict)


# A message that may turn out unanswered (no reply, or a late one), judged when the summary
# knows today: (submitted, replied, answered, title, url, page URL).
Waiting = tuple[date, date | None, bool, str, str | None, str]


@dataclass
class SiteAggregates:
    """The folded state of one site's pages: `site.SiteContent` writes it, `judge` reads it."""

    rules: ContentRules
    pages: int = 0
    home: HomeAgg | None = None
    home_nav: set[str] = field(default_factory=set)
    nav_targets: dict[str, str] = field(default_factory=dict)  # URL -> anchor, of every navigation link seen
    columns: dict[tuple[str, str], ColumnAgg] = field(default_factory=dict)
    columns_dropped: int = 0
    # ColumnName -> article directory -> latest PubDate of articles declaring that column
    article_dates: dict[str, dict[str, date]] = field(default_factory=dict)
    article_keys: int = 0
    consult: Capped[str, ConsultLink] = field(default_factory=Capped)
    forms: Capped[str, FormSeen] = field(default_factory=Capped)
    messages_seen: set[tuple[str, date]] = field(default_factory=set)
    messages_total: int = 0
    submitted: dict[date, int] = field(default_factory=dict)  # submission date -> messages, for the window count
    waiting: list[Waiting] = field(default_factory=list)
    expressions: Capped[tuple[str, str], ExpressionFinding] = field(default_factory=Capped)
    bad: Capped[str, LinkFinding] = field(default_factory=Capped)
    hidden: Capped[str, LinkFinding] = field(default_factory=Capped)
