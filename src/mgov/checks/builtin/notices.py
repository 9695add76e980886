"""The site's privacy notice, judged on what the crawl found (SiteEvidence.notice, collect.notices):
is there one a visitor can reach (privacy.policy_present), does it say what the law asks, item by
item with the clause that asks it (privacy.policy_complete: content.notice_items), and on US sites
the Privacy Program page at /privacy (privacy.program_page, OMB M-17-06)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.content import SiteCrawlCheck
from mgov.content.notice_items import ITEMS, PROGRAM_ITEMS, Judgement, NoticeItem, judge_items
from mgov.content.notices import chinese_script, speaks_of_privacy
from mgov.evidence.crawl import CrawlEvidence
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.notices import NoticePage, PrivacyNotice
from mgov.evidence.site import SiteEvidence

RDFF = "《App违法违规收集使用个人信息行为认定方法》"


def jurisdiction_of(ev: SiteEvidence, text: str) -> str:
    """The channel's jurisdiction; without one, the text's language decides (Chinese: cn)."""
    return ev.channel.jurisdiction or ("cn" if chinese_script(text) else "us")


def missing_value(j: Judgement) -> list[dict[str, Any]]:
    return [{"item": i.id, "name": i.name_en, "name_zh": i.name_zh, "clauses": list(i.clauses[j.jurisdiction])}
            for i in j.missing]


def missing_messages(items: list[NoticeItem], jurisdiction: str) -> tuple[str, str]:
    en = "; ".join(f"{i.name_en} ({', '.join(i.clauses[jurisdiction])})" for i in items)
    zh = "；".join(f"{i.name_zh}（{'，'.join(i.clauses[jurisdiction])}）" for i in items)
    return en, zh


def page_refs(*pages: NoticePage | None) -> list[Any]:
    return [p.ref for p in pages if p is not None and p.ref is not None]


def unread(check: NoticeCheck, page: NoticePage, what: str, what_zh: str, value: dict[str, Any]) -> Finding | None:
    """The finding for a notice page that could not be read: an error when it may pass (mgov
    looks again), else a failure of the site; None when the page was read."""
    if page.ok:
        return None
    why = page.error or (f"HTTP {page.status}" if page.status else "no text")
    if page.transient:
        return check.finding(Status.ERROR, value, message=f"{what} could not be read: {why}",
                             message_zh=f"{what_zh}无法读取：{why}", evidence=page_refs(page),
                             scan_status=ScanStatus.TIMEOUT if page.status is None else ScanStatus.HTTP_ERROR)
    return check.finding(Status.FAIL, value, message=f"{what} does not answer with a page: {why}",
                         message_zh=f"{what_zh}无法打开：{why}", evidence=page_refs(page))


class NoticeCheck(SiteCrawlCheck):
    """A check of the notice the crawl found: the crawl's own failure is its error. A notice
    found is found however far a cut crawl went: its verdicts stand (whole_site False)."""

    basis = "个人信息保护法 第十七条; GB/T 35273-2020 5.5; OMB M-03-22"
    whole_site: ClassVar[bool] = False

    def judge_site(self, ev: SiteEvidence, crawl: CrawlEvidence, params: dict[str, Any]) -> Finding:
        if ev.notice is None:
            return self.finding(Status.ERROR, message="the crawl did not look for the privacy notice",
                                message_zh="网站抓取未查找隐私政策", scan_status=ScanStatus.UNKNOWN_ERROR)
        return self.judge_notice(ev, crawl, ev.notice, params)

    @abstractmethod
    def judge_notice(self, ev: SiteEvidence, crawl: CrawlEvidence, notice: PrivacyNotice,
                     params: dict[str, Any]) -> Finding:
        """The verdict on the notice of a site the crawl reached."""


class PolicyPresent(NoticeCheck):
    id = "privacy.policy_present"
    title_en = "Privacy policy published and reachable"
    title_zh = "公开隐私政策（个人信息保护政策）且易于访问"
    fix_en = ("Publish a privacy policy and link it from the homepage (in China within four clicks at most), "
              "labelled as one (隐私政策, Privacy Policy).")
    fix_zh = "公开隐私政策（个人信息保护政策），并在首页以“隐私政策”等明确名称设置链接，访问路径不超过4次点击。"
    basis = (f"个人信息保护法 第十七条（以显著方式告知，便于查阅和保存）; {RDFF} 一.1、一.3（不超过4次点击）; "
             "OMB M-03-22 Att. A §III.C (a clearly labelled policy on the principal web site)")
    defaults: ClassVar[dict[str, Any]] = {"max_clicks": 4}

    def judge_notice(self, ev: SiteEvidence, crawl: CrawlEvidence, notice: PrivacyNotice,
                     params: dict[str, Any]) -> Finding:
        link, page = notice.link, notice.policy
        pages = crawl.stats.get("pages_parsed", 0)
        if link is None or page is None:
            value = {"found": False, "pages": pages, "candidates": []}
            if crawl.stopped_by:
                return self.not_reached(crawl, value)
            return self.finding(Status.FAIL, value,
                                message=f"no link to a privacy policy on the {pages} page(s) crawled",
                                message_zh=f"在抓取的 {pages} 个页面中未找到隐私政策链接", evidence=crawl.home_refs)
        value = {"found": True, "url": link.url, "anchor": link.anchor, "linked_from": link.page_url,
                 "clicks": link.clicks, "title": page.title, "final_url": page.final_url,
                 "candidates": [{"url": k.url, "anchor": k.anchor, "clicks": k.clicks} for k in notice.links]}
        if (failed := unread(self, page, f"the privacy policy linked as “{link.anchor}”",
                             f"“{link.anchor}”链接的隐私政策", value)) is not None:
            return failed
        if not speaks_of_privacy(page.text):
            return self.finding(Status.FAIL, value,
                                message=f"no privacy policy: the page linked as “{link.anchor}” says nothing of "
                                        "personal information",
                                message_zh=f"未公开隐私政策：“{link.anchor}”页面未涉及个人信息保护内容",
                                evidence=page_refs(page))
        if link.clicks is not None and link.clicks > params["max_clicks"]:
            return self.finding(Status.FAIL, value,
                                message=f"the privacy policy is {link.clicks} clicks from the homepage "
                                        f"(at most {params['max_clicks']})",
                                message_zh=f"隐私政策需从首页点击 {link.clicks} 次才能到达"
                                           f"（不应超过 {params['max_clicks']} 次）",
                                evidence=page_refs(page))
        return self.finding(Status.PASS, value, evidence=page_refs(page))


class PolicyComplete(NoticeCheck):
    id = "privacy.policy_complete"
    title_en = "Privacy policy complete, item by item"
    title_zh = "隐私政策内容完整（逐项）"
    fix_en = ("Add each item listed to the privacy policy: who processes the information and how to reach them, "
              "purposes, methods, categories, retention, the individual's rights and how to exercise them, and the "
              "items the finding names.")
    fix_zh = ("在隐私政策中逐项补充所列内容：个人信息处理者名称和联系方式、处理目的、处理方式、个人信息种类、保存期限、"
              "个人行使权利的方式和程序、个人信息保护负责人及其联系方式、跨境提供情况、规则变更告知方式等。")
    basis = ("个人信息保护法 第十七条、第二十三条、第三十九条、第五十二条; GB/T 35273-2020 5.5、附录D; "
             f"{RDFF} 一.4、二.1、二.2; E-Government Act of 2002 §208(b); OMB M-03-22 Att. A §III.D; OMB M-10-22")
    # items: the ids to require (empty: every item the jurisdiction asks, content.notice_items)
    defaults: ClassVar[dict[str, Any]] = {"items": []}

    def judge_notice(self, ev: SiteEvidence, crawl: CrawlEvidence, notice: PrivacyNotice,
                     params: dict[str, Any]) -> Finding:
        page = notice.policy
        if page is None or not page.ok or not speaks_of_privacy(page.text):
            if page is not None and page.transient:
                return unread(self, page, "the privacy policy", "隐私政策", {}) or self.finding(Status.ERROR)
            return self.finding(Status.NOT_APPLICABLE, message="no privacy policy to judge (privacy.policy_present)",
                                message_zh="未找到可供评估的隐私政策（见“公开隐私政策”）", evidence=crawl.home_refs)
        return judged(self, page, jurisdiction_of(ev, page.text), ITEMS, params["items"])


def judged(check: NoticeCheck, page: NoticePage, jurisdiction: str, items: tuple[NoticeItem, ...],
           wanted: list[str]) -> Finding:
    """Fail naming each missing item with its clauses; pass when none is missing."""
    j = judge_items(page.text, jurisdiction, items)
    if wanted:
        j.results = [r for r in j.results if r.item.id in wanted]
    value = {"url": page.final_url or page.url, "jurisdiction": jurisdiction, "title": page.title,
             "missing": missing_value(j), "missing_count": len(j.missing),
             "present": [{"item": r.item.id, "excerpt": r.excerpt} for r in j.results if r.present],
             "truncated": page.truncated}
    if j.missing:
        en, zh = missing_messages(j.missing, jurisdiction)
        return check.finding(Status.FAIL, value, message=f"{len(j.missing)} item(s) missing: {en}",
                             message_zh=f"缺少 {len(j.missing)} 项内容：{zh}", evidence=page_refs(page))
    return check.finding(Status.PASS, value, evidence=page_refs(page))


class ProgramPage(NoticeCheck):
    id = "privacy.program_page"
    title_en = "Privacy Program page at /privacy"
    title_zh = "隐私项目页面（/privacy）"
    fix_en = ("Maintain a Privacy Program page at /privacy naming the Senior Agency Official for Privacy and how to "
              "reach them, and linking the privacy policy, the PIAs, the SORNs and how to make a Privacy Act request.")
    fix_zh = ("在 /privacy 设置隐私项目页面，列明隐私事务高级官员及其联系方式，并链接隐私政策、隐私影响评估、"
              "记录系统公告和《隐私法》请求方式。")
    basis = "OMB M-17-06 (Privacy Program page at www.[agency].gov/privacy); OMB M-16-24; Privacy Act of 1974"
    jurisdictions = frozenset({"us"})
    defaults: ClassVar[dict[str, Any]] = {"items": []}

    def judge_notice(self, ev: SiteEvidence, crawl: CrawlEvidence, notice: PrivacyNotice,
                     params: dict[str, Any]) -> Finding:
        page = notice.program
        if page is None:
            return self.finding(Status.ERROR, message="/privacy was not fetched", message_zh="未获取 /privacy 页面",
                                scan_status=ScanStatus.UNKNOWN_ERROR)
        value = {"url": page.url, "final_url": page.final_url, "status": page.status}
        if (failed := unread(self, page, "/privacy (the Privacy Program page)", "/privacy（隐私项目页面）",
                             value)) is not None:
            return failed
        return judged(self, page, "us", PROGRAM_ITEMS, params["items"])


CHECKS = (PolicyPresent, PolicyComplete, ProgramPage)
