"""Crawl checks of links and content: dead links, homepage freshness, stale and blank columns.

They read the crawl pass's evidence (mgov.evidence.crawl.CrawlEvidence) and so run under
`mgov crawl`. The thresholds are China's 2019 inspection indicators (单项否决): they live in
the content rules (mgov.content.rules), which configuration and channels can override.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from mgov.checks.base import Check, Finding, Status
from mgov.evidence.content import ContentSummary
from mgov.evidence.crawl import CrawlEvidence
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.site import CRAWL_KEY, SiteEvidence

LISTED = 50  # entries listed in a finding's value; the tables hold the rest
BUDGETS = {"time": ("time budget", "时间预算"), "bytes": ("size budget", "数据量预算")}


class SiteCrawlCheck(Check):
    """A check of the crawl pass: the crawl's own failure is its error finding, and a crawl a
    budget cut short (CrawlEvidence.stopped_by) cannot clear a check that reads the whole site:
    what it did not reach may hold the defect, so such a verdict is not assessed. judge_site
    gives the verdict on a crawl that reached the site, from all of the site's evidence."""

    needs = frozenset({CRAWL_KEY})
    basis = "China 2019 government website inspection indicators (政府网站与政务新媒体检查指标)"
    whole_site: ClassVar[bool] = True  # False: the verdict reads the homepage alone
    # The verdicts that say the site is clear of the defect (a warn below a veto threshold
    # counts as met in an assessment): those a cut crawl has not earned.
    clear: ClassVar[frozenset[Status]] = frozenset({Status.PASS})

    def evaluate(self, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        crawl = ev.crawl
        if not isinstance(crawl, CrawlEvidence):
            return self.finding(Status.ERROR, message="the site was not crawled", message_zh="未抓取该网站",
                                scan_status=ScanStatus.UNKNOWN_ERROR)
        if crawl.error is not None:
            return self.crawl_failed(crawl)
        finding = self.judge_site(ev, crawl, params)
        if crawl.stopped_by and self.whole_site and finding.status in self.clear:
            finding = self.not_reached(crawl, finding.value)
        if crawl.moved and isinstance(finding.value, dict):
            # Said on every verdict: the site was read where it is served, not where registered.
            finding.value = {**finding.value, "start_url": crawl.start_url, "registered_url": crawl.registered_url}
        return finding

    @abstractmethod
    def judge_site(self, ev: SiteEvidence, crawl: CrawlEvidence, params: dict[str, Any]) -> Finding:
        """The verdict on a crawl that did not fail."""

    def crawl_failed(self, crawl: CrawlEvidence) -> Finding:
        detail = crawl.error_detail or "no page could be read"
        return self.finding(Status.ERROR, {"start_url": crawl.start_url}, message=f"crawl failed: {detail}",
                            message_zh=f"网站抓取失败：{detail}", evidence=crawl.home_refs,
                            scan_status=crawl.error or ScanStatus.UNKNOWN_ERROR)

    def not_reached(self, crawl: CrawlEvidence, value: Any) -> Finding:
        """Not assessed: the crawl stopped at a budget before it had read the whole site."""
        en, zh = BUDGETS.get(crawl.stopped_by or "", (f"{crawl.stopped_by} budget", f"{crawl.stopped_by} 预算"))
        pages = crawl.stats.get("pages_parsed", 0)
        return self.finding(Status.ERROR, value,
                            message=f"not assessed: the crawl stopped at its {en} after {pages} page(s), "
                                    "before it had read the whole site this check needs",
                            message_zh=f"未评估：网站抓取达到{zh}后停止（已读 {pages} 页），"
                                       "未覆盖本项检查所需的全站页面",
                            evidence=crawl.home_refs, scan_status=ScanStatus.INCOMPLETE)

    def flagged(self, crawl: CrawlEvidence, count: int, status: Status, value: Any, message: str,
                message_zh: str) -> Finding:
        """status with the messages when count is not 0, else pass; on the homepage's evidence."""
        if count:
            return self.finding(status, value, message=message, message_zh=message_zh, evidence=crawl.home_refs)
        return self.finding(Status.PASS, value, evidence=crawl.home_refs)



class CrawlCheck(SiteCrawlCheck):
    """A crawl check that reads the crawl's content summary alone."""

    def judge_site(self, ev: SiteEvidence, crawl: CrawlEvidence, params: dict[str, Any]) -> Finding:
        if crawl.content is None:
            return self.crawl_failed(crawl)
        return self.judge(crawl, crawl.content, params)

    @abstractmethod
    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        """The verdict on a crawl that reached the site; content is its content summary."""

class DeadLinks(CrawlCheck):
    id = "links.dead"
    title_en = "Dead links"
    title_zh = "错链断链"
    fix_en = "Repair or remove each link listed, starting with those on the homepage."
    fix_zh = "逐一修复或删除所列链接，首页链接优先。"
    basis = ("China 2019 indicators (首页链接不可用 1 分/个, 其他页面 0.1 分/个); "
             "Federal Website Standards (links work)")

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        counts = crawl.counts
        dead = [{"url": d.url, "outcome": d.outcome, "status": d.status, "detail": d.detail,
                 "on_homepage": d.home_count > 0, "pages": d.home_count + d.other_count,
                 "sources": [{"url": s, "anchor": a, "homepage": h} for s, a, h in d.sources[:5]]}
                for d in crawl.dead_links[:LISTED]]
        value = {"pages": crawl.stats.get("pages_parsed", 0), "targets": counts.get("targets", 0),
                 "dead": counts.get("dead", 0), "dead_home": counts.get("dead_home", 0),
                 "dead_other": counts.get("dead_other", 0), "links": dead,
                 "complete": not crawl.stopped_by, "stopped_by": crawl.stopped_by,
                 # The crawl's length: the site's time (what max_seconds bounds) and the wall clock's.
                 "site_seconds": crawl.stats.get("site_seconds"), "seconds": crawl.stats.get("elapsed")}
        if not counts.get("dead"):
            return self.finding(Status.PASS, value, evidence=crawl.home_refs)
        n, home = counts["dead"], counts.get("dead_home", 0)
        return self.finding(Status.FAIL, value, message=f"{n} dead link target(s), {home} of them on the homepage",
                            message_zh=f"发现 {n} 个不可用链接，其中首页 {home} 个",
                            evidence=[*crawl.home_refs, *crawl.dead_refs])


class HomepageFresh(CrawlCheck):
    id = "content.homepage_fresh"
    title_en = "Homepage updated within 14 days"
    title_zh = "首页更新（两周内）"
    fix_en = "Publish dated items on the homepage (news, notices) at least every two weeks."
    fix_zh = "首页动态、要闻等栏目至少每两周更新，并标注发布日期。"
    whole_site = False  # the homepage's items

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        home = content.home
        if home is None:
            return self.finding(Status.ERROR, message="the homepage was not analysed", message_zh="首页未能分析",
                                evidence=crawl.home_refs, scan_status=ScanStatus.UNKNOWN_ERROR)
        value = {"latest": home.latest.isoformat() if home.latest else None, "days_since": home.days_since,
                 "items": home.items, "dated_items": home.dated_items}
        if home.fresh:
            return self.finding(Status.PASS, value, evidence=crawl.home_refs)
        if home.latest is None:
            return self.finding(Status.FAIL, value, message=f"no dated item on the homepage ({home.items} undated)",
                                message_zh=f"首页信息均未标注日期（{home.items} 条），视为未更新",
                                evidence=crawl.home_refs)
        return self.finding(Status.FAIL, value, message=f"newest homepage item is {home.days_since} days old "
                                                        f"({home.latest.isoformat()})",
                            message_zh=f"首页最新信息已 {home.days_since} 天未更新（{home.latest.isoformat()}）",
                            evidence=crawl.home_refs)


def _columns(content: ContentSummary, urls: list[str]) -> list[dict[str, Any]]:
    by_url = {c.url: c for c in content.columns}
    out = []
    for url in urls[:LISTED]:
        c = by_url.get(url)
        out.append({"url": url, "name": c.name if c else None, "class": c.column_class if c else None,
                    "last_update": c.last_update.isoformat() if c and c.last_update else None,
                    "days_since": c.days_since if c else None, "items": c.items if c else None,
                    "placeholder": c.placeholder if c else None})
    return out


class ColumnsStale(CrawlCheck):
    id = "content.columns_stale"
    title_en = "Columns kept up to date"
    title_zh = "栏目更新"
    fix_en = ("Update news columns every two weeks and first-level notice and policy columns every six "
              "months; merge or close columns nobody updates.")
    fix_zh = "动态、要闻类栏目两周内更新，通知公告、政策文件类一级栏目六个月内更新；长期不更新的栏目应整合或关停。"
    clear = frozenset({Status.PASS, Status.WARN})  # a warn: stale columns seen, but fewer than the veto's

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        value = {"columns": len(content.columns), "stale": _columns(content, content.stale_timely),
                 "long_unupdated": _columns(content, content.long_unupdated)}
        if content.stale_veto or content.long_unupdated_veto:
            return self.finding(Status.FAIL, value,
                                message=f"{len(content.stale_timely)} timely column(s) stale, "
                                        f"{len(content.long_unupdated)} not updated for over a year",
                                message_zh=f"{len(content.stale_timely)} 个时效性栏目未及时更新，"
                                           f"{len(content.long_unupdated)} 个栏目超过一年未更新",
                                evidence=crawl.home_refs)
        if content.stale_timely or content.long_unupdated:
            return self.finding(Status.WARN, value,
                                message=f"{len(content.stale_timely) + len(content.long_unupdated)} column(s) "
                                        "not updated in time (below the veto threshold)",
                                message_zh="部分栏目未及时更新（未达单项否决标准）", evidence=crawl.home_refs)
        return self.finding(Status.PASS, value, evidence=crawl.home_refs)


class ColumnsBlank(CrawlCheck):
    id = "content.columns_blank"
    title_en = "No blank columns"
    title_zh = "空白栏目"
    fix_en = "Fill or remove columns that show no content or placeholders such as 暂无信息."
    fix_zh = "充实或删除无内容或显示“暂无信息”“正在建设中”等的栏目。"
    clear = frozenset({Status.PASS, Status.WARN})  # a warn: blank columns seen, but fewer than the veto's

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        value = {"columns": len(content.columns), "blank": _columns(content, content.blank)}
        if content.blank_veto:
            return self.finding(Status.FAIL, value, message=f"{len(content.blank)} blank column(s)",
                                message_zh=f"{len(content.blank)} 个空白栏目", evidence=crawl.home_refs)
        if content.blank:
            return self.finding(Status.WARN, value,
                                message=f"{len(content.blank)} blank column(s) (below the veto threshold)",
                                message_zh=f"{len(content.blank)} 个空白栏目（未达单项否决标准）",
                                evidence=crawl.home_refs)
        return self.finding(Status.PASS, value, evidence=crawl.home_refs)
