"""HTML of a farm site: homepage, the required pages, news, search results, the 404 page.

A healthy page carries every element of the contract (contract.py); each page-level defect
removes or alters exactly one of them. Text comes from a per-site RNG seeded with the farm
seed and the host, so a page is the same on every run of the same day.
"""

from __future__ import annotations

import datetime as dt
import random
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from mgov.demo.farm import contract as c
from mgov.demo.farm.manifest import Site

ZH_TOPICS = ["数字政府建设实施方案", "城市更新条例", "养老服务体系建设规划", "促进就业创业若干措施",
             "生态环境保护规划", "优化营商环境若干措施", "安全生产专项整治方案"]
ZH_NEWS = ["关于印发《{topic}》的通知", "{org}召开{year}年第{n}次工作会议",
           "{org}开展政府网站与政务新媒体自查工作", "关于征求《{topic}（征求意见稿）》意见的公告",
           "政策解读：《{topic}》", "{org}{year}年政府信息公开工作年度报告"]
EN_TOPICS = ["the capital improvement plan", "water rate changes", "the parks master plan",
             "emergency preparedness", "the housing assistance program", "road resurfacing"]
EN_NEWS = ["{org} announces {topic}", "Public notice: {topic}", "{org} adopts {year} budget",
           "Community meeting on {topic}", "{org} launches new online services",
           "Public comment period opens on {topic}"]


class NewsItem(NamedTuple):
    id: int
    title: str
    date: dt.date


def news_items(site: Site, seed: int, today: dt.date) -> list[NewsItem]:
    """Five dated items, the newest at most 3 days old (a fresh homepage)."""
    rng = random.Random(f"{seed}/{site.host}/news")
    zh = site.language == "zh"
    org = site.organization.name_zh if zh else site.organization.name_en
    ages = sorted([rng.randint(0, 3)] + rng.sample(range(4, 90), 4))
    templates = rng.sample(ZH_NEWS if zh else EN_NEWS, len(ages))
    topics = rng.sample(ZH_TOPICS if zh else EN_TOPICS, len(ages))
    items = []
    for i, (age, tpl, topic) in enumerate(zip(ages, templates, topics, strict=True)):
        title = tpl.format(org=org, topic=topic, year=today.year, n=rng.randint(1, 12))
        items.append(NewsItem(100 + i, title, today - dt.timedelta(days=age)))
    return items


def _fmt_date(site: Site, d: dt.date) -> str:
    return d.isoformat() if site.language == "zh" else f"{d:%B} {d.day}, {d.year}"


def _head(site: Site, title: str | None, extra: str = "") -> str:
    charset = f'<meta charset="{site.encoding}">' if site.charset_declared else ""
    lang = "" if site.has("html.no_lang") else (' lang="zh-CN"' if site.language == "zh"
                                                 else ' lang="en"')
    parts = ["<!DOCTYPE html>", f"<html{lang}>", "<head>", charset]
    if not site.has("mobile.no_viewport"):
        parts.append(c.VIEWPORT)
    if title is not None and not site.has("page.no_title"):
        parts.append(f"<title>{escape(title)}</title>")
    if site.jurisdiction == "cn":
        code = site.identifiers.get("site_code")
        parts += [f'<meta name="SiteName" content="{escape(site.registry.name)}">',
                  f'<meta name="SiteDomain" content="{site.host}">']
        if code:
            parts.append(f'<meta name="SiteIDCode" content="{code}">')
    parts += ['<link rel="stylesheet" href="/css/site.css">',
              '<script src="/js/site.js" defer></script>']
    if site.jurisdiction == "us":
        parts.append(c.DAP_SCRIPT)
    parts += [extra, "</head>"]
    return "\n".join(p for p in parts if p)


def _trackers(site: Site, rng: random.Random) -> str:
    ga = f"G-{rng.getrandbits(40):010X}"
    out = [f'<script async src="https://{c.GA_HOST}/gtag/js?id={ga}"></script>',
           ("<script>window.dataLayer=window.dataLayer||[];"
            "function gtag(){dataLayer.push(arguments);}"
            f"gtag('js',new Date());gtag('config','{ga}');</script>")]
    if site.jurisdiction == "cn":
        cnzz = rng.randint(1_000_000_000, 1_999_999_999)
        out += [f'<script src="https://{c.BAIDU_HOST}/hm.js?{rng.getrandbits(128):032x}"></script>',
                f'<script src="https://{c.CNZZ_HOST}/z_stat.php?id={cnzz}&web_id={cnzz}"></script>']
    return "\n".join(out)


