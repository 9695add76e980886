"""The identity and link checks on the forms real government sites publish (issue 13).

Each form comes from real gov.cn and .gov pages (footers, 找错 snippets, required links);
evidence is built by hand, as in test_checks.py."""

from __future__ import annotations

from typing import Any

import pytest

from mgov.checks.base import Finding, Status
from mgov.checks.html import page_of
from mgov.checks.plugins import all_checks
from mgov.evidence.exchange import Exchange
from mgov.evidence.site import SiteEvidence
from test_checks import replace_home, site

FOOTER_ICP = "粤ICP备12345678号-1"
FOOTER_PSB = "粤公网安备 44030402000001号"


def cn_with(old: str, new: str, **attrs: object) -> SiteEvidence:
    ev = site("cn")
    home = ev.https_home.final.text
    assert old in home, old
    ev.channel.attributes.update(attrs)
    return replace_home(ev, home.replace(old, new))


def judge(ev: SiteEvidence, check: str) -> Finding:
    return all_checks()[check].run(ev)


# --- 1. ICP numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("shown", "number"), [
    ("京ICP备12345678号", "12345678"),
    ("京ICP备12345678号-1", "12345678"),
    ("粤ICP备 12345678号", "12345678"),
    ("粤ICP备１２３４５６７８号－１", "12345678"),  # full-width digits and hyphen
    ("蜀ICP备05003803号", "05003803"),  # 四川's ICP prefix
    ("黔ICP备2021008357号", "2021008357"),  # 贵州, a ten-digit number of the new format
    ("滇ICP备09010050-5号", "09010050"),  # 云南, the suffix before 号
    ("陇ICP备 05000593", "05000593"),  # 甘肃, no 号
    ("陕ICP备2026028018号-1", "2026028018"),
    ("ICP备案号：京ICP备05070218号", "05070218"),
    ("<span>京</span><span>ICP备</span>12345678号", "12345678"),
    ("苏ICP备 12345678号 - 2", "12345678"),
])
def test_icp_forms(shown: str, number: str) -> None:
    f = judge(cn_with(FOOTER_ICP, shown), "cn.icp")
    assert f.status is Status.PASS, (shown, f.message)
    assert number in f.value


def test_icp_licence_is_not_a_filing() -> None:
    assert judge(cn_with(FOOTER_ICP, "京ICP证030173号"), "cn.icp").status is Status.FAIL


# --- 2. 公网安备 numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("shown", [
    "京公网安备 11010502030143号", "京公网安备：11010502030143号", "京公网安备:11010502030143",
    "京公网安备号11010502030143", "京公网安备 11010502030143 号", "京公网安备：110105000744号",  # 12 digits
    "川公网安备 51010802000202号", "蜀公网安备51078202110037号", "贵公网安备52010202003658号",
    "黔公网安备 52270102000276号", "滇公网安备53030202000521", "甘公网安备 62010302000249号",
    "陕公网安备 61010302000001号", "<span>京公网安备</span> <span>11010502030143</span>号",
])
def test_psb_forms_agree_with_their_region(shown: str) -> None:
    f = judge(cn_with(FOOTER_PSB, shown), "cn.psb")
    assert f.status is Status.PASS, (shown, f.message)


@pytest.mark.parametrize("shown", ["京公网安备：44030402000001号", "黔公网安备 33010802007421号",
                                   "蜀公网安备号53030202000521", "滇公网安备:51010802000202"])
def test_psb_province_mismatch_is_still_found(shown: str) -> None:
    f = judge(cn_with(FOOTER_PSB, shown), "cn.psb")
    assert f.status is Status.FAIL and "does not match" in f.message and f.message_zh


# --- 3. the reader's text -------------------------------------------------------------------

