"""Crawl checks of interaction (互动交流) and content red flags.

Red flags are candidates for a human reviewer, never an automatic veto: they warn, and the
value lists what to look at and where."""

from __future__ import annotations

import dataclasses
from typing import Any

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.content import LISTED, CrawlCheck
from mgov.evidence.content import ContentSummary
from mgov.evidence.crawl import CrawlEvidence


def _plain(items: list[Any]) -> list[dict[str, Any]]:
    rows = [dataclasses.asdict(i) for i in items[:LISTED]]
    for row in rows:
        for k, v in row.items():
            if hasattr(v, "isoformat"):
                row[k] = v.isoformat()
    return rows


class InteractionChannel(CrawlCheck):
    id = "interaction.channel"
    title_en = "Working consultation channel"
    title_zh = "互动交流渠道可用"
    fix_en = "Offer a consultation or message channel (留言, 信箱, contact form) and keep its form working."
    fix_zh = "开设咨询、留言、信箱等互动渠道，并确保提交功能正常。"

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        i = content.interaction
        targets = [{"page": t.page_url, "action": t.action, "method": t.method, "outcome": t.outcome,
                    "status": t.status} for t in crawl.form_targets]
        value = {"consult_links": _plain(i.consult_links), "forms": i.forms_total, "form_targets": targets}
        refs = [*crawl.home_refs, *(t.ref for t in crawl.form_targets if t.ref is not None)]
        if not i.has_channel:
            if crawl.stopped_by:  # the channel may be on a page the crawl did not reach
                return self.not_reached(crawl, value)
            return self.finding(Status.FAIL, value, message="no consultation or message channel found",
                                message_zh="未发现咨询、留言等互动交流渠道", evidence=refs)
        broken = [t for t in crawl.form_targets if not t.works]
        if crawl.form_targets and len(broken) == len(crawl.form_targets):
            t = broken[0]
            return self.finding(Status.FAIL, value,
                                message=f"the consultation form does not work: {t.action} gave {t.outcome}"
                                        + (f" ({t.status})" if t.status else ""),
                                message_zh=f"互动表单不可用：{t.action} 返回 {t.status or t.outcome}", evidence=refs)
        return self.finding(Status.PASS, value, evidence=refs)


class InteractionUnanswered(CrawlCheck):
    id = "interaction.unanswered"
    title_en = "Messages answered within 3 months"
    title_zh = "留言办理（三个月内答复）"
    fix_en = "Answer every public message; none may wait over 90 days (within the past year)."
    fix_zh = "及时答复公众留言，近一年内不得有超过 3 个月未答复的留言。"

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        i = content.interaction
        value = {"messages": i.messages_total, "in_window": i.messages_in_window,
                 "unanswered": _plain(i.unanswered), "unanswered_total": i.unanswered_total}
        return self.flagged(crawl, i.unanswered_total, Status.FAIL, value,
                            f"{i.unanswered_total} message(s) waited over 90 days for an answer",
                            f"{i.unanswered_total} 条留言超过 3 个月未答复")


class Expressions(CrawlCheck):
    id = "content.expressions"
    title_en = "Wrong or forbidden expressions (for review)"
    title_zh = "严重表述错误（待人工复核）"
    fix_en = "Review each expression listed and correct the page; add false alarms to the rules' exceptions."
    fix_zh = "逐条人工复核所列表述并更正页面；误报可在规则中排除。"

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        value = {"expressions": _plain(content.expressions), "total": content.expressions_total}
        return self.flagged(crawl, content.expressions_total, Status.WARN, value,
                            f"{content.expressions_total} expression(s) to review",
                            f"{content.expressions_total} 处表述待复核")


class BadLinks(CrawlCheck):
    id = "content.bad_links"
    title_en = "Links to gambling or adult sites, hidden links (for review)"
    title_zh = "违规链接与暗链（待人工复核）"
    fix_en = "Remove links to gambling or adult sites and hidden links; check the site for compromise."
    fix_zh = "删除指向赌博、色情等网站的链接和隐藏链接（暗链），并排查网站是否被入侵。"

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        value = {"bad_links": _plain(content.bad_links), "bad_total": content.bad_links_total,
                 "hidden_links": _plain(content.hidden_links), "hidden_total": content.hidden_links_total}
        return self.flagged(crawl, content.bad_links_total + content.hidden_links_total, Status.WARN, value,
                            f"{content.bad_links_total} link(s) to suspect sites, {content.hidden_links_total} hidden",
                            f"{content.bad_links_total} 个可疑网站链接，{content.hidden_links_total} 个暗链")


class Backdated(CrawlCheck):
    id = "content.backdated"
    title_en = "Items dated long before they appeared (for review)"
    title_zh = "疑似伪造发稿日期（待人工复核）"
    fix_en = "Date items when they are published; review the items listed."
    fix_zh = "信息应按实际发布日期标注；请复核所列条目。"

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        value = {"compared": crawl.compared, "items": _plain(content.backdated), "total": content.backdated_total}
        return self.flagged(crawl, content.backdated_total, Status.WARN, value,
                            f"{content.backdated_total} new item(s) carry dates well before the last crawl",
                            f"{content.backdated_total} 条新增信息的发布日期明显早于上次抓取")


class Tampering(CrawlCheck):
    id = "content.tampering"
    title_en = "Homepage changed outside its changing areas (for review)"
    title_zh = "首页疑似被篡改（待人工复核）"
    fix_en = "Confirm the change of the regions listed was intended; if not, restore the site and investigate."
    fix_zh = "确认所列区域的变化是否为正常改版；如非，请恢复网站并排查入侵。"
    whole_site = False  # the homepage's regions

    def judge(self, crawl: CrawlEvidence, content: ContentSummary, params: dict[str, Any]) -> Finding:
        value = {"compared": crawl.compared, "regions": list(content.tampered_regions)}
        return self.flagged(crawl, len(content.tampered_regions), Status.WARN, value,
                            f"homepage regions changed since the last crawl: {', '.join(content.tampered_regions)}",
                            f"首页以下区域自上次抓取后发生变化：{'、'.join(content.tampered_regions)}")
