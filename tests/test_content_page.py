"""One page's content facts from real-looking government pages, and from hostile ones."""

import json
import time
from datetime import date

import pytest

from mgov.content.facts import ExpressionHit, FormFacts, LinkFlag, ListItem, MessageRow, NavLink
from mgov.content.page import analyze_page
from mgov.content.rules import ContentRules

TODAY = date(2026, 1, 5)
RULES = ContentRules()
SITE = "https://www.mm.gov.cn"

HOME = ("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>某某市人民政府门户网站</title>
<meta name="SiteName" content="某某市人民政府门户网站">
<meta name="SiteDomain" content="www.mm.gov.cn">
<meta name="SiteIDCode" content="3301000001">
<link rel="stylesheet" href="/css/index.css"><script src="/js/jquery.js"></script>
<script>var now = new Date(); document.write("<a href='http://x.com'>社会主意</a>");</script>
</head><body>
<div class="header"><div class="logo"><img src="/images/logo.png" alt="某某市人民政府"></div>
<div class="top-links">今天是2026年1月5日 星期一 <a href="/wza/">无障碍</a> <a href="https://en.mm.gov.cn/">English"""
        """</a>
<form action="/search/" method="get"><input name="q"><button>搜索</button></form></div></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li>
<li><a href="/zwdt/">政务动态</a></li>
<li><a href="/tzgg/">通知公告</a></li>
<li><a href="/zcwj/">政策文件</a></li>
<li><a href="/hdjl/">互动交流</a></li>
<li><a href="/bsfw/">办事服务</a></li>
</ul></div>
<div class="main">
<div class="news-box"><h3>要闻动态</h3><ul class="news-list">
<li><a href="/zwdt/202601/t20260104_101.html" title="市政府召开第十二次常务会议研究部署冬季安全生产工作">"""
        """市政府召开第十二次常务会议研究部署冬季...</a><span>2026-01-04</span></li>
<li><a href="/zwdt/202601/t20260102_100.html">市领导调研重点项目建设</a><span>[01-02]</span></li>
<li><a href="/zwdt/202512/t20251230_99.html">全市经济运行情况新闻发布会举行</a><span>2025年12月30日</span></li>
</ul></div>
<div class="notice"><h3>通知公告</h3><ul>
<li><a href="/tzgg/202512/t20251228_88.html">关于2026年元旦放假安排的通知</a><em>12-28</em></li>
<li><a href="/tzgg/202512/t20251220_87.html">某某市2025年公开招聘事业单位工作人员公告</a><em>12-20</em></li>
</ul></div>
<div class="hd"><a href="/hdjl/szxx/">市长信箱</a> <a href="/hdjl/zxzx/">在线咨询</a>
<a href="/hdjl/">关于市人大代表第128号建议的办理答复情况说明</a></div>
<div style="display:none"><a href="http://www.bet365-casino.com/">澳门百家乐</a><a href="/internal.html">内部</a>"""
        """</div>
<div style="position: absolute; left: -9999px; top: -9999px"><a href="https://tiyu-xxx.net/">体育</a></div>
<p>坚持以习近平新时代中国特色社会主意思想为指导</p>
</div>
<div class="footer"><p>主办：某某市人民政府办公厅 网站标识码：3301000001
<a href="https://beian.miit.gov.cn/">浙ICP备05001234号</a></p>
<p><a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a> 您是第 <span id="count">1234567</span> 位访问者</p>"""
        """</div>
</body></html>""")

CHROME_TOP = """<div class="header"><div class="logo"><img src="/images/logo.png" alt="某某市人民政府"></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li>
<li><a href="/tzgg/">通知公告</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>"""
CHROME_BOTTOM = """<div class="footer">主办：某某市人民政府办公厅 网站标识码：3301000001
<a href="https://beian.miit.gov.cn/">浙ICP备05001234号</a></div>"""

TZGG = (f"""<!DOCTYPE html><html><head><meta charset="gbk"><title>通知公告_某某市人民政府门户网站</title>
<meta name="SiteName" content="某某市人民政府门户网站"><meta name="ColumnName" content="通知公告">
<meta name="ColumnType" content="通知公告"></head><body>{CHROME_TOP}
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="./">通知公告</a></div>
<div class="list-box"><table class="list-table">
<tr><td><a href="./202512/t20251228_88.html" target="_blank">关于2026年元旦放假安排的通知</a></td><td>2025-12-28"""
        f"""</td></tr>
<tr><td><a href="./202511/t20251105_80.html" target="_blank">关于开展2025年度安全生产大检查的通知</a></td><td>"""
        f"""2025-11-05</td></tr>
<tr><td><a href="./202510/t20251010_75.html" target="_blank">某某路段交通管制公告</a></td><td>2025-10-10</td></tr>
</table>
<div class="pagination">共 3 条 首页 上一页 1 下一页 尾页</div></div>{CHROME_BOTTOM}</body></html>""")

ARTICLE = (f"""<!DOCTYPE html><html><head><title>关于2026年元旦放假安排的通知</title>
<meta name="ColumnName" content="通知公告"><meta name="ArticleTitle" content="关于2026年元旦放假安排的通知">
<meta name="PubDate" content="2025-12-29 09:30"></head><body>{CHROME_TOP}
<div class="article"><h1>关于2026年元旦放假安排的通知</h1>
<div class="info">发布时间：2025-12-29 09:30 来源：市政府办公厅</div>
<div class="content"><p>各区县人民政府，市政府各部门：根据国务院办公厅通知精神，现将2026年元旦放假安排通知如下。</p>"""
           f"""</div>
</div>{CHROME_BOTTOM}</body></html>""")

BOARD = (f"""<!DOCTYPE html><html><head><title>市长信箱</title><meta name="ColumnName" content="市长信箱"></head>
<body>{CHROME_TOP}
<table class="table-list">
<tr><th>标题</th><th>留言人</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
<tr><td><a href="/hdjl/szxx/1001.html">小区噪音扰民问题</a></td><td>张**</td><td>2025-12-01</td><td>2025-12-05</td>"""
         f"""<td>已回复</td></tr>
<tr><td><a href="/hdjl/szxx/1002.html">道路积水</a></td><td>李**</td><td>2025-08-10</td><td>未回复</td><td>处理中"""
         f"""</td></tr>
<tr><td><a href="/hdjl/szxx/1003.html">公交线路调整建议</a></td><td>王**</td><td>2025-03-01</td><td>2025-07-15</td>"""
         f"""<td>已回复</td></tr>
<tr><td><a href="/hdjl/szxx/1004.html">旧留言</a></td><td>赵**</td><td>2024-06-01</td><td></td><td>未回复</td></tr>
</table>
<ul class="msg-list">
<li><a href="/hdjl/zxzx/2001.html">社保卡补办咨询</a><span class="submitted">留言时间：2026-01-02</span><span """
         f"""class="replied">回复时间：2026-01-03</span></li>
<li><a href="/hdjl/zxzx/2002.html">营业执照办理</a><span class="submitted">留言时间：2025-09-01</span><span """
         f"""class="replied">待回复</span></li>
<li>来信人：刘** <span>提问时间：2025-07-01</span> <span>状态：已办结</span></li>
</ul>
<form action="/hdjl/szxx/submit.do" method="POST"><input name="title"><textarea name="content"></textarea>
<input type="hidden" name="token" value="x"><input type="submit" value="提交"></form>
{CHROME_BOTTOM}</body></html>""")

BLANK = (f"""<html><head><title>规划计划</title><meta name="ColumnName" content="规划计划"></head><body>{CHROME_TOP}
<div class="position">当前位置：首页 &gt; 规划计划</div><div class="main"><p>暂无信息</p></div>{CHROME_BOTTOM}"""
         f"""</body></html>""")


def analyze(path, html, *, is_home=False, today=TODAY, rules=RULES):
    return analyze_page(SITE + path, html, is_home=is_home, today=today, rules=rules)


def test_homepage():
    f = analyze("/", HOME, is_home=True)
    assert (f.title, f.site_name, f.column_name, f.pub_date, f.is_article) == (
        "某某市人民政府门户网站", "某某市人民政府门户网站", None, None, False)
    assert f.nav == [NavLink("首页", SITE + "/"), NavLink("政务动态", SITE + "/zwdt/"),
                     NavLink("通知公告", SITE + "/tzgg/"), NavLink("政策文件", SITE + "/zcwj/"),
                     NavLink("互动交流", SITE + "/hdjl/"), NavLink("办事服务", SITE + "/bsfw/")]
    assert f.nav_total == 6
    # The shortened title gives way to the full one in the title attribute.
    assert f.items == [
        ListItem("市政府召开第十二次常务会议研究部署冬季安全生产工作", SITE + "/zwdt/202601/t20260104_101.html",
                 date(2026, 1, 4)),
        ListItem("市领导调研重点项目建设", SITE + "/zwdt/202601/t20260102_100.html", date(2026, 1, 2)),
        ListItem("全市经济运行情况新闻发布会举行", SITE + "/zwdt/202512/t20251230_99.html", date(2025, 12, 30)),
        ListItem("关于2026年元旦放假安排的通知", SITE + "/tzgg/202512/t20251228_88.html", date(2025, 12, 28)),
        ListItem("某某市2025年公开招聘事业单位工作人员公告", SITE + "/tzgg/202512/t20251220_87.html",
                 date(2025, 12, 20)),
    ]
    assert f.items_total == 5
    # The long anchor with 建议 is a news item about a proposal, not a channel.
    assert f.consult_links == [NavLink("互动交流", SITE + "/hdjl/"), NavLink("市长信箱", SITE + "/hdjl/szxx/"),
                               NavLink("在线咨询", SITE + "/hdjl/zxzx/")]
    assert f.forms == [FormFacts(SITE + "/search/", "get", ["q"], False)]
    assert f.bad_links == [LinkFlag("http://www.bet365-casino.com/", "澳门百家乐", "bad_keyword", "bet365"),
                           LinkFlag("https://tiyu-xxx.net/", "体育", "bad_keyword", "xxx")]
    # The hidden same-site link (/internal.html) is not flagged.
    assert f.hidden_links == [
        LinkFlag("http://www.bet365-casino.com/", "澳门百家乐", "hidden_style", "display:none"),
        LinkFlag("https://tiyu-xxx.net/", "体育", "hidden_style", "position:absolute;left:-9999px")]
    # Script text is not page text: the expression inside document.write is not seen.
    assert f.expressions == [ExpressionHit("社会主意", "社会主义",
                                           "乐内部体育坚持以习近平新时代中国特色社会主意思想为指导主办:某某市人民政府办公厅")]
    assert f.expressions_total == 1
    assert sorted(f.regions) == ["body_static", "footer", "header", "nav"]
    assert all(len(h) == 64 for h in f.regions.values())
    assert (f.placeholder, f.main_chars, f.messages) == (None, None, [])
    json.dumps(f.as_dict())


def test_region_hashes_ignore_what_changes_by_itself():
    base = analyze("/", HOME, is_home=True).regions
    # Another day, another visitor count, new news items: nothing stable changed.
    moved = (HOME.replace("今天是2026年1月5日 星期一", "今天是2026年1月6日 星期二").replace("1234567", "1234999")
             .replace("市领导调研重点项目建设", "市领导慰问困难群众").replace("[01-02]", "[01-06]"))
    assert analyze("/", moved, is_home=True, today=date(2026, 1, 6)).regions == base
    # A changed footer shows in the footer only.
    tampered = analyze("/", HOME.replace("浙ICP备05001234号", "赌场娱乐城"), is_home=True).regions
    assert {k for k in base if base[k] != tampered[k]} == {"footer"}
    # An injected paragraph in the page body shows in body_static only.
    injected = analyze("/", HOME.replace("<p>坚持以", "<p>黑客到此一游</p><p>坚持以"), is_home=True).regions
    assert {k for k in base if base[k] != injected[k]} == {"body_static"}
    # Regions are worked out for the homepage only.
    assert analyze("/", HOME).regions == {}


def test_column_list_page():
    f = analyze("/tzgg/", TZGG)
    assert (f.column_name, f.column_type, f.is_article, f.pub_date) == ("通知公告", "通知公告", False, None)
    assert f.items == [
        ListItem("关于2026年元旦放假安排的通知", SITE + "/tzgg/202512/t20251228_88.html", date(2025, 12, 28)),
        ListItem("关于开展2025年度安全生产大检查的通知", SITE + "/tzgg/202511/t20251105_80.html", date(2025, 11, 5)),
        ListItem("某某路段交通管制公告", SITE + "/tzgg/202510/t20251010_75.html", date(2025, 10, 10)),
    ]
    assert [n.anchor for n in f.nav] == ["首页", "政务动态", "通知公告", "互动交流"]
    assert (f.placeholder, f.main_chars) == (None, None)


def test_article_page():
    f = analyze("/tzgg/202512/t20251228_88.html", ARTICLE)
    assert (f.column_name, f.pub_date, f.is_article, f.items) == ("通知公告", date(2025, 12, 29), True, [])
    # Without the meta, the 发布时间 label gives the date.
    no_meta = ARTICLE.replace('<meta name="PubDate" content="2025-12-29 09:30">', "").replace(
        "发布时间：2025-12-29", "发布时间：2025-12-27")
    assert analyze("/a.html", no_meta).pub_date == date(2025, 12, 27)
    # Meta names are case-insensitive; article:published_time is read too.
    og = ARTICLE.replace('name="PubDate" content="2025-12-29 09:30"',
                         'property="article:published_time" content="2025-12-26T08:00:00+08:00"')
    assert analyze("/a.html", og).pub_date == date(2025, 12, 26)


def test_publication_label_repeated_per_row_is_a_list():
    rows = "".join(f'<div class="row"><h3>文章{i}</h3><p>发布时间：2025-12-{i:02d}</p></div>' for i in range(1, 4))
    f = analyze("/list.html", f"<html><body>{rows}</body></html>")
    assert (f.pub_date, f.is_article) == (None, False)


def test_message_board():
    f = analyze("/hdjl/szxx/", BOARD)
    assert f.messages == [
        MessageRow("小区噪音扰民问题", SITE + "/hdjl/szxx/1001.html", date(2025, 12, 1), date(2025, 12, 5), True),
        MessageRow("道路积水", SITE + "/hdjl/szxx/1002.html", date(2025, 8, 10), None, False),
        MessageRow("公交线路调整建议", SITE + "/hdjl/szxx/1003.html", date(2025, 3, 1), date(2025, 7, 15), True),
        MessageRow("旧留言", SITE + "/hdjl/szxx/1004.html", date(2024, 6, 1), None, False),
        MessageRow("社保卡补办咨询", SITE + "/hdjl/zxzx/2001.html", date(2026, 1, 2), date(2026, 1, 3), True),
        MessageRow("营业执照办理", SITE + "/hdjl/zxzx/2002.html", date(2025, 9, 1), None, False),
        # No link, no reply date, but marked done: answered without a date.
        MessageRow("来信人：刘**", None, date(2025, 7, 1), None, True),
    ]
    assert f.messages_total == 7
    assert f.forms == [FormFacts(SITE + "/hdjl/szxx/submit.do", "post", ["title", "content", "token"], True)]
    # Listed messages named 咨询 or 建议 are content, not consultation channels.
    assert f.consult_links == [NavLink("互动交流", SITE + "/hdjl/")]


def test_message_rows_in_english():
    html = """<ul><li><a href="/q/1">Bin collection</a> Submitted: 2025-09-01 Replied: 2025-09-20</li>
    <li><a href="/q/2">Street lights</a> Submitted: 2025-10-01 Awaiting reply</li></ul>"""
    f = analyze_page("https://www.council.gov.uk/questions", html, is_home=False, today=TODAY, rules=RULES)
    assert f.messages == [
        MessageRow("Bin collection", "https://www.council.gov.uk/q/1", date(2025, 9, 1), date(2025, 9, 20), True),
        MessageRow("Street lights", "https://www.council.gov.uk/q/2", date(2025, 10, 1), None, False)]


def test_blank_column():
    f = analyze("/ghjh/", BLANK)
    assert (f.column_name, f.items, f.placeholder, f.main_chars) == ("规划计划", [], "暂无信息", 4)
    empty = analyze("/ghjh/", BLANK.replace("<p>暂无信息</p>", ""))
    # The breadcrumb is chrome, not content.
    assert (empty.placeholder, empty.main_chars) == (None, 0)
    english = analyze("/plans", "<html><body><nav><a href='/'>Home</a></nav><main>Coming Soon!</main></body></html>")
    assert english.placeholder == "Coming soon"


def test_undated_list_items():
    html = """<html><body><div class="nav"><a href="/">首页</a></div>
    <ul class="zt"><li><a href="/zt/1/">优化营商环境专题</a></li><li><a href="/zt/2/">乡村振兴专题</a></li></ul>
    <ul class="yqlj"><li><a href="https://www.gov.cn/">中国政府网</a></li><li><a href="https://www.zj.gov.cn/">浙江省人民政府</a></li></ul>
    <ul><li><a href="/a/1.html">有日期的文章</a> 2025-12-01</li><li><a href="/a/2.html">没有日期的文章</a></li></ul>
    <div class="footer"><ul><li><a href="/wzdt/">网站地图</a></li><li><a href="/lxwm/">联系我们</a></li></ul></div>
    </body></html>"""
    f = analyze("/", html)
    # Off-site links without dates (友情链接) and footer lists are not items.
    assert f.items == [ListItem("优化营商环境专题", SITE + "/zt/1/", None),
                       ListItem("乡村振兴专题", SITE + "/zt/2/", None),
                       ListItem("有日期的文章", SITE + "/a/1.html", date(2025, 12, 1)),
                       ListItem("没有日期的文章", SITE + "/a/2.html", None)]


def test_date_in_title_is_not_the_item_date():
    html = """<ul><li><a href="/a/1.html">2025年12月1日市政府常务会议</a><span>2025-12-03</span></li>
    <li><a href="/a/2.html">2025年11月5日市政府常务会议</a></li>
    <li><a href="/a/3.html"><span class="t">公告</span><span class="d">2025-11-20</span></a></li></ul>"""
    f = analyze("/", html)
    assert [(i.url[-8:], i.date) for i in f.items] == [
        ("a/1.html", date(2025, 12, 3)), ("a/2.html", None), ("a/3.html", date(2025, 11, 20))]


def test_hidden_links():
    html = """<html><body>
    <div hidden><a href="https://pujing-casino.example/">葡京</a></div>
    <p style="font-size:0px"><a href="https://shop.example.com/">shop</a></p>
    <div style="height:0;overflow:hidden"><a href="https://news.example.org/">新闻</a></div>
    <div style="DISPLAY: NONE !important"><a href="https://sub.mm.gov.cn/">子站</a><a href="/local">本地</a></div>
    <a style="visibility:hidden" href="//porn.example.net/x">x</a>
    <div style="opacity:0.5"><a href="https://visible.example.com/">visible</a></div>
    <div style="font-size:14px;left:-1000px"><a href="https://notpositioned.example.com/">no</a></div>
    </body></html>"""
    f = analyze("/", html)
    assert f.hidden_links == [
        LinkFlag("https://pujing-casino.example/", "葡京", "hidden_attr", "hidden"),
        LinkFlag("https://shop.example.com/", "shop", "hidden_style", "font-size:0px"),
        LinkFlag("https://news.example.org/", "新闻", "hidden_style", "height:0;overflow:hidden"),
        LinkFlag("https://porn.example.net/x", "x", "hidden_style", "visibility:hidden"),
    ]
    assert f.bad_links == [LinkFlag("https://pujing-casino.example/", "葡京", "bad_keyword", "casino"),
                           LinkFlag("https://porn.example.net/x", "x", "bad_keyword", "porn")]


def test_bad_domains_and_punycode():
    rules = ContentRules.from_mapping({"bad_domains": ["evil.example"], "bad_domain_keywords": ["博彩"]})
    html = """<a href="https://www.evil.example/p">a</a><a href="https://notevil.example/">b</a>
    <a href="http://xn--9kro4z.com/">c</a><a href="https://www.essex.gov.uk/">Essex</a>"""
    f = analyze("/", html, rules=rules)
    assert f.bad_links == [LinkFlag("https://www.evil.example/p", "a", "bad_domain", "evil.example"),
                           LinkFlag("http://xn--9kro4z.com/", "c", "bad_keyword", "博彩")]


def test_expressions():
    rules = ContentRules.from_mapping({"forbidden": ["某禁用词"]})
    html = """<html><body><p>中共中央总书纪、国务院总里</p><p>社会<b>主意</b>核心价值观</p>
    <p>The Goverment of X. Ｓｅｃｒｅｔｅｒｙ of State. Goverments too. MisGoverment starts no word.</p>
    <p>正确：中共中央总书记 国务院总理 社会主义</p><p>某禁用词</p></body></html>"""
    f = analyze("/", html, rules=rules)
    assert [(h.term, h.suggestion) for h in f.expressions] == [
        ("中共中央总书纪", "中共中央总书记"), ("国务院总里", "国务院总理"), ("社会主意", "社会主义"),
        ("Goverment", "Government"), ("Secretery", "Secretary"), ("Goverment", "Government"), ("某禁用词", None)]
    # Full-width letters are folded; the context is taken from the folded text.
    assert f.expressions[4].context == "overment of X. Secretery of State. Gove"
    assert f.expressions_total == 7


def test_expression_context_is_short():
    f = analyze("/", "<p>" + "前文" * 100 + "社会主意" + "后文" * 100 + "</p>")
    hit = f.expressions[0]
    assert len(hit.context) <= 40 and "社会主意" in hit.context


@pytest.mark.parametrize("text", [
    "", "   ", "<<<>>>", "\x00\x01\x02", "<html><body>", "</div></div></a>", "<a href=", "<a href='http://[::1'>x</a>",
    "\ud800 lone surrogate", "<table><tr><td><a href='/x'>1</td></a></table>",
    "<li><a href='javascript:void(0)'>x</a>2025-01-01",
    "<form action='http://exa mple.com:99999/'><textarea></form>", "<a href='http://bad host/'>a</a><span>01-02</span>",
])
def test_garbage_never_raises(text):
    f = analyze("/", text, is_home=True)
    assert f.url == SITE + "/"
    json.dumps(f.as_dict())


def test_garbage_gives_empty_facts():
    assert analyze("/", "") == analyze("/", "   ") == type(analyze("/", ""))(url=SITE + "/")
    f = analyze("/", "\x00\x01<<>>")
    assert (f.items, f.nav, f.messages, f.bad_links, f.placeholder) == ([], [], [], [], None)


def test_malformed_html_is_read_as_a_browser_would():
    html = """<html><body><div class=nav><a href=/zwdt/>动态<a href=/tzgg/>通知</div>
    <ul><li><a href=/a/1.html>第一条</a><span>2025-12-01<li><a href=/a/2.html>第二条</a><span>2025-12-02
    </ul><p>未闭合的段落<div class=footer>版权所有"""
    f = analyze("/", html)
    assert [n.url for n in f.nav] == [SITE + "/zwdt/", SITE + "/tzgg/"]
    assert [(i.title, i.date) for i in f.items] == [("第一条", date(2025, 12, 1)), ("第二条", date(2025, 12, 2))]


def test_hundred_thousand_links_is_bounded_and_fast():
    rows = "".join(f'<li><a href="/a/{i}.html">标题{i}</a><span>2025-12-{i % 28 + 1:02d}</span></li>'
                   for i in range(100_000))
    hidden = "".join(f'<a href="https://spam{i}.example.com/">s</a>' for i in range(500))
    html = (f'<html><body><div class="nav"><a href="/x">x</a></div><ul>{rows}</ul>'
            f'<div style="display:none">{hidden}</div><p>{"社会主意 " * 1000}</p></body></html>')
    start = time.process_time()
    f = analyze("/", html, is_home=True)
    elapsed = time.process_time() - start
    assert (len(f.items), f.items_total) == (2000, 100_000)
    assert f.items[1999] == ListItem("标题1999", SITE + "/a/1999.html", date(2025, 12, 12))
    assert (len(f.hidden_links), f.hidden_links_total) == (200, 500)
    assert (len(f.expressions), f.expressions_total) == (200, 1000)
    assert elapsed < 15, elapsed
