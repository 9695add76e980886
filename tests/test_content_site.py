"""A site's content summed up: columns, homepage freshness, interaction, red flags, and the
comparison with the previous crawl; plus the rules that drive it."""

import json
from datetime import date, timedelta

import pytest

from mgov.content.page import analyze_page
from mgov.content.rules import ContentRules, classify_column
from mgov.content.site import SiteContent
from mgov.evidence.content import BackdatedItem, ConsultLink, ContentHistory, FormSeen, LinkFinding, UnansweredMessage

TODAY = date(2026, 1, 5)
RULES = ContentRules()
SITE = "https://www.mm.gov.cn"

NAV = ("""<div class="header"><img src="/logo.png" alt="某某市人民政府"></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li>
<li><a href="/tzgg/">通知公告</a></li><li><a href="/zcwj/">政策文件</a></li><li><a href="/ghjh/">规划计划</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/szxx/">市长信箱</a></li><li><a href="/lxwm/">联系我们</a>"""
       """</li></ul></div>""")
FOOTER = """<div class="footer">主办：某某市人民政府办公厅 网站标识码：3301000001 浙ICP备05001234号
<a href="/wzdt/">网站地图</a> 您是第 <span>{visits}</span> 位访问者</div>"""


def home(news, *, footer_note="", visits=1000):
    rows = "".join(f'<li><a href="{href}">{title}</a><span>{when}</span></li>' for href, title, when in news)
    return f"""<!DOCTYPE html><html><head><title>某某市人民政府门户网站</title>
<meta name="SiteName" content="某某市人民政府门户网站"></head><body>{NAV}
<div class="news"><ul>{rows}</ul></div>
<div class="hd"><a href="/hdjl/szxx/">我要写信</a> <a href="/hdjl/zxzx/">在线咨询</a></div>
<div style="display:none"><a href="http://www.baijiale-casino.com/">百家乐</a></div>
<p>深入学习贯彻社会主意核心价值观</p>
{FOOTER.format(visits=visits)}{footer_note}</body></html>"""


def column(name, rows, *, column_type=None, extra=""):
    metas = f'<meta name="ColumnName" content="{name}">' if name else ""
    if column_type:
        metas += f'<meta name="ColumnType" content="{column_type}">'
    trs = "".join(f'<tr><td><a href="{href}">{title}</a></td><td>{when}</td></tr>' for href, title, when in rows)
    table = f'<table class="list">{trs}</table>' if rows else ""
    return f"""<html><head><title>{name}</title>{metas}</head><body>{NAV}
<div class="position">当前位置：首页 &gt; {name}</div>{table}{extra}{FOOTER.format(visits=1)}</body></html>"""


def article(name, title, pub):
    return f"""<html><head><title>{title}</title><meta name="ColumnName" content="{name}">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{pub}"></head><body>{NAV}
<h1>{title}</h1><div class="info">发布时间：{pub}</div><p>正文内容。</p>{FOOTER.format(visits=1)}</body></html>"""


BOARD = f"""<html><head><title>市长信箱</title><meta name="ColumnName" content="市长信箱"></head><body>{NAV}
<table class="table-list">
<tr><th>标题</th><th>留言时间</th><th>回复时间</th></tr>
<tr><td><a href="/hdjl/szxx/1001.html">小区噪音扰民问题</a></td><td>2025-12-01</td><td>2025-12-05</td></tr>
<tr><td><a href="/hdjl/szxx/1002.html">道路积水</a></td><td>2025-08-10</td><td>未回复</td></tr>
<tr><td><a href="/hdjl/szxx/1003.html">公交线路调整建议</a></td><td>2025-03-01</td><td>2025-07-15</td></tr>
<tr><td><a href="/hdjl/szxx/1004.html">旧留言</a></td><td>2024-06-01</td><td></td></tr>
<tr><td><a href="/hdjl/szxx/1005.html">供暖问题</a></td><td>2025-12-20</td><td>待回复</td></tr>
</table>
<form action="/hdjl/szxx/submit.do" method="post"><input name="title"><textarea name="content"></textarea></form>
{FOOTER.format(visits=1)}</body></html>"""