def test_reader_text_keeps_blocks_apart_and_drops_scripts() -> None:
    html = ("<html><body><footer><p>网站标识码：1100000088</p><p>京ICP备12345678号</p>"
            "<div>ICP<b>备</b>案</div><script>var 网站标识码='9999999999';</script><style>p{}</style>"
            "<table><tr><td>网站标识码</td><td>A</td></tr></table>a<br>b<img alt=\"党政机关\">c</footer></body></html>")
    page = page_of(Exchange("https://www.bj.gov.cn/", headers=[("Content-Type", "text/html")], text=html))
    assert page is not None
    assert page.text == "网站标识码：1100000088 京ICP备12345678号 ICP备案 网站标识码 A a b 党政机关 c"


@pytest.mark.parametrize("footer", [
    '网站标识码：4403000002</p><p>ICP备案号：<a href="https://beian.miit.gov.cn/">粤ICP备12345678号-1</a>',
    '<span>网站标识码：4403000002</span><span>ICP备案号：<a href="https://beian.miit.gov.cn/">粤ICP备12345678号-1'
    "</a></span>",
    "<table><tr><td>网站标识码：</td><td>4403000002</td></tr></table>",
    "<div>网站标识码</div><div>4403000002</div>",
])
def test_site_code_never_reads_glued_to_the_next_word(footer: str) -> None:
    ev = cn_with("<footer>网站标识码：4403000002 ", f"<footer><p>{footer}</p>")
    f = judge(ev, "cn.site_code")
    assert f.status is Status.PASS, f.message
    assert f.value["footer"] == "4403000002"


def test_site_code_in_a_script_is_not_on_the_page() -> None:
    ev = cn_with("网站标识码：4403000002", "<script>var t='网站标识码：4403000002';</script>")
    f = judge(ev, "cn.site_code")
    assert f.status is Status.FAIL and f.value["footer"] is None


# --- 4. the 找错 entry -----------------------------------------------------------------------

LINK = ('<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=4403000002&url=https%3A%2F%2F'
        'www.sz.gov.cn">我为政府网站找错</a>')


@pytest.mark.parametrize(("entry", "hosted", "note"), [
    ('<script id="_jiucuo_" sitecode="4403000002" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
     "platform", ""),
    ("<script id=\"_jiucuo_\" sitecode='4403000002' src='/js/jiucuo.js'></script>", "local", "copy"),
    ('<script id="_jiucuo_" sitecode="4403000002" src="./首页_files/jiucuo.js.下载"></script>', "local", "copy"),
    ("<script id=\"_jiucuo_\" sitecode='4403000002' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'></script>",
     "former", "former host pucha.kaipuyun.cn"),
    ('<a href="http://121.43.68.40/exposure/jiucuo.html?site_code=4403000002" target="_blank">'
     '<img src="/images/err.png" alt="找错"></a>', "former", "former host 121.43.68.40"),
    ('<span id="_span_jiucuo"><img onclick="Link(\'4403000002\')" '
     'src="https://zfwzgl.www.gov.cn/exposure/images/jiucuo.png?v=4403000002"></span>', "platform", ""),
])
def test_jiucuo_however_hosted(entry: str, hosted: str, note: str) -> None:
    f = judge(cn_with(LINK, entry), "cn.jiucuo")
    assert f.status is Status.PASS, f.message  # an outdated host is a note, never a failure
    assert f.value["hosted"] == hosted and f.value["site_code"] == "4403000002"
    assert note in f.message
    if note:
        assert f.message_zh and f.message_zh != f.message


@pytest.mark.parametrize("entry", [
    "<script id=\"_jiucuo_\" sitecode='4403000009' src='/js/jiucuo.js'></script>",
    "<script id=\"_jiucuo_\" sitecode='4403000009' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'></script>",
])
def test_jiucuo_code_must_agree_however_hosted(entry: str) -> None:
    f = judge(cn_with(LINK, entry), "cn.jiucuo")
    assert f.status is Status.FAIL and "4403000009" in f.message


def test_jiucuo_old_entry_left_beside_the_new_one() -> None:
    old = "<script id=\"_jiucuo_\" sitecode='3609000004' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'></script>"
    f = judge(cn_with(LINK, old + LINK), "cn.jiucuo")
    assert f.status is Status.PASS and f.value["hosted"] == "platform"


