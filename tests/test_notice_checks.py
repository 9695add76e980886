"""The privacy-notice and consent checks on hand-built evidence: each fails on what it is for,
naming it, passes without it, and says error (or not applicable) when it cannot tell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mgov.checks.base import Status
from mgov.checks.builtin.consent import CookiesBeforeConsent, PolicyNamesThirdParties, TrackersOnForms
from mgov.checks.builtin.notices import PolicyComplete, PolicyPresent, ProgramPage
from mgov.content.notices import read_notice
from mgov.evidence.crawl import CrawlEvidence
from mgov.evidence.exchange import ScanStatus, WarcRef
from mgov.evidence.notices import NoticeLink, NoticePage, PrivacyNotice
from mgov.evidence.rendered import PageCookie, PageRequest
from mgov.evidence.site import ChannelFacts, SiteEvidence
from rendered_evidence import NOW, evidence_of, phone, rendering

DATA = Path(__file__).parent / "data" / "privacy_notices"
REF = WarcRef("mgov-1.warc.gz", 200, 300)


def notice_page(name: str | None = None, status: int = 200, **kw: Any) -> NoticePage:
    body = read_notice((DATA / f"{name}.html").read_text(encoding="utf-8")) if name else None
    return NoticePage(url="https://www.example.gov.cn/yszc/", final_url="https://www.example.gov.cn/yszc/",
                      status=status, text=body.text if body else "", title=body.title if body else None, ref=REF,
                      **kw)


def crawled(notice: PrivacyNotice | None, jurisdiction: str = "cn", **crawl: Any) -> SiteEvidence:
    host = "www.example.gov.cn" if jurisdiction == "cn" else "example.gov"
    ev = SiteEvidence(channel=ChannelFacts("website", f"https://{host}", host, jurisdiction), collected_at=NOW)
    ev.crawl = CrawlEvidence(start_url=f"https://{host}/", crawled_on=dt.date(2026, 12, 1),
                             stats={"pages_parsed": 40, **crawl.pop("stats", {})}, **crawl)
    ev.notice = notice
    return ev


def linked(page: NoticePage | None, clicks: int = 1, anchor: str = "隐私政策") -> PrivacyNotice:
    link = NoticeLink("https://www.example.gov.cn/yszc/", anchor, "https://www.example.gov.cn/", clicks, 3)
    return PrivacyNotice("crawl", links=[link], link=link, policy=page)


# --- privacy.policy_present -------------------------------------------------------------

def test_policy_present() -> None:
    check = PolicyPresent()
    ok = check.run(crawled(linked(notice_page("cn_complete"))))
    assert ok.status is Status.PASS and ok.value["clicks"] == 1 and ok.evidence == [REF]
    none = check.run(crawled(PrivacyNotice("crawl")))
    assert none.status is Status.FAIL and "40" in none.message and none.message_zh.startswith("在抓取的 40 个页面")
    cut = check.run(crawled(PrivacyNotice("crawl"), stats={"stopped_by": "time"}))
    assert cut.status is Status.ERROR and cut.scan_status is ScanStatus.INCOMPLETE
    deep = check.run(crawled(linked(notice_page("cn_complete"), clicks=5)))
    assert deep.status is Status.FAIL and "5 clicks" in deep.message
    assert check.run(crawled(linked(notice_page("cn_complete"), clicks=5)), {"max_clicks": 6}).status is Status.PASS
    gone = check.run(crawled(linked(notice_page(status=404))))
    assert gone.status is Status.FAIL and "404" in gone.message
    busy = check.run(crawled(linked(notice_page(status=503, transient=True))))
    assert busy.status is Status.ERROR and busy.recheck
    placeholder = NoticePage(url="https://www.example.gov.cn/yszc/", status=200,
                             text="隐私政策 本页面内容正在更新，敬请关注。")
    empty = check.run(crawled(linked(placeholder)))
    assert empty.status is Status.FAIL and "says nothing of personal information" in empty.message


def test_no_crawl_no_verdict() -> None:
    failed = crawled(None, error=ScanStatus.TIMEOUT, error_detail="the homepage gave timeout")
    assert PolicyPresent().run(failed).status is Status.ERROR
    assert PolicyComplete().run(crawled(None)).status is Status.ERROR  # the notice was not looked for


# --- privacy.policy_complete -------------------------------------------------------------

def test_policy_complete_names_each_missing_item_with_its_clause() -> None:
    finding = PolicyComplete().run(crawled(linked(notice_page("cn_no_officer"))))
    assert finding.status is Status.FAIL
    assert [m["item"] for m in finding.value["missing"]] == ["retention", "officer", "updates"]
    officer = finding.value["missing"][1]
    assert officer["clauses"] == ["个人信息保护法 第五十二条", "GB/T 35273-2020 11.1"]
    assert finding.message.startswith("3 item(s) missing: how long the information is kept (")
    assert "个人信息保护负责人及其联系方式（个人信息保护法 第五十二条" in finding.message_zh
    assert finding.value["missing_count"] == 3 and finding.evidence == [REF]
    complete = PolicyComplete().run(crawled(linked(notice_page("cn_complete"))))
    assert complete.status is Status.PASS and complete.value["missing"] == []
    only = PolicyComplete().run(crawled(linked(notice_page("cn_no_officer"))), {"items": ["controller", "rights"]})
    assert only.status is Status.PASS


def test_policy_complete_us_and_without_a_policy() -> None:
    us = PolicyComplete().run(crawled(linked(notice_page("us_short"), anchor="Privacy Statement"), "us"))
    assert us.status is Status.FAIL and "retention" in [m["item"] for m in us.value["missing"]]
    assert any("E-Government Act" in c for m in us.value["missing"] for c in m["clauses"])
    none = PolicyComplete().run(crawled(PrivacyNotice("crawl")))
    assert none.status is Status.NOT_APPLICABLE


# --- privacy.program_page -----------------------------------------------------------------

def test_program_page() -> None:
    def with_program(page: NoticePage) -> SiteEvidence:
        return crawled(PrivacyNotice("crawl", program=page), "us")

    check = ProgramPage()
    assert check.run(with_program(notice_page("us_program"))).status is Status.PASS
    partial = check.run(with_program(notice_page("us_program_partial")))
    assert partial.status is Status.FAIL and [m["item"] for m in partial.value["missing"]] == ["pias", "sorns",
                                                                                                "requests"]
    missing = check.run(with_program(notice_page(status=404)))
    assert missing.status is Status.FAIL and "/privacy" in missing.message
    assert check.run(crawled(PrivacyNotice("crawl"), "cn")).status is Status.NOT_APPLICABLE  # us only


# --- privacy.cookies_before_consent -------------------------------------------------------

def cookie(name: str, domain: str = "www.example.gov.cn", days: float | None = 365, third: bool = False) -> PageCookie:
    expires = NOW.timestamp() + days * 86400 if days is not None else None
    return PageCookie(name=name, domain=domain, third_party=third, expires=expires)


def test_cookies_before_consent() -> None:
    check = CookiesBeforeConsent()
    tracker = [rendering(cookies=[cookie("Hm_lvt_abc"), cookie("JSESSIONID", days=None)]), phone()]
    found = check.run(evidence_of(tracker))
    assert found.status is Status.FAIL and "Hm_lvt_abc@www.example.gov.cn (Baidu Analytics)" in found.message
    assert {c["name"]: c["kind"] for c in found.value["cookies"]} == {"Hm_lvt_abc": "tracker",
                                                                       "JSESSIONID": "essential"}
    assert all("value" not in c for c in found.value["cookies"])  # names only, never a visitor id
    # us-federal: first-party measurement cookies pass (OMB M-10-22 Tier 2); third-party ones never.
    tier2 = {"first_party_tracker": "pass"}
    assert check.run(evidence_of(tracker, "us"), tier2).status is Status.PASS
    third = [rendering(cookies=[cookie("IDE", ".doubleclick.net", third=True)])]
    assert check.run(evidence_of(third, "us"), tier2).status is Status.FAIL
    unknown = check.run(evidence_of([rendering(cookies=[cookie("visitor")])]))
    assert unknown.status is Status.WARN
    clean = check.run(evidence_of([rendering(cookies=[cookie("JSESSIONID", days=None)]), phone()]))
    assert clean.status is Status.PASS


# --- privacy.trackers_on_forms and privacy.policy_names_third_parties ------------------------

FORM = ('<html><body><form action="/hdjl/submit.do"><label>姓名 <input name="name"></label>'
        '<label>联系电话 <input type="tel" name="phone"></label><textarea name="c"></textarea></form></body></html>')
HOME = '<html><body><form role="search" action="/search"><input type="search" name="q"></form></body></html>'


def request(url: str) -> PageRequest:
    return PageRequest(url, "script", status=200, third_party=not url.startswith("https://www.example.gov.cn"))


def with_forms(home: list[Any], forms: list[Any], notice: PrivacyNotice | None = None) -> SiteEvidence:
    ev = evidence_of(home)
    assert ev.rendered is not None
    ev.rendered.form_pages = forms
    ev.notice = notice
    return ev


def test_trackers_on_forms() -> None:
    check = TrackersOnForms()
    home = [rendering(dom=HOME)]
    form = rendering(dom=FORM, final_url="https://www.example.gov.cn/hdjl/wyxx.html",
                     requests=[request("https://www.example.gov.cn/js/site.js"), request("https://hm.baidu.com/hm.js?1")])
    bad = check.run(with_forms(home, [form]))
    assert bad.status is Status.FAIL and "Baidu Analytics" in bad.message
    assert bad.value["pages"][0]["fields"] == ["name", "phone"]
    clean_form = rendering(dom=FORM, final_url="https://www.example.gov.cn/hdjl/wyxx.html")
    assert check.run(with_forms(home, [clean_form])).status is Status.PASS
    assert check.run(with_forms(home, [])).status is Status.NOT_APPLICABLE
    dap = rendering(dom=FORM, requests=[request("https://dap.digitalgov.gov/Universal-Federated-Analytics-Min.js")])
    assert check.run(with_forms([dap], [])).status is Status.PASS  # government analytics, by default
    assert check.run(with_forms([dap], []), {"government": "fail"}).status is Status.FAIL


def test_policy_names_third_parties() -> None:
    check = PolicyNamesThirdParties()
    home = [rendering(dom=HOME, requests=[request("https://hm.baidu.com/hm.js?1"),
                                          request("https://zfwzgl.www.gov.cn/exposure/jiucuo.js")])]
    policy = NoticePage(url="https://www.example.gov.cn/yszc/", status=200, ref=REF,
                        text="本网站使用百度统计（hm.baidu.com）统计访问量。")
    named = check.run(with_forms(home, [], PrivacyNotice("render", policy=policy)))
    assert named.status is Status.PASS and named.value["named"] == {"Baidu Analytics": "百度统计"}
    silent = NoticePage(url=policy.url, status=200, text="本网站不向第三方提供您的个人信息。")
    unnamed = check.run(with_forms(home, [], PrivacyNotice("render", policy=silent)))
    assert unnamed.status is Status.FAIL and "Baidu Analytics (hm.baidu.com)" in unnamed.message
    assert unnamed.value["unnamed"] == [{"entity": "Baidu Analytics", "hosts": ["hm.baidu.com"]}]
    nothing = check.run(with_forms([rendering(dom=HOME)], [], PrivacyNotice("render")))
    assert nothing.status is Status.PASS
    no_policy = check.run(with_forms(home, [], PrivacyNotice("render")))
    assert no_policy.status is Status.FAIL and "no privacy policy" in no_policy.message
    assert check.run(with_forms(home, [], None)).status is Status.ERROR
