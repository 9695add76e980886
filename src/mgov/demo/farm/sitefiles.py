"""A site's fixed pages, rendered at once and encoded in the site's charset: the homepage,
the required pages, robots.txt, sitemap.xml, security.txt, and the 404 and 503 pages.

The server renders them on a site's first request (per epoch) and keeps the result in an LRU
cache, so a 10,000-site farm starts at once and a benchmark pass pays rendering once per
site. The content pages (columns, articles, messages) are rendered per request
(content_pages.py).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from mgov.demo.farm import contract as c
from mgov.demo.farm.content import Plan, item_path
from mgov.demo.farm.content_pages import home_page
from mgov.demo.farm.manifest import Site
from mgov.demo.farm.notice_pages import apply_notice_pages
from mgov.demo.farm.pages import (
    JIUCUO_JS,
    JIUCUO_LOCAL,
    Page,
    footer_links,
    html_page,
    html_type,
    identity_line,
    page,
)
from mgov.demo.farm.render_pages import site_pages

__all__ = ["NOT_FOUND", "UNAVAILABLE", "Page", "html_type", "render_site", "search_page"]

NOT_FOUND = "404"  # key of the not-found page in a site's table (never a real path)
UNAVAILABLE = "503"
_html = html_page


def _text(body: str, content_type: str = "text/plain; charset=utf-8") -> Page:
    return Page(200, content_type, body.encode())


def base_url(site: Site) -> str:
    return f"{'http' if site.has('https.none') else 'https'}://{site.host}"


def _required_pages(site: Site, plan: Plan, seed: int) -> dict[str, Page]:
    org_zh, org_en, host = site.organization.name_zh, site.organization.name_en, site.host
    shown = footer_links(site)
    if site.jurisdiction == "cn":
        items = "".join(f'<li><a href="{col.path}">{escape(col.name)}</a></li>'
                        for col in plan.columns)
        links = "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in shown)
        paras = [
            ['<ul><li><a href="/">首页</a></li>' + items + links + "</ul>"],
            [f"{escape(org_zh)}办公室", f"电子邮箱：webmaster@{host}",
             "工作时间：周一至周五 9:00—12:00，14:00—17:30（法定节假日除外）"],
            [(f"本网站由{escape(org_zh)}主办，是发布政府信息、提供在线服务"
              + ("的官方平台。" if site.has("interaction.none") else "、与公众互动交流的官方平台。"))],
            [("本网站尊重并保护用户个人信息。除依法履行职责所必需外，本网站不收集、"
              "不使用、不向第三方提供用户个人信息。"), "本网站不使用第三方统计或广告跟踪工具。"],
        ]
        more = [[f"{escape(org_zh)}依法主动公开政府信息，公开指南、制度和年度报告见本栏目。"],
                [f"公民、法人和其他组织可以向{escape(org_zh)}申请获取政府信息，申请方式见本页。"],
                ["本网站提供无障碍浏览服务：字体放大、高对比度和读屏辅助。"]]
    else:
        org = escape(org_en)
        paras = [
            [(f"{org} does not collect personal information when you visit this "
              "site unless you choose to provide it."),
             "This site uses no third-party advertising or tracking cookies."],
            [f'Email: <a href="mailto:info@{host}">info@{host}</a>',
             "Office hours: Monday to Friday, 8 a.m. to 5 p.m."],
            [f"{org} serves its residents with public services and information.",
             "Read our strategic plan, performance reports and open government page."],
            [(f"{org} is committed to making this website accessible to "
              "everyone, in line with Section 508 and WCAG 2.1 AA."),
             (f'Report a barrier: <a href="mailto:accessibility@{host}">'
              f"accessibility@{host}</a>.")],
            [("Submit a Freedom of Information Act (FOIA) request by email to "
              f'<a href="mailto:foia@{host}">foia@{host}</a>.')],
        ]
        more = [[f"{org} posts its No FEAR Act data every quarter."], []]
    pages = dict(zip(shown, paras, strict=True))
    if site.form("links") == "long":  # the further footer links, those on this site
        pages.update((link, p) for link, p in zip(c.MORE_LINKS[site.jurisdiction], more, strict=True)
                     if link[1].startswith("/"))
    return {href: _html(site, page(site, text, p, seed)) for (text, href), p in pages.items()}


def _robots(site: Site) -> Page:
    return _text(f"User-agent: *\nDisallow: /search\nSitemap: {base_url(site)}/sitemap.xml\n")


def _sitemap(site: Site, paths: list[str], today: dt.date) -> Page:
    base = base_url(site)
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{today.isoformat()}</lastmod></url>\n"
                   for p in paths)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')
    return _text(xml, "application/xml")


def _security_txt(site: Site, today: dt.date) -> Page:
    expires = dt.datetime.combine(today + dt.timedelta(days=180), dt.time(), dt.UTC)
    langs = "zh, en" if site.language == "zh" else "en"
    return _text(f"Contact: mailto:security@{site.host}\n"
                 f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
                 f"Preferred-Languages: {langs}\n"
                 f"Canonical: https://{site.host}/.well-known/security.txt\n")


def render_site(site: Site, seed: int, today: dt.date, plan: Plan, *, tampered: bool = False,
                nav_extra: tuple[tuple[str, str], ...] = (),
                links_extra: tuple[tuple[str, str], ...] = ()) -> dict[str, Page]:
    """Path -> page for every fixed path of the site, plus the 404 and 503 pages. `today` is
    the real date (security.txt, sitemap lastmod); the content's dates come from the plan."""
    zh = site.language == "zh"
    out = {"/": _html(site, home_page(plan, tampered=tampered, nav_extra=nav_extra,
                                      links_extra=links_extra))}
    out.update(_required_pages(site, plan, seed))
    apply_notice_pages(out, site, seed)  # the privacy policy and the US Privacy Program page
    out["/sitemap.xml"] = _sitemap(site, list(out) + [col.path for col in plan.columns], today)
    out["/robots.txt"] = _robots(site)
    out["/.well-known/security.txt"] = _security_txt(site, today)
    # After the sitemap: the 适老版 and the scripts are reached from the rendered page only.
    out.update(site_pages(site, plan, identity_line(site) if site.jurisdiction == "cn" else ""))
    if site.form("jiucuo") == "local":
        out[JIUCUO_LOCAL] = Page(200, "text/javascript; charset=utf-8", JIUCUO_JS.encode())
    for defect, path in (("robots.missing", "/robots.txt"), ("sitemap.missing", "/sitemap.xml"),
                         ("security_txt.missing", "/.well-known/security.txt")):
        if site.has(defect):
            del out[path]
    gone = "页面不存在" if zh else "Page not found"
    gone_text = ("您访问的页面不存在或已被删除。" if zh
                 else "The page you requested does not exist or has been removed.")
    status = 200 if site.has("not_found.soft404") else 404
    out[NOT_FOUND] = _html(site, page(site, gone, [gone_text], seed), status)
    busy = "服务暂不可用" if zh else "Service unavailable"
    busy_text = "请稍后再试。" if zh else "Please try again later."
    out[UNAVAILABLE] = _html(site, page(site, busy, [busy_text], seed), 503)
    return out


def search_page(site: Site, query: str, plan: Plan) -> Page:
    zh = site.language == "zh"
    q = query.lower()
    hits = [i for items in plan.items.values() for i in items if q and q in i.title.lower()][:20]
    items = "".join(f'<li><a href="{item_path(site, i)}">{escape(i.title)}</a></li>' for i in hits)
    head = "搜索结果" if zh else "Search results"
    count = f"共 {len(hits)} 条" if zh else f"{len(hits)} result(s) for “{escape(query)}”"
    return _html(site, page(site, head, [count, f"<ul>{items}</ul>"], plan.seed))