def test_a_script_named_jiucuo_elsewhere_without_signature_is_not_an_entry() -> None:
    f = judge(cn_with(LINK, '<script src="https://cdn.example.com/js/jiucuo.js"></script>'), "cn.jiucuo")
    assert f.status is Status.FAIL


# --- 5. required links ----------------------------------------------------------------------

US_LINKS = ('<a href="/privacy">Privacy Policy</a><a href="/contact">Contact Us</a><a href="/about">About Us</a>\n'
            '<a href="/accessibility">Accessibility</a><a href="/foia">FOIA</a>')


def us_with(links: str, params: dict[str, Any] | None = None) -> Finding:
    ev = site("us")
    home = ev.https_home.final.text
    assert US_LINKS in home
    replace_home(ev, home.replace(US_LINKS, links))
    return all_checks()["links.required"].run(ev, params)


def test_required_links_by_meaning_in_long_texts() -> None:
    links = ('<a href="/site-policies/notice.html">Privacy and Security Notice</a>'
             '<a href="/offices/directory.html">Contact the Agency</a>'
             '<a href="/agency/overview.html">About the Department of Examples</a>'
             '<a href="/site-policies/section508.html">Section 508 Accessibility Statement</a>'
             '<a href="/open/records.html">Submit a Freedom of Information Act (FOIA) request</a>')
    f = us_with(links)
    assert f.status is Status.PASS, f.value
    assert f.value["found"]["foia"].endswith("/open/records.html")


@pytest.mark.parametrize(("text", "name"), [
    ("FOIA Requests", "foia"), ("Website Privacy Policy", "privacy"), ("Accessibility Statement", "accessibility"),
    ("Data privacy week event", "privacy"),  # a headline naming the page's subject: counted
    ("Agency releases its FOIA annual report for 2025", "foia"),
])
def test_one_required_link_by_its_wording(text: str, name: str) -> None:
    hrefs = {"foia": "/foia", "privacy": "/privacy", "accessibility": "/accessibility"}
    links = US_LINKS.replace(f'<a href="{hrefs[name]}">', '<a href="/news/item-1.html">', 1)
    links = links.replace(">FOIA<" if name == "foia" else (">Privacy Policy<" if name == "privacy"
                                                           else ">Accessibility<"), f">{text}<")
    f = us_with(links)
    assert f.status is Status.PASS, (text, f.value)


@pytest.mark.parametrize("text", [
    "News from FOIA.gov about our new portal",  # a domain name, not the agency's FOIA page
    "Read the complete story of how our regional office answered the surge in records requests under FOIA "
    "during the last fiscal year",  # a paragraph, not a link to the FOIA page
])
def test_wording_is_not_matched_everywhere(text: str) -> None:
    f = us_with(US_LINKS.replace('<a href="/foia">FOIA</a>', f'<a href="https://example.gov/news/7">{text}</a>'))
    assert f.status is Status.FAIL and f.value["missing"] == ["foia"]


def test_profile_links_by_agency_wordings() -> None:
    params = {"links": {"us": {"no_fear": ["no fear act", "/no-?fear"], "usagov": [r"usa\.gov", "(?!)"],
                               "foia": ["^foia$|freedom of information", r"/foia(/|\.html?$|$)"],
                               "oig": ["inspector general", r"/oig(/|\.html?$|$)"]}}}
    links = (US_LINKS.replace('<a href="/foia">FOIA</a>', '<a href="/records/">FOIA Requests</a>')
             + '<a href="/eeo/data.html">No FEAR Act Data</a><a href="https://www.usa.gov/">Visit USA.gov</a>'
             '<a href="https://oig.example.gov/">Office of the Inspector General</a>')
    f = us_with(links, params)
    assert f.status is Status.PASS, f.value


@pytest.mark.parametrize(("old", "new"), [
    ('<a href="/privacy.html">隐私政策</a>', '<a href="/wzgl/yssm.html">隐私声明</a>'),
    ('<a href="/sitemap.html">网站地图</a>', '<a href="/wzgl/map.html">站点地图</a>'),
    ('<a href="/contact.html">联系我们</a>', '<a href="/wzgl/lx.html">联系方式</a>'),
    ('<a href="/about.html">关于我们</a>', '<a href="/wzgl/js.html">网站介绍</a>'),
])
def test_required_links_chinese_wordings(old: str, new: str) -> None:
    f = judge(cn_with(old, new), "links.required")
    assert f.status is Status.PASS, f.value


