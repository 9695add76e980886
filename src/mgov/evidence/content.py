"""What a site's content adds up to (`ContentSummary`) and what the next crawl of the same
channel needs to remember (`ContentHistory`). Plain data; `as_dict` gives JSON."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class ContentHistory:
    crawled_on: date
    items_by_column: dict[str, set[str]] = field(default_factory=dict)  # column URL -> item URLs
    home_regions: dict[str, str] = field(default_factory=dict)
    # Per column, the oldest item date the crawl kept: the item set is complete from that date
    # on, so an item older than it was not seen for lack of reach, not because it was new.
    floor_by_column: dict[str, date] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(dataclasses.asdict(self))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContentHistory:
        """The inverse of as_dict."""
        return cls(crawled_on=date.fromisoformat(data["crawled_on"]),
                   items_by_column={k: set(v) for k, v in (data.get("items_by_column") or {}).items()},
                   home_regions=dict(data.get("home_regions") or {}),
                   floor_by_column={k: date.fromisoformat(v) for k, v in (data.get("floor_by_column") or {}).items()})


@dataclass
class HomeFreshness:
    url: str
    items: int
    dated_items: int
    latest: date | None
    days_since: int | None
    fresh: bool  # a dated item within home_fresh_days; undated items count as not updated


@dataclass
class ColumnSummary:
    url: str
    name: str | None
    column_type: str | None
    column_class: str
    first_level: bool  # linked from the homepage navigation
    depth: int
    pages: int
    items: int
    dated_items: int
    last_update: date | None
    days_since: int | None
    placeholder: str | None
    timely: bool  # judged for timeliness (its class, and first level where the rules ask)
    stale: bool
    long_unupdated: bool
    blank: bool


@dataclass
class ConsultLink:
    anchor: str
    url: str
    on_home: bool


@dataclass
class FormSeen:
    page_url: str
    action: str
    method: str
    field_names: list[str]


@dataclass
class UnansweredMessage:
    title: str
    url: str | None
    page_url: str
    submitted: date
    replied: date | None
    days_waiting: int  # to the reply, or to today when there is none


@dataclass
class Interaction:
    has_channel: bool  # a consultation link or a form with a free-text field was seen
    consult_links: list[ConsultLink]
    consult_links_total: int
    forms: list[FormSeen]  # forms with a textarea
    forms_total: int
    messages_total: int
    messages_in_window: int
    unanswered: list[UnansweredMessage]
    unanswered_total: int


@dataclass
class ExpressionFinding:
    term: str
    suggestion: str | None
    context: str
    page_url: str  # the first page it was seen on
    pages: int


@dataclass
class LinkFinding:
    url: str
    anchor: str
    reason: str
    detail: str
    page_url: str  # the first page it was seen on


@dataclass
class BackdatedItem:
    column_url: str
    item_url: str
    title: str
    date: date


@dataclass
class ContentSummary:
    today: date
    pages: int
    home: HomeFreshness | None
    columns: list[ColumnSummary]
    columns_dropped: int  # columns past the cap, not tracked
    stale_timely: list[str]  # column URLs
    long_unupdated: list[str]
    blank: list[str]
    stale_veto: bool
    long_unupdated_veto: bool
    blank_veto: bool
    interaction: Interaction
    expressions: list[ExpressionFinding]
    expressions_total: int
    bad_links: list[LinkFinding]
    bad_links_total: int
    hidden_links: list[LinkFinding]
    hidden_links_total: int
    backdated: list[BackdatedItem]
    backdated_total: int
    tampered_regions: list[str]  # homepage regions whose hash changed since the last crawl
    history_out: ContentHistory  # for the next crawl; not part of as_dict

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, dates as ISO strings; history_out is left out (see its own as_dict)."""
        out: dict[str, Any] = jsonable({f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                                        if f.name != "history_out"})
        return out


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def jsonable(value: Any) -> Any:
    """value with dates turned into ISO strings and sets/tuples into lists, recursively."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    return value