BOARD_PAGE_2 = BOARD.replace("小区噪音扰民问题", "小区噪音扰民问题").replace(  # a pager repeating a row
    '<tr><td><a href="/hdjl/szxx/1001.html">', '<tr><td><a href="/hdjl/szxx/1002.html">道路积水</a></td>'
    '<td>2025-08-10</td><td>未回复</td></tr><tr><td><a href="/hdjl/szxx/1001.html">')

HOME_NEWS = [("/zwdt/202601/t20260104_1.html", "市政府召开常务会议", "2026-01-04"),
             ("/zwdt/202512/t20251230_2.html", "市领导调研重点项目", "12-30")]

PAGES = [  # (path, html, depth)
    ("/zwdt/", column("政务动态", [("/zwdt/202512/a1.html", "政务动态一", "2025-12-01"),
                                  ("/zwdt/202511/a2.html", "政务动态二", "2025-11-20")]), 1),
    ("/tzgg/", column("通知公告", [("/tzgg/202510/b1.html", "关于开展安全检查的通知", "2025-10-10"),
                                  ("/tzgg/202509/b2.html", "交通管制公告", "2025-09-01")], column_type="通知公告"), 1),
    ("/tzgg/index_1.html", column("通知公告", [("/tzgg/202505/b3.html", "旧通知", "2025-05-05")]), 2),
    ("/tzgg/202512/b0.html", article("通知公告", "关于元旦放假的通知", "2025-12-29 09:30"), 2),
    ("/zcwj/", column("政策文件", [("/zcwj/202505/c1.html", "关于印发某某办法的通知", "2025-05-01")]), 1),
    ("/bm/fgw/tzgg/", column("通知公告", [("/bm/fgw/tzgg/d1.html", "发改委公告", "2024-11-01")]), 2),
    ("/bm/fgw/gzdt/", column("工作动态", [("/bm/fgw/gzdt/e1.html", "发改委动态一", ""),
                                        ("/bm/fgw/gzdt/e2.html", "发改委动态二", "")]), 2),
    ("/ghjh/", column("规划计划", [], extra="<p>暂无信息</p>"), 1),
    ("/bsfw/", column("", [("/bsfw/f1.html", "办事指南一", "2025-12-20")]), 1),
    ("/lxwm/", column("", [], extra="<p>地址：某某市人民路1号 电话：0571-87654321</p>"), 1),
    ("/hdjl/szxx/", BOARD, 1),
    ("/hdjl/szxx/index_1.html", BOARD_PAGE_2, 2),
]


def crawl(pages, home_html, today=TODAY, rules=RULES):
    site = SiteContent(rules)
    site.add(analyze_page(SITE + "/", home_html, is_home=True, today=today, rules=rules), depth=0, is_home=True)
    for path, html, depth in pages:
        site.add(analyze_page(SITE + path, html, is_home=False, today=today, rules=rules), depth=depth, is_home=False)
    return site