def _footer(site: Site, rng: random.Random, links: bool) -> str:
    parts = ["<footer>"]
    if links:
        dropped = set(site.details.get("links_dropped", ()))
        anchors = [f'<a href="{href}">{text}</a>' for text, href in c.REQUIRED_LINKS[site.jurisdiction]
                   if href not in dropped]
        parts.append(f'<nav class="footer-links">{" ".join(anchors)}</nav>')
    if site.jurisdiction == "us":
        parts.append(f"<p>{escape(site.organization.name_en)} · "
                     f'<a href="mailto:webmaster@{site.host}">webmaster@{site.host}</a></p></footer>')
        return "\n".join(parts)
    ids = site.identifiers
    org = escape(site.organization.name_zh)
    phone = f"0{rng.randint(10, 999)}-{rng.randint(10_000_000, 99_999_999)}"
    parts.append(f"<p>主办：{org}　承办：{org}办公室　联系电话：{phone}</p>")
    line = []
    if ids.get("site_code"):
        line.append(f"网站标识码：{ids['site_code']}")
    if ids.get("icp"):
        line.append(f'<a href="https://{c.ICP_HOST}/" target="_blank" rel="noopener">{ids["icp"]}</a>')
    if ids.get("psb"):
        line.append(f'<a href="http://{c.PSB_HOST}/portal/registerSystemInfo?recordcode='
                    f'{ids["psb_number"]}" target="_blank" rel="noopener">{ids["psb"]}</a>')
    parts.append(f"<p>{'　'.join(line)}</p>")
    badges = []
    if ids.get("conac_id"):
        badges.append(f'<a href="https://{c.CONAC_HOST}/sitename?method=show&id={ids["conac_id"]}">'
                      f'<img src="{c.CONAC_IMG}" alt="党政机关"></a>')
    if ids.get("jiucuo_site_code"):
        home = quote(f"https://{site.host}/", safe="")
        badges.append(f'<a href="https://{c.JIUCUO_HOST}/exposure/jiucuo.html?site_code='
                      f'{ids["jiucuo_site_code"]}&url={home}">我为政府网站找错</a>')
    parts += [f"<p>{' '.join(badges)}</p>", "</footer>"]
    return "\n".join(parts)


def home(site: Site, news: list[NewsItem], seed: int) -> str:
    rng = random.Random(f"{seed}/{site.host}/home")
    zh = site.language == "zh"
    name = site.registry.name
    title = (f"{name} - 政务公开 政务服务 互动交流" if zh
             else f"Home | {site.organization.name_en} - Official Website")
    extra = _trackers(site, rng) if site.has("analytics.trackers") else ""
    body = ["<body>"]
    if not zh:
        body.append('<section class="usa-banner">An official website of the United States '
                    "government. Here's how you know.</section>")
    body += ['<header class="site-header">',
             f'<a href="/"><img src="/images/logo.png" alt="{escape(name)}" width="64" height="64"></a>',
             f"<h1>{escape(name)}</h1>"]
    if not site.has("search.missing"):
        body.append(c.SEARCH_FORM.format(label="搜索" if zh else "Search"))
    body += ["</header>", "<main>",
             f'<img class="banner" src="/images/banner.png" alt="{escape(name)}">',
             f'<section class="news"><h2>{"政务动态" if zh else "Latest News"}</h2><ul>']
    for n in news:
        body.append(f'<li><img src="/images/news.png" alt="" width="16" height="16"> '
                    f'<a href="/news/{n.id}.html">{escape(n.title)}</a>'
                    f'<time datetime="{n.date.isoformat()}">{_fmt_date(site, n.date)}</time></li>')
    body.append("</ul></section>")
    if site.has("page.heavy"):
        body.append(f'<img class="banner" src="{c.HEAVY_IMG}" alt="{escape(name)}">')
    if site.has("mixed_content"):
        body += [f'<script src="http://{site.host}/js/legacy.js"></script>',
                 f'<img src="http://{site.host}/images/legacy.png" alt="">']
    if site.has("cookies.third_party"):
        body.append(f'<img src="https://{c.TRACKER_HOST}/pixel.gif?site={site.host}" '
                    'width="1" height="1" alt="">')
    body += ["</main>", _footer(site, rng, links=True), "</body>", "</html>"]
    return _head(site, title, extra) + "\n" + "\n".join(body) + "\n"


def page(site: Site, heading: str, paragraphs: list[str], seed: int) -> str:
    """Any other HTML page of the site: same head and footer, a heading and some text."""
    rng = random.Random(f"{seed}/{site.host}/home")  # the same footer as the homepage
    zh = site.language == "zh"
    title = f"{heading} - {site.registry.name}"
    text = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    back = "返回首页" if zh else "Back to the homepage"
    body = f'<body>\n<main>\n<h1>{escape(heading)}</h1>\n{text}\n<p><a href="/">{back}</a></p>\n</main>'
    return (_head(site, title) + "\n" + body + "\n" + _footer(site, rng, links=False)
            + "\n</body>\n</html>\n")
