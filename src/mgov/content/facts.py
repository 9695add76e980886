"""What content analysis finds on one page: plain data, no parser objects."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mgov.evidence.content import jsonable

# Per-page caps: a hostile or generated page must not make the facts grow without bound.
MAX_ITEMS = 2000
MAX_MESSAGES = 2000
MAX_FLAGS = 200
MAX_NAV = 500
MAX_FORMS = 50


@dataclass
class NavLink:
    anchor: str
    url: str  # absolute


@dataclass
class ListItem:
    title: str
    url: str  # absolute
    date: date | None  # None: an undated row of a list


@dataclass
class FormFacts:
    action: str  # absolute
    method: str  # lower case, "get" when absent
    field_names: list[str]
    has_textarea: bool


@dataclass
class MessageRow:
    title: str
    url: str | None
    submitted: date | None
    replied: date | None
    # Marked as answered (a reply date, or 已回复 without one); False for 未回复 / 待回复.
    answered: bool = False


@dataclass
class ExpressionHit:
    term: str  # as written in the dictionary
    suggestion: str | None  # None for a forbidden term
    context: str  # at most 40 characters around the hit


@dataclass
class LinkFlag:
    url: str
    anchor: str
    # "bad_keyword" | "bad_domain" (host matched the lists) | "hidden_style" | "hidden_attr"
    reason: str
    detail: str = ""  # the keyword, domain or style declaration that matched


@dataclass
class PageFacts:
    url: str
    title: str | None = None
    column_name: str | None = None  # meta ColumnName
    column_type: str | None = None  # meta ColumnType
    site_name: str | None = None  # meta SiteName
    pub_date: date | None = None
    # An article page (meta ArticleTitle or a publication date and hardly any list rows),
    # so its ColumnName names the column it belongs to, not a column it is.
    is_article: bool = False
    nav: list[NavLink] = field(default_factory=list)
    nav_total: int = 0
    items: list[ListItem] = field(default_factory=list)
    items_total: int = 0
    placeholder: str | None = None
    # Characters (white space excluded) of the main content when the page has no list
    # items; None when it has some (not measured).
    main_chars: int | None = None
    consult_links: list[NavLink] = field(default_factory=list)
    consult_total: int = 0
    forms: list[FormFacts] = field(default_factory=list)
    forms_total: int = 0
    messages: list[MessageRow] = field(default_factory=list)
    messages_total: int = 0
    expressions: list[ExpressionHit] = field(default_factory=list)
    expressions_total: int = 0
    bad_links: list[LinkFlag] = field(default_factory=list)
    bad_links_total: int = 0
    hidden_links: list[LinkFlag] = field(default_factory=list)
    hidden_links_total: int = 0
    # Homepage only: region name -> sha256 hex of its normalised text and link targets.
    regions: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings."""
        out: dict[str, Any] = jsonable(dataclasses.asdict(self))
        return out