def test_site_summary():
    s = crawl(PAGES, home(HOME_NEWS)).summary(TODAY)
    assert s.pages == 13
    assert (s.home.url, s.home.items, s.home.dated_items, s.home.latest, s.home.days_since, s.home.fresh) == (
        SITE + "/", 2, 2, date(2026, 1, 4), 1, True)
    cols = {c.url.removeprefix(SITE): c for c in s.columns}
    assert sorted(cols) == ["/bm/fgw/gzdt/", "/bm/fgw/tzgg/", "/bsfw/", "/ghjh/", "/hdjl/szxx/", "/tzgg/",
                            "/zcwj/", "/zwdt/"]
    view = {u: (c.name, c.column_class, c.first_level, c.pages, c.items, c.dated_items, c.last_update,
                c.timely, c.stale, c.long_unupdated, c.blank) for u, c in cols.items()}
    assert view == {
        "/zwdt/": ("政务动态", "news", True, 1, 2, 2, date(2025, 12, 1), True, True, False, False),
        # Two list pages merged; the article's PubDate is the latest update.
        "/tzgg/": ("通知公告", "notices", True, 2, 3, 3, date(2025, 12, 29), True, False, False, False),
        "/zcwj/": ("政策文件", "policies", True, 1, 1, 1, date(2025, 5, 1), True, True, False, False),
        # A department's notices: not first level, so not judged for timeliness; over a year old.
        "/bm/fgw/tzgg/": ("通知公告", "notices", False, 1, 1, 1, date(2024, 11, 1), False, False, True, False),
        # News listed without any date counts as not updated.
        "/bm/fgw/gzdt/": ("工作动态", "news", False, 1, 2, 0, None, True, True, False, False),
        "/ghjh/": ("规划计划", "plans", True, 1, 0, 0, None, False, False, False, True),
        # No ColumnName: a navigation target with a list, named by its link.
        "/bsfw/": ("办事服务", "services", True, 1, 1, 1, date(2025, 12, 20), False, False, False, False),
        # Page 2 repeats a row: items are rows listed, messages (below) are distinct ones.
        "/hdjl/szxx/": ("市长信箱", "interaction", True, 2, 11, 11, date(2025, 12, 20), False, False, False, False),
    }
    assert cols["/ghjh/"].placeholder == "暂无信息"
    assert cols["/tzgg/"].days_since == 7
    assert [u.removeprefix(SITE) for u in s.stale_timely] == ["/zwdt/", "/zcwj/", "/bm/fgw/gzdt/"]
    assert [u.removeprefix(SITE) for u in s.long_unupdated] == ["/bm/fgw/tzgg/"]
    assert [u.removeprefix(SITE) for u in s.blank] == ["/ghjh/"]
    assert (s.stale_veto, s.long_unupdated_veto, s.blank_veto) == (False, False, False)

    i = s.interaction
    assert i.has_channel
    # 我要写信 goes where the navigation's 市长信箱 goes: one channel, first anchor kept.
    assert i.consult_links == [ConsultLink("市长信箱", SITE + "/hdjl/szxx/", True),
                               ConsultLink("在线咨询", SITE + "/hdjl/zxzx/", True)]
    assert i.consult_links_total == 2
    assert i.forms == [FormSeen(SITE + "/hdjl/szxx/", SITE + "/hdjl/szxx/submit.do", "post", ["title", "content"])]
    # Page 2 repeats messages of page 1: each is counted once.
    assert (i.messages_total, i.messages_in_window) == (5, 4)
    assert i.unanswered == [
        UnansweredMessage("道路积水", SITE + "/hdjl/szxx/1002.html", SITE + "/hdjl/szxx/", date(2025, 8, 10), None,
                          148),
        UnansweredMessage("公交线路调整建议", SITE + "/hdjl/szxx/1003.html", SITE + "/hdjl/szxx/", date(2025, 3, 1),
                          date(2025, 7, 15), 136)]
    assert i.unanswered_total == 2

    assert [(e.term, e.suggestion, e.page_url, e.pages) for e in s.expressions] == [
        ("社会主意", "社会主义", SITE + "/", 1)]
    assert s.bad_links == [LinkFinding("http://www.baijiale-casino.com/", "百家乐", "bad_keyword", "baijiale",
                                       SITE + "/")]
    assert s.hidden_links == [LinkFinding("http://www.baijiale-casino.com/", "百家乐", "hidden_style", "display:none",
                                          SITE + "/")]
    assert (s.backdated, s.tampered_regions) == ([], [])
    out = s.as_dict()
    assert "history_out" not in out and out["home"]["latest"] == "2026-01-04"
    json.dumps(out)


def test_vetoes_follow_the_rules():
    rules = ContentRules.from_mapping({"stale_columns_veto": 3, "long_unupdated_veto": 1, "blank_columns_veto": 2})
    s = crawl(PAGES, home(HOME_NEWS), rules=rules).summary(TODAY)
    assert (s.stale_veto, s.long_unupdated_veto, s.blank_veto) == (True, True, False)
    # A later day: the notices column passes its 183 days too.
    later = crawl(PAGES, home(HOME_NEWS), rules=rules).summary(TODAY + timedelta(days=180))
    assert [u.removeprefix(SITE) for u in later.stale_timely] == ["/zwdt/", "/tzgg/", "/zcwj/", "/bm/fgw/gzdt/"]


