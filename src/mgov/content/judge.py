"""The judging half of `SiteContent.summary`: aggregates against the indicator thresholds
and against the previous crawl."""

from __future__ import annotations

from datetime import date, timedelta

from mgov.content.aggregate import ColumnAgg, SiteAggregates, directory, most_recent, norm_url
from mgov.content.facts import MAX_FLAGS
from mgov.content.rules import ContentRules, classify_column
from mgov.evidence.content import (
    BackdatedItem,
    ColumnSummary,
    ContentHistory,
    ContentSummary,
    HomeFreshness,
    Interaction,
    UnansweredMessage,
)


def _days(today: date, then: date | None) -> int | None:
    return (today - then).days if then is not None else None


def _article_date(col: ColumnAgg, article_dates: dict[str, dict[str, date]], names: dict[str, int]) -> date | None:
    """The latest PubDate of articles declaring the column's name: those under the column's
    directory (a department's 通知公告 is another column of the same name), or any of them
    when no other column has the name."""
    by_dir = article_dates.get(col.name or "")
    if not by_dir:
        return None
    home = directory(col.url)
    under = [d for where, d in by_dir.items() if where.startswith(home)]
    if under:
        return max(under)
    return max(by_dir.values()) if names.get(col.name or "") == 1 else None


def _column(col: ColumnAgg, today: date, rules: ContentRules, article: date | None,
            home_nav: set[str]) -> ColumnSummary:
    cls = classify_column(col.name or "", col.column_type, rules)
    first_level = col.first_level or norm_url(col.url) in home_nav
    last = col.last_update
    if article is not None:
        last = max(article, last or article)  # its articles' PubDate count as updates too
    days = _days(today, last)
    limit = rules.timely_days.get(cls)
    timely = limit is not None and (cls not in rules.timely_first_level_only or first_level)
    # No dated item while listing undated ones: undated items count as not updated.
    stale = timely and ((days is not None and limit is not None and days > limit)
                        or (last is None and col.undated > 0))
    blank = col.items == 0 and (col.placeholder is not None
                                or (col.main_chars is not None and col.main_chars <= rules.blank_max_chars))
    return ColumnSummary(
        url=col.url, name=col.name, column_type=col.column_type, column_class=cls, first_level=first_level,
        depth=col.depth, pages=col.pages, items=col.items, dated_items=col.dated, last_update=last,
        days_since=days, placeholder=col.placeholder, timely=timely, stale=stale,
        long_unupdated=days is not None and days > rules.long_unupdated_days, blank=blank)


def _interaction(site: SiteAggregates, today: date) -> Interaction:
    rules = site.rules
    start = today - timedelta(days=rules.unanswered_window_days)
    in_window = sum(n for d, n in site.submitted.items() if start <= d <= today)
    unanswered: list[UnansweredMessage] = []
    total = 0
    for submitted, replied, answered, title, url, page_url in site.waiting:
        if not start <= submitted <= today:
            continue
        if replied is not None:
            waited = (replied - submitted).days
        elif not answered:
            waited = (today - submitted).days
        else:
            continue  # marked answered without a date: nothing says it was late
        if waited > rules.unanswered_days:
            total += 1
            if len(unanswered) < MAX_FLAGS:
                unanswered.append(UnansweredMessage(title, url, page_url, submitted, replied, waited))
    consult = list(site.consult.kept.values())
    forms = list(site.forms.kept.values())
    return Interaction(
        has_channel=bool(consult or forms), consult_links=consult, consult_links_total=site.consult.total,
        forms=forms, forms_total=site.forms.total, messages_total=site.messages_total,
        messages_in_window=in_window, unanswered=unanswered, unanswered_total=total)


def _backdated(site: SiteAggregates, history: ContentHistory) -> tuple[list[BackdatedItem], int]:
    """Items new since the previous crawl of a column it saw, dated well before that crawl
    (yet not older than what it saw of that column: those it may simply not have reached)."""
    cutoff = history.crawled_on - timedelta(days=site.rules.backdated_days)
    found: list[BackdatedItem] = []
    total = 0
    for col in site.columns.values():
        before = history.items_by_column.get(col.url)
        if before is None:
            continue
        floor = history.floor_by_column.get(col.url)
        for url, (when, title) in col.recent.items():
            if when is not None and url not in before and when < cutoff and (floor is None or when >= floor):
                total += 1
                if len(found) < MAX_FLAGS:
                    found.append(BackdatedItem(col.url, url, title, when))
    found.sort(key=lambda b: (b.column_url, b.date, b.item_url))
    return found, total


def _history_out(site: SiteAggregates, today: date) -> ContentHistory:
    items: dict[str, set[str]] = {}
    floors: dict[str, date] = {}
    for col in site.columns.values():
        kept = most_recent(col.recent)
        items[col.url] = {url for url, _ in kept}
        if dates := [d for _, (d, _t) in kept if d is not None]:
            floors[col.url] = min(dates)
    home = site.home
    return ContentHistory(today, items, dict(home.regions) if home else {}, floors)


def summarize(site: SiteAggregates, today: date, history: ContentHistory | None) -> ContentSummary:
    rules = site.rules
    home = None
    if site.home is not None:
        h = site.home
        days = _days(today, h.latest)
        home = HomeFreshness(h.url, h.items, h.dated, h.latest, days,
                             fresh=days is not None and days <= rules.home_fresh_days)
    names: dict[str, int] = {}
    for c in site.columns.values():
        names[c.name or ""] = names.get(c.name or "", 0) + 1
    columns = [_column(c, today, rules, _article_date(c, site.article_dates, names), site.home_nav)
               for c in site.columns.values()]
    stale = [c.url for c in columns if c.stale]
    long_unupdated = [c.url for c in columns if c.long_unupdated]
    blank = [c.url for c in columns if c.blank]
    backdated, backdated_total = _backdated(site, history) if history is not None else ([], 0)
    tampered: list[str] = []
    if history is not None and history.home_regions and site.home is not None and site.home.regions:
        old, new = history.home_regions, site.home.regions
        tampered = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    return ContentSummary(
        today=today, pages=site.pages, home=home, columns=columns, columns_dropped=site.columns_dropped,
        stale_timely=stale, long_unupdated=long_unupdated, blank=blank,
        stale_veto=len(stale) >= rules.stale_columns_veto,
        long_unupdated_veto=len(long_unupdated) >= rules.long_unupdated_veto,
        blank_veto=len(blank) >= rules.blank_columns_veto,
        interaction=_interaction(site, today),
        expressions=list(site.expressions.kept.values()), expressions_total=site.expressions.total,
        bad_links=list(site.bad.kept.values()), bad_links_total=site.bad.total,
        hidden_links=list(site.hidden.kept.values()), hidden_links_total=site.hidden.total,
        backdated=backdated, backdated_total=backdated_total, tampered_regions=tampered,
        history_out=_history_out(site, today))
