"""What a pass found of a site's privacy notice: the links that lead to it (their text, their
target, how many clicks from the homepage), the notice page it read (its visible text,
bounded), and on US sites the Privacy Program page at /privacy.

The crawl fills it from every page it read (the 认定方法's four clicks and beyond); the render
pass from the rendered homepage and the pages it links (two clicks), for the checks that
compare the notice with what the page calls. Plain data: the checks judge it
(checks.builtin.notices, checks.builtin.consent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mgov.evidence.exchange import WarcRef

LINKS_KEPT = 10


@dataclass(frozen=True)
class NoticeLink:
    url: str
    anchor: str
    page_url: str  # the page that links to it
    clicks: int | None  # from the homepage (1: linked from it); None: not known
    score: int  # content.notices.classify_link: 3 names a policy, 2 privacy, 1 the URL or a site statement


@dataclass
class NoticePage:
    """A notice page as read (the first 100,000 characters of its visible text)."""

    url: str
    final_url: str | None = None
    status: int | None = None  # the HTTP status; None: no answer
    error: str | None = None  # why nothing was read (a timeout, a refused address...)
    title: str | None = None
    lang: str | None = None  # <html lang>
    headings: list[str] = field(default_factory=list)
    text: str = ""
    truncated: bool = False
    transient: bool = False  # the failure may pass (a timeout, a reset, a 5xx): worth a second look
    ref: WarcRef | None = None  # the archived answer

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and bool(self.text.strip())


@dataclass
class PrivacyNotice:
    source: str  # "crawl" or "render": which pass looked
    links: list[NoticeLink] = field(default_factory=list)  # candidates, best first (at most LINKS_KEPT)
    link: NoticeLink | None = None  # the one whose page was read
    policy: NoticePage | None = None
    program: NoticePage | None = None  # us: /privacy as fetched (the Privacy Program page)