def test_homepage_freshness():
    stale = crawl([], home([("/zwdt/a.html", "旧闻", "2025-12-01")])).summary(TODAY)
    assert (stale.home.latest, stale.home.days_since, stale.home.fresh) == (date(2025, 12, 1), 35, False)
    assert crawl([], home([("/zwdt/a.html", "新闻", "2025-12-22")])).summary(TODAY).home.fresh
    assert not crawl([], home([("/zwdt/a.html", "新闻", "2025-12-21")])).summary(TODAY).home.fresh
    # Undated items count as not updated.
    undated = crawl([], home([("/zwdt/a.html", "新闻一", ""), ("/zwdt/b.html", "新闻二", "")])).summary(TODAY)
    home_page = undated.home
    assert (home_page.items, home_page.dated_items, home_page.latest, home_page.fresh) == (2, 0, None, False)
    assert SiteContent(RULES).summary(TODAY).home is None


def test_no_interaction_channel():
    html = f"<html><body>{NAV.replace('市长信箱', '领导之窗')}<p>正文</p></body></html>"
    s = crawl([], html).summary(TODAY)
    assert (s.interaction.has_channel, s.interaction.consult_links, s.interaction.forms) == (False, [], [])


def test_expression_findings_count_pages():
    footer = ("<div class='footer'>版权所有：某某市人民政府网站 主办单位：国务院办功厅 "
              "承办：某某市大数据管理中心 地址：人民路1号</div>")
    page = f"<html><body><p>人民政俯工作报告</p>{footer}</body></html>"
    other = f"<html><body><p>另一页</p>{footer}</body></html>"
    s = crawl([("/a.html", page, 1), ("/b.html", other, 1), ("/c.html", other, 1)], "<html></html>").summary(TODAY)
    assert [(e.term, e.page_url.removeprefix(SITE), e.pages) for e in s.expressions] == [
        ("人民政俯", "/a.html", 1), ("国务院办功厅", "/a.html", 3)]
    assert s.expressions_total == 2


def test_backdating_and_tampering_against_history():
    first = crawl([("/tzgg/", column("通知公告", [("/tzgg/a.html", "通知A", "2025-11-20"),
                                                 ("/tzgg/b.html", "通知B", "2025-10-10"),
                                                 ("/tzgg/c.html", "通知C", "2025-09-01")]), 1)],
                  home(HOME_NEWS), today=date(2025, 12, 1)).summary(date(2025, 12, 1))
    history = ContentHistory.from_dict(json.loads(json.dumps(first.history_out.as_dict())))
    assert history == first.history_out
    assert history.items_by_column == {SITE + "/tzgg/": {SITE + "/tzgg/a.html", SITE + "/tzgg/b.html",
                                                         SITE + "/tzgg/c.html"}}
    assert history.floor_by_column == {SITE + "/tzgg/": date(2025, 9, 1)}
    assert sorted(history.home_regions) == ["body_static", "footer", "header", "nav"]

    second_pages = [("/tzgg/", column("通知公告", [("/tzgg/d.html", "新通知D", "2025-12-28"),
                                                   ("/tzgg/a.html", "通知A", "2025-11-20"),
                                                   ("/tzgg/e.html", "补发的通知E", "2025-10-15"),
                                                   ("/tzgg/b.html", "通知B", "2025-10-10"),
                                                   ("/tzgg/c.html", "通知C", "2025-09-01"),
                                                   ("/tzgg/f.html", "更早的通知F", "2025-06-01")]), 1),
                    ("/zwdt/", column("政务动态", [("/zwdt/x.html", "新栏目的旧文", "2025-01-01")]), 1)]
    # Other visitor counts and news: no tampering. A changed footer: tampering.
    same = crawl(second_pages, home(HOME_NEWS[:1], visits=99999)).summary(TODAY, history)
    # E is new, dated well before the last crawl, and within what that crawl saw of the
    # column; F is older than anything seen (perhaps not reached); /zwdt/ is a new column.
    assert same.backdated == [BackdatedItem(SITE + "/tzgg/", SITE + "/tzgg/e.html", "补发的通知E", date(2025, 10, 15))]
    assert same.backdated_total == 1
    assert same.tampered_regions == []
    hacked = crawl(second_pages, home(HOME_NEWS, footer_note="<div class='footer'>澳门赌场</div>")).summary(
        TODAY, history)
    assert hacked.tampered_regions == ["footer"]
    assert crawl(second_pages, home(HOME_NEWS)).summary(TODAY).backdated == []  # no history, no judgement


