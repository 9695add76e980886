"""The privacy-notice rules on realistic notices (tests/data/privacy_notices, written for these
tests): each missing item named, nothing on complete notices; the links that lead to a notice;
the notice's text without the site's chrome; Simplified and Traditional Chinese; forms that ask
for personal data; the tracker lists and cookie names."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgov.content.cookies import classify_cookie
from mgov.content.notice_items import ITEMS, PROGRAM_ITEMS, judge_items
from mgov.content.notice_rules import Rule, fold, holds
from mgov.content.notices import chinese_script, classify_link, notice_links, read_notice
from mgov.content.personal_forms import form_links, personal_forms
from mgov.content.trackers import LISTS, classify_host, named_in

DATA = Path(__file__).parent / "data" / "privacy_notices"
CN_ALL = {"controller", "purposes", "methods", "categories", "retention", "rights", "officer", "sharing",
          "security", "cross_border", "complaints", "updates", "zh_simplified"}
US_ALL = {"controller", "purposes", "methods", "categories", "retention", "rights", "sharing", "consent",
          "security", "tracking"}


def text(name: str) -> str:
    return read_notice((DATA / f"{name}.html").read_text(encoding="utf-8")).text


@pytest.mark.parametrize(("name", "jurisdiction", "missing"), [
    ("cn_complete", "cn", []),
    # The short 隐私声明 many government sites carry: a promise of confidentiality and its exceptions.
    ("cn_typical_statement", "cn", ["controller", "purposes", "retention", "rights", "officer", "cross_border",
                                    "complaints", "updates"]),
    ("cn_no_officer", "cn", ["retention", "officer", "updates"]),
    ("us_complete", "us", []),
    ("us_short", "us", ["controller", "retention", "rights", "sharing", "consent", "security", "tracking"]),
])
def test_each_missing_item_is_named_and_nothing_on_complete_notices(name: str, jurisdiction: str,
                                                                    missing: list[str]) -> None:
    judged = judge_items(text(name), jurisdiction)
    assert [i.id for i in judged.missing] == missing
    assert {r.item.id for r in judged.results} == (CN_ALL if jurisdiction == "cn" else US_ALL)
    for item in judged.missing:  # each with the clause that requires it
        assert item.clauses[jurisdiction] and all(item.clauses[jurisdiction])
    assert all(r.excerpt for r in judged.results if r.present)


def test_clauses_name_the_law() -> None:
    by_id = {i.id: i for i in ITEMS}
    assert by_id["officer"].clauses["cn"][0] == "个人信息保护法 第五十二条"
    assert by_id["retention"].clauses["cn"][0] == "个人信息保护法 第十七条第一款第（二）项"
    assert "us" not in by_id["officer"].clauses and "us" not in by_id["cross_border"].clauses
    assert any("M-10-22" in c for c in by_id["tracking"].clauses["us"])
    assert all("M-17-06" in i.clauses["us"][0] for i in PROGRAM_ITEMS)


def test_a_notice_in_traditional_chinese_lacks_the_simplified_version() -> None:
    simplified = text("cn_complete")
    pairs = str.maketrans("个们这资讯隐护权联与于为会时说将处经关网务电话邮号体据际应对问题请读开发内还从条过",
                          "個們這資訊隱護權聯與於為會時說將處經關網務電話郵號體據際應對問題請讀開發內還從條過")
    traditional = simplified.translate(pairs)
    assert chinese_script(simplified) == "simplified" and chinese_script(traditional) == "traditional"
    assert [i.id for i in judge_items(traditional, "cn").missing] == ["zh_simplified"]
    # An English-only notice on a Chinese site has no Simplified Chinese version either.
    assert "zh_simplified" in [i.id for i in judge_items(text("us_complete"), "cn").missing]


def test_program_page_items() -> None:
    assert judge_items(text("us_program"), "us", PROGRAM_ITEMS).missing == []
    assert [i.id for i in judge_items(text("us_program_partial"), "us", PROGRAM_ITEMS).missing] == [
        "pias", "sorns", "requests"]


def test_the_notice_text_leaves_out_the_sites_chrome() -> None:
    page = read_notice((DATA / "cn_typical_statement.html").read_text(encoding="utf-8"))
    # The footer's 主办单位 and phone number are not the notice's: the controller item stays missing.
    assert "主办单位" not in page.text and "010-66001234" not in page.text
    assert page.title == "隐私声明-某某区人民政府网" and page.lang == "zh-CN"
    complete = read_notice((DATA / "cn_complete.html").read_text(encoding="utf-8"))
    assert "网站标识码" not in complete.text and "四、个人信息的保存期限" in complete.headings
    assert read_notice("<html><body>" + "长" * 200_000 + "</body></html>").truncated


def test_categories_are_a_list_not_a_contact_line() -> None:
    rule = next(i for i in ITEMS if i.id == "categories").rules[0]
    assert holds(rule, fold("我们会收集您的姓名、手机号码和身份证号码。")) is not None
    assert holds(rule, fold("联系电话：010-66001234；电子邮箱：a@b.gov.cn；通讯地址：某某路1号")) is None
    assert holds(Rule(distinct=(("a", "b"), 2), window=5), "a.......b") is None
    assert holds(Rule(distinct=(("a", "b"), 2), window=5), "a...b") is not None


@pytest.mark.parametrize(("anchor", "url", "score"), [
    ("隐私政策", "/privacy.html", 3), ("隐私声明", "/wzgl/yssm.html", 3), ("个人信息保护政策", "/x.html", 3),
    ("Privacy Policy", "/privacy", 3), ("Privacy and Security Notice", "/site-policies/notice.html", 3),
    ("隐私保护", "/x", 2), ("Privacy", "/privacy", 2), ("Privacy Program", "/privacy", 1),
    ("网站声明", "/wzsm.html", 1), ("", "/yszc/index.html", 1), ("Privacy Act Requests", "/foia/pa", 0),
    ("关于我们", "/about.html", 0), ("Contact Us", "/contact", 0),
])
def test_links_to_a_notice(anchor: str, url: str, score: int) -> None:
    assert classify_link(anchor, url) == score


def test_notice_links_of_a_page_best_first() -> None:
    html = ('<a href="/wzsm/">网站声明</a><a href="/yszc/">隐私政策</a><a href="mailto:x@y.cn">隐私</a>'
            '<a href="/yszc/#top">隐私</a>')
    found = notice_links(html, "https://www.example.gov.cn/")
    assert [(k.url, k.score) for k in found] == [("https://www.example.gov.cn/yszc/", 3),
                                                 ("https://www.example.gov.cn/wzsm/", 1)]


def test_forms_that_ask_for_personal_data() -> None:
    page = ('<form role="search" action="/search"><input type="search" name="q"></form>'
            '<form action="/hdjl/submit.do" method="post"><label>姓名 <input name="name"></label>'
            '<label for="t">联系电话</label><input id="t" name="t1"><input type="hidden" name="token">'
            '<textarea name="content"></textarea></form>'
            '<form action="/login"><input name="user"><input type="password" name="pw"></form>'
            '<form action="/vote"><input type="radio" name="v"></form>')
    found = personal_forms(page, "https://www.example.gov.cn/hdjl/wyxx.html")
    assert [(f.action, f.fields) for f in found] == [
        ("https://www.example.gov.cn/hdjl/submit.do", ["name", "phone"]),
        ("https://www.example.gov.cn/login", ["password"])]
    assert personal_forms('<form><input type="email" name="e"><input name="ssn" placeholder="SSN"></form>',
                          "https://x.gov/") [0].fields == ["email", "id_number"]
    links = form_links('<a href="/hdjl/">互动交流</a><a href="https://other.example/">在线咨询</a>'
                       '<a href="/news/">News</a><a href="/feedback/form.html">Ask a question</a><a href="/">留言</a>',
                       "https://www.example.gov.cn/")
    assert links == ["https://www.example.gov.cn/hdjl/", "https://www.example.gov.cn/feedback/form.html"]


@pytest.mark.parametrize(("host", "entity", "category", "source"), [
    ("hm.baidu.com", "Baidu Analytics", "analytics", "third-party-web"),
    ("www.googletagmanager.com", "Google Tag Manager", "tag-manager", "third-party-web"),
    ("ssl.google-analytics.com", "Google Analytics", "analytics", "third-party-web"),
    ("connect.facebook.net", "Facebook", "social", "third-party-web"),
    ("s4.cnzz.com", "CNZZ (友盟+)", "analytics", "mgov"),
    ("dap.digitalgov.gov", "Digital Analytics Program (DAP)", "analytics", "mgov"),
    ("alog.umeng.com", "Umeng (友盟+)", "analytics", "mgov"),
    ("script.crazyegg.com", "Crazy Egg", "analytics", "third-party-web"),
])
def test_hosts_classified_by_the_bundled_lists(host: str, entity: str, category: str, source: str) -> None:
    party = classify_host(host)
    assert party is not None and (party.entity, party.category, party.source) == (entity, category, source)
    assert party.tracker


def test_exodus_network_signatures_and_unknown_hosts() -> None:
    party = classify_host("sdk.adjust.com")  # no third-party-web entry, an Exodus network signature
    assert party is not None and party.source == "exodus" and party.tracker
    assert classify_host("zfwzgl.www.gov.cn") is None and classify_host("www.example.gov.cn") is None
    fonts = classify_host("fonts.googleapis.com")
    assert fonts is not None and not fonts.tracker  # a CDN is a third party, not a tracker
    assert set(LISTS) == {"third-party-web", "exodus"} and all(d == "2026-11-26" for _, _, d in LISTS.values())


def test_a_policy_names_a_tracker() -> None:
    baidu = classify_host("hm.baidu.com")
    assert baidu is not None
    assert named_in(baidu, "hm.baidu.com", "本网站使用百度统计分析访问量") == "百度统计"
    assert named_in(baidu, "hm.baidu.com", "we use Baidu Analytics") == "Baidu Analytics"
    assert named_in(baidu, "hm.baidu.com", "统计服务由 hm.baidu.com 提供") == "hm.baidu.com"
    assert named_in(baidu, "hm.baidu.com", "本网站使用第三方统计服务") is None
    dap = classify_host("dap.digitalgov.gov")
    assert dap is not None and named_in(dap, "dap.digitalgov.gov", "the DAP program") == "DAP"
    assert named_in(dap, "dap.digitalgov.gov", "a dapper site") is None


@pytest.mark.parametrize(("name", "domain", "third", "persistent", "kind"), [
    ("_ga", "www.example.gov", False, True, "tracker"), ("Hm_lvt_0177e8db", ".example.gov.cn", False, True, "tracker"),
    ("CNZZDATA1234", "www.example.gov.cn", False, True, "tracker"), ("IDE", ".doubleclick.net", True, True, "tracker"),
    ("uid", "track.adnetwork.example", True, True, "third_party"), ("JSESSIONID", "www.example.gov.cn", False, False,
                                                                     "essential"),
    ("BIGipServerpool_web", "www.example.gov", False, False, "essential"),
    ("wzws_cid", "www.example.gov.cn", False, True, "essential"), ("prefs", "www.example.gov", False, False, "session"),
    ("visitor", "www.example.gov", False, True, "unknown"),
])
def test_cookies_by_name_and_setter(name: str, domain: str, third: bool, persistent: bool, kind: str) -> None:
    assert classify_cookie(name, domain, third, persistent).kind == kind


def test_plain_tracker_names_on_a_sites_own_cookie_are_not_trackers() -> None:
    """A site's own cookie-support probe (test_cookie) or language cookie (fr) is no tracker's:
    those names count only when another site sets them."""
    from mgov.content.cookies import classify_cookie

    assert classify_cookie("test_cookie", "www.example.gov.cn", False, False).kind != "tracker"
    assert classify_cookie("fr", "www.example.gov", False, True).kind != "tracker"
    assert classify_cookie("test_cookie", ".doubleclick.net", True, False).kind == "tracker"
    assert classify_cookie("fr", ".facebook.com", True, True).who == "Facebook"