def test_chinese_profile_names() -> None:
    ev = cn_with('<a href="/privacy.html">隐私政策</a>', '<a href="/privacy.html">隐私政策</a>'
                 '<a href="/col/col12/">政府信息公开</a><a href="/col/col13/">依申请公开</a>'
                 '<a href="/wza/">无障碍浏览</a>')
    params = {"links": {"cn": {"政府信息公开": ["^政府信息公开$", "(?!)"], "依申请公开": ["^依申请$", "(?!)"],
                               "无障碍": ["^无障碍$", "(?!)"]}}}
    f = all_checks()["links.required"].run(ev, params)
    assert f.status is Status.PASS, f.value


# --- 6. duplicates, resolved as browsers do ---------------------------------------------------

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.mark.parametrize(("tags", "status"), [
    ('<meta name="viewport" content="width=1200">' + VIEWPORT, Status.PASS),  # the last one applies
    (VIEWPORT + '<meta name="viewport" content="width=1200">', Status.FAIL),
    (VIEWPORT + '<meta name="viewport" content="width=device-width, user-scalable=no">', Status.WARN),
])
def test_several_viewport_tags_the_last_one_applies(tags: str, status: Status) -> None:
    ev = cn_with(VIEWPORT, tags)
    assert judge(ev, "mobile.viewport").status is status
    page = page_of(ev.https_home.final)
    assert page is not None and len(page.meta_values["viewport"]) == 2


def test_several_meta_charsets_the_first_one_applies() -> None:
    # Hand-built evidence (no collector facts): the check reads the first declaration too.
    ev = cn_with('<meta charset="utf-8">', '<meta charset="utf-8"><meta charset="gbk">')
    ev.https_home.final.headers = [h for h in ev.https_home.final.headers if h[0] != "Content-Type"]
    ev.https_home.final.headers.append(("Content-Type", "text/html"))
    f = judge(ev, "page.encoding")
    assert f.status is Status.PASS and f.value["declared"] == "utf-8" and f.value["declared_in"] == "meta"


# --- page.encoding on recorded facts ------------------------------------------------------------

@pytest.mark.parametrize(("facts", "status", "words"), [
    ({"declared_charset": "utf-8", "charset_declared_in": "meta", "charset_labels": {"header": "x-unknown",
      "meta": "utf-8"}, "charset": "gb18030", "charset_mismatch": True, "charset_errors": 40}, Status.FAIL,
     "declared utf-8 in the <meta> tag (ignored: header: x-unknown), but the bytes decode as gb18030"),
    ({"charset": "gb18030"}, Status.WARN, "no charset declared"),
    ({"declared_charset": "utf-8", "charset_declared_in": "header", "charset_labels": {"header": "utf-8"},
      "charset": "utf-8", "charset_errors": 12}, Status.WARN, "12 byte sequences do not decode"),
    ({"declared_charset": "utf-8", "charset_declared_in": "header", "charset_labels": {"header": "utf-8"},
      "charset": "utf-8", "charset_errors": 1}, Status.PASS, ""),
])
def test_page_encoding_verdicts(facts: dict[str, Any], status: Status, words: str) -> None:
    ev = site("cn")
    home = ev.https_home.final.text.replace('<meta charset="utf-8">', "")
    replace_home(ev, home, headers=[("Content-Type", "text/html")])
    for key, val in facts.items():
        setattr(ev.https_home.final, key, val)
    f = judge(ev, "page.encoding")
    assert f.status is status and words in f.message, f.message
    assert f.message_zh or status is Status.PASS


def test_undeclared_ascii_page_passes() -> None:
    ev = site("us")
    replace_home(ev, ev.https_home.final.text, headers=[("Content-Type", "text/html")])
    f = judge(ev, "page.encoding")
    assert f.status is Status.PASS and "ASCII" in f.message