def test_memory_is_bounded():
    site = SiteContent(RULES)
    site.add(analyze_page(SITE + "/", "<html></html>", is_home=True, today=TODAY, rules=RULES), depth=0, is_home=True)
    for n in range(600):
        html = column(f"栏目{n}", [(f"/c{n}/a.html", "文章", "2025-12-01")])
        site.add(analyze_page(f"{SITE}/c{n}/", html, is_home=False, today=TODAY, rules=RULES), depth=1, is_home=False)
    big = SiteContent(RULES)
    start = date(2017, 1, 1)
    for page in range(6):  # 3000 items over six list pages of one column
        rows = [(f"/big/{page}_{i}.html", f"文章{page}-{i}", (start + timedelta(days=page * 500 + i)).isoformat())
                for i in range(500)]
        html = column("大栏目", rows)
        path = "/big/index.html" if page == 0 else f"/big/index_{page}.html"
        big.add(analyze_page(SITE + path, html, is_home=False, today=TODAY, rules=RULES), depth=1, is_home=False)
    s = site.summary(TODAY)
    assert (len(s.columns), s.columns_dropped) == (500, 100)
    b = big.summary(TODAY)
    assert [(c.items, c.dated_items, c.pages) for c in b.columns] == [(3000, 3000, 6)]
    kept = b.history_out.items_by_column[SITE + "/big/index.html"]
    assert len(kept) == 500 and SITE + "/big/5_499.html" in kept and SITE + "/big/4_499.html" not in kept
    assert b.history_out.floor_by_column[SITE + "/big/index.html"] == start + timedelta(days=2500)


def test_many_findings_are_capped_but_counted():
    html = "".join(f'<div style="display:none"><a href="https://spam{n}.example.com/">s</a></div>' for n in range(150))
    pages = [(f"/p{p}.html", f"<html><body>{html.replace('spam', f'spam{p}x')}</body></html>", 1) for p in range(3)]
    s = crawl(pages, "<html></html>").summary(TODAY)
    assert (len(s.hidden_links), s.hidden_links_total) == (200, 450)


# Rules

def test_classify_column():
    assert [classify_column(n, None, RULES) for n in (
        "工作动态", "图片新闻", "通知公告", "公示公告", "政策文件", "规范性文件", "政策解读", "政策文件解读",
        "人事任免", "招聘公告", "发展规划", "互动交流", "领导信箱", "办事服务", "机构概况", "Press Releases",
        "Ｎｅｗｓ")] == [
        "news", "news", "notices", "notices", "policies", "policies", "interpretation", "interpretation",
        "personnel", "notices", "plans", "interaction", "interaction", "services", "other", "news", "news"]
    assert classify_column("本站专栏", "通知公告", RULES) == "notices"
    assert classify_column("", None, RULES) == "other"


def test_rules_from_mapping():
    rules = ContentRules.from_mapping({
        "timely_days": {"news": 7}, "expressions": {"某市长": "某某市长"}, "placeholders": ["空"],
        "column_classes": [["news", ["快讯"]]], "home_fresh_days": 30})
    assert rules.timely_days == {"news": 7, "notices": 183, "policies": 183}
    assert rules.expressions == (("某市长", "某某市长"),)
    assert (rules.placeholders, rules.home_fresh_days, rules.unanswered_days) == (("空",), 30, 90)
    assert classify_column("快讯", None, rules) == "news" and classify_column("工作动态", None, rules) == "other"
    assert ContentRules.from_mapping({}) == RULES


@pytest.mark.parametrize("overrides, message", [
    ({"timely": 5}, "unknown content rule(s): timely"),
    ({"home_fresh_days": "14"}, "'home_fresh_days' must be a non-negative integer"),
    ({"home_fresh_days": True}, "'home_fresh_days' must be a non-negative integer"),
    ({"placeholders": "暂无信息"}, "'placeholders' must be a list of strings"),
    ({"expressions": [["只有一个"]]}, "'expressions'"),
    ({"timely_days": {"news": -1}}, "'timely_days.news' must be a non-negative integer"),
])
def test_rules_reject_bad_overrides(overrides, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ContentRules.from_mapping(overrides)


def test_default_expressions_hold_only_misspellings():
    correct = {right for _, right in RULES.expressions}
    assert not correct & {wrong for wrong, _ in RULES.expressions}
    assert ("国务院总里", "国务院总理") in RULES.expressions and ("Goverment", "Government") in RULES.expressions
