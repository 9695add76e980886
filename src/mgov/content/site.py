"""A site's content, page by page: `SiteContent.add` folds each page's facts into bounded
aggregates (columns, homepage, interaction, red flags) and `summary` judges them against
the indicators and, given the previous crawl's `ContentHistory`, against that crawl.

Memory does not grow with the number of pages: columns, item URLs per column, and every
list of findings are capped; counts go on past the caps."""

from __future__ import annotations

from datetime import date

from mgov.content import judge
from mgov.content.aggregate import (
    MAX_COLUMNS,
    MAX_NAV_TARGETS,
    MAX_SEEN,
    ColumnAgg,
    HomeAgg,
    SiteAggregates,
    directory,
    norm_url,
)
from mgov.content.facts import ExpressionHit, PageFacts
from mgov.content.rules import ContentRules
from mgov.evidence.content import ConsultLink, ContentHistory, ContentSummary, ExpressionFinding, FormSeen, LinkFinding


class SiteContent:
    """Accumulates the content facts of one site's pages."""

    def __init__(self, rules: ContentRules) -> None:
        self.rules = rules
        self.agg = SiteAggregates(rules)

    @property
    def pages(self) -> int:
        return self.agg.pages

    def add(self, facts: PageFacts, *, depth: int, is_home: bool) -> None:
        self.agg.pages += 1
        for link in facts.nav:
            if len(self.agg.nav_targets) < MAX_NAV_TARGETS:
                self.agg.nav_targets.setdefault(norm_url(link.url), link.anchor)
            if is_home and len(self.agg.home_nav) < MAX_NAV_TARGETS:
                self.agg.home_nav.add(norm_url(link.url))
        if is_home:
            self._add_home(facts)
        else:
            self._add_column(facts, depth)
        self._add_interaction(facts, is_home)
        self._add_flags(facts)

    def _add_home(self, facts: PageFacts) -> None:
        home = self.agg.home or HomeAgg(facts.url)
        self.agg.home = home
        home.items += facts.items_total
        dated = [i.date for i in facts.items if i.date is not None]
        home.dated += len(dated)
        if dated:
            home.latest = max([*dated, *([home.latest] if home.latest else [])])
        home.regions = home.regions or dict(facts.regions)

    def _add_column(self, facts: PageFacts, depth: int) -> None:
        name = facts.column_name
        if facts.is_article:
            if name and facts.pub_date is not None:
                by_dir = self.agg.article_dates.setdefault(name, {})
                where = directory(facts.url)
                if where in by_dir:
                    by_dir[where] = max(by_dir[where], facts.pub_date)
                elif self.agg.article_keys < MAX_NAV_TARGETS:
                    by_dir[where] = facts.pub_date
                    self.agg.article_keys += 1
            return
        anchor = self.agg.nav_targets.get(norm_url(facts.url))
        if not name and not (anchor is not None and (facts.items_total or facts.placeholder)):
            return
        key = (name, directory(facts.url)) if name else ("", norm_url(facts.url))
        column = self.agg.columns.get(key)
        if column is None:
            if len(self.agg.columns) >= MAX_COLUMNS:
                self.agg.columns_dropped += 1
                return
            # A column without ColumnName meta goes by the navigation link's text.
            column = self.agg.columns[key] = ColumnAgg(facts.url, name or anchor or None, facts.column_type, depth)
        column.first_level = column.first_level or norm_url(facts.url) in self.agg.home_nav
        column.pages += 1
        column.items += facts.items_total
        for item in facts.items:
            if item.date is None:
                column.undated += 1
            else:
                column.dated += 1
                column.last_update = max(item.date, column.last_update or item.date)
        column.placeholder = column.placeholder or facts.placeholder
        if facts.main_chars is not None:
            column.main_chars = max(facts.main_chars, column.main_chars or 0)
        column.add_items(facts.items)

    def _add_interaction(self, facts: PageFacts, is_home: bool) -> None:
        for link in facts.consult_links:
            kept = self.agg.consult.add(link.url, ConsultLink(link.anchor, link.url, is_home))
            if kept is not None and is_home:
                kept.on_home = True
        for form in facts.forms:
            if form.has_textarea:
                self.agg.forms.add(form.action, FormSeen(facts.url, form.action, form.method, form.field_names))
        for msg in facts.messages:
            if msg.submitted is None:
                continue
            key = (msg.url or msg.title, msg.submitted)
            if key in self.agg.messages_seen:
                continue
            if len(self.agg.messages_seen) < MAX_SEEN:
                self.agg.messages_seen.add(key)
            self.agg.messages_total += 1
            if msg.submitted in self.agg.submitted or len(self.agg.submitted) < MAX_SEEN:
                self.agg.submitted[msg.submitted] = self.agg.submitted.get(msg.submitted, 0) + 1
            late = msg.replied is not None and (msg.replied - msg.submitted).days > self.rules.unanswered_days
            if (late or not msg.answered) and len(self.agg.waiting) < MAX_SEEN:
                self.agg.waiting.append((msg.submitted, msg.replied, msg.answered, msg.title, msg.url, facts.url))

    def _add_flags(self, facts: PageFacts) -> None:
        # The same wording in the same place (a shared footer) is one finding seen on many pages.
        on_page: dict[tuple[str, str], ExpressionHit] = {}
        for hit in facts.expressions:
            on_page.setdefault((hit.term, hit.context), hit)
        for key, hit in on_page.items():
            kept = self.agg.expressions.add(key, ExpressionFinding(hit.term, hit.suggestion, hit.context, facts.url, 0))
            if kept is not None:
                kept.pages += 1
        for flags, capped in ((facts.bad_links, self.agg.bad), (facts.hidden_links, self.agg.hidden)):
            for flag in flags:
                capped.add(flag.url, LinkFinding(flag.url, flag.anchor, flag.reason, flag.detail, facts.url))

    def summary(self, today: date, history: ContentHistory | None = None) -> ContentSummary:
        """The site's content judged on `today`, and against `history` when given."""
        return judge.summarize(self.agg, today, history)
